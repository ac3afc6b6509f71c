import os
import socket

import pytest
from allauth.account.models import EmailAddress

from tests.pdz.factories import UserFactory

# Playwright's sync API keeps an event loop running in the test thread; Django would
# otherwise refuse ORM calls made from the test while a page is open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

PASSWORD = "Piano.Di.Zona.2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas hash a password each; the production hasher would slow the suite ~5x.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _pec_in_memory(settings):
    # Without EMAIL_URL the PEC account writes to the outbox folder: keep it in mail.outbox.
    settings.PEC_EMAIL = {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


@pytest.fixture(autouse=True)
def _clear_cache():
    # The cache is the test Redis: allauth's rate limits must not leak between tests.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def alice(db):
    """A signed-up person with a confirmed e-mail address and no role yet."""
    user = UserFactory(email="alice@example.org", full_name="Alice Bianchi", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def smtp_sink():
    """A real SMTP server on a free port that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 Message accepted for delivery"

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def _persona(email, full_name, ambito=None, tipo=None, ente=None):
    from ambiti.models import Ruolo

    user = UserFactory(email=email, full_name=full_name, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if ambito is not None:
        Ruolo.objects.create(user=user, ambito=ambito, tipo=tipo, ente=ente)
    return user


@pytest.fixture
def ambito(db):
    """The ambito of the personas: Oglio Po, with two comuni and their parties."""
    from ambiti.models import Ente
    from tests.ambiti.factories import AmbitoFactory, AppartenenzaFactory, ComuneFactory

    ambito = AmbitoFactory(codice="oglio-po", nome="Ambito Oglio Po")
    for codice, nome in [("B898", "Casalmaggiore"), ("L826", "Viadana")]:
        comune = ComuneFactory(codice_catastale=codice, nome=nome)
        AppartenenzaFactory(ambito=ambito, comune=comune)
        ente = Ente.objects.create(
            tipo=Ente.Tipo.COMUNE, denominazione=f"Comune di {nome}", comune=comune
        )
        ente.ambiti.add(ambito)
    return ambito


@pytest.fixture
def altro_ambito(db):
    from tests.ambiti.factories import AmbitoFactory

    return AmbitoFactory(codice="destra-secchia", nome="Ambito Destra Secchia")


@pytest.fixture
def staff(ambito):
    """Chiara works in the Ufficio di Piano of the ambito."""
    from ambiti.models import Ruolo

    return _persona("chiara@example.org", "Chiara Bertoldi", ambito, Ruolo.Tipo.UFFICIO_PIANO)


@pytest.fixture
def coordinatore(ambito):
    from ambiti.models import Ruolo

    return _persona("paolo@example.org", "Paolo Ghidetti", ambito, Ruolo.Tipo.COORDINATORE)


@pytest.fixture
def sindaco(ambito):
    """Filippo is the mayor of Casalmaggiore, in the ambito."""
    from ambiti.models import Ruolo

    ente = ambito.enti.get(comune__nome="Casalmaggiore")
    return _persona("filippo@example.org", "Filippo Bongiovanni", ambito, Ruolo.Tipo.SINDACO, ente)


@pytest.fixture
def staff_altro(altro_ambito):
    """Staff of another ambito: must never see the non-public data of ``ambito``."""
    from ambiti.models import Ruolo

    return _persona("bruno@example.org", "Bruno Sala", altro_ambito, Ruolo.Tipo.UFFICIO_PIANO)


@pytest.fixture
def admin_regionale(db):
    user = _persona("regione@example.org", "Amministrazione Regionale")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


@pytest.fixture
def referente(ambito):
    """Elena acts for the Cooperativa sociale Il Girasole, which operates in the ambito."""
    from ambiti.models import Ruolo
    from tests.terzo_settore.factories import OrganizzazioneFactory, ReferenteFactory

    organizzazione = OrganizzazioneFactory(ente__denominazione="Cooperativa sociale Il Girasole")
    organizzazione.ente.ambiti.add(ambito)
    user = _persona(
        "elena@example.org", "Elena Ruggeri", ambito, Ruolo.Tipo.REFERENTE_ETS, organizzazione.ente
    )
    ReferenteFactory(organizzazione=organizzazione, user=user)
    return user

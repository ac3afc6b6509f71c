"""Who may open which page of the ambiti app: the role × action matrix."""

import secrets
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambiti.models import AppartenenzaComune, Ente, Invito, Ruolo
from tests.ambiti.factories import ComuneFactory, RuoloFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Personas are made with a password; the production hasher costs ~0.3 s a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PERSONAS = [
    "anonymous",
    "alice",
    "sindaco",
    "staff",
    "coordinatore",
    "staff_altro",
    "admin_regionale",
]

PUBLIC = dict.fromkeys(PERSONAS, 200)
# Anyone with a role in the ambito may look; the rest of the world gets 404, anonymous a sign-in.
VIEW = {**dict.fromkeys(PERSONAS, 200), "anonymous": 302, "alice": 404, "staff_altro": 404}
# Only the Ufficio di Piano, the coordinatore and the regional administrator may change.
MANAGE = {**VIEW, "sindaco": 403}
MANAGE_POST = {
    **dict.fromkeys(["staff", "coordinatore", "admin_regionale"], 302),
    "anonymous": 302,
    "alice": 404,
    "staff_altro": 404,
    "sindaco": 403,
}


@pytest.fixture
def objects(ambito):
    """One row of everything the back-office acts on, all in ``ambito``."""
    marta = RuoloFactory(
        ambito=ambito,
        tipo=Ruolo.Tipo.RAPPRESENTANTE_ENTE,
        ente=ambito.enti.get(comune__nome="Viadana"),
    )
    invito = Invito.objects.create(
        ambito=ambito,
        email="nuovo@example.org",
        full_name="Nuovo Sindaco",
        tipo=Ruolo.Tipo.SINDACO,
        token=secrets.token_urlsafe(32),
        invitato_da=marta.user,
        scade_at=timezone.now() + timedelta(days=14),
    )
    ComuneFactory(codice_catastale="H659", nome="Sabbioneta", provincia="MN")
    return {
        "appartenenza": AppartenenzaComune.objects.get(ambito=ambito, comune__nome="Viadana"),
        "ente": ambito.enti.get(comune__nome="Viadana"),
        "ruolo": marta,
        "invito": invito,
    }


def _client_as(persona, client, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def _url(name, ambito, objects, obj=None):
    args = [ambito.codice] if name != "list" else []
    if obj:
        args.append(objects[obj].pk)
    return reverse(f"ambiti:{name}", args=args)


PAGES = [
    ("list", None, "", PUBLIC),
    ("detail", None, "", PUBLIC),
    ("dashboard", None, "", VIEW),
    ("comuni", None, "", VIEW),
    ("comuni", None, "?format=csv", VIEW),
    ("enti", None, "", VIEW),
    ("enti", None, "?format=csv", VIEW),
    ("edit", None, "", MANAGE),
    ("comune_add", None, "?q=sabb", MANAGE),
    ("appartenenza_end", "appartenenza", "", MANAGE),
    ("ente_create", None, "", MANAGE),
    ("ente_edit", "ente", "", MANAGE),
    ("ruoli", None, "", MANAGE),
    ("ruoli", None, "?format=csv", MANAGE),
    ("ruolo_revoke", "ruolo", "", MANAGE),
    ("inviti", None, "", MANAGE),
    ("invito_create", None, "", MANAGE),
    ("invito_withdraw", "invito", "", MANAGE),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "obj", "query", "expected"), PAGES, ids=[f"{p[0]}{p[2]}" for p in PAGES]
)
def test_page_access(client, request, ambito, objects, persona, name, obj, query, expected):
    client = _client_as(persona, client, request)
    url = _url(name, ambito, objects, obj) + query

    response = client.get(url)

    assert response.status_code == expected[persona]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_login"))


def _post_data(name, ambito, objects):
    today = timezone.localdate().isoformat()
    casalmaggiore = ambito.enti.get(comune__nome="Casalmaggiore")
    return {
        "edit": {"nome": "Ambito Oglio Po (CR-MN)"},
        "comune_add": {
            "q": "Sabb",
            "comune": ambito.comuni.model.objects.get(nome="Sabbioneta").pk,
            "dal": today,
        },
        "appartenenza_end": {"al": today},
        "ente_create": {"tipo": Ente.Tipo.SCUOLA, "denominazione": "Istituto Comprensivo"},
        "ente_edit": {
            "tipo": Ente.Tipo.COMUNE,
            "denominazione": "Comune di Viadana (MN)",
            "comune": objects["ente"].comune_id,
            "attivo": "on",
        },
        "ruolo_revoke": {},
        "invito_create": {
            "full_name": "Giovanni Rossi",
            "email": "giovanni@example.org",
            "tipo": Ruolo.Tipo.DELEGATO_SINDACO,
            "ente": casalmaggiore.pk,
        },
        "invito_withdraw": {},
    }[name]


ACTIONS = [
    ("edit", None),
    ("comune_add", None),
    ("appartenenza_end", "appartenenza"),
    ("ente_create", None),
    ("ente_edit", "ente"),
    ("ruolo_revoke", "ruolo"),
    ("invito_create", None),
    ("invito_withdraw", "invito"),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "obj"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_action_access(client, request, ambito, objects, persona, name, obj):
    client = _client_as(persona, client, request)

    response = client.post(_url(name, ambito, objects, obj), _post_data(name, ambito, objects))

    assert response.status_code == MANAGE_POST[persona]
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    elif response.status_code == 302:
        # The change was made and the person is sent back to a page of the ambito.
        assert response["Location"].startswith(f"/ambiti/{ambito.codice}/gestione/")


@pytest.mark.parametrize(
    ("name", "obj", "query", "expected"), PAGES[2:], ids=[f"{p[0]}{p[2]}" for p in PAGES[2:]]
)
def test_staff_of_another_ambito_gets_404_on_every_non_public_page(
    client, ambito, objects, staff_altro, name, obj, query, expected
):
    client.force_login(staff_altro)
    assert client.get(_url(name, ambito, objects, obj) + query).status_code == 404


@pytest.mark.parametrize(("name", "obj"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_staff_of_another_ambito_cannot_act_on_it(client, ambito, objects, staff_altro, name, obj):
    client.force_login(staff_altro)
    response = client.post(_url(name, ambito, objects, obj), _post_data(name, ambito, objects))
    assert response.status_code == 404
    assert not Ente.objects.filter(denominazione="Istituto Comprensivo").exists()


@pytest.mark.parametrize(
    ("name", "obj"),
    [
        ("appartenenza_end", "appartenenza"),
        ("ente_edit", "ente"),
        ("ruolo_revoke", "ruolo"),
        ("invito_withdraw", "invito"),
    ],
)
def test_objects_of_another_ambito_are_not_reachable_through_ones_own(
    client, ambito, altro_ambito, objects, staff, name, obj
):
    """Staff of ``ambito`` put the id of its row under the address of the other one: 404."""
    RuoloFactory(user=staff, ambito=altro_ambito, tipo=Ruolo.Tipo.UFFICIO_PIANO)
    client.force_login(staff)
    url = reverse(f"ambiti:{name}", args=[altro_ambito.codice, objects[obj].pk])
    assert client.get(url).status_code == 404


def test_mayor_sees_the_dashboard_read_only(client, ambito, sindaco):
    client.force_login(sindaco)
    page = client.get(reverse("ambiti:dashboard", args=[ambito.codice])).content.decode()
    assert "Casalmaggiore" in page
    assert reverse("ambiti:invito_create", args=[ambito.codice]) not in page
    assert reverse("ambiti:ruoli", args=[ambito.codice]) not in page
    assert reverse("ambiti:edit", args=[ambito.codice]) not in page


def test_revoked_role_no_longer_opens_the_back_office(client, ambito, staff):
    client.force_login(staff)
    url = reverse("ambiti:dashboard", args=[ambito.codice])
    assert client.get(url).status_code == 200
    Ruolo.objects.filter(user=staff).update(revocato_at=timezone.now())
    assert client.get(url).status_code == 404

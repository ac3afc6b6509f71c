"""Who may do what on the objectives, monitoring and budget pages (the role × action matrix).

Participants of the ambito (a mayor, a table member, an admitted organisation's referente)
read; the staff of the ambito (and the regional administrator) change; anybody else gets
404, and a visitor who is not signed in is sent to sign in."""

import pytest
from django.urls import reverse

from piani.models import Indicatore
from terzo_settore.models import Domanda
from tests.pdz.factories import UserFactory
from tests.piani.factories import (
    AzioneFactory,
    IndicatoreFactory,
    ObiettivoFactory,
    VoceBudgetFactory,
    fonte,
    piano_con_sezioni,
)
from tests.tavoli.factories import MembroFactory, TavoloFactory
from tests.terzo_settore.factories import (
    AvvisoFactory,
    DomandaFactory,
    OrganizzazioneFactory,
    ReferenteFactory,
)

PERSONAS = [
    "anonymous",
    "alice",
    "sindaco",
    "membro",
    "ets",
    "staff",
    "staff_altro",
    "admin_regionale",
]
LETTORI = {"sindaco", "membro", "ets"}
GESTORI = {"staff", "admin_regionale"}


@pytest.fixture
def membro(ambito):
    """Marta sits at a table of the ambito for an association; she has no role in it."""
    user = UserFactory(email="marta@example.org", full_name="Marta Ferrari")
    MembroFactory(tavolo=TavoloFactory(ambito=ambito), delegato_email=user.email)
    return user


@pytest.fixture
def ets(ambito):
    """Giorgio acts for an organisation a notice of the ambito admitted; he has no role."""
    user = UserFactory(email="giorgio@example.org", full_name="Giorgio Neri")
    organizzazione = OrganizzazioneFactory(ente__denominazione="APS Il Ponte")
    ReferenteFactory(organizzazione=organizzazione, user=user)
    DomandaFactory(
        avviso=AvvisoFactory(ambito=ambito),
        organizzazione=organizzazione,
        stato=Domanda.Stato.AMMESSA,
    )
    return user


@pytest.fixture
def oggetti(ambito, staff):
    piano = piano_con_sezioni(ambito, by=staff)
    obiettivo = ObiettivoFactory(piano=piano, codice="OB1")
    azione = AzioneFactory(obiettivo=obiettivo)
    indicatore = IndicatoreFactory(obiettivo=obiettivo, tipo=Indicatore.Tipo.ESITO)
    voce = VoceBudgetFactory(piano=piano, fonte=fonte("fnps"), obiettivo=obiettivo)
    return {
        "piano": piano.pk,
        "obiettivo": obiettivo.pk,
        "azione": azione.pk,
        "indicatore": indicatore.pk,
        "voce": voce.pk,
        "ambito": ambito.codice,
    }


LETTURA = [
    ("piani:obiettivi", "piano"),
    ("piani:obiettivo", "obiettivo"),
    ("piani:monitoraggio", "piano"),
    ("piani:budget", "piano"),
    ("piani:riepilogo", "piano"),
    ("piani:quote", "piano"),
    ("piani:fonti", "ambito"),
]
MODIFICA = [
    ("piani:obiettivo_nuovo", "piano"),
    ("piani:obiettivo_modifica", "obiettivo"),
    ("piani:obiettivo_rimuovi", "obiettivo"),
    ("piani:azione_nuova", "obiettivo"),
    ("piani:azione_modifica", "azione"),
    ("piani:azione_rimuovi", "azione"),
    ("piani:indicatore_nuovo", "obiettivo"),
    ("piani:indicatore_modifica", "indicatore"),
    ("piani:indicatore_rimuovi", "indicatore"),
    ("piani:misurazioni", "indicatore"),
    ("piani:voce_nuova", "piano"),
    ("piani:voce_modifica", "voce"),
    ("piani:voce_rimuovi", "voce"),
]


def _client(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("nome", "chiave"), LETTURA, ids=[n for n, _k in LETTURA])
def test_who_reads_the_pages(client, request, oggetti, persona, nome, chiave):
    url = reverse(nome, args=[oggetti[chiave]])
    response = _client(client, request, persona).get(url)
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif persona in LETTORI | GESTORI:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("nome", "chiave"), MODIFICA, ids=[n for n, _k in MODIFICA])
def test_who_changes(client, request, oggetti, persona, nome, chiave):
    url = reverse(nome, args=[oggetti[chiave]])
    c = _client(client, request, persona)
    risposte = [c.get(url), c.post(url, {})]
    for response in risposte:
        if persona == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        elif persona in GESTORI:
            assert response.status_code in (200, 302)
        elif persona in LETTORI:
            assert response.status_code == 403
        else:
            assert response.status_code == 404


@pytest.mark.parametrize("persona", ["sindaco", "membro", "ets"])
def test_participants_cannot_set_quotas_or_add_sources(client, request, oggetti, persona):
    c = _client(client, request, persona)
    quote = reverse("piani:quote", args=[oggetti["piano"]])
    assert c.post(quote, {"azione": "quota", "quota_pro_capite": "3,50"}).status_code == 403
    assert c.post(quote, {"azione": "scrivi", "anno": "2025"}).status_code == 403
    fonti = reverse("piani:fonti", args=[oggetti["ambito"]])
    assert c.post(fonti, {"nome": "Bando", "codice": "bando", "tipo": "privata"}).status_code == 403


def test_participants_see_no_change_links(client, sindaco, oggetti):
    client.force_login(sindaco)
    for nome, chiave in [("piani:obiettivo", "obiettivo"), ("piani:budget", "piano")]:
        html = client.get(reverse(nome, args=[oggetti[chiave]])).content.decode()
        assert reverse("piani:obiettivo_modifica", args=[oggetti["obiettivo"]]) not in html
        assert reverse("piani:voce_modifica", args=[oggetti["voce"]]) not in html

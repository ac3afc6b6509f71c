"""Who may open which organisation page: the persona × page matrix.

An organisation's pages are for its active referenti (404 for everyone else, staff included);
changes are for its managing referenti (403 for the other referenti).
"""

import pytest
from django.urls import reverse

from terzo_settore.models import Organizzazione, Referente
from tests.terzo_settore.factories import ReferenteFactory

PERSONAS = [
    "anonymous",
    "alice",
    "referente",
    "semplice",
    "altro_referente",
    "staff",
    "admin_regionale",
]

EVERYONE = dict.fromkeys(PERSONAS, 200)
SIGNED_IN = {**EVERYONE, "anonymous": 302}
# Pages of the organisation: its referenti only.
REFERENTI = {
    **dict.fromkeys(PERSONAS, 404),
    "anonymous": 302,
    "referente": 200,
    "semplice": 200,
}
# Changes: its managing referenti only.
GESTORI = {**REFERENTI, "semplice": 403}
GESTORI_POST = {**GESTORI, "referente": 302}


@pytest.fixture
def objects(ambito, referente):
    girasole = Organizzazione.objects.get(ente__denominazione="Cooperativa sociale Il Girasole")
    semplice = ReferenteFactory(organizzazione=girasole, gestore=False)
    marco = ReferenteFactory(organizzazione=girasole, gestore=False)
    richiesta = ReferenteFactory(
        organizzazione=girasole, gestore=False, stato=Referente.Stato.RICHIESTA
    )
    altro = ReferenteFactory(gestore=True)
    return {
        "girasole": girasole,
        "semplice": semplice.user,
        "altro_referente": altro.user,
        "marco": marco,
        "richiesta": richiesta,
    }


def _client_as(persona, client, request, objects):
    if persona == "anonymous":
        return client
    user = objects.get(persona) or request.getfixturevalue(persona)
    client.force_login(user)
    return client


PAGES = [
    ("mie_organizzazioni", lambda o: [], SIGNED_IN),
    ("registra_organizzazione", lambda o: [], EVERYONE),
    ("entra_organizzazione", lambda o: [], SIGNED_IN),
    ("comuni_json", lambda o: [], EVERYONE),
    ("organizzazione", lambda o: [o["girasole"].pk], REFERENTI),
    ("organizzazione_modifica", lambda o: [o["girasole"].pk], GESTORI),
    ("referente_rimuovi", lambda o: [o["girasole"].pk, o["marco"].pk], GESTORI),
    ("registro", lambda o: ["oglio-po"], EVERYONE),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name, args, expected", PAGES, ids=[p[0] for p in PAGES])
def test_get(client, request, objects, persona, name, args, expected):
    client = _client_as(persona, client, request, objects)
    response = client.get(reverse(f"terzo_settore:{name}", args=args(objects)))
    assert response.status_code == expected[persona]


ACTIONS = [
    ("richiesta_decidi", "richiesta", {"esito": "approva"}, "stato", Referente.Stato.RICHIESTA),
    ("referente_gestore", "marco", {"gestore": "1"}, "gestore", False),
    ("referente_rimuovi", "marco", {}, "stato", Referente.Stato.ATTIVO),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "name, target, data, field, unchanged", ACTIONS, ids=[a[0] for a in ACTIONS]
)
def test_post(client, request, objects, persona, name, target, data, field, unchanged):
    client = _client_as(persona, client, request, objects)
    referente = objects[target]
    url = reverse(f"terzo_settore:{name}", args=[objects["girasole"].pk, referente.pk])
    response = client.post(url, data)
    assert response.status_code == GESTORI_POST[persona]
    referente.refresh_from_db()
    changed = getattr(referente, field) != unchanged
    assert changed == (persona == "referente")


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_edit(client, request, objects, persona, ambito):
    from tests.terzo_settore.test_organizzazioni_registrazione import dati

    client = _client_as(persona, client, request, objects)
    girasole = objects["girasole"]
    url = reverse("terzo_settore:organizzazione_modifica", args=[girasole.pk])
    response = client.post(url, dati(ambito, denominazione="Cambiato"))
    assert response.status_code == GESTORI_POST[persona]
    girasole.ente.refresh_from_db()
    assert (girasole.ente.denominazione == "Cambiato") == (persona == "referente")


def test_unknown_organisation_is_404_even_for_a_referente(client, referente):
    client.force_login(referente)
    url = reverse("terzo_settore:organizzazione", args=[999999])
    assert client.get(url).status_code == 404


def test_unknown_ambito_register_is_404(client, db):
    assert client.get(reverse("terzo_settore:registro", args=["nessuno"])).status_code == 404


def test_a_removed_referente_loses_access(client, referente):
    Referente.objects.filter(user=referente).update(stato=Referente.Stato.RIMOSSO)
    girasole = Organizzazione.objects.get(ente__denominazione="Cooperativa sociale Il Girasole")
    client.force_login(referente)
    url = reverse("terzo_settore:organizzazione", args=[girasole.pk])
    assert client.get(url).status_code == 404

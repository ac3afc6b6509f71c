"""The attendance register: prefilled from the answers to the convocation, saved by the
Ufficio di Piano, with the quorum of the Assemblea (population-weighted) as it is reached."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tavoli import services
from tavoli.models import Convocazione, Incontro, Presenza
from tests.conftest import _persona
from tests.tavoli.factories import IncontroFactory
from tests.tavoli.test_views_votazioni import (  # noqa: F401 (fixtures)
    assemblea,
    crea_assemblea,
    marta,
    membro,
    sindaca_viadana,
    sindaco_sabbioneta,
)

pytestmark = pytest.mark.italiano


@pytest.fixture
def seduta(assemblea, staff):  # noqa: F811
    """A convened meeting of the Assemblea that started an hour ago."""
    inizio = timezone.now() - timedelta(hours=1)
    return IncontroFactory(
        tavolo=assemblea,
        titolo="Seduta del 12 marzo",
        inizio=inizio,
        fine=inizio + timedelta(hours=2),
        stato=Incontro.Stato.CONVOCATO,
        created_by=staff,
    )


def url(incontro):
    return reverse("tavoli:presenze", args=[incontro.pk])


def rispondi(incontro, comune, risposta, delegato=""):
    m = membro(incontro.tavolo, comune)
    Convocazione.objects.create(
        incontro=incontro,
        membro=m,
        destinatario=Convocazione.Destinatario.DELEGATO,
        canale=Convocazione.Canale.EMAIL,
        nome=m.delegato_nome,
        email=m.delegato_email,
        stato=Convocazione.Stato.INVIATA,
        risposta=risposta,
        risposta_delegato=delegato,
        risposta_at=timezone.now(),
    )


def registro(incontro, **stati):
    data = {}
    for comune, (stato, da) in stati.items():
        m = membro(incontro.tavolo, comune)
        data[f"stato_{m.pk}"] = stato
        data[f"da_{m.pk}"] = da
    return data


def scelto(page, m):
    """The attendance radio checked in the row of ``m``."""
    [riga] = [r for r in page.split("<tr") if f'name="stato_{m.pk}"' in r]
    for radio in riga.split("<input")[1:]:
        if f'name="stato_{m.pk}"' in radio and "checked" in radio.split(">")[0]:
            return radio.split('value="')[1].split('"')[0]
    return None


def quorum(page):
    """The quorum badge shown: "raggiunto" or "non-raggiunto"."""
    [mostrato] = re.findall(r'data-quorum="([a-z-]+)">', page)
    return mostrato


@pytest.mark.parametrize(
    ("persona", "vede", "salva"),
    [
        ("anonimo", 404, 404),
        ("alice", 404, 404),
        ("staff", 200, 302),
        ("staff_altro", 404, 404),
        ("sindaco", 200, 403),  # a member: sees the register, does not take it
        ("admin_regionale", 200, 302),
    ],
)
def test_who_sees_and_takes_the_attendance(client, request, seduta, persona, vede, salva):
    if persona != "anonimo":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(url(seduta)).status_code == vede
    data = registro(
        seduta,
        Casalmaggiore=("presente", ""),
        Viadana=("presente", ""),
        Sabbioneta=("assente", ""),
    )
    assert client.post(url(seduta), data).status_code == salva
    assert Presenza.objects.exists() == (salva == 302)


def test_a_member_of_another_body_does_not_see_it(client, ambito, altro_ambito, staff):
    outsider = _persona("ospite@example.org", "Ospite Esterno")
    seduta = IncontroFactory(tavolo__ambito=altro_ambito, tavolo__pubblico=False, created_by=staff)
    client.force_login(outsider)
    assert client.get(url(seduta)).status_code == 404


def test_the_register_starts_from_the_answers(client, seduta, staff):
    rispondi(seduta, "Casalmaggiore", "si")
    rispondi(seduta, "Viadana", "delega", "Giulia Rossi, assessore ai servizi sociali")
    rispondi(seduta, "Sabbioneta", "no")
    client.force_login(staff)

    page = client.get(url(seduta)).content.decode()
    tavolo = seduta.tavolo
    assert scelto(page, membro(tavolo, "Casalmaggiore")) == "presente"
    assert scelto(page, membro(tavolo, "Viadana")) == "delegato"
    assert 'value="Giulia Rossi, assessore ai servizi sociali"' in page
    assert scelto(page, membro(tavolo, "Sabbioneta")) == "assente"
    # The quorum those answers promise: 15,473 + 20,143 of 39,779 residents.
    assert quorum(page) == "raggiunto"
    assert "35.616" in page
    assert "data-quorum-nota>" in page  # said to be a forecast
    # Nothing is saved until staff confirm it.
    assert not Presenza.objects.exists()


def test_saving_shows_the_weighted_quorum(client, seduta, staff):
    client.force_login(staff)
    response = client.post(
        url(seduta),
        registro(
            seduta,
            Casalmaggiore=("presente", ""),
            Viadana=("delegato", "Giulia Rossi"),
            Sabbioneta=("assente", ""),
        ),
        follow=True,
    )

    page = response.content.decode()
    assert "alert-success" in page
    # 15,473 + 20,143 = 35,616 of 39,779 residents: more than half.
    assert quorum(page) == "raggiunto"
    assert "data-quorum-nota hidden" in page  # the register is saved, not a forecast
    assert "<strong data-presenti-teste>2</strong>" in page
    assert "35.616" in page and "39.779" in page
    seduta.refresh_from_db()
    assert seduta.stato == Incontro.Stato.SVOLTO
    assert Presenza.objects.get(membro=membro(seduta.tavolo, "Viadana")).rappresentato_da == (
        "Giulia Rossi"
    )
    # The saved register is shown again, not the answers.
    assert scelto(page, membro(seduta.tavolo, "Sabbioneta")) == "assente"


def test_quorum_not_reached(client, seduta, staff):
    client.force_login(staff)
    page = client.post(
        url(seduta),
        registro(
            seduta,
            Casalmaggiore=("assente", ""),
            Viadana=("assente", ""),
            Sabbioneta=("presente", ""),
        ),
        follow=True,
    ).content.decode()
    assert quorum(page) == "non-raggiunto"
    assert "4.163" in page


def test_who_represented_the_member_is_required(client, seduta, staff):
    client.force_login(staff)
    response = client.post(
        url(seduta),
        registro(
            seduta,
            Casalmaggiore=("presente", ""),
            Viadana=("delegato", " "),
            Sabbioneta=("assente", ""),
        ),
    )

    assert response.status_code == 200
    page = response.content.decode()
    viadana = membro(seduta.tavolo, "Viadana")
    assert f'id="id_da_{viadana.pk}_error"' in page
    assert scelto(page, viadana) == "delegato"  # the choice is kept
    assert not Presenza.objects.exists()


def test_missing_population_is_explained(client, ambito, staff, sindaco, marta):  # noqa: F811
    tavolo = crea_assemblea(
        ambito, {"Casalmaggiore": (sindaco, marta)}, popolazione={"Viadana": 20143}
    )
    seduta = IncontroFactory(
        tavolo=tavolo, inizio=timezone.now() - timedelta(hours=1), created_by=staff
    )
    client.force_login(staff)
    response = client.get(url(seduta))
    assert response.status_code == 200
    assert "Comune di Casalmaggiore" in response.content.decode().split('id="quorum"')[1]


def test_before_the_meeting_there_is_nothing_to_take(client, assemblea, staff):  # noqa: F811
    seduta = IncontroFactory(tavolo=assemblea, stato=Incontro.Stato.CONVOCATO, created_by=staff)
    client.force_login(staff)

    page = client.get(url(seduta)).content.decode()
    assert 'name="stato_' not in page
    response = client.post(url(seduta), registro(seduta, Casalmaggiore=("presente", "")))
    assert response.status_code == 302
    assert not Presenza.objects.exists()


def test_a_removed_member_stays_in_the_register(client, seduta, staff):
    tavolo = seduta.tavolo
    services.registra_presenze(
        seduta, {membro(tavolo, "Sabbioneta").pk: (Presenza.Stato.PRESENTE, "")}, by=staff
    )
    services.rimuovi_membro(membro(tavolo, "Sabbioneta"), by=staff)
    services.rimuovi_membro(membro(tavolo, "Viadana"), by=staff)
    client.force_login(staff)

    page = client.get(url(seduta)).content.decode()
    assert "Comune di Sabbioneta" in page
    assert "Comune di Viadana" not in page

"""The votes pages: the list, opening a vote, voting online as a mayor or as the mayor's
delegate, recording a show of hands, and the count with heads and population.

Population (ISTAT, 1 January 2025): Casalmaggiore 15,473, Viadana 20,143, Sabbioneta 4,163
— 39,779 in all. The Assemblea decides by population, majority of those present.
"""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambiti.models import Ente
from tavoli import services
from tavoli.models import Membro, Presenza, RegolaVoto, Tavolo, Votazione, Voto
from tests.ambiti.factories import AppartenenzaFactory, ComuneFactory, PopolazioneFactory
from tests.conftest import _persona
from tests.tavoli.factories import (
    IncontroFactory,
    MembroFactory,
    PuntoOdgFactory,
    RegolaVotoFactory,
    TavoloFactory,
)

pytestmark = pytest.mark.italiano

RESIDENTI = {"Casalmaggiore": 15473, "Viadana": 20143, "Sabbioneta": 4163}


@pytest.fixture
def marta(ambito):
    """Marta Ghisolfi, assessore of Casalmaggiore: the mayor's substitute at the Assemblea."""
    return _persona("marta@example.org", "Marta Ghisolfi")


@pytest.fixture
def sindaca_viadana(ambito):
    return _persona("nicoletta@example.org", "Nicoletta Cavatorta")


@pytest.fixture
def sindaco_sabbioneta(ambito):
    return _persona("marco@example.org", "Marco Pasquali")


def crea_assemblea(ambito, persone, *, popolazione=RESIDENTI, pubblico=False):
    """The Assemblea dei Sindaci of ``ambito`` with Casalmaggiore, Viadana and Sabbioneta;
    ``persone`` = {comune: (delegate, substitute or None)}."""
    if not ambito.appartenenze.filter(comune__nome="Sabbioneta").exists():
        sabbioneta = ComuneFactory(codice_catastale="H643", nome="Sabbioneta")
        AppartenenzaFactory(ambito=ambito, comune=sabbioneta)
        ente = Ente.objects.create(
            tipo=Ente.Tipo.COMUNE, denominazione="Comune di Sabbioneta", comune=sabbioneta
        )
        ente.ambiti.add(ambito)
    for nome, residenti in popolazione.items():
        PopolazioneFactory(
            comune=ambito.appartenenze.get(comune__nome=nome).comune,
            data_riferimento=datetime.date(2025, 1, 1),
            residenti=residenti,
        )
    tavolo = TavoloFactory(
        ambito=ambito,
        tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI,
        nome="Assemblea dei Sindaci dell'Ambito Oglio Po",
        pubblico=pubblico,
        regola_voto=RegolaVotoFactory(
            nome="Voto ponderato per popolazione",
            peso=RegolaVoto.Peso.POPOLAZIONE,
            maggioranza=RegolaVoto.Maggioranza.PRESENTI,
            soglia=50,
            quorum_prima=50,
            quorum_seconda=0,
        ),
    )
    for comune, (delegato, supplente) in persone.items():
        MembroFactory(
            tavolo=tavolo,
            ente=Ente.objects.get(denominazione=f"Comune di {comune}"),
            delegato_nome=delegato.full_name,
            delegato_email=delegato.email,
            supplente_nome=supplente.full_name if supplente else "",
            supplente_email=supplente.email if supplente else "",
        )
    return tavolo


@pytest.fixture
def assemblea(ambito, sindaco, marta, sindaca_viadana, sindaco_sabbioneta):
    return crea_assemblea(
        ambito,
        {
            "Casalmaggiore": (sindaco, marta),
            "Viadana": (sindaca_viadana, None),
            "Sabbioneta": (sindaco_sabbioneta, None),
        },
    )


@pytest.fixture
def tavolo_altro(altro_ambito):
    """A non-public body of another ambito: the personas of Oglio Po do not sit there."""
    return TavoloFactory(ambito=altro_ambito, nome="Tavolo anziani Destra Secchia", pubblico=False)


def membro(tavolo, comune):
    return Membro.objects.get(tavolo=tavolo, ente__denominazione=f"Comune di {comune}")


def apri(tavolo, staff, **kwargs):
    kwargs.setdefault("oggetto", "Approvazione del Piano di Zona 2025-2027")
    kwargs.setdefault("modalita", Votazione.Modalita.ONLINE)
    return services.apri_votazione(tavolo, by=staff, **kwargs)


def vota(client, user, votazione, comune, scelta):
    client.force_login(user)
    return client.post(
        reverse("tavoli:votazione", args=[votazione.pk]),
        {
            "membro": membro(votazione.tavolo, comune).pk,
            f"m{membro(votazione.tavolo, comune).pk}-scelta": scelta,
        },
        follow=True,
    )


# --- who may do what ------------------------------------------------------------------------

PERSONE = ["anonimo", "alice", "staff", "staff_altro", "sindaco", "admin_regionale"]


def _login(client, request, persona):
    if persona != "anonimo":
        client.force_login(request.getfixturevalue(persona))


@pytest.mark.parametrize(
    ("persona", "atteso"),
    [
        ("anonimo", 404),
        ("alice", 404),
        ("staff", 200),
        ("staff_altro", 404),
        ("sindaco", 200),  # a member of the Assemblea
        ("admin_regionale", 200),
    ],
)
def test_who_sees_the_votes_of_the_assemblea(client, request, assemblea, staff, persona, atteso):
    votazione = apri(assemblea, staff)
    _login(client, request, persona)
    assert client.get(reverse("tavoli:votazioni", args=[assemblea.pk])).status_code == atteso
    assert client.get(reverse("tavoli:votazione", args=[votazione.pk])).status_code == atteso


@pytest.mark.parametrize(
    ("persona", "atteso"),
    [
        ("anonimo", 404),
        ("alice", 404),
        ("staff", 200),
        ("staff_altro", 404),
        ("sindaco", 403),
        ("admin_regionale", 200),
    ],
)
def test_who_opens_and_runs_votes(client, request, assemblea, staff, persona, atteso):
    palese = apri(assemblea, staff, modalita=Votazione.Modalita.PALESE)
    _login(client, request, persona)
    assert client.get(reverse("tavoli:votazione_nuova", args=[assemblea.pk])).status_code == atteso
    assert client.get(reverse("tavoli:votazione_palese", args=[palese.pk])).status_code == atteso
    response = client.post(reverse("tavoli:votazione_chiudi", args=[palese.pk]))
    assert response.status_code == (302 if atteso == 200 else atteso)


@pytest.mark.parametrize("persona", ["anonimo", "alice", "staff", "sindaco", "admin_regionale"])
def test_a_body_of_another_ambito_is_hidden_from_the_mayor(
    client, request, tavolo_altro, staff_altro, persona
):
    """Only the staff of the other ambito (and the Region) see its votes."""
    tavolo_altro.regola_voto = RegolaVotoFactory()
    tavolo_altro.save()
    votazione = apri(tavolo_altro, staff_altro)
    _login(client, request, persona)
    atteso = 200 if persona == "admin_regionale" else 404
    assert client.get(reverse("tavoli:votazione", args=[votazione.pk])).status_code == atteso
    assert client.get(reverse("tavoli:votazioni", args=[tavolo_altro.pk])).status_code == atteso


def test_public_body_shows_its_votes_only_inside(client, alice, ambito, staff):
    tavolo = TavoloFactory(ambito=ambito, pubblico=True, regola_voto=RegolaVotoFactory())
    client.force_login(alice)
    assert client.get(reverse("tavoli:votazioni", args=[tavolo.pk])).status_code == 404
    assert client.get(reverse("tavoli:votazione_nuova", args=[tavolo.pk])).status_code == 403


# --- online, weighted by population -----------------------------------------------------------


def test_online_weighted_vote_with_the_mayors_delegate(
    client, assemblea, staff, sindaco, marta, sindaca_viadana, sindaco_sabbioneta
):
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:votazione_nuova", args=[assemblea.pk]),
        {
            "oggetto": "Approvazione del Piano di Zona 2025-2027",
            "testo": "L'Assemblea approva il documento di piano.",
            "modalita": "online",
        },
    )
    votazione = Votazione.objects.get()
    assert response.url == reverse("tavoli:votazione", args=[votazione.pk])
    assert votazione.regola["peso"] == "popolazione"

    # Marta, the mayor's substitute, votes for Casalmaggiore: the mayor need not.
    page = vota(client, marta, votazione, "Casalmaggiore", "favorevole").content.decode()
    assert "Comune di Casalmaggiore" in page
    assert 'data-mio-voto="favorevole"' in page
    vota(client, sindaca_viadana, votazione, "Viadana", "contrario")
    vota(client, sindaco_sabbioneta, votazione, "Sabbioneta", "favorevole")
    # The mayor sees the vote cast for his comune by his substitute, and by whom.
    client.force_login(sindaco)
    page = client.get(reverse("tavoli:votazione", args=[votazione.pk])).content.decode()
    assert 'data-mio-voto="favorevole"' in page
    assert "Marta Ghisolfi" in page

    client.force_login(staff)
    page = client.get(reverse("tavoli:votazione", args=[votazione.pk])).content.decode()
    assert "Voti espressi finora: 3 su 3 componenti." in page
    client.post(reverse("tavoli:votazione_chiudi", args=[votazione.pk]))

    votazione.refresh_from_db()
    # Hand count: in favour 15,473 + 4,163 = 19,636; present 39,779; more than half of
    # the present is more than 19,889.5: two comuni of three, but rejected.
    assert votazione.esito == Votazione.Esito.RESPINTA
    page = client.get(reverse("tavoli:votazione", args=[votazione.pk])).content.decode()
    assert 'data-esito="respinta"' in page
    assert '<td class="text-end" data-conta="favorevoli-teste"><strong>2</strong></td>' in page
    assert "19.636" in page
    assert "20.143" in page
    assert "39.779" in page
    appello = page.split("pdz-appello")[1]
    assert "Comune di Casalmaggiore" in appello and "Marta Ghisolfi" in appello
    assert "Nicoletta Cavatorta" in appello


def test_a_member_changes_the_vote_while_it_is_open(client, assemblea, staff, sindaco):
    votazione = apri(assemblea, staff)
    vota(client, sindaco, votazione, "Casalmaggiore", "favorevole")
    page = vota(client, sindaco, votazione, "Casalmaggiore", "contrario").content.decode()

    assert 'data-mio-voto="contrario"' in page
    assert Voto.objects.get().scelta == "contrario"
    # Others do not see how anyone voted before the count.
    client.force_login(staff)
    page = client.get(reverse("tavoli:votazione", args=[votazione.pk])).content.decode()
    assert "pdz-appello" not in page
    assert "Close and count" in page or "Chiudi" in page


def test_choosing_nothing_is_an_error_next_to_the_field(client, assemblea, staff, sindaco):
    votazione = apri(assemblea, staff)
    client.force_login(sindaco)
    casalmaggiore = membro(assemblea, "Casalmaggiore")
    response = client.post(
        reverse("tavoli:votazione", args=[votazione.pk]), {"membro": casalmaggiore.pk}
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Voto.objects.exists()


def test_who_does_not_represent_the_member_cannot_vote_for_it(
    client, assemblea, staff, sindaco, sindaca_viadana
):
    votazione = apri(assemblea, staff)
    viadana = membro(assemblea, "Viadana")

    client.force_login(sindaco)  # Casalmaggiore's mayor, for Viadana
    response = client.post(
        reverse("tavoli:votazione", args=[votazione.pk]),
        {"membro": viadana.pk, f"m{viadana.pk}-scelta": "favorevole"},
    )
    assert response.status_code == 403

    client.force_login(staff)  # sees the vote, sits at no table
    response = client.post(
        reverse("tavoli:votazione", args=[votazione.pk]),
        {"membro": viadana.pk, f"m{viadana.pk}-scelta": "favorevole"},
    )
    assert response.status_code == 403
    assert "Your vote" not in response.content.decode()
    assert not Voto.objects.exists()


def test_no_vote_after_the_close(client, assemblea, staff, sindaco):
    votazione = apri(assemblea, staff)
    services.chiudi_votazione(votazione, by=staff)

    page = vota(client, sindaco, votazione, "Casalmaggiore", "favorevole").content.decode()
    assert not Voto.objects.exists()
    assert "alert-danger" in page
    assert 'data-esito="nulla"' in page  # nobody voted: quorum not reached


def test_missing_population_is_a_clear_error(
    client, ambito, staff, sindaco, marta, sindaca_viadana
):
    tavolo = crea_assemblea(
        ambito,
        {"Casalmaggiore": (sindaco, marta), "Viadana": (sindaca_viadana, None)},
        popolazione={"Casalmaggiore": 15473},
    )
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:votazione_nuova", args=[tavolo.pk]),
        {"oggetto": "Riparto del fondo povertà", "modalita": "online"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Comune di Viadana" in page
    assert "Riparto del fondo povertà" in page  # what was typed is kept
    assert not Votazione.objects.exists()


def test_no_voting_rule_is_a_clear_error(client, ambito, staff):
    tavolo = TavoloFactory(ambito=ambito, regola_voto=None)
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:votazione_nuova", args=[tavolo.pk]),
        {"oggetto": "Calendario degli incontri", "modalita": "online"},
    )
    assert response.status_code == 200
    assert "alert" in response.content.decode()
    assert not Votazione.objects.exists()


def test_closing_time_must_be_in_the_future(client, assemblea, staff):
    client.force_login(staff)
    ieri = timezone.localtime() - timedelta(days=1)
    response = client.post(
        reverse("tavoli:votazione_nuova", args=[assemblea.pk]),
        {"oggetto": "Riparto", "modalita": "online", "chiude_at": ieri.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Votazione.objects.exists()


def test_new_vote_preselects_the_agenda_item(client, assemblea, staff):
    punto = PuntoOdgFactory(
        incontro=IncontroFactory(tavolo=assemblea, created_by=staff),
        titolo="Riparto del Fondo nazionale politiche sociali",
    )
    client.force_login(staff)
    page = client.get(
        reverse("tavoli:votazione_nuova", args=[assemblea.pk]) + f"?punto={punto.pk}"
    ).content.decode()
    assert f'<option value="{punto.pk}" selected>' in page
    assert 'value="Riparto del Fondo nazionale politiche sociali"' in page

    client.post(
        reverse("tavoli:votazione_nuova", args=[assemblea.pk]),
        {"punto": punto.pk, "oggetto": punto.titolo, "modalita": "palese"},
    )
    assert Votazione.objects.get().punto == punto


# --- show of hands ---------------------------------------------------------------------------


def test_show_of_hands_is_recorded_and_counted(client, assemblea, staff):
    incontro = IncontroFactory(
        tavolo=assemblea, created_by=staff, inizio=timezone.now() - timedelta(hours=1)
    )
    punto = PuntoOdgFactory(incontro=incontro, titolo="Approvazione del Piano di Zona")
    services.registra_presenze(
        incontro,
        {
            membro(assemblea, "Casalmaggiore").pk: (Presenza.Stato.PRESENTE, ""),
            membro(assemblea, "Viadana").pk: (Presenza.Stato.DELEGATO, "Giulia Rossi"),
            membro(assemblea, "Sabbioneta").pk: (Presenza.Stato.ASSENTE, ""),
        },
        by=staff,
    )
    votazione = apri(assemblea, staff, punto=punto, modalita=Votazione.Modalita.PALESE)
    url = reverse("tavoli:votazione_palese", args=[votazione.pk])
    client.force_login(staff)

    page = client.get(url).content.decode()
    sabbioneta = membro(assemblea, "Sabbioneta")
    select = page.split(f'name="membro_{sabbioneta.pk}"')[1].split("</select>")[0]
    assert '<option value="assente" selected>' in select  # absent from the meeting

    casal, viadana = membro(assemblea, "Casalmaggiore"), membro(assemblea, "Viadana")
    # A row left blank is an error next to it; nothing is recorded.
    response = client.post(
        url, {f"membro_{casal.pk}": "favorevole", f"membro_{sabbioneta.pk}": "assente"}
    )
    assert response.status_code == 200
    assert f'id="id_membro_{viadana.pk}_error"' in response.content.decode()
    assert not Voto.objects.exists()

    response = client.post(
        url,
        {
            f"membro_{casal.pk}": "favorevole",
            f"membro_{viadana.pk}": "favorevole",
            f"membro_{sabbioneta.pk}": "assente",
        },
        follow=True,
    )
    votazione.refresh_from_db()
    # 35,616 in favour of 35,616 present; quorum: 35,616 of 39,779 is more than half.
    assert votazione.esito == Votazione.Esito.APPROVATA
    assert votazione.risultato["presenti"] == {"teste": 2, "peso": 35616}
    page = response.content.decode()
    assert 'data-esito="approvata"' in page
    assert "35.616" in page
    appello = page.split("pdz-appello")[1]
    assert "Comune di Sabbioneta" in appello and "Chiara Bertoldi" in appello
    # Once counted, it cannot be recorded again.
    response = client.get(url)
    assert response.status_code == 302


def test_online_vote_has_no_show_of_hands_form(client, assemblea, staff):
    votazione = apri(assemblea, staff)
    client.force_login(staff)
    response = client.get(reverse("tavoli:votazione_palese", args=[votazione.pk]))
    assert response.status_code == 302


# --- the list ------------------------------------------------------------------------------


def test_list_filters_open_and_closed_votes(client, assemblea, staff, sindaco):
    aperta = apri(assemblea, staff, oggetto="Riparto del fondo povertà")
    chiusa = apri(assemblea, staff, oggetto="Regolamento ISEE")
    services.chiudi_votazione(chiusa, by=staff)
    client.force_login(sindaco)
    url = reverse("tavoli:votazioni", args=[assemblea.pk])

    page = client.get(url).content.decode()
    assert aperta.oggetto in page and chiusa.oggetto in page
    page = client.get(url + "?stato=aperta").content.decode()
    assert aperta.oggetto in page and chiusa.oggetto not in page
    page = client.get(url + "?stato=chiusa").content.decode()
    assert aperta.oggetto not in page and chiusa.oggetto in page
    assert "Open a vote" not in page and "Apri una votazione" not in page  # not for a mayor

    csv = client.get(url + "?format=csv").content.decode("utf-8-sig")
    assert "Regolamento ISEE" in csv and "Riparto del fondo povertà" in csv


def test_list_is_paginated(client, assemblea, staff):
    Votazione.objects.bulk_create(
        Votazione(
            tavolo=assemblea,
            oggetto=f"Mozione {n:02d}",
            modalita="online",
            regola={},
            aperta_da=staff,
        )
        for n in range(30)
    )
    client.force_login(staff)
    url = reverse("tavoli:votazioni", args=[assemblea.pk])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert first.count('href="/tavoli/votazioni/') == 25
    assert second.count('href="/tavoli/votazioni/') == 5


def test_a_mayor_not_sitting_at_the_body_sees_the_vote_but_cannot_vote(
    client, ambito, staff, sindaco, sindaca_viadana
):
    """A role in the ambito opens the internal pages; only a seat gives a vote."""
    tavolo = TavoloFactory(
        ambito=ambito, nome="Comitato ristretto", regola_voto=RegolaVotoFactory()
    )
    viadana = MembroFactory(
        tavolo=tavolo,
        ente=Ente.objects.get(denominazione="Comune di Viadana"),
        delegato_nome=sindaca_viadana.full_name,
        delegato_email=sindaca_viadana.email,
    )
    votazione = apri(tavolo, staff)
    client.force_login(sindaco)

    page = client.get(reverse("tavoli:votazione", args=[votazione.pk])).content.decode()
    assert "Comitato ristretto" in page
    assert 'name="membro"' not in page
    response = client.post(
        reverse("tavoli:votazione", args=[votazione.pk]),
        {"membro": viadana.pk, f"m{viadana.pk}-scelta": "favorevole"},
    )
    assert response.status_code == 403
    assert not Voto.objects.exists()

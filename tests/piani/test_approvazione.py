"""Approval of the plan by the Assemblea dei Sindaci: a frozen version put to a vote of the
tables app, the outcome recorded by the staff or by the beat task, the approved version
immutable.

The Assemblea weighs each mayor by the residents of the comune (the rule is created here:
the data migration's presets are flushed in transactional tests). Viadana 20,000 and
Casalmaggiore 15,000 against Sabbioneta 4,000, Gussola 2,500 and Rivarolo del Re 2,000:
43,500 residents in all.
"""

# The fixtures imported from test_consultazione are parameters of the tests below.
# ruff: noqa: F811

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambiti.models import Ente
from pdz.exceptions import OperazioneNonValida
from pdz.models import AuditLog
from piani import tasks
from piani.models import Piano, Sezione, VersionePiano
from piani.services.approvazione import metti_ai_voti, registra_esito
from tavoli.models import RegolaVoto, Tavolo, Votazione
from tavoli.services import chiudi_votazione, registra_voto_palese, vota
from tests.ambiti.factories import AppartenenzaFactory, ComuneFactory, PopolazioneFactory
from tests.pdz.factories import UserFactory
from tests.piani.test_consultazione import (  # noqa: F401 (fixtures)
    GESTORI,
    LETTORI,
    aurora,
    caritas,
    consulta,
    login,
    membro,
    outsider,
    piano,
    referente_ammesso,
    tavolo_anziani,
)
from tests.tavoli.factories import MembroFactory, RegolaVotoFactory, TavoloFactory

FAV, CONTR = "favorevole", "contrario"
RESIDENTI = {
    "Viadana": 20000,
    "Casalmaggiore": 15000,
    "Sabbioneta": 4000,
    "Gussola": 2500,
    "Rivarolo del Re": 2000,
}


@pytest.fixture
def sindaci(ambito, sindaco):
    """{comune: the user who represents it at the Assemblea}; Filippo for Casalmaggiore."""
    for codice, nome in [("H643", "Sabbioneta"), ("E262", "Gussola"), ("H357", "Rivarolo del Re")]:
        comune = ComuneFactory(codice_catastale=codice, nome=nome)
        AppartenenzaFactory(ambito=ambito, comune=comune)
        Ente.objects.create(tipo=Ente.Tipo.COMUNE, denominazione=f"Comune di {nome}", comune=comune)
    utenti = {"Casalmaggiore": sindaco}
    for nome, residenti in RESIDENTI.items():
        comune = ambito.appartenenze.get(comune__nome=nome).comune
        PopolazioneFactory(
            comune=comune, data_riferimento=datetime.date(2025, 1, 1), residenti=residenti
        )
        if nome != "Casalmaggiore":
            slug = nome.lower().replace(" ", "")
            utenti[nome] = UserFactory(
                email=f"sindaco@{slug}.example.org", full_name=f"Sindaco {nome}"
            )
    return utenti


@pytest.fixture
def assemblea(ambito, sindaci):
    """The Assemblea dei Sindaci, population-weighted; the ATS sits without a vote."""
    regola = RegolaVotoFactory(
        nome="Maggioranza ponderata sulla popolazione",
        peso=RegolaVoto.Peso.POPOLAZIONE,
        maggioranza=RegolaVoto.Maggioranza.PRESENTI,
    )
    tavolo = TavoloFactory(
        ambito=ambito,
        tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI,
        nome="Assemblea dei Sindaci",
        regola_voto=regola,
    )
    for nome, user in sindaci.items():
        MembroFactory(
            tavolo=tavolo,
            ente=Ente.objects.get(denominazione=f"Comune di {nome}"),
            delegato_nome=user.full_name,
            delegato_email=user.email,
        )
    MembroFactory(tavolo=tavolo, ente__denominazione="ATS Val Padana", diritto_voto=False)
    return tavolo


def metti(piano, assemblea, staff, modalita="online", ore=48):
    return metti_ai_voti(
        piano,
        tavolo=assemblea,
        modalita=modalita,
        chiude_at=timezone.now() + timedelta(hours=ore) if modalita == "online" else None,
        by=staff,
    )


def votano(votazione, sindaci, scelte):
    """{comune: scelta} cast online by each comune's mayor."""
    for nome, scelta in scelte.items():
        membro_ = votazione.tavolo.membri.get(ente__denominazione=f"Comune di {nome}")
        vota(votazione, membro_, scelta=scelta, by=sindaci[nome])


GRANDI_SI = {
    "Viadana": FAV,
    "Casalmaggiore": FAV,
    "Sabbioneta": CONTR,
    "Gussola": CONTR,
    "Rivarolo del Re": CONTR,
}


# --- putting the plan to the vote -------------------------------------------------------------


def test_the_plan_is_frozen_and_put_to_the_assemblea(piano, assemblea, staff):
    votazione = metti(piano, assemblea, staff)

    piano.refresh_from_db()
    versione = piano.versioni.get()
    assert versione.motivo == VersionePiano.Motivo.APPROVAZIONE
    assert piano.stato == Piano.Stato.VOTAZIONE
    assert piano.votazione == votazione
    assert votazione.tavolo == assemblea
    assert votazione.oggetto == "Approval of the Piano di Zona 2025-2027 (version 1)"
    assert reverse("piani:versione", args=[versione.pk]) in votazione.testo
    assert votazione.regola["peso"] == "popolazione"
    assert AuditLog.objects.filter(action="piano.votazione").count() == 1


def test_a_second_vote_is_refused_while_one_is_open(piano, assemblea, staff):
    metti(piano, assemblea, staff)
    with pytest.raises(OperazioneNonValida, match="already open"):
        metti(piano, assemblea, staff)
    assert Votazione.objects.count() == 1
    assert VersionePiano.objects.count() == 1


def test_an_empty_plan_is_not_put_to_the_vote(ambito, assemblea, staff):
    from tests.piani.factories import piano_con_sezioni

    vuoto = piano_con_sezioni(ambito, by=staff)
    with pytest.raises(OperazioneNonValida, match="empty"):
        metti(vuoto, assemblea, staff)
    assert not Votazione.objects.exists() and not VersionePiano.objects.exists()


def test_only_an_active_assemblea_of_the_ambito_with_a_rule_votes(
    piano, assemblea, staff, altro_ambito
):
    area = TavoloFactory(ambito=piano.ambito, regola_voto=RegolaVotoFactory())
    altrove = TavoloFactory(
        ambito=altro_ambito, tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI, regola_voto=RegolaVotoFactory()
    )
    senza_regola = TavoloFactory(ambito=piano.ambito, tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI)
    for tavolo in (area, altrove, senza_regola):
        with pytest.raises(OperazioneNonValida, match="Assemblea dei Sindaci"):
            metti(piano, tavolo, staff)
    assert not Votazione.objects.exists()
    assert not VersionePiano.objects.exists()  # the freeze is undone with the refusal


def test_the_vote_waits_for_the_consultation_to_close(piano, assemblea, staff):
    consulta(piano, staff)
    with pytest.raises(OperazioneNonValida, match="consultation is open"):
        metti(piano, assemblea, staff)


def test_an_online_vote_needs_a_closing_time(client, piano, assemblea, staff):
    client.force_login(staff)
    response = client.post(
        reverse("piani:approvazione", args=[piano.pk]),
        {"tavolo": assemblea.pk, "modalita": "online", "chiude_at": ""},
    )
    assert response.status_code == 200
    assert "An online vote needs a closing time." in response.content.decode()
    assert not Votazione.objects.exists()


# --- the whole approval in the browser's requests ---------------------------------------------


def test_population_weighted_approval_end_to_end(client, piano, assemblea, staff, sindaci):
    client.force_login(staff)
    page = client.get(reverse("piani:approvazione", args=[piano.pk])).content.decode()
    assert "Put the plan to the vote" in page
    assert "Maggioranza ponderata sulla popolazione" in page
    chiude = timezone.localtime() + timedelta(days=7)
    response = client.post(
        reverse("piani:approvazione", args=[piano.pk]),
        {
            "tavolo": assemblea.pk,
            "modalita": "online",
            "chiude_at": chiude.strftime("%d/%m/%Y %H:%M"),
        },
    )
    assert response.status_code == 302
    votazione = Votazione.objects.get()
    page = client.get(reverse("piani:approvazione", args=[piano.pk])).content.decode()
    assert reverse("tavoli:votazione", args=[votazione.pk]) in page
    assert 'data-stato-piano="votazione"' in page

    # The mayors vote on the tables' page: two large comuni for, three small ones against.
    for nome, scelta in GRANDI_SI.items():
        client.force_login(sindaci[nome])
        membro_ = assemblea.membri.get(ente__denominazione=f"Comune di {nome}")
        r = client.post(
            reverse("tavoli:votazione", args=[votazione.pk]),
            {"membro": membro_.pk, f"m{membro_.pk}-scelta": scelta},
        )
        assert r.status_code == 302

    client.force_login(staff)
    response = client.post(reverse("piani:approvazione_esito", args=[piano.pk]), follow=True)

    votazione.refresh_from_db()
    piano.refresh_from_db()
    # Heads: 2 for, 3 against. Residents: 35,000 for, 8,500 against, 43,500 present.
    assert votazione.risultato["favorevoli"] == {"teste": 2, "peso": 35000}
    assert votazione.risultato["contrari"] == {"teste": 3, "peso": 8500}
    assert votazione.esito == Votazione.Esito.APPROVATA
    assert piano.stato == Piano.Stato.APPROVATO
    assert piano.versione_approvata.numero == 1
    assert piano.approvato_il == timezone.localdate(votazione.chiusa_at)
    html = response.content.decode()
    assert "The plan is approved" in html
    assert 'data-versione-approvata="1"' in html
    assert 'data-conta="favorevoli-peso"' in html


def test_by_heads_the_small_comuni_would_have_won(piano, assemblea, staff, sindaci):
    assemblea.regola_voto.peso = RegolaVoto.Peso.TESTA
    assemblea.regola_voto.save()
    votazione = metti(piano, assemblea, staff)
    votano(votazione, sindaci, GRANDI_SI)

    assert registra_esito(piano, by=staff) == Votazione.Esito.RESPINTA
    piano.refresh_from_db()
    assert piano.stato == Piano.Stato.RESPINTO
    assert piano.versione_approvata is None
    assert piano.approvato_il is None


def test_a_rejected_plan_goes_to_a_new_vote_on_a_new_version(piano, assemblea, staff, sindaci):
    prima = metti(piano, assemblea, staff)
    votano(prima, sindaci, {"Viadana": CONTR, "Casalmaggiore": CONTR, "Sabbioneta": FAV})
    registra_esito(piano, by=staff)
    piano.refresh_from_db()
    assert piano.stato == Piano.Stato.RESPINTO

    Sezione.objects.filter(piano=piano, lettera="b").update(testo="Obiettivi rivisti.")
    seconda = metti(piano, assemblea, staff)
    votano(seconda, sindaci, GRANDI_SI)
    registra_esito(piano, by=staff)

    piano.refresh_from_db()
    assert piano.stato == Piano.Stato.APPROVATO
    assert piano.versione_approvata.numero == 2
    assert piano.versione_approvata.contenuto["sezioni"][1]["testo"] == "Obiettivi rivisti."
    assert seconda.oggetto.endswith("(version 2)")


def test_the_approved_version_never_changes(client, piano, assemblea, staff, sindaci):
    votazione = metti(piano, assemblea, staff)
    votano(votazione, sindaci, GRANDI_SI)
    registra_esito(piano, by=staff)
    piano.refresh_from_db()
    approvata = piano.versione_approvata
    contenuto = approvata.contenuto

    # The staff keep editing the draft after the approval.
    Sezione.objects.filter(piano=piano, lettera="a").update(testo="Testo riscritto dopo.")
    approvata.refresh_from_db()
    assert approvata.contenuto == contenuto
    assert approvata.contenuto["sezioni"][0]["testo"].startswith("Il sistema locale")

    # A new vote on the changed draft: until it is approved, version 1 stays approved.
    nuova = metti(piano, assemblea, staff)
    piano.refresh_from_db()
    assert piano.versione_approvata == approvata
    client.force_login(staff)
    page = client.get(reverse("piani:approvazione", args=[piano.pk])).content.decode()
    assert 'data-versione-approvata="1"' in page
    assert "Earlier votes" in page

    votano(nuova, sindaci, GRANDI_SI)
    registra_esito(piano, by=staff)
    piano.refresh_from_db()
    assert piano.versione_approvata.numero == 2
    assert piano.versione_approvata.contenuto["sezioni"][0]["testo"] == "Testo riscritto dopo."
    approvata.refresh_from_db()
    assert approvata.contenuto == contenuto


def test_a_rejected_revision_leaves_the_approved_version_in_force(
    client, piano, assemblea, staff, sindaci
):
    votano(metti(piano, assemblea, staff), sindaci, GRANDI_SI)
    registra_esito(piano, by=staff)
    Sezione.objects.filter(piano=piano, lettera="a").update(testo="Una revisione.")
    revisione = metti(piano, assemblea, staff)
    votano(revisione, sindaci, {"Viadana": CONTR, "Casalmaggiore": CONTR})

    client.force_login(staff)
    response = client.post(reverse("piani:approvazione_esito", args=[piano.pk]), follow=True)

    piano.refresh_from_db()
    assert piano.stato == Piano.Stato.APPROVATO
    assert piano.versione_approvata.numero == 1
    assert AuditLog.objects.filter(action="piano.respinto").count() == 1
    html = response.content.decode()
    assert "The version approved earlier stays in force." in html
    assert 'data-versione-approvata="1"' in html


def test_a_show_of_hands_is_recorded_on_the_votes_page_first(
    client, piano, assemblea, staff, sindaci
):
    votazione = metti(piano, assemblea, staff, modalita="palese")
    assert votazione.chiude_at is None
    client.force_login(staff)
    response = client.post(reverse("piani:approvazione_esito", args=[piano.pk]), follow=True)
    assert "Record the show of hands" in response.content.decode()
    piano.refresh_from_db()
    assert piano.stato == Piano.Stato.VOTAZIONE

    scelte = {
        assemblea.membri.get(ente__denominazione=f"Comune di {nome}").pk: scelta
        for nome, scelta in GRANDI_SI.items()
    }
    registra_voto_palese(votazione, scelte, by=staff)
    client.post(reverse("piani:approvazione_esito", args=[piano.pk]))
    piano.refresh_from_db()
    assert piano.stato == Piano.Stato.APPROVATO


# --- the outcome recorded by the task ---------------------------------------------------------


def test_the_task_records_the_outcome_of_a_vote_closed_by_the_tables(
    piano, assemblea, staff, sindaci
):
    from tavoli.tasks import chiudi_votazioni_scadute

    votazione = metti(piano, assemblea, staff)
    votano(votazione, sindaci, GRANDI_SI)
    tasks.registra_esiti()  # still open: nothing to record
    piano.refresh_from_db()
    assert piano.stato == Piano.Stato.VOTAZIONE

    Votazione.objects.filter(pk=votazione.pk).update(
        chiude_at=timezone.now() - timedelta(minutes=1)
    )
    chiudi_votazioni_scadute()
    tasks.registra_esiti()
    tasks.registra_esiti()

    piano.refresh_from_db()
    assert piano.stato == Piano.Stato.APPROVATO
    assert piano.versione_approvata.numero == 1
    assert AuditLog.objects.filter(action="piano.approvato").count() == 1
    assert registra_esito(piano) == ""  # already recorded


def test_recording_twice_records_once(client, piano, assemblea, staff, sindaci):
    votazione = metti(piano, assemblea, staff)
    votano(votazione, sindaci, GRANDI_SI)
    chiudi_votazione(votazione, by=staff)
    tasks.registra_esiti()
    client.force_login(staff)
    response = client.post(reverse("piani:approvazione_esito", args=[piano.pk]), follow=True)
    assert "There is no outcome to record" in response.content.decode()
    assert AuditLog.objects.filter(action="piano.approvato").count() == 1


def test_a_vote_without_quorum_leaves_the_plan_rejected(piano, assemblea, staff, sindaci):
    votazione = metti(piano, assemblea, staff)
    votano(votazione, sindaci, {"Rivarolo del Re": FAV})  # 2,000 of 43,500 residents present
    assert registra_esito(piano, by=staff) == Votazione.Esito.NULLA
    piano.refresh_from_db()
    assert piano.stato == Piano.Stato.RESPINTO


def test_the_staff_are_told_when_an_outcome_is_waiting(client, piano, assemblea, staff, sindaci):
    votazione = metti(piano, assemblea, staff)
    votano(votazione, sindaci, GRANDI_SI)
    chiudi_votazione(votazione, by=staff)
    client.force_login(staff)
    page = client.get(reverse("piani:approvazione", args=[piano.pk])).content.decode()
    assert "Outcome to record" in page
    assert reverse("piani:approvazione_esito", args=[piano.pk]) in page


# --- who sees and does what -------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "atteso"), LETTORI)
def test_who_sees_the_approval_page(
    client, request, piano, assemblea, staff, membro, referente_ammesso, persona, atteso
):
    metti(piano, assemblea, staff)
    login(client, request, persona)
    response = client.get(reverse("piani:approvazione", args=[piano.pk]))
    assert response.status_code == atteso
    if atteso == 200:
        puo = persona in ("staff", "admin_regionale")
        assert ("Close the vote now" in response.content.decode()) == puo


@pytest.mark.parametrize(("persona", "atteso"), GESTORI)
def test_who_puts_the_plan_to_the_vote_and_records_the_outcome(
    client, request, piano, assemblea, staff, membro, referente_ammesso, sindaci, persona, atteso
):
    login(client, request, persona)
    chiude = (timezone.localtime() + timedelta(days=3)).strftime("%d/%m/%Y %H:%M")
    response = client.post(
        reverse("piani:approvazione", args=[piano.pk]),
        {"tavolo": assemblea.pk, "modalita": "online", "chiude_at": chiude},
    )
    assert response.status_code == (302 if atteso == 200 else atteso)
    assert Votazione.objects.exists() == (atteso == 200)
    if atteso != 200:
        metti(piano, assemblea, staff)
    votano(Votazione.objects.get(), sindaci, GRANDI_SI)
    response = client.post(reverse("piani:approvazione_esito", args=[piano.pk]))
    assert response.status_code == (302 if atteso == 200 else atteso)
    piano.refresh_from_db()
    assert (piano.stato == Piano.Stato.APPROVATO) == (atteso == 200)

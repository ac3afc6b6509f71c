"""Votes of the Assemblea dei Sindaci: opened under the body's rule, cast online by the
mayor or their delegate, or recorded as a show of hands; closing stores the whole count.

Population: Casalmaggiore 15,000 (an older figure of 14,000 is ignored), Viadana 20,000,
Sabbioneta 4,000 — 39,000 in all.
"""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from ambiti.models import Ente
from pdz.exceptions import OperazioneNonValida
from pdz.models import AuditLog
from tavoli import services
from tavoli.models import Membro, Presenza, RegolaVoto, Tavolo, Votazione, Voto
from tests.ambiti.factories import AppartenenzaFactory, ComuneFactory, PopolazioneFactory
from tests.pdz.factories import UserFactory
from tests.tavoli.factories import (
    IncontroFactory,
    MembroFactory,
    PuntoOdgFactory,
    RegolaVotoFactory,
    TavoloFactory,
)

FAV, CONTR, ASTEN = (
    Voto.Scelta.FAVOREVOLE,
    Voto.Scelta.CONTRARIO,
    Voto.Scelta.ASTENUTO,
)
ONLINE, PALESE = Votazione.Modalita.ONLINE, Votazione.Modalita.PALESE


@pytest.fixture
def assessore(db):
    return UserFactory(email="assessore@example.org", full_name="Sara Ferrari")


@pytest.fixture
def sindaca_viadana(db):
    return UserFactory(email="sindaca.viadana@example.org", full_name="Nicoletta Cavatorta")


@pytest.fixture
def sindaco_sabbioneta(db):
    return UserFactory(email="sindaco.sabbioneta@example.org", full_name="Marco Pasquali")


@pytest.fixture
def assemblea(ambito, sindaco, assessore, sindaca_viadana, sindaco_sabbioneta):
    sabbioneta = ComuneFactory(codice_catastale="H643", nome="Sabbioneta")
    AppartenenzaFactory(ambito=ambito, comune=sabbioneta)
    Ente.objects.create(
        tipo=Ente.Tipo.COMUNE, denominazione="Comune di Sabbioneta", comune=sabbioneta
    )
    for nome, residenti in [("Casalmaggiore", 15000), ("Viadana", 20000), ("Sabbioneta", 4000)]:
        comune = ambito.appartenenze.get(comune__nome=nome).comune
        PopolazioneFactory(
            comune=comune, data_riferimento=datetime.date(2025, 1, 1), residenti=residenti
        )
    PopolazioneFactory(
        comune=ambito.appartenenze.get(comune__nome="Casalmaggiore").comune,
        data_riferimento=datetime.date(2020, 1, 1),
        residenti=14000,
    )
    tavolo = TavoloFactory(
        ambito=ambito,
        tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI,
        nome="Assemblea dei Sindaci",
        regola_voto=RegolaVotoFactory(nome="Doppia maggioranza", peso=RegolaVoto.Peso.DOPPIA),
    )
    for ente_nome, sindaco_, supplente in [
        ("Comune di Casalmaggiore", sindaco, assessore),
        ("Comune di Viadana", sindaca_viadana, None),
        ("Comune di Sabbioneta", sindaco_sabbioneta, None),
    ]:
        MembroFactory(
            tavolo=tavolo,
            ente=Ente.objects.get(denominazione=ente_nome),
            delegato_nome=sindaco_.full_name,
            delegato_email=sindaco_.email,
            supplente_nome=supplente.full_name if supplente else "",
            supplente_email=supplente.email if supplente else "",
        )
    # The health authority sits as an observer, without a vote.
    MembroFactory(
        tavolo=tavolo,
        ente__denominazione="ATS Val Padana",
        ruolo=Membro.Ruolo.UDITORE,
        diritto_voto=False,
        delegato_email="ats@example.org",
    )
    return tavolo


def membro(tavolo, comune):
    return tavolo.membri.get(ente__denominazione=f"Comune di {comune}")


def apri(tavolo, staff, modalita=ONLINE, **kwargs):
    return services.apri_votazione(
        tavolo,
        oggetto="Approvazione del Piano di Zona 2025-2027",
        modalita=modalita,
        by=staff,
        **kwargs,
    )


# --- opening --------------------------------------------------------------------------------


def test_a_vote_needs_the_bodys_rule(ambito, staff):
    tavolo = TavoloFactory(ambito=ambito)

    with pytest.raises(OperazioneNonValida, match="voting rule"):
        apri(tavolo, staff)

    assert not Votazione.objects.exists()


def test_a_weighted_vote_with_a_comune_without_population_is_refused_at_opening(
    assemblea, ambito, staff
):
    ambito.appartenenze.get(comune__nome="Viadana").comune.popolazioni.all().delete()

    with pytest.raises(OperazioneNonValida, match="Comune di Viadana"):
        apri(assemblea, staff)

    assert not Votazione.objects.exists()
    # One head one vote does not need the figures.
    assemblea.regola_voto = RegolaVotoFactory(peso=RegolaVoto.Peso.TESTA)
    assemblea.save()
    assert apri(assemblea, staff).aperta


def test_opening_copies_the_rule_and_checks_item_and_closing_time(assemblea, ambito, staff):
    altro = IncontroFactory(tavolo=TavoloFactory(ambito=ambito), created_by=staff)
    with pytest.raises(OperazioneNonValida, match="another body"):
        apri(assemblea, staff, punto=PuntoOdgFactory(incontro=altro))
    with pytest.raises(OperazioneNonValida, match="future"):
        apri(assemblea, staff, chiude_at=timezone.now() - timedelta(minutes=1))

    votazione = apri(assemblea, staff, chiude_at=timezone.now() + timedelta(days=2))

    assert votazione.stato == Votazione.Stato.APERTA
    assert votazione.regola["peso"] == "doppia"
    assert votazione.regola["nome"] == "Doppia maggioranza"
    assert AuditLog.objects.filter(action="votazione.aperta").count() == 1


# --- voting online --------------------------------------------------------------------------


def test_the_mayor_or_the_delegate_votes_for_the_comune_and_may_change_the_vote(
    assemblea, staff, sindaco, assessore
):
    votazione = apri(assemblea, staff)
    casalmaggiore = membro(assemblea, "Casalmaggiore")

    services.vota(votazione, casalmaggiore, scelta=FAV, by=sindaco)
    voto = services.vota(votazione, casalmaggiore, scelta=CONTR, by=assessore)

    [solo] = Voto.objects.filter(votazione=votazione)
    assert solo.pk == voto.pk
    assert (solo.scelta, solo.espresso_da) == (CONTR, assessore)


def test_nobody_else_votes_for_a_member(assemblea, staff, sindaco, alice, sindaca_viadana):
    votazione = apri(assemblea, staff)
    uditore = assemblea.membri.get(diritto_voto=False)

    for chi, per in [
        (alice, membro(assemblea, "Casalmaggiore")),
        (sindaca_viadana, membro(assemblea, "Casalmaggiore")),
        (staff, membro(assemblea, "Viadana")),
    ]:
        with pytest.raises(OperazioneNonValida, match="cannot vote for this member"):
            services.vota(votazione, per, scelta=FAV, by=chi)
    uditore.delegato_email = sindaco.email
    uditore.save()
    with pytest.raises(OperazioneNonValida, match="cannot vote"):
        services.vota(votazione, uditore, scelta=FAV, by=sindaco)
    casalmaggiore = membro(assemblea, "Casalmaggiore")
    services.rimuovi_membro(casalmaggiore, by=staff)
    with pytest.raises(OperazioneNonValida, match="cannot vote"):
        services.vota(votazione, Membro.objects.get(pk=casalmaggiore.pk), scelta=FAV, by=sindaco)

    assert not Voto.objects.exists()


def test_a_member_of_another_body_cannot_vote_here(assemblea, ambito, staff, sindaco):
    votazione = apri(assemblea, staff)
    altrove = MembroFactory(tavolo=TavoloFactory(ambito=ambito), delegato_email=sindaco.email)

    with pytest.raises(OperazioneNonValida, match="cannot vote"):
        services.vota(votazione, altrove, scelta=FAV, by=sindaco)


def test_votes_are_taken_only_while_open(assemblea, staff, sindaco):
    votazione = apri(assemblea, staff, chiude_at=timezone.now() + timedelta(hours=1))
    Votazione.objects.filter(pk=votazione.pk).update(
        chiude_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(OperazioneNonValida, match="closed"):
        services.vota(votazione, membro(assemblea, "Casalmaggiore"), scelta=FAV, by=sindaco)

    votazione = apri(assemblea, staff)
    services.chiudi_votazione(votazione, by=staff)
    with pytest.raises(OperazioneNonValida, match="closed"):
        services.vota(votazione, membro(assemblea, "Casalmaggiore"), scelta=FAV, by=sindaco)
    with pytest.raises(OperazioneNonValida, match="already closed"):
        services.chiudi_votazione(votazione, by=staff)


def test_a_show_of_hands_is_not_voted_online(assemblea, staff, sindaco):
    votazione = apri(assemblea, staff, modalita=PALESE)

    with pytest.raises(OperazioneNonValida, match="at the meeting"):
        services.vota(votazione, membro(assemblea, "Casalmaggiore"), scelta=FAV, by=sindaco)


# --- the count ------------------------------------------------------------------------------


def test_closing_keeps_heads_weight_roll_call_and_outcome(
    assemblea, staff, sindaco, sindaca_viadana, sindaco_sabbioneta
):
    """Double majority: 2 mayors of 3 are in favour, but they stand for 19,000 residents
    of 39,000 — not more than half. Rejected."""
    votazione = apri(assemblea, staff)
    services.vota(votazione, membro(assemblea, "Casalmaggiore"), scelta=FAV, by=sindaco)
    services.vota(votazione, membro(assemblea, "Sabbioneta"), scelta=FAV, by=sindaco_sabbioneta)
    services.vota(votazione, membro(assemblea, "Viadana"), scelta=CONTR, by=sindaca_viadana)

    votazione = services.chiudi_votazione(votazione, by=staff)

    votazione.refresh_from_db()
    r = votazione.risultato
    assert votazione.stato == Votazione.Stato.CHIUSA
    assert votazione.chiusa_at is not None
    assert r["componenti"] == {"teste": 3, "peso": 39000}
    assert r["presenti"] == {"teste": 3, "peso": 39000}
    assert r["favorevoli"] == {"teste": 2, "peso": 19000}
    assert r["contrari"] == {"teste": 1, "peso": 20000}
    assert r["astenuti"] == {"teste": 0, "peso": 0}
    assert r["quorum_raggiunto"] is True
    assert votazione.esito == Votazione.Esito.RESPINTA == r["esito"]
    assert {v["nome"]: (v["scelta"], v["peso"]) for v in r["appello"]} == {
        "Comune di Casalmaggiore": ("favorevole", 15000),
        "Comune di Sabbioneta": ("favorevole", 4000),
        "Comune di Viadana": ("contrario", 20000),
    }


def test_a_double_majority_of_heads_and_population_approves(
    assemblea, staff, assessore, sindaca_viadana, sindaco_sabbioneta
):
    votazione = apri(assemblea, staff)
    services.vota(votazione, membro(assemblea, "Casalmaggiore"), scelta=FAV, by=assessore)
    services.vota(votazione, membro(assemblea, "Viadana"), scelta=FAV, by=sindaca_viadana)
    services.vota(votazione, membro(assemblea, "Sabbioneta"), scelta=CONTR, by=sindaco_sabbioneta)

    votazione = services.chiudi_votazione(votazione, by=staff)

    assert votazione.esito == Votazione.Esito.APPROVATA
    assert votazione.risultato["favorevoli"] == {"teste": 2, "peso": 35000}


def test_who_does_not_vote_online_is_absent_and_the_quorum_may_fail(
    assemblea, staff, sindaco_sabbioneta
):
    """Only Sabbioneta votes: 1 head of 3 and 4,000 residents of 39,000 — no quorum."""
    votazione = apri(assemblea, staff)
    services.vota(votazione, membro(assemblea, "Sabbioneta"), scelta=FAV, by=sindaco_sabbioneta)

    votazione = services.chiudi_votazione(votazione, by=staff)

    assert votazione.risultato["presenti"] == {"teste": 1, "peso": 4000}
    assert votazione.risultato["quorum_raggiunto"] is False
    assert votazione.esito == Votazione.Esito.NULLA


def test_the_rule_is_the_one_copied_at_opening(assemblea, staff, sindaco, sindaco_sabbioneta):
    votazione = apri(assemblea, staff)
    services.vota(votazione, membro(assemblea, "Casalmaggiore"), scelta=FAV, by=sindaco)
    services.vota(votazione, membro(assemblea, "Sabbioneta"), scelta=FAV, by=sindaco_sabbioneta)
    # Changing the body's rule afterwards (to one head one vote) changes nothing.
    RegolaVoto.objects.filter(pk=assemblea.regola_voto_id).update(peso=RegolaVoto.Peso.TESTA)

    votazione = services.chiudi_votazione(votazione, by=staff)

    # Under one head one vote 2 mayors of 3 would make the quorum and approve; under the
    # double majority copied at opening they stand for 19,000 residents of 39,000: no quorum.
    assert votazione.regola["peso"] == "doppia"
    assert votazione.risultato["presenti"] == {"teste": 2, "peso": 19000}
    assert votazione.risultato["quorum_raggiunto"] is False
    assert votazione.esito == Votazione.Esito.NULLA


def test_a_show_of_hands_is_recorded_counted_and_closed(assemblea, staff):
    incontro = IncontroFactory(tavolo=assemblea, created_by=staff)
    punto = PuntoOdgFactory(incontro=incontro, numero=1, titolo="Piano di Zona")
    votazione = apri(assemblea, staff, modalita=PALESE, punto=punto)

    votazione = services.registra_voto_palese(
        votazione,
        {
            membro(assemblea, "Casalmaggiore").pk: FAV,
            membro(assemblea, "Viadana").pk: ASTEN,
            membro(assemblea, "Sabbioneta").pk: FAV,
        },
        by=staff,
    )

    # Presenti: 3 heads, 39,000; favour 2 heads (> 1.5) but 19,000 (not > 19,500).
    assert votazione.stato == Votazione.Stato.CHIUSA
    assert votazione.risultato["astenuti"] == {"teste": 1, "peso": 20000}
    assert votazione.esito == Votazione.Esito.RESPINTA
    assert set(Voto.objects.filter(votazione=votazione).values_list("espresso_da", flat=True)) == {
        staff.pk
    }
    with pytest.raises(OperazioneNonValida):
        services.registra_voto_palese(votazione, {}, by=staff)


def test_a_show_of_hands_counts_only_members_with_a_vote(assemblea, staff):
    votazione = apri(assemblea, staff, modalita=PALESE)
    uditore = assemblea.membri.get(diritto_voto=False)

    with pytest.raises(OperazioneNonValida, match="voting right"):
        services.registra_voto_palese(votazione, {uditore.pk: FAV}, by=staff)

    votazione.refresh_from_db()
    assert votazione.aperta
    assert not Voto.objects.exists()
    online = apri(assemblea, staff)
    with pytest.raises(OperazioneNonValida, match="show of hands"):
        services.registra_voto_palese(online, {}, by=staff)


def test_second_call_uses_the_second_call_quorum(assemblea, staff, sindaco_sabbioneta):
    votazione = apri(assemblea, staff, seconda_convocazione=True)
    services.vota(votazione, membro(assemblea, "Sabbioneta"), scelta=FAV, by=sindaco_sabbioneta)

    votazione = services.chiudi_votazione(votazione, by=staff)

    assert votazione.risultato["quorum_raggiunto"] is True
    assert votazione.esito == Votazione.Esito.APPROVATA


def test_the_quorum_of_a_meeting_follows_the_attendance(assemblea, staff):
    incontro = IncontroFactory(
        tavolo=assemblea,
        inizio=timezone.now() - timedelta(minutes=10),
        fine=timezone.now() + timedelta(hours=2),
        created_by=staff,
    )
    services.registra_presenze(
        incontro,
        {
            membro(assemblea, "Casalmaggiore").pk: (Presenza.Stato.PRESENTE, ""),
            membro(assemblea, "Sabbioneta").pk: (Presenza.Stato.ASSENTE, ""),
        },
        by=staff,
    )
    q = services.quorum(incontro)
    assert q.presenti.teste == 1 and q.presenti.peso == 15000
    assert q.quorum_raggiunto is False

    services.registra_presenze(
        incontro,
        {membro(assemblea, "Viadana").pk: (Presenza.Stato.DELEGATO, "Assessore Bianchi")},
        by=staff,
    )
    q = services.quorum(incontro)
    assert (q.presenti.teste, q.presenti.peso) == (2, 35000)
    assert q.quorum_raggiunto is True
    assert services.quorum(IncontroFactory(created_by=staff)) is None

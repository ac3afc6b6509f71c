"""Hand-computed counts of ``tavoli.conteggio.conta`` (DOMAIN.md § 6).

Percentages are "more than": ``fav * 100 > soglia * base``; a quorum of 50 is half plus
one. Pure functions: no database.
"""

import json
from decimal import Decimal
from itertools import count

import pytest

from tavoli.conteggio import (
    ASTENUTO,
    COMPONENTI,
    CONTRARIO,
    DOPPIA,
    FAVOREVOLE,
    POPOLAZIONE,
    PRESENTI,
    SEMPLICE,
    TESTA,
    UNANIMITA,
    Conta,
    Elettore,
    PopolazioneMancante,
    conta,
    snapshot,
)
from tavoli.models import RegolaVoto

_ids = count(1)


def regola(peso=TESTA, maggioranza=PRESENTI, soglia="50", quorum_prima="0", quorum_seconda="0"):
    """A rule as ``snapshot()`` returns it; no quorum unless a test asks for one."""
    return {
        "nome": "Regola di prova",
        "peso": peso,
        "maggioranza": maggioranza,
        "soglia": soglia,
        "quorum_prima": quorum_prima,
        "quorum_seconda": quorum_seconda,
    }


def el(scelta=None, peso=1000, presente=True, nome=None):
    membro_id = next(_ids)
    return Elettore(membro_id, nome or f"Comune {membro_id}", presente, scelta, peso)


def voti(n, scelta, peso=1000, presente=True):
    return [el(scelta, peso, presente) for _ in range(n)]


# Three large comuni (50k + 40k + 30k = 120,000) and seven small ones (7 × 5,000 = 35,000):
# 10 members, 155,000 inhabitants.
def grandi(scelta, presente=True):
    return [el(scelta, p, presente) for p in (50_000, 40_000, 30_000)]


def piccoli(scelta, presente=True):
    return voti(7, scelta, 5_000, presente)


# --- One head, one vote ---------------------------------------------------------------


def test_head_majority_of_present_approves():
    # 5 present, 3 in favour: 300 > 50 × 5 = 250 → approved.
    r = conta(regola(), voti(3, FAVOREVOLE) + voti(2, CONTRARIO))
    assert r.favorevoli.teste == 3
    assert r.contrari.teste == 2
    assert r.approvata is True
    assert r.esito == "approvata"


def test_head_tie_is_rejected():
    # 4 present, 2 in favour: 200 > 50 × 4 = 200 is false → rejected.
    r = conta(regola(), voti(2, FAVOREVOLE) + voti(2, CONTRARIO))
    assert r.quorum_raggiunto is True
    assert r.approvata is False
    assert r.esito == "respinta"


def test_head_tie_is_rejected_under_simple_majority():
    # 2 in favour > 2 against is false → rejected.
    r = conta(regola(maggioranza=SEMPLICE), voti(2, FAVOREVOLE) + voti(2, CONTRARIO))
    assert r.esito == "respinta"


def test_abstentions_weigh_against_under_majority_of_present():
    # 5 present (2 fav, 1 contr, 2 abst): 200 > 50 × 5 = 250 is false → rejected.
    elettori = voti(2, FAVOREVOLE) + voti(1, CONTRARIO) + voti(2, ASTENUTO)
    r = conta(regola(maggioranza=PRESENTI), elettori)
    assert r.presenti.teste == 5
    assert r.astenuti.teste == 2
    assert r.esito == "respinta"


def test_abstentions_do_not_count_under_simple_majority():
    # Same ballots: 2 in favour > 1 against → approved; the 2 abstentions are ignored.
    elettori = voti(2, FAVOREVOLE) + voti(1, CONTRARIO) + voti(2, ASTENUTO)
    r = conta(regola(maggioranza=SEMPLICE), elettori)
    assert r.astenuti.teste == 2
    assert r.esito == "approvata"


def test_present_member_who_casts_no_vote_counts_as_abstaining():
    # 4 present (2 fav, 1 contr, 1 silent = abstaining): 200 > 50 × 4 = 200 is false.
    silenzioso = el(None)
    r = conta(regola(), voti(2, FAVOREVOLE) + voti(1, CONTRARIO) + [silenzioso])
    assert r.astenuti == Conta(teste=1, peso=1000)
    assert r.presenti.teste == 4
    assert r.esito == "respinta"
    assert r.appello[-1]["scelta"] == ASTENUTO


def test_absent_member_choice_is_ignored():
    # 5 members, 3 present (2 fav, 1 contr); the 2 absent "contrario" do not count.
    # Quorum 50: 300 > 250 reached. Majority: 200 > 50 × 3 = 150 → approved.
    elettori = voti(2, FAVOREVOLE) + voti(1, CONTRARIO) + voti(2, CONTRARIO, presente=False)
    r = conta(regola(quorum_prima="50"), elettori)
    assert r.componenti.teste == 5
    assert r.presenti.teste == 3
    assert r.contrari.teste == 1
    assert r.astenuti.teste == 0
    assert r.esito == "approvata"


# --- Population-weighted --------------------------------------------------------------


def test_population_weighted_three_large_comuni_outvote_seven_small_ones():
    # Population: 120,000 × 100 = 12,000,000 > 50 × 155,000 = 7,750,000 → approved,
    # although only 3 heads of 10 are in favour.
    r = conta(regola(peso=POPOLAZIONE), grandi(FAVOREVOLE) + piccoli(CONTRARIO))
    assert r.esito == "approvata"


def test_one_head_one_vote_seven_small_comuni_outvote_three_large_ones():
    # Same ballots by heads: 3 × 100 = 300 > 50 × 10 = 500 is false → rejected.
    r = conta(regola(peso=TESTA), grandi(FAVOREVOLE) + piccoli(CONTRARIO))
    assert r.esito == "respinta"


def test_population_weighted_small_comuni_outvoted_by_large_ones_even_when_many():
    # 7 small in favour, 3 large against: 35,000 × 100 = 3,500,000 > 7,750,000 is false.
    r = conta(regola(peso=POPOLAZIONE), piccoli(FAVOREVOLE) + grandi(CONTRARIO))
    assert r.esito == "respinta"


def test_population_weighted_sums_exact_weights_of_each_group():
    # In favour: 50,000 + 40,000 + 30,000 = 120,000 (3 heads)
    # Against: 7 × 5,000 = 35,000 (7 heads); abstaining: 12,345 (1 head)
    # Present: 120,000 + 35,000 + 12,345 = 167,345 (11); absent: 8,000 → members 175,345 (12)
    elettori = (
        grandi(FAVOREVOLE)
        + piccoli(CONTRARIO)
        + [el(ASTENUTO, 12_345), el(FAVOREVOLE, 8_000, presente=False)]
    )
    r = conta(regola(peso=POPOLAZIONE), elettori)
    assert r.favorevoli == Conta(teste=3, peso=120_000)
    assert r.contrari == Conta(teste=7, peso=35_000)
    assert r.astenuti == Conta(teste=1, peso=12_345)
    assert r.presenti == Conta(teste=11, peso=167_345)
    assert r.componenti == Conta(teste=12, peso=175_345)
    # 12,000,000 > 50 × 167,345 = 8,367,250 → approved.
    assert r.esito == "approvata"


# --- Double majority ------------------------------------------------------------------


def test_double_majority_heads_without_population_is_rejected():
    # Heads: 7 × 100 = 700 > 50 × 10 = 500 yes; population: 3,500,000 > 7,750,000 no.
    r = conta(regola(peso=DOPPIA), piccoli(FAVOREVOLE) + grandi(CONTRARIO))
    assert r.esito == "respinta"


def test_double_majority_population_without_heads_is_rejected():
    # Population: 12,000,000 > 7,750,000 yes; heads: 300 > 500 no.
    r = conta(regola(peso=DOPPIA), grandi(FAVOREVOLE) + piccoli(CONTRARIO))
    assert r.esito == "respinta"


def test_double_majority_heads_and_population_is_approved():
    # In favour: 7 small + the 50,000 one = 8 heads, 85,000; against: 40,000 + 30,000.
    # Heads: 800 > 500 yes; population: 8,500,000 > 50 × 155,000 = 7,750,000 yes.
    a, b, c = grandi(CONTRARIO)
    a = Elettore(a.membro_id, a.nome, True, FAVOREVOLE, a.peso)
    r = conta(regola(peso=DOPPIA), piccoli(FAVOREVOLE) + [a, b, c])
    assert r.favorevoli == Conta(teste=8, peso=85_000)
    assert r.esito == "approvata"


# --- Unanimity ------------------------------------------------------------------------


def test_unanimity_broken_by_one_abstention():
    # 4 present: 3 in favour ≠ 4 present → rejected.
    r = conta(regola(maggioranza=UNANIMITA), voti(3, FAVOREVOLE) + voti(1, ASTENUTO))
    assert r.esito == "respinta"


def test_unanimity_broken_by_one_silent_member():
    # A present member who casts no vote abstains: 3 ≠ 4 → rejected.
    r = conta(regola(maggioranza=UNANIMITA), voti(3, FAVOREVOLE) + [el(None)])
    assert r.esito == "respinta"


def test_unanimity_of_present_all_in_favour_approves_despite_absent_member():
    # 4 present, 4 in favour; the absent "contrario" is ignored → approved.
    elettori = voti(4, FAVOREVOLE) + voti(1, CONTRARIO, presente=False)
    r = conta(regola(maggioranza=UNANIMITA), elettori)
    assert r.esito == "approvata"


# --- Majority of members vs of those present ------------------------------------------


def test_majority_of_members_and_of_present_differ_on_same_ballots():
    # 10 members, 7 present (5 fav, 2 contr), 3 absent. Quorum 50: 700 > 500 reached.
    # Of present: 500 > 50 × 7 = 350 → approved; of members: 500 > 50 × 10 = 500 → rejected.
    elettori = voti(5, FAVOREVOLE) + voti(2, CONTRARIO) + voti(3, None, presente=False)
    presenti = conta(regola(maggioranza=PRESENTI, quorum_prima="50"), elettori)
    componenti = conta(regola(maggioranza=COMPONENTI, quorum_prima="50"), elettori)
    assert presenti.esito == "approvata"
    assert componenti.esito == "respinta"


def test_majority_of_members_reached_with_six_of_ten():
    # 600 > 50 × 10 = 500 → approved.
    elettori = voti(6, FAVOREVOLE) + voti(1, CONTRARIO) + voti(3, None, presente=False)
    assert conta(regola(maggioranza=COMPONENTI), elettori).esito == "approvata"


# --- Two-thirds threshold -------------------------------------------------------------


def test_two_thirds_threshold_approves_seven_of_nine():
    # 700 > 66.67 × 9 = 600.03 → approved.
    r = conta(regola(soglia="66.67"), voti(7, FAVOREVOLE) + voti(2, CONTRARIO))
    assert r.esito == "approvata"


def test_two_thirds_threshold_of_66_67_rejects_exactly_two_thirds():
    # "More than" 66.67 %: 6 of 9 is 66.666…%, 600 > 600.03 is false → rejected.
    r = conta(regola(soglia="66.67"), voti(6, FAVOREVOLE) + voti(3, CONTRARIO))
    assert r.esito == "respinta"


def test_two_thirds_threshold_counts_abstentions_of_present():
    # 9 present (6 fav, 1 contr, 2 abst): 600 > 600.03 false → rejected even though only
    # 1 voted against.
    elettori = voti(6, FAVOREVOLE) + voti(1, CONTRARIO) + voti(2, ASTENUTO)
    assert conta(regola(soglia="66.67"), elettori).esito == "respinta"


# --- Quorum ---------------------------------------------------------------------------


def test_quorum_of_half_not_reached_with_exactly_half_present():
    # 10 members, 5 present: 500 > 50 × 10 = 500 is false → "nulla", not approved even
    # though all present are in favour.
    elettori = voti(5, FAVOREVOLE) + voti(5, None, presente=False)
    r = conta(regola(quorum_prima="50"), elettori)
    assert r.quorum_raggiunto is False
    assert r.approvata is False
    assert r.esito == "nulla"


def test_quorum_of_half_reached_with_half_plus_one_present():
    # 10 members, 6 present: 600 > 500 → reached; 6 in favour → approved.
    elettori = voti(6, FAVOREVOLE) + voti(4, None, presente=False)
    r = conta(regola(quorum_prima="50"), elettori)
    assert r.quorum_raggiunto is True
    assert r.esito == "approvata"


def test_weighted_quorum_reached_by_few_large_comuni():
    # Population rule, only the 3 large present: 120,000 × 100 > 50 × 155,000 = 7,750,000
    # → reached, although 3 heads of 10 would not be.
    elettori = grandi(FAVOREVOLE) + piccoli(None, presente=False)
    r = conta(regola(peso=POPOLAZIONE, quorum_prima="50"), elettori)
    assert r.quorum_raggiunto is True
    assert r.esito == "approvata"


def test_weighted_quorum_not_reached_by_many_small_comuni():
    # Only the 7 small present: 35,000 × 100 = 3,500,000 > 7,750,000 is false → "nulla",
    # although 7 heads of 10 would be enough.
    elettori = piccoli(FAVOREVOLE) + grandi(None, presente=False)
    r = conta(regola(peso=POPOLAZIONE, quorum_prima="50"), elettori)
    assert r.quorum_raggiunto is False
    assert r.esito == "nulla"


def test_double_majority_quorum_needs_heads_and_population():
    # Only the 3 large present: population reached (12,000,000 > 7,750,000), heads not
    # (300 > 500 false) → "nulla".
    elettori = grandi(FAVOREVOLE) + piccoli(None, presente=False)
    r = conta(regola(peso=DOPPIA, quorum_prima="50"), elettori)
    assert r.esito == "nulla"


def test_second_call_with_zero_quorum_reached_by_two_of_ten_and_approves():
    # Quorum 50 at first call, 0 at second. 2 present of 10, both in favour.
    # First call: 200 > 500 false → "nulla". Second: someone present → reached;
    # majority of present: 200 > 50 × 2 = 100 → approved.
    elettori = voti(2, FAVOREVOLE) + voti(8, None, presente=False)
    r = regola(quorum_prima="50", quorum_seconda="0")
    assert conta(r, elettori).esito == "nulla"
    seconda = conta(r, elettori, seconda_convocazione=True)
    assert seconda.quorum_raggiunto is True
    assert seconda.esito == "approvata"


def test_zero_quorum_still_needs_someone_present():
    r = conta(regola(quorum_prima="0"), voti(3, None, presente=False))
    assert r.quorum_raggiunto is False
    assert r.esito == "nulla"


# --- Missing population ---------------------------------------------------------------


def _con_comune_senza_popolazione():
    return voti(2, FAVOREVOLE) + [el(CONTRARIO, peso=None, nome="Castelverde Alto")]


@pytest.mark.parametrize("peso", [POPOLAZIONE, DOPPIA])
def test_weighted_rule_with_comune_without_population_raises_naming_it(peso):
    with pytest.raises(PopolazioneMancante, match="Castelverde Alto") as exc:
        conta(regola(peso=peso), _con_comune_senza_popolazione())
    assert exc.value.nomi == ["Castelverde Alto"]


def test_one_head_one_vote_counts_comune_without_population():
    # 3 present, 2 in favour: 200 > 150 → approved; the unknown weight adds 0.
    r = conta(regola(peso=TESTA), _con_comune_senza_popolazione())
    assert r.esito == "approvata"
    assert r.contrari == Conta(teste=1, peso=0)


# --- Delegates ------------------------------------------------------------------------


def test_delegate_vote_carries_the_population_of_the_member_comune():
    # The Elettore is the member (the comune), whoever cast the vote: a delegate voting for
    # the mayor of a 30,000 comune weighs 30,000. 3,000,000 > 50 × 40,000 = 2,000,000.
    delegato = el(FAVOREVOLE, 30_000, nome="Comune di Montefiore (delegato)")
    sindaco = el(CONTRARIO, 10_000, nome="Comune di Valbruna")
    r = conta(regola(peso=POPOLAZIONE), [delegato, sindaco])
    assert r.favorevoli == Conta(teste=1, peso=30_000)
    assert r.appello[0]["peso"] == 30_000
    assert r.esito == "approvata"


# --- Roll call and serialisation ------------------------------------------------------


def test_roll_call_lists_every_member_with_presence_choice_and_weight():
    a = Elettore(1, "Comune A", True, FAVOREVOLE, 9_000)
    b = Elettore(2, "Comune B", True, CONTRARIO, 20_000)
    c = Elettore(3, "Comune C", True, None, 3_000)
    d = Elettore(4, "Comune D", False, FAVOREVOLE, 4_000)
    e = Elettore(5, "Comune E", False, None, None)
    r = conta(regola(), [a, b, c, d, e])
    assert r.appello == [
        {"membro_id": 1, "nome": "Comune A", "presente": True, "scelta": FAVOREVOLE, "peso": 9_000},
        {"membro_id": 2, "nome": "Comune B", "presente": True, "scelta": CONTRARIO, "peso": 20_000},
        {"membro_id": 3, "nome": "Comune C", "presente": True, "scelta": ASTENUTO, "peso": 3_000},
        {"membro_id": 4, "nome": "Comune D", "presente": False, "scelta": None, "peso": 4_000},
        {"membro_id": 5, "nome": "Comune E", "presente": False, "scelta": None, "peso": None},
    ]


def test_as_dict_is_json_serialisable():
    r = conta(regola(peso=DOPPIA), grandi(FAVOREVOLE) + piccoli(CONTRARIO, presente=False))
    dati = json.loads(json.dumps(r.as_dict()))
    assert dati["favorevoli"] == {"teste": 3, "peso": 120_000}
    assert dati["componenti"] == {"teste": 10, "peso": 155_000}
    assert dati["esito"] == r.esito
    assert len(dati["appello"]) == 10


def test_snapshot_of_unsaved_rule_round_trips_into_conta():
    modello = RegolaVoto(
        nome="Assemblea dei Sindaci",
        peso=RegolaVoto.Peso.DOPPIA,
        maggioranza=RegolaVoto.Maggioranza.PRESENTI,
        soglia=Decimal("50"),
        quorum_prima=Decimal("50"),
        quorum_seconda=Decimal("0"),
    )
    istantanea = json.loads(json.dumps(snapshot(modello)))
    assert istantanea == regola(peso=DOPPIA, quorum_prima="50") | {"nome": "Assemblea dei Sindaci"}
    # 8 heads/85,000 in favour of 10/155,000 present: approved (see double majority above).
    a, b, c = grandi(CONTRARIO)
    a = Elettore(a.membro_id, a.nome, True, FAVOREVOLE, a.peso)
    elettori = piccoli(FAVOREVOLE) + [a, b, c]
    dal_dict = conta(regola(peso=DOPPIA, quorum_prima="50"), elettori)
    assert conta(istantanea, elettori) == dal_dict
    assert conta(modello, elettori) == dal_dict
    assert dal_dict.esito == "approvata"

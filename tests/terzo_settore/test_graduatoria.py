"""The ranking of a co-progettazione notice, against cases computed by hand."""

from decimal import Decimal

import pytest

from terzo_settore.graduatoria import graduatoria
from terzo_settore.models import Avviso, CriterioValutazione, Domanda, Punteggio
from tests.pdz.factories import UserFactory
from tests.terzo_settore.factories import AvvisoFactory, DomandaFactory, OrganizzazioneFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def avviso(ambito):
    return AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.COPROGETTAZIONE)


@pytest.fixture
def criteri(avviso):
    def c(ordine, descrizione, massimo):
        return CriterioValutazione.objects.create(
            avviso=avviso, ordine=ordine, descrizione=descrizione, punteggio_massimo=D(massimo)
        )

    # created out of order: the ranking follows ``ordine``
    qualita = c(2, "Qualità del progetto", "20")
    esperienza = c(1, "Esperienza", "10")
    rete = c(3, "Rete territoriale", "2.5")
    return [esperienza, qualita, rete]


@pytest.fixture
def commissione(avviso):
    membri = [UserFactory(full_name=f"Commissario {n}") for n in (1, 2, 3)]
    avviso.commissione.set(membri)
    return membri


def proposta(avviso, nome, protocollo, stato=Domanda.Stato.AMMESSA):
    return DomandaFactory(
        avviso=avviso,
        organizzazione=OrganizzazioneFactory(ente__denominazione=nome),
        stato=stato,
        protocollo_anno=2026,
        protocollo_numero=protocollo,
    )


def scores(domanda, commissario, criteri, *punti):
    Punteggio.objects.bulk_create(
        Punteggio(domanda=domanda, criterio=c, commissario=commissario, punti=D(p))
        for c, p in zip(criteri, punti, strict=True)
        if p is not None
    )


def summary(righe):
    return [(r.posizione, r.organizzazione, r.totale, r.commissari) for r in righe]


def test_averages_totals_ties_and_unscored_last(avviso, criteri, commissione):
    m1, m2, m3 = commissione
    # submitted in this order; the protocol number breaks ties
    girasole = proposta(avviso, "Il Girasole", 1)
    rondine = proposta(avviso, "La Rondine", 2)
    auser = proposta(avviso, "Auser", 3)
    proposta(avviso, "Nessuno l'ha valutata", 4)
    anteas = proposta(avviso, "Anteas", 5)
    # Il Girasole: averages 8, 15, 2 -> 25.00, three members
    scores(girasole, m1, criteri, "8", "15", "2.5")
    scores(girasole, m2, criteri, "7", "16", "2")
    scores(girasole, m3, criteri, "9", "14", "1.5")
    # La Rondine: averages 8, 15, 1.25 -> 24.25, two members
    scores(rondine, m1, criteri, "10", "12.5", "2.5")
    scores(rondine, m2, criteri, "6", "17.5", "0")
    # Auser: one member only: 9 + 15 + 1 -> 25.00, tied with Il Girasole
    scores(auser, m1, criteri, "9", "15", "1")
    # Anteas: 5 + 10 + 2.5 -> 17.50
    scores(anteas, m2, criteri, "5", "10", "2.5")
    scores(anteas, m3, criteri, "5", "10", "2.5")

    righe = graduatoria(avviso)

    assert summary(righe) == [
        (1, "Il Girasole", D("25.00"), 3),
        (1, "Auser", D("25.00"), 1),
        (3, "La Rondine", D("24.25"), 2),
        (4, "Anteas", D("17.50"), 2),
        (None, "Nessuno l'ha valutata", None, 0),
    ]
    assert righe.criteri == criteri
    assert [(c.descrizione, m) for c, m in righe[2].medie] == [
        ("Esperienza", D("8.00")),
        ("Qualità del progetto", D("15.00")),
        ("Rete territoriale", D("1.25")),
    ]
    assert [m for _c, m in righe[-1].medie] == [None, None, None]
    assert righe[0].domanda == girasole


def test_positions_one_two_two_four(avviso, criteri, commissione):
    m1 = commissione[0]
    for protocollo, (nome, punti) in enumerate(
        [
            ("D", ("1", "1", "1")),
            ("B2", ("5", "5", "0")),
            ("A", ("9", "9", "2")),
            ("B1", ("4", "6", "0")),
        ],
        start=1,
    ):
        scores(proposta(avviso, nome, protocollo), m1, criteri, *punti)
    righe = graduatoria(avviso)
    assert [(r.posizione, r.organizzazione) for r in righe] == [
        (1, "A"),
        (2, "B2"),  # protocol 2 before protocol 4
        (2, "B1"),
        (4, "D"),
    ]


def test_the_total_is_rounded_half_up_from_the_exact_averages(avviso, criteri, commissione):
    m1, m2, m3 = commissione
    thirds = proposta(avviso, "Terzi", 1)
    # 23/3 + 31/3 + 3.5/3 = 57.5/3 = 19.1666… -> 19.17
    scores(thirds, m1, criteri, "7", "10", "1")
    scores(thirds, m2, criteri, "8", "10", "1")
    scores(thirds, m3, criteri, "8", "11", "1.5")
    half = proposta(avviso, "Mezzo", 2)
    # 1.005 exactly: half up gives 1.01 (banker's rounding would give 1.00)
    scores(half, m1, criteri, "1", "0", "0")
    scores(half, m2, criteri, "1.01", "0", "0")
    riga_terzi, riga_mezzo = graduatoria(avviso)
    assert riga_terzi.totale == D("19.17")
    assert [m for _c, m in riga_terzi.medie] == [D("7.67"), D("10.33"), D("1.17")]
    assert riga_mezzo.totale == D("1.01")
    assert riga_mezzo.medie[0][1] == D("1.01")


def test_partial_scoring_averages_over_who_scored_each_criterion(avviso, criteri, commissione):
    m1, m2, _m3 = commissione
    domanda = proposta(avviso, "Parziale", 1)
    scores(domanda, m1, criteri, "6", "12", None)  # m1 left the last criterion
    scores(domanda, m2, criteri, "8", None, None)
    (riga,) = graduatoria(avviso)
    # 7 + 12 + nothing scored on the third criterion (counts 0)
    assert [m for _c, m in riga.medie] == [D("7.00"), D("12.00"), None]
    assert riga.totale == D("19.00")
    assert riga.commissari == 2


def test_a_criterion_with_a_decimal_maximum(avviso, criteri, commissione):
    domanda = proposta(avviso, "Rete", 1)
    scores(domanda, commissione[0], criteri, "0", "0", "2.5")
    scores(domanda, commissione[1], criteri, "0", "0", "1.75")
    (riga,) = graduatoria(avviso)
    assert riga.medie[2][1] == D("2.13")  # 2.125 half up
    assert riga.totale == D("2.13")


def test_only_admitted_proposals_are_ranked(avviso, criteri, commissione):
    ammessa = proposta(avviso, "Ammessa", 1)
    esclusa = proposta(avviso, "Esclusa", 2, Domanda.Stato.NON_AMMESSA)
    revocata = proposta(avviso, "Revocata", 3, Domanda.Stato.REVOCATA)
    for domanda in (ammessa, esclusa, revocata):
        scores(domanda, commissione[0], criteri, "1", "1", "1")
    assert [r.organizzazione for r in graduatoria(avviso)] == ["Ammessa"]


def test_scores_of_who_left_the_commission_do_not_count(avviso, criteri, commissione):
    m1, m2, m3 = commissione
    domanda = proposta(avviso, "Il Girasole", 1)
    scores(domanda, m1, criteri, "10", "20", "2.5")
    scores(domanda, m2, criteri, "0", "0", "0")
    avviso.commissione.remove(m2)
    (riga,) = graduatoria(avviso)
    assert riga.totale == D("32.50") and riga.commissari == 1
    avviso.commissione.remove(m1)
    (riga,) = graduatoria(avviso)
    assert riga.totale is None and riga.posizione is None


def test_other_notices_do_not_mix_in(avviso, criteri, commissione, ambito):
    altro = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.COPROGETTAZIONE)
    proposta(altro, "Altro avviso", 9)
    assert graduatoria(avviso) == []
    assert graduatoria(avviso).criteri == criteri


def test_a_fixed_number_of_queries(avviso, criteri, commissione, django_assert_num_queries):
    for n in range(1, 21):
        domanda = proposta(avviso, f"Proposta {n}", n)
        for membro in commissione:
            scores(domanda, membro, criteri, str(n % 10), "3", "1")
    with django_assert_num_queries(4):
        righe = graduatoria(avviso)
    assert len(righe) == 20

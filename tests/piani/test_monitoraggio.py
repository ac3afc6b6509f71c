"""Monitoring: progress of each indicator against its target (rising and falling targets,
a target equal to the baseline), the status badges, the charts, the CSV and the queries."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from piani import charts
from piani.models import Indicatore, Misurazione, Obiettivo
from piani.monitoraggio import Stato, andamento, avanzamento
from tests.ambiti.test_views_queries import same_queries_with_10_and_1000_rows
from tests.piani.factories import IndicatoreFactory, ObiettivoFactory, piano_con_sezioni

ANNI = [2025, 2026, 2027]


class Misura:
    def __init__(self, anno, valore):
        self.anno, self.valore = anno, Decimal(valore)


class Ind:
    def __init__(self, baseline, target):
        self.baseline, self.target = Decimal(baseline), Decimal(target)


@pytest.mark.parametrize(
    ("baseline", "target", "valore", "atteso"),
    [
        ("100", "160", "120", "33.3"),  # 20 of 60
        ("100", "160", "160", "100.0"),
        ("100", "160", "190", "150.0"),  # beyond the target
        ("100", "160", "90", "-16.7"),  # the wrong way
        ("240", "180", "232", "13.3"),  # a falling target: 8 of 60
        ("240", "180", "180", "100.0"),
        ("240", "180", "250", "-16.7"),
        ("0.70", "1.00", "0.85", "50.0"),
        ("50", "50", "50", "100.0"),  # keep the level
        ("50", "50", "49", "0.0"),
    ],
)
def test_progress_from_baseline_towards_target(baseline, target, valore, atteso):
    assert avanzamento(Decimal(baseline), Decimal(target), Decimal(valore)) == Decimal(atteso)


def test_no_value_no_progress():
    assert avanzamento(Decimal(1), Decimal(2), None) is None
    a = andamento(Ind("1", "2"), [], ANNI)
    assert (a.stato, a.avanzamento, a.valori_anni) == (Stato.SENZA_DATI, None, [None] * 3)


def test_on_track_when_progress_reaches_the_share_of_the_years_elapsed():
    # 2025 of 2025-2027: one third is expected; exactly one third is on track
    a = andamento(Ind("100", "160"), [Misura(2025, "120")], ANNI)
    assert (a.avanzamento, a.atteso, a.stato) == (Decimal("33.3"), Decimal("33.3"), Stato.IN_LINEA)
    a = andamento(Ind("100", "160"), [Misura(2025, "119.99")], ANNI)
    assert a.stato == Stato.IN_RITARDO
    # the last year counts: two thirds expected by 2026
    a = andamento(Ind("100", "160"), [Misura(2025, "150"), Misura(2026, "130")], ANNI)
    assert (a.ultimo_anno, a.avanzamento, a.atteso) == (2026, Decimal("50.0"), Decimal("66.7"))
    assert a.stato == Stato.IN_RITARDO
    assert a.valori_anni == [Decimal("150"), Decimal("130"), None]
    # falling target, ahead of time
    a = andamento(Ind("240", "180"), [Misura(2025, "200")], ANNI)
    assert (a.avanzamento, a.stato) == (Decimal("66.7"), Stato.IN_LINEA)
    # values of years outside the plan are not read
    assert andamento(Ind("1", "2"), [Misura(2024, "9")], ANNI).stato == Stato.SENZA_DATI


def test_chart_columns_are_scaled_to_the_largest_value():
    g = charts.colonne_indicatore(
        Decimal("100"), Decimal("200"), {2025: Decimal("150")}, [2025, 2026, 2027]
    )
    etichette = [c.etichetta for c in g.colonne]
    assert etichette == ["Baseline", "2025", "2026", "2027", "Target"]
    altezze = [c.altezza for c in g.colonne]
    traccia = charts.BASE - charts.ALTO
    assert altezze == [traccia // 2, traccia * 3 // 4, 0, 0, traccia]
    assert g.colonne[2].testo == "—"
    assert g.y_target == charts.BASE - traccia


@pytest.fixture
def piano(ambito, staff):
    return piano_con_sezioni(ambito, by=staff)


def misura(indicatore, anno, valore, by):
    Misurazione.objects.create(
        indicatore=indicatore, anno=anno, valore=Decimal(valore), registrata_da=by
    )


def test_monitoring_page_and_csv(client, sindaco, staff, piano):
    ob1 = ObiettivoFactory(piano=piano, codice="OB1", titolo="Domiciliarità", ordine=1)
    ob2 = ObiettivoFactory(piano=piano, codice="OB2", titolo="Senza indicatori", ordine=2)
    ore = IndicatoreFactory(
        obiettivo=ob1, nome="Ore di SAD", baseline=Decimal("12000"), target=Decimal("18000")
    )
    misura(ore, 2025, "14500", staff)
    misura(ore, 2026, "16250.5", staff)
    ricoveri = IndicatoreFactory(
        obiettivo=ob1,
        nome="Ricoveri evitabili",
        tipo=Indicatore.Tipo.ESITO,
        baseline=Decimal("240"),
        target=Decimal("180"),
    )
    misura(ricoveri, 2025, "232", staff)
    IndicatoreFactory(obiettivo=ob1, nome="Nuovo indicatore")
    client.force_login(sindaco)
    url = reverse("piani:monitoraggio", args=[piano.pk])

    html = client.get(url).content.decode()
    assert "Ore di SAD" in html and "Ricoveri evitabili" in html
    assert ob2.titolo not in html  # an objective without indicators is not listed
    assert "70.8%" in html  # (16250.5 − 12000) / 6000
    assert "13.3%" in html  # (240 − 232) / 60
    assert "On track 1" in html and "Behind 1" in html and "No data 1" in html
    assert html.count("<svg") >= 3
    assert "Record the values" not in html  # the mayor reads only

    response = client.get(url, {"format": "csv"})
    righe = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert righe[0] == [
        "Objective",
        "Objective title",
        "Indicator",
        "Kind",
        "Unit",
        "Baseline",
        "2025",
        "2026",
        "2027",
        "Target",
        "Progress (%)",
        "Expected (%)",
        "Status",
    ]
    assert righe[1][2:] == [
        "Ore di SAD",
        "Output",
        "persone",
        "12000,00",
        "14500,00",
        "16250,50",
        "",
        "18000,00",
        "70,8",
        "66,7",
        "On track",
    ]
    assert righe[2][-3:] == ["13,3", "33,3", "Behind"]
    assert righe[3][-3:] == ["", "", "No data"]


@pytest.mark.italiano
def test_monitoring_in_italian_numbers(client, staff, piano):
    ore = IndicatoreFactory(
        obiettivo=ObiettivoFactory(piano=piano),
        baseline=Decimal("12000"),
        target=Decimal("18000"),
    )
    misura(ore, 2025, "14500", staff)
    client.force_login(staff)
    html = client.get(reverse("piani:monitoraggio", args=[piano.pk])).content.decode()
    assert "12.000" in html and "14.500" in html and "41,7%" in html


def test_monitoring_queries_do_not_grow(client, staff, piano):
    def aggiungi(da, a):
        for n in range(da, a, 10):
            obiettivo = Obiettivo.objects.create(
                piano=piano, codice=f"OB{n}", titolo=f"Obiettivo {n}", anno_da=2025, anno_a=2027
            )
            indicatori = Indicatore.objects.bulk_create(
                Indicatore(
                    obiettivo=obiettivo,
                    nome=f"Indicatore {n}-{k}",
                    tipo="output",
                    unita="persone",
                    baseline=Decimal(k),
                    target=Decimal(100 + k),
                )
                for k in range(10)
            )
            Misurazione.objects.bulk_create(
                Misurazione(indicatore=i, anno=2025, valore=Decimal(50), registrata_da=staff)
                for i in indicatori
            )

    client.force_login(staff)
    for suffix in ("", "?format=csv"):
        url = reverse("piani:monitoraggio", args=[piano.pk]) + suffix
        # 1 objective with 10 indicators, then 20 objectives with 200
        same_queries_with_10_and_1000_rows(client, url, lambda a, b: aggiungi(a, min(b, 200)))
        Misurazione.objects.all().delete()
        Indicatore.objects.all().delete()
        Obiettivo.objects.all().delete()

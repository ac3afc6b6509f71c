"""Budget totals against sums done by hand: every cell, row and column total and the grand
total, on the pages, in the CSV files and in the XLSX workbooks read back with openpyxl.

The lines (planned / committed / spent):
- FNPS 2025, OB1 (Anziani): 0.10 and 0.20, three times each        → 0.90
- FNA 2026, OB2 (Disabili): 1234.56 / 1234.57 / 1000.00             (committed above planned)
- FNPS 2027, no objective, cash transfers: 1234.56                   → Multiutenza
- Fondo sociale regionale 2025, OB3 (two groups), facilities: 1234.56 / 0.01 / 0.02
- a removed FNA line of 1,000,000.00 that must count nowhere

Source × year:          2025       2026       2027      planned   committed   spent
  FNPS                  0.90       0.00    1234.56      1235.46        0.00     0.00
  FNA                   0.00    1234.56       0.00      1234.56     1234.57  1000.00
  Fondo sociale reg.  1234.56       0.00       0.00      1234.56        0.01     0.02
  Total              1235.46    1234.56    1234.56      3704.58     1234.58  1000.02
"""

import csv
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ambiti.models import AreaUtenza
from tests.piani.factories import ObiettivoFactory, VoceBudgetFactory, fonte, piano_con_sezioni

D = Decimal


@pytest.fixture
def piano(ambito, staff):
    piano = piano_con_sezioni(ambito, by=staff)
    anziani = AreaUtenza.objects.create(nome="Anziani", ambito=None, ordine=1)
    disabili = AreaUtenza.objects.create(nome="Disabili", ambito=None, ordine=2)
    ob1 = ObiettivoFactory(piano=piano, codice="OB1")
    ob1.aree_utenza.add(anziani)
    ob2 = ObiettivoFactory(piano=piano, codice="OB2")
    ob2.aree_utenza.add(disabili)
    ob3 = ObiettivoFactory(piano=piano, codice="OB3")
    ob3.aree_utenza.add(anziani, disabili)
    for _volta in range(3):
        for importo in ("0.10", "0.20"):
            VoceBudgetFactory(
                piano=piano, anno=2025, fonte=fonte("fnps"), obiettivo=ob1, previsto=D(importo)
            )
    VoceBudgetFactory(
        piano=piano,
        anno=2026,
        fonte=fonte("fna"),
        obiettivo=ob2,
        previsto=D("1234.56"),
        impegnato=D("1234.57"),
        speso=D("1000.00"),
    )
    VoceBudgetFactory(
        piano=piano,
        anno=2027,
        fonte=fonte("fnps"),
        tipo_spesa="trasferimenti",
        previsto=D("1234.56"),
    )
    VoceBudgetFactory(
        piano=piano,
        anno=2025,
        fonte=fonte("fsr"),
        obiettivo=ob3,
        tipo_spesa="strutture",
        previsto=D("1234.56"),
        impegnato=D("0.01"),
        speso=D("0.02"),
    )
    VoceBudgetFactory(
        piano=piano,
        anno=2025,
        fonte=fonte("fna"),
        previsto=D("1000000.00"),
        rimosso_at=timezone.now(),
    )
    return piano


ANNI = ["2025", "2026", "2027"]
FNPS = "Fondo nazionale politiche sociali (FNPS)"
FNA = "Fondo per le non autosufficienze (FNA)"
FONTI = {
    FNPS: ["0.90", "0.00", "1234.56", "1235.46", "0.00", "0.00"],
    FNA: ["0.00", "1234.56", "0.00", "1234.56", "1234.57", "1000.00"],
    "Fondo sociale regionale": ["1234.56", "0.00", "0.00", "1234.56", "0.01", "0.02"],
    "Total": ["1235.46", "1234.56", "1234.56", "3704.58", "1234.58", "1000.02"],
}
AREE = {
    "Anziani": ["0.90", "0.00", "0.00", "0.90", "0.00", "0.00"],
    "Disabili": ["0.00", "1234.56", "0.00", "1234.56", "1234.57", "1000.00"],
    "Multiutenza": ["1234.56", "0.00", "1234.56", "2469.12", "0.01", "0.02"],
    "Total": ["1235.46", "1234.56", "1234.56", "3704.58", "1234.58", "1000.02"],
}
TIPI = {
    "Services": ["0.90", "1234.56", "0.00", "1235.46", "1234.57", "1000.00"],
    "Cash transfers": ["0.00", "0.00", "1234.56", "1234.56", "0.00", "0.00"],
    "Facilities": ["1234.56", "0.00", "0.00", "1234.56", "0.01", "0.02"],
    "Total": ["1235.46", "1234.56", "1234.56", "3704.58", "1234.58", "1000.02"],
}


class Tabelle(HTMLParser):
    """The text of each cell of each table with a ``data-tabella`` attribute."""

    def __init__(self):
        super().__init__()
        self.tabelle, self.nome, self.riga, self.cella = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-tabella" in attrs:
            self.nome = attrs["data-tabella"]
            self.tabelle[self.nome] = []
        elif self.nome and tag == "tr":
            self.riga = []
        elif self.nome and tag in ("td", "th") and self.riga is not None:
            self.cella = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.nome = None
        elif self.nome and tag in ("td", "th") and self.cella is not None:
            self.riga.append(re.sub(r"[ \t\r\n]+", " ", self.cella).strip())
            self.cella = None
        elif self.nome and tag == "tr" and self.riga is not None:
            self.tabelle[self.nome].append(self.riga)
            self.riga = None

    def handle_data(self, data):
        if self.cella is not None:
            self.cella += data


def tabelle(html):
    parser = Tabelle()
    parser.feed(html)
    return parser.tabelle


def euro_en(valore):
    return "€\u00a0" + f"{D(valore):,.2f}"


def euro_it(valore):
    return "€\u00a0" + f"{D(valore):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def come_dict(righe):
    return {r[0]: r[1:] for r in righe}


def test_summary_page_every_cell_and_total(client, sindaco, piano):
    client.force_login(sindaco)
    html = client.get(reverse("piani:riepilogo", args=[piano.pk])).content.decode()
    t = tabelle(html)
    for chiave, attese in [("fonti", FONTI), ("aree", AREE), ("tipi", TIPI)]:
        righe = t[chiave][2:]  # two header rows
        assert [r[0] for r in righe] == list(attese)  # the rows in order, the total last
        assert come_dict(righe) == {
            nome: [euro_en(v) for v in valori] for nome, valori in attese.items()
        }
    # the charts: the source totals and their shares
    assert "€\u00a01,235.46 (33.3%)" in html
    assert "€\u00a02,469.12 (66.7%)" in html


@pytest.mark.italiano
def test_summary_and_budget_in_italian(client, staff, piano):
    client.force_login(staff)
    t = tabelle(client.get(reverse("piani:riepilogo", args=[piano.pk])).content.decode())
    totale = come_dict(t["fonti"][2:])["Totale"]
    assert totale == [euro_it(v) for v in FONTI["Total"]]
    assert totale[3] == "€\u00a03.704,58"
    html = client.get(reverse("piani:budget", args=[piano.pk])).content.decode()
    assert 'data-totale="previsto">€\u00a03.704,58<' in html
    assert 'data-totale="impegnato">€\u00a01.234,58<' in html
    assert 'data-totale="speso">€\u00a01.000,02<' in html


@pytest.mark.parametrize(
    ("filtri", "previsto", "impegnato", "speso"),
    [
        ({}, "3704.58", "1234.58", "1000.02"),
        ({"anno": "2025"}, "1235.46", "0.01", "0.02"),
        ({"fonte": "fnps"}, "1235.46", "0.00", "0.00"),
        ({"fonte": "fnps", "anno": "2025"}, "0.90", "0.00", "0.00"),
        ({"obiettivo": "-"}, "1234.56", "0.00", "0.00"),
        ({"tipo_spesa": "servizi"}, "1235.46", "1234.57", "1000.00"),
    ],
)
def test_budget_totals_of_the_filtered_lines(
    client, sindaco, piano, filtri, previsto, impegnato, speso
):
    if "fonte" in filtri:
        filtri["fonte"] = fonte(filtri["fonte"]).pk
    client.force_login(sindaco)
    url = reverse("piani:budget", args=[piano.pk])
    response = client.get(url, filtri)
    assert response.context["totali"] == {
        "previsto": D(previsto),
        "impegnato": D(impegnato),
        "speso": D(speso),
    }
    html = response.content.decode()
    assert f'data-totale="previsto">{euro_en(previsto)}<' in html

    # the CSV of the same lines ends with the same totals
    csv_righe = list(
        csv.reader(
            io.StringIO(client.get(url, {**filtri, "format": "csv"}).content.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert csv_righe[0][-3:] == ["Planned (€)", "Committed (€)", "Spent (€)"]
    assert csv_righe[-1] == ["Total", "", "", "", "", "", *(
        v.replace(".", ",") for v in (previsto, impegnato, speso)
    )]  # fmt: skip
    somma = sum(D(r[6].replace(",", ".")) for r in csv_righe[1:-1])
    assert somma == D(previsto)

    # and so does the workbook
    wb = load_workbook(io.BytesIO(client.get(url, {**filtri, "format": "xlsx"}).content))
    ws = wb.active
    righe = list(ws.iter_rows(values_only=True))
    ultima = ws[ws.max_row]
    assert righe[-1][0] == "Total"
    assert [D(str(v)) for v in righe[-1][6:9]] == [D(previsto), D(impegnato), D(speso)]
    assert all(c.font.bold for c in ultima)
    assert ultima[6].number_format == '"€" #,##0.00'


def test_budget_is_paginated_and_totals_cover_every_page(client, sindaco, piano):
    for _n in range(30):
        VoceBudgetFactory(piano=piano, anno=2026, fonte=fonte("fsr"), previsto=D("0.01"))
    client.force_login(sindaco)
    url = reverse("piani:budget", args=[piano.pk])
    response = client.get(url, {"page": 2})
    assert response.context["page"].number == 2
    assert response.context["totali"]["previsto"] == D("3704.88")  # 3704.58 + 30 × 0.01
    assert "Total of 39 lines" in response.content.decode()


def test_summary_csv_is_the_source_by_year_table(client, sindaco, piano):
    client.force_login(sindaco)
    response = client.get(reverse("piani:riepilogo", args=[piano.pk]), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    righe = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert righe[0] == ["Funding source", *ANNI, "Total planned", "Committed", "Spent"]
    assert come_dict(righe[1:]) == {
        nome: [v.replace(".", ",") for v in valori] for nome, valori in FONTI.items()
    }


def test_summary_workbook_has_one_sheet_per_table(client, sindaco, piano):
    client.force_login(sindaco)
    response = client.get(reverse("piani:riepilogo", args=[piano.pk]), {"format": "xlsx"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [
        "Funding sources × years",
        "Target groups × years",
        "Spending types × years",
    ]
    for ws, attese, titolo in zip(
        wb.worksheets,
        (FONTI, AREE, TIPI),
        ("Funding source", "Target group", "Spending type"),
        strict=True,
    ):
        righe = list(ws.iter_rows())
        inizio = next(n for n, r in enumerate(righe) if r[0].value == titolo)
        assert [c.value for c in righe[inizio]] == [
            titolo, *ANNI, "Total planned", "Committed", "Spent"
        ]  # fmt: skip
        assert all(c.font.bold for c in righe[inizio])
        dati = righe[inizio + 1 :]
        assert {r[0].value: [D(str(c.value)).quantize(D("0.01")) for c in r[1:]] for r in dati} == {
            nome: [D(v) for v in valori] for nome, valori in attese.items()
        }
        for riga in dati:
            for cella in riga[1:]:
                assert isinstance(cella.value, (int, float))  # numbers, not text
                assert cella.number_format == '"€" #,##0.00'
        assert all(c.font.bold for c in dati[-1])
        assert not any(c.font.bold for c in dati[0])


def test_objective_scheda_totals(client, sindaco, piano):
    ob1 = piano.obiettivi.get(codice="OB1")
    client.force_login(sindaco)
    response = client.get(reverse("piani:obiettivo", args=[ob1.pk]))
    assert response.context["totali"] == {
        "previsto": D("0.90"),
        "impegnato": D("0.00"),
        "speso": D("0.00"),
    }
    assert euro_en("0.90") in response.content.decode()

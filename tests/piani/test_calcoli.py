"""The budget arithmetic against sums done by hand, and the sanitised Markdown."""

from decimal import Decimal

from piani import budget, markdown


def voce(anno, fonte, previsto, *, area="Anziani", impegnato="0", speso="0"):
    return {
        "anno": anno,
        "fonte": fonte,
        "area_utenza": area,
        "previsto": previsto,
        "impegnato": impegnato,
        "speso": speso,
    }


VOCI = [
    voce(2025, "FNPS", "0.10"),
    voce(2025, "FNPS", "0.20"),
    voce(2026, "FNPS", "1234.56", impegnato="1000.00", speso="999.99"),
    voce(2025, "FNA", "250000.00", area="Disabili"),
    voce(2027, "FNA", "99.995"),  # a third decimal from a bad import rounds half up
    voce(2026, "Quote comunali", "310450.75", area="Multiutenza", impegnato="0.01"),
]


def test_cross_table_cells_and_totals_are_exact():
    t = budget.tabella(VOCI, "fonte", "anno", colonne=[2025, 2026, 2027])

    assert t.righe == ["FNA", "FNPS", "Quote comunali"]
    assert t.celle[("FNPS", 2025)] == Decimal("0.30")  # not 0.30000000000000004
    assert t.celle[("FNA", 2027)] == Decimal("100.00")
    assert t.totali_riga == {
        "FNA": Decimal("250100.00"),
        "FNPS": Decimal("1234.86"),
        "Quote comunali": Decimal("310450.75"),
    }
    assert t.totali_colonna == {
        2025: Decimal("250000.30"),
        2026: Decimal("311685.31"),
        2027: Decimal("100.00"),
    }
    assert t.totale == Decimal("561785.61")  # 250000.30 + 311685.31 + 100.00
    assert t.righe_complete()[1] == (
        "FNPS",
        [Decimal("0.30"), Decimal("1234.56"), Decimal("0.00")],
        Decimal("1234.86"),
    )


def test_empty_years_stay_as_zero_columns():
    t = budget.tabella(VOCI[:2], "area_utenza", "anno", colonne=[2025, 2026, 2027])
    assert t.colonne_totali() == [Decimal("0.30"), Decimal("0.00"), Decimal("0.00")]


def test_totals_of_the_three_amounts():
    assert budget.totali(VOCI) == {
        "previsto": Decimal("561785.61"),
        "impegnato": Decimal("1000.01"),
        "speso": Decimal("999.99"),
    }


def test_target_group_of_a_line():
    assert budget.area_utenza(["Anziani"]) == "Anziani"
    assert budget.area_utenza(["Anziani", "Disabili"]) == "Multiutenza"
    assert budget.area_utenza([]) == "Multiutenza"


def test_municipal_quotas_per_resident_rounded_to_the_cent():
    quote = budget.quote_comunali(
        [("Casalmaggiore", 15402), ("Viadana", 19951), ("Gussola", None)], Decimal("3.35")
    )
    assert [(q.comune, q.importo) for q in quote] == [
        ("Casalmaggiore", Decimal("51596.70")),  # 15402 × 3.35
        ("Viadana", Decimal("66835.85")),  # 19951 × 3.35
        ("Gussola", Decimal("0.00")),  # no population loaded yet
    ]


def test_markdown_is_formatted_and_scripts_are_removed():
    html = markdown.render(
        "## Servizi\n\n**Servizio sociale** in *tutti* i comuni.\n\n"
        "<script>alert('x')</script>\n\n[link](javascript:alert(1)) [sito](https://example.org)"
        '\n\n<img src=x onerror="alert(1)">'
    )
    assert "<strong>Servizio sociale</strong>" in html
    assert "<em>tutti</em>" in html
    assert "<h4>Servizi</h4>" in html
    assert "<script" not in html and "alert" not in html
    assert "javascript:" not in html
    assert "onerror" not in html and "<img" not in html
    assert 'href="https://example.org"' in html

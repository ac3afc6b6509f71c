"""The budget, its summary and the quotas run as many queries with many rows as with few."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from ambiti.models import AppartenenzaComune, AreaUtenza, Comune, Popolazione
from piani.models import Azione, FonteFinanziamento, Obiettivo, VoceBudget
from tests.ambiti.test_views_queries import same_queries_with_10_and_1000_rows
from tests.piani.factories import piano_con_sezioni


@pytest.fixture
def piano(ambito, staff):
    return piano_con_sezioni(ambito, by=staff)


def aggiungi_voci(piano):
    fonti = list(FonteFinanziamento.objects.filter(ambito__isnull=True)[:5])
    aree = [
        AreaUtenza.objects.get_or_create(nome=nome, ambito=None)[0]
        for nome in ("Anziani", "Disabili", "Minori")
    ]

    def aggiungi(da, a):
        a = min(a, 300)
        obiettivi = Obiettivo.objects.bulk_create(
            Obiettivo(
                piano=piano, codice=f"OB{n}", titolo=f"Obiettivo {n}", anno_da=2025, anno_a=2027
            )
            for n in range(da, a, 5)
        )
        for n, o in enumerate(obiettivi):
            o.aree_utenza.add(*aree[: 1 + n % 3])
        azioni = Azione.objects.bulk_create(
            Azione(obiettivo=o, anno=2025, titolo=f"Azione {o.codice}") for o in obiettivi
        )
        VoceBudget.objects.bulk_create(
            VoceBudget(
                piano=piano,
                anno=2025 + n % 3,
                fonte=fonti[n % len(fonti)],
                obiettivo=obiettivi[(n - da) // 5] if n % 2 else None,
                azione=azioni[(n - da) // 5] if n % 4 == 1 else None,
                tipo_spesa=VoceBudget.TipoSpesa.choices[n % 3][0],
                previsto=Decimal("1234.56"),
                impegnato=Decimal("0.10"),
            )
            for n in range(da, a)
        )

    return aggiungi


@pytest.mark.parametrize(
    ("nome", "suffix"),
    [
        ("piani:budget", ""),
        ("piani:budget", "?format=csv"),
        ("piani:budget", "?format=xlsx"),
        ("piani:budget", "?anno=2025&tipo_spesa=servizi"),
        ("piani:riepilogo", ""),
        ("piani:riepilogo", "?format=csv"),
        ("piani:riepilogo", "?format=xlsx"),
    ],
)
def test_budget_pages(client, staff, piano, nome, suffix):
    client.force_login(staff)
    url = reverse(nome, args=[piano.pk]) + suffix
    same_queries_with_10_and_1000_rows(client, url, aggiungi_voci(piano))


def test_obiettivo_scheda(client, staff, piano):
    obiettivo = Obiettivo.objects.create(
        piano=piano, codice="OB", titolo="Scheda", anno_da=2025, anno_a=2027
    )
    fonte = FonteFinanziamento.objects.filter(ambito__isnull=True).first()

    def aggiungi(da, a):
        a = min(a, 200)
        azioni = Azione.objects.bulk_create(
            Azione(obiettivo=obiettivo, anno=2025 + n % 3, titolo=f"Azione {n}")
            for n in range(da, a)
        )
        VoceBudget.objects.bulk_create(
            VoceBudget(
                piano=piano,
                anno=azione.anno,
                fonte=fonte,
                obiettivo=obiettivo,
                azione=azione,
                tipo_spesa="servizi",
                previsto=Decimal("1.00"),
            )
            for azione in azioni
        )

    client.force_login(staff)
    url = reverse("piani:obiettivo", args=[obiettivo.pk])
    same_queries_with_10_and_1000_rows(client, url, aggiungi)


def test_quote(client, staff, piano, ambito):
    def aggiungi(da, a):
        a = min(a, 300)
        comuni = Comune.objects.bulk_create(
            Comune(
                codice_catastale=f"Q{n:03d}", nome=f"Comune {n:03d}", provincia="CR", regione="LOM"
            )
            for n in range(da, a)
        )
        AppartenenzaComune.objects.bulk_create(
            AppartenenzaComune(ambito=ambito, comune=c) for c in comuni
        )
        Popolazione.objects.bulk_create(
            Popolazione(comune=c, data_riferimento=date(2024, 1, 1), residenti=1000 + n)
            for n, c in enumerate(comuni)
        )

    piano.quota_pro_capite = Decimal("3.50")
    piano.save()
    client.force_login(staff)
    same_queries_with_10_and_1000_rows(client, reverse("piani:quote", args=[piano.pk]), aggiungi)

"""The list of objectives runs as many queries with many objectives as with few."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ambiti.models import AreaUtenza
from piani.models import Azione, FonteFinanziamento, Indicatore, Obiettivo, VoceBudget
from tavoli.models import AreaPolicy
from tests.ambiti.test_views_queries import same_queries_with_10_and_1000_rows
from tests.piani.factories import piano_con_sezioni


@pytest.fixture
def piano(ambito, staff):
    return piano_con_sezioni(ambito, by=staff)


@pytest.mark.parametrize("suffix", ["", "?format=csv", "?q=Obiettivo&area_utenza=PK"])
def test_objectives_list(client, staff, piano, suffix):
    area = AreaUtenza.objects.create(nome="Anziani", ambito=None)
    policy = AreaPolicy.objects.create(nome="Domiciliarità", ambito=None)
    fonte = FonteFinanziamento.objects.filter(ambito__isnull=True).first()

    def aggiungi(da, a):
        a = min(a, 300)
        obiettivi = Obiettivo.objects.bulk_create(
            Obiettivo(
                piano=piano,
                codice=f"OB{n}",
                titolo=f"Obiettivo {n}",
                area_policy=policy if n % 2 else None,
                anno_da=2025,
                anno_a=2027,
                ordine=n,
            )
            for n in range(da, a)
        )
        Obiettivo.aree_utenza.through.objects.bulk_create(
            Obiettivo.aree_utenza.through(obiettivo=o, areautenza=area) for o in obiettivi
        )
        Azione.objects.bulk_create(Azione(obiettivo=o, anno=2025, titolo="A") for o in obiettivi)
        Indicatore.objects.bulk_create(
            Indicatore(
                obiettivo=o, nome="I", tipo="output", unita="u", baseline=0, target=Decimal(1)
            )
            for o in obiettivi
        )
        VoceBudget.objects.bulk_create(
            VoceBudget(
                piano=piano,
                anno=2025,
                fonte=fonte,
                obiettivo=o,
                tipo_spesa="servizi",
                previsto=Decimal("0.10"),
            )
            for o in obiettivi
        )

    client.force_login(staff)
    url = reverse("piani:obiettivi", args=[piano.pk]) + suffix.replace("PK", str(area.pk))
    same_queries_with_10_and_1000_rows(client, url, aggiungi)

"""The notices' lists and pages run as many queries with 1,000 rows as with 10."""

import pytest
from django.urls import reverse

from ambiti.models import Ambito
from terzo_settore.models import AllegatoAvviso, Avviso, TavoloOfferto
from tests.ambiti.test_views_queries import same_queries_with_10_and_1000_rows
from tests.terzo_settore.factories import AvvisoFactory
from tests.terzo_settore.test_avvisi_home import blocchi  # noqa: F401 (fixture)


def add_avvisi(ambito, by, start, stop, **kwargs):
    template = AvvisoFactory.build(ambito=ambito, created_by=by, **kwargs)
    Avviso.objects.bulk_create(
        Avviso(
            ambito=ambito,
            tipo=template.tipo,
            titolo=f"Avviso {n:04d}",
            testo="Testo",
            apertura=template.apertura,
            chiusura=template.chiusura,
            stato=template.stato,
            pubblicato_at=template.pubblicato_at,
            created_by=by,
        )
        for n in range(start, stop)
    )


def add_avvisi_di_ambiti(by, start, stop):
    ambiti = Ambito.objects.bulk_create(
        Ambito(codice=f"ambito-{n}", nome=f"Ambito {n:04d}", regione="LOM")
        for n in range(start, stop)
    )
    for ambito in ambiti[:3]:
        add_avvisi(ambito, by, start, start + 1)
    add_avvisi(ambiti[0], by, start + 1, stop)


@pytest.mark.parametrize("suffix", ["", "?tipo=adesione"], ids=["page", "filtered"])
def test_public_list_of_notices(client, staff, ambito, suffix):
    url = reverse("terzo_settore:avvisi") + suffix
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_avvisi_di_ambiti(staff, a, b))


def test_notices_of_the_ambito_in_the_back_office(client, staff, ambito):
    client.force_login(staff)
    url = reverse("terzo_settore:avvisi_gestione", args=[ambito.codice])
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_avvisi(ambito, staff, a, b))


def test_home_page_with_open_notices(client, blocchi, staff, ambito):  # noqa: F811
    same_queries_with_10_and_1000_rows(
        client, reverse("home"), lambda a, b: add_avvisi(ambito, staff, a, b)
    )


def test_home_page_of_a_referente_with_open_notices(client, blocchi, referente, ambito):  # noqa: F811
    client.force_login(referente)
    same_queries_with_10_and_1000_rows(
        client, reverse("home"), lambda a, b: add_avvisi(ambito, referente, a, b)
    )


@pytest.mark.parametrize("name", ["terzo_settore:avviso", "terzo_settore:avviso_gestione"])
def test_page_of_a_notice_with_many_tables_and_documents(client, staff, ambito, name):
    avviso = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.MANIFESTAZIONE, created_by=staff)
    client.force_login(staff)

    def add_righe(start, stop):
        TavoloOfferto.objects.bulk_create(
            TavoloOfferto(avviso=avviso, nome=f"Tavolo {n}", ordine=n) for n in range(start, stop)
        )
        AllegatoAvviso.objects.bulk_create(
            AllegatoAvviso(avviso=avviso, titolo=f"Documento {n}", file=f"avvisi/doc-{n}.pdf")
            for n in range(start, stop)
        )

    same_queries_with_10_and_1000_rows(client, reverse(name, args=[avviso.pk]), add_righe)

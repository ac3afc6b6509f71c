"""The review queue and the lists of applications run as many queries with 1,000 rows as
with 10."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ambiti.models import AreaUtenza, Ente
from terzo_settore.models import AllegatoDomanda, Avviso, Domanda, Organizzazione
from tests.ambiti.test_views_queries import same_queries_with_10_and_1000_rows
from tests.terzo_settore.factories import AvvisoFactory
from tests.terzo_settore.test_avvisi_home import blocchi  # noqa: F401 (fixture)


def add_domande(avviso, start, stop, *, stato=Domanda.Stato.INVIATA):
    """``stop - start`` applications of as many organisations (with a target group each)."""
    area = AreaUtenza.objects.get_or_create(nome="Area di prova", ambito=None)[0]
    enti = Ente.objects.bulk_create(
        Ente(tipo=Ente.Tipo.TERZO_SETTORE, denominazione=f"Associazione {n:04d}")
        for n in range(start, stop)
    )
    organizzazioni = Organizzazione.objects.bulk_create(
        Organizzazione(ente=e, forma_giuridica="aps", rappresentante_legale="Mario Rossi")
        for e in enti
    )
    Organizzazione.aree.through.objects.bulk_create(
        Organizzazione.aree.through(organizzazione=o, areautenza=area) for o in organizzazioni
    )
    inviata = stato != Domanda.Stato.BOZZA
    return Domanda.objects.bulk_create(
        Domanda(
            avviso=avviso,
            ambito=avviso.ambito,
            organizzazione=o,
            stato=stato,
            protocollo_anno=2026 if inviata else None,
            protocollo_numero=n if inviata else None,
            inviata_at=timezone.now() if inviata else None,
            created_by=avviso.created_by,
        )
        for n, o in zip(range(start + 1, stop + 1), organizzazioni, strict=True)
    )


@pytest.mark.parametrize(
    "suffix",
    ["", "?format=csv", "?q=associazione&stato=inviata&dal=2020-01-01"],
    ids=["page", "csv", "filtered"],
)
def test_review_queue(client, staff, ambito, suffix):
    avviso = AvvisoFactory(ambito=ambito)
    client.force_login(staff)
    url = reverse("terzo_settore:istruttoria") + suffix
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_domande(avviso, a, b))


def test_home_of_staff_with_applications_to_review(client, blocchi, staff, ambito):  # noqa: F811
    avviso = AvvisoFactory(ambito=ambito)
    client.force_login(staff)
    same_queries_with_10_and_1000_rows(
        client, reverse("home"), lambda a, b: add_domande(avviso, a, b)
    )


def test_my_applications(client, referente, ambito):
    organizzazione = Organizzazione.objects.get(referenti__user=referente)
    client.force_login(referente)

    def add_domande_di_girasole(start, stop):
        modello = AvvisoFactory.build(ambito=ambito, created_by=referente)
        avvisi = Avviso.objects.bulk_create(
            Avviso(
                ambito=ambito,
                tipo=modello.tipo,
                titolo=f"Avviso {n:04d}",
                testo="Testo",
                apertura=modello.apertura,
                chiusura=modello.chiusura,
                stato=modello.stato,
                created_by=referente,
            )
            for n in range(start, stop)
        )
        Domanda.objects.bulk_create(
            Domanda(avviso=a, ambito=ambito, organizzazione=organizzazione, created_by=referente)
            for a in avvisi
        )

    same_queries_with_10_and_1000_rows(
        client, reverse("terzo_settore:domande"), add_domande_di_girasole
    )


def test_page_of_an_application_with_many_attachments(client, referente, ambito):
    avviso = AvvisoFactory(ambito=ambito)
    organizzazione = Organizzazione.objects.get(referenti__user=referente)
    domanda = Domanda.objects.create(
        avviso=avviso, ambito=ambito, organizzazione=organizzazione, created_by=referente
    )
    client.force_login(referente)

    def add_allegati(start, stop):
        AllegatoDomanda.objects.bulk_create(
            AllegatoDomanda(
                domanda=domanda,
                titolo=f"Allegato {n}",
                file=f"domande/2026/allegato-{n}.pdf",
                dimensione=1000,
                caricato_da=referente,
            )
            for n in range(start, stop)
        )

    for name in ("terzo_settore:domanda", "terzo_settore:domanda_modifica"):
        AllegatoDomanda.objects.all().delete()
        same_queries_with_10_and_1000_rows(client, reverse(name, args=[domanda.pk]), add_allegati)

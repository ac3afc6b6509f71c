"""The organisation lists run as many SQL queries with 1,000 rows as with 10: no N+1."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambiti.models import AreaUtenza, Comune, Ente
from pdz.models import User
from terzo_settore.models import Avviso, Domanda, Organizzazione, Referente
from terzo_settore.todo_organizzazioni import todo_referente_organizzazioni
from tests.ambiti.test_views_queries import same_queries_with_10_and_1000_rows
from tests.terzo_settore.factories import AvvisoFactory, codice_fiscale_ente


def add_organizzazioni(start, stop, sede=None):
    enti = Ente.objects.bulk_create(
        Ente(
            tipo=Ente.Tipo.TERZO_SETTORE,
            denominazione=f"Associazione {n:04d}",
            codice_fiscale=codice_fiscale_ente(50000 + n),
            sede=sede,
        )
        for n in range(start, stop)
    )
    organizzazioni = Organizzazione.objects.bulk_create(
        Organizzazione(
            ente=e,
            forma_giuridica=Organizzazione.FormaGiuridica.APS,
            sezione_runts="b",
            numero_repertorio=str(n),
            rappresentante_legale="Presidente",
            sito_web=f"https://a{n}.example.org",
        )
        for n, e in zip(range(start, stop), enti, strict=True)
    )
    aree = list(AreaUtenza.objects.filter(ambito=None)[:2])
    Organizzazione.aree.through.objects.bulk_create(
        Organizzazione.aree.through(organizzazione=o, areautenza=a)
        for o in organizzazioni
        for a in aree
    )
    return organizzazioni


def add_ammesse(avviso, start, stop):
    sede = Comune.objects.get(codice_catastale="B898")
    organizzazioni = add_organizzazioni(start, stop, sede)
    Domanda.objects.bulk_create(
        Domanda(
            avviso=avviso,
            ambito=avviso.ambito,
            organizzazione=o,
            stato=Domanda.Stato.AMMESSA,
            created_by=avviso.created_by,
        )
        for o in organizzazioni
    )


AVVISO = "Adesione per le query"


def add_referenze(user, start, stop):
    """``user`` acts for many organisations: some managed, with requests and applications,
    some only asked."""
    organizzazioni = add_organizzazioni(start, stop)
    avviso = Avviso.objects.filter(titolo=AVVISO).first() or AvvisoFactory(titolo=AVVISO)
    richiedenti = User.objects.bulk_create(
        User(email=f"richiedente{n}@example.org", full_name=f"Richiedente {n}", password="!")
        for n in range(start, stop)
    )
    Referente.objects.bulk_create(
        Referente(
            organizzazione=o,
            user=user,
            gestore=n % 2 == 0,
            stato=Referente.Stato.ATTIVO if n % 3 else Referente.Stato.RICHIESTA,
        )
        for n, o in zip(range(start, stop), organizzazioni, strict=True)
    )
    Referente.objects.bulk_create(
        Referente(organizzazione=o, user=u, stato=Referente.Stato.RICHIESTA)
        for o, u in zip(organizzazioni, richiedenti, strict=True)
    )
    Domanda.objects.bulk_create(
        Domanda(
            avviso=avviso,
            ambito=avviso.ambito,
            organizzazione=o,
            stato=Domanda.Stato.INVIATA,
            protocollo_anno=2026,
            protocollo_numero=n + 1,
            inviata_at=timezone.now(),
            created_by=user,
        )
        for n, o in zip(range(start, stop), organizzazioni, strict=True)
    )


@pytest.mark.parametrize(
    "suffix",
    ["", "?format=csv", "?q=associazione&forma_giuridica=aps"],
    ids=["page", "csv", "filtered"],
)
def test_public_register(client, ambito, suffix):
    avviso = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.ADESIONE)
    url = reverse("terzo_settore:registro", args=[ambito.codice]) + suffix
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_ammesse(avviso, a, b))


def test_public_register_filtered_by_area(client, ambito):
    avviso = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.ADESIONE)
    area = AreaUtenza.objects.filter(ambito=None).first()
    url = reverse("terzo_settore:registro", args=[ambito.codice]) + f"?area={area.pk}"
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_ammesse(avviso, a, b))


def test_my_organisations(client, alice):
    client.force_login(alice)
    url = reverse("terzo_settore:mie_organizzazioni")
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_referenze(alice, a, b))


def test_page_of_an_organisation_with_many_referenti_and_applications(client, referente, ambito):
    girasole = Organizzazione.objects.get(ente__denominazione="Cooperativa sociale Il Girasole")
    url = reverse("terzo_settore:organizzazione", args=[girasole.pk])
    client.force_login(referente)

    def add_rows(start, stop):
        users = User.objects.bulk_create(
            User(email=f"persona{n}@example.org", full_name=f"Persona {n:04d}", password="!")
            for n in range(start, stop)
        )
        Referente.objects.bulk_create(
            Referente(
                organizzazione=girasole,
                user=u,
                stato=Referente.Stato.ATTIVO if n % 2 else Referente.Stato.RICHIESTA,
            )
            for n, u in zip(range(start, stop), users, strict=True)
        )
        avvisi = Avviso.objects.bulk_create(
            Avviso(
                ambito=ambito,
                tipo=Avviso.Tipo.ADESIONE,
                titolo=f"Avviso {n}",
                testo=".",
                apertura=timezone.now(),
                chiusura=timezone.now() + datetime.timedelta(days=1),
                created_by=referente,
            )
            for n in range(start, stop)
        )
        Domanda.objects.bulk_create(
            Domanda(avviso=a, ambito=ambito, organizzazione=girasole, created_by=referente)
            for a in avvisi
        )

    same_queries_with_10_and_1000_rows(client, url, add_rows)


def test_things_to_do_of_a_referente(alice):
    request = RequestFactory().get("/")
    request.user = alice

    def count():
        with CaptureQueriesContext(connection) as captured:
            blocks = todo_referente_organizzazioni(request)
        return len(captured), blocks

    add_referenze(alice, 0, 10)
    few, _ = count()
    add_referenze(alice, 10, 1000)
    many, blocks = count()
    assert few == many
    assert len(blocks[0].items) == 5

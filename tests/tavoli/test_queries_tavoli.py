"""The lists of bodies, members, meetings and deliveries run as many queries with 1,000 rows
as with 10."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambiti.models import AreaUtenza, Ente
from tavoli.models import Convocazione, Documento, Incontro, Membro, Tavolo
from tests.ambiti.test_views_queries import same_queries_with_10_and_1000_rows
from tests.tavoli.factories import IncontroFactory, TavoloFactory


def add_enti(start, stop):
    return Ente.objects.bulk_create(
        Ente(tipo=Ente.Tipo.TERZO_SETTORE, denominazione=f"Associazione {n:04d}")
        for n in range(start, stop)
    )


def add_membri(tavolo, start, stop):
    return Membro.objects.bulk_create(
        Membro(
            tavolo=tavolo,
            ente=ente,
            delegato_nome=f"Delegato {n}",
            delegato_email=f"delegato{n}@example.org",
            supplente_nome=f"Supplente {n}" if n % 2 else "",
            supplente_email=f"supplente{n}@example.org" if n % 2 else "",
            ruolo=Membro.Ruolo.COMPONENTE,
            rimosso_at=timezone.now() if n % 10 == 9 else None,
        )
        for n, ente in zip(range(start, stop), add_enti(start, stop), strict=True)
    )


def add_tavoli(ambito, altro_ambito, start, stop, *, by):
    area = AreaUtenza.objects.get_or_create(nome="Area di prova", ambito=None)[0]
    tavoli = Tavolo.objects.bulk_create(
        Tavolo(
            ambito=ambito,
            tipo=Tavolo.Tipo.AREA,
            nome=f"Tavolo {n:04d}",
            pubblico=bool(n % 2),
        )
        for n in range(start, stop)
    )
    Tavolo.aree_utenza.through.objects.bulk_create(
        Tavolo.aree_utenza.through(tavolo=t, areautenza=area) for t in tavoli
    )
    Tavolo.ambiti_coinvolti.through.objects.bulk_create(
        Tavolo.ambiti_coinvolti.through(tavolo=t, ambito=altro_ambito) for t in tavoli
    )
    Membro.objects.bulk_create(
        Membro(tavolo=t, ente=e, delegato_nome="Delegato", delegato_email="d@example.org")
        for t, e in zip(tavoli, add_enti(start, stop), strict=True)
    )
    inizio = timezone.now() + timedelta(days=7)
    Incontro.objects.bulk_create(
        Incontro(
            tavolo=t,
            titolo="Seduta",
            inizio=inizio,
            fine=inizio + timedelta(hours=2),
            luogo="Sala",
            created_by=by,
        )
        for t in tavoli
    )


def add_incontri(tavolo, start, stop, *, by):
    adesso = timezone.now()
    Incontro.objects.bulk_create(
        Incontro(
            tavolo=tavolo,
            titolo=f"Seduta {n:04d}",
            inizio=adesso + timedelta(days=n - 500),
            fine=adesso + timedelta(days=n - 500, hours=2),
            luogo="Sala consiliare",
            stato=Incontro.Stato.PIANIFICATO if n >= 500 else Incontro.Stato.SVOLTO,
            created_by=by,
        )
        for n in range(start, stop)
    )


@pytest.fixture
def tavolo(ambito):
    return TavoloFactory(ambito=ambito, nome="Tavolo con molti membri")


@pytest.mark.parametrize(
    ("persona", "suffix"),
    [
        ("staff", ""),
        ("staff", "?format=csv"),
        ("staff", "?q=tavolo&tipo=area"),
        ("anonymous", ""),
        ("admin_regionale", ""),
    ],
    ids=["page", "csv", "filtered", "anonymous", "regional"],
)
def test_list_of_bodies(client, request, ambito, altro_ambito, staff, persona, suffix):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = reverse("tavoli:list") + suffix
    same_queries_with_10_and_1000_rows(
        client, url, lambda a, b: add_tavoli(ambito, altro_ambito, a, b, by=staff)
    )


@pytest.mark.parametrize(
    ("persona", "suffix"),
    [
        ("staff", ""),
        ("staff", "?format=csv"),
        ("staff", "?q=associazione&ruolo=componente&voto=1&rimossi=on"),
        ("anonymous", ""),
        ("anonymous", "?format=csv"),
    ],
    ids=["page", "csv", "filtered", "anonymous", "anonymous-csv"],
)
def test_members_page(client, request, tavolo, persona, suffix):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = reverse("tavoli:membri", args=[tavolo.pk]) + suffix
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_membri(tavolo, a, b))


@pytest.mark.parametrize("persona", ["staff", "anonymous"])
def test_page_of_a_body_with_many_members_and_meetings(client, request, tavolo, staff, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    def add_rows(a, b):
        add_membri(tavolo, a, b)
        add_incontri(tavolo, a, b, by=staff)

    same_queries_with_10_and_1000_rows(client, reverse("tavoli:tavolo", args=[tavolo.pk]), add_rows)


@pytest.mark.parametrize(
    ("persona", "suffix"),
    [
        ("staff", ""),
        ("staff", "?format=csv"),
        ("staff", "?q=seduta&stato=svolto&dal=2020-01-01&al=2099-12-31"),
        ("anonymous", ""),
    ],
    ids=["page", "csv", "filtered", "anonymous"],
)
def test_list_of_meetings(client, request, tavolo, staff, persona, suffix):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = reverse("tavoli:incontri") + suffix
    same_queries_with_10_and_1000_rows(
        client, url, lambda a, b: add_incontri(tavolo, a, b, by=staff)
    )


@pytest.mark.parametrize(
    "suffix",
    ["", "?format=csv", "?fragment=1", "?q=associazione&stato=in_coda&risposta=-"],
    ids=["page", "csv", "fragment", "filtered"],
)
def test_delivery_table(client, tavolo, staff, suffix):
    incontro = IncontroFactory(tavolo=tavolo, stato=Incontro.Stato.CONVOCATO, created_by=staff)
    client.force_login(staff)

    def add_convocazioni(a, b):
        Convocazione.objects.bulk_create(
            Convocazione(
                incontro=incontro,
                membro=membro,
                destinatario=Convocazione.Destinatario.DELEGATO,
                canale=Convocazione.Canale.EMAIL,
                nome=membro.delegato_nome,
                email=membro.delegato_email,
                stato=[Convocazione.Stato.IN_CODA, Convocazione.Stato.INVIATA][membro.pk % 2],
                risposta=["", Convocazione.Risposta.SI][membro.pk % 2],
            )
            for membro in add_membri(tavolo, a, b)
        )

    url = reverse("tavoli:consegne", args=[incontro.pk]) + suffix
    same_queries_with_10_and_1000_rows(client, url, add_convocazioni)


def test_page_of_a_meeting_with_many_documents_and_recipients(client, tavolo, staff):
    incontro = IncontroFactory(tavolo=tavolo, stato=Incontro.Stato.CONVOCATO, created_by=staff)
    client.force_login(staff)

    def add_rows(a, b):
        Documento.objects.bulk_create(
            Documento(
                incontro=incontro,
                tipo=Documento.Tipo.DOCUMENTO,
                titolo=f"Documento {n}",
                file=f"incontri/2026/documento-{n}.pdf",
                caricato_da=staff,
            )
            for n in range(a, b)
        )
        Convocazione.objects.bulk_create(
            Convocazione(
                incontro=incontro,
                membro=membro,
                destinatario=Convocazione.Destinatario.DELEGATO,
                canale=Convocazione.Canale.EMAIL,
                nome=membro.delegato_nome,
                email=membro.delegato_email,
            )
            for membro in add_membri(tavolo, a, b)
        )

    same_queries_with_10_and_1000_rows(
        client, reverse("tavoli:incontro", args=[incontro.pk]), add_rows
    )


def test_convene_confirmation_with_many_members(client, tavolo, staff):
    incontro = IncontroFactory(tavolo=tavolo, created_by=staff)
    client.force_login(staff)
    same_queries_with_10_and_1000_rows(
        client,
        reverse("tavoli:incontro_convoca", args=[incontro.pk]),
        lambda a, b: add_membri(tavolo, a, b),
    )

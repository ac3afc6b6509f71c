"""The votes list, the attendance register and the minutes run as many queries with 1,000
rows as with 10."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambiti.models import Ente
from tavoli import services
from tavoli.models import Convocazione, Incontro, Membro, Presenza, Votazione, Voto
from tests.ambiti.test_views_queries import same_queries_with_10_and_1000_rows
from tests.tavoli.factories import (
    IncontroFactory,
    PuntoOdgFactory,
    RegolaVotoFactory,
    TavoloFactory,
)


@pytest.fixture
def tavolo(ambito):
    return TavoloFactory(
        ambito=ambito, nome="Tavolo di consultazione", regola_voto=RegolaVotoFactory()
    )


@pytest.fixture
def seduta(tavolo, staff):
    inizio = timezone.now() - timedelta(hours=1)
    return IncontroFactory(
        tavolo=tavolo,
        inizio=inizio,
        fine=inizio + timedelta(hours=2),
        stato=Incontro.Stato.CONVOCATO,
        created_by=staff,
    )


def add_membri(tavolo, start, stop):
    enti = Ente.objects.bulk_create(
        Ente(tipo=Ente.Tipo.TERZO_SETTORE, denominazione=f"Associazione {n:04d}")
        for n in range(start, stop)
    )
    return Membro.objects.bulk_create(
        Membro(
            tavolo=tavolo,
            ente=ente,
            delegato_nome=f"Delegato {n}",
            delegato_email=f"delegato{n}@example.org",
        )
        for n, ente in zip(range(start, stop), enti, strict=True)
    )


@pytest.mark.parametrize(
    "suffix",
    ["", "?format=csv", "?q=mozione&stato=chiusa"],
    ids=["page", "csv", "filtered"],
)
def test_votes_list(client, tavolo, staff, suffix):
    punto = PuntoOdgFactory(incontro__tavolo=tavolo, incontro__created_by=staff)
    membro = add_membri(tavolo, 0, 1)[0]

    def add_votazioni(start, stop):
        votazioni = Votazione.objects.bulk_create(
            Votazione(
                tavolo=tavolo,
                punto=punto if n % 2 else None,
                oggetto=f"Mozione {n:04d}",
                modalita=Votazione.Modalita.ONLINE,
                stato=Votazione.Stato.CHIUSA,
                esito=Votazione.Esito.APPROVATA,
                regola={},
                aperta_da=staff,
            )
            for n in range(start, stop)
        )
        Voto.objects.bulk_create(
            Voto(votazione=v, membro=membro, scelta=Voto.Scelta.FAVOREVOLE, espresso_da=staff)
            for v in votazioni
        )

    client.force_login(staff)
    url = reverse("tavoli:votazioni", args=[tavolo.pk]) + suffix
    same_queries_with_10_and_1000_rows(client, url, add_votazioni)


def test_attendance_register_of_1000_members(client, tavolo, seduta, staff):
    def add(start, stop):
        membri = add_membri(tavolo, start, stop)
        Convocazione.objects.bulk_create(
            Convocazione(
                incontro=seduta,
                membro=m,
                destinatario=Convocazione.Destinatario.DELEGATO,
                canale=Convocazione.Canale.EMAIL,
                nome=m.delegato_nome,
                email=m.delegato_email,
                risposta=Convocazione.Risposta.SI if i % 2 else Convocazione.Risposta.NO,
            )
            for i, m in enumerate(membri)
        )

    client.force_login(staff)
    same_queries_with_10_and_1000_rows(client, reverse("tavoli:presenze", args=[seduta.pk]), add)


def test_attendance_register_once_taken(client, tavolo, seduta, staff):
    def add(start, stop):
        membri = add_membri(tavolo, start, stop)
        Presenza.objects.bulk_create(
            Presenza(incontro=seduta, membro=m, stato=Presenza.Stato.PRESENTE, registrato_da=staff)
            for m in membri
        )

    client.force_login(staff)
    same_queries_with_10_and_1000_rows(client, reverse("tavoli:presenze", args=[seduta.pk]), add)


def test_minutes_with_1000_members(client, tavolo, seduta, staff):
    punto = PuntoOdgFactory(incontro=seduta, numero=1)
    services.registra_presenze(seduta, {}, by=staff)
    services.salva_verbale(seduta, generale="Verbale.", punti={}, by=staff)
    votazione = services.apri_votazione(
        tavolo, oggetto="Mozione", modalita="palese", punto=punto, by=staff
    )

    def add(start, stop):
        membri = add_membri(tavolo, start, stop)
        Presenza.objects.bulk_create(
            Presenza(incontro=seduta, membro=m, stato=Presenza.Stato.PRESENTE, registrato_da=staff)
            for m in membri
        )
        Voto.objects.bulk_create(
            Voto(votazione=votazione, membro=m, scelta=Voto.Scelta.FAVOREVOLE, espresso_da=staff)
            for m in membri
        )

    client.force_login(staff)
    same_queries_with_10_and_1000_rows(client, reverse("tavoli:verbale", args=[seduta.pk]), add)


def test_closed_vote_page_with_1000_members(client, tavolo, staff):
    votazione = services.apri_votazione(tavolo, oggetto="Mozione", modalita="online", by=staff)

    def add(start, stop):
        membri = add_membri(tavolo, start, stop)
        Voto.objects.bulk_create(
            Voto(votazione=votazione, membro=m, scelta=Voto.Scelta.CONTRARIO, espresso_da=staff)
            for m in membri
        )
        # The count is stored when the vote closes: recount it as if it closed now.
        Votazione.objects.filter(pk=votazione.pk).update(stato=Votazione.Stato.APERTA)
        services.chiudi_votazione(votazione, by=staff)

    client.force_login(staff)
    same_queries_with_10_and_1000_rows(
        client, reverse("tavoli:votazione", args=[votazione.pk]), add
    )

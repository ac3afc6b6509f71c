"""Every list page runs as many SQL queries with 1,000 rows as with 10: no N+1."""

import secrets
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambiti.models import (
    Ambito,
    AppartenenzaComune,
    Comune,
    Ente,
    Invito,
    Popolazione,
    Ruolo,
    SubAmbito,
)
from pdz.models import User


def add_comuni(ambito, start, stop):
    sub = SubAmbito.objects.get_or_create(ambito=ambito, nome="Casalasco")[0]
    comuni = Comune.objects.bulk_create(
        Comune(codice_catastale=f"Q{n:03d}", nome=f"Paese {n:04d}", provincia="CR", regione="LOM")
        for n in range(start, stop)
    )
    AppartenenzaComune.objects.bulk_create(
        AppartenenzaComune(ambito=ambito, comune=c, sub_ambito=sub, dal=date(2020, 1, 1))
        for c in comuni
    )
    Popolazione.objects.bulk_create(
        Popolazione(comune=c, data_riferimento=date(2024, 1, 1), residenti=1000) for c in comuni
    )


def add_enti(ambito, start, stop):
    enti = Ente.objects.bulk_create(
        Ente(tipo=Ente.Tipo.TERZO_SETTORE, denominazione=f"Cooperativa {n:04d}")
        for n in range(start, stop)
    )
    Ente.ambiti.through.objects.bulk_create(
        Ente.ambiti.through(ente=e, ambito=ambito) for e in enti
    )
    return enti


def add_ruoli(ambito, start, stop):
    users = User.objects.bulk_create(
        User(email=f"persona{n}@example.org", full_name=f"Persona {n:04d}", password="!")
        for n in range(start, stop)
    )
    enti = add_enti(ambito, start, stop)
    Ruolo.objects.bulk_create(
        Ruolo(user=u, ambito=ambito, tipo=Ruolo.Tipo.RAPPRESENTANTE_ENTE, ente=e)
        for u, e in zip(users, enti, strict=True)
    )


def add_inviti(ambito, by, start, stop):
    enti = add_enti(ambito, start, stop)
    Invito.objects.bulk_create(
        Invito(
            ambito=ambito,
            email=f"invitato{n}@example.org",
            full_name=f"Invitato {n}",
            tipo=Ruolo.Tipo.RAPPRESENTANTE_ENTE,
            ente=e,
            token=secrets.token_urlsafe(32),
            invitato_da=by,
            scade_at=timezone.now() + timedelta(days=n % 3 - 1),
        )
        for n, e in zip(range(start, stop), enti, strict=True)
    )


def add_ambiti(start, stop):
    ambiti = Ambito.objects.bulk_create(
        Ambito(codice=f"ambito-{n}", nome=f"Ambito {n:04d}", regione="LOM")
        for n in range(start, stop)
    )
    comuni = Comune.objects.bulk_create(
        Comune(codice_catastale=f"R{n:03d}", nome=f"Borgo {n}", provincia="CR", regione="LOM")
        for n in range(start, stop)
    )
    AppartenenzaComune.objects.bulk_create(
        AppartenenzaComune(ambito=a, comune=c) for a, c in zip(ambiti, comuni, strict=True)
    )


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def same_queries_with_10_and_1000_rows(client, url, add_rows):
    client.get(url)  # warm caches (content types, session)
    add_rows(0, 10)
    few = queries(client, url)
    add_rows(10, 1000)
    many = queries(client, url)
    assert few == many, f"{url}: {few} queries with 10 rows, {many} with 1,000"


@pytest.mark.parametrize(
    "suffix", ["", "?format=csv", "?q=paese&provincia=CR"], ids=["page", "csv", "filtered"]
)
def test_comuni_list(client, staff, ambito, suffix):
    client.force_login(staff)
    url = reverse("ambiti:comuni", args=[ambito.codice]) + suffix
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_comuni(ambito, a, b))


def test_dashboard(client, staff, ambito):
    client.force_login(staff)
    url = reverse("ambiti:dashboard", args=[ambito.codice])
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_comuni(ambito, a, b))


def test_public_page_of_the_ambito(client, ambito):
    url = reverse("ambiti:detail", args=[ambito.codice])
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_comuni(ambito, a, b))


def test_public_list_of_ambiti(client, db):
    same_queries_with_10_and_1000_rows(client, reverse("ambiti:list"), add_ambiti)


@pytest.mark.parametrize("suffix", ["", "?format=csv"], ids=["page", "csv"])
def test_enti_list(client, staff, ambito, suffix):
    client.force_login(staff)
    url = reverse("ambiti:enti", args=[ambito.codice]) + suffix
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_enti(ambito, a, b))


@pytest.mark.parametrize("suffix", ["", "?format=csv"], ids=["page", "csv"])
def test_ruoli_list(client, staff, ambito, suffix):
    client.force_login(staff)
    url = reverse("ambiti:ruoli", args=[ambito.codice]) + suffix
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_ruoli(ambito, a, b))


def test_inviti_list(client, staff, ambito):
    client.force_login(staff)
    url = reverse("ambiti:inviti", args=[ambito.codice])
    same_queries_with_10_and_1000_rows(client, url, lambda a, b: add_inviti(ambito, staff, a, b))


def test_home_page_of_staff(client, staff, ambito):
    client.force_login(staff)
    same_queries_with_10_and_1000_rows(
        client, reverse("home"), lambda a, b: add_inviti(ambito, staff, a, b)
    )

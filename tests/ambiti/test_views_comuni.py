"""The comuni of an ambito in the back-office: list, search, CSV, add, end a membership."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambiti.models import AppartenenzaComune, Comune, Popolazione
from pdz.models import AuditLog
from tests.ambiti.factories import AmbitoFactory, AppartenenzaFactory, ComuneFactory


@pytest.fixture
def url(ambito):
    return reverse("ambiti:comuni", args=[ambito.codice])


@pytest.fixture
def mantovani(ambito):
    """A sub-ambito and three comuni of the province of Mantova."""
    viadanese = ambito.sub_ambiti.create(nome="Viadanese")
    AppartenenzaComune.objects.filter(comune__nome="Viadana").update(sub_ambito=viadanese)
    for codice, nome, residenti in [
        ("G816", "Pomponesco", 1700),
        ("D639", "Dosolo", 3300),
    ]:
        comune = ComuneFactory(codice_catastale=codice, nome=nome, provincia="MN")
        Popolazione.objects.create(
            comune=comune, data_riferimento=date(2024, 1, 1), residenti=residenti
        )
        AppartenenzaFactory(ambito=ambito, comune=comune, sub_ambito=viadanese)
    Comune.objects.filter(nome="Viadana").update(provincia="MN")
    return viadanese


def _csv_rows(response):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_list_shows_current_comuni(client, staff, url):
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "Casalmaggiore" in page
    assert "Viadana" in page


def test_search_by_name(client, staff, url):
    client.force_login(staff)
    response = client.get(url, {"q": "casal"})
    assert [a.comune.nome for a in response.context["page"]] == ["Casalmaggiore"]


def test_filter_by_province_and_sub_ambito(client, staff, url, mantovani):
    client.force_login(staff)
    by_province = client.get(url, {"provincia": "MN"}).context["page"]
    assert {a.comune.nome for a in by_province} == {"Viadana", "Pomponesco", "Dosolo"}

    by_sub = client.get(url, {"sub_ambito": mantovani.pk, "q": "o"}).context["page"]
    assert {a.comune.nome for a in by_sub} == {"Pomponesco", "Dosolo"}


def test_total_population_of_the_filtered_list(client, staff, url, mantovani):
    client.force_login(staff)
    response = client.get(url, {"sub_ambito": mantovani.pk})
    assert response.context["totale"] == 5000
    assert "5.000" in response.content.decode()


def test_province_filter_offers_only_provinces_of_the_ambito(client, staff, url, mantovani):
    client.force_login(staff)
    choices = dict(client.get(url).context["filterset"].form.fields["provincia"].choices)
    assert set(choices) - {""} == {"CR", "MN"}


def test_pagination_by_25(client, staff, url, ambito):
    for n in range(30):
        AppartenenzaFactory(ambito=ambito, comune=ComuneFactory(nome=f"Paese {n:02d}"))
    client.force_login(staff)
    first = client.get(url)
    assert len(first.context["page"]) == 25
    second = client.get(url, {"page": 2})
    assert len(second.context["page"]) == 7
    assert "page=2" in first.content.decode()


def test_csv_export_of_the_filtered_list(client, staff, url, mantovani):
    client.force_login(staff)
    response = client.get(url, {"provincia": "MN", "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert "comuni-oglio-po.csv" in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert header[1] == "Provincia"
    assert len(header) == 9
    assert [row[0] for row in rows] == ["Dosolo", "Pomponesco", "Viadana"]
    dosolo = rows[0]
    assert dosolo[1] == "MN"
    assert dosolo[2] == "D639"
    assert dosolo[4] == "Viadanese"
    assert dosolo[7] == "3300"
    assert dosolo[8] == "01/01/2024"


def test_mayor_may_export_but_sees_no_change_links(client, sindaco, url, ambito):
    client.force_login(sindaco)
    page = client.get(url).content.decode()
    assert reverse("ambiti:comune_add", args=[ambito.codice]) not in page
    assert "termina" not in page
    assert client.get(url, {"format": "csv"}).status_code == 200


# --- adding a comune -----------------------------------------------------------------


@pytest.fixture
def sabbioneta(db):
    return ComuneFactory(codice_catastale="H659", nome="Sabbioneta", provincia="MN")


def test_search_offers_matching_comuni_not_yet_in_the_ambito(client, staff, ambito, sabbioneta):
    client.force_login(staff)
    add_url = reverse("ambiti:comune_add", args=[ambito.codice])
    ComuneFactory(codice_catastale="H660", nome="Sabbio Chiese", provincia="BS")

    response = client.get(add_url, {"q": "sabb"})
    offered = list(response.context["form"].fields["comune"].queryset)
    assert {c.nome for c in offered} == {"Sabbioneta", "Sabbio Chiese"}

    response = client.get(add_url, {"q": "casal"})
    assert list(response.context["form"].fields["comune"].queryset) == []


def test_a_single_match_is_preselected(client, staff, ambito, sabbioneta):
    client.force_login(staff)
    response = client.get(reverse("ambiti:comune_add", args=[ambito.codice]), {"q": "sabbion"})
    assert f'<option value="{sabbioneta.pk}" selected>' in response.content.decode()


def test_staff_adds_a_comune_from_a_date(client, staff, ambito, sabbioneta):
    client.force_login(staff)
    response = client.post(
        reverse("ambiti:comune_add", args=[ambito.codice]),
        {"q": "sabb", "comune": sabbioneta.pk, "dal": "2025-01-01"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("ambiti:comuni", args=[ambito.codice])
    membership = AppartenenzaComune.objects.get(comune=sabbioneta)
    assert membership.ambito == ambito
    assert membership.dal == date(2025, 1, 1)
    assert "Sabbioneta" in response.content.decode()
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert AuditLog.objects.filter(action="ambito.comune_aggiunto", user=staff).exists()


def test_comune_of_another_ambito_is_refused_with_a_form_error(client, staff, ambito, sabbioneta):
    AppartenenzaFactory(ambito=AmbitoFactory(nome="Ambito di Mantova"), comune=sabbioneta)
    client.force_login(staff)
    response = client.post(
        reverse("ambiti:comune_add", args=[ambito.codice]),
        {"q": "sabb", "comune": sabbioneta.pk, "dal": "2025-03-01"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["comune"]
    assert any("Ambito di Mantova" in e for e in errors)
    page = response.content.decode()
    assert 'value="2025-03-01"' in page  # what was typed stays
    assert not AppartenenzaComune.objects.filter(ambito=ambito, comune=sabbioneta).exists()


def test_missing_date_keeps_the_choice(client, staff, ambito, sabbioneta):
    client.force_login(staff)
    response = client.post(
        reverse("ambiti:comune_add", args=[ambito.codice]),
        {"q": "sabb", "comune": sabbioneta.pk, "dal": ""},
    )
    assert response.status_code == 200
    assert "dal" in response.context["form"].errors
    assert f'<option value="{sabbioneta.pk}" selected>' in response.content.decode()


# --- ending a membership ---------------------------------------------------------------


def test_ending_a_membership_keeps_the_row(client, staff, ambito):
    membership = AppartenenzaComune.objects.get(comune__nome="Viadana")
    client.force_login(staff)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        reverse("ambiti:appartenenza_end", args=[ambito.codice, membership.pk]),
        {"al": yesterday.isoformat()},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.al == yesterday
    listed = client.get(reverse("ambiti:comuni", args=[ambito.codice])).context["page"]
    assert [a.comune.nome for a in listed] == ["Casalmaggiore"]
    assert AuditLog.objects.filter(action="ambito.comune_uscito").exists()


def test_end_date_before_start_is_a_form_error(client, staff, ambito):
    membership = AppartenenzaComune.objects.get(comune__nome="Viadana")
    membership.dal = date(2020, 1, 1)
    membership.save()
    client.force_login(staff)
    response = client.post(
        reverse("ambiti:appartenenza_end", args=[ambito.codice, membership.pk]),
        {"al": "2019-12-31"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["al"]
    membership.refresh_from_db()
    assert membership.al is None

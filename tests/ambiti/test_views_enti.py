"""The parties (enti) of an ambito in the back-office: list, CSV, create, edit."""

import csv
import io

import pytest
from django.urls import reverse

from ambiti.models import Ente
from pdz.models import AuditLog
from tests.ambiti.factories import AmbitoFactory, EnteFactory


def codice_fiscale(first_ten):
    """An 11-digit codice fiscale of a body: ``first_ten`` and its check digit."""
    total = 0
    for i, digit in enumerate(int(c) for c in first_ten):
        if i % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return first_ten + str((10 - total % 10) % 10)


CF_ATS = codice_fiscale("0200000019")
CF_WRONG = CF_ATS[:-1] + str((int(CF_ATS[-1]) + 1) % 10)


@pytest.fixture
def url(ambito):
    return reverse("ambiti:enti", args=[ambito.codice])


@pytest.fixture
def ats(ambito):
    return EnteFactory(
        tipo=Ente.Tipo.ATS_ASL,
        denominazione="ATS della Val Padana",
        codice_fiscale=CF_ATS,
        pec="protocollo@pec.ats-valpadana.example.org",
        ambiti=[ambito],
    )


def test_list_shows_only_the_parties_of_the_ambito(client, staff, url, ats, altro_ambito):
    EnteFactory(denominazione="Ente di un altro ambito", ambiti=[altro_ambito])
    client.force_login(staff)
    names = [e.denominazione for e in client.get(url).context["page"]]
    assert names == ["ATS della Val Padana", "Comune di Casalmaggiore", "Comune di Viadana"]


def test_search_by_name_or_tax_code_and_filter_by_type(client, staff, url, ats):
    client.force_login(staff)
    assert [e.pk for e in client.get(url, {"q": "val padana"}).context["page"]] == [ats.pk]
    assert [e.pk for e in client.get(url, {"q": CF_ATS}).context["page"]] == [ats.pk]
    by_type = client.get(url, {"tipo": Ente.Tipo.COMUNE}).context["page"]
    assert {e.denominazione for e in by_type} == {"Comune di Casalmaggiore", "Comune di Viadana"}


def test_csv_export(client, staff, url, ats):
    client.force_login(staff)
    response = client.get(url, {"tipo": Ente.Tipo.ATS_ASL, "format": "csv"})
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert len(header) == 10
    assert len(rows) == 1
    assert rows[0][0] == "ATS della Val Padana"
    assert rows[0][2] == CF_ATS
    assert rows[0][5] == "protocollo@pec.ats-valpadana.example.org"
    assert "enti-oglio-po.csv" in response["Content-Disposition"]


def test_create_a_party_links_it_to_the_ambito(client, staff, ambito):
    client.force_login(staff)
    response = client.post(
        reverse("ambiti:ente_create", args=[ambito.codice]),
        {
            "tipo": Ente.Tipo.SCUOLA,
            "denominazione": "Istituto Comprensivo di Viadana",
            "codice_fiscale": f" {CF_ATS} ",
            "pec": "mnic00000x@pec.istruzione.it",
        },
        follow=True,
    )
    ente = Ente.objects.get(denominazione="Istituto Comprensivo di Viadana")
    assert list(ente.ambiti.all()) == [ambito]
    assert ente.codice_fiscale == CF_ATS
    assert response.redirect_chain[-1][0] == reverse("ambiti:enti", args=[ambito.codice])
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    log = AuditLog.objects.get(action="ente.creato")
    assert log.user == staff
    assert log.data["ambito"] == "oglio-po"


def test_wrong_check_digit_is_shown_next_to_the_field_and_input_is_kept(client, staff, ambito):
    client.force_login(staff)
    response = client.post(
        reverse("ambiti:ente_create", args=[ambito.codice]),
        {"tipo": Ente.Tipo.SINDACATO, "denominazione": "CGIL Cremona", "codice_fiscale": CF_WRONG},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["codice_fiscale"]
    assert form.errors.as_data()["codice_fiscale"][0].code == "controllo"
    page = response.content.decode()
    assert f'value="{CF_WRONG}"' in page
    assert 'value="CGIL Cremona"' in page
    assert "is-invalid" in page
    assert not Ente.objects.filter(denominazione="CGIL Cremona").exists()


def test_person_tax_code_is_validated_too(client, staff, ambito):
    client.force_login(staff)
    response = client.post(
        reverse("ambiti:ente_create", args=[ambito.codice]),
        {"tipo": Ente.Tipo.ALTRO, "denominazione": "Studio", "codice_fiscale": "RSSMRA80A01H501X"},
    )
    assert "codice_fiscale" in response.context["form"].errors


def test_duplicate_tax_code_is_a_clear_error(client, staff, ambito, altro_ambito):
    EnteFactory(denominazione="ATS Val Padana", codice_fiscale=CF_ATS, ambiti=[altro_ambito])
    client.force_login(staff)
    response = client.post(
        reverse("ambiti:ente_create", args=[ambito.codice]),
        {"tipo": Ente.Tipo.ATS_ASL, "denominazione": "ATS doppia", "codice_fiscale": CF_ATS},
    )
    [error] = response.context["form"].errors["codice_fiscale"]
    assert "ATS Val Padana" in error
    assert Ente.objects.filter(codice_fiscale=CF_ATS).count() == 1


def test_comune_type_needs_a_comune_of_the_ambito(client, staff, ambito):
    client.force_login(staff)
    response = client.post(
        reverse("ambiti:ente_create", args=[ambito.codice]),
        {"tipo": Ente.Tipo.COMUNE, "denominazione": "Comune senza comune"},
    )
    assert "comune" in response.context["form"].errors
    offered = {c.nome for c in response.context["form"].fields["comune"].queryset}
    assert offered == {"Casalmaggiore", "Viadana"}


def test_edit_a_party(client, staff, ambito, ats):
    client.force_login(staff)
    url = reverse("ambiti:ente_edit", args=[ambito.codice, ats.pk])
    assert client.get(url).context["form"]["denominazione"].value() == "ATS della Val Padana"
    response = client.post(
        url,
        {
            "tipo": Ente.Tipo.ATS_ASL,
            "denominazione": "ATS Val Padana",
            "codice_fiscale": CF_ATS,
            "pec": ats.pec,
            "attivo": "on",
        },
    )
    assert response.status_code == 302
    ats.refresh_from_db()
    assert ats.denominazione == "ATS Val Padana"
    assert AuditLog.objects.get(action="ente.modificato").data["campi"] == ["denominazione"]


def test_party_of_another_ambito_cannot_be_edited(client, staff, ambito):
    other = EnteFactory(ambiti=[AmbitoFactory()])
    client.force_login(staff)
    assert (
        client.get(reverse("ambiti:ente_edit", args=[ambito.codice, other.pk])).status_code == 404
    )


def test_csv_does_not_turn_names_into_formulas(client, staff, url, ambito):
    EnteFactory(denominazione='=HYPERLINK("http://example.org")', ambiti=[ambito])
    client.force_login(staff)
    content = client.get(url, {"q": "hyperlink", "format": "csv"}).content.decode("utf-8")
    [_, row] = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert row[0] == '\'=HYPERLINK("http://example.org")'

"""The public register of the organisations admitted to the Piano di Zona of an ambito."""

import csv
import io

import pytest
from django.urls import reverse

from ambiti.models import AreaUtenza, Comune
from terzo_settore.models import Avviso, Domanda, Organizzazione
from tests.terzo_settore.factories import (
    AvvisoFactory,
    DomandaFactory,
    OrganizzazioneFactory,
    ReferenteFactory,
)


def ammessa(ambito, avviso=None, **org):
    """An organisation admitted to the adhesion notice of ``ambito``."""
    avviso = avviso or AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.ADESIONE)
    organizzazione = OrganizzazioneFactory(**org)
    DomandaFactory(avviso=avviso, organizzazione=organizzazione, stato=Domanda.Stato.AMMESSA)
    return organizzazione


@pytest.fixture
def url(ambito):
    return reverse("terzo_settore:registro", args=[ambito.codice])


@pytest.fixture
def adesione(ambito):
    return AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.ADESIONE)


def test_only_organisations_admitted_to_the_adhesion_of_this_ambito(
    client, ambito, altro_ambito, adesione, url
):
    ponte = ammessa(ambito, adesione, ente__denominazione="Associazione Il Ponte APS")
    # not admitted (yet, or any more), admitted to another kind of notice or elsewhere
    for stato in [Domanda.Stato.INVIATA, Domanda.Stato.NON_AMMESSA, Domanda.Stato.REVOCATA]:
        DomandaFactory(avviso=adesione, stato=stato, organizzazione__ente__denominazione=stato)
    manifestazione = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.MANIFESTAZIONE)
    ammessa(ambito, manifestazione, ente__denominazione="Solo manifestazione")
    ammessa(altro_ambito, ente__denominazione="Altro ambito")
    spenta = ammessa(ambito, adesione, ente__denominazione="Ente non più attivo")
    spenta.ente.attivo = False
    spenta.ente.save()
    # admitted to two adhesion notices: listed once
    ammessa(ambito, ente__denominazione="Seconda adesione")
    doppia = Organizzazione.objects.get(ente__denominazione="Seconda adesione")
    DomandaFactory(avviso=adesione, organizzazione=doppia, stato=Domanda.Stato.AMMESSA)

    response = client.get(url)

    assert response.status_code == 200
    assert [o.ente.denominazione for o in response.context["page"]] == [
        "Associazione Il Ponte APS",
        "Seconda adesione",
    ]
    assert response.context["page"][0] == ponte


def test_shows_public_fields_only(client, ambito, adesione, url):
    famiglia = AreaUtenza.objects.get_or_create(ambito=None, nome="Famiglia e minori")[0]
    casalmaggiore = Comune.objects.get(codice_catastale="B898")
    ponte = ammessa(
        ambito,
        adesione,
        ente__denominazione="Associazione Il Ponte APS",
        ente__email="info@ilponte.example.org",
        ente__pec="ilponte@pec.example.org",
        ente__telefono="0375 999888",
        ente__sede=casalmaggiore,
        sito_web="https://ilponte.example.org",
        rappresentante_legale="Marco Gandolfi",
    )
    ponte.aree.add(famiglia)
    persona = ReferenteFactory(organizzazione=ponte).user

    content = client.get(url).content.decode()

    for shown in [
        "Associazione Il Ponte APS",
        "Casalmaggiore",
        "Famiglia e minori",
        "https://ilponte.example.org",
        str(ponte.get_forma_giuridica_display()),
    ]:
        assert shown in content
    for hidden in [
        "info@ilponte.example.org",
        "ilponte@pec.example.org",
        "0375 999888",
        "Marco Gandolfi",
        persona.email,
        persona.full_name,
        ponte.ente.codice_fiscale,
    ]:
        assert hidden not in content


def test_search_and_filter_by_area_and_legal_form(client, ambito, adesione, url):
    anziani = AreaUtenza.objects.get_or_create(ambito=None, nome="Anziani (65 anni e più)")[0]
    propria = AreaUtenza.objects.create(ambito=ambito, nome="Giovani", ordine=8)
    casa = ammessa(
        ambito, adesione, ente__denominazione="Fondazione Casa Serena", forma_giuridica="fondazione"
    )
    casa.aree.add(anziani, propria)
    ammessa(ambito, adesione, ente__denominazione="Associazione Il Ponte APS")

    def names(**params):
        return [o.ente.denominazione for o in client.get(url, params).context["page"]]

    assert names(q="serena") == ["Fondazione Casa Serena"]
    assert names(area=anziani.pk) == ["Fondazione Casa Serena"]
    assert names(area=propria.pk) == ["Fondazione Casa Serena"]
    assert names(forma_giuridica="aps") == ["Associazione Il Ponte APS"]
    assert names(q="nessuno") == []
    # a bad filter value is an error in the form, not a crash
    response = client.get(url, {"area": "abc"})
    assert response.status_code == 200
    assert "area" in response.context["filterset"].form.errors


def test_the_areas_of_another_ambito_are_not_offered(client, ambito, altro_ambito, url):
    AreaUtenza.objects.create(ambito=altro_ambito, nome="Solo altrove")
    response = client.get(url)
    assert b"Solo altrove" not in response.content


def test_pagination(client, ambito, adesione, url):
    for n in range(30):
        ammessa(ambito, adesione, ente__denominazione=f"Associazione {n:02d}")
    first = client.get(url)
    assert len(first.context["page"]) == 25
    second = client.get(url, {"page": 2})
    assert [o.ente.denominazione for o in second.context["page"]] == [
        f"Associazione {n:02d}" for n in range(25, 30)
    ]
    assert client.get(url, {"page": "x"}).status_code == 200


def test_csv_export(client, ambito, adesione, url):
    famiglia = AreaUtenza.objects.get_or_create(ambito=None, nome="Famiglia e minori")[0]
    ponte = ammessa(
        ambito,
        adesione,
        ente__denominazione="=Associazione Il Ponte APS",
        ente__sede=Comune.objects.get(codice_catastale="L826"),
        ente__email="info@ilponte.example.org",
        sito_web="https://ilponte.example.org",
    )
    ponte.aree.add(famiglia)

    response = client.get(url, {"format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert f"registro-terzo-settore-{ambito.codice}.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert len(rows) == 2
    name, forma, sede, provincia, aree, sito = rows[1]
    assert name == "'=Associazione Il Ponte APS"  # no formula in Excel
    assert (sede, aree, sito) == ("Viadana", "Famiglia e minori", "https://ilponte.example.org")
    assert "info@ilponte.example.org" not in text

"""The public pages of the ambiti: no sign-in, only public data."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambiti.models import AppartenenzaComune, Ente
from tests.ambiti.factories import (
    AmbitoFactory,
    AppartenenzaFactory,
    ComuneFactory,
    PopolazioneFactory,
)


@pytest.fixture
def popolato(ambito):
    casalmaggiore = ambito.comuni.get(nome="Casalmaggiore")
    viadana = ambito.comuni.get(nome="Viadana")
    PopolazioneFactory(comune=casalmaggiore, data_riferimento=date(2023, 1, 1), residenti=15000)
    PopolazioneFactory(comune=casalmaggiore, data_riferimento=date(2024, 1, 1), residenti=15321)
    PopolazioneFactory(comune=viadana, data_riferimento=date(2024, 1, 1), residenti=19654)
    ambito.descrizione = "I comuni del Casalasco e del Viadanese."
    ambito.email_ufficio = "ufficiodipiano@example.org"
    ambito.pec_ufficio = "ufficiodipiano@pec.example.org"
    ambito.telefono_ufficio = "0375 284411"
    ambito.indirizzo_ufficio = "Piazza Garibaldi 26, Casalmaggiore"
    ambito.orari_ufficio = "lun-ven 9-12"
    ambito.ente_capofila = Ente.objects.get(denominazione="Comune di Casalmaggiore")
    ambito.save()
    return ambito


def test_list_shows_every_ambito_with_region_and_number_of_comuni(client, ambito, altro_ambito):
    page = client.get(reverse("ambiti:list")).content.decode()
    assert "Ambito Oglio Po" in page
    assert "Ambito Destra Secchia" in page
    assert "Lombardia" in page
    assert reverse("ambiti:detail", args=["oglio-po"]) in page
    assert ">2</td>" in page


def test_list_counts_only_current_comuni(client, ambito):
    AppartenenzaFactory(
        ambito=ambito,
        comune=ComuneFactory(nome="Uscito"),
        dal=date(2000, 1, 1),
        al=timezone.localdate() - timedelta(days=1),
    )
    response = client.get(reverse("ambiti:list"))
    [row] = response.context["ambiti"]
    assert row.num_comuni == 2


def test_public_page_shows_comuni_with_latest_population_and_total(client, popolato):
    response = client.get(reverse("ambiti:detail", args=["oglio-po"]))
    page = response.content.decode()

    assert response.status_code == 200
    assert "I comuni del Casalasco e del Viadanese." in page
    assert "Comune di Casalmaggiore" in page  # ente capofila
    assert "15.321" in page and "15.000" not in page  # latest figure only
    assert "19.654" in page
    assert "34.975" in page  # total
    assert response.context["totale"] == 34975
    for contact in [
        "ufficiodipiano@example.org",
        "ufficiodipiano@pec.example.org",
        "0375 284411",
        "Piazza Garibaldi 26, Casalmaggiore",
        "lun-ven 9-12",
    ]:
        assert contact in page


def test_public_page_shows_sub_ambiti_when_there_are(client, ambito):
    casalasco = ambito.sub_ambiti.create(nome="Casalasco")
    AppartenenzaComune.objects.filter(comune__nome="Casalmaggiore").update(sub_ambito=casalasco)
    page = client.get(reverse("ambiti:detail", args=["oglio-po"])).content.decode()
    assert "Casalasco" in page


def test_public_page_shows_no_private_data(client, ambito, staff, sindaco):
    page = client.get(reverse("ambiti:detail", args=["oglio-po"])).content.decode()
    assert staff.email not in page
    assert sindaco.email not in page
    assert reverse("ambiti:dashboard", args=["oglio-po"]) not in page


def test_public_page_links_the_back_office_for_people_with_a_role(client, ambito, sindaco):
    client.force_login(sindaco)
    page = client.get(reverse("ambiti:detail", args=["oglio-po"])).content.decode()
    assert reverse("ambiti:dashboard", args=["oglio-po"]) in page


def test_comune_that_left_the_ambito_is_not_listed(client, ambito):
    AppartenenzaComune.objects.filter(comune__nome="Viadana").update(
        al=timezone.localdate() - timedelta(days=1)
    )
    page = client.get(reverse("ambiti:detail", args=["oglio-po"])).content.decode()
    assert "Casalmaggiore" in page
    assert "Viadana" not in page


def test_unknown_ambito_is_404(client, db):
    AmbitoFactory(codice="esiste")
    assert client.get("/ambiti/non-esiste/").status_code == 404

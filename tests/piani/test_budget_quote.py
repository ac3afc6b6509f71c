"""The comuni's quotas: rate × each comune's latest population, rounded to the cent; comuni
without a figure flagged; the quotas of a year written into ONE budget line, again and again.

Populations (latest figure): Casalmaggiore 15,432 (an older 15,000 is ignored), Viadana 19,876,
Sabbioneta 4,213; Gussola has no figure; Rivarolo left the ambito last year.
At € 3.50: 54,012.00 + 69,566.00 + 14,745.50 = 138,323.50 for 39,521 residents.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pdz.models import AuditLog
from piani.models import VoceBudget
from piani.services.budget import quote_del_piano
from tests.ambiti.factories import AppartenenzaFactory, ComuneFactory, PopolazioneFactory
from tests.piani.factories import piano_con_sezioni

D = Decimal


@pytest.fixture
def piano(ambito, staff):
    """The ambito fixture has Casalmaggiore and Viadana; three more comuni are added."""
    casalmaggiore = ambito.appartenenze.get(comune__nome="Casalmaggiore").comune
    viadana = ambito.appartenenze.get(comune__nome="Viadana").comune
    PopolazioneFactory(comune=casalmaggiore, data_riferimento=date(2023, 1, 1), residenti=15000)
    PopolazioneFactory(comune=casalmaggiore, data_riferimento=date(2024, 1, 1), residenti=15432)
    PopolazioneFactory(comune=viadana, data_riferimento=date(2024, 1, 1), residenti=19876)
    sabbioneta = ComuneFactory(nome="Sabbioneta")
    AppartenenzaFactory(ambito=ambito, comune=sabbioneta)
    PopolazioneFactory(comune=sabbioneta, data_riferimento=date(2024, 6, 30), residenti=4213)
    AppartenenzaFactory(ambito=ambito, comune=ComuneFactory(nome="Gussola"))
    rivarolo = ComuneFactory(nome="Rivarolo del Re")
    AppartenenzaFactory(
        ambito=ambito, comune=rivarolo, al=timezone.localdate() - timedelta(days=365)
    )
    PopolazioneFactory(comune=rivarolo, data_riferimento=date(2024, 1, 1), residenti=1987)
    piano = piano_con_sezioni(ambito, by=staff)
    piano.quota_pro_capite = D("3.50")
    piano.save()
    return piano


def test_quota_of_each_comune(piano):
    quote = quote_del_piano(piano)
    assert [(r.comune, r.popolazione, r.importo) for r in quote.righe] == [
        ("Casalmaggiore", 15432, D("54012.00")),
        ("Gussola", None, D("0.00")),
        ("Sabbioneta", 4213, D("14745.50")),
        ("Viadana", 19876, D("69566.00")),
    ]
    assert quote.righe[0].popolazione_al == date(2024, 1, 1)
    assert (quote.residenti, quote.totale) == (39521, D("138323.50"))
    assert quote.senza_popolazione == ["Gussola"]


def test_quotas_are_rounded_to_the_cent(piano):
    quote = quote_del_piano(piano, quota=D("0.333"))
    # 15432 × 0.333 = 5138.856 → 5138.86; 4213 × 0.333 = 1402.929 → 1402.93
    # 19876 × 0.333 = 6618.708 → 6618.71
    assert [r.importo for r in quote.righe] == [
        D("5138.86"),
        D("0.00"),
        D("1402.93"),
        D("6618.71"),
    ]
    assert quote.totale == D("13160.50")


def test_the_page_lists_quotas_and_flags_missing_population(client, sindaco, piano):
    client.force_login(sindaco)
    response = client.get(reverse("piani:quote", args=[piano.pk]))
    html = response.content.decode()
    assert "€\u00a054,012.00" in html and "€\u00a069,566.00" in html
    assert "data-totale>€\u00a0138,323.50<" in html
    assert "Gussola has no population figure" in html
    assert "no population figure" in html
    assert "Rivarolo" not in html
    assert "Write the quotas" not in html  # a mayor reads only


@pytest.mark.italiano
def test_the_page_in_italian(client, staff, piano):
    client.force_login(staff)
    html = client.get(reverse("piani:quote", args=[piano.pk])).content.decode()
    assert "€\u00a054.012,00" in html and "€\u00a0138.323,50" in html
    assert "15.432" in html and "39.521" in html
    assert 'value="3,50"' in html


def test_staff_set_the_rate(client, staff, piano):
    client.force_login(staff)
    url = reverse("piani:quote", args=[piano.pk])
    response = client.post(url, {"azione": "quota", "quota_pro_capite": "4,20"})
    assert response.status_code == 302
    piano.refresh_from_db()
    assert piano.quota_pro_capite == D("4.20")
    assert AuditLog.objects.get(action="piano.quota_pro_capite").data == {"da": "3.50", "a": "4.20"}

    response = client.post(url, {"azione": "quota", "quota_pro_capite": "-1"})
    assert response.status_code == 200
    assert "An amount cannot be negative." in response.context["form"].errors["quota_pro_capite"]
    piano.refresh_from_db()
    assert piano.quota_pro_capite == D("4.20")


def test_write_the_quotas_in_the_budget_twice_updates_one_line(client, staff, piano, ambito):
    client.force_login(staff)
    url = reverse("piani:quote", args=[piano.pk])
    response = client.post(url, {"azione": "scrivi", "anno": "2026"}, follow=True)
    assert "The quotas have been written in the budget of 2026" in response.content.decode()
    voce = VoceBudget.objects.get(piano=piano)
    assert (voce.anno, voce.fonte.codice, voce.previsto) == (2026, "quote-comunali", D("138323.50"))
    assert voce.obiettivo is None and voce.azione is None
    assert voce.descrizione == "Quote comunali: € 3,50 × 39.521 residenti"

    # a new population figure and a new rate: the same line is updated
    gussola = ambito.appartenenze.get(comune__nome="Gussola").comune
    PopolazioneFactory(comune=gussola, data_riferimento=date(2024, 1, 1), residenti=1000)
    client.post(url, {"azione": "quota", "quota_pro_capite": "4"})
    response = client.post(url, {"azione": "scrivi", "anno": "2026"}, follow=True)
    assert "have been updated" in response.content.decode()
    voce = VoceBudget.objects.get(piano=piano)
    assert voce.previsto == D("162084.00")  # 40,521 × 4
    assert voce.descrizione == "Quote comunali: € 4,00 × 40.521 residenti"
    assert AuditLog.objects.filter(action="piano.quote_comunali").count() == 2

    # another year gets its own line; the budget shows both
    client.post(url, {"azione": "scrivi", "anno": "2027"})
    assert VoceBudget.objects.filter(piano=piano).count() == 2
    html = client.get(reverse("piani:budget", args=[piano.pk])).content.decode()
    assert 'data-totale="previsto">€\u00a0324,168.00<' in html


def test_quotas_need_a_rate_and_a_year_of_the_plan(client, staff, piano):
    client.force_login(staff)
    url = reverse("piani:quote", args=[piano.pk])
    response = client.post(url, {"azione": "scrivi", "anno": "2030"}, follow=True)
    assert "Choose a year of the plan." in response.content.decode()
    piano.quota_pro_capite = None
    piano.save()
    response = client.post(url, {"azione": "scrivi", "anno": "2025"}, follow=True)
    assert "Set the quota per resident first." in response.content.decode()
    assert not VoceBudget.objects.exists()


def test_a_removed_quota_line_is_written_anew(client, staff, piano):
    client.force_login(staff)
    url = reverse("piani:quote", args=[piano.pk])
    client.post(url, {"azione": "scrivi", "anno": "2025"})
    VoceBudget.objects.update(rimosso_at=timezone.now())
    client.post(url, {"azione": "scrivi", "anno": "2025"})
    assert VoceBudget.objects.filter(rimosso_at__isnull=True).count() == 1
    assert VoceBudget.objects.count() == 2

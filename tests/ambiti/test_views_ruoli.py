"""People and roles of an ambito in the back-office: list, CSV, revoke."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from ambiti.models import Ruolo
from pdz.models import AuditLog
from tests.ambiti.factories import RuoloFactory
from tests.pdz.factories import UserFactory


@pytest.fixture
def url(ambito):
    return reverse("ambiti:ruoli", args=[ambito.codice])


def test_list_shows_active_roles_with_person_role_party_and_date(
    client, staff, sindaco, coordinatore, url
):
    RuoloFactory(ambito=staff.ruoli.first().ambito, revocato_at=timezone.now())
    client.force_login(staff)
    response = client.get(url)
    people = [r.user for r in response.context["page"]]
    assert sorted(p.full_name for p in people) == [
        "Chiara Bertoldi",
        "Filippo Bongiovanni",
        "Paolo Ghidetti",
    ]
    page = response.content.decode()
    assert "filippo@example.org" in page
    assert "Comune di Casalmaggiore" in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page


def test_roles_of_other_ambiti_are_not_listed(client, staff, staff_altro, url):
    client.force_login(staff)
    assert "bruno@example.org" not in client.get(url).content.decode()


def test_search_and_filter_by_role(client, staff, sindaco, url):
    client.force_login(staff)
    found = client.get(url, {"q": "bongiovanni"}).context["page"]
    assert [r.user for r in found] == [sindaco]
    found = client.get(url, {"q": "casalmaggiore"}).context["page"]
    assert [r.user for r in found] == [sindaco]
    found = client.get(url, {"tipo": Ruolo.Tipo.UFFICIO_PIANO}).context["page"]
    assert [r.user for r in found] == [staff]


def test_csv_export(client, staff, sindaco, url):
    client.force_login(staff)
    response = client.get(url, {"tipo": Ruolo.Tipo.SINDACO, "format": "csv"})
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert len(header) == 6
    assert rows == [
        [
            "Filippo Bongiovanni",
            "filippo@example.org",
            rows[0][2],
            "Comune di Casalmaggiore",
            timezone.localdate().strftime("%d/%m/%Y"),
            "",
        ]
    ]


def test_revoke_asks_for_confirmation_then_revokes(client, staff, sindaco, ambito):
    ruolo = sindaco.ruoli.get()
    client.force_login(staff)
    revoke_url = reverse("ambiti:ruolo_revoke", args=[ambito.codice, ruolo.pk])

    confirm = client.get(revoke_url)
    assert "Filippo Bongiovanni" in confirm.content.decode()
    ruolo.refresh_from_db()
    assert ruolo.revocato_at is None

    response = client.post(revoke_url, follow=True)
    ruolo.refresh_from_db()
    assert ruolo.revocato_at is not None
    assert response.redirect_chain[-1][0] == reverse("ambiti:ruoli", args=[ambito.codice])
    assert sindaco not in [r.user for r in response.context["page"]]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert AuditLog.objects.filter(action="ruolo.revocato", user=staff).exists()
    # The role is gone, the row stays.
    assert Ruolo.objects.filter(pk=ruolo.pk).exists()


def test_revoked_role_cannot_be_revoked_again(client, staff, sindaco, ambito):
    ruolo = sindaco.ruoli.get()
    ruolo.revocato_at = timezone.now()
    ruolo.save()
    client.force_login(staff)
    response = client.post(reverse("ambiti:ruolo_revoke", args=[ambito.codice, ruolo.pk]))
    assert response.status_code == 404


def test_revoking_ones_own_role_leads_home(client, staff, ambito):
    client.force_login(staff)
    ruolo = staff.ruoli.get()
    response = client.post(reverse("ambiti:ruolo_revoke", args=[ambito.codice, ruolo.pk]))
    assert response["Location"] == reverse("home")
    assert client.get(reverse("ambiti:dashboard", args=[ambito.codice])).status_code == 404


def test_mayor_cannot_revoke_roles(client, sindaco, staff, ambito):
    client.force_login(sindaco)
    ruolo = staff.ruoli.get()
    response = client.post(reverse("ambiti:ruolo_revoke", args=[ambito.codice, ruolo.pk]))
    assert response.status_code == 403
    ruolo.refresh_from_db()
    assert ruolo.revocato_at is None


def test_person_without_full_name_is_listed_by_email(client, staff, ambito, url):
    RuoloFactory(user=UserFactory(full_name="", email="senza.nome@example.org"), ambito=ambito)
    client.force_login(staff)
    assert "senza.nome@example.org" in client.get(url).content.decode()

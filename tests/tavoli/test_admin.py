"""The Django admin of the tables app, for the regional administrator."""

import pytest
from django.urls import reverse

from tavoli.models import (
    AreaPolicy,
    Convocazione,
    FeedCalendario,
    Incontro,
    Membro,
    Presenza,
    RegolaVoto,
    Tavolo,
    Votazione,
    Voto,
)
from tavoli.services import feed_personale
from tests.tavoli.test_calendario import convocato, tavolo  # noqa: F401 (fixture)

MODELLI = [AreaPolicy, RegolaVoto, Tavolo, Membro, Incontro, Convocazione, Presenza]
MODELLI += [Votazione, Voto, FeedCalendario]
SOLA_LETTURA = [Incontro, Convocazione, Presenza, Votazione, Voto, FeedCalendario]


def changelist(model):
    return reverse(f"admin:tavoli_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", MODELLI, ids=lambda m: m.__name__)
def test_the_regional_administrator_browses_and_searches(client, admin_regionale, tavolo, model):  # noqa: F811
    convocato(tavolo)
    feed_personale(admin_regionale)
    client.force_login(admin_regionale)
    assert client.get(changelist(model)).status_code == 200
    assert client.get(changelist(model) + "?q=Viadana").status_code == 200


@pytest.mark.parametrize("model", SOLA_LETTURA, ids=lambda m: m.__name__)
def test_records_of_what_happened_are_read_only(client, admin_regionale, model):
    client.force_login(admin_regionale)
    add = reverse(f"admin:tavoli_{model._meta.model_name}_add")
    assert client.get(add).status_code == 403


def test_the_secret_address_of_a_calendar_is_not_shown(client, admin_regionale):
    feed = feed_personale(admin_regionale)
    client.force_login(admin_regionale)
    url = reverse("admin:tavoli_feedcalendario_change", args=[feed.pk])
    assert feed.token not in client.get(url).content.decode()
    assert feed.token not in client.get(changelist(FeedCalendario)).content.decode()


def test_the_office_staff_have_no_admin(client, staff):
    client.force_login(staff)
    assert client.get(changelist(Tavolo)).status_code == 302


def test_a_meeting_opens_with_its_agenda(client, admin_regionale, tavolo):  # noqa: F811
    incontro = convocato(tavolo, titolo="Seduta con ordine del giorno")
    client.force_login(admin_regionale)
    response = client.get(reverse("admin:tavoli_incontro_change", args=[incontro.pk]))
    assert response.status_code == 200
    assert "Seduta con ordine del giorno" in response.content.decode()

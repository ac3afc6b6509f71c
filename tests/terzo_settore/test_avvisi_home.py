"""The home page's blocks of the third-sector app (terzo_settore.todo)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pdz import todo
from terzo_settore.models import Domanda, Organizzazione
from terzo_settore.todo import public_avvisi, todo_referente, todo_staff
from tests.terzo_settore.factories import AvvisoFactory, DomandaFactory


@pytest.fixture
def blocchi():
    """Register the providers as terzo_settore's AppConfig.ready() does, for this test."""
    added = []
    for provider, registry in [
        (public_avvisi, todo._public_providers),
        (todo_referente, todo._todo_providers),
        (todo_staff, todo._todo_providers),
    ]:
        if provider not in registry:
            registry.append(provider)
            added.append((provider, registry))
    yield
    for provider, registry in added:
        registry.remove(provider)


def urls(blocks):
    return [item.url for block in blocks for item in block.items]


def test_everybody_sees_the_open_notices(client, blocchi, ambito, altro_ambito):
    now = timezone.now()
    presto = AvvisoFactory(ambito=ambito, chiusura=now + datetime.timedelta(days=2))
    tardi = AvvisoFactory(ambito=altro_ambito, chiusura=now + datetime.timedelta(days=9))
    AvvisoFactory(ambito=ambito, stato="bozza")
    AvvisoFactory(ambito=ambito, apertura=now - datetime.timedelta(days=9), chiusura=now)
    response = client.get(reverse("home"))
    assert urls(response.context["public_blocks"]) == [
        reverse("terzo_settore:avviso", args=[presto.pk]),
        reverse("terzo_settore:avviso", args=[tardi.pk]),
    ]


def test_the_referente_sees_notices_to_answer_drafts_and_requests(
    client, blocchi, referente, ambito, altro_ambito
):
    girasole = Organizzazione.objects.get(referenti__user=referente)
    da_rispondere = AvvisoFactory(ambito=ambito)
    AvvisoFactory(ambito=altro_ambito)  # the organisation does not work there
    bozza = DomandaFactory(avviso=AvvisoFactory(ambito=ambito), organizzazione=girasole)
    integrazione = DomandaFactory(
        avviso=AvvisoFactory(ambito=ambito),
        organizzazione=girasole,
        stato=Domanda.Stato.INTEGRAZIONE,
    )
    DomandaFactory(  # submitted: nothing to do
        avviso=AvvisoFactory(ambito=ambito), organizzazione=girasole, stato=Domanda.Stato.INVIATA
    )
    client.force_login(referente)
    blocks = [
        block
        for block in client.get(reverse("home")).context["todo_blocks"]
        if block.more_url == reverse("terzo_settore:domande")
    ]
    found = urls(blocks)
    assert reverse("terzo_settore:domanda_modifica", args=[bozza.pk]) in found
    assert reverse("terzo_settore:domanda_modifica", args=[integrazione.pk]) in found
    assert reverse("terzo_settore:avviso", args=[da_rispondere.pk]) in found
    assert len(found) == 3


def test_the_staff_sees_what_waits_for_review(client, blocchi, staff, ambito, altro_ambito):
    avviso = AvvisoFactory(ambito=ambito)
    for stato in ["inviata", "inviata", "in_istruttoria", "ammessa", "bozza"]:
        DomandaFactory(avviso=avviso, stato=stato)
    DomandaFactory(avviso=AvvisoFactory(ambito=altro_ambito), stato="inviata")
    client.force_login(staff)
    [block] = [
        b
        for b in client.get(reverse("home")).context["todo_blocks"]
        if b.more_url == reverse("terzo_settore:istruttoria")
    ]
    assert [item.url.split("?")[1] for item in block.items] == [
        "stato=inviata",
        "stato=in_istruttoria",
    ]
    assert block.items[0].title.startswith("2")


def test_nothing_for_people_without_organisations_or_applications(rf, alice):
    request = rf.get("/")
    request.user = alice
    assert todo_referente(request) == []
    assert todo_staff(request) == []

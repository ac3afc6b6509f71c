"""The organisations' blocks of the home page's "your things to do"."""

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from terzo_settore.models import Organizzazione, Referente
from terzo_settore.todo_organizzazioni import todo_referente_organizzazioni
from tests.terzo_settore.factories import ReferenteFactory


def blocks_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return todo_referente_organizzazioni(request)


def urls(blocks):
    return [item.url for block in blocks for item in block.items]


def test_a_newcomer_is_invited_to_register_an_organisation(alice):
    assert urls(blocks_of(alice)) == [
        reverse("terzo_settore:registra_organizzazione"),
        reverse("terzo_settore:entra_organizzazione"),
    ]


def test_nothing_for_people_with_a_role_or_anonymous(staff, sindaco, admin_regionale):
    assert blocks_of(staff) == []
    assert blocks_of(sindaco) == []
    assert blocks_of(admin_regionale) == []
    assert blocks_of(AnonymousUser()) == []


def test_a_manager_sees_the_requests_to_join_first(referente, alice):
    girasole = Organizzazione.objects.get(ente__denominazione="Cooperativa sociale Il Girasole")
    altra = ReferenteFactory(user=referente, gestore=False).organizzazione
    [block] = blocks_of(referente)
    # "Associazione di prova …" comes before "Cooperativa sociale Il Girasole"
    assert urls([block]) == [
        reverse("terzo_settore:organizzazione", args=[altra.pk]),
        reverse("terzo_settore:organizzazione", args=[girasole.pk]),
    ]
    assert block.more_url == reverse("terzo_settore:mie_organizzazioni")

    Referente.objects.create(organizzazione=girasole, user=alice, stato=Referente.Stato.RICHIESTA)
    [block] = blocks_of(referente)
    first = block.items[0]
    assert (
        first.url
        == reverse("terzo_settore:organizzazione", args=[girasole.pk]) + "#richieste-title"
    )
    assert "1" in first.title and "Il Girasole" in first.title


def test_a_plain_referente_is_not_asked_to_decide(referente, alice):
    girasole = Organizzazione.objects.get(ente__denominazione="Cooperativa sociale Il Girasole")
    marco = ReferenteFactory(organizzazione=girasole, gestore=False).user
    Referente.objects.create(organizzazione=girasole, user=alice, stato=Referente.Stato.RICHIESTA)
    [block] = blocks_of(marco)
    assert urls([block]) == [reverse("terzo_settore:organizzazione", args=[girasole.pk])]


def test_a_pending_request_of_one_s_own_is_shown(referente, alice):
    girasole = Organizzazione.objects.get(ente__denominazione="Cooperativa sociale Il Girasole")
    Referente.objects.create(organizzazione=girasole, user=alice, stato=Referente.Stato.RICHIESTA)
    [block] = blocks_of(alice)
    assert urls([block]) == [reverse("terzo_settore:mie_organizzazioni")]
    assert "Il Girasole" in block.items[0].title

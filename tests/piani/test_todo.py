"""The plans' blocks of the home page (piani.todo), registered by the app's config."""

# The fixtures imported from the other modules are parameters of the tests below.
# ruff: noqa: F811

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambiti.models import Ente
from piani import todo
from piani.models import Accordo, Consultazione, Firmatario, Osservazione, Piano, PianoAttuativo
from piani.services.approvazione import metti_ai_voti_attuativo, registra_esito
from piani.services.consultazione import osserva, rispondi
from piani.services.documento import congela_versione
from tavoli.services import chiudi_votazione
from tests.piani.factories import AzioneFactory, ObiettivoFactory, piano_con_sezioni
from tests.piani.test_approvazione import (  # noqa: F401 (fixtures)
    GRANDI_SI,
    assemblea,
    metti,
    sindaci,
    votano,
)
from tests.piani.test_consultazione import (  # noqa: F401 (fixtures)
    aurora,
    caritas,
    consulta,
    consultazione,
    membro,
    outsider,
    piano,
    referente_ammesso,
    referente_non_ammesso,
    tavolo_anziani,
)


def piani_items(client, user=None):
    """(title, url) of the items of the plans' blocks on the home page."""
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("home"))
    blocchi = response.context["todo_blocks"] if user is not None else []
    blocchi += response.context["public_blocks"]
    return [
        (item.title, item.url)
        for block in blocchi
        for item in block.items
        if item.url.startswith("/piani/") or "Piano di Zona" in item.title
    ]


def urls(client, user=None):
    return [url for _title, url in piani_items(client, user)]


# --- consultations ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["membro", "referente_ammesso"])
def test_participants_are_asked_to_comment_until_the_closing(
    client, request, consultazione, persona
):
    user = request.getfixturevalue(persona)
    url = reverse("piani:consultazione", args=[consultazione.pk])
    items = piani_items(client, user)
    data = timezone.localtime(consultazione.chiude_at).strftime("%d/%m/%Y")
    assert items == [
        (f"Comment on the draft {consultazione.piano.titolo} by {data}", url),
    ]

    Consultazione.objects.filter(pk=consultazione.pk).update(chiude_at=timezone.now())
    assert urls(client, user) == []


@pytest.mark.parametrize("persona", ["referente_non_ammesso", "sindaco", "outsider", "staff"])
def test_who_cannot_comment_is_not_asked_to(client, request, consultazione, persona):
    assert urls(client, request.getfixturevalue(persona)) == []


def test_a_scheduled_consultation_is_not_asked_yet(client, piano, staff, membro):
    consulta(piano, staff, apre=24, chiude=48)
    assert urls(client, membro) == []


# --- votes of the Assemblea -------------------------------------------------------------------


def vote_items(client, user, votazione):
    """Every home to-do (of any app) that points at ``votazione``."""
    client.force_login(user)
    blocchi = client.get(reverse("home")).context["todo_blocks"]
    url = reverse("tavoli:votazione", args=[votazione.pk])
    return [i.title for b in blocchi for i in b.items if i.url == url]


def test_mayors_are_asked_once_to_vote_on_the_plan_online_until_they_vote(
    client, piano, assemblea, staff, sindaci
):
    votazione = metti(piano, assemblea, staff)
    titolo = (
        f"Vote: Approval of the Piano di Zona 2025-2027 (version {piano.versioni.get().numero})"
    )

    assert vote_items(client, sindaci["Viadana"], votazione) == [titolo]
    votano(votazione, sindaci, {"Viadana": "favorevole"})
    assert vote_items(client, sindaci["Viadana"], votazione) == []
    assert vote_items(client, sindaci["Gussola"], votazione) == [titolo]
    chiudi_votazione(votazione, by=staff)
    assert vote_items(client, sindaci["Gussola"], votazione) == []


def test_a_show_of_hands_is_announced_to_the_mayors(client, piano, assemblea, staff, sindaci):
    votazione = metti(piano, assemblea, staff, modalita="palese")
    client.force_login(sindaci["Sabbioneta"])
    blocchi = client.get(reverse("home")).context["todo_blocks"]
    item = next(i for b in blocchi for i in b.items if i.url.endswith(f"/{votazione.pk}/"))
    assert "by show of hands at the meeting" in item.detail


def test_mayors_are_asked_to_vote_on_an_annual_plan(client, piano, assemblea, staff, sindaci):
    AzioneFactory(obiettivo=ObiettivoFactory(piano=piano), anno=2026)
    votano(metti(piano, assemblea, staff), sindaci, GRANDI_SI)
    registra_esito(piano, by=staff)
    attuativo = PianoAttuativo.objects.create(piano=piano, anno=2026)
    votazione = metti_ai_voti_attuativo(attuativo, tavolo=assemblea, modalita="palese", by=staff)
    assert (
        f"Vote on the annual plan 2026 of the {piano.titolo}",
        reverse("tavoli:votazione", args=[votazione.pk]),
    ) in piani_items(client, sindaci["Casalmaggiore"])


def test_who_sits_elsewhere_is_not_asked_to_vote(client, piano, assemblea, staff, membro):
    metti(piano, assemblea, staff)
    assert urls(client, membro) == []


# --- the Ufficio di Piano ---------------------------------------------------------------------


def test_staff_are_asked_to_record_a_closed_vote(
    client, piano, assemblea, staff, staff_altro, sindaci
):
    votazione = metti(piano, assemblea, staff)
    votano(votazione, sindaci, GRANDI_SI)
    assert urls(client, staff) == []
    chiudi_votazione(votazione, by=staff)

    assert urls(client, staff) == [reverse("piani:approvazione", args=[piano.pk])]
    assert urls(client, staff_altro) == []
    registra_esito(piano, by=staff)
    assert urls(client, staff) == []


def test_staff_are_asked_to_answer_comments_of_closed_consultations(
    client, consultazione, membro, caritas, staff
):
    osservazione = osserva(consultazione, by=membro, sezione="c", ente=caritas, testo="Nota.")
    assert urls(client, staff) == []  # still open: more may come
    Consultazione.objects.filter(pk=consultazione.pk).update(chiude_at=timezone.now())

    items = piani_items(client, staff)
    assert items == [
        (
            f"Answer 1 comment of the consultation on {consultazione.piano.titolo}",
            reverse("piani:consultazione", args=[consultazione.pk]),
        )
    ]
    rispondi(osservazione, risposta="Vista.", esito="accolta", by=staff)
    assert urls(client, staff) == []


@pytest.fixture
def accordo(piano, staff, ambito):
    versione = congela_versione(piano, motivo="manuale", by=staff)
    accordo = Accordo.objects.create(
        piano=piano, versione=versione, stato=Accordo.Stato.IN_FIRMA, created_by=staff
    )
    for i, ente in enumerate(Ente.objects.filter(tipo=Ente.Tipo.COMUNE).order_by("denominazione")):
        Firmatario.objects.create(accordo=accordo, ente=ente, tipo="istituzionale", ordine=i)
    return accordo


def test_staff_are_asked_for_missing_signed_copies(client, accordo, staff):
    url = reverse("piani:accordo", args=[accordo.piano_id])
    assert urls(client, staff) == [url]
    Firmatario.objects.filter(accordo=accordo).update(copia_firmata="firmati/copia.pdf")
    assert urls(client, staff) == []


def test_the_mayor_is_asked_to_sign_for_the_comune(client, accordo, sindaco, membro):
    url = reverse("piani:accordo", args=[accordo.piano_id])
    assert piani_items(client, sindaco) == [
        (f"Sign the accordo di programma of the {accordo.piano.titolo}", url)
    ]
    assert urls(client, membro) == []  # not a mayor
    Firmatario.objects.filter(ente__comune__nome="Casalmaggiore").update(
        copia_firmata="firmati/casalmaggiore.pdf"
    )
    assert urls(client, sindaco) == []
    Firmatario.objects.update(copia_firmata="")
    Accordo.objects.update(stato=Accordo.Stato.FIRMATO)
    assert urls(client, sindaco) == []


# --- everyone ---------------------------------------------------------------------------------


def test_published_plans_are_on_the_public_home_page(client, piano, ambito):
    assert urls(client) == []
    Piano.objects.filter(pk=piano.pk).update(
        pubblicato_at=timezone.now(), approvato_il=timezone.localdate()
    )
    assert urls(client) == [reverse("piani:piano", args=[piano.pk])]


# --- queries ----------------------------------------------------------------------------------


class _Request:
    def __init__(self, user):
        self.user = user


def _queries(provider, user):
    user = type(user).objects.get(pk=user.pk)  # no cached roles
    with CaptureQueriesContext(connection) as ctx:
        provider(_Request(user))
    return len(ctx.captured_queries)


def _aggiungi(ambito, staff, membro, caritas, n, primo=2030):
    """``n`` published plans, each with an open consultation (with a comment) and a closed
    one with a comment still to answer."""
    for i in range(n):
        piano = piano_con_sezioni(ambito, anno_inizio=primo + 3 * i, by=staff, a="Testo.")
        aperta = consulta(piano, staff)
        osserva(aperta, by=membro, sezione="a", ente=caritas, testo="Nota.")
        chiusa = Consultazione.objects.create(
            piano=piano,
            versione=aperta.versione,
            apre_at=timezone.now() - timedelta(days=30),
            chiude_at=timezone.now() - timedelta(days=20),
            aperta_da=staff,
        )
        Osservazione.objects.create(
            consultazione=chiusa, sezione="b", autore=membro, ente=caritas, testo="Vecchia."
        )
        Piano.objects.filter(pk=piano.pk).update(pubblicato_at=timezone.now())


def test_the_providers_do_not_grow_with_the_rows(ambito, staff, membro, caritas, sindaco):
    providers = [todo.todo_partecipante, todo.todo_staff, todo.public_piani]
    persone = [membro, staff, sindaco]
    _aggiungi(ambito, staff, membro, caritas, 2)
    prima = [_queries(p, u) for p in providers for u in persone]
    # The member has comments to send, the staff answers to give, everyone plans to read.
    assert len(todo.todo_partecipante(_Request(membro))[0].items) == 2
    assert len(todo.todo_staff(_Request(staff))[0].items) == 2
    _aggiungi(ambito, staff, membro, caritas, 7, primo=2100)
    assert [_queries(p, u) for p in providers for u in persone] == prima
    assert len(todo.todo_partecipante(_Request(membro))[0].items) == todo.QUANTI
    assert len(todo.public_piani(_Request(sindaco))[0].items) == todo.QUANTI

"""“My meetings”, the personal calendar feed behind its secret address and the public feed
of a body (tavoli.views.calendario)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tavoli import ics
from tavoli.models import Convocazione, FeedCalendario, Incontro, Membro, PuntoOdg
from tavoli.services import rsvp_token
from tests.ambiti.test_views_queries import same_queries_with_10_and_1000_rows
from tests.tavoli.factories import IncontroFactory, MembroFactory, PuntoOdgFactory, TavoloFactory

PERSONE = ["anonymous", "alice", "staff", "staff_altro", "sindaco", "admin_regionale"]


@pytest.fixture
def utente(request):
    """The persona named by the test's parameter (None for an anonymous visitor)."""
    nome = request.param if hasattr(request, "param") else "anonymous"
    return None if nome == "anonymous" else request.getfixturevalue(nome)


@pytest.fixture
def tavolo(ambito):
    """A public table of the ambito where Alice sits for Viadana and Filippo for Casalmaggiore."""
    tavolo = TavoloFactory(ambito=ambito, nome="Tavolo anziani e disabilità", pubblico=True)
    for comune, nome, email in [
        ("Viadana", "Alice Bianchi", "alice@example.org"),
        ("Casalmaggiore", "Filippo Bongiovanni", "filippo@example.org"),
    ]:
        MembroFactory(
            tavolo=tavolo,
            ente=ambito.enti.get(comune__nome=comune),
            delegato_nome=nome,
            delegato_email=email,
        )
    return tavolo


def convocato(tavolo, *, giorni=10, **kwargs):
    """A convened meeting of ``tavolo`` in ``giorni`` days, with a convocation per member."""
    inizio = (timezone.now() + timedelta(days=giorni)).replace(
        hour=16, minute=30, second=0, microsecond=0
    )
    incontro = IncontroFactory(
        tavolo=tavolo,
        inizio=inizio,
        fine=inizio + timedelta(hours=2),
        stato=kwargs.pop("stato", Incontro.Stato.CONVOCATO),
        convocato_at=timezone.now() - timedelta(days=1),
        **kwargs,
    )
    for membro in tavolo.membri.all():
        Convocazione.objects.create(
            incontro=incontro,
            membro=membro,
            destinatario=Convocazione.Destinatario.DELEGATO,
            canale=Convocazione.Canale.EMAIL,
            nome=membro.delegato_nome,
            email=membro.delegato_email,
            stato=Convocazione.Stato.INVIATA,
            sequenza_inviata=incontro.sequenza,
        )
    return incontro


def convocazione_di(incontro, email):
    return incontro.convocazioni.get(email=email)


def login(client, user):
    if user is not None:
        client.force_login(user)


# --- “my meetings” --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utente", "status"),
    [
        ("anonymous", 302),
        ("alice", 200),
        ("staff", 200),
        ("staff_altro", 200),
        ("sindaco", 200),
        ("admin_regionale", 200),
    ],
    indirect=["utente"],
)
def test_my_meetings_needs_a_sign_in(client, utente, status):
    login(client, utente)
    response = client.get(reverse("tavoli:miei_incontri"))
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("account_login"))


def test_a_member_sees_the_meetings_of_their_bodies_with_the_rsvp(client, alice, tavolo):
    prossimo = convocato(tavolo, titolo="Seduta di ottobre")
    in_preparazione = IncontroFactory(tavolo=tavolo, titolo="Seduta in preparazione")
    passato = convocato(tavolo, giorni=-30, titolo="Seduta di settembre", stato="svolto")
    altro = convocato(TavoloFactory(ambito=tavolo.ambito), titolo="Seduta di un altro tavolo")
    client.force_login(alice)

    response = client.get(reverse("tavoli:miei_incontri"))

    assert [i.pk for i in response.context["prossimi"]] == [prossimo.pk]
    assert [i.pk for i in response.context["page"]] == [passato.pk]
    html = response.content.decode()
    assert "Seduta di ottobre" in html and "Seduta di settembre" in html
    assert in_preparazione.titolo not in html and altro.titolo not in html
    assert prossimo.inizio.astimezone(ics.ROMA).strftime("%d/%m/%Y") in html
    rsvp = reverse("tavoli:rsvp", args=[rsvp_token(convocazione_di(prossimo, alice.email))])
    assert f'href="{rsvp}"' in html
    # a past meeting is no longer open to answers
    vecchio = reverse("tavoli:rsvp", args=[rsvp_token(convocazione_di(passato, alice.email))])
    assert vecchio not in html


def test_the_answer_given_is_shown(client, alice, tavolo):
    incontro = convocato(tavolo)
    Convocazione.objects.filter(incontro=incontro, email=alice.email).update(
        risposta=Convocazione.Risposta.DELEGA, risposta_delegato="Marco Verdi"
    )
    client.force_login(alice)
    html = client.get(reverse("tavoli:miei_incontri")).content.decode()
    assert 'data-risposta="delega"' in html
    assert "Marco Verdi" in html


def test_staff_see_every_meeting_of_their_bodies_even_without_sitting(client, staff, tavolo):
    prossimo = convocato(tavolo)
    in_preparazione = IncontroFactory(tavolo=tavolo, titolo="Seduta in preparazione")
    client.force_login(staff)
    response = client.get(reverse("tavoli:miei_incontri"))
    assert {i.pk for i in response.context["prossimi"]} == {prossimo.pk, in_preparazione.pk}
    assert all(i.gestito for i in response.context["prossimi"])


def test_staff_of_another_ambito_see_nothing_of_it(client, staff_altro, tavolo):
    convocato(tavolo)
    client.force_login(staff_altro)
    response = client.get(reverse("tavoli:miei_incontri"))
    assert response.context["prossimi"] == []
    assert not response.context["page"].object_list


def test_a_removed_member_no_longer_sees_the_meetings(client, alice, tavolo):
    convocato(tavolo)
    Membro.objects.filter(delegato_email=alice.email).update(rimosso_at=timezone.now())
    client.force_login(alice)
    assert client.get(reverse("tavoli:miei_incontri")).context["prossimi"] == []


def test_past_meetings_are_paginated(client, alice, tavolo):
    for giorni in range(1, 31):
        convocato(tavolo, giorni=-giorni, stato="svolto")
    client.force_login(alice)
    page = client.get(reverse("tavoli:miei_incontri")).context["page"]
    assert page.paginator.count == 30 and len(page.object_list) == 25
    secondo = client.get(reverse("tavoli:miei_incontri") + "?page=2").context["page"]
    assert len(secondo.object_list) == 5


def test_the_page_shows_the_address_of_the_personal_calendar(client, alice, settings):
    settings.SITE_URL = "https://pdz.example.org"
    client.force_login(alice)
    html = client.get(reverse("tavoli:miei_incontri")).content.decode()
    token = FeedCalendario.objects.get(user=alice).token
    assert f"https://pdz.example.org/tavoli/calendario/{token}.ics" in html
    assert f"webcal://pdz.example.org/tavoli/calendario/{token}.ics" in html
    assert reverse("tavoli:feed_rigenera") in html


def test_my_meetings_queries_do_not_grow_with_the_meetings(client, alice, staff, tavolo):
    client.force_login(alice)
    membro = tavolo.membri.get(delegato_email=alice.email)

    def add_incontri(start, stop):
        adesso = timezone.now()
        # half upcoming (odd n), half past
        incontri = Incontro.objects.bulk_create(
            Incontro(
                tavolo=tavolo,
                titolo=f"Seduta {n}",
                inizio=adesso + timedelta(days=n if n % 2 else -n - 1),
                fine=adesso + timedelta(days=n if n % 2 else -n - 1, hours=2),
                stato=Incontro.Stato.CONVOCATO if n % 2 else Incontro.Stato.SVOLTO,
                convocato_at=adesso,
                created_by=staff,
            )
            for n in range(start, stop)
        )
        Convocazione.objects.bulk_create(
            Convocazione(
                incontro=i,
                membro=membro,
                destinatario=Convocazione.Destinatario.DELEGATO,
                canale=Convocazione.Canale.EMAIL,
                nome=membro.delegato_nome,
                email=membro.delegato_email,
            )
            for i in incontri
        )

    same_queries_with_10_and_1000_rows(client, reverse("tavoli:miei_incontri"), add_incontri)


# --- the personal feed --------------------------------------------------------------------


def feed_di(client, user):
    client.force_login(user)
    client.get(reverse("tavoli:miei_incontri"))
    client.logout()
    return reverse("tavoli:feed_personale", args=[FeedCalendario.objects.get(user=user).token])


def eventi(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendario = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in calendario.walk("VEVENT")}


def test_the_personal_feed_has_the_meetings_of_the_person(client, alice, tavolo):
    prossimo = convocato(tavolo, titolo="Seduta di ottobre")
    PuntoOdgFactory(incontro=prossimo, numero=1, titolo="Programmazione 2026")
    annullato = convocato(tavolo, giorni=20, titolo="Seduta annullata")
    annullato.stato = Incontro.Stato.ANNULLATO
    annullato.save()
    recente = convocato(tavolo, giorni=-300, stato="pubblicato")
    vecchio = convocato(tavolo, giorni=-400, stato="pubblicato")
    IncontroFactory(tavolo=tavolo, titolo="Seduta in preparazione")
    convocato(TavoloFactory(ambito=tavolo.ambito))  # Alice does not sit there
    url = feed_di(client, alice)

    primo = eventi(client.get(url))  # no session: the token is the key
    assert set(primo) == {ics.uid(prossimo), ics.uid(annullato), ics.uid(recente)}
    assert ics.uid(vecchio) not in primo
    evento = primo[ics.uid(prossimo)]
    assert str(evento["summary"]) == f"{tavolo.nome}: Seduta di ottobre"
    assert "1. Programmazione 2026" in str(evento["description"])
    assert evento["dtstart"].params["TZID"] == "Europe/Rome"
    assert evento["dtstart"].dt == prossimo.inizio
    assert str(evento["status"]) == "CONFIRMED"
    assert str(primo[ics.uid(annullato)]["status"]) == "CANCELLED"
    # the same UID on every request: the calendar client updates, never duplicates
    assert set(eventi(client.get(url))) == set(primo)


def test_staff_find_in_their_feed_the_meetings_of_their_bodies(client, staff, tavolo):
    in_preparazione = IncontroFactory(tavolo=tavolo, titolo="Seduta in preparazione")
    assert set(eventi(client.get(feed_di(client, staff)))) == {ics.uid(in_preparazione)}


def test_an_unknown_token_is_not_found(client, db):
    response = client.get(reverse("tavoli:feed_personale", args=["non-esiste"]))
    assert response.status_code == 404


def test_a_new_address_revokes_the_old_one(client, alice, tavolo):
    convocato(tavolo)
    vecchio = feed_di(client, alice)
    client.force_login(alice)

    response = client.post(reverse("tavoli:feed_rigenera"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("tavoli:miei_incontri"))
    assert len(list(response.context["messages"])) == 1
    nuovo = reverse("tavoli:feed_personale", args=[FeedCalendario.objects.get(user=alice).token])
    assert nuovo != vecchio
    assert nuovo in response.content.decode()
    client.logout()
    assert client.get(vecchio).status_code == 404
    assert client.get(nuovo).status_code == 200


@pytest.mark.parametrize(
    ("utente", "status"),
    [
        ("anonymous", 302),
        ("alice", 302),
        ("staff", 302),
        ("staff_altro", 302),
        ("sindaco", 302),
        ("admin_regionale", 302),
    ],
    indirect=["utente"],
)
def test_regenerating_the_address_is_a_post_of_a_signed_in_person(client, db, utente, status):
    login(client, utente)
    assert client.get(reverse("tavoli:feed_rigenera")).status_code == (
        302 if utente is None else 405
    )
    response = client.post(reverse("tavoli:feed_rigenera"))
    assert response.status_code == status
    if utente is None:
        assert response.url.startswith(reverse("account_login"))
        assert not FeedCalendario.objects.exists()
    else:
        assert FeedCalendario.objects.filter(user=utente).exists()


def test_the_feed_of_a_deactivated_account_is_gone(client, alice, tavolo):
    url = feed_di(client, alice)
    alice.is_active = False
    alice.save()
    assert client.get(url).status_code == 404


def add_incontri_con_punti(tavolo, autore):
    def add(start, stop):
        adesso = timezone.now()
        incontri = Incontro.objects.bulk_create(
            Incontro(
                tavolo=tavolo,
                titolo=f"Seduta {n}",
                inizio=adesso + timedelta(days=n - 200),
                fine=adesso + timedelta(days=n - 200, hours=2),
                stato=Incontro.Stato.CONVOCATO,
                convocato_at=adesso,
                created_by=autore,
            )
            for n in range(start, stop)
        )
        PuntoOdg.objects.bulk_create(
            PuntoOdg(incontro=i, numero=numero, titolo=f"Punto {numero}")
            for i in incontri
            for numero in (1, 2)
        )

    return add


def test_the_personal_feed_queries_do_not_grow_with_the_meetings(client, alice, staff, tavolo):
    url = feed_di(client, alice)
    same_queries_with_10_and_1000_rows(client, url, add_incontri_con_punti(tavolo, staff))


# --- the feed of a body -------------------------------------------------------------------


@pytest.mark.parametrize("utente", PERSONE, indirect=True)
def test_the_feed_of_a_public_body_is_for_everybody(client, utente, tavolo):
    incontro = convocato(tavolo)
    IncontroFactory(tavolo=tavolo, titolo="Seduta in preparazione")
    login(client, utente)
    response = client.get(reverse("tavoli:feed_tavolo", args=[tavolo.pk]))
    assert set(eventi(response)) == {ics.uid(incontro)}
    assert Calendar.from_ical(response.content)["X-WR-CALNAME"] == tavolo.nome


@pytest.mark.parametrize("utente", PERSONE, indirect=True)
def test_an_internal_body_has_no_feed(client, utente, tavolo):
    tavolo.pubblico = False
    tavolo.save()
    convocato(tavolo)
    login(client, utente)
    assert client.get(reverse("tavoli:feed_tavolo", args=[tavolo.pk])).status_code == 404


def test_the_feed_of_a_body_has_stable_uids_and_rome_times(client, tavolo):
    incontro = convocato(tavolo)
    url = reverse("tavoli:feed_tavolo", args=[tavolo.pk])
    primo, secondo = eventi(client.get(url)), eventi(client.get(url))
    assert list(primo) == list(secondo) == [ics.uid(incontro)]
    assert primo[ics.uid(incontro)]["dtstart"].params["TZID"] == "Europe/Rome"


def test_the_feed_of_a_body_queries_do_not_grow_with_the_meetings(client, staff, tavolo):
    url = reverse("tavoli:feed_tavolo", args=[tavolo.pk])
    same_queries_with_10_and_1000_rows(client, url, add_incontri_con_punti(tavolo, staff))

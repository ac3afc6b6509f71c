"""Convening, updating and cancelling a meeting through its pages, and the delivery table:
one message per recipient, each with its .ics, e-mailed by the (eager) worker on commit."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tavoli.models import Convocazione, Incontro
from tests.ambiti.factories import EnteFactory
from tests.tavoli.factories import IncontroFactory, MembroFactory, PuntoOdgFactory, TavoloFactory
from tests.tavoli.test_views_incontri import local

Stato = Convocazione.Stato


@pytest.fixture(autouse=True)
def posta(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PEC_EMAIL = None


@pytest.fixture
def tavolo(ambito):
    return TavoloFactory(ambito=ambito, nome="Tavolo anziani e disabilità", preavviso_ore=120)


@pytest.fixture
def membri(tavolo):
    return [
        MembroFactory(
            tavolo=tavolo,
            ente=EnteFactory(denominazione="ASST di Cremona"),
            delegato_nome="Anna Rossi",
            delegato_email="anna@example.org",
        ),
        MembroFactory(
            tavolo=tavolo,
            ente=EnteFactory(denominazione="Cooperativa Il Girasole"),
            delegato_nome="Bruno Verdi",
            delegato_email="bruno@example.org",
            supplente_nome="Carla Neri",
            supplente_email="carla@example.org",
        ),
    ]


@pytest.fixture
def incontro(tavolo, staff):
    inizio = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    incontro = IncontroFactory(
        tavolo=tavolo,
        titolo="Prima seduta",
        inizio=inizio,
        fine=inizio + timedelta(hours=2),
        created_by=staff,
    )
    PuntoOdgFactory(incontro=incontro, numero=1, titolo="Insediamento del tavolo")
    return incontro


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """``client.post`` with what the view leaves for after commit run (the eager worker)."""

    def post(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return post


def messaggi(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def evento(message):
    [(nome, contenuto, mimetype)] = message.attachments
    assert nome == "convocazione.ics" and mimetype.startswith("text/calendar")
    calendario = Calendar.from_ical(contenuto)
    [event] = calendario.walk("VEVENT")
    return calendario, event


def dati_modifica(incontro, **overrides):
    punti = list(incontro.punti.all())
    dati = {
        "titolo": incontro.titolo,
        "inizio": local(incontro.inizio),
        "fine": local(incontro.fine),
        "luogo": incontro.luogo,
        "link_online": incontro.link_online,
        "note": incontro.note,
        "punti-TOTAL_FORMS": str(len(punti)),
        "punti-INITIAL_FORMS": str(len(punti)),
        "punti-MIN_NUM_FORMS": "0",
        "punti-MAX_NUM_FORMS": "1000",
    }
    for i, punto in enumerate(punti):
        dati[f"punti-{i}-titolo"] = punto.titolo
        dati[f"punti-{i}-descrizione"] = punto.descrizione
    dati.update(overrides)
    return dati


# --- convening ------------------------------------------------------------------------------


def test_staff_convene_and_everyone_gets_one_message_with_its_ics(
    client, post, incontro, membri, staff
):
    client.force_login(staff)
    url = reverse("tavoli:incontro_convoca", args=[incontro.pk])
    conferma = client.get(url)
    assert (conferma.context["totale"], conferma.context["nuovi"]) == (3, 3)
    assert "urgente" not in conferma.content.decode()  # plenty of notice
    assert not mail.outbox

    response = post(url)
    assert response.status_code == 302
    assert response.url == reverse("tavoli:consegne", args=[incontro.pk])
    assert messaggi(response) == [
        "The convocation is being sent to 3 recipients: follow the delivery in this table."
    ]
    assert sorted(rcpt for m in mail.outbox for rcpt in m.to) == [
        "anna@example.org",
        "bruno@example.org",
        "carla@example.org",
    ]
    for message in mail.outbox:
        calendario, event = evento(message)
        assert calendario["METHOD"] == "REQUEST"
        assert event["SEQUENCE"] == 0
    incontro.refresh_from_db()
    assert incontro.stato == Incontro.Stato.CONVOCATO and not incontro.urgente
    assert set(incontro.convocazioni.values_list("stato", flat=True)) == {Stato.INVIATA}

    tabella = client.get(response.url)
    assert tabella.context["conteggi"]["inviate"] == 3
    assert not tabella.context["live"]
    page = tabella.content.decode()
    assert "carla@example.org" in page and 'http-equiv="refresh"' not in page


def test_convening_again_reaches_only_the_new_members(client, post, incontro, membri, staff):
    client.force_login(staff)
    url = reverse("tavoli:incontro_convoca", args=[incontro.pk])
    post(url)
    mail.outbox.clear()
    MembroFactory(tavolo=incontro.tavolo, delegato_email="nuovo@example.org")
    conferma = client.get(url)
    assert (conferma.context["totale"], conferma.context["nuovi"]) == (4, 1)
    post(url)
    assert [m.to for m in mail.outbox] == [["nuovo@example.org"]]


def test_inside_the_notice_period_urgency_must_be_confirmed(client, post, incontro, membri, staff):
    incontro.inizio = timezone.now() + timedelta(hours=30)
    incontro.fine = incontro.inizio + timedelta(hours=2)
    incontro.save()
    client.force_login(staff)
    url = reverse("tavoli:incontro_convoca", args=[incontro.pk])
    assert client.get(url).context["urgenza"]

    response = post(url)
    assert response.status_code == 200
    [errore] = response.context["form"].errors["urgente"]
    assert "notice period is 120 hours" in errore
    page = response.content.decode()
    assert 'name="urgente"' in page and "is-invalid" in page
    assert not mail.outbox
    incontro.refresh_from_db()
    assert incontro.stato == Incontro.Stato.PIANIFICATO

    response = post(url, {"urgente": "on"})
    assert response.status_code == 302
    assert len(mail.outbox) == 3
    incontro.refresh_from_db()
    assert incontro.stato == Incontro.Stato.CONVOCATO and incontro.urgente


def test_a_body_without_members_cannot_be_convened(client, post, incontro, staff):
    client.force_login(staff)
    response = post(reverse("tavoli:incontro_convoca", args=[incontro.pk]))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The body has no members to convene."]


@pytest.mark.parametrize(("persona", "atteso"), [("sindaco", 403), ("alice", 403)])
def test_who_may_not_convene_sends_nothing(
    client, post, request, incontro, membri, persona, atteso
):
    client.force_login(request.getfixturevalue(persona))
    assert post(reverse("tavoli:incontro_convoca", args=[incontro.pk])).status_code == atteso
    assert (
        post(reverse("tavoli:incontro_annulla", args=[incontro.pk]), {"motivo": "x"}).status_code
        == atteso
    )
    assert not mail.outbox
    incontro.refresh_from_db()
    assert incontro.stato == Incontro.Stato.PIANIFICATO


# --- updates and cancellations --------------------------------------------------------------


def test_moving_a_convened_meeting_sends_everyone_an_update(client, post, incontro, membri, staff):
    client.force_login(staff)
    post(reverse("tavoli:incontro_convoca", args=[incontro.pk]))
    mail.outbox.clear()
    url = reverse("tavoli:incontro_modifica", args=[incontro.pk])
    page = client.get(url).content.decode()
    assert "everyone convened is sent the updated convocation" in page

    response = post(url, dati_modifica(incontro, luogo="Sala Polivalente, Via Cairoli 1, Viadana"))
    assert response.status_code == 302
    assert response.url == reverse("tavoli:consegne", args=[incontro.pk])
    assert messaggi(response) == [
        "The changes have been saved. Every member convened is being sent the updated convocation."
    ]
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        calendario, event = evento(message)
        assert calendario["METHOD"] == "REQUEST"
        assert event["SEQUENCE"] == 1
        assert "Via Cairoli" in str(event["LOCATION"])


def test_changing_only_the_title_of_a_convened_meeting_sends_nothing(
    client, post, incontro, membri, staff
):
    client.force_login(staff)
    post(reverse("tavoli:incontro_convoca", args=[incontro.pk]))
    mail.outbox.clear()
    response = post(
        reverse("tavoli:incontro_modifica", args=[incontro.pk]),
        dati_modifica(incontro, titolo="Prima seduta (ordine del giorno integrato)"),
    )
    assert response.status_code == 302
    assert messaggi(response)[-1] == "The changes to the meeting have been saved."
    assert not mail.outbox


def test_cancelling_a_convened_meeting_sends_the_cancellation(
    client, post, incontro, membri, staff
):
    client.force_login(staff)
    post(reverse("tavoli:incontro_convoca", args=[incontro.pk]))
    mail.outbox.clear()
    url = reverse("tavoli:incontro_annulla", args=[incontro.pk])
    assert client.get(url).context["num_convocati"] == 3

    response = post(url, {"motivo": ""})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["motivo"]
    assert not mail.outbox

    response = post(url, {"motivo": "Sala non disponibile."})
    assert response.status_code == 302
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        calendario, event = evento(message)
        assert calendario["METHOD"] == "CANCEL"
        assert event["STATUS"] == "CANCELLED"
    incontro.refresh_from_db()
    assert incontro.stato == Incontro.Stato.ANNULLATO
    assert incontro.motivo_annullamento == "Sala non disponibile."
    page = client.get(reverse("tavoli:incontro", args=[incontro.pk])).content.decode()
    assert "Sala non disponibile." in page
    assert reverse("tavoli:incontro_convoca", args=[incontro.pk]) not in page


def test_cancelling_a_planned_meeting_sends_nothing(client, post, incontro, membri, staff):
    client.force_login(staff)
    response = post(reverse("tavoli:incontro_annulla", args=[incontro.pk]), {"motivo": "Rinviata."})
    assert response.url == reverse("tavoli:incontro", args=[incontro.pk])
    assert messaggi(response) == ["The meeting has been cancelled."]
    assert not mail.outbox


# --- the delivery table ---------------------------------------------------------------------


def righe_in_coda(incontro, membri):
    incontro.stato = Incontro.Stato.CONVOCATO
    incontro.save()
    for membro in membri:
        Convocazione.objects.create(
            incontro=incontro,
            membro=membro,
            destinatario=Convocazione.Destinatario.DELEGATO,
            canale=Convocazione.Canale.EMAIL,
            nome=membro.delegato_nome,
            email=membro.delegato_email,
        )


def test_while_deliveries_are_queued_the_table_refreshes_itself(client, incontro, membri, staff):
    righe_in_coda(incontro, membri)
    client.force_login(staff)
    url = reverse("tavoli:consegne", args=[incontro.pk])
    response = client.get(url)
    assert response.context["live"]
    assert response.context["conteggi"]["in_coda"] == 2
    page = response.content.decode()
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert 'data-live="1"' in page and "fragment" in page

    frammento = client.get(url, {"fragment": "1"}).content.decode()
    assert 'id="consegne-conteggi"' in frammento and 'id="consegne-righe"' in frammento
    assert "<html" not in frammento and "anna@example.org" in frammento

    Convocazione.objects.update(stato=Stato.INVIATA, inviata_at=timezone.now(), tentativi=1)
    frammento = client.get(url, {"fragment": "1"}).content.decode()
    assert 'data-live="0"' in frammento


def test_failed_deliveries_are_shown_and_retried(client, post, incontro, membri, staff):
    righe_in_coda(incontro, membri)
    Convocazione.objects.filter(email="anna@example.org").update(
        stato=Stato.FALLITA, tentativi=3, errore="550 5.1.1 User unknown"
    )
    Convocazione.objects.filter(email="bruno@example.org").update(
        stato=Stato.INVIATA,
        risposta=Convocazione.Risposta.NO,
        sequenza_inviata=0,
        message_id="<1@pdz.convocazioni>",
        inviata_at=timezone.now(),
    )
    client.force_login(staff)
    url = reverse("tavoli:consegne", args=[incontro.pk])
    response = client.get(url)
    conteggi = response.context["conteggi"]
    assert (conteggi["fallite"], conteggi["inviate"], conteggi["no"], conteggi["senza"]) == (
        1,
        1,
        1,
        1,
    )
    page = response.content.decode()
    assert "550 5.1.1 User unknown" in page and "&lt;1@pdz.convocazioni&gt;" in page
    assert reverse("tavoli:consegne_ritenta", args=[incontro.pk]) in page
    assert [c.email for c in client.get(url, {"stato": Stato.FALLITA}).context["page"]] == [
        "anna@example.org"
    ]
    assert [c.email for c in client.get(url, {"risposta": "no"}).context["page"]] == [
        "bruno@example.org"
    ]
    assert [c.email for c in client.get(url, {"risposta": "-"}).context["page"]] == [
        "anna@example.org"
    ]

    assert client.get(reverse("tavoli:consegne_ritenta", args=[incontro.pk])).status_code == 405
    response = post(reverse("tavoli:consegne_ritenta", args=[incontro.pk]))
    assert response.status_code == 302
    assert messaggi(response) == ["1 failed delivery is being tried again."]
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert Convocazione.objects.get(email="anna@example.org").stato == Stato.INVIATA


def test_the_delivery_table_exports_csv(client, post, incontro, membri, staff):
    client.force_login(staff)
    post(reverse("tavoli:incontro_convoca", args=[incontro.pk]))
    response = client.get(reverse("tavoli:consegne", args=[incontro.pk]), {"format": "csv"})
    righe = response.content.decode("utf-8-sig").splitlines()
    assert righe[0].startswith("Party;Recipient;Name;Address;Channel;Delivery;Attempts")
    assert len(righe) == 4
    assert any("carla@example.org" in r and ";Substitute;" in r for r in righe)


def test_a_party_with_pec_is_convened_there_and_the_message_id_kept(
    client, post, settings, incontro, staff
):
    settings.PEC_EMAIL = {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    MembroFactory(
        tavolo=incontro.tavolo,
        ente=EnteFactory(denominazione="Comune di Sabbioneta", pec="comune@pec.example.it"),
        delegato_email="sindaco@sabbioneta.example.org",
    )
    client.force_login(staff)
    assert client.get(reverse("tavoli:incontro_convoca", args=[incontro.pk])).context["totale"] == 2
    post(reverse("tavoli:incontro_convoca", args=[incontro.pk]))
    pec = Convocazione.objects.get(canale=Convocazione.Canale.PEC)
    assert pec.stato == Stato.INVIATA and pec.message_id
    page = client.get(reverse("tavoli:consegne", args=[incontro.pk])).content.decode()
    assert "comune@pec.example.it" in page
    assert pec.message_id.replace("<", "&lt;").replace(">", "&gt;") in page

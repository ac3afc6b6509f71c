"""The e-mails of a meeting as the members receive them: convocation, change, cancellation
and reminder, each with the meeting's .ics and a working personal RSVP link."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format
from icalendar import Calendar

from tavoli import ics as ics_module
from tavoli import services, tasks
from tavoli.models import Convocazione, Incontro
from tests.tavoli.factories import IncontroFactory, MembroFactory, PuntoOdgFactory, TavoloFactory

pytestmark = pytest.mark.italiano


@pytest.fixture
def incontro(ambito, staff):
    ambito.email_ufficio = "ufficiodipiano@oglio-po.it"
    ambito.telefono_ufficio = "0375 284411"
    ambito.orari_ufficio = "lun-ven 9-13"
    ambito.save()
    tavolo = TavoloFactory(ambito=ambito, nome="Tavolo anziani e non autosufficienza")
    MembroFactory(
        tavolo=tavolo,
        ente__denominazione="Cooperativa sociale Il Girasole",
        delegato_nome="Elena Ruggeri",
        delegato_email="elena@example.org",
        supplente_nome="Luca Ferrari",
        supplente_email="luca@example.org",
    )
    inizio = timezone.localtime(timezone.now() + timedelta(days=10)).replace(
        hour=16, minute=30, second=0, microsecond=0
    )
    incontro = IncontroFactory(
        tavolo=tavolo,
        titolo="Seconda seduta: priorità 2025",
        inizio=inizio,
        fine=inizio + timedelta(hours=2),
        luogo="Sala consiliare, Piazza Garibaldi 26, Casalmaggiore",
        created_by=staff,
    )
    PuntoOdgFactory(incontro=incontro, numero=1, titolo="Analisi dei bisogni")
    PuntoOdgFactory(incontro=incontro, numero=2, titolo="Priorità per il triennio")
    return incontro


def convoca(incontro, staff, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        services.convoca(incontro, by=staff, **kwargs)


def messaggio_per(email):
    [message] = [m for m in mail.outbox if m.to == [email]]
    return message


def ics(message):
    [(nome, contenuto, tipo)] = message.attachments
    assert nome == "convocazione.ics"
    return tipo, Calendar.from_ical(contenuto)


def evento(calendario):
    [event] = calendario.walk("VEVENT")
    return event


def test_convocation_reads_like_the_office_wrote_it(
    client, incontro, staff, django_capture_on_commit_callbacks
):
    convoca(incontro, staff, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == ["elena@example.org", "luca@example.org"]
    message = messaggio_per("elena@example.org")
    inizio = timezone.localtime(incontro.inizio)
    giorno = date_format(inizio, "l j F Y").lower()  # e.g. "giovedì 12 marzo 2026"
    assert "Tavolo anziani e non autosufficienza" in message.subject
    assert date_format(inizio, "j F Y").lower() in message.subject
    assert "URGENT" not in message.subject

    text = message.body
    assert text.startswith("Dear Elena Ruggeri,") or text.startswith("Gentile Elena Ruggeri,")
    assert f"{giorno} alle ore 16:30" in text
    assert "Sala consiliare, Piazza Garibaldi 26, Casalmaggiore" in text
    assert "1. Analisi dei bisogni\n2. Priorità per il triennio" in text
    assert "Ambito Oglio Po" in text
    assert "ufficiodipiano@oglio-po.it" in text and "0375 284411" in text
    assert "convocazione.ics" in text
    html, tipo = message.alternatives[0]
    assert tipo == "text/html"
    assert '<li value="2" style="margin:0 0 4px;">Priorità per il triennio' in html
    assert "mailto:ufficiodipiano@oglio-po.it" in html

    # The personal link opens the answer page of that recipient, without signing in.
    link = re.search(r"https?://\S+/tavoli/rsvp/\S+/", text).group(0)
    assert link in html
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert "Elena Ruggeri" in page.content.decode()

    tipo, calendario = ics(message)
    assert tipo == "text/calendar; method=REQUEST"
    assert calendario["METHOD"] == "REQUEST"
    event = evento(calendario)
    assert event["SEQUENCE"] == 0
    assert event["UID"] == ics_module.uid(incontro)
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert event.decoded("DTSTART").replace(tzinfo=None) == inizio.replace(tzinfo=None)


def test_the_substitute_is_told_whose_substitute_they_are(
    incontro, staff, django_capture_on_commit_callbacks
):
    convoca(incontro, staff, django_capture_on_commit_callbacks)

    message = messaggio_per("luca@example.org")
    assert "Luca Ferrari" in message.body
    assert "substitute of Elena Ruggeri" in message.body or "Elena Ruggeri" in message.body
    elena, luca = (
        Convocazione.objects.get(email="elena@example.org"),
        Convocazione.objects.get(email="luca@example.org"),
    )
    # Each has their own link.
    assert services.rsvp_token(luca) in message.body
    assert services.rsvp_token(elena) not in message.body


def test_urgent_convocation_says_so(ambito, incontro, staff, django_capture_on_commit_callbacks):
    Incontro.objects.filter(pk=incontro.pk).update(
        inizio=timezone.now() + timedelta(hours=30), fine=timezone.now() + timedelta(hours=32)
    )
    convoca(incontro, staff, django_capture_on_commit_callbacks, urgente=True)

    message = messaggio_per("elena@example.org")
    assert "URGENT" in message.subject
    assert "Urgent convocation." in message.body or "urgente" in message.body.lower()


def test_a_change_of_date_sends_an_update_with_a_higher_sequence(
    incontro, staff, django_capture_on_commit_callbacks
):
    convoca(incontro, staff, django_capture_on_commit_callbacks)
    prima = evento(ics(messaggio_per("elena@example.org"))[1])
    mail.outbox.clear()

    incontro = Incontro.objects.get(pk=incontro.pk)
    incontro.inizio += timedelta(days=1)
    incontro.fine += timedelta(days=1)
    incontro.luogo = "Sala Ex Granai, Via Cavour 8, Casalmaggiore"
    with django_capture_on_commit_callbacks(execute=True):
        services.salva_incontro(incontro, by=staff)

    message = messaggio_per("elena@example.org")
    nuovo_giorno = date_format(timezone.localtime(incontro.inizio), "l j F Y").lower()
    assert nuovo_giorno in message.body
    assert "Sala Ex Granai, Via Cavour 8, Casalmaggiore" in message.body
    assert "replaces the previous one" in message.body or "sostituisce" in message.body
    assert services.rsvp_token(Convocazione.objects.get(email="elena@example.org")) in message.body
    tipo, calendario = ics(message)
    assert calendario["METHOD"] == "REQUEST"
    dopo = evento(calendario)
    assert dopo["UID"] == prima["UID"]
    assert dopo["SEQUENCE"] == prima["SEQUENCE"] + 1
    assert dopo["LOCATION"] == "Sala Ex Granai, Via Cavour 8, Casalmaggiore"


def test_a_cancellation_sends_method_cancel_with_the_reason(
    incontro, staff, django_capture_on_commit_callbacks
):
    convoca(incontro, staff, django_capture_on_commit_callbacks)
    uid = evento(ics(messaggio_per("elena@example.org"))[1])["UID"]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.annulla(incontro, motivo="Concomitanza con il Consiglio comunale.", by=staff)

    message = messaggio_per("elena@example.org")
    assert "Tavolo anziani e non autosufficienza" in message.subject
    assert "Concomitanza con il Consiglio comunale." in message.body
    assert "/tavoli/rsvp/" not in message.body
    tipo, calendario = ics(message)
    assert tipo == "text/calendar; method=CANCEL"
    assert calendario["METHOD"] == "CANCEL"
    event = evento(calendario)
    assert event["UID"] == uid
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1


def _promemoria(incontro, staff, django_capture_on_commit_callbacks):
    convoca(incontro, staff, django_capture_on_commit_callbacks, urgente=True)
    mail.outbox.clear()
    ids = list(incontro.convocazioni.values_list("pk", flat=True))
    tasks.invia_promemoria_blocco(incontro.pk, ids)
    return messaggio_per("elena@example.org")


def test_the_reminder_says_tomorrow(incontro, staff, django_capture_on_commit_callbacks):
    domani = timezone.localtime() + timedelta(days=1)
    inizio = domani.replace(hour=10, minute=0, second=0, microsecond=0)
    Incontro.objects.filter(pk=incontro.pk).update(inizio=inizio, fine=inizio + timedelta(hours=2))

    message = _promemoria(incontro, staff, django_capture_on_commit_callbacks)
    assert message.subject.endswith("tomorrow at 10:00") or message.subject.endswith(
        "domani alle ore 10:00"
    )
    assert date_format(inizio, "l j F Y").lower() in message.body
    assert "/tavoli/rsvp/" in message.body


def test_the_reminder_on_the_day_says_in_how_long(
    incontro, staff, django_capture_on_commit_callbacks
):
    # Half-way between now and midnight: later today whatever the hour of the run.
    adesso = timezone.localtime()
    mezzanotte = adesso.replace(hour=23, minute=59, second=59, microsecond=0)
    inizio = (adesso + (mezzanotte - adesso) / 2).replace(second=0, microsecond=0)
    Incontro.objects.filter(pk=incontro.pk).update(inizio=inizio, fine=inizio + timedelta(hours=2))

    message = _promemoria(incontro, staff, django_capture_on_commit_callbacks)
    assert (
        f"today at {inizio:%H:%M}" in message.subject
        or f"oggi alle ore {inizio:%H:%M}" in message.subject
    )
    testo = message.body.replace("\xa0", " ")
    assert re.search(rf"oggi alle ore {inizio:%H:%M}, tra \d+ (or[ae]|minut[io])", testo)

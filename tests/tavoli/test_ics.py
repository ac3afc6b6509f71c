"""The iCalendar (RFC 5545) of meetings: the invitation attached to each convocation and
the feeds, read back with the ``icalendar`` parser as a calendar client would."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tavoli import ics
from tavoli.models import Incontro
from tests.tavoli.factories import IncontroFactory, PuntoOdgFactory, TavoloFactory

ROMA = ZoneInfo("Europe/Rome")


@pytest.fixture
def incontro(ambito, staff, settings):
    settings.SITE_URL = "https://pdz.example.org"
    tavolo = TavoloFactory(ambito=ambito, nome="Tavolo anziani")
    incontro = IncontroFactory(
        tavolo=tavolo,
        titolo="Seconda seduta",
        inizio=datetime(2031, 10, 25, 16, 30, tzinfo=ROMA),  # the day before DST ends
        fine=datetime(2031, 10, 25, 18, 30, tzinfo=ROMA),
        luogo="Sala consiliare, Casalmaggiore",
        link_online="https://meet.example.org/tavolo-anziani",
        note="Portare il questionario compilato.",
        created_by=staff,
    )
    PuntoOdgFactory(incontro=incontro, numero=1, titolo="Approvazione del verbale")
    PuntoOdgFactory(incontro=incontro, numero=2, titolo="Analisi dei bisogni")
    return incontro


def leggi(dati):
    assert isinstance(dati, bytes)
    assert dati.startswith(b"BEGIN:VCALENDAR\r\n")
    return Calendar.from_ical(dati)


def invito(incontro, **kwargs):
    return leggi(ics.invito(incontro, partecipante=("Anna Rossi", "anna@example.org"), **kwargs))


def test_the_invitation_is_a_request_with_the_meeting(incontro):
    cal = invito(incontro)

    assert cal["METHOD"] == "REQUEST"
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"]
    [event] = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Tavolo anziani: Seconda seduta"
    assert str(event["LOCATION"]) == "Sala consiliare, Casalmaggiore"
    descrizione = str(event["DESCRIPTION"])
    assert "1. Approvazione del verbale\n2. Analisi dei bisogni" in descrizione
    assert "https://meet.example.org/tavolo-anziani" in descrizione
    assert "Portare il questionario compilato." in descrizione
    assert str(event["URL"]) == f"https://pdz.example.org/tavoli/incontri/{incontro.pk}/"
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert "DTSTAMP" in event


def test_the_times_are_in_europe_rome_with_its_vtimezone(incontro):
    cal = invito(incontro)

    [event] = cal.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert event["DTEND"].params["TZID"] == "Europe/Rome"
    assert b"DTSTART;TZID=Europe/Rome:20311025T163000" in cal.to_ical()
    assert event.decoded("DTSTART") == incontro.inizio
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=2)
    [fuso] = cal.walk("VTIMEZONE")
    assert fuso["TZID"] == "Europe/Rome"
    assert {c.name for c in fuso.subcomponents} == {"STANDARD", "DAYLIGHT"}
    # The summer offset applies on 25 October 2031 (DST ends on the 26th).
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=2)


def test_the_invited_person_is_an_attendee_asked_to_answer(incontro, settings):
    settings.DEFAULT_FROM_EMAIL = "Ufficio di Piano Oglio Po <ufficio@example.org>"
    [event] = invito(incontro).walk("VEVENT")

    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:anna@example.org"
    assert attendee.params["CN"] == "Anna Rossi"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert str(event["ORGANIZER"]) == "mailto:ufficio@example.org"
    assert event["ORGANIZER"].params["CN"] == "Ufficio di Piano Oglio Po"


def test_the_uid_is_stable_and_the_sequence_follows_the_meeting(incontro):
    [prima] = invito(incontro).walk("VEVENT")
    incontro.luogo = "Online"
    incontro.sequenza = 1
    [dopo] = invito(incontro).walk("VEVENT")

    assert dopo["UID"] == prima["UID"]
    assert str(prima["UID"]) == f"incontro-{incontro.uid}@pdz.example.org"
    assert (prima["SEQUENCE"], dopo["SEQUENCE"]) == (0, 1)
    assert str(dopo["LOCATION"]) == "Online"

    altro = IncontroFactory(tavolo=incontro.tavolo, created_by=incontro.created_by)
    [suo] = invito(altro).walk("VEVENT")
    assert suo["UID"] != prima["UID"]


def test_a_cancelled_meeting_gives_a_cancel(incontro):
    incontro.stato = Incontro.Stato.ANNULLATO
    incontro.sequenza = 2

    cal = invito(incontro)

    assert cal["METHOD"] == "CANCEL"
    [event] = cal.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 2


def test_an_online_only_meeting_has_the_link_as_location(incontro):
    incontro.luogo = ""

    [event] = invito(incontro).walk("VEVENT")

    assert str(event["LOCATION"]) == "https://meet.example.org/tavolo-anziani"


def test_the_feed_is_a_published_calendar_of_every_meeting(incontro):
    altro = IncontroFactory(
        tavolo=incontro.tavolo,
        inizio=datetime(2032, 2, 3, 9, 0, tzinfo=ROMA),
        fine=datetime(2032, 2, 3, 11, 0, tzinfo=ROMA),
        created_by=incontro.created_by,
    )
    incontri = Incontro.objects.filter(pk__in=[incontro.pk, altro.pk]).prefetch_related("punti")

    cal = leggi(ics.feed("Tavolo anziani", incontri))

    assert cal["METHOD"] == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == "Tavolo anziani"
    eventi = cal.walk("VEVENT")
    assert {str(e["UID"]) for e in eventi} == {ics.uid(incontro), ics.uid(altro)}
    assert all("ATTENDEE" not in e for e in eventi)
    assert [f["TZID"] for f in cal.walk("VTIMEZONE")] == ["Europe/Rome"]
    # Winter time in February.
    [febbraio] = [e for e in eventi if str(e["UID"]) == ics.uid(altro)]
    assert febbraio.decoded("DTSTART").utcoffset() == timedelta(hours=1)


def test_an_empty_feed_is_still_a_valid_calendar():
    cal = leggi(ics.feed("Nessun incontro", []))

    assert cal.walk("VEVENT") == []
    assert cal["METHOD"] == "PUBLISH"

"""Meetings as iCalendar (RFC 5545): the invitation attached to a convocation, and the feeds
a calendar client subscribes to."""

from datetime import timedelta
from email.utils import parseaddr
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from pdz.emails import absolute_url

ROMA = ZoneInfo("Europe/Rome")


def dominio():
    """The host name of the site, for calendar UIDs and message ids."""
    return urlparse(settings.SITE_URL).hostname or "localhost"


def uid(incontro):
    """Stable for the life of the meeting, so an update replaces the event in the calendar."""
    return f"incontro-{incontro.uid}@{dominio()}"


def _calendario(method=None, nome=None):
    cal = Calendar()
    cal.add("prodid", "-//pdz//Piano di Zona//IT")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if nome:
        cal.add("x-wr-calname", nome)
        cal.add("x-wr-timezone", "Europe/Rome")
    return cal


def _descrizione(incontro, punti):
    righe = [f"{p.numero}. {p.titolo}" for p in punti]
    if incontro.link_online:
        righe += ["", incontro.link_online]
    if incontro.note:
        righe += ["", incontro.note]
    return "\n".join(righe)


def evento(incontro, *, punti=None, partecipante=None):
    """The VEVENT of ``incontro``; ``partecipante`` = (name, e-mail) of the invited person."""
    punti = list(incontro.punti.all()) if punti is None else punti
    event = Event()
    event.add("uid", uid(incontro))
    event.add("sequence", incontro.sequenza)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", incontro.inizio.astimezone(ROMA))
    event.add("dtend", incontro.fine.astimezone(ROMA))
    event.add("summary", f"{incontro.tavolo.nome}: {incontro.titolo}")
    luogo = incontro.luogo or incontro.link_online
    if luogo:
        event.add("location", luogo)
    event.add("description", _descrizione(incontro, punti))
    event.add("url", absolute_url(reverse("tavoli:incontro", args=[incontro.pk])))
    event.add("status", "CANCELLED" if incontro.annullato else "CONFIRMED")
    nome_mittente, email_mittente = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{email_mittente}")
    organizer.params["cn"] = vText(nome_mittente or settings.SITE_OWNER)
    event["organizer"] = organizer
    if partecipante:
        nome, email = partecipante
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(nome)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=0)
    return event


def invito(incontro, *, punti=None, partecipante=None):
    """The .ics attached to a convocation: METHOD:REQUEST, or METHOD:CANCEL once cancelled."""
    cal = _calendario("CANCEL" if incontro.annullato else "REQUEST")
    cal.add_component(evento(incontro, punti=punti, partecipante=partecipante))
    _fuso_orario(cal, [incontro])
    return cal.to_ical()


def feed(nome, incontri):
    """A calendar to subscribe to: every meeting in ``incontri`` (punti prefetched)."""
    cal = _calendario(method="PUBLISH", nome=nome)
    incontri = list(incontri)
    for incontro in incontri:
        cal.add_component(evento(incontro, punti=list(incontro.punti.all())))
    _fuso_orario(cal, incontri)
    return cal.to_ical()


def _fuso_orario(cal, incontri):
    """The VTIMEZONE of Europe/Rome, only for the years the events need (it stays short)."""
    if incontri:
        cal.add_missing_timezones(
            first_date=min(i.inizio for i in incontri).date() - timedelta(days=366),
            last_date=max(i.fine for i in incontri).date() + timedelta(days=366),
        )

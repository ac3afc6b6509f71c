"""Convocations, updates, cancellations and reminders, e-mailed by the worker.

Delivery is driven by the ``Convocazione`` rows, not by the queue: a block of recipients is
sent over one SMTP connection, each row locked while its message leaves and marked with the
version of the meeting it received. A task run twice, retried or redelivered after a worker
died finds the rows already sent and sends nothing; rows whose task was lost are picked up
by ``recupera_convocazioni`` (beat). What is left is the instant between the SMTP server
accepting a message and the row's commit.
"""

import contextlib
import logging
from datetime import timedelta
from email.utils import make_msgid

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pdz import emails
from pdz.exceptions import OperazioneNonValida
from tavoli import ics
from tavoli.models import Convocazione, Incontro, Votazione

logger = logging.getLogger(__name__)

BLOCCO = 50


def _blocchi(ids):
    ids = list(ids)
    return [ids[i : i + BLOCCO] for i in range(0, len(ids), BLOCCO)]


@shared_task
def invia_convocazioni(incontro_pk):
    """Hand every recipient still behind the meeting's current version to ``invia_blocco``."""
    incontro = Incontro.objects.filter(pk=incontro_pk).first()
    if incontro is None:
        return
    righe = incontro.convocazioni.exclude(stato=Convocazione.Stato.NON_DOVUTA)
    if incontro.annullato:
        # Nobody needs to hear of the cancellation of a meeting they were never told about.
        righe.filter(sequenza_inviata=-1).update(stato=Convocazione.Stato.NON_DOVUTA)
    in_attesa = righe.filter(sequenza_inviata__lt=incontro.sequenza).exclude(
        stato=Convocazione.Stato.NON_DOVUTA
    )
    ids = list(in_attesa.order_by("pk").values_list("pk", flat=True))
    in_attesa.update(accodata_at=timezone.now())
    for blocco in _blocchi(ids):
        invia_blocco.delay(incontro_pk, blocco)


def _tipo_messaggio(incontro, convocazione):
    if incontro.annullato:
        return "convocazione_annullata"
    if convocazione.sequenza_inviata >= 0:
        return "convocazione_modificata"
    return "convocazione"


def contesto(incontro, punti, convocazione):
    from tavoli.services import rsvp_url

    return {
        "incontro": incontro,
        "tavolo": incontro.tavolo,
        "ambito": incontro.tavolo.ambito,
        "punti": punti,
        "convocazione": convocazione,
        "nome": convocazione.nome,
        "rsvp_url": rsvp_url(convocazione),
        "link": emails.absolute_url(reverse("tavoli:incontro", args=[incontro.pk])),
    }


def messaggio(nome, incontro, punti, convocazione):
    """The e-mail ``nome`` to the recipient of ``convocazione``, with the meeting's .ics."""
    message = emails.build(nome, convocazione.email, contesto(incontro, punti, convocazione))
    if convocazione.canale == Convocazione.Canale.PEC:
        message.from_email = settings.PEC_FROM_EMAIL
    message.extra_headers["Message-ID"] = make_msgid(idstring="convocazione", domain=ics.dominio())
    invito = ics.invito(incontro, punti=punti, partecipante=(convocazione.nome, convocazione.email))
    method = "CANCEL" if incontro.annullato else "REQUEST"
    message.attach("convocazione.ics", invito.decode("utf-8"), f"text/calendar; method={method}")
    return message


class _Connessioni:
    """One open SMTP connection per channel for a whole block."""

    def __init__(self):
        self.aperte = {}

    def get(self, canale):
        if canale not in self.aperte:
            if canale == Convocazione.Canale.PEC:
                config = settings.PEC_EMAIL or {}
                connection = get_connection(
                    config.get("EMAIL_BACKEND"),
                    host=config.get("EMAIL_HOST"),
                    port=config.get("EMAIL_PORT"),
                    username=config.get("EMAIL_HOST_USER"),
                    password=config.get("EMAIL_HOST_PASSWORD"),
                    use_tls=config.get("EMAIL_USE_TLS"),
                    use_ssl=config.get("EMAIL_USE_SSL"),
                )
            else:
                connection = get_connection()
            connection.open()
            self.aperte[canale] = connection
        return self.aperte[canale]

    def scarta(self, canale):
        connection = self.aperte.pop(canale, None)
        if connection is not None:
            with contextlib.suppress(Exception):  # it is already broken
                connection.close()

    def chiudi(self):
        for canale in list(self.aperte):
            self.scarta(canale)


@shared_task(bind=True, max_retries=5)
def invia_blocco(self, incontro_pk, ids):
    """Send the current version of the meeting to the recipients ``ids`` not yet told."""
    incontro = Incontro.objects.select_related("tavolo__ambito").get(pk=incontro_pk)
    punti = list(incontro.punti.all())
    connessioni = _Connessioni()
    fallite = []
    try:
        for pk in ids:
            if not _invia_una(incontro, punti, pk, connessioni):
                fallite.append(pk)
    finally:
        connessioni.chiudi()
    if fallite and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(args=(incontro_pk, fallite), countdown=30 * 2**self.request.retries)


def _invia_una(incontro, punti, pk, connessioni):
    """Send one recipient its message; False if the mail server refused it."""
    with transaction.atomic():
        convocazione = (
            Convocazione.objects.select_for_update(of=("self",))
            .select_related("membro")
            .filter(pk=pk)
            .first()
        )
        if convocazione is None or convocazione.sequenza_inviata >= incontro.sequenza:
            return True
        if convocazione.stato == Convocazione.Stato.NON_DOVUTA:
            return True
        if incontro.annullato and convocazione.sequenza_inviata < 0:
            convocazione.stato = Convocazione.Stato.NON_DOVUTA
            convocazione.save(update_fields=["stato"])
            return True
        message = messaggio(_tipo_messaggio(incontro, convocazione), incontro, punti, convocazione)
        prima = (convocazione.sequenza_inviata, convocazione.message_id, convocazione.inviata_at)
        # Written as sent before the message leaves, in the same transaction: once the mail
        # server has accepted it only the COMMIT is left to do, the shortest window in which
        # a crash makes the next run send it again.
        convocazione.tentativi += 1
        convocazione.stato = Convocazione.Stato.INVIATA
        convocazione.sequenza_inviata = incontro.sequenza
        convocazione.message_id = message.extra_headers["Message-ID"]
        convocazione.inviata_at = timezone.now()
        convocazione.errore = ""
        campi = ["stato", "sequenza_inviata", "message_id", "inviata_at", "errore", "tentativi"]
        convocazione.save(update_fields=campi)
        try:
            connessioni.get(convocazione.canale).send_messages([message])
        except Exception as e:  # noqa: BLE001 - any refusal is recorded on the row and retried
            logger.warning("Convocazione %s non inviata: %s", pk, e)
            connessioni.scarta(convocazione.canale)
            convocazione.sequenza_inviata, convocazione.message_id, convocazione.inviata_at = prima
            convocazione.stato = Convocazione.Stato.FALLITA
            convocazione.errore = str(e)[:1000] or e.__class__.__name__
            convocazione.save(update_fields=campi)
            return False
    return True


@shared_task
def recupera_convocazioni(piu_vecchie_di_secondi=120):
    """Beat: re-dispatch meetings with recipients queued for too long (a lost task)."""
    soglia = timezone.now() - timedelta(seconds=piu_vecchie_di_secondi)
    incontri = (
        Convocazione.objects.filter(stato=Convocazione.Stato.IN_CODA, accodata_at__lte=soglia)
        .values_list("incontro_id", flat=True)
        .order_by()  # the default ordering would make DISTINCT one row per recipient
        .distinct()
    )
    for incontro_pk in list(incontri):
        invia_convocazioni.delay(incontro_pk)


@shared_task
def invia_promemoria():
    """Beat: remind the recipients of meetings starting within their body's reminder window.

    Meetings convened inside the window already carry the news; those who said no are left
    alone.
    """
    adesso = timezone.now()
    incontri = Incontro.objects.filter(
        stato=Incontro.Stato.CONVOCATO,
        inizio__gt=adesso,
        tavolo__promemoria_ore__gt=0,
    ).select_related("tavolo")
    for incontro in incontri:
        finestra = timedelta(hours=incontro.tavolo.promemoria_ore)
        if (
            incontro.inizio - adesso > finestra
            or incontro.convocato_at > incontro.inizio - finestra
        ):
            continue
        ids = (
            incontro.convocazioni.filter(
                stato=Convocazione.Stato.INVIATA,
                promemoria_at__isnull=True,
                canale=Convocazione.Canale.EMAIL,
            )
            .exclude(risposta=Convocazione.Risposta.NO)
            .values_list("pk", flat=True)
        )
        for blocco in _blocchi(ids):
            invia_promemoria_blocco.delay(incontro.pk, blocco)


@shared_task
def invia_promemoria_blocco(incontro_pk, ids):
    incontro = Incontro.objects.select_related("tavolo__ambito").get(pk=incontro_pk)
    if incontro.stato != Incontro.Stato.CONVOCATO:
        return
    punti = list(incontro.punti.all())
    connection = get_connection()
    try:
        for pk in ids:
            with transaction.atomic():
                convocazione = Convocazione.objects.select_for_update().filter(pk=pk).first()
                if convocazione is None or convocazione.promemoria_at is not None:
                    continue
                message = emails.build(
                    "promemoria_incontro",
                    convocazione.email,
                    contesto(incontro, punti, convocazione),
                )
                connection.send_messages([message])
                convocazione.promemoria_at = timezone.now()
                convocazione.save(update_fields=["promemoria_at"])
    finally:
        connection.close()


@shared_task
def chiudi_votazioni_scadute():
    """Beat: count and close the online votes whose closing time has passed."""
    from tavoli.services import chiudi_votazione

    scadute = Votazione.objects.filter(stato=Votazione.Stato.APERTA, chiude_at__lte=timezone.now())
    for votazione in scadute:
        try:
            chiudi_votazione(votazione, by=None)
        except OperazioneNonValida as e:  # e.g. a comune lost its population figure
            logger.warning("Votazione %s non chiusa: %s", votazione.pk, e)

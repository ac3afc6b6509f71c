import smtplib

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pdz import emails
from pdz.pdf import render_pdf
from terzo_settore.models import Domanda


def contesto_ricevuta(domanda):
    """What the receipt of ``domanda`` shows, in the PDF and in its e-mail."""
    return {
        "domanda": domanda,
        "allegati": list(domanda.allegati.filter(rimosso_at__isnull=True)),
        "tavoli": list(domanda.tavoli.all()),
        "risposte": list(domanda.risposte.select_related("quesito").order_by("quesito__ordine")),
        "link": emails.absolute_url(reverse("terzo_settore:domanda", args=[domanda.pk])),
    }


def nome_ricevuta(domanda):
    return f"ricevuta-{domanda.protocollo.replace('/', '-')}.pdf"


def pdf_ricevuta(domanda):
    return render_pdf("terzo_settore/pdf/ricevuta.html", contesto_ricevuta(domanda))


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def invia_ricevuta(self, domanda_pk):
    """Render the receipt PDF of a submitted application and e-mail it to its referenti.

    Safe to run twice: the row is locked and ``ricevuta_inviata_at`` says it was sent.
    """
    with transaction.atomic():
        domanda = (
            Domanda.objects.select_for_update(of=("self",))
            .select_related("avviso", "ambito", "organizzazione__ente", "created_by")
            .get(pk=domanda_pk)
        )
        if domanda.ricevuta_inviata_at is not None:
            return
        context = contesto_ricevuta(domanda)
        pdf = render_pdf("terzo_settore/pdf/ricevuta.html", context)
        filename = nome_ricevuta(domanda)
        if not domanda.ricevuta:
            domanda.ricevuta.save(filename, ContentFile(pdf), save=False)
        to = sorted(
            set(domanda.organizzazione.referenti.attivi().values_list("user__email", flat=True))
        )
        emails.build(
            "ricevuta_domanda",
            to,
            context,
            attachments=[(filename, pdf, "application/pdf")],
        ).send()
        domanda.ricevuta_inviata_at = timezone.now()
        domanda.save(update_fields=["ricevuta", "ricevuta_inviata_at"])

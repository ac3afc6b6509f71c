import smtplib

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from pdz import emails
from pdz.pdf import render_pdf
from terzo_settore.models import Domanda


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
        context = {
            "domanda": domanda,
            "allegati": domanda.allegati.filter(rimosso_at__isnull=True),
            "tavoli": domanda.tavoli.all(),
            "risposte": domanda.risposte.select_related("quesito").order_by("quesito__ordine"),
        }
        pdf = render_pdf("terzo_settore/pdf/ricevuta.html", context)
        filename = f"ricevuta-{domanda.protocollo.replace('/', '-')}.pdf"
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

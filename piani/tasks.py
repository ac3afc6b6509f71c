"""Background work of plans: PDFs. By primary key, safe to run twice."""

from celery import shared_task

from piani import documenti
from piani.models import VersionePiano


@shared_task
def genera_pdf_versione(versione_id):
    """Render a frozen version's PDF, unless it already has one."""
    versione = VersionePiano.objects.select_related("piano__ambito").get(pk=versione_id)
    if not versione.pdf_sha256:
        documenti.pdf_versione(versione)

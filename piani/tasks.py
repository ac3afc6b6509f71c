"""Background work of plans: PDFs and the outcome of votes. By primary key, safe to run
twice."""

import logging

from celery import shared_task

from pdz.exceptions import OperazioneNonValida
from piani import documenti
from piani.models import Accordo, VersionePiano
from piani.services.approvazione import da_registrare, registra_esito

logger = logging.getLogger(__name__)


@shared_task
def genera_pdf_versione(versione_id):
    """Render a frozen version's PDF, unless it already has one."""
    versione = VersionePiano.objects.select_related("piano__ambito").get(pk=versione_id)
    if not versione.pdf_sha256:
        documenti.pdf_versione(versione)


@shared_task(acks_late=True)
def genera_pdf_accordo(accordo_id):
    """Render the accordo's PDF if its source changed since the stored one (else nothing)."""
    accordo = Accordo.objects.filter(pk=accordo_id).first()
    if accordo is not None:
        documenti.pdf_accordo(accordo)


@shared_task
def registra_esiti():
    """Beat: record on plans and annual plans the outcome of their votes closed meanwhile
    (by the tables' own task at the closing time, or by hand on the vote's page). Safe to
    run twice: an outcome already recorded is left as it is."""
    for oggetto in da_registrare():
        try:
            registra_esito(oggetto)
        except OperazioneNonValida as e:
            logger.warning("Esito di %r non registrato: %s", oggetto, e)

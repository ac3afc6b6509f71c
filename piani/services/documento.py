"""The plan and its document: creation, sections, attachments, frozen versions."""

from django.db import transaction
from django.utils.translation import gettext as _

from pdz.audit import log_action
from pdz.exceptions import OperazioneNonValida
from piani.models import Fase, Piano, Sezione, VersionePiano, sha256_json
from piani.versioni import istantanea


def crea_piano(*, ambito, anno_inizio, titolo, by):
    """A new plan with its nine phases and its eight empty sections."""
    if Piano.objects.filter(ambito=ambito, anno_inizio=anno_inizio).exists():
        raise OperazioneNonValida(_("The ambito already has a plan for these years."))
    with transaction.atomic():
        piano = Piano.objects.create(
            ambito=ambito, anno_inizio=anno_inizio, titolo=titolo, created_by=by
        )
        Fase.objects.bulk_create(
            Fase(piano=piano, numero=n, titolo=str(titolo_fase)) for n, titolo_fase in Fase.PASSI
        )
        Sezione.objects.bulk_create(
            Sezione(piano=piano, lettera=lettera, titolo=str(titolo_sezione))
            for lettera, titolo_sezione in Sezione.LETTERE
        )
        log_action(piano, "piano.creato", user=by)
    return piano


def congela_versione(piano, *, motivo, by):
    """Freeze the plan as it is now into the next numbered version and queue its PDF.

    Call it inside the caller's transaction; the PDF task runs after the commit."""
    from piani import tasks

    with transaction.atomic():
        piano = Piano.objects.select_for_update().get(pk=piano.pk)
        ultima = piano.versioni.order_by("-numero").first()
        contenuto = istantanea(piano)
        versione = VersionePiano.objects.create(
            piano=piano,
            numero=(ultima.numero + 1) if ultima else 1,
            motivo=motivo,
            contenuto=contenuto,
            sha256=sha256_json(contenuto),
            created_by=by,
        )
        log_action(piano, "piano.versione", user=by, data={"numero": versione.numero})
        transaction.on_commit(lambda: tasks.genera_pdf_versione.delay(versione.pk))
    return versione

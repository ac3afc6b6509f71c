"""The plan and its document: creation, sections, attachments, frozen versions."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pdz.audit import log_action
from pdz.exceptions import OperazioneNonValida
from piani.models import Allegato, Azione, Fase, Piano, Sezione, VersionePiano, sha256_json
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


def modifica_piano(piano, *, titolo, anno_inizio, by):
    """Change the title and, while no version was frozen, the first year."""
    with transaction.atomic():
        piano = Piano.objects.select_for_update().get(pk=piano.pk)
        campi = {}
        if titolo != piano.titolo:
            campi["titolo"] = (piano.titolo, titolo)
        if anno_inizio != piano.anno_inizio:
            if piano.versioni.exists():
                raise OperazioneNonValida(
                    _("A version of the plan was frozen: its years can no longer change.")
                )
            if (
                Piano.objects.filter(ambito_id=piano.ambito_id, anno_inizio=anno_inizio)
                .exclude(pk=piano.pk)
                .exists()
            ):
                raise OperazioneNonValida(_("The ambito already has a plan for these years."))
            if _anni_fuori(piano, anno_inizio, anno_inizio + Piano.DURATA - 1):
                raise OperazioneNonValida(
                    _(
                        "Some objectives, actions or budget lines fall outside the new years: "
                        "change their years first."
                    )
                )
            campi["anno_inizio"] = (piano.anno_inizio, anno_inizio)
        if not campi:
            return piano
        piano.titolo = titolo
        piano.anno_inizio = anno_inizio
        piano.save(update_fields=["titolo", "anno_inizio", "updated_at"])
        log_action(piano, "piano.modificato", user=by, data=campi)
    return piano


def _anni_fuori(piano, da, a):
    """Whether live objectives, actions or budget lines of ``piano`` lie outside da–a."""
    fuori = Q(anno__lt=da) | Q(anno__gt=a)
    return (
        piano.obiettivi.filter(rimosso_at__isnull=True)
        .filter(Q(anno_da__lt=da) | Q(anno_a__gt=a))
        .exists()
        or Azione.objects.filter(
            obiettivo__piano=piano, rimosso_at__isnull=True, obiettivo__rimosso_at__isnull=True
        )
        .filter(fuori)
        .exists()
        or piano.voci_budget.filter(rimosso_at__isnull=True).filter(fuori).exists()
    )


def aggiorna_fase(fase, *, by, tavoli, incontri, avvisi, **dati):
    """Save a phase of the cycle: ``dati`` are its fields (dates, who, notes, done on);
    ``tavoli``, ``incontri``, ``avvisi`` the tables, meetings and notices linked to it."""
    with transaction.atomic():
        fase = Fase.objects.select_for_update().get(pk=fase.pk)
        if dati.get("inizio") and dati.get("fine") and dati["fine"] < dati["inizio"]:
            raise OperazioneNonValida(_("The phase cannot end before it starts."))
        era_completata = fase.completata
        for nome, valore in dati.items():
            setattr(fase, nome, valore)
        fase.save()
        fase.tavoli.set(tavoli)
        fase.incontri.set(incontri)
        fase.avvisi.set(avvisi)
        azione = "piano.fase_modificata"
        if fase.completata and not era_completata:
            azione = "piano.fase_completata"
        log_action(fase.piano, azione, user=by, data={"fase": fase.numero})
    return fase


def salva_sezione(sezione, *, testo, by, letta_at=None):
    """Save the text of a section, recording who wrote it.

    ``letta_at`` is when the writer loaded the text: if somebody saved it after that, the
    save is refused rather than silently overwriting their work."""
    with transaction.atomic():
        sezione = Sezione.objects.select_for_update().get(pk=sezione.pk)
        if letta_at is not None and sezione.updated_at > letta_at:
            raise OperazioneNonValida(
                _(
                    "%(chi)s saved this section after you opened it. Copy your text, reload "
                    "the page and merge the changes."
                )
                % {"chi": sezione.updated_by or _("Somebody")}
            )
        if sezione.testo == testo:
            return sezione
        sezione.testo = testo
        sezione.updated_by = by
        sezione.save(update_fields=["testo", "updated_by", "updated_at"])
        log_action(
            sezione.piano,
            "piano.sezione_modificata",
            user=by,
            data={"sezione": sezione.lettera},
        )
    return sezione


def aggiungi_allegato(piano, *, titolo, file, by):
    """Attach a (validated) PDF to the plan's document."""
    with transaction.atomic():
        allegato = Allegato.objects.create(piano=piano, titolo=titolo, file=file, caricato_da=by)
        log_action(piano, "piano.allegato_aggiunto", user=by, data={"allegato": allegato.pk})
    return allegato


def rimuovi_allegato(allegato, *, by):
    """Take an attachment off the document; the file stays, as the frozen versions that
    list it still refer to it."""
    with transaction.atomic():
        allegato = Allegato.objects.select_for_update().get(pk=allegato.pk)
        if allegato.rimosso_at:
            return allegato
        allegato.rimosso_at = timezone.now()
        allegato.save(update_fields=["rimosso_at"])
        log_action(
            allegato.piano, "piano.allegato_rimosso", user=by, data={"allegato": allegato.pk}
        )
    return allegato


def salva_versione_manuale(piano, *, by):
    """Freeze a version on the staff's request; refused when nothing changed since the
    last one (two identical versions would only confuse the comparison)."""
    with transaction.atomic():
        piano = Piano.objects.select_for_update().get(pk=piano.pk)
        ultima = piano.versioni.order_by("-numero").first()
        if ultima and ultima.sha256 == sha256_json(istantanea(piano)):
            raise OperazioneNonValida(
                _("Nothing changed since version %(numero)s: there is nothing new to save.")
                % {"numero": ultima.numero}
            )
        return congela_versione(piano, motivo=VersionePiano.Motivo.MANUALE, by=by)


def pubblica_piano(piano, *, by):
    """Publish the approved plan: its public page shows the approved version."""
    with transaction.atomic():
        piano = Piano.objects.select_for_update().get(pk=piano.pk)
        if piano.stato != Piano.Stato.APPROVATO or piano.versione_approvata_id is None:
            raise OperazioneNonValida(_("Only an approved plan can be published."))
        if piano.pubblicato_at:
            raise OperazioneNonValida(_("The plan is already published."))
        piano.pubblicato_at = timezone.now()
        piano.save(update_fields=["pubblicato_at", "updated_at"])
        log_action(
            piano,
            "piano.pubblicato",
            user=by,
            data={"versione": piano.versione_approvata_id},
        )
    return piano


# A version's PDF still missing after this long is queued again (the task is idempotent),
# at most once every five minutes.
PDF_RITENTA_DOPO = 120


def ritenta_pdf_versione(versione):
    """Queue again the PDF of a version whose task was lost (a worker that died)."""
    from piani import tasks

    eta = (timezone.now() - versione.created_at).total_seconds()
    if eta > PDF_RITENTA_DOPO and cache.add(f"piani:pdf-versione:{versione.pk}", 1, 300):
        tasks.genera_pdf_versione.delay(versione.pk)

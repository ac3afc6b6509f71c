"""Changes to the schede obiettivo: objectives, actions, indicators and measurements.

Nothing is deleted: removing sets ``rimosso_at``. An objective or action that budget lines
still point at cannot be removed (the money would lose its purpose): the lines go first.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pdz.audit import log_action
from pdz.exceptions import OperazioneNonValida
from piani.models import Azione, Indicatore, Misurazione, Obiettivo


def _salva(form, azione_nuova, azione_modifica, *, by):
    nuovo = form.instance.pk is None
    with transaction.atomic():
        oggetto = form.save()
        log_action(
            oggetto,
            azione_nuova if nuovo else azione_modifica,
            user=by,
            data={"campi": sorted(form.changed_data)},
        )
    return oggetto


def salva_obiettivo(form, *, by):
    """Create or update an objective from its (valid) ``ObiettivoForm``."""
    return _salva(form, "piano.obiettivo_creato", "piano.obiettivo_modificato", by=by)


def rimuovi_obiettivo(obiettivo, *, by):
    """Remove an objective with its actions and indicators; refused while budget lines use it."""
    with transaction.atomic():
        obiettivo = Obiettivo.objects.select_for_update().get(pk=obiettivo.pk)
        if obiettivo.rimosso_at:
            raise OperazioneNonValida(_("The objective was already removed."))
        voci = obiettivo.voci_budget.filter(rimosso_at__isnull=True).count()
        if voci:
            raise OperazioneNonValida(
                ngettext(
                    "A budget line is tied to the objective: move or remove it first.",
                    "%(n)s budget lines are tied to the objective: move or remove them first.",
                    voci,
                )
                % {"n": voci}
            )
        adesso = timezone.now()
        obiettivo.rimosso_at = adesso
        obiettivo.save(update_fields=["rimosso_at"])
        obiettivo.azioni.filter(rimosso_at__isnull=True).update(rimosso_at=adesso)
        obiettivo.indicatori.filter(rimosso_at__isnull=True).update(rimosso_at=adesso)
        log_action(obiettivo, "piano.obiettivo_rimosso", user=by, data={"codice": obiettivo.codice})
    return obiettivo


def salva_azione(form, *, by):
    """Create or update an action from its (valid) ``AzioneForm``."""
    return _salva(form, "piano.azione_creata", "piano.azione_modificata", by=by)


def rimuovi_azione(azione, *, by):
    """Remove an action; refused while budget lines use it."""
    with transaction.atomic():
        azione = Azione.objects.select_for_update().get(pk=azione.pk)
        if azione.rimosso_at:
            raise OperazioneNonValida(_("The action was already removed."))
        voci = azione.voci_budget.filter(rimosso_at__isnull=True).count()
        if voci:
            raise OperazioneNonValida(
                ngettext(
                    "A budget line is tied to the action: move or remove it first.",
                    "%(n)s budget lines are tied to the action: move or remove them first.",
                    voci,
                )
                % {"n": voci}
            )
        azione.rimosso_at = timezone.now()
        azione.save(update_fields=["rimosso_at"])
        log_action(azione, "piano.azione_rimossa", user=by, data={"anno": azione.anno})
    return azione


def salva_indicatore(form, *, by):
    """Create or update an indicator from its (valid) ``IndicatoreForm``."""
    return _salva(form, "piano.indicatore_creato", "piano.indicatore_modificato", by=by)


def rimuovi_indicatore(indicatore, *, by):
    """Remove an indicator; its measurements stay on record."""
    with transaction.atomic():
        indicatore = Indicatore.objects.select_for_update().get(pk=indicatore.pk)
        if indicatore.rimosso_at:
            raise OperazioneNonValida(_("The indicator was already removed."))
        indicatore.rimosso_at = timezone.now()
        indicatore.save(update_fields=["rimosso_at"])
        log_action(indicatore, "piano.indicatore_rimosso", user=by)
    return indicatore


def salva_misurazioni(indicatore, valori, *, by):
    """Record the yearly values of ``indicatore`` in one go.

    ``valori`` is {anno: (valore or None, note)}; a year left blank clears its value (the row
    stays, marked removed, and the audit log says what it was). Returns the years whose value
    changed."""
    cambiati = []
    with transaction.atomic():
        indicatore = Indicatore.objects.select_for_update().get(pk=indicatore.pk)
        attuali = {m.anno: m for m in indicatore.misurazioni.filter(rimossa_at__isnull=True)}
        for anno, (valore, note) in sorted(valori.items()):
            misura = attuali.get(anno)
            if valore is None:
                if misura is not None:
                    misura.rimossa_at = timezone.now()
                    misura.registrata_da = by
                    misura.save(update_fields=["rimossa_at", "registrata_da", "updated_at"])
                    cambiati.append({"anno": anno, "da": str(misura.valore), "a": None})
                continue
            if misura is not None and misura.valore == valore and misura.note == note:
                continue
            Misurazione.objects.update_or_create(
                indicatore=indicatore,
                anno=anno,
                defaults={"valore": valore, "note": note, "registrata_da": by, "rimossa_at": None},
            )
            cambiati.append(
                {"anno": anno, "da": str(misura.valore) if misura else None, "a": str(valore)}
            )
        if cambiati:
            log_action(indicatore, "piano.misurazioni", user=by, data={"valori": cambiati})
    return [c["anno"] for c in cambiati]

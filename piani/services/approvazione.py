"""Approval by the Assemblea dei Sindaci: the plan (a frozen version) and each annual plan
(its actions and budget lines, frozen into ``contenuto``) are put to a vote of the tables app
under the Assemblea's rule; ``registra_esito`` records the outcome once the vote is closed.

The approved version never changes: a later change of the draft is a new version, approved
only by a new vote.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from pdz import emails
from pdz.audit import log_action
from pdz.exceptions import OperazioneNonValida
from piani import budget
from piani.models import (
    Azione,
    Piano,
    PianoAttuativo,
    VersionePiano,
    VoceBudget,
)
from piani.services.documento import congela_versione
from tavoli.models import Tavolo, Votazione
from tavoli.services import apri_votazione, chiudi_votazione


def assemblee(ambito):
    """The bodies that may approve the ambito's plans: its active Assemblee dei Sindaci with
    a voting rule."""
    return (
        Tavolo.objects.filter(
            ambito=ambito,
            tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI,
            attivo=True,
            regola_voto__isnull=False,
        )
        .select_related("regola_voto")
        .order_by("nome", "pk")
    )


def _apri_voto(ambito, *, tavolo, modalita, chiude_at, oggetto, testo, by):
    if not assemblee(ambito).filter(pk=tavolo.pk).exists():
        raise OperazioneNonValida(
            _("Choose an active Assemblea dei Sindaci of the ambito that has a voting rule.")
        )
    if modalita == Votazione.Modalita.ONLINE:
        if chiude_at is None:
            raise OperazioneNonValida(_("An online vote needs a closing time."))
    else:
        chiude_at = None
    return apri_votazione(
        tavolo, oggetto=oggetto, testo=testo, modalita=modalita, chiude_at=chiude_at, by=by
    )


def _voto_in_corso(oggetto):
    """Refuse a new vote while the last one is open or its outcome is not recorded."""
    if oggetto.stato != type(oggetto).Stato.VOTAZIONE:
        return
    if oggetto.votazione is not None and oggetto.votazione.aperta:
        raise OperazioneNonValida(_("A vote is already open: wait for its outcome."))
    raise OperazioneNonValida(_("Record the outcome of the last vote before opening a new one."))


# --- the plan ---------------------------------------------------------------------------------


def metti_ai_voti(piano, *, tavolo, modalita, chiude_at=None, by):
    """Freeze the plan into a new version and put it to the Assemblea's vote (one
    transaction: no version without its vote, no vote without its version)."""
    with transaction.atomic():
        piano = (
            Piano.objects.select_for_update(of=("self",))
            .select_related("ambito", "votazione")
            .get(pk=piano.pk)
        )
        _voto_in_corso(piano)
        if not any(s.testo.strip() for s in piano.sezioni.all()):
            raise OperazioneNonValida(
                _("The sections of the plan are empty: there is nothing to approve yet.")
            )
        in_corso = piano.consultazioni.filter(chiude_at__gt=timezone.now()).first()
        if in_corso is not None:
            raise OperazioneNonValida(
                _("A consultation is open until %(date)s: close it before the vote.")
                % {"date": date_format(timezone.localtime(in_corso.chiude_at), "d/m/Y H:i")}
            )
        versione = congela_versione(piano, motivo=VersionePiano.Motivo.APPROVAZIONE, by=by)
        link = emails.absolute_url(reverse("piani:versione", args=[versione.pk]))
        votazione = _apri_voto(
            piano.ambito,
            tavolo=tavolo,
            modalita=modalita,
            chiude_at=chiude_at,
            oggetto=_("Approval of the Piano di Zona %(triennio)s (version %(numero)s)")
            % {"triennio": piano.triennio, "numero": versione.numero},
            testo=_(
                "The Assemblea dei Sindaci is asked to approve version %(numero)s of the "
                "“%(titolo)s” of %(ambito)s, as frozen on %(data)s.\n\n"
                "Read the version: %(link)s"
            )
            % {
                "numero": versione.numero,
                "titolo": piano.titolo,
                "ambito": piano.ambito.nome,
                "data": date_format(timezone.localtime(versione.created_at), "d/m/Y H:i"),
                "link": link,
            },
            by=by,
        )
        piano.votazione = votazione
        piano.stato = Piano.Stato.VOTAZIONE
        piano.save(update_fields=["votazione", "stato", "updated_at"])
        log_action(
            piano,
            "piano.votazione",
            user=by,
            data={"votazione": votazione.pk, "versione": versione.numero, "tavolo": tavolo.pk},
        )
    return votazione


def versione_votata(piano, votazione=None):
    """The version put to ``votazione`` (default: the plan's last vote): the last one frozen
    for the vote before it was opened, in the same transaction."""
    votazione = votazione or piano.votazione
    if votazione is None:
        return None
    return (
        piano.versioni.filter(
            motivo=VersionePiano.Motivo.APPROVAZIONE, created_at__lte=votazione.created_at
        )
        .order_by("-numero")
        .first()
    )


# --- the annual plans -------------------------------------------------------------------------


def attuativo_di(piano, anno):
    """The annual plan of ``anno`` (one of the plan's years), created on first use."""
    if anno not in piano.anni:
        raise OperazioneNonValida(_("The year is not one of the plan's years."))
    attuativo, _creato = PianoAttuativo.objects.get_or_create(piano=piano, anno=anno)
    return attuativo


def azioni_dell_anno(piano, anno):
    """The live actions of ``anno`` of the plan's live objectives."""
    return (
        Azione.objects.filter(
            obiettivo__piano=piano,
            obiettivo__rimosso_at__isnull=True,
            rimosso_at__isnull=True,
            anno=anno,
        )
        .select_related("obiettivo", "tavolo")
        .order_by("obiettivo__ordine", "obiettivo__codice", "ordine", "pk")
    )


def voci_dell_anno(piano, anno):
    """The live budget lines of ``anno``, ready for ``budget.voce_dict``."""
    return (
        VoceBudget.objects.filter(piano=piano, anno=anno, rimosso_at__isnull=True)
        .select_related("fonte", "obiettivo", "azione")
        .prefetch_related("obiettivo__aree_utenza")
        .order_by("fonte__ordine", "fonte__nome", "pk")
    )


def azione_dict(azione):
    return {
        "id": azione.pk,
        "obiettivo": azione.obiettivo.codice,
        "obiettivo_titolo": azione.obiettivo.titolo,
        "titolo": azione.titolo,
        "descrizione": azione.descrizione,
        "responsabile": azione.responsabile,
        "tavolo": azione.tavolo.nome if azione.tavolo_id else "",
    }


def contenuto_attuativo(piano, anno):
    """The annual plan as it is now: the year's actions and budget lines as plain dicts."""
    return {
        "anno": anno,
        "versione_piano": piano.versione_approvata.numero if piano.versione_approvata else None,
        "azioni": [azione_dict(a) for a in azioni_dell_anno(piano, anno)],
        "budget": [budget.voce_dict(v) for v in voci_dell_anno(piano, anno)],
    }


def verifica_attuativo_votabile(attuativo):
    """Raise ``OperazioneNonValida`` unless the annual plan may be put to a vote now: the
    plan is approved, no vote of it is pending, it is not approved already (what the
    mayors approved stays as they approved it)."""
    if attuativo.piano.versione_approvata_id is None:
        raise OperazioneNonValida(
            _("The plan must be approved before its annual plans are put to the vote.")
        )
    _voto_in_corso(attuativo)
    if attuativo.stato == PianoAttuativo.Stato.APPROVATO:
        raise OperazioneNonValida(_("The annual plan is already approved."))


def metti_ai_voti_attuativo(attuativo, *, tavolo, modalita, chiude_at=None, by):
    """Freeze the annual plan (actions and budget lines of its year) into ``contenuto`` and
    put it to the Assemblea's vote; only once the plan itself is approved."""
    with transaction.atomic():
        attuativo = (
            PianoAttuativo.objects.select_for_update(of=("self",))
            .select_related("piano__ambito", "piano__versione_approvata", "votazione")
            .get(pk=attuativo.pk)
        )
        piano = attuativo.piano
        verifica_attuativo_votabile(attuativo)
        contenuto = contenuto_attuativo(piano, attuativo.anno)
        if not contenuto["azioni"] and not contenuto["budget"]:
            raise OperazioneNonValida(
                _("The year has no actions and no budget lines: there is nothing to approve.")
            )
        link = emails.absolute_url(reverse("piani:attuativo", args=[piano.pk, attuativo.anno]))
        votazione = _apri_voto(
            piano.ambito,
            tavolo=tavolo,
            modalita=modalita,
            chiude_at=chiude_at,
            oggetto=_("Approval of the annual plan %(anno)s of the Piano di Zona %(triennio)s")
            % {"anno": attuativo.anno, "triennio": piano.triennio},
            testo=_(
                "The Assemblea dei Sindaci is asked to approve the annual plan %(anno)s of the "
                "“%(titolo)s” of %(ambito)s: %(azioni)s actions, %(totale)s of planned "
                "spending.\n\nRead the annual plan: %(link)s"
            )
            % {
                "anno": attuativo.anno,
                "titolo": piano.titolo,
                "ambito": piano.ambito.nome,
                "azioni": len(contenuto["azioni"]),
                "totale": "€\u00a0"
                + number_format(
                    budget.totali(contenuto["budget"])["previsto"],
                    2,
                    use_l10n=True,
                    force_grouping=True,
                ),
                "link": link,
            },
            by=by,
        )
        contenuto["congelato_at"] = timezone.now()
        attuativo.contenuto = contenuto
        attuativo.votazione = votazione
        attuativo.stato = PianoAttuativo.Stato.VOTAZIONE
        attuativo.save(update_fields=["contenuto", "votazione", "stato", "updated_at"])
        log_action(
            attuativo,
            "attuativo.votazione",
            user=by,
            data={"piano": piano.pk, "anno": attuativo.anno, "votazione": votazione.pk},
        )
    return votazione


# --- the outcome ------------------------------------------------------------------------------


def registra_esito(oggetto, *, by=None):
    """Record on a plan or an annual plan the outcome of its vote, closing and counting the
    vote first if it is still open online.

    Approved: the plan's ``versione_approvata`` becomes the voted version and
    ``approvato_il`` the day the vote closed. Rejected, quorum not reached or void: rejected
    (a new vote may follow changes), unless an earlier version of the plan was approved:
    that one stays in force and the plan stays approved. Returns the outcome recorded, or ""
    when there was nothing to record: calling it twice records once.
    """
    modello = type(oggetto)
    with transaction.atomic():
        oggetto = modello.objects.select_for_update().get(pk=oggetto.pk)
        if oggetto.stato != modello.Stato.VOTAZIONE or oggetto.votazione_id is None:
            return ""
        votazione = Votazione.objects.get(pk=oggetto.votazione_id)
        if votazione.aperta:
            if votazione.modalita == Votazione.Modalita.PALESE:
                raise OperazioneNonValida(_("Record the show of hands on the vote's page first."))
            votazione = chiudi_votazione(votazione, by=by)
        esito = (
            votazione.esito if votazione.stato == Votazione.Stato.CHIUSA else Votazione.Esito.NULLA
        )
        dati = {"votazione": votazione.pk, "esito": esito}
        if esito == Votazione.Esito.APPROVATA:
            oggetto.stato = modello.Stato.APPROVATO
            oggetto.approvato_il = timezone.localdate(votazione.chiusa_at or timezone.now())
            campi = ["stato", "approvato_il", "updated_at"]
            if modello is Piano:
                versione = versione_votata(oggetto, votazione)
                oggetto.versione_approvata = versione
                campi.append("versione_approvata")
                dati["versione"] = versione.numero if versione else None
        elif getattr(oggetto, "versione_approvata_id", None):
            # A revision was not approved: the version approved earlier stays in force.
            oggetto.stato = modello.Stato.APPROVATO
            campi = ["stato", "updated_at"]
        else:
            oggetto.stato = modello.Stato.RESPINTO
            campi = ["stato", "updated_at"]
        oggetto.save(update_fields=campi)
        prefisso = "piano" if modello is Piano else "attuativo"
        azione = "approvato" if esito == Votazione.Esito.APPROVATA else "respinto"
        log_action(oggetto, f"{prefisso}.{azione}", user=by, data=dati)
    return esito


def da_registrare():
    """Plans and annual plans whose vote is closed (or void) but whose outcome is not
    recorded yet."""
    chiuse = [Votazione.Stato.CHIUSA, Votazione.Stato.ANNULLATA]
    return [
        *Piano.objects.filter(stato=Piano.Stato.VOTAZIONE, votazione__stato__in=chiuse),
        *PianoAttuativo.objects.filter(
            stato=PianoAttuativo.Stato.VOTAZIONE, votazione__stato__in=chiuse
        ),
    ]

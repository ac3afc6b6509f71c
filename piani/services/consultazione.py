"""The consultation on a frozen version: opening the window, comments section by section on
behalf of a party, the staff's answers and outcomes, closing it early.

Who may comment: while the window is open, the delegates and substitutes of the members of
the ambito's tables and the referenti of the organisations one of its notices admitted, on
behalf of the party they represent there.
"""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pdz import emails
from pdz.audit import log_action
from pdz.exceptions import OperazioneNonValida
from pdz.formati import data_ora
from piani.models import Consultazione, Osservazione, Piano, VersionePiano
from piani.permissions import membri_nell_ambito, organizzazioni_ammesse
from piani.services.documento import congela_versione
from tavoli.models import Membro
from terzo_settore.models import Domanda, Referente

# --- who takes part ---------------------------------------------------------------------------


def partecipanti(ambito):
    """{e-mail (lower case): name} of everyone invited to comment: the delegates and
    substitutes of the active members of the ambito's tables, the active referenti of the
    organisations its notices admitted. One address, one entry."""
    destinatari = {}
    membri = (
        Membro.objects.attivi()
        .filter(Q(tavolo__ambito=ambito) | Q(tavolo__ambiti_coinvolti=ambito))
        .values_list("delegato_email", "delegato_nome", "supplente_email", "supplente_nome")
        .distinct()
        .order_by("delegato_email", "supplente_email")
    )
    for delegato_email, delegato_nome, supplente_email, supplente_nome in membri:
        for email, nome in ((delegato_email, delegato_nome), (supplente_email, supplente_nome)):
            if email:
                destinatari.setdefault(email.strip().lower(), nome)
    referenti = (
        Referente.objects.attivi()
        .filter(
            organizzazione__in=Domanda.objects.filter(
                ambito=ambito, stato=Domanda.Stato.AMMESSA
            ).values("organizzazione_id")
        )
        .select_related("user")
        .order_by("pk")
    )
    for referente in referenti:
        if referente.user.email:
            destinatari.setdefault(
                referente.user.email.strip().lower(), referente.user.full_name.strip()
            )
    return destinatari


def enti_osservanti(user, ambito):
    """The parties on whose behalf ``user`` may comment in the ambito: those of their seats
    at its tables and those of their admitted organisations, by name."""
    enti = {m.ente_id: m.ente for m in membri_nell_ambito(user, ambito).select_related("ente")}
    enti.update({o.ente_id: o.ente for o in organizzazioni_ammesse(user, ambito)})
    return sorted(enti.values(), key=lambda e: (e.denominazione.lower(), e.pk))


def verifica_finestra(consultazione):
    """Raise ``OperazioneNonValida`` (with the reason, in words) unless the window is open."""
    adesso = timezone.now()
    if adesso < consultazione.apre_at:
        raise OperazioneNonValida(
            _("The consultation opens on %(date)s: comments cannot be sent before.")
            % {"date": data_ora(consultazione.apre_at)}
        )
    if adesso >= consultazione.chiude_at:
        raise OperazioneNonValida(
            _("The consultation closed on %(date)s: comments can no longer be sent.")
            % {"date": data_ora(consultazione.chiude_at)}
        )


# --- the window -------------------------------------------------------------------------------


def apri_consultazione(piano, *, apre_at, chiude_at, istruzioni="", by):
    """Freeze the plan into a new version, open a consultation on it from ``apre_at`` to
    ``chiude_at`` and, after the commit, invite every participant by e-mail."""
    if chiude_at <= apre_at:
        raise OperazioneNonValida(_("The consultation must close after it opens."))
    if chiude_at <= timezone.now():
        raise OperazioneNonValida(_("The closing time must be in the future."))
    with transaction.atomic():
        piano = Piano.objects.select_for_update().select_related("ambito").get(pk=piano.pk)
        if piano.stato == Piano.Stato.VOTAZIONE:
            raise OperazioneNonValida(
                _("The plan is being voted on: a consultation cannot be opened now.")
            )
        in_corso = piano.consultazioni.filter(chiude_at__gt=timezone.now()).first()
        if in_corso is not None:
            raise OperazioneNonValida(
                _("A consultation is already open or scheduled until %(date)s.")
                % {"date": data_ora(in_corso.chiude_at)}
            )
        if not any(s.testo.strip() for s in piano.sezioni.all()):
            raise OperazioneNonValida(
                _("The sections of the plan are empty: write the draft before consulting on it.")
            )
        versione = congela_versione(piano, motivo=VersionePiano.Motivo.CONSULTAZIONE, by=by)
        consultazione = Consultazione.objects.create(
            piano=piano,
            versione=versione,
            apre_at=apre_at,
            chiude_at=chiude_at,
            istruzioni=istruzioni,
            aperta_da=by,
        )
        piano.stato = Piano.Stato.CONSULTAZIONE
        piano.save(update_fields=["stato", "updated_at"])
        destinatari = partecipanti(piano.ambito)
        log_action(
            consultazione,
            "consultazione.aperta",
            user=by,
            data={
                "piano": piano.pk,
                "versione": versione.numero,
                "apre_at": apre_at.isoformat(),
                "chiude_at": chiude_at.isoformat(),
                "destinatari": len(destinatari),
            },
        )
        link = emails.absolute_url(reverse("piani:consultazione", args=[consultazione.pk]))
        for email, nome in sorted(destinatari.items()):
            emails.send(
                "piani/consultazione_aperta",
                email,
                {
                    "nome": nome,
                    "piano": piano,
                    "ambito": piano.ambito,
                    "consultazione": consultazione,
                    "versione": versione,
                    "link": link,
                },
            )
    return consultazione


def chiudi_consultazione(consultazione, *, by):
    """Close the window now (a scheduled one is closed before it opens)."""
    with transaction.atomic():
        consultazione = Consultazione.objects.select_for_update().get(pk=consultazione.pk)
        adesso = timezone.now()
        if consultazione.chiude_at <= adesso:
            raise OperazioneNonValida(_("The consultation is already closed."))
        prima = consultazione.chiude_at
        consultazione.chiude_at = adesso
        if consultazione.apre_at > adesso:
            consultazione.apre_at = adesso
        consultazione.save(update_fields=["apre_at", "chiude_at"])
        log_action(
            consultazione,
            "consultazione.chiusa",
            user=by,
            data={"chiudeva_at": prima.isoformat()},
        )
    return consultazione


# --- comments and answers ---------------------------------------------------------------------


def osserva(consultazione, *, by, sezione, ente, testo, allegato=None):
    """``by`` comments on ``sezione`` (a letter, or ``Osservazione.GENERALE``) on behalf of
    ``ente`` while the window is open."""
    with transaction.atomic():
        consultazione = (
            Consultazione.objects.select_for_update()
            .select_related("piano__ambito")
            .get(pk=consultazione.pk)
        )
        verifica_finestra(consultazione)
        enti = enti_osservanti(by, consultazione.piano.ambito)
        if not enti:
            raise OperazioneNonValida(
                _(
                    "Only the members of the ambito's tables and the organisations admitted "
                    "by its notices can comment."
                )
            )
        if ente.pk not in {e.pk for e in enti}:
            raise OperazioneNonValida(_("You cannot comment on behalf of this party."))
        sezioni = {chiave for chiave, _etichetta in Osservazione._meta.get_field("sezione").choices}
        if sezione not in sezioni:
            raise OperazioneNonValida(_("Choose a section of the plan."))
        if not testo.strip():
            raise OperazioneNonValida(_("Write your comment."))
        osservazione = Osservazione(
            consultazione=consultazione, sezione=sezione, autore=by, ente=ente, testo=testo.strip()
        )
        if allegato:
            osservazione.allegato = allegato
        osservazione.save()
        log_action(
            osservazione,
            "osservazione.inviata",
            user=by,
            data={"consultazione": consultazione.pk, "sezione": sezione, "ente": ente.pk},
        )
    return osservazione


def rispondi(osservazione, *, risposta, esito, by):
    """The staff's answer and outcome; it may be changed later (each change is logged)."""
    if esito not in Osservazione.Esito.values:
        raise OperazioneNonValida(_("Choose the outcome of the comment."))
    if not risposta.strip():
        raise OperazioneNonValida(_("Write the answer to the comment."))
    with transaction.atomic():
        osservazione = Osservazione.objects.select_for_update().get(pk=osservazione.pk)
        prima = {"esito": osservazione.esito, "risposta": osservazione.risposta}
        osservazione.risposta = risposta.strip()
        osservazione.esito = esito
        osservazione.risposta_da = by
        osservazione.risposta_at = timezone.now()
        osservazione.save(update_fields=["risposta", "esito", "risposta_da", "risposta_at"])
        log_action(
            osservazione,
            "osservazione.risposta" if not prima["esito"] else "osservazione.risposta_modificata",
            user=by,
            data={"esito": esito, "prima": prima} if prima["esito"] else {"esito": esito},
        )
    return osservazione

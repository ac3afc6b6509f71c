"""State changes of the third-sector app: each checks the state, changes it inside a
transaction, writes the audit log and leaves side effects (e-mail, PDF) to Celery on commit."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.models import Ente
from pdz import emails
from pdz.audit import log_action
from terzo_settore.models import (
    AllegatoDomanda,
    ContatoreProtocollo,
    Domanda,
    Organizzazione,
    Punteggio,
    Referente,
)


class OperazioneNonValida(Exception):
    """The change is not allowed in the current state; the message says why."""


# --- organisations and their referenti ----------------------------------------------------


def registra_organizzazione(*, ente_data, organizzazione_data, sedi, aree, by):
    """Create the organisation (its Ente and details) with ``by`` as managing referente.

    An organisation with the same codice fiscale is never created twice: the caller offers
    ``chiedi_di_entrare`` instead.
    """
    codice_fiscale = ente_data["codice_fiscale"]
    if Ente.objects.filter(codice_fiscale=codice_fiscale).exists():
        raise OperazioneNonValida(
            _("An organisation with tax code %(cf)s is already registered: ask to join it.")
            % {"cf": codice_fiscale}
        )
    try:
        with transaction.atomic():
            ente = Ente.objects.create(tipo=Ente.Tipo.TERZO_SETTORE, **ente_data)
            organizzazione = Organizzazione.objects.create(ente=ente, **organizzazione_data)
            organizzazione.sedi_operative.set(sedi)
            organizzazione.aree.set(aree)
            Referente.objects.create(
                organizzazione=organizzazione, user=by, gestore=True, stato=Referente.Stato.ATTIVO
            )
            log_action(organizzazione, "organizzazione.registrata", user=by)
    except IntegrityError:
        # Two people registering the same organisation in the same second.
        raise OperazioneNonValida(
            _("An organisation with tax code %(cf)s is already registered: ask to join it.")
            % {"cf": codice_fiscale}
        ) from None
    return organizzazione


def chiedi_di_entrare(organizzazione, *, by):
    """``by`` asks to become a referente; the managing referenti are told by e-mail."""
    with transaction.atomic():
        if Referente.objects.filter(
            organizzazione=organizzazione,
            user=by,
            stato__in=[Referente.Stato.RICHIESTA, Referente.Stato.ATTIVO],
        ).exists():
            raise OperazioneNonValida(
                _("You are already a referente of this organisation, or have asked to be.")
            )
        richiesta = Referente.objects.create(
            organizzazione=organizzazione, user=by, stato=Referente.Stato.RICHIESTA
        )
        log_action(richiesta, "referente.richiesta", user=by)
        gestori = [
            r.user.email
            for r in organizzazione.referenti.attivi().filter(gestore=True).select_related("user")
        ]
        if gestori:
            emails.send(
                "referente_richiesta",
                gestori,
                {
                    "richiesta": richiesta,
                    "organizzazione": organizzazione,
                    "link": emails.absolute_url(
                        reverse("terzo_settore:organizzazione", args=[organizzazione.pk])
                    ),
                },
            )
    return richiesta


def decidi_richiesta(richiesta, *, approva, by):
    """A managing referente approves or refuses a request to join."""
    with transaction.atomic():
        richiesta = Referente.objects.select_for_update().get(pk=richiesta.pk)
        if richiesta.stato != Referente.Stato.RICHIESTA:
            raise OperazioneNonValida(_("This request has already been decided."))
        richiesta.stato = Referente.Stato.ATTIVO if approva else Referente.Stato.RIFIUTATO
        richiesta.save(update_fields=["stato", "updated_at"])
        log_action(richiesta, "referente.approvato" if approva else "referente.rifiutato", user=by)
        emails.send(
            "referente_esito",
            richiesta.user.email,
            {
                "richiesta": richiesta,
                "organizzazione": richiesta.organizzazione,
                "approva": approva,
            },
        )
    return richiesta


def rimuovi_referente(referente, *, by):
    """Remove a referente; the last managing referente cannot be removed."""
    with transaction.atomic():
        referente = Referente.objects.select_for_update().get(pk=referente.pk)
        if referente.stato != Referente.Stato.ATTIVO:
            raise OperazioneNonValida(_("This person is not an active referente."))
        gestori = referente.organizzazione.referenti.attivi().filter(gestore=True)
        if referente.gestore and gestori.count() == 1:
            raise OperazioneNonValida(
                _("The organisation needs at least one managing referente: appoint another first.")
            )
        referente.stato = Referente.Stato.RIMOSSO
        referente.save(update_fields=["stato", "updated_at"])
        log_action(referente, "referente.rimosso", user=by)
    return referente


def imposta_gestore(referente, *, gestore, by):
    with transaction.atomic():
        referente = Referente.objects.select_for_update().get(pk=referente.pk)
        if not gestore and referente.gestore:
            others = referente.organizzazione.referenti.attivi().filter(gestore=True)
            if others.exclude(pk=referente.pk).count() == 0:
                raise OperazioneNonValida(
                    _(
                        "The organisation needs at least one managing referente: "
                        "appoint another first."
                    )
                )
        referente.gestore = gestore
        referente.save(update_fields=["gestore", "updated_at"])
        log_action(referente, "referente.gestore", user=by, data={"gestore": gestore})
    return referente


# --- applications ---------------------------------------------------------------------------


def crea_bozza(avviso, organizzazione, *, by):
    """The draft application of ``organizzazione`` to ``avviso`` (one per notice)."""
    if not avviso.aperto:
        raise OperazioneNonValida(_("This notice is not open for applications."))
    domanda, created = Domanda.objects.get_or_create(
        avviso=avviso,
        organizzazione=organizzazione,
        defaults={"ambito": avviso.ambito, "created_by": by},
    )
    if created:
        log_action(domanda, "domanda.bozza", user=by)
    return domanda


def prossimo_protocollo(ambito, anno):
    """The next protocol number of ``ambito`` in ``anno``: gapless and unique, because the
    counter row is locked until the submitting transaction commits (or rolls back)."""
    ContatoreProtocollo.objects.get_or_create(ambito=ambito, anno=anno)
    contatore = ContatoreProtocollo.objects.select_for_update().get(ambito=ambito, anno=anno)
    contatore.ultimo += 1
    contatore.save(update_fields=["ultimo"])
    return contatore.ultimo


def invia_domanda(domanda, *, by):
    """Submit a draft: refused after the closing time (the draft stays); on submit the
    application gets its protocol number and the receipt goes out by e-mail."""
    from terzo_settore.tasks import invia_ricevuta

    with transaction.atomic():
        domanda = Domanda.objects.select_for_update().select_related("avviso").get(pk=domanda.pk)
        now = timezone.now()
        if domanda.stato == Domanda.Stato.INTEGRAZIONE:
            return _reinvia(domanda, by=by)
        if domanda.stato != Domanda.Stato.BOZZA:
            raise OperazioneNonValida(_("This application has already been submitted."))
        if now >= domanda.avviso.chiusura:
            raise OperazioneNonValida(
                _(
                    "The notice closed on %(date)s: the application can no longer be submitted. "
                    "Your draft has been kept."
                )
                % {"date": timezone.localtime(domanda.avviso.chiusura).strftime("%d/%m/%Y %H:%M")}
            )
        if now < domanda.avviso.apertura:
            raise OperazioneNonValida(_("The notice is not open yet."))
        anno = timezone.localdate(now).year
        domanda.protocollo_anno = anno
        domanda.protocollo_numero = prossimo_protocollo(domanda.ambito, anno)
        domanda.stato = Domanda.Stato.INVIATA
        domanda.inviata_at = now
        domanda.save(
            update_fields=[
                "protocollo_anno",
                "protocollo_numero",
                "stato",
                "inviata_at",
                "updated_at",
            ]
        )
        log_action(domanda, "domanda.inviata", user=by, data={"protocollo": domanda.protocollo})
        transaction.on_commit(lambda: invia_ricevuta.delay(domanda.pk))
    return domanda


def _reinvia(domanda, *, by):
    domanda.stato = Domanda.Stato.IN_ISTRUTTORIA
    domanda.save(update_fields=["stato", "updated_at"])
    log_action(domanda, "domanda.integrata", user=by)
    _notifica(domanda, "domanda_integrata", to_staff=True)
    return domanda


def aggiungi_allegato(domanda, *, titolo, file, by):
    """Attach a (validated) file to a draft or to an application whose information is asked."""
    if domanda.stato not in (Domanda.Stato.BOZZA, Domanda.Stato.INTEGRAZIONE):
        raise OperazioneNonValida(_("A submitted application cannot be changed."))
    with transaction.atomic():
        allegato = AllegatoDomanda.objects.create(
            domanda=domanda, titolo=titolo, file=file, dimensione=file.size, caricato_da=by
        )
        log_action(domanda, "domanda.allegato", user=by, data={"titolo": titolo})
    return allegato


def togli_allegato(allegato, *, by):
    """Hide an attachment of a draft; the file itself is kept."""
    if allegato.domanda.stato not in (Domanda.Stato.BOZZA, Domanda.Stato.INTEGRAZIONE):
        raise OperazioneNonValida(_("A submitted application cannot be changed."))
    with transaction.atomic():
        allegato.rimosso_at = timezone.now()
        allegato.save(update_fields=["rimosso_at"])
        log_action(allegato.domanda, "domanda.allegato_tolto", user=by)


# --- review (istruttoria) -------------------------------------------------------------------

# state -> the states the review can move it to
TRANSIZIONI = {
    Domanda.Stato.INVIATA: {Domanda.Stato.IN_ISTRUTTORIA},
    Domanda.Stato.IN_ISTRUTTORIA: {
        Domanda.Stato.INTEGRAZIONE,
        Domanda.Stato.AMMESSA,
        Domanda.Stato.NON_AMMESSA,
    },
    Domanda.Stato.INTEGRAZIONE: {Domanda.Stato.IN_ISTRUTTORIA},
    Domanda.Stato.AMMESSA: {Domanda.Stato.SOSPESA, Domanda.Stato.REVOCATA},
    Domanda.Stato.SOSPESA: {Domanda.Stato.AMMESSA, Domanda.Stato.REVOCATA},
}
# the states that need a written reason, kept in ``motivazione`` or ``richiesta_integrazione``
CON_MOTIVAZIONE = {
    Domanda.Stato.INTEGRAZIONE,
    Domanda.Stato.NON_AMMESSA,
    Domanda.Stato.SOSPESA,
    Domanda.Stato.REVOCATA,
}


def cambia_stato(domanda, nuovo, *, by, motivazione=""):
    """Move an application through the review; the organisation is told by e-mail."""
    with transaction.atomic():
        domanda = Domanda.objects.select_for_update().get(pk=domanda.pk)
        if nuovo not in TRANSIZIONI.get(domanda.stato, set()):
            raise OperazioneNonValida(
                _("An application that is “%(da)s” cannot become “%(a)s”.")
                % {"da": domanda.get_stato_display(), "a": Domanda.Stato(nuovo).label}
            )
        if nuovo in CON_MOTIVAZIONE and not motivazione.strip():
            raise OperazioneNonValida(_("Write the reason: the organisation will read it."))
        precedente = domanda.stato
        domanda.stato = nuovo
        if nuovo == Domanda.Stato.INTEGRAZIONE:
            domanda.richiesta_integrazione = motivazione.strip()
        elif motivazione.strip():
            domanda.motivazione = motivazione.strip()
        domanda.save()
        log_action(
            domanda,
            f"domanda.{nuovo}",
            user=by,
            data={"da": precedente, "motivazione": motivazione.strip()},
        )
        if nuovo != Domanda.Stato.IN_ISTRUTTORIA or precedente == Domanda.Stato.INVIATA:
            _notifica(domanda, "domanda_stato")
    return domanda


def _notifica(domanda, name, *, to_staff=False):
    if to_staff:
        to = [domanda.ambito.email_ufficio] if domanda.ambito.email_ufficio else []
    else:
        to = list(
            domanda.organizzazione.referenti.attivi()
            .select_related("user")
            .values_list("user__email", flat=True)
        )
    if to:
        emails.send(
            name,
            to,
            {
                "domanda": domanda,
                "link": emails.absolute_url(reverse("terzo_settore:domanda", args=[domanda.pk])),
            },
        )


# --- co-progettazione evaluation -----------------------------------------------------------


def assegna_punteggio(domanda, criterio, *, punti, nota="", by):
    """A commission member scores an admitted proposal on a criterion, within its maximum."""
    avviso = domanda.avviso
    if not avviso.commissione.filter(pk=by.pk).exists():
        raise OperazioneNonValida(_("Only members of the commission can score proposals."))
    if domanda.stato != Domanda.Stato.AMMESSA:
        raise OperazioneNonValida(_("Only admitted proposals are scored."))
    if avviso.graduatoria_pubblicata_at is not None:
        raise OperazioneNonValida(_("The ranking has been published: scores are final."))
    if criterio.avviso_id != avviso.pk:
        raise OperazioneNonValida(_("This criterion belongs to another notice."))
    if not 0 <= punti <= criterio.punteggio_massimo:
        raise OperazioneNonValida(
            _("The score must be between 0 and %(max)s.") % {"max": criterio.punteggio_massimo}
        )
    with transaction.atomic():
        punteggio, _created = Punteggio.objects.update_or_create(
            domanda=domanda,
            criterio=criterio,
            commissario=by,
            defaults={"punti": punti, "nota": nota},
        )
        log_action(
            domanda,
            "domanda.punteggio",
            user=by,
            data={"criterio": criterio.descrizione, "punti": str(punti)},
        )
    return punteggio


def pubblica_graduatoria(avviso, *, by):
    with transaction.atomic():
        if avviso.graduatoria_pubblicata_at is not None:
            raise OperazioneNonValida(_("The ranking has already been published."))
        avviso.graduatoria_pubblicata_at = timezone.now()
        avviso.save(update_fields=["graduatoria_pubblicata_at", "updated_at"])
        log_action(avviso, "avviso.graduatoria_pubblicata", user=by)
    return avviso

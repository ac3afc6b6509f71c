"""State changes of the third-sector app: each checks the state, changes it inside a
transaction, writes the audit log and leaves side effects (e-mail, PDF) to Celery on commit."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.models import Ente
from pdz import emails
from pdz.audit import log_action
from pdz.exceptions import OperazioneNonValida
from terzo_settore.models import (
    AllegatoAvviso,
    AllegatoDomanda,
    Avviso,
    ContatoreProtocollo,
    Domanda,
    Organizzazione,
    Punteggio,
    Referente,
)

# --- organisations and their referenti ----------------------------------------------------


def _gia_registrata(codice_fiscale):
    return OperazioneNonValida(
        _("An organisation with tax code %(cf)s is already registered: ask to join it.")
        % {"cf": codice_fiscale}
    )


def registra_organizzazione(*, ente_data, organizzazione_data, sedi, aree, by, ambiti=()):
    """Create the organisation (its Ente and details) with ``by`` as managing referente.

    ``ambiti`` are the ambiti where it operates. An organisation with the same codice fiscale
    is never created twice: the caller offers ``chiedi_di_entrare`` instead.
    """
    codice_fiscale = ente_data["codice_fiscale"]
    if Ente.objects.filter(codice_fiscale=codice_fiscale).exists():
        raise _gia_registrata(codice_fiscale)
    try:
        with transaction.atomic():
            ente = Ente.objects.create(tipo=Ente.Tipo.TERZO_SETTORE, **ente_data)
            ente.ambiti.set(ambiti)
            organizzazione = Organizzazione.objects.create(ente=ente, **organizzazione_data)
            organizzazione.sedi_operative.set(sedi)
            organizzazione.aree.set(aree)
            Referente.objects.create(
                organizzazione=organizzazione, user=by, gestore=True, stato=Referente.Stato.ATTIVO
            )
            log_action(organizzazione, "organizzazione.registrata", user=by)
    except IntegrityError:
        # Two people registering the same organisation in the same second.
        raise _gia_registrata(codice_fiscale) from None
    return organizzazione


def modifica_organizzazione(
    organizzazione, *, ente_data, organizzazione_data, sedi, aree, ambiti, by
):
    """A managing referente updates the details; the codice fiscale never changes here."""
    ente_data = {k: v for k, v in ente_data.items() if k != "codice_fiscale"}
    with transaction.atomic():
        organizzazione = (
            Organizzazione.objects.select_for_update()
            .select_related("ente")
            .get(pk=organizzazione.pk)
        )
        ente = organizzazione.ente
        for name, value in ente_data.items():
            setattr(ente, name, value)
        ente.save()
        ente.ambiti.set(ambiti)
        for name, value in organizzazione_data.items():
            setattr(organizzazione, name, value)
        organizzazione.save()
        organizzazione.sedi_operative.set(sedi)
        organizzazione.aree.set(aree)
        log_action(organizzazione, "organizzazione.modificata", user=by)
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
        try:
            with transaction.atomic():
                richiesta = Referente.objects.create(
                    organizzazione=organizzazione, user=by, stato=Referente.Stato.RICHIESTA
                )
        except IntegrityError:
            # The same request sent twice at once (a double click).
            raise OperazioneNonValida(
                _("You are already a referente of this organisation, or have asked to be.")
            ) from None
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
        richiesta = (
            Referente.objects.select_for_update(of=("self",))
            .select_related("user", "organizzazione__ente")
            .get(pk=richiesta.pk)
        )
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


def _blocca_referenti(organizzazione_id):
    # Changes to the referenti of one organisation run one at a time, so that two managers
    # removing each other at once cannot leave it without a manager.
    Organizzazione.objects.select_for_update().filter(pk=organizzazione_id).first()


def rimuovi_referente(referente, *, by):
    """Remove a referente; the last managing referente cannot be removed."""
    with transaction.atomic():
        _blocca_referenti(referente.organizzazione_id)
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
    """Make an active referente a manager of the others, or no longer one (not the last)."""
    with transaction.atomic():
        _blocca_referenti(referente.organizzazione_id)
        referente = Referente.objects.select_for_update().get(pk=referente.pk)
        if referente.stato != Referente.Stato.ATTIVO:
            raise OperazioneNonValida(_("This person is not an active referente."))
        if referente.gestore == gestore:
            return referente
        if not gestore:
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


# Notices (avvisi) are what applications answer: the Ufficio di Piano drafts, publishes,
# extends or withdraws them here.


def salva_avviso(form, formsets=(), *, by):
    """Save a draft notice from its form and inline formsets (tables, criteria)."""
    avviso = form.instance
    if avviso.pk is not None and avviso.stato != Avviso.Stato.BOZZA:
        raise OperazioneNonValida(_("Only a draft notice can be changed."))
    creato = avviso.pk is None
    if creato:
        avviso.created_by = by
    with transaction.atomic():
        avviso = form.save()
        for formset in formsets:
            formset.instance = avviso
            righe = formset.save(commit=False)
            for obj in formset.deleted_objects:
                obj.delete()
            for ordine, riga in enumerate(righe):
                riga.ordine = ordine
                riga.save()
        log_action(
            avviso,
            "avviso.creato" if creato else "avviso.modificato",
            user=by,
            data={"campi": sorted(form.changed_data)},
        )
    return avviso


def pubblica_avviso(avviso, *, by):
    """Publish a draft notice: it must close in the future and offer what its kind needs."""
    with transaction.atomic():
        avviso = Avviso.objects.select_for_update().get(pk=avviso.pk)
        if avviso.stato != Avviso.Stato.BOZZA:
            raise OperazioneNonValida(_("Only a draft notice can be published."))
        problemi = problemi_pubblicazione(avviso)
        if problemi:
            raise OperazioneNonValida(" ".join(problemi))
        avviso.stato = Avviso.Stato.PUBBLICATO
        avviso.pubblicato_at = timezone.now()
        avviso.save(update_fields=["stato", "pubblicato_at", "updated_at"])
        log_action(avviso, "avviso.pubblicato", user=by)
    return avviso


def problemi_pubblicazione(avviso):
    """What still stops ``avviso`` from being published (empty when it can be)."""
    problemi = []
    if avviso.chiusura <= timezone.now():
        problemi.append(_("The closing date and time must be in the future."))
    if avviso.tipo == Avviso.Tipo.MANIFESTAZIONE and not avviso.tavoli_offerti.exists():
        problemi.append(_("Add at least one table on offer."))
    if avviso.tipo == Avviso.Tipo.COPROGETTAZIONE:
        if not avviso.oggetto.strip():
            problemi.append(_("Describe the object of the procedure."))
        if not avviso.criteri.exists():
            problemi.append(_("Add at least one evaluation criterion."))
    if avviso.tipo == Avviso.Tipo.RILEVAZIONE and not avviso.quesiti.exists():
        problemi.append(_("Add at least one question to the survey."))
    return problemi


def proroga_avviso(avviso, *, chiusura, by):
    """Move the closing time of a published notice later (a proroga)."""
    with transaction.atomic():
        avviso = Avviso.objects.select_for_update().get(pk=avviso.pk)
        if avviso.stato != Avviso.Stato.PUBBLICATO:
            raise OperazioneNonValida(_("Only a published notice can be extended."))
        if chiusura <= avviso.chiusura or chiusura <= timezone.now():
            raise OperazioneNonValida(
                _("The new closing time must be later than the current one and in the future.")
            )
        precedente = avviso.chiusura
        avviso.chiusura = chiusura
        avviso.save(update_fields=["chiusura", "updated_at"])
        log_action(
            avviso,
            "avviso.prorogato",
            user=by,
            data={"da": precedente.isoformat(), "a": chiusura.isoformat()},
        )
    return avviso


def annulla_avviso(avviso, *, motivazione, by):
    """Withdraw a notice (draft or published); it stays on record, applications with it."""
    if not motivazione.strip():
        raise OperazioneNonValida(_("Write the reason: it is kept with the notice."))
    with transaction.atomic():
        avviso = Avviso.objects.select_for_update().get(pk=avviso.pk)
        if avviso.stato == Avviso.Stato.ANNULLATO:
            raise OperazioneNonValida(_("This notice has already been withdrawn."))
        avviso.stato = Avviso.Stato.ANNULLATO
        avviso.save(update_fields=["stato", "updated_at"])
        log_action(avviso, "avviso.annullato", user=by, data={"motivazione": motivazione.strip()})
    return avviso


def aggiungi_allegato_avviso(avviso, *, titolo, file, by):
    if avviso.stato == Avviso.Stato.ANNULLATO:
        raise OperazioneNonValida(_("A withdrawn notice cannot be changed."))
    with transaction.atomic():
        allegato = AllegatoAvviso.objects.create(avviso=avviso, titolo=titolo, file=file)
        log_action(avviso, "avviso.allegato", user=by, data={"titolo": titolo})
    return allegato


def togli_allegato_avviso(allegato, *, by):
    """Remove an attachment of a draft notice (nobody has seen it yet); the file is kept."""
    if allegato.avviso.stato != Avviso.Stato.BOZZA:
        raise OperazioneNonValida(_("Attachments of a published notice stay: add a new one."))
    with transaction.atomic():
        log_action(
            allegato.avviso, "avviso.allegato_tolto", user=by, data={"titolo": allegato.titolo}
        )
        allegato.delete()


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


def salva_bozza(domanda, form, *, risposte=None, by):
    """Save what the referente typed in a draft (or in an application whose information is
    asked): ``form`` is the bound, valid application form; ``risposte`` the survey answers."""
    if domanda.stato not in (Domanda.Stato.BOZZA, Domanda.Stato.INTEGRAZIONE):
        raise OperazioneNonValida(_("A submitted application cannot be changed."))
    with transaction.atomic():
        form.save()
        if risposte is not None:
            risposte.save()
        log_action(domanda, "domanda.modificata", user=by)
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
        if domanda.avviso.stato != Avviso.Stato.PUBBLICATO:
            raise OperazioneNonValida(
                _("The notice has been withdrawn: the application cannot be submitted.")
            )
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


class PunteggioNonValido(OperazioneNonValida):
    """A score the criterion does not allow; ``criterio`` says which, for the form."""

    def __init__(self, message, criterio):
        super().__init__(message)
        self.criterio = criterio


def _controlla_punti(avviso, criterio, punti):
    from django.utils.formats import number_format

    if criterio.avviso_id != avviso.pk:
        raise PunteggioNonValido(_("This criterion belongs to another notice."), criterio)
    if punti is None or not 0 <= punti <= criterio.punteggio_massimo:
        raise PunteggioNonValido(
            _("The score must be between 0 and %(max)s.")
            % {"max": number_format(criterio.punteggio_massimo.normalize())},
            criterio,
        )


def _per_valutazione(domanda, by):
    """``domanda`` as it is now, with its notice locked (so that publishing the ranking waits
    for a score being saved), once checked that ``by`` may score it."""
    from terzo_settore.models import Avviso

    avviso = Avviso.objects.select_for_update().get(pk=domanda.avviso_id)
    domanda = Domanda.objects.get(pk=domanda.pk)
    domanda.avviso = avviso
    if not avviso.commissione.filter(pk=by.pk).exists():
        raise OperazioneNonValida(_("Only members of the commission can score proposals."))
    if domanda.stato != Domanda.Stato.AMMESSA:
        raise OperazioneNonValida(_("Only admitted proposals are scored."))
    if avviso.graduatoria_pubblicata_at is not None:
        raise OperazioneNonValida(_("The ranking has been published: scores are final."))
    return domanda


def _salva_punteggio(domanda, criterio, punti, nota, by):
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


def assegna_punteggio(domanda, criterio, *, punti, nota="", by):
    """A commission member scores an admitted proposal on a criterion, within its maximum."""
    with transaction.atomic():
        domanda = _per_valutazione(domanda, by)
        _controlla_punti(domanda.avviso, criterio, punti)
        return _salva_punteggio(domanda, criterio, punti, nota, by)


def assegna_punteggi(domanda, punti, *, note=None, by):
    """Score a proposal on several criteria at once (``punti``: {criterio: Decimal}, ``note``:
    {criterio: text}): every score is saved, or none (``PunteggioNonValido`` names the
    criterion at fault)."""
    note = note or {}
    with transaction.atomic():
        domanda = _per_valutazione(domanda, by)
        for criterio, valore in punti.items():
            _controlla_punti(domanda.avviso, criterio, valore)
        for criterio, valore in punti.items():
            _salva_punteggio(domanda, criterio, valore, note.get(criterio, ""), by)
    return domanda


def pubblica_graduatoria(avviso, *, by):
    """Publish the ranking of the admitted proposals: from now on the scores are final."""
    from terzo_settore.models import Avviso

    with transaction.atomic():
        avviso = Avviso.objects.select_for_update().get(pk=avviso.pk)
        if avviso.graduatoria_pubblicata_at is not None:
            raise OperazioneNonValida(_("The ranking has already been published."))
        if not Punteggio.objects.filter(
            domanda__avviso=avviso, domanda__stato=Domanda.Stato.AMMESSA
        ).exists():
            raise OperazioneNonValida(
                _("No admitted proposal has been scored yet: there is no ranking to publish.")
            )
        avviso.graduatoria_pubblicata_at = timezone.now()
        avviso.save(update_fields=["graduatoria_pubblicata_at", "updated_at"])
        log_action(avviso, "avviso.graduatoria_pubblicata", user=by)
    return avviso


# --- surveys -------------------------------------------------------------------------------


def risposte_date(quesito):
    """The answers of ``quesito`` that hold a value (a cleared answer keeps its row, empty)."""
    return quesito.risposte.filter(valore__isnull=False)


def scelte_usate(quesito):
    """The options of a choice question that at least one answer has chosen."""
    usate = set()
    for valore in risposte_date(quesito).values_list("valore", flat=True):
        usate.update(valore if isinstance(valore, list) else [valore])
    return usate


def _quesiti_modificabili(avviso):
    from terzo_settore.models import Avviso

    avviso = Avviso.objects.select_for_update().get(pk=avviso.pk)
    if avviso.stato == Avviso.Stato.ANNULLATO:
        raise OperazioneNonValida(
            _("This notice has been withdrawn: its questions stay as they are.")
        )
    return avviso


def salva_quesito(quesito, *, by):
    """Add a question at the end of its survey, or save the changes to one.

    Once answered, a question keeps its type and every option somebody chose."""
    from terzo_settore.models import Quesito

    with transaction.atomic():
        avviso = _quesiti_modificabili(quesito.avviso)
        if quesito.tipo not in (Quesito.Tipo.SCELTA_SINGOLA, Quesito.Tipo.SCELTA_MULTIPLA):
            quesito.opzioni = ""
        elif len(quesito.scelte) < 2:
            raise OperazioneNonValida(_("A choice question needs at least two options."))
        if quesito.pk is None:
            ultimo = avviso.quesiti.order_by("-ordine").values_list("ordine", flat=True).first()
            quesito.ordine = 0 if ultimo is None else ultimo + 1
            quesito.save()
            log_action(avviso, "quesito.aggiunto", user=by, data={"quesito": quesito.testo})
            return quesito
        prima = Quesito.objects.get(pk=quesito.pk)
        if prima.tipo != quesito.tipo and risposte_date(prima).exists():
            raise OperazioneNonValida(
                _("This question has already been answered: its type cannot change.")
            )
        tolte = scelte_usate(prima) - set(quesito.scelte)
        if tolte:
            raise OperazioneNonValida(
                _("These options have already been chosen and cannot be removed: %(options)s.")
                % {"options": ", ".join(sorted(tolte))}
            )
        quesito.save()
        log_action(avviso, "quesito.modificato", user=by, data={"quesito": quesito.testo})
    return quesito


def sposta_quesito(quesito, *, su, by):
    """Move a question one place up (``su``) or down; at either end it stays where it is."""
    with transaction.atomic():
        avviso = _quesiti_modificabili(quesito.avviso)
        quesiti = list(avviso.quesiti.order_by("ordine", "pk"))
        i = next(n for n, q in enumerate(quesiti) if q.pk == quesito.pk)
        j = i - 1 if su else i + 1
        if not 0 <= j < len(quesiti):
            return quesito
        quesiti[i], quesiti[j] = quesiti[j], quesiti[i]
        for ordine, q in enumerate(quesiti):
            q.ordine = ordine
        type(quesito).objects.bulk_update(quesiti, ["ordine"])
        log_action(avviso, "quesito.spostato", user=by, data={"quesito": quesito.testo})
    return quesito


def perche_non_rimovibile(quesito):
    """Why ``quesito`` cannot be removed (a message for the staff), or None if it can."""
    from terzo_settore.models import Avviso

    avviso = quesito.avviso
    if avviso.stato == Avviso.Stato.ANNULLATO:
        return _("This notice has been withdrawn: its questions stay as they are.")
    if risposte_date(quesito).exists():
        return _("This question has already been answered: it cannot be removed.")
    if avviso.stato == Avviso.Stato.PUBBLICATO and avviso.domande.inviate().exists():
        return _(
            "Organisations have already submitted their answers to this survey: "
            "its questions cannot be removed any more."
        )
    return None


def rimuovi_quesito(quesito, *, by):
    """Remove a question nobody has answered yet. Once a published survey has received
    applications its questions stay: they are part of what the organisations answered."""
    with transaction.atomic():
        quesito.avviso = _quesiti_modificabili(quesito.avviso)
        motivo = perche_non_rimovibile(quesito)
        if motivo:
            raise OperazioneNonValida(motivo)
        # Only the empty rows of drafts are left: nothing anybody wrote is lost.
        quesito.risposte.all().delete()
        log_action(quesito.avviso, "quesito.rimosso", user=by, data={"quesito": quesito.testo})
        quesito.delete()

"""State changes of bodies, meetings, convocations, minutes and votes: each checks the state,
changes it inside a transaction, writes the audit log and leaves e-mail to Celery on commit."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ambiti.models import AppartenenzaComune, Ente, Ruolo, popolazione_piu_recente
from pdz import emails
from pdz.audit import log_action
from pdz.exceptions import OperazioneNonValida
from tavoli import conteggio
from tavoli.models import (
    Convocazione,
    Documento,
    FeedCalendario,
    Incontro,
    Membro,
    Presenza,
    PuntoOdg,
    RegolaVoto,
    Tavolo,
    Votazione,
    Voto,
)
from terzo_settore.models import Domanda

# --- bodies and members -------------------------------------------------------------------


def salva_tavolo(form, *, by):
    """Create or update a body from its (valid) form."""
    nuovo = form.instance.pk is None
    with transaction.atomic():
        tavolo = form.save()
        log_action(tavolo, "tavolo.creato" if nuovo else "tavolo.modificato", user=by)
    return tavolo


def aggiungi_membro(tavolo, *, ente, by, domanda=None, **dati):
    """Seat ``ente`` at ``tavolo``; ``dati`` are the Membro fields (delegate, role…)."""
    with transaction.atomic():
        Tavolo.objects.select_for_update().get(pk=tavolo.pk)
        if tavolo.membri.attivi().filter(ente=ente).exists():
            raise OperazioneNonValida(
                _("%(ente)s is already a member of this body.") % {"ente": ente}
            )
        membro = Membro.objects.create(tavolo=tavolo, ente=ente, domanda=domanda, **dati)
        log_action(membro, "membro.aggiunto", user=by, data={"tavolo": tavolo.pk})
    return membro


def modifica_membro(membro, *, by, **dati):
    with transaction.atomic():
        membro = Membro.objects.select_for_update().get(pk=membro.pk)
        if membro.rimosso_at:
            raise OperazioneNonValida(_("This member was removed from the body."))
        for name, value in dati.items():
            setattr(membro, name, value)
        membro.save()
        log_action(membro, "membro.modificato", user=by, data={"campi": sorted(dati)})
    return membro


def rimuovi_membro(membro, *, by):
    """The member leaves the body; its past attendance, votes and convocations stay."""
    with transaction.atomic():
        membro = Membro.objects.select_for_update().get(pk=membro.pk)
        if membro.rimosso_at:
            return membro
        membro.rimosso_at = timezone.now()
        membro.save(update_fields=["rimosso_at"])
        log_action(membro, "membro.rimosso", user=by)
    return membro


def importa_da_manifestazione(tavolo, *, by):
    """Seat every organisation admitted under the manifestazione d'interesse that offered
    ``tavolo`` and chose it, with the delegate and substitute of its application.

    Returns (added, already members). Organisations already seated are left as they are.
    """
    if tavolo.tavolo_offerto_id is None:
        raise OperazioneNonValida(
            _("This body is not linked to a table offered by a manifestazione d'interesse.")
        )
    domande = (
        Domanda.objects.filter(tavoli=tavolo.tavolo_offerto_id, stato=Domanda.Stato.AMMESSA)
        .select_related("organizzazione__ente")
        .order_by("organizzazione__ente__denominazione")
    )
    aggiunti, presenti = [], []
    with transaction.atomic():
        Tavolo.objects.select_for_update().get(pk=tavolo.pk)
        seduti = set(tavolo.membri.attivi().values_list("ente_id", flat=True))
        for domanda in domande:
            ente = domanda.organizzazione.ente
            if ente.pk in seduti:
                presenti.append(ente)
                continue
            membro = Membro.objects.create(
                tavolo=tavolo,
                ente=ente,
                domanda=domanda,
                delegato_nome=domanda.delegato_nome or domanda.organizzazione.rappresentante_legale,
                delegato_email=domanda.delegato_email or ente.email,
                supplente_nome=domanda.supplente_nome,
                supplente_email=domanda.supplente_email,
            )
            log_action(membro, "membro.aggiunto", user=by, data={"domanda": domanda.pk})
            aggiunti.append(membro)
        log_action(tavolo, "tavolo.membri_importati", user=by, data={"aggiunti": len(aggiunti)})
    return aggiunti, presenti


def aggiungi_comuni(tavolo, *, by):
    """Seat every comune of the body's ambiti with its mayor (and the mayor's delegate as
    substitute): the Assemblea dei Sindaci. Returns (added, comuni without a mayor)."""
    ambiti = {tavolo.ambito_id, *tavolo.ambiti_coinvolti.values_list("pk", flat=True)}
    comuni = AppartenenzaComune.objects.in_vigore().filter(ambito__in=ambiti).values("comune_id")
    enti = Ente.objects.filter(comune__in=comuni).select_related("comune").order_by("denominazione")
    persone = {}
    for ruolo in (
        Ruolo.objects.attivi()
        .filter(ambito__in=ambiti, tipo__in=[Ruolo.Tipo.SINDACO, Ruolo.Tipo.DELEGATO_SINDACO])
        .select_related("user")
        .order_by("valido_dal")
    ):
        persone.setdefault(ruolo.ente_id, {})[ruolo.tipo] = ruolo.user
    aggiunti, senza_sindaco = [], []
    with transaction.atomic():
        Tavolo.objects.select_for_update().get(pk=tavolo.pk)
        seduti = set(tavolo.membri.attivi().values_list("ente_id", flat=True))
        for ente in enti:
            if ente.pk in seduti:
                continue
            sindaco = persone.get(ente.pk, {}).get(Ruolo.Tipo.SINDACO)
            if sindaco is None:
                senza_sindaco.append(ente)
                continue
            delegato = persone.get(ente.pk, {}).get(Ruolo.Tipo.DELEGATO_SINDACO)
            membro = Membro.objects.create(
                tavolo=tavolo,
                ente=ente,
                delegato_nome=sindaco.full_name or sindaco.email,
                delegato_email=sindaco.email,
                supplente_nome=(delegato.full_name or delegato.email) if delegato else "",
                supplente_email=delegato.email if delegato else "",
            )
            log_action(membro, "membro.aggiunto", user=by)
            aggiunti.append(membro)
    return aggiunti, senza_sindaco


# --- reference data -----------------------------------------------------------------------


def salva_riferimento(form, azione, *, by):
    """Create or update a policy area or voting rule of an ambito from its (valid) form."""
    with transaction.atomic():
        oggetto = form.save()
        log_action(oggetto, azione, user=by, data={"campi": sorted(form.changed_data)})
    return oggetto


def copia_regola(modello, ambito, *, nome, by):
    """The ambito's own copy of a shared voting rule, to adapt."""
    with transaction.atomic():
        regola = RegolaVoto.objects.create(
            ambito=ambito,
            nome=nome,
            peso=modello.peso,
            maggioranza=modello.maggioranza,
            soglia=modello.soglia,
            quorum_prima=modello.quorum_prima,
            quorum_seconda=modello.quorum_seconda,
        )
        log_action(regola, "regola_voto.copiata", user=by, data={"da": modello.pk})
    return regola


# --- meetings -----------------------------------------------------------------------------

CAMPI_CONVOCAZIONE = ("inizio", "fine", "luogo", "link_online")


def salva_incontro(incontro, *, by, punti=None):
    """Save a new or edited meeting (from ``ModelForm.save(commit=False)``).

    ``punti`` is the agenda as a list of (titolo, descrizione); None leaves it as it is.
    Once convened, a change of date, time or place raises the meeting's SEQUENCE and sends
    every recipient an update.
    """
    nuovo = incontro.pk is None
    with transaction.atomic():
        if not nuovo:
            prima = Incontro.objects.select_for_update().get(pk=incontro.pk)
            if prima.stato not in (Incontro.Stato.PIANIFICATO, Incontro.Stato.CONVOCATO):
                raise OperazioneNonValida(_("A meeting already held or cancelled cannot change."))
            cambiati = [c for c in CAMPI_CONVOCAZIONE if getattr(prima, c) != getattr(incontro, c)]
            incontro.stato, incontro.sequenza = prima.stato, prima.sequenza
            if cambiati and prima.stato == Incontro.Stato.CONVOCATO:
                incontro.sequenza += 1
        else:
            incontro.created_by = by
            cambiati = []
        incontro.save()
        if punti is not None:
            _salva_punti(incontro, punti)
        log_action(
            incontro,
            "incontro.creato" if nuovo else "incontro.modificato",
            user=by,
            data={"cambiati": cambiati},
        )
        if incontro.stato == Incontro.Stato.CONVOCATO and cambiati:
            _riaccoda(incontro)
    return incontro


def _salva_punti(incontro, punti):
    esistenti = {p.numero: p for p in incontro.punti.all()}
    for numero, (titolo, descrizione) in enumerate(punti, start=1):
        punto = esistenti.pop(numero, None) or PuntoOdg(incontro=incontro, numero=numero)
        punto.titolo, punto.descrizione = titolo, descrizione
        punto.save()
    # Items dropped from the agenda before the meeting: only those with nothing attached.
    for punto in esistenti.values():
        if punto.verbale or punto.votazioni.exists() or punto.approva_verbale_di_id:
            raise OperazioneNonValida(
                _("Item %(numero)s has minutes or votes and cannot be removed.")
                % {"numero": punto.numero}
            )
        punto.delete()


def destinatari(membro):
    """(destinatario, canale, nome, email) of everyone who gets the convocation of ``membro``."""
    righe = [
        (Convocazione.Destinatario.DELEGATO, "email", membro.delegato_nome, membro.delegato_email)
    ]
    if membro.supplente_email:
        righe.append(
            (
                Convocazione.Destinatario.SUPPLENTE,
                "email",
                membro.supplente_nome,
                membro.supplente_email,
            )
        )
    if membro.ente.pec and settings.PEC_EMAIL is not None:
        righe.append(
            (Convocazione.Destinatario.ENTE_PEC, "pec", membro.ente.denominazione, membro.ente.pec)
        )
    return righe


def convoca(incontro, *, by, urgente=False):
    """Convene the meeting: one Convocazione per recipient, e-mailed by Celery after commit.

    Convening again adds whoever joined the body since and re-sends what has not left yet;
    nobody receives the same convocation twice. Later than the body's notice period it needs
    ``urgente``.
    """
    with transaction.atomic():
        incontro = Incontro.objects.select_for_update().select_related("tavolo").get(pk=incontro.pk)
        if incontro.stato not in (Incontro.Stato.PIANIFICATO, Incontro.Stato.CONVOCATO):
            raise OperazioneNonValida(_("Only a planned meeting can be convened."))
        adesso = timezone.now()
        if incontro.inizio <= adesso:
            raise OperazioneNonValida(_("The meeting has already started: it cannot be convened."))
        preavviso = timedelta(hours=incontro.tavolo.preavviso_ore)
        if (
            incontro.stato == Incontro.Stato.PIANIFICATO
            and incontro.inizio - adesso < preavviso
            and not urgente
        ):
            raise OperazioneNonValida(
                _(
                    "The body's notice period is %(ore)s hours and the meeting starts sooner: "
                    "confirm that it is urgent to convene it anyway."
                )
                % {"ore": incontro.tavolo.preavviso_ore}
            )
        membri = list(incontro.tavolo.membri.attivi().select_related("ente"))
        if not membri:
            raise OperazioneNonValida(_("The body has no members to convene."))
        esistenti = set(incontro.convocazioni.values_list("membro_id", "destinatario"))
        nuove = [
            Convocazione(
                incontro=incontro,
                membro=membro,
                destinatario=destinatario,
                canale=canale,
                nome=nome,
                email=email,
            )
            for membro in membri
            for destinatario, canale, nome, email in destinatari(membro)
            if (membro.pk, destinatario) not in esistenti
        ]
        Convocazione.objects.bulk_create(nuove)
        if incontro.stato == Incontro.Stato.PIANIFICATO:
            incontro.stato = Incontro.Stato.CONVOCATO
            incontro.convocato_at = adesso
            incontro.urgente = urgente
            incontro.save(update_fields=["stato", "convocato_at", "urgente", "updated_at"])
        log_action(
            incontro,
            "incontro.convocato",
            user=by,
            data={"nuovi_destinatari": len(nuove), "urgente": urgente},
        )
        _accoda(incontro)
    return incontro


def annulla(incontro, *, motivo, by):
    """Cancel the meeting; whoever was convened gets a METHOD:CANCEL."""
    with transaction.atomic():
        incontro = Incontro.objects.select_for_update().get(pk=incontro.pk)
        if incontro.stato not in (Incontro.Stato.PIANIFICATO, Incontro.Stato.CONVOCATO):
            raise OperazioneNonValida(_("Only a meeting not yet held can be cancelled."))
        convocato = incontro.stato == Incontro.Stato.CONVOCATO
        incontro.stato = Incontro.Stato.ANNULLATO
        incontro.annullato_at = timezone.now()
        incontro.motivo_annullamento = motivo
        incontro.sequenza += 1
        incontro.save()
        log_action(incontro, "incontro.annullato", user=by, data={"motivo": motivo})
        if convocato:
            _riaccoda(incontro)
    return incontro


def _riaccoda(incontro):
    """Every recipient must hear of the new version of the meeting."""
    incontro.convocazioni.exclude(stato=Convocazione.Stato.NON_DOVUTA).update(
        stato=Convocazione.Stato.IN_CODA, accodata_at=timezone.now(), errore=""
    )
    _accoda(incontro)


def _accoda(incontro):
    from tavoli.tasks import invia_convocazioni

    pk = incontro.pk
    transaction.on_commit(lambda: invia_convocazioni.delay(pk))


def ritenta_fallite(incontro, *, by):
    """Put the failed deliveries back in the queue (after fixing an address, say)."""
    with transaction.atomic():
        n = incontro.convocazioni.filter(stato=Convocazione.Stato.FALLITA).update(
            stato=Convocazione.Stato.IN_CODA, accodata_at=timezone.now(), tentativi=0
        )
        log_action(incontro, "incontro.convocazioni_ritentate", user=by, data={"n": n})
        _accoda(incontro)
    return n


_RSVP = signing.Signer(salt="tavoli.rsvp")


def rsvp_token(convocazione):
    """The same for every message to the recipient, so any of their links works."""
    return _RSVP.sign(str(convocazione.pk))


def convocazione_da_token(token):
    """The Convocazione of a personal RSVP link, or None if the link is not valid."""
    try:
        pk = int(_RSVP.unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return (
        Convocazione.objects.select_related("incontro__tavolo", "membro__ente")
        .filter(pk=pk)
        .first()
    )


def rsvp_url(convocazione):
    return emails.absolute_url(reverse("tavoli:rsvp", args=[rsvp_token(convocazione)]))


def rispondi(convocazione, *, risposta, delegato="", user=None):
    """Record the answer of a recipient (from the link in the e-mail, no login needed)."""
    if risposta == Convocazione.Risposta.DELEGA and not delegato.strip():
        raise OperazioneNonValida(_("Say who will attend in your place."))
    with transaction.atomic():
        convocazione = (
            Convocazione.objects.select_for_update()
            .select_related("incontro")
            .get(pk=convocazione.pk)
        )
        incontro = convocazione.incontro
        if incontro.stato != Incontro.Stato.CONVOCATO or incontro.inizio <= timezone.now():
            raise OperazioneNonValida(_("The meeting is no longer open to answers."))
        convocazione.risposta = risposta
        convocazione.risposta_delegato = (
            delegato.strip() if risposta == Convocazione.Risposta.DELEGA else ""
        )
        convocazione.risposta_at = timezone.now()
        convocazione.save(update_fields=["risposta", "risposta_delegato", "risposta_at"])
        log_action(
            convocazione,
            "convocazione.risposta",
            user=user,
            data={"risposta": risposta, "delegato": convocazione.risposta_delegato},
        )
    return convocazione


# --- documents ----------------------------------------------------------------------------


def aggiungi_documento(incontro, *, tipo, titolo, file, by):
    """Attach ``file`` to the meeting: a paper for the agenda or an attachment of the minutes."""
    with transaction.atomic():
        documento = Documento.objects.create(
            incontro=incontro, tipo=tipo, titolo=titolo, file=file, caricato_da=by
        )
        log_action(documento, "documento.caricato", user=by, data={"incontro": incontro.pk})
    return documento


def rimuovi_documento(documento, *, by):
    """Take the document off the meeting's pages; the file is kept."""
    with transaction.atomic():
        documento = Documento.objects.select_for_update().get(pk=documento.pk)
        if documento.rimosso_at is None:
            documento.rimosso_at = timezone.now()
            documento.save(update_fields=["rimosso_at"])
            log_action(documento, "documento.rimosso", user=by)
    return documento


# --- attendance ---------------------------------------------------------------------------


def registra_presenze(incontro, righe, *, by):
    """Record the attendance register: ``righe`` maps member id → (stato, rappresentato_da).

    A convened meeting whose start has passed becomes held.
    """
    with transaction.atomic():
        incontro = Incontro.objects.select_for_update().get(pk=incontro.pk)
        if incontro.stato in (Incontro.Stato.ANNULLATO, Incontro.Stato.PUBBLICATO):
            raise OperazioneNonValida(_("The attendance of this meeting can no longer change."))
        if incontro.inizio > timezone.now():
            raise OperazioneNonValida(_("Attendance is taken once the meeting has started."))
        membri = set(incontro.tavolo.membri.values_list("pk", flat=True))
        esistenti = {p.membro_id: p for p in incontro.presenze.all()}
        for membro_id, (stato, rappresentato_da) in righe.items():
            if membro_id not in membri:
                raise OperazioneNonValida(_("Attendance can be taken only of the body's members."))
            if stato == Presenza.Stato.DELEGATO and not rappresentato_da.strip():
                raise OperazioneNonValida(_("Say who represented the member."))
            presenza = esistenti.get(membro_id) or Presenza(incontro=incontro, membro_id=membro_id)
            presenza.stato = stato
            presenza.rappresentato_da = (
                rappresentato_da.strip() if stato == Presenza.Stato.DELEGATO else ""
            )
            presenza.registrato_da = by
            presenza.save()
        if incontro.stato in (Incontro.Stato.PIANIFICATO, Incontro.Stato.CONVOCATO):
            incontro.stato = Incontro.Stato.SVOLTO
            incontro.save(update_fields=["stato", "updated_at"])
        log_action(incontro, "incontro.presenze", user=by, data={"righe": len(righe)})
    return incontro


def _elettori(tavolo, presenti, scelte):
    """The voting members of ``tavolo`` as ``conteggio.Elettore``, with their population."""
    membri = (
        tavolo.membri.attivi()
        .filter(diritto_voto=True)
        .select_related("ente")
        .annotate(**popolazione_piu_recente("ente__comune_id"))
        .order_by("ente__denominazione")
    )
    return [
        conteggio.Elettore(
            membro_id=m.pk,
            nome=m.ente.denominazione,
            presente=m.pk in presenti,
            scelta=scelte.get(m.pk),
            peso=m.popolazione,
        )
        for m in membri
    ]


def quorum(incontro):
    """The count of those present under the body's rule (``Risultato``: quorum_raggiunto,
    presenti, componenti), or None when the body has no voting rule.

    Raises ``OperazioneNonValida`` if the rule weighs population and a comune has none.
    """
    regola = incontro.tavolo.regola_voto
    if regola is None:
        return None
    presenti = {
        p.membro_id
        for p in incontro.presenze.all()
        if p.stato in (Presenza.Stato.PRESENTE, Presenza.Stato.DELEGATO)
    }
    try:
        return conteggio.conta(regola, _elettori(incontro.tavolo, presenti, {}))
    except conteggio.PopolazioneMancante as e:
        raise OperazioneNonValida(str(e)) from None


# --- minutes (verbale) --------------------------------------------------------------------


def salva_verbale(incontro, *, generale, punti, by):
    """Write the minutes: the general part and ``punti`` = {punto id: text}."""
    with transaction.atomic():
        incontro = Incontro.objects.select_for_update().get(pk=incontro.pk)
        if incontro.stato not in (Incontro.Stato.SVOLTO, Incontro.Stato.VERBALE_REDATTO):
            raise OperazioneNonValida(
                _("Minutes are written after the meeting is held and until they are approved.")
            )
        incontro.verbale = generale
        for punto in incontro.punti.all():
            if punto.pk in punti and punti[punto.pk] != punto.verbale:
                punto.verbale = punti[punto.pk]
                punto.save(update_fields=["verbale"])
        incontro.stato = Incontro.Stato.VERBALE_REDATTO
        incontro.save(update_fields=["verbale", "stato", "updated_at"])
        log_action(incontro, "verbale.redatto", user=by)
    return incontro


def invia_bozza_verbale(incontro, *, by):
    """E-mail the draft minutes (link to them) to every member's delegate and substitute."""
    with transaction.atomic():
        incontro = Incontro.objects.select_for_update().select_related("tavolo").get(pk=incontro.pk)
        if incontro.stato != Incontro.Stato.VERBALE_REDATTO:
            raise OperazioneNonValida(_("Only drafted minutes can be sent to the members."))
        link = emails.absolute_url(reverse("tavoli:verbale", args=[incontro.pk]))
        destinatari = {}
        for membro in incontro.tavolo.membri.attivi():
            destinatari.setdefault(membro.delegato_email.lower(), membro.delegato_nome)
            if membro.supplente_email:
                destinatari.setdefault(membro.supplente_email.lower(), membro.supplente_nome)
        for email, nome in sorted(destinatari.items()):
            emails.send(
                "verbale_bozza",
                email,
                {"incontro": incontro, "tavolo": incontro.tavolo, "nome": nome, "link": link},
            )
        incontro.verbale_inviato_at = timezone.now()
        incontro.save(update_fields=["verbale_inviato_at", "updated_at"])
        log_action(incontro, "verbale.inviato", user=by, data={"destinatari": len(destinatari)})
    return incontro


def metti_approvazione_verbale(incontro, seduta, *, by):
    """Put the approval of the minutes of ``incontro`` on the agenda of a later ``seduta``."""
    with transaction.atomic():
        incontro = Incontro.objects.select_for_update().get(pk=incontro.pk)
        if incontro.stato != Incontro.Stato.VERBALE_REDATTO:
            raise OperazioneNonValida(_("Only drafted minutes can be put to approval."))
        if seduta.tavolo_id != incontro.tavolo_id or seduta.inizio <= incontro.inizio:
            raise OperazioneNonValida(
                _("Minutes are approved at a later meeting of the same body.")
            )
        if seduta.stato not in (Incontro.Stato.PIANIFICATO, Incontro.Stato.CONVOCATO):
            raise OperazioneNonValida(_("Choose a meeting that has not been held yet."))
        punto = seduta.punti.filter(approva_verbale_di=incontro).first()
        if punto is None:
            numero = (
                seduta.punti.order_by("-numero").values_list("numero", flat=True).first() or 0
            ) + 1
            punto = PuntoOdg.objects.create(
                incontro=seduta,
                numero=numero,
                titolo=_("Approval of the minutes of the meeting of %(data)s")
                % {"data": date_format(timezone.localtime(incontro.inizio), "j F Y")},
                approva_verbale_di=incontro,
            )
            log_action(seduta, "incontro.punto_aggiunto", user=by, data={"punto": punto.pk})
    return punto


def approva_verbale(incontro, *, by):
    """Record that the meeting with the approval on its agenda approved the minutes."""
    with transaction.atomic():
        incontro = Incontro.objects.select_for_update().get(pk=incontro.pk)
        if incontro.stato != Incontro.Stato.VERBALE_REDATTO:
            raise OperazioneNonValida(_("Only drafted minutes can be approved."))
        punto = (
            PuntoOdg.objects.filter(approva_verbale_di=incontro)
            .select_related("incontro")
            .exclude(
                incontro__stato__in=[
                    Incontro.Stato.PIANIFICATO,
                    Incontro.Stato.CONVOCATO,
                    Incontro.Stato.ANNULLATO,
                ]
            )
            .first()
        )
        if punto is None:
            raise OperazioneNonValida(
                _(
                    "The minutes are approved at a later meeting: put them on its agenda "
                    "and hold it first."
                )
            )
        incontro.stato = Incontro.Stato.VERBALE_APPROVATO
        incontro.verbale_approvato_in = punto.incontro
        incontro.verbale_approvato_at = timezone.now()
        incontro.save(
            update_fields=["stato", "verbale_approvato_in", "verbale_approvato_at", "updated_at"]
        )
        log_action(incontro, "verbale.approvato", user=by, data={"seduta": punto.incontro_id})
    return incontro


def pubblica_verbale(incontro, *, by):
    with transaction.atomic():
        incontro = Incontro.objects.select_for_update().get(pk=incontro.pk)
        if incontro.stato != Incontro.Stato.VERBALE_APPROVATO:
            raise OperazioneNonValida(_("Only approved minutes can be published."))
        incontro.stato = Incontro.Stato.PUBBLICATO
        incontro.pubblicato_at = timezone.now()
        incontro.save(update_fields=["stato", "pubblicato_at", "updated_at"])
        log_action(incontro, "verbale.pubblicato", user=by)
    return incontro


# --- votes --------------------------------------------------------------------------------


def apri_votazione(
    tavolo,
    *,
    oggetto,
    modalita,
    by,
    testo="",
    punto=None,
    seconda_convocazione=False,
    chiude_at=None,
):
    """Open a vote under the body's rule (copied into the vote)."""
    regola = tavolo.regola_voto
    if regola is None:
        raise OperazioneNonValida(_("Set the body's voting rule before opening a vote."))
    if punto is not None and punto.incontro.tavolo_id != tavolo.pk:
        raise OperazioneNonValida(_("The agenda item belongs to another body."))
    if chiude_at is not None and chiude_at <= timezone.now():
        raise OperazioneNonValida(_("The closing time must be in the future."))
    try:  # refuse now, not at the count, a weighted vote with a comune without population
        conteggio.conta(regola, _elettori(tavolo, set(), {}))
    except conteggio.PopolazioneMancante as e:
        raise OperazioneNonValida(str(e)) from None
    with transaction.atomic():
        votazione = Votazione.objects.create(
            tavolo=tavolo,
            punto=punto,
            oggetto=oggetto,
            testo=testo,
            modalita=modalita,
            seconda_convocazione=seconda_convocazione,
            regola=conteggio.snapshot(regola),
            chiude_at=chiude_at,
            aperta_da=by,
        )
        log_action(votazione, "votazione.aperta", user=by)
    return votazione


def vota(votazione, membro, *, scelta, by):
    """``by`` (the member's delegate or substitute) casts or changes the member's vote online."""
    with transaction.atomic():
        votazione = Votazione.objects.select_for_update().get(pk=votazione.pk)
        if votazione.modalita != Votazione.Modalita.ONLINE:
            raise OperazioneNonValida(_("This vote is taken at the meeting, not online."))
        if not votazione.aperta or (votazione.chiude_at and votazione.chiude_at <= timezone.now()):
            raise OperazioneNonValida(_("The vote is closed."))
        if (
            membro.tavolo_id != votazione.tavolo_id
            or membro.rimosso_at
            or not membro.diritto_voto
            or not membro.rappresenta(by.email)
        ):
            raise OperazioneNonValida(_("You cannot vote for this member."))
        voto, _creato = Voto.objects.update_or_create(
            votazione=votazione, membro=membro, defaults={"scelta": scelta, "espresso_da": by}
        )
        log_action(
            votazione, "votazione.voto", user=by, data={"membro": membro.pk, "scelta": scelta}
        )
    return voto


def registra_voto_palese(votazione, scelte, *, by):
    """The secretary records a show of hands: ``scelte`` = {member id: scelta}, present
    members only; then the vote is counted and closed."""
    with transaction.atomic():
        votazione = Votazione.objects.select_for_update().get(pk=votazione.pk)
        if votazione.modalita != Votazione.Modalita.PALESE or not votazione.aperta:
            raise OperazioneNonValida(_("This vote cannot be recorded by show of hands."))
        votanti = set(
            votazione.tavolo.membri.attivi().filter(diritto_voto=True).values_list("pk", flat=True)
        )
        for membro_id, scelta in scelte.items():
            if membro_id not in votanti:
                raise OperazioneNonValida(_("Only members with a voting right can vote."))
            Voto.objects.update_or_create(
                votazione=votazione,
                membro_id=membro_id,
                defaults={"scelta": scelta, "espresso_da": by},
            )
        log_action(votazione, "votazione.palese", user=by, data={"voti": len(scelte)})
        return chiudi_votazione(votazione, by=by)


def chiudi_votazione(votazione, *, by):
    """Count the vote under its rule and close it. Who voted is present; the rest absent."""
    with transaction.atomic():
        votazione = (
            Votazione.objects.select_for_update().select_related("tavolo").get(pk=votazione.pk)
        )
        if not votazione.aperta:
            raise OperazioneNonValida(_("The vote is already closed."))
        scelte = dict(votazione.voti.values_list("membro_id", "scelta"))
        try:
            risultato = conteggio.conta(
                votazione.regola,
                _elettori(votazione.tavolo, set(scelte), scelte),
                seconda_convocazione=votazione.seconda_convocazione,
            )
        except conteggio.PopolazioneMancante as e:
            raise OperazioneNonValida(str(e)) from None
        votazione.risultato = risultato.as_dict()
        votazione.esito = risultato.esito
        votazione.stato = Votazione.Stato.CHIUSA
        votazione.chiusa_at = timezone.now()
        votazione.save(update_fields=["risultato", "esito", "stato", "chiusa_at"])
        log_action(votazione, "votazione.chiusa", user=by, data={"esito": risultato.esito})
    return votazione


# --- calendar feed ------------------------------------------------------------------------


def feed_personale(user, *, rigenera=False):
    """The secret token of ``user``'s calendar feed; ``rigenera`` revokes the old address."""
    feed, creato = FeedCalendario.objects.get_or_create(
        user=user, defaults={"token": FeedCalendario.nuovo_token()}
    )
    if rigenera and not creato:
        feed.token = FeedCalendario.nuovo_token()
        feed.save(update_fields=["token", "created_at"])
        log_action(feed, "calendario.rigenerato", user=user)
    return feed


def incontri_di(user):
    """The meetings of the bodies ``user`` sits at (as delegate or substitute)."""
    tavoli = Membro.objects.attivi().di_persona(user.email).values("tavolo_id")
    return Incontro.objects.filter(tavolo__in=tavoli)

"""The accordo di programma (D.Lgs. 267/2000 art. 34) and the adhesions of the third sector.

Adhesions: a referente of an organisation that took part in the ambito's planning asks to
adhere; the staff accept or refuse; the organisation may withdraw. Nothing moves once the
accordo is in signature.

The accordo: prepared on the approved version (texts and table of signatories), its PDF
rendered by a task (``piani.documenti.pdf_accordo``), then in signature → signed (every
institutional party's signed copy uploaded) → approved by the promoter's act → published in
the BUR. Each step checks the state, writes the audit log and refuses what is out of order
with ``OperazioneNonValida``.
"""

import hashlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambiti.models import Ente, Ruolo
from pdz import emails
from pdz.audit import log_action
from pdz.exceptions import OperazioneNonValida
from piani.models import Accordo, Adesione, Firmatario, Piano
from tavoli.models import Membro
from terzo_settore.models import Domanda, Organizzazione
from terzo_settore.permissions import referenze

TESTI = ("premesse", "impegni", "governance", "durata")
ATTIVE = (Adesione.Stato.RICHIESTA, Adesione.Stato.ACCOLTA)


# --- adhesions ------------------------------------------------------------------------------


def organizzazioni_idonee(user, ambito):
    """The organisations ``user`` acts for that took part in the ambito's planning: admitted
    by one of its notices, or sitting (through their Ente) at one of its tables."""
    mie = set(referenze(user))
    if not mie:
        return Organizzazione.objects.none()
    ammesse = Domanda.objects.filter(
        ambito=ambito, organizzazione__in=mie, stato=Domanda.Stato.AMMESSA
    ).values("organizzazione_id")
    ai_tavoli = (
        Membro.objects.attivi()
        .filter(Q(tavolo__ambito=ambito) | Q(tavolo__ambiti_coinvolti=ambito))
        .values("ente_id")
    )
    return (
        Organizzazione.objects.filter(pk__in=mie)
        .filter(Q(pk__in=ammesse) | Q(ente_id__in=ai_tavoli))
        .select_related("ente")
        .order_by("ente__denominazione")
    )


def adesioni_chiuse(piano):
    """Adhesions can no longer change: the accordo is in signature or beyond."""
    accordo = Accordo.objects.filter(piano=piano).only("stato").first()
    return accordo is not None and accordo.stato != Accordo.Stato.BOZZA


def _controlla_aperte(piano):
    if adesioni_chiuse(piano):
        raise OperazioneNonValida(
            _("The accordo is already in signature: adhesions can no longer change.")
        )


def richiedi_adesione(piano, *, organizzazione, impegni, firmatario_nome, firmatario_qualifica, by):
    """``by`` asks that ``organizzazione`` adhere to the plan's accordo."""
    with transaction.atomic():
        piano = Piano.objects.select_for_update().get(pk=piano.pk)
        _controlla_aperte(piano)
        if not organizzazioni_idonee(by, piano.ambito).filter(pk=organizzazione.pk).exists():
            raise OperazioneNonValida(
                _("Only organisations that took part in the ambito's planning can adhere.")
            )
        if piano.adesioni.filter(organizzazione=organizzazione, stato__in=ATTIVE).exists():
            raise OperazioneNonValida(
                _("%(org)s has already asked to adhere to this plan.")
                % {"org": organizzazione.ente.denominazione}
            )
        adesione = Adesione.objects.create(
            piano=piano,
            organizzazione=organizzazione,
            impegni=impegni.strip(),
            firmatario_nome=firmatario_nome.strip(),
            firmatario_qualifica=firmatario_qualifica.strip(),
            richiesta_da=by,
        )
        log_action(adesione, "adesione.richiesta", user=by, data={"piano": piano.pk})
    return adesione


def ritira_adesione(adesione, *, by):
    """The organisation withdraws its request (or its accepted adhesion) before signature."""
    with transaction.atomic():
        piano = Piano.objects.select_for_update().get(pk=adesione.piano_id)
        adesione = Adesione.objects.select_for_update().get(pk=adesione.pk)
        if adesione.stato not in ATTIVE:
            raise OperazioneNonValida(_("Only pending or accepted adhesions can be withdrawn."))
        _controlla_aperte(piano)
        precedente = adesione.stato
        adesione.stato = Adesione.Stato.RITIRATA
        adesione.save(update_fields=["stato"])
        log_action(adesione, "adesione.ritirata", user=by, data={"da": precedente})
        if precedente == Adesione.Stato.ACCOLTA:
            _aggiorna_aderenti(piano)
    return adesione


def decidi_adesione(adesione, *, accolta, motivazione="", by):
    """The staff accept or refuse a request (a refusal needs a reason); the organisation's
    referenti are told by e-mail."""
    motivazione = motivazione.strip()
    with transaction.atomic():
        piano = Piano.objects.select_for_update().get(pk=adesione.piano_id)
        adesione = Adesione.objects.select_for_update().get(pk=adesione.pk)
        if adesione.stato != Adesione.Stato.RICHIESTA:
            raise OperazioneNonValida(
                _("This adhesion is “%(stato)s”: only pending requests are decided.")
                % {"stato": adesione.get_stato_display()}
            )
        _controlla_aperte(piano)
        if not accolta and not motivazione:
            raise OperazioneNonValida(_("Write the reason: the organisation will read it."))
        adesione.stato = Adesione.Stato.ACCOLTA if accolta else Adesione.Stato.RESPINTA
        adesione.motivazione = motivazione
        adesione.decisa_da = by
        adesione.decisa_at = timezone.now()
        adesione.save(update_fields=["stato", "motivazione", "decisa_da", "decisa_at"])
        log_action(
            adesione, f"adesione.{adesione.stato}", user=by, data={"motivazione": motivazione}
        )
        if accolta:
            _aggiorna_aderenti(piano)
        _notifica_esito(adesione)
    return adesione


def _notifica_esito(adesione):
    to = list(
        adesione.organizzazione.referenti.attivi()
        .select_related("user")
        .values_list("user__email", flat=True)
    )
    if to:
        emails.send(
            "piani/adesione_esito",
            to,
            {
                "adesione": adesione,
                "piano": adesione.piano,
                "ambito": adesione.piano.ambito,
                "link": emails.absolute_url(reverse("piani:adesione", args=[adesione.piano_id])),
            },
        )


# --- the accordo: preparation and texts ------------------------------------------------------


def testi_predefiniti(piano):
    """Default texts of a new accordo (Italian: they are the document's content)."""
    ambito = piano.ambito
    contesto = {
        "piano": piano,
        "ambito": ambito,
        "capofila": ambito.ente_capofila.denominazione if ambito.ente_capofila_id else "",
    }
    with translation.override("it"):
        return {
            nome: render_to_string(f"piani/accordo/predefiniti/{nome}.md", contesto).strip()
            for nome in TESTI
        }


def righe_firmatari(piano):
    """The table of signatories as it should be now: the ente capofila, every comune in force
    of the ambito (signer: its mayor), the ambito's ATS/ASL and ASST — all institutional — and
    the organisations whose adhesion was accepted. A list of unsaved ``Firmatario``."""
    ambito = piano.ambito
    if ambito.ente_capofila_id is None:
        raise OperazioneNonValida(
            _("The ambito has no ente capofila: set it in the ambito's details first.")
        )
    sindaci = {}
    for ruolo in (
        Ruolo.objects.attivi()
        .filter(ambito=ambito, tipo=Ruolo.Tipo.SINDACO, ente__isnull=False)
        .select_related("user")
        .order_by("valido_dal", "pk")
    ):
        sindaci.setdefault(ruolo.ente_id, ruolo.user.full_name)

    righe, visti = [], set()

    def aggiungi(ente, tipo, nome="", qualifica=""):
        if ente.pk in visti:
            return
        visti.add(ente.pk)
        righe.append(Firmatario(ente=ente, tipo=tipo, nome=nome, qualifica=qualifica))

    capofila = ambito.ente_capofila
    if capofila.tipo == Ente.Tipo.COMUNE:
        aggiungi(capofila, Firmatario.Tipo.ISTITUZIONALE, sindaci.get(capofila.pk, ""), "Sindaco")
    else:
        aggiungi(capofila, Firmatario.Tipo.ISTITUZIONALE, "", "Legale rappresentante")
    comuni = [a.comune for a in ambito.appartenenze.in_vigore().select_related("comune")]
    enti_comuni = {e.comune_id: e for e in Ente.objects.filter(comune__in=comuni)}
    for comune in sorted(comuni, key=lambda c: c.nome):
        ente = enti_comuni.get(comune.pk) or _ente_del_comune(comune, ambito)
        aggiungi(ente, Firmatario.Tipo.ISTITUZIONALE, sindaci.get(ente.pk, ""), "Sindaco")
    sanitari = Ente.objects.of_ambito(ambito).filter(
        tipo__in=[Ente.Tipo.ATS_ASL, Ente.Tipo.ASST], attivo=True
    )
    for tipo in (Ente.Tipo.ATS_ASL, Ente.Tipo.ASST):
        for ente in sorted((e for e in sanitari if e.tipo == tipo), key=lambda e: e.denominazione):
            aggiungi(ente, Firmatario.Tipo.ISTITUZIONALE, "", "Direttore Generale")
    for adesione in _adesioni_accolte(piano):
        aggiungi(
            adesione.organizzazione.ente,
            Firmatario.Tipo.ADERENTE,
            adesione.firmatario_nome,
            adesione.firmatario_qualifica,
        )
    for ordine, riga in enumerate(righe):
        riga.ordine = ordine
    return righe


def _adesioni_accolte(piano):
    return (
        piano.adesioni.filter(stato=Adesione.Stato.ACCOLTA)
        .select_related("organizzazione__ente")
        .order_by("organizzazione__ente__denominazione", "pk")
    )


def _ente_del_comune(comune, ambito):
    """A comune of the ambito without its party yet: the accordo needs one to sign."""
    ente = Ente.objects.create(
        tipo=Ente.Tipo.COMUNE, denominazione=f"Comune di {comune.nome}", comune=comune
    )
    ente.ambiti.add(ambito)
    log_action(ente, "ente.creato", data={"perche": "accordo di programma"})
    return ente


def prepara_accordo(piano, *, by, **testi):
    """Create the accordo on the approved version, with its table of signatories."""
    with transaction.atomic():
        piano = Piano.objects.select_for_update().select_related("ambito").get(pk=piano.pk)
        if piano.stato != Piano.Stato.APPROVATO or piano.versione_approvata_id is None:
            raise OperazioneNonValida(_("The accordo is prepared once the plan is approved."))
        if Accordo.objects.filter(piano=piano).exists():
            raise OperazioneNonValida(_("The accordo of this plan has already been prepared."))
        predefiniti = testi_predefiniti(piano)
        accordo = Accordo.objects.create(
            piano=piano,
            versione_id=piano.versione_approvata_id,
            created_by=by,
            **{nome: (testi.get(nome) or predefiniti[nome]).strip() for nome in TESTI},
        )
        righe = righe_firmatari(piano)
        for riga in righe:
            riga.accordo = accordo
        Firmatario.objects.bulk_create(righe)
        log_action(
            accordo,
            "accordo.preparato",
            user=by,
            data={"versione": piano.versione_approvata_id, "firmatari": len(righe)},
        )
    return accordo


def modifica_testi(accordo, *, by, **testi):
    """Change the texts of an accordo still being prepared."""
    with transaction.atomic():
        accordo = Accordo.objects.select_for_update().get(pk=accordo.pk)
        if accordo.stato != Accordo.Stato.BOZZA:
            raise OperazioneNonValida(
                _("The accordo is in signature: its texts can no longer change.")
            )
        cambiati = [n for n in TESTI if n in testi and testi[n].strip() != getattr(accordo, n)]
        for nome in cambiati:
            setattr(accordo, nome, testi[nome].strip())
        if cambiati:
            accordo.save(update_fields=[*cambiati, "updated_at"])
            log_action(accordo, "accordo.testi", user=by, data={"campi": cambiati})
    return accordo


def _aggiorna_aderenti(piano):
    """Keep the adherents of an accordo being prepared in step with the accepted adhesions
    (called inside the caller's transaction, with the plan locked)."""
    accordo = Accordo.objects.filter(piano=piano, stato=Accordo.Stato.BOZZA).first()
    if accordo is None:
        return
    accolte = {a.organizzazione.ente_id: a for a in _adesioni_accolte(piano)}
    aderenti = accordo.firmatari.filter(tipo=Firmatario.Tipo.ADERENTE)
    # An unsigned row of a draft is derived data: it goes with the adhesion it came from.
    aderenti.exclude(ente_id__in=accolte).delete()
    presenti = set(aderenti.values_list("ente_id", flat=True))
    Firmatario.objects.bulk_create(
        Firmatario(
            accordo=accordo,
            ente_id=ente_id,
            tipo=Firmatario.Tipo.ADERENTE,
            nome=a.firmatario_nome,
            qualifica=a.firmatario_qualifica,
        )
        for ente_id, a in accolte.items()
        if ente_id not in presenti
    )
    primo = accordo.firmatari.filter(tipo=Firmatario.Tipo.ISTITUZIONALE).count()
    righe = list(aderenti.select_related("ente").order_by("ente__denominazione", "pk"))
    for n, riga in enumerate(righe):
        riga.ordine = primo + n
    Firmatario.objects.bulk_update(righe, ["ordine"])


# --- the PDF --------------------------------------------------------------------------------


def pdf_aggiornato(accordo):
    """The stored PDF was rendered from the accordo as it is now."""
    from piani.documenti import sorgente_accordo

    return bool(accordo.pdf) and accordo.sorgente_sha256 == sorgente_accordo(accordo)[1]


def richiedi_pdf(accordo, *, by):
    """Queue the rendering of the PDF; False (and nothing queued) when it is up to date."""
    from piani import tasks

    with transaction.atomic():
        accordo = Accordo.objects.select_for_update().get(pk=accordo.pk)
        if accordo.stato != Accordo.Stato.BOZZA:
            raise OperazioneNonValida(
                _("The accordo is in signature: its PDF is the one being signed.")
            )
        recente = timezone.now() - timedelta(minutes=10)
        if accordo.in_generazione and accordo.generazione_richiesta_at > recente:
            return True  # already queued (a request lost with a dead worker is queued again)
        if pdf_aggiornato(accordo):
            return False
        accordo.generazione_richiesta_at = timezone.now()
        accordo.errore = ""
        accordo.save(update_fields=["generazione_richiesta_at", "errore", "updated_at"])
        log_action(accordo, "accordo.pdf_richiesto", user=by)
        transaction.on_commit(lambda: tasks.genera_pdf_accordo.delay(accordo.pk))
    return True


# --- signature, act, publication ------------------------------------------------------------


def metti_in_firma(accordo, *, by):
    """Bozza → in signature: the PDF people sign must be rendered from the current texts."""
    with transaction.atomic():
        accordo = Accordo.objects.select_for_update().get(pk=accordo.pk)
        if accordo.stato != Accordo.Stato.BOZZA:
            raise OperazioneNonValida(_("Only an accordo being prepared can go to signature."))
        if accordo.in_generazione:
            raise OperazioneNonValida(_("Wait until the PDF has been generated."))
        if not pdf_aggiornato(accordo):
            raise OperazioneNonValida(
                _("Generate the PDF first: the signatories sign the current text.")
            )
        accordo.stato = Accordo.Stato.IN_FIRMA
        accordo.save(update_fields=["stato", "updated_at"])
        log_action(accordo, "accordo.in_firma", user=by, data={"sha256": accordo.sha256})
    return accordo


def carica_copia(firmatario, *, file, firmato_il, by, nome=None, qualifica=None):
    """Store one signatory's signed copy (a validated PDF). When every institutional party
    has signed, the accordo is signed, on the date of the latest signature."""
    with transaction.atomic():
        accordo = Accordo.objects.select_for_update().get(pk=firmatario.accordo_id)
        firmatario = Firmatario.objects.select_for_update().get(pk=firmatario.pk)
        if accordo.stato not in (Accordo.Stato.IN_FIRMA, Accordo.Stato.FIRMATO):
            raise OperazioneNonValida(
                _("Signed copies are uploaded while the accordo is in signature.")
            )
        if accordo.stato == Accordo.Stato.FIRMATO and firmatario.firmato:
            raise OperazioneNonValida(_("The accordo is signed: its signed copies are final."))
        if firmato_il > timezone.localdate():
            raise OperazioneNonValida(_("The date of signature cannot be in the future."))
        contenuto = file.read()
        precedente = firmatario.copia_sha256
        firmatario.copia_sha256 = hashlib.sha256(contenuto).hexdigest()
        # A replaced copy stays in storage; the log keeps the hash of both.
        firmatario.copia_firmata.save(
            f"accordo-{accordo.pk}-firmatario-{firmatario.pk}.pdf",
            ContentFile(contenuto),
            save=False,
        )
        firmatario.firmato_il = firmato_il
        if nome is not None:
            firmatario.nome = nome.strip()
        if qualifica is not None:
            firmatario.qualifica = qualifica.strip()
        firmatario.caricata_da = by
        firmatario.caricata_at = timezone.now()
        firmatario.save()
        log_action(
            accordo,
            "accordo.copia_firmata",
            user=by,
            data={
                "firmatario": firmatario.pk,
                "ente": firmatario.ente_id,
                "sha256": firmatario.copia_sha256,
                "sostituisce": precedente,
                "firmato_il": firmato_il.isoformat(),
            },
        )
        if accordo.stato == Accordo.Stato.IN_FIRMA:
            istituzionali = accordo.firmatari.filter(tipo=Firmatario.Tipo.ISTITUZIONALE)
            if not istituzionali.filter(copia_firmata="").exists():
                accordo.stato = Accordo.Stato.FIRMATO
                accordo.firmato_il = max(istituzionali.values_list("firmato_il", flat=True))
                accordo.save(update_fields=["stato", "firmato_il", "updated_at"])
                log_action(
                    accordo,
                    "accordo.firmato",
                    user=by,
                    data={"firmato_il": accordo.firmato_il.isoformat()},
                )
    return firmatario


def registra_atto(accordo, *, numero, data, by):
    """Signed → approved by the promoter's formal act (number and date)."""
    with transaction.atomic():
        accordo = Accordo.objects.select_for_update().get(pk=accordo.pk)
        if accordo.stato != Accordo.Stato.FIRMATO:
            raise OperazioneNonValida(
                _("The approving act is recorded once every institutional party has signed.")
            )
        if not numero.strip():
            raise OperazioneNonValida(_("Write the number of the act."))
        if data < accordo.firmato_il:
            raise OperazioneNonValida(
                _("The act cannot come before the accordo was signed (%(data)s).")
                % {"data": accordo.firmato_il.strftime("%d/%m/%Y")}
            )
        if data > timezone.localdate():
            raise OperazioneNonValida(_("The date of the act cannot be in the future."))
        accordo.stato = Accordo.Stato.APPROVATO
        accordo.atto_numero = numero.strip()
        accordo.atto_data = data
        accordo.save(update_fields=["stato", "atto_numero", "atto_data", "updated_at"])
        log_action(
            accordo,
            "accordo.approvato",
            user=by,
            data={"numero": accordo.atto_numero, "data": data.isoformat()},
        )
    return accordo


def registra_pubblicazione(accordo, *, riferimento, data, by):
    """Approved → published in the BUR; the plan becomes public if it was not yet."""
    with transaction.atomic():
        accordo = Accordo.objects.select_for_update().get(pk=accordo.pk)
        if accordo.stato != Accordo.Stato.APPROVATO:
            raise OperazioneNonValida(
                _("The BUR publication is recorded once the accordo has been approved.")
            )
        if not riferimento.strip():
            raise OperazioneNonValida(_("Write the BUR reference."))
        if data < accordo.atto_data:
            raise OperazioneNonValida(
                _("The publication cannot come before the approving act (%(data)s).")
                % {"data": accordo.atto_data.strftime("%d/%m/%Y")}
            )
        if data > timezone.localdate():
            raise OperazioneNonValida(_("The date of publication cannot be in the future."))
        accordo.stato = Accordo.Stato.PUBBLICATO
        accordo.bur_riferimento = riferimento.strip()
        accordo.bur_data = data
        accordo.save(update_fields=["stato", "bur_riferimento", "bur_data", "updated_at"])
        log_action(
            accordo,
            "accordo.pubblicato",
            user=by,
            data={"riferimento": accordo.bur_riferimento, "data": data.isoformat()},
        )
        piano = Piano.objects.select_for_update().get(pk=accordo.piano_id)
        if piano.pubblicato_at is None:
            piano.pubblicato_at = timezone.now()
            piano.save(update_fields=["pubblicato_at", "updated_at"])
            log_action(piano, "piano.pubblicato", user=by, data={"con": "accordo.bur"})
    return accordo

"""The plan's PDFs: each frozen version's document and the accordo di programma."""

import hashlib
import logging
from collections import Counter
from itertools import zip_longest

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from pdz.pdf import render_pdf_pages
from piani import budget
from piani.models import Accordo, Adesione, sha256_json

logger = logging.getLogger(__name__)


def pdf_versione(versione):
    """Render the version's document; a version never changes, so once is enough."""
    with translation.override("it"):
        pdf, pagine = render_pdf_pages("pdf/piani/piano.html", contesto_versione(versione))
    versione.pdf.save(
        f"piano-{versione.piano.ambito.codice}-{versione.piano.triennio}-v{versione.numero}.pdf",
        ContentFile(pdf),
        save=False,
    )
    versione.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    versione.pdf_pagine = pagine
    versione.save(update_fields=["pdf", "pdf_sha256", "pdf_pagine"])
    return versione


def contesto_versione(versione):
    """What ``pdf/piani/piano.html`` shows: the frozen content and its summary tables."""
    c = versione.contenuto
    piano = versione.piano
    anni = list(range(c["piano"]["anno_inizio"], c["piano"]["anno_fine"] + 1))
    voci = c["budget"]
    etichette = {o["codice"]: f"{o['codice']} – {o['titolo']}" for o in c["obiettivi"]}
    ordine = {e: n for n, e in enumerate(etichette.values())}
    nome_ambito, del_ambito = nomi_ambito(c["piano"]["ambito"])
    return {
        "nome_ambito": nome_ambito,
        "del_ambito": del_ambito,
        "versione": versione,
        "data_versione": timezone.localtime(versione.created_at).date(),
        "piano": piano,
        "ambito": piano.ambito,
        "c": c,
        "anni": anni,
        "approvata": piano.versione_approvata_id == versione.pk,
        "per_fonte": budget.tabella_fonti(voci, anni),
        "per_area": budget.tabella(voci, "area_utenza", "anno", colonne=anni),
        "per_obiettivo": budget.tabella(
            [{**v, "obiettivo": _etichetta(etichette, v["obiettivo"])} for v in voci],
            "obiettivo",
            "anno",
            colonne=anni,
            ordine_righe=lambda e: (ordine.get(e, len(ordine)), e),
        ),
        "totali": budget.totali(voci),
    }


NON_ATTRIBUITE = "Spese non attribuite a un obiettivo"


def _etichetta(etichette, codice):
    return etichette.get(codice, codice or NON_ATTRIBUITE)


def nomi_ambito(nome):
    """("Ambito Oglio Po", "dell'Ambito Oglio Po") from the ambito's name, with or without
    the word "Ambito" in it."""
    pieno = nome if nome.lower().startswith(("ambito", "distretto")) else f"Ambito {nome}"
    articolo = "del " if pieno.lower().startswith("distretto") else "dell'"
    return pieno, articolo + pieno


# --- the accordo di programma -----------------------------------------------------------------


def sorgente_accordo(accordo):
    """(source, its SHA-256): everything the accordo's PDF shows, as plain data. The PDF is
    rendered again only when this changes."""
    piano = accordo.piano
    ambito = piano.ambito
    versione = accordo.versione
    c = versione.contenuto
    with translation.override("it"):
        comuni = [
            {
                "nome": a.comune.nome,
                "provincia": a.comune.provincia,
                "popolazione": a.popolazione,
                "popolazione_al": a.popolazione_al,
            }
            for a in ambito.appartenenze.in_vigore()
            .with_popolazione()
            .select_related("comune")
            .order_by("comune__nome")
        ]
        firmatari = [
            {
                "ente": f.ente.denominazione,
                "ente_tipo": f.ente.tipo,
                "codice_fiscale": f.ente.codice_fiscale,
                "tipo": f.tipo,
                "nome": f.nome,
                "qualifica": f.qualifica,
            }
            for f in accordo.firmatari.select_related("ente").order_by("ordine", "pk")
        ]
        adesioni = [
            {
                "organizzazione": a.organizzazione.ente.denominazione,
                "forma_giuridica": a.organizzazione.get_forma_giuridica_display(),
                "codice_fiscale": a.organizzazione.ente.codice_fiscale,
                "sede": a.organizzazione.ente.sede.nome if a.organizzazione.ente.sede else "",
                "impegni": a.impegni,
                "firmatario_nome": a.firmatario_nome,
                "firmatario_qualifica": a.firmatario_qualifica,
            }
            for a in piano.adesioni.filter(stato=Adesione.Stato.ACCOLTA)
            .select_related("organizzazione__ente__sede")
            .order_by("organizzazione__ente__denominazione", "pk")
        ]
        sorgente = {
            "ambito": {
                "nome": ambito.nome,
                "codice": ambito.codice,
                "regione": ambito.get_regione_display(),
                "capofila": ambito.ente_capofila.denominazione if ambito.ente_capofila else "",
                "indirizzo_ufficio": ambito.indirizzo_ufficio,
            },
            "piano": {
                "titolo": piano.titolo,
                "anno_inizio": piano.anno_inizio,
                "anno_fine": piano.anno_fine,
                "approvato_il": piano.approvato_il,
            },
            "votazione": _votazione(piano.votazione),
            "versione": {"numero": versione.numero, "sha256": versione.sha256},
            "contenuto": {
                "quota_pro_capite": c["piano"].get("quota_pro_capite"),
                "obiettivi": [
                    {
                        "codice": o["codice"],
                        "titolo": o["titolo"],
                        "area_policy": o["area_policy"],
                        "aree_utenza": o["aree_utenza"],
                    }
                    for o in c["obiettivi"]
                ],
                "budget": c["budget"],
            },
            "testi": {
                "premesse": accordo.premesse,
                "impegni": accordo.impegni,
                "governance": accordo.governance,
                "durata": accordo.durata,
            },
            "firmatari": firmatari,
            "adesioni": adesioni,
            "comuni": comuni,
        }
    return sorgente, sha256_json(sorgente)


def _votazione(votazione):
    if votazione is None:
        return None
    risultato = votazione.risultato or {}
    quando = votazione.chiusa_at or votazione.created_at

    def conta(chiave):
        return risultato.get(chiave) or {"teste": 0, "peso": 0}

    return {
        "organo": votazione.tavolo.nome,
        "data": timezone.localtime(quando).date(),
        "oggetto": votazione.oggetto,
        "esito": votazione.esito,
        "ponderata": (votazione.regola or {}).get("peso") in ("popolazione", "doppia"),
        "regola": (votazione.regola or {}).get("nome", ""),
        "componenti": conta("componenti"),
        "presenti": conta("presenti"),
        "favorevoli": conta("favorevoli"),
        "contrari": conta("contrari"),
        "astenuti": conta("astenuti"),
    }


def contesto_accordo(sorgente):
    """The template's context: the source and the tables computed from it."""
    anni = list(range(sorgente["piano"]["anno_inizio"], sorgente["piano"]["anno_fine"] + 1))
    voci = sorgente["contenuto"]["budget"]
    quota = sorgente["contenuto"]["quota_pro_capite"]
    quote = None
    if quota not in (None, ""):
        quote = budget.quote_comunali(
            [(c["nome"], c["popolazione"]) for c in sorgente["comuni"]], quota
        )
    firmatari = sorgente["firmatari"]
    nome_ambito, del_ambito = nomi_ambito(sorgente["ambito"]["nome"])
    comuni = sorgente["comuni"]
    date = Counter(c["popolazione_al"] for c in comuni if c["popolazione_al"])
    meta = (len(comuni) + 1) // 2
    return {
        **sorgente,
        "nome_ambito": nome_ambito,
        "del_ambito": del_ambito,
        "anni": anni,
        "risorse": budget.tabella_fonti(voci, anni),
        "per_tipo": budget.tabella(
            [{**v, "tipo": TIPI_FONTE.get(v.get("fonte_tipo"), "Altre fonti")} for v in voci],
            "tipo",
            "anno",
            colonne=anni,
            ordine_righe=lambda t: (
                list(TIPI_FONTE.values()).index(t) if t in TIPI_FONTE.values() else 99
            ),
        ),
        "quota": budget.euro(quota) if quote is not None else None,
        "quote": quote,
        "totale_quote": sum((q.importo for q in quote), budget.euro(0)) if quote else None,
        "comuni_affiancati": list(zip_longest(comuni[:meta], comuni[meta:])),
        "data_popolazione": date.most_common(1)[0][0] if date else None,
        "popolazione_totale": sum(c["popolazione"] or 0 for c in sorgente["comuni"]),
        "istituzionali": [f for f in firmatari if f["tipo"] == "istituzionale"],
        "aderenti": [f for f in firmatari if f["tipo"] == "aderente"],
        "capofila": firmatari[0] if firmatari else None,
        "sanitari": [f for f in firmatari if f["ente_tipo"] in ("ats_asl", "asst")],
    }


TIPI_FONTE = {
    "statale": "Fondi statali",
    "europea": "Fondi europei (PNRR)",
    "regionale": "Fondi regionali",
    "comunale": "Risorse comunali",
    "sanitaria": "Risorse sanitarie (ATS/ASST)",
    "utenti": "Compartecipazione degli utenti",
    "privata": "Risorse private",
}


def pdf_accordo(accordo):
    """Render the accordo's PDF unless the stored one comes from the same source.

    Returns True when it rendered. Safe to run twice: the second run finds the hash equal."""
    inizio = timezone.now()
    accordo = Accordo.objects.select_related(
        "versione", "piano__ambito__ente_capofila", "piano__votazione__tavolo"
    ).get(pk=accordo.pk)
    sorgente, sha = sorgente_accordo(accordo)
    # Once in signature the PDF is the document being signed: it never changes again.
    if accordo.pdf and (accordo.sorgente_sha256 == sha or accordo.stato != Accordo.Stato.BOZZA):
        # Nothing to do: the request is served by the PDF already there.
        Accordo.objects.filter(pk=accordo.pk, generazione_richiesta_at__lte=inizio).update(
            generazione_richiesta_at=None
        )
        return False
    try:
        with translation.override("it"):
            pdf, pagine = render_pdf_pages("pdf/piani/accordo.html", contesto_accordo(sorgente))
    except Exception as error:
        logger.exception("accordo %s: PDF rendering failed", accordo.pk)
        Accordo.objects.filter(pk=accordo.pk).update(
            errore=f"{type(error).__name__}: {error}"[:2000], generazione_richiesta_at=None
        )
        return False
    with transaction.atomic():
        accordo = Accordo.objects.select_for_update().get(pk=accordo.pk)
        accordo.pdf.save(
            f"accordo-{accordo.piano.ambito.codice}-{accordo.piano.triennio}.pdf",
            ContentFile(pdf),
            save=False,
        )
        accordo.sha256 = hashlib.sha256(pdf).hexdigest()
        accordo.pdf_pagine = pagine
        accordo.sorgente_sha256 = sha
        accordo.generato_at = timezone.now()
        accordo.errore = ""
        accordo.save(
            update_fields=[
                "pdf", "sha256", "pdf_pagine", "sorgente_sha256", "generato_at", "errore",
                "updated_at",
            ]
        )  # fmt: skip
    return True

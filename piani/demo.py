"""The demo Piano di Zona 2025-2027 of the Oglio Po ambito, through the whole cycle: the
document, eight objectives with actions and indicators, the budget, a closed consultation
with answered comments, the approval by the Assemblea dei Sindaci (population-weighted show
of hands) and its publication, the adhesions of the admitted organisations and the accordo
di programma in signature, with its PDF and the first signed copies.

Runs after the tavoli seed (the Assemblea and the tables). Dates are relative to the day of
the seed."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ambiti.models import Ambito, AreaUtenza, Ente
from pdz.demo import persona
from pdz.models import User
from piani import demo_testi as testi
from piani import tasks
from piani.models import (
    Azione,
    Consultazione,
    Fase,
    FonteFinanziamento,
    Indicatore,
    Leps,
    Misurazione,
    Obiettivo,
    Osservazione,
    Piano,
    VoceBudget,
)
from piani.services import accordo as servizi_accordo
from piani.services import approvazione, consultazione
from piani.services.documento import crea_piano, pubblica_piano
from tavoli import services as servizi_tavoli
from tavoli.demo import ASSEMBLEA
from tavoli.models import AreaPolicy, Tavolo, Votazione
from terzo_settore.models import Avviso, Domanda

ANNO = 2025


def seed(stdout):
    ambito = Ambito.objects.get(codice="oglio-po")
    staff = User.objects.get(email="ufficio.piano@example.org")
    if Piano.objects.filter(ambito=ambito, anno_inizio=ANNO).exists():
        stdout.write("Demo plan: already there")
        return
    piano = crea_piano(ambito=ambito, anno_inizio=ANNO, titolo="Piano di Zona 2025-2027", by=staff)
    for lettera, testo in testi.SEZIONI.items():
        piano.sezioni.filter(lettera=lettera).update(testo=testo.strip(), updated_by=staff)
    _fasi(piano)
    obiettivi = _obiettivi(piano, staff)
    _budget(piano, obiettivi)
    _consultazione(piano, staff)
    _approvazione(piano, staff)
    _accordo(piano, staff)
    stdout.write(
        f"Demo plan: {piano.titolo}, {len(obiettivi)} objectives, "
        f"{piano.voci_budget.count()} budget lines, approved and published, accordo in signature"
    )


def _fasi(piano):
    oggi = timezone.localdate()
    tavoli = list(Tavolo.objects.filter(ambito=piano.ambito))
    avvisi = list(Avviso.objects.filter(ambito=piano.ambito))
    chi = {
        1: "Assemblea dei Sindaci",
        2: "Ufficio di Piano",
        3: "Assemblea dei Sindaci",
        4: "Ufficio di Piano e tavoli tematici",
        5: "Assemblea dei Sindaci",
        6: "Tavoli tematici",
        7: "Ufficio di Piano e Terzo settore",
        8: "Ufficio di Piano",
        9: "Assemblea dei Sindaci",
    }
    for fase in piano.fasi.all():
        inizio = oggi - datetime.timedelta(days=300 - 30 * fase.numero)
        fase.inizio = inizio
        fase.fine = inizio + datetime.timedelta(days=28)
        fase.responsabile = chi[fase.numero]
        fase.completata_il = fase.fine if fase.numero < 9 else None
        fase.save()
        if fase.numero in (1, 3, 5, 9):
            fase.tavoli.set([t for t in tavoli if t.tipo == Tavolo.Tipo.ASSEMBLEA_SINDACI])
        elif fase.numero == 6:
            fase.tavoli.set([t for t in tavoli if t.tipo != Tavolo.Tipo.ASSEMBLEA_SINDACI])
        elif fase.numero == 7:
            fase.avvisi.set(avvisi)
    Fase.objects.filter(piano=piano, numero=9).update(
        note="Approvazione del Piano e sottoscrizione dell'accordo di programma."
    )


def _obiettivi(piano, staff):
    ambito = piano.ambito
    aree = {a.nome: a for a in AreaUtenza.objects.per_ambito(ambito)}
    policy = {a.nome: a for a in AreaPolicy.objects.per_ambito(ambito)}
    leps = {x.nome: x for x in Leps.objects.per_ambito(ambito)}
    enti = {e.denominazione: e for e in Ente.objects.of_ambito(ambito)}
    tavoli = list(
        Tavolo.objects.filter(ambito=ambito)
        .exclude(nome=ASSEMBLEA)
        .prefetch_related("aree_utenza")
        .order_by("nome")
    )
    obiettivi = {}
    for ordine, dati in enumerate(testi.OBIETTIVI, start=1):
        codice, titolo, area, gruppi, nomi_leps, responsabile, bisogno, risultati = dati[:8]
        azioni, indicatori = dati[8], dati[9]
        obiettivo = Obiettivo.objects.create(
            piano=piano,
            codice=codice,
            titolo=titolo,
            area_policy=policy.get(area),
            bisogno=bisogno,
            risultati_attesi=risultati,
            responsabile=responsabile,
            anno_da=piano.anno_inizio,
            anno_a=piano.anno_fine,
            ordine=ordine,
        )
        obiettivo.aree_utenza.set([aree[g] for g in gruppi])
        obiettivo.leps.set([leps[n] for n in nomi_leps])
        obiettivo.enti.set(
            [e for nome, e in enti.items() if nome.startswith(("ATS", "ASST"))][: 1 + ordine % 2]
        )
        # the thematic table of the objective's target groups
        tavolo = next(
            (t for t in tavoli if {a.nome for a in t.aree_utenza.all()} & set(gruppi)),
            tavoli[0] if tavoli else None,
        )
        obiettivo.tavoli.set([tavolo] if tavolo else [])
        for posizione, (scarto, titolo_azione) in enumerate(azioni):
            Azione.objects.create(
                obiettivo=obiettivo,
                anno=piano.anno_inizio + scarto,
                titolo=titolo_azione,
                responsabile=responsabile,
                tavolo=tavolo,
                ordine=posizione,
            )
        for posizione, (nome, tipo, unita, base, target, misura) in enumerate(indicatori):
            indicatore = Indicatore.objects.create(
                obiettivo=obiettivo,
                nome=nome,
                tipo=tipo,
                unita=unita,
                baseline=Decimal(base),
                target=Decimal(target),
                ordine=posizione,
            )
            Misurazione.objects.create(
                indicatore=indicatore,
                anno=piano.anno_inizio,
                valore=Decimal(misura),
                registrata_da=staff,
            )
            # the second year, measured halfway between the first year and the target
            Misurazione.objects.create(
                indicatore=indicatore,
                anno=piano.anno_inizio + 1,
                valore=((Decimal(misura) + Decimal(target)) / 2).quantize(Decimal("0.01")),
                note="Dato provvisorio al 30 settembre",
                registrata_da=staff,
            )
        obiettivi[codice] = obiettivo
    return obiettivi


def _budget(piano, obiettivi):
    fonti = {f.codice: f for f in FonteFinanziamento.objects.per_ambito(piano.ambito)}
    voci = []
    for anno in piano.anni:
        crescita = Decimal(1) + Decimal("0.02") * (anno - piano.anno_inizio)
        for codice, (importo, quote, tipo) in testi.BUDGET.items():
            totale = (Decimal(importo) * crescita).quantize(Decimal("0.01"))
            assegnato = Decimal(0)
            for posizione, (obiettivo, percentuale) in enumerate(quote):
                parte = (
                    totale - assegnato
                    if posizione == len(quote) - 1
                    else (totale * percentuale / 100).quantize(Decimal("0.01"))
                )
                assegnato += parte
                impegnato, speso = _avanzamento(parte, anno)
                voci.append(
                    VoceBudget(
                        piano=piano,
                        anno=anno,
                        fonte=fonti[codice],
                        obiettivo=obiettivi[obiettivo],
                        tipo_spesa=tipo,
                        descrizione=f"{fonti[codice].nome} — {obiettivi[obiettivo].titolo}",
                        previsto=parte,
                        impegnato=impegnato,
                        speso=speso,
                    )
                )
    VoceBudget.objects.bulk_create(voci)
    piano.quota_pro_capite = Decimal(testi.QUOTA_PRO_CAPITE)
    piano.save(update_fields=["quota_pro_capite"])
    from piani.services import budget

    staff = piano.created_by
    for anno in piano.anni:
        budget.scrivi_quote(piano, anno, by=staff)


def _avanzamento(previsto, anno):
    """(committed, spent) of a line: a past year is closed, the current one under way."""
    oggi = timezone.localdate().year
    if anno < oggi:
        return previsto, (previsto * 97 / 100).quantize(Decimal("0.01"))
    if anno == oggi:
        return (previsto * 8 / 10).quantize(Decimal("0.01")), (previsto * 55 / 100).quantize(
            Decimal("0.01")
        )
    return Decimal(0), Decimal(0)


def _consultazione(piano, staff):
    adesso = timezone.now()
    aperta = consultazione.apri_consultazione(
        piano,
        apre_at=adesso - datetime.timedelta(days=1),
        chiude_at=adesso + datetime.timedelta(days=14),
        istruzioni=(
            "Potete commentare ogni sezione della bozza del Piano. L'Ufficio di Piano risponderà "
            "a ogni osservazione e ne darà conto nel rapporto della consultazione."
        ),
        by=staff,
    )
    membri = {
        m.ente.denominazione: m
        for t in Tavolo.objects.filter(ambito=piano.ambito)
        for m in t.membri.attivi().select_related("ente")
    }
    ammesse = {
        d.organizzazione.ente.denominazione: d
        for d in Domanda.objects.filter(
            ambito=piano.ambito, stato=Domanda.Stato.AMMESSA
        ).select_related("organizzazione__ente", "created_by")
    }
    for sezione, nome_ente, testo, esito, risposta in testi.OSSERVAZIONI:
        if nome_ente in ammesse:
            autore, ente = ammesse[nome_ente].created_by, ammesse[nome_ente].organizzazione.ente
        elif nome_ente in membri:
            membro = membri[nome_ente]
            autore = persona(membro.delegato_email, membro.delegato_nome)
            ente = membro.ente
        else:
            continue
        osservazione = consultazione.osserva(
            aperta, by=autore, sezione=sezione, ente=ente, testo=testo
        )
        consultazione.rispondi(osservazione, risposta=risposta, esito=esito, by=staff)
    consultazione.chiudi_consultazione(aperta, by=staff)
    # as if it had run a month and a half ago, for two weeks
    inizio = adesso - datetime.timedelta(days=45)
    Consultazione.objects.filter(pk=aperta.pk).update(
        apre_at=inizio, chiude_at=inizio + datetime.timedelta(days=14)
    )
    Osservazione.objects.filter(consultazione=aperta).update(
        created_at=inizio + datetime.timedelta(days=5),
        risposta_at=inizio + datetime.timedelta(days=20),
    )
    piano.sezioni.filter(lettera="a").update(  # an accepted comment, taken in
        testo=testi.SEZIONI["a"]
        .strip()
        .replace(
            "| Punto unico di accesso | Casalmaggiore, Viadana | 27 |",
            "| Punto unico di accesso (lun-ven 9-13) | Casalmaggiore, Viadana | 27 |",
        )
    )


def _approvazione(piano, staff):
    assemblea = Tavolo.objects.get(ambito=piano.ambito, nome=ASSEMBLEA)
    votazione = approvazione.metti_ai_voti(
        piano, tavolo=assemblea, modalita=Votazione.Modalita.PALESE, by=staff
    )
    membri = list(assemblea.membri.attivi().filter(diritto_voto=True).order_by("pk"))
    scelte = {  # every seventh mayor absent, one against, one abstaining
        m.pk: ("contrario" if i == 5 else "astenuto" if i == 9 else "favorevole")
        for i, m in enumerate(membri)
        if i % 7 != 6
    }
    servizi_tavoli.registra_voto_palese(votazione, scelte, by=staff)
    approvazione.registra_esito(piano, by=staff)
    pubblica_piano(piano, by=staff)


def _accordo(piano, staff):
    piano.refresh_from_db()
    for domanda in Domanda.objects.filter(
        ambito=piano.ambito, stato=Domanda.Stato.AMMESSA
    ).select_related("organizzazione__ente", "created_by"):
        organizzazione = domanda.organizzazione
        adesione = servizi_accordo.richiedi_adesione(
            piano,
            organizzazione=organizzazione,
            impegni=(
                "Partecipare ai tavoli tematici, mettere a disposizione i propri volontari e "
                "operatori per le azioni del Piano e rendicontarne l'attività ogni anno."
            ),
            firmatario_nome=organizzazione.rappresentante_legale,
            firmatario_qualifica="Legale rappresentante",
            by=domanda.created_by,
        )
        servizi_accordo.decidi_adesione(adesione, accolta=True, by=staff)
    accordo = servizi_accordo.prepara_accordo(
        piano, by=staff, **servizi_accordo.testi_predefiniti(piano)
    )
    servizi_accordo.richiedi_pdf(accordo, by=staff)
    # The seed runs in one transaction: render now what the worker renders after the commit
    # (the task does nothing when the PDF is already up to date).
    tasks.genera_pdf_accordo(accordo.pk)
    accordo.refresh_from_db()
    servizi_accordo.metti_in_firma(accordo, by=staff)
    copia = accordo.pdf.open("rb").read()
    for firmatario in accordo.firmatari.filter(tipo="istituzionale").order_by("ordine")[:4]:
        servizi_accordo.carica_copia(
            firmatario,
            file=SimpleUploadedFile("firmato.pdf", copia, content_type="application/pdf"),
            firmato_il=timezone.localdate(),
            by=staff,
        )

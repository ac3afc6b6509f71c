"""Benchmark: render the accordo di programma and the whole plan of a large ambito.

    .venv/bin/python bench/accordo_pdf.py [--comuni 60] [--organizzazioni 150]
                                          [--voci 200] [--out DIR]

Run from the project root. It migrates a throwaway SQLite database in a temporary directory
(or uses DATABASE_URL when it is set: give it an empty database), then builds an ambito with
``--comuni`` comuni (populations, mayors, an ente capofila, ATS and ASST), ``--organizzazioni``
third-sector organisations whose adhesion was accepted, and a 2025-2027 plan with its eight
sections, 10 objectives (actions for each year, indicators) and ``--voci`` budget lines. The
plan is frozen and approved by a weighted vote of the Assemblea dei Sindaci (set directly),
the accordo is prepared with ``piani.services.accordo.prepara_accordo``; then it times, in
this process, the two renderings the Celery tasks do:

- ``piani.documenti.pdf_accordo`` (source, hash, WeasyPrint, storing the file);
- ``piani.documenti.pdf_versione`` (the plan's document of the approved version).

``--out DIR`` keeps the two PDFs there (to look at them). Progress goes to stdout; the last
line is machine-readable:

    accordo_pages=24 accordo_seconds=2.9 piano_pages=41 piano_seconds=3.8

The target is the accordo in under 5 seconds.
"""

import argparse
import datetime
import json
import os
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ANNO = 2025

SEZIONI = {
    "a": "Sistema locale dei servizi e livelli essenziali (LEPS)",
    "b": "Obiettivi strategici e priorità, strumenti e risorse",
    "c": "Organizzazione dei servizi; risorse finanziarie, strutturali e professionali",
    "d": "Raccolta dei dati per il sistema informativo sociale",
    "e": "Collaborazione dei servizi territoriali con i soggetti erogatori",
    "f": "Servizi organizzati a livello sovra-ambito",
    "g": "Coordinamento con le politiche europee, nazionali e regionali",
    "h": "Partecipazione dei cittadini e degli utenti",
}

OBIETTIVI = [
    ("Sostegno alla domiciliarità delle persone anziane non autosufficienti", ["Anziani"]),
    ("Progetti di vita indipendente per le persone con disabilità", ["Disabili"]),
    ("Prevenzione dell'allontanamento familiare (P.I.P.P.I.)", ["Famiglia e minori"]),
    ("Contrasto alla povertà e inclusione attiva", ["Povertà"]),
    ("Pronto intervento sociale e accoglienza delle persone senza dimora", ["Povertà"]),
    ("Punti unici di accesso e integrazione sociosanitaria", ["Anziani", "Disabili"]),
    ("Politiche giovanili e prevenzione del disagio", ["Famiglia e minori"]),
    ("Inclusione delle persone di origine straniera", ["Immigrati"]),
    ("Servizio sociale professionale e supervisione del personale", []),
    ("Dopo di Noi: autonomia abitativa delle persone con disabilità", ["Disabili"]),
]  # fmt: skip

ORGANIZZAZIONI = [
    "Cooperativa sociale", "Associazione di volontariato", "APS", "Fondazione",
    "Consorzio di cooperative sociali", "Impresa sociale",
]  # fmt: skip
NOMI = [
    "Il Girasole", "La Rondine", "Arcobaleno", "Il Ponte", "San Martino", "La Zattera",
    "Casa Aperta", "Il Melograno", "Auser", "Anteas", "La Bussola", "Il Sentiero", "Sole",
    "Insieme", "La Tenda", "Il Faro", "Gli Amici", "La Quercia", "Nuovi Orizzonti", "Il Seme",
    "Mani Tese", "Terra Nostra", "Il Cortile", "La Clessidra", "Filo d'Argento",
]  # fmt: skip
NOMI_PERSONE = [
    "Marco", "Giulia", "Francesca", "Luca", "Paolo", "Chiara", "Andrea", "Elena", "Giovanni",
    "Sara", "Filippo", "Nicoletta", "Roberto", "Silvia", "Stefano", "Anna",
]  # fmt: skip
COGNOMI = [
    "Rossi", "Bianchi", "Ferrari", "Ghidetti", "Bertoldi", "Ruggeri", "Pasquali", "Cavatorta",
    "Bongiovanni", "Sala", "Gorni", "Mantovani", "Zanoni", "Ghisolfi", "Lodi", "Bassi",
]  # fmt: skip


def log(message):
    print(message, flush=True)


def persona(n):
    return f"{NOMI_PERSONE[n % len(NOMI_PERSONE)]} {COGNOMI[(n * 7) % len(COGNOMI)]}"


def codice_fiscale(n):
    from localflavor.it.util import vat_number_check_digit

    primi = f"{8000000000 + n:010d}"
    return primi + vat_number_check_digit(primi)


def paragrafi(tema, quanti):
    frasi = [
        f"Il tema {tema} è stato approfondito nei tavoli tematici e nella Conferenza di piano, "
        "con il contributo dei Comuni, dell'ATS, dell'ASST e degli enti del Terzo settore.",
        "L'analisi dei dati del sistema informativo ha evidenziato un aumento della domanda di "
        "servizi, in particolare nelle aree della non autosufficienza e della fragilità "
        "familiare, e la necessità di rafforzare l'accesso unitario ai servizi.",
        "Il Piano conferma la gestione associata dei servizi e individua nell'Ufficio di Piano "
        "il presidio tecnico della programmazione, del monitoraggio e della valutazione.",
    ]
    testo = []
    for n in range(quanti):
        testo.append(" ".join(frasi[(n + k) % 3] for k in range(3)))
        if n == 1:
            testo.append(
                "- rafforzamento del servizio sociale professionale;\n"
                "- integrazione sociosanitaria nei punti unici di accesso;\n"
                "- sostegno alle reti di prossimità e al volontariato."
            )
    return "\n\n".join(testo)


def comuni_lombardi(quanti):
    """Real comuni of the provinces of Cremona and Mantova (python-codicefiscale data)."""
    import codicefiscale

    dati = Path(codicefiscale.__file__).parent / "data" / "municipalities.json"
    tutti = [
        c for c in json.loads(dati.read_text())
        if c.get("active") and c.get("province") in ("CR", "MN")
    ]  # fmt: skip
    tutti.sort(key=lambda c: (c["province"], c["name"]))
    return tutti[:quanti]


def costruisci(n_comuni, n_organizzazioni, n_voci):
    """The ambito, its parties and people, and an approved plan; returns (piano, staff)."""
    from django.db import transaction
    from django.utils import timezone

    from ambiti.models import Ambito, AppartenenzaComune, Comune, Ente, Popolazione, Ruolo
    from pdz.models import User
    from piani.models import (
        Adesione,
        Azione,
        FonteFinanziamento,
        Indicatore,
        Obiettivo,
        Piano,
        VersionePiano,
        VoceBudget,
        sha256_json,
    )
    from piani.services.documento import crea_piano
    from piani.versioni import istantanea
    from tavoli.models import Tavolo, Votazione
    from terzo_settore.models import Organizzazione

    rnd = random.Random(2025)
    ambito = Ambito.objects.create(
        codice="casalasco-viadanese",
        nome="Ambito territoriale Casalasco-Viadanese",
        regione="LOM",
        indirizzo_ufficio="Piazza Garibaldi 26, 26041 Casalmaggiore (CR)",
        email_ufficio="ufficiodipiano@example.org",
    )
    staff = User.objects.create(email="ufficio.piano@example.org", full_name="Chiara Bertoldi")
    Ruolo.objects.create(user=staff, ambito=ambito, tipo=Ruolo.Tipo.UFFICIO_PIANO)

    log(f"  {n_comuni} comuni with populations and mayors")
    dati = comuni_lombardi(n_comuni)
    comuni = Comune.objects.bulk_create(
        Comune(codice_catastale=c["code"], nome=c["name"], provincia=c["province"], regione="LOM")
        for c in dati
    )
    AppartenenzaComune.objects.bulk_create(
        AppartenenzaComune(ambito=ambito, comune=c) for c in comuni
    )
    Popolazione.objects.bulk_create(
        Popolazione(
            comune=c,
            data_riferimento=datetime.date(ANNO, 1, 1),
            residenti=rnd.randint(400, 22000),
            fonte="ISTAT",
        )
        for c in comuni
    )
    enti_comuni = Ente.objects.bulk_create(
        Ente(tipo=Ente.Tipo.COMUNE, denominazione=f"Comune di {c.nome}", comune=c,
             codice_fiscale=codice_fiscale(n))
        for n, c in enumerate(comuni)
    )  # fmt: skip
    sanitari = Ente.objects.bulk_create(
        [
            Ente(tipo=Ente.Tipo.ATS_ASL, denominazione="ATS della Val Padana",
                 codice_fiscale=codice_fiscale(900)),
            Ente(tipo=Ente.Tipo.ASST, denominazione="ASST di Cremona",
                 codice_fiscale=codice_fiscale(901)),
            Ente(tipo=Ente.Tipo.ASST, denominazione="ASST di Mantova",
                 codice_fiscale=codice_fiscale(902)),
        ]
    )  # fmt: skip
    ambito.enti.add(*enti_comuni, *sanitari)
    ambito.ente_capofila = enti_comuni[0]
    ambito.save(update_fields=["ente_capofila"])
    sindaci = User.objects.bulk_create(
        User(email=f"sindaco{n}@example.org", full_name=persona(n)) for n in range(n_comuni)
    )
    Ruolo.objects.bulk_create(
        Ruolo(user=u, ambito=ambito, tipo=Ruolo.Tipo.SINDACO, ente=e)
        for u, e in zip(sindaci, enti_comuni, strict=True)
    )

    log(f"  {n_organizzazioni} organisations with accepted adhesions")
    enti_ets = Ente.objects.bulk_create(
        Ente(
            tipo=Ente.Tipo.TERZO_SETTORE,
            denominazione=f"{ORGANIZZAZIONI[n % len(ORGANIZZAZIONI)]} "
            f"{NOMI[n % len(NOMI)]}{'' if n < len(NOMI) else f' {n // len(NOMI) + 1}'}",
            codice_fiscale=codice_fiscale(1000 + n),
            sede=comuni[n % len(comuni)],
        )
        for n in range(n_organizzazioni)
    )
    ambito.enti.add(*enti_ets)
    forme = list(Organizzazione.FormaGiuridica.values)
    organizzazioni = Organizzazione.objects.bulk_create(
        Organizzazione(ente=e, forma_giuridica=forme[n % 7], rappresentante_legale=persona(n + 3))
        for n, e in enumerate(enti_ets)
    )

    log(f"  the plan: sections, {len(OBIETTIVI)} objectives, {n_voci} budget lines")
    with transaction.atomic():
        piano = crea_piano(
            ambito=ambito, anno_inizio=ANNO, titolo=f"Piano di Zona {ANNO}-{ANNO + 2}", by=staff
        )
        piano.quota_pro_capite = Decimal("4.50")
        piano.save(update_fields=["quota_pro_capite"])
        for lettera, titolo in SEZIONI.items():
            piano.sezioni.filter(lettera=lettera).update(
                titolo=titolo, testo=paragrafi(titolo.lower(), 4)
            )
        from ambiti.models import AreaUtenza

        aree = {a.nome: a for a in AreaUtenza.objects.all()}
        obiettivi = []
        for n, (titolo, gruppi) in enumerate(OBIETTIVI, start=1):
            o = Obiettivo.objects.create(
                piano=piano,
                codice=f"OB{n}",
                titolo=titolo,
                bisogno="Bisogno rilevato dall'analisi del contesto e dai tavoli tematici.",
                risultati_attesi="Aumento delle persone prese in carico e riduzione dei "
                "tempi di attesa per l'accesso ai servizi.",
                responsabile="Ufficio di Piano",
                anno_da=ANNO,
                anno_a=ANNO + 2,
                ordine=n,
            )
            o.aree_utenza.add(*[a for nome, a in aree.items() if any(g in nome for g in gruppi)])
            obiettivi.append(o)
            Azione.objects.bulk_create(
                Azione(obiettivo=o, anno=anno, titolo=f"Azione {k} del {anno}: {titolo.lower()}",
                       descrizione="Attivazione e consolidamento dell'intervento.",
                       responsabile="Ufficio di Piano")
                for anno in range(ANNO, ANNO + 3) for k in (1, 2)
            )  # fmt: skip
            Indicatore.objects.bulk_create(
                Indicatore(obiettivo=o, nome=nome, tipo=tipo, unita=unita,
                           baseline=Decimal(b), target=Decimal(t), ordine=k)
                for k, (nome, tipo, unita, b, t) in enumerate([
                    ("Persone prese in carico", "output", "persone", "120", "180"),
                    ("Tempo medio di attesa", "esito", "giorni", "30", "15"),
                ])
            )  # fmt: skip
        fonti = list(FonteFinanziamento.objects.filter(ambito__isnull=True))
        VoceBudget.objects.bulk_create(
            VoceBudget(
                piano=piano,
                anno=ANNO + n % 3,
                fonte=fonti[n % len(fonti)],
                obiettivo=obiettivi[n % len(obiettivi)],
                tipo_spesa=VoceBudget.TipoSpesa.values[n % 3],
                descrizione=f"Voce {n + 1}",
                previsto=Decimal(rnd.randint(500_000, 15_000_000)) / 100,
            )
            for n in range(n_voci)
        )
        contenuto = istantanea(piano)
        versione = VersionePiano.objects.create(
            piano=piano,
            numero=1,
            motivo=VersionePiano.Motivo.APPROVAZIONE,
            contenuto=contenuto,
            sha256=sha256_json(contenuto),
            created_by=staff,
        )
        assemblea = Tavolo.objects.create(
            ambito=ambito,
            tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI,
            nome="Assemblea dei Sindaci dell'Ambito Casalasco-Viadanese",
        )
        popolazione = sum(p.residenti for p in Popolazione.objects.filter(comune__in=comuni))
        votazione = Votazione.objects.create(
            tavolo=assemblea,
            oggetto="Approvazione del Piano di Zona 2025-2027",
            modalita=Votazione.Modalita.PALESE,
            regola={"nome": "Voto ponderato", "peso": "popolazione", "maggioranza": "presenti",
                    "soglia": "50", "quorum_prima": "50", "quorum_seconda": "0"},
            stato=Votazione.Stato.CHIUSA,
            esito=Votazione.Esito.APPROVATA,
            risultato={
                "componenti": {"teste": n_comuni, "peso": popolazione},
                "presenti": {"teste": n_comuni - 4, "peso": popolazione - 9000},
                "favorevoli": {"teste": n_comuni - 7, "peso": popolazione - 15000},
                "contrari": {"teste": 1, "peso": 2500},
                "astenuti": {"teste": 2, "peso": 3500},
                "esito": "approvata",
            },
            aperta_da=staff,
            chiusa_at=timezone.make_aware(datetime.datetime(ANNO, 3, 12, 18, 30)),
        )  # fmt: skip
        Piano.objects.filter(pk=piano.pk).update(
            stato=Piano.Stato.APPROVATO,
            versione_approvata=versione,
            votazione=votazione,
            approvato_il=datetime.date(ANNO, 3, 12),
        )
        Adesione.objects.bulk_create(
            Adesione(
                piano=piano,
                organizzazione=o,
                stato=Adesione.Stato.ACCOLTA,
                impegni="Partecipazione ai tavoli tematici, messa a disposizione di volontari e "
                "operatori per gli interventi di prossimità, co-progettazione delle azioni "
                "dell'area di competenza e condivisione dei dati di attività.",
                firmatario_nome=o.rappresentante_legale,
                firmatario_qualifica="Legale rappresentante",
                richiesta_da=staff,
                decisa_da=staff,
                decisa_at=timezone.now(),
            )
            for o in organizzazioni
        )
    piano.refresh_from_db()
    return piano, staff


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comuni", type=int, default=60)
    parser.add_argument("--organizzazioni", type=int, default=150)
    parser.add_argument("--voci", type=int, default=200)
    parser.add_argument("--out", type=Path, help="keep the two PDFs in this directory")
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="pdz-bench-pdf-"))
    try:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{directory / 'bench.sqlite3'}")
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "pdz.settings",
                "MEDIA_ROOT": str(directory / "media"),
                "CELERY_TASK_ALWAYS_EAGER": "1",
                "LOG_LEVEL": "WARNING",
            }
        )
        os.environ.pop("REDIS_URL", None)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        from piani import documenti
        from piani.services import accordo as servizi

        log(f"Database: {os.environ['DATABASE_URL'].split('://')[0]}; migrating")
        log(f"Load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        call_command("migrate", verbosity=0)
        log("Building the data")
        piano, staff = costruisci(args.comuni, args.organizzazioni, args.voci)
        accordo = servizi.prepara_accordo(piano, by=staff)
        log(f"  accordo prepared: {accordo.firmatari.count()} signatories")

        # WeasyPrint loads its fonts and CSS machinery once per process: warm it up so that
        # the figures are those of a worker that has already rendered a document.
        from pdz.pdf import render_pdf_pages

        render_pdf_pages("pdf/base.html", {})

        log("Rendering the accordo di programma")
        inizio, cpu = time.perf_counter(), time.process_time()
        documenti.pdf_accordo(accordo)
        accordo_seconds = time.perf_counter() - inizio
        cpu = time.process_time() - cpu
        accordo.refresh_from_db()
        if accordo.errore:
            raise RuntimeError(accordo.errore)
        log(
            f"  {accordo.pdf_pagine} pages, {accordo.pdf.size / 1024:.0f} KiB, "
            f"{accordo_seconds:.2f} s ({cpu:.2f} s of CPU)"
        )

        log("Rendering the plan (approved version)")
        versione = piano.versione_approvata
        inizio, cpu = time.perf_counter(), time.process_time()
        documenti.pdf_versione(versione)
        piano_seconds = time.perf_counter() - inizio
        cpu = time.process_time() - cpu
        log(
            f"  {versione.pdf_pagine} pages, {versione.pdf.size / 1024:.0f} KiB, "
            f"{piano_seconds:.2f} s ({cpu:.2f} s of CPU)"
        )

        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            shutil.copy(accordo.pdf.path, args.out / "accordo.pdf")
            shutil.copy(versione.pdf.path, args.out / "piano.pdf")
            log(f"PDFs kept in {args.out}")
        print(
            f"accordo_pages={accordo.pdf_pagine} accordo_seconds={accordo_seconds:.1f} "
            f"piano_pages={versione.pdf_pagine} piano_seconds={piano_seconds:.1f}",
            flush=True,
        )
        return 0
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

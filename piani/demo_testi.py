"""The demo plan's content: the texts of sections a–h, the objectives with their actions and
indicators, the budget. Fictional but realistic figures for an ambito of about 80,000 people."""

SEZIONI = {
    "a": """L'Ambito Oglio Po comprende 27 comuni delle province di Cremona e Mantova, divisi nei
sub-ambiti **Casalasco** e **Viadanese**, con circa 79.000 residenti. Il Comune di Casalmaggiore è
ente capofila e ospita l'Ufficio di Piano.

Il sistema locale dei servizi garantisce in ogni comune i livelli essenziali delle prestazioni
sociali (LEPS):

- servizio sociale professionale, con un assistente sociale ogni 5.000 abitanti entro il 2026;
- punti unici di accesso presso le Case di Comunità di Casalmaggiore e Viadana;
- pronto intervento sociale attivo 24 ore su 24, in convenzione con gli ambiti della provincia;
- dimissioni protette in raccordo con l'ASST di Cremona e l'ASST di Mantova.

| Servizio | Sede | Comuni serviti |
|---|---|---|
| Segretariato sociale | Tutti i comuni | 27 |
| Punto unico di accesso | Casalmaggiore, Viadana | 27 |
| Centro per la famiglia | Casalmaggiore | 18 |
""",
    "b": """Il Piano persegue quattro priorità, condivise dall'Assemblea dei Sindaci nelle linee di
indirizzo:

1. **domiciliarità**: sostenere le persone anziane e con disabilità nella propria casa;
2. **famiglie e minori**: prevenire l'allontanamento dei bambini dalla famiglia;
3. **inclusione**: accompagnare al lavoro e all'abitare le persone in povertà;
4. **accesso unico**: un solo punto di ingresso ai servizi sociali e sociosanitari.

Le schede obiettivo, in allegato al Piano, indicano per ciascuna priorità le azioni per anno,
gli indicatori e le risorse.
""",
    "c": """I servizi sono gestiti in forma associata dall'ente capofila, che riceve i fondi
nazionali e regionali e li impiega secondo il budget approvato dall'Assemblea. L'Ufficio di Piano
conta un coordinatore, tre assistenti sociali, un amministrativo e un referente per il
monitoraggio. I requisiti di qualità dei servizi accreditati seguono la normativa regionale.
""",
    "d": """I dati dei servizi confluiscono nel Sistema informativo dell'offerta dei servizi
sociali (SIOSS) e nella cartella sociale informatizzata comune ai 27 comuni. L'Ufficio di Piano
pubblica ogni anno un rapporto di monitoraggio con gli indicatori delle schede obiettivo.
""",
    "e": """I servizi territoriali collaborano con gli enti del Terzo settore ammessi con avviso
pubblico, che partecipano ai tavoli tematici e alla co-progettazione degli interventi (art. 55 del
Codice del Terzo settore). Le convenzioni stabiliscono obblighi, tempi e rendicontazione.
""",
    "f": """Sono organizzati a livello sovra-ambito, con gli ambiti della provincia di Cremona: il
pronto intervento sociale, il servizio di tutela minori in emergenza e la formazione comune degli
operatori. L'ente capofila della convenzione è il Comune di Cremona.
""",
    "g": """Il Piano si coordina con il Piano nazionale degli interventi e dei servizi sociali, il
Piano per la non autosufficienza, il Piano povertà, le linee regionali di programmazione sociale e
i progetti finanziati dal PNRR (Missione 5, Componente 2, investimenti 1.1, 1.2 e 1.3).
""",
    "h": """Cittadini e utenti partecipano attraverso i tavoli tematici aperti, la consultazione
pubblica sulla bozza del Piano, un questionario annuale sulla qualità dei servizi e un incontro
pubblico di restituzione dei risultati del monitoraggio in ciascun sub-ambito.
""",
}

# code, title, policy area, target groups, LEPS, owner, need, expected results,
# actions [(year offset, title)], indicators [(name, kind, unit, baseline, target, measured year 1)]
OBIETTIVI = [
    (
        "OB1",
        "Rafforzare il servizio sociale professionale",
        "Cura e salute (domiciliarità)",
        ["Multiutenza"],
        ["Un assistente sociale ogni 5.000 abitanti", "Servizio sociale professionale"],
        "Ufficio di Piano",
        "Nei comuni più piccoli l'assistente sociale è presente poche ore alla settimana.",
        "Un assistente sociale ogni 5.000 abitanti in tutto l'ambito entro il 2026.",
        [(0, "Assunzione di due assistenti sociali d'ambito"), (1, "Supervisione del personale")],
        [
            (
                "Assistenti sociali per 5.000 abitanti",
                "processo",
                "rapporto",
                "0.70",
                "1.00",
                "0.85",
            ),
            ("Ore settimanali di apertura degli sportelli", "output", "ore", "120", "180", "150"),
        ],
    ),
    (
        "OB2",
        "Sostenere la domiciliarità delle persone anziane",
        "Cura e salute (domiciliarità)",
        ["Anziani (65 anni e più)"],
        [
            "Servizi di assistenza domiciliare per anziani non autosufficienti",
            "Dimissioni protette",
        ],
        "Ufficio di Piano con ASST di Cremona",
        "Molti anziani soli vivono lontano dai servizi; le famiglie chiedono sollievo.",
        "Più anziani assistiti a casa, meno ricoveri evitabili in RSA.",
        [
            (0, "Assistenza domiciliare integrata con l'ASST"),
            (1, "Voucher per il sollievo delle famiglie"),
            (2, "Custode sociale nei comuni sotto i 1.000 abitanti"),
        ],
        [
            ("Anziani assistiti a domicilio", "output", "persone", "310", "420", "345"),
            ("Dimissioni protette attivate", "processo", "percorsi", "40", "90", "58"),
        ],
    ),
    (
        "OB3",
        "Progetti di vita per le persone con disabilità",
        "Integrazione sociosanitaria",
        ["Disabili"],
        ["Punti unici di accesso"],
        "Ufficio di Piano",
        "I giovani con disabilità che finiscono la scuola restano senza progetto.",
        "Un progetto di vita per ogni giovane con disabilità all'uscita dalla scuola.",
        [(0, "Équipe multidisciplinare per il progetto di vita"), (1, "Percorsi Dopo di Noi")],
        [
            ("Progetti di vita sottoscritti", "output", "progetti", "12", "45", "21"),
            ("Persone in percorsi di autonomia abitativa", "esito", "persone", "4", "16", "7"),
        ],
    ),
    (
        "OB4",
        "Prevenire l'allontanamento dei minori dalla famiglia",
        "Inclusione e coesione sociale",
        ["Famiglia e minori"],
        ["Prevenzione dell'allontanamento familiare (P.I.P.P.I.)"],
        "Centro per la famiglia",
        "Crescono le famiglie fragili seguite dalla tutela minori.",
        "Meno collocamenti fuori famiglia, più famiglie accompagnate.",
        [(0, "Programma P.I.P.P.I. in 10 famiglie"), (1, "Educativa domiciliare")],
        [
            ("Famiglie nel programma P.I.P.P.I.", "output", "famiglie", "0", "30", "10"),
            ("Minori collocati fuori famiglia", "esito", "minori", "38", "30", "35"),
        ],
    ),
    (
        "OB5",
        "Accompagnare al lavoro le persone in povertà",
        "Lavoro e formazione",
        ["Povertà, disagio adulti e senza dimora"],
        ["Progetto individualizzato per l'inclusione (ADI)"],
        "Ufficio di Piano con il Centro per l'impiego",
        "Molti beneficiari dell'Assegno di inclusione non hanno un percorso di lavoro.",
        "Patti per l'inclusione firmati e tirocini che diventano contratti.",
        [(0, "Tirocini di inclusione con le cooperative B"), (1, "Sportello lavoro itinerante")],
        [
            ("Patti per l'inclusione sottoscritti", "processo", "patti", "85", "160", "112"),
            ("Tirocini trasformati in contratto", "esito", "%", "10", "25", "14"),
        ],
    ),
    (
        "OB6",
        "Casa e povertà estrema",
        "Politiche abitative",
        ["Povertà, disagio adulti e senza dimora", "Immigrati, Rom, Sinti e Caminanti"],
        ["Pronto intervento sociale", "Servizi per la residenza fittizia"],
        "Ufficio di Piano",
        "Persone senza dimora e sfratti senza una risposta abitativa temporanea.",
        "Una stazione di posta e alloggi temporanei in housing first.",
        [(0, "Stazione di posta a Casalmaggiore (PNRR 1.3)"), (1, "Housing first: 6 alloggi")],
        [
            ("Persone accolte in housing first", "output", "persone", "0", "12", "3"),
            ("Residenze fittizie attivate", "processo", "persone", "5", "20", "9"),
        ],
    ),
    (
        "OB7",
        "Un punto unico di accesso ai servizi",
        "Digitalizzazione dei servizi",
        ["Multiutenza"],
        ["Punti unici di accesso"],
        "Ufficio di Piano con ASST di Mantova",
        "I cittadini girano tra uffici diversi per la stessa domanda.",
        "Due punti unici di accesso nelle Case di Comunità e una cartella sociale comune.",
        [(0, "Cartella sociale informatizzata"), (1, "PUA nelle Case di Comunità")],
        [
            ("Accessi registrati al PUA", "output", "accessi", "0", "2500", "900"),
            ("Comuni con cartella sociale comune", "processo", "comuni", "5", "27", "16"),
        ],
    ),
    (
        "OB8",
        "Giovani protagonisti",
        "Inclusione e coesione sociale",
        ["Famiglia e minori"],
        [],
        "Tavolo minori, giovani e famiglie",
        "Pochi spazi di aggregazione per i ragazzi nei comuni più piccoli.",
        "Centri giovani aperti in entrambi i sub-ambiti, progetti scritti con i ragazzi.",
        [(1, "Bando idee giovani"), (2, "Centri di aggregazione itineranti")],
        [("Giovani coinvolti nei progetti", "output", "giovani", "60", "200", "95")],
    ),
]

# source code → (yearly amount, [(objective code, share %)], spending type)
BUDGET = {
    "fnps": ("624300.00", [("OB1", 40), ("OB4", 35), ("OB8", 25)], "servizi"),
    "fna": ("1108450.00", [("OB2", 70), ("OB3", 30)], "trasferimenti"),
    "poverta-servizi": ("482615.00", [("OB5", 80), ("OB1", 20)], "servizi"),
    "poverta-estrema": ("41200.00", [("OB6", 100)], "servizi"),
    "fsr": ("712980.00", [("OB2", 40), ("OB3", 30), ("OB4", 30)], "servizi"),
    "pnrr-m5c2-1-1": ("70500.00", [("OB4", 50), ("OB2", 50)], "servizi"),
    "pnrr-m5c2-1-2": ("238333.33", [("OB3", 100)], "strutture"),
    "pnrr-m5c2-1-3": ("236666.67", [("OB6", 100)], "strutture"),
    "dopo-di-noi": ("118900.00", [("OB3", 100)], "servizi"),
    "ats-asl": ("150000.00", [("OB2", 60), ("OB7", 40)], "servizi"),
    "compartecipazione": ("182400.00", [("OB2", 100)], "servizi"),
    "privati": ("30000.00", [("OB8", 100)], "servizi"),
}
QUOTA_PRO_CAPITE = "6.50"

OSSERVAZIONI = [
    (
        "a",
        "Cooperativa sociale Il Girasole",
        "Chiediamo di indicare anche gli orari dei punti unici di accesso, non solo le sedi.",
        "accolta",
        "Gli orari sono stati aggiunti alla tabella dei servizi.",
    ),
    (
        "b",
        "Caritas diocesana di Cremona",
        "La povertà abitativa merita una priorità a sé, non dentro l'inclusione lavorativa.",
        "parziale",
        "La casa diventa un obiettivo distinto (OB6); le risorse restano quelle del Fondo "
        "povertà, quota povertà estrema, e del PNRR.",
    ),
    (
        "h",
        "Associazione Genitori Insieme ODV",
        "Proponiamo un questionario anche per i ragazzi, non solo per gli adulti.",
        "accolta",
        "Il questionario annuale avrà una versione per i ragazzi dai 14 anni.",
    ),
    (
        "-",
        "Associazione Il Ponte APS",
        "Sarebbe utile prevedere un fondo per i progetti proposti direttamente dai tavoli.",
        "non_accolta",
        "Le risorse del triennio sono già vincolate; la proposta sarà valutata nel prossimo "
        "piano attuativo annuale.",
    ),
]

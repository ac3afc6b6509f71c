"""Demo bodies of the Oglio Po ambito: the Assemblea dei Sindaci and the three thematic tables
of DOMAIN.md § 3, with members, past meetings with minutes, a convened upcoming meeting and
an open online vote of the mayors. Dates are relative to the day of the seed."""

import datetime

from django.utils import timezone

from ambiti.models import Ambito, AreaUtenza, Ente
from pdz.models import User
from tavoli import services
from tavoli.models import AreaPolicy, Incontro, Presenza, RegolaVoto, Tavolo, Votazione
from terzo_settore.models import Avviso, TavoloOfferto

ASSEMBLEA = "Assemblea dei Sindaci dell'Ambito Oglio Po"
SALA = "Sala consiliare del Comune di Casalmaggiore, Piazza Garibaldi 26"

# name, target groups, policy areas, members (party name → delegate name, e-mail)
TAVOLI = [
    (
        "Anziani, persone disabili e non autosufficienti",
        ["Anziani (65 anni e più)", "Disabili"],
        ["Cura e salute (domiciliarità)", "Integrazione sociosanitaria"],
        [
            ("ATS della Val Padana", "Dott.ssa Carla Boni", "c.boni@ats-valpadana.example.org"),
            ("ASST di Cremona", "Dott. Mauro Guarneri", "m.guarneri@asst-cremona.example.org"),
            ("Cooperativa sociale Il Girasole", "Elena Ruggeri", "referente@example.org"),
            ("Fondazione Casa Serena", "Luisa Ghezzi", "l.ghezzi@casaserena.example.org"),
            ("Volontari del Soccorso Oglio Po ODV", "Pietro Carra", "p.carra@vsop.example.org"),
            ("CISL Asse del Po", "Rita Manfredini", "r.manfredini@cisl.example.org"),
        ],
    ),
    (
        "Minori, giovani e famiglie",
        ["Famiglia e minori"],
        ["Inclusione e coesione sociale", "Digitalizzazione dei servizi"],
        [
            (
                "Istituto Comprensivo Diotti di Casalmaggiore",
                "Prof.ssa Anna Gerevini",
                "a.gerevini@icdiotti.example.org",
            ),
            ("Associazione Genitori Insieme ODV", "Marco Pini", "m.pini@genitori.example.org"),
            ("Cooperativa sociale Il Girasole", "Elena Ruggeri", "referente@example.org"),
            ("Associazione Il Ponte APS", "Davide Arisi", "d.arisi@ilponte.example.org"),
            ("ASST di Mantova", "Dott.ssa Giulia Orlandi", "g.orlandi@asst-mantova.example.org"),
        ],
    ),
    (
        "Adulti, fragilità e vulnerabilità",
        [
            "Povertà, disagio adulti e senza dimora",
            "Dipendenze",
            "Immigrati, Rom, Sinti e Caminanti",
        ],
        ["Lavoro e formazione", "Politiche abitative"],
        [
            ("Caritas diocesana di Cremona", "Don Paolo Ferrari", "p.ferrari@caritas.example.org"),
            (
                "Cooperativa sociale Lavoro e Futuro",
                "Sonia Bellini",
                "s.bellini@lavorofuturo.example.org",
            ),
            ("Associazione Liberi dalle Dipendenze", "Franco Tosi", "f.tosi@liberi.example.org"),
            ("Associazione Mondo Insieme APS", "Amina Diallo", "a.diallo@mondoinsieme.example.org"),
            ("CGIL Cremona – Lega di Casalmaggiore", "Gianni Bassi", "g.bassi@cgil.example.org"),
        ],
    ),
]

AGENDA_PRIMO = [
    ("Presentazione del percorso del Piano di Zona 2025-2027", ""),
    ("Lettura dei bisogni del territorio: i dati della scheda di rilevazione", ""),
    ("Varie ed eventuali", ""),
]
AGENDA_SECONDO = [
    ("Priorità e obiettivi del tavolo", ""),
    ("Proposte di azione degli enti", ""),
]
AGENDA_TERZO = [
    ("Schede obiettivo: condivisione della bozza", ""),
    ("Calendario dei lavori 2026", ""),
]


def _alle(giorni, ora=16, minuti=30):
    """A date ``giorni`` from today at ``ora``:``minuti``, Rome time."""
    giorno = timezone.localdate() + datetime.timedelta(days=giorni)
    inizio = timezone.make_aware(datetime.datetime.combine(giorno, datetime.time(ora, minuti)))
    return inizio, inizio + datetime.timedelta(hours=2)


def seed(stdout):
    ambito = Ambito.objects.get(codice="oglio-po")
    staff = User.objects.get(email="ufficio.piano@example.org")
    if Tavolo.objects.filter(ambito=ambito, nome=ASSEMBLEA).exists():
        stdout.write("Demo bodies: already there")
        return
    _assemblea(ambito, staff)
    manifestazione = Avviso.objects.filter(ambito=ambito, tipo=Avviso.Tipo.MANIFESTAZIONE).first()
    for nome, aree, policy, membri in TAVOLI:
        _tavolo(ambito, staff, manifestazione, nome, aree, policy, membri)
    stdout.write(f"Demo bodies: the Assemblea dei Sindaci and {len(TAVOLI)} thematic tables")


def _assemblea(ambito, staff):
    tavolo = Tavolo.objects.create(
        ambito=ambito,
        tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI,
        nome=ASSEMBLEA,
        descrizione=(
            "I sindaci dei comuni dell'ambito, o gli assessori da loro delegati: approvano il "
            "Piano di Zona e l'accordo di programma. Il voto è ponderato sulla popolazione."
        ),
        coordinatore=User.objects.get(email="sindaco@example.org"),
        regola_voto=RegolaVoto.objects.get(ambito=None, nome="Voto ponderato per popolazione"),
    )
    services.aggiungi_comuni(tavolo, by=staff)
    presidente = tavolo.membri.get(delegato_email="sindaco@example.org")
    services.modifica_membro(presidente, ruolo=presidente.Ruolo.PRESIDENTE, by=staff)

    inizio, fine = _alle(-34, 18, 0)
    passato = _incontro(
        tavolo,
        staff,
        "Seduta ordinaria",
        inizio,
        fine,
        [
            ("Linee di indirizzo del Piano di Zona 2025-2027", ""),
            ("Nomina dei componenti del tavolo politico", ""),
        ],
    )
    membri = list(tavolo.membri.attivi())
    services.registra_presenze(
        passato,
        {
            m.pk: (Presenza.Stato.ASSENTE if i % 5 == 4 else Presenza.Stato.PRESENTE, "")
            for i, m in enumerate(membri)
        },
        by=staff,
    )
    punto = passato.punti.get(numero=1)
    votazione = services.apri_votazione(
        tavolo,
        oggetto="Approvazione delle linee di indirizzo del Piano di Zona 2025-2027",
        modalita=Votazione.Modalita.PALESE,
        punto=punto,
        by=staff,
    )
    scelte = {
        m.pk: ("contrario" if i == 7 else "astenuto" if i == 11 else "favorevole")
        for i, m in enumerate(membri)
        if i % 5 != 4
    }
    services.registra_voto_palese(votazione, scelte, by=staff)
    services.salva_verbale(
        passato,
        generale="La seduta si apre alle ore 18:05, presiede il Sindaco di Casalmaggiore.",
        punti={
            punto.pk: "Il Coordinatore illustra le linee di indirizzo; segue la votazione.",
            passato.punti.get(numero=2).pk: "Il punto è rinviato alla prossima seduta.",
        },
        by=staff,
    )

    inizio, fine = _alle(12, 18, 0)
    prossimo = _incontro(
        tavolo,
        staff,
        "Seduta ordinaria",
        inizio,
        fine,
        [
            ("Comunicazioni del Presidente", ""),
            ("Bozza del Piano di Zona 2025-2027: presentazione", ""),
        ],
    )
    services.metti_approvazione_verbale(passato, prossimo, by=staff)
    services.convoca(prossimo, by=staff)
    services.apri_votazione(
        tavolo,
        oggetto="Adesione al progetto sovrambito per il pronto intervento sociale",
        testo=(
            "L'Assemblea approva l'adesione dell'ambito al progetto di pronto intervento "
            "sociale con gli ambiti della provincia, con una quota di 0,50 euro per abitante."
        ),
        modalita=Votazione.Modalita.ONLINE,
        chiude_at=timezone.now() + datetime.timedelta(days=7),
        by=staff,
    )


def _tavolo(ambito, staff, manifestazione, nome, aree, policy, membri):
    offerto = (
        TavoloOfferto.objects.filter(avviso=manifestazione, nome=nome).first()
        if manifestazione
        else None
    )
    tavolo = Tavolo.objects.create(
        ambito=ambito,
        tipo=Tavolo.Tipo.AREA,
        nome=f"Tavolo {nome.lower()}",
        descrizione=(
            "Tavolo tematico del Piano di Zona: legge i bisogni, propone priorità e azioni, "
            "segue l'attuazione."
        ),
        coordinatore=staff,
        tavolo_offerto=offerto,
    )
    tavolo.aree_utenza.set(AreaUtenza.objects.filter(ambito=None, nome__in=aree))
    tavolo.aree_policy.set(AreaPolicy.objects.filter(ambito=None, nome__in=policy))
    for denominazione, delegato, email in membri:
        services.aggiungi_membro(
            tavolo,
            ente=Ente.objects.get(denominazione=denominazione),
            delegato_nome=delegato,
            delegato_email=email,
            by=staff,
        )
    presenti = {m.pk: (Presenza.Stato.PRESENTE, "") for m in tavolo.membri.attivi()}

    primo = _incontro(tavolo, staff, "Primo incontro del tavolo", *_alle(-55), AGENDA_PRIMO)
    services.registra_presenze(primo, presenti, by=staff)
    services.salva_verbale(
        primo,
        generale="Presenti i componenti in elenco; coordina l'Ufficio di Piano.",
        punti={
            p.pk: "Discussione e condivisione; nessuna decisione formale."
            for p in primo.punti.all()
        },
        by=staff,
    )
    secondo = _incontro(tavolo, staff, "Secondo incontro del tavolo", *_alle(-27), AGENDA_SECONDO)
    services.metti_approvazione_verbale(primo, secondo, by=staff)
    services.registra_presenze(secondo, presenti, by=staff)
    services.approva_verbale(primo, by=staff)
    services.pubblica_verbale(primo, by=staff)
    services.salva_verbale(
        secondo,
        generale="Il tavolo individua tre priorità da proporre all'Ufficio di Piano.",
        punti={},
        by=staff,
    )
    terzo = _incontro(tavolo, staff, "Terzo incontro del tavolo", *_alle(8), AGENDA_TERZO)
    services.metti_approvazione_verbale(secondo, terzo, by=staff)
    services.convoca(terzo, by=staff)


def _incontro(tavolo, staff, titolo, inizio, fine, punti):
    incontro = Incontro(tavolo=tavolo, titolo=titolo, inizio=inizio, fine=fine, luogo=SALA)
    return services.salva_incontro(incontro, by=staff, punti=punti)

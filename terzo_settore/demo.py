"""Demo third-sector organisations of the ambito Oglio Po, each with a managing referente.

Runs after the ambiti seed (the ambito, its comuni and the "Cooperativa sociale Il Girasole"
party of referente@example.org). Names, people and numbers are invented; the codici fiscali
are valid but fictional.
"""

import datetime

from django.utils import timezone
from localflavor.it.util import vat_number_check_digit

from ambiti.models import Ambito, AreaUtenza, Comune, Ente
from pdz.demo import persona
from pdz.models import User
from terzo_settore import services
from terzo_settore.models import Avviso, Domanda, Organizzazione, Referente, TavoloOfferto

F = Organizzazione.FormaGiuridica
S = Organizzazione.SezioneRunts
I = Organizzazione.Iscrizione  # noqa: E741

FAMIGLIA = "Famiglia e minori"
DISABILI = "Disabili"
DIPENDENZE = "Dipendenze"
ANZIANI = "Anziani (65 anni e più)"
IMMIGRATI = "Immigrati, Rom, Sinti e Caminanti"
POVERTA = "Povertà, disagio adulti e senza dimora"
MULTIUTENZA = "Multiutenza"

GIRASOLE = "Cooperativa sociale Il Girasole"

ORGANIZZAZIONI = [
    {
        "denominazione": GIRASOLE,
        "slug": "girasole",
        "cf": "0154321019",
        "piva": True,
        "forma": F.COOPERATIVA_A,
        "iscrizione": I.REGISTRO_IMPRESE,
        "sede": "B898",
        "indirizzo": "Via Cairoli 18, 26041",
        "sedi": ["B898", "E272", "L826"],
        "aree": [DISABILI, FAMIGLIA],
        "rappresentante": "Giovanna Mori",
        "referente": ("referente@example.org", "Elena Ruggeri"),
        "sito": "https://girasole.example.org",
        "descrizione": (
            "Centri diurni per persone con disabilità, assistenza educativa scolastica e "
            "servizi domiciliari per le famiglie del Casalasco e del Viadanese."
        ),
    },
    {
        "denominazione": "Associazione Il Ponte APS",
        "slug": "ilponte",
        "cf": "9002345019",
        "forma": F.APS,
        "sezione": S.APS,
        "numero": "48213",
        "sede": "L826",
        "indirizzo": "Piazza Manzoni 4, 46019",
        "sedi": ["L826", "H652"],
        "aree": [FAMIGLIA, IMMIGRATI],
        "rappresentante": "Marco Gandolfi",
        "referente": ("marco.gandolfi@example.org", "Marco Gandolfi"),
        "sito": "https://ilponte.example.org",
        "descrizione": (
            "Doposcuola, corsi di italiano per donne straniere e sportello di orientamento "
            "ai servizi."
        ),
    },
    {
        "denominazione": "Volontari del Soccorso Oglio Po ODV",
        "slug": "soccorso-ogliopo",
        "cf": "9003456019",
        "forma": F.ODV,
        "sezione": S.ODV,
        "numero": "31877",
        "sede": "B110",
        "indirizzo": "Via Valcarenghi 22, 46012",
        "sedi": ["B110", "H342", "I005"],
        "aree": [ANZIANI, DISABILI],
        "rappresentante": "Luca Bernardelli",
        "referente": ("luca.bernardelli@example.org", "Luca Bernardelli"),
        "descrizione": "Trasporto sociale verso ospedali e centri di cura, telesoccorso.",
    },
    {
        "denominazione": "Cooperativa sociale Lavoro e Futuro",
        "slug": "lavoroefuturo",
        "cf": "0165432019",
        "piva": True,
        "forma": F.COOPERATIVA_B,
        "iscrizione": I.REGISTRO_IMPRESE,
        "sede": "M418",
        "indirizzo": "Via dell'Artigianato 7, 26034",
        "sedi": ["M418", "B898"],
        "aree": [DISABILI, DIPENDENZE, POVERTA],
        "rappresentante": "Sergio Pasquali",
        "referente": ("sergio.pasquali@example.org", "Sergio Pasquali"),
        "sito": "https://lavoroefuturo.example.org",
        "descrizione": (
            "Inserimento lavorativo di persone svantaggiate: manutenzione del verde, "
            "pulizie, assemblaggio conto terzi."
        ),
    },
    {
        "denominazione": "Consorzio Casalasco Servizi Sociali",
        "slug": "consorziocasalasco",
        "cf": "0176543019",
        "piva": True,
        "forma": F.CONSORZIO,
        "iscrizione": I.REGISTRO_IMPRESE,
        "sede": "B898",
        "indirizzo": "Via Baldesio 3, 26041",
        "sedi": ["B898"],
        "aree": [MULTIUTENZA],
        "rappresentante": "Daniela Cerri",
        "referente": ("daniela.cerri@example.org", "Daniela Cerri"),
        "sito": "https://consorziocasalasco.example.org",
        "descrizione": "Consorzio di cooperative sociali di tipo A e B del territorio.",
    },
    {
        "denominazione": "Fondazione Casa Serena",
        "slug": "casaserena",
        "cf": "9004567019",
        "forma": F.FONDAZIONE,
        "sezione": S.FILANTROPICI,
        "numero": "55102",
        "sede": "E272",
        "indirizzo": "Via Roma 40, 26040",
        "sedi": ["E272", "H918"],
        "aree": [ANZIANI],
        "rappresentante": "Roberta Araldi",
        "referente": ("roberta.araldi@example.org", "Roberta Araldi"),
        "sito": "https://casaserena.example.org",
        "descrizione": (
            "Residenza sanitaria per anziani, centro diurno integrato, pasti a domicilio."
        ),
    },
    {
        "denominazione": "Associazione Genitori Insieme ODV",
        "slug": "genitori-insieme",
        "cf": "9005678019",
        "forma": F.ODV,
        "sezione": S.ODV,
        "numero": "29954",
        "sede": "H652",
        "indirizzo": "Via Vespasiano Gonzaga 11, 46018",
        "sedi": ["H652", "L826"],
        "aree": [DISABILI, FAMIGLIA],
        "rappresentante": "Francesca Tosi",
        "referente": ("francesca.tosi@example.org", "Francesca Tosi"),
        "descrizione": "Auto mutuo aiuto tra famiglie di bambini e ragazzi con disabilità.",
    },
    {
        "denominazione": "Impresa sociale Orizzonti srl",
        "slug": "orizzonti",
        "cf": "0187654019",
        "piva": True,
        "forma": F.IMPRESA_SOCIALE,
        "sezione": S.IMPRESE_SOCIALI,
        "numero": "60731",
        "sede": "D351",
        "indirizzo": "Via Matteotti 5, 46030",
        "sedi": ["D351", "G816"],
        "aree": [FAMIGLIA],
        "rappresentante": "Alessandro Viani",
        "referente": ("alessandro.viani@example.org", "Alessandro Viani"),
        "sito": "https://orizzonti.example.org",
        "descrizione": "Servizi per la prima infanzia e centri estivi.",
    },
    {
        "denominazione": "Rete Solidale Oglio Po",
        "slug": "retesolidale",
        "cf": "9006789019",
        "forma": F.ASSOCIAZIONE,
        "sezione": S.RETI,
        "numero": "70415",
        "sede": "L826",
        "indirizzo": "Via Grazioli 9, 46019",
        "sedi": ["L826", "B898"],
        "aree": [POVERTA, MULTIUTENZA],
        "rappresentante": "Giorgio Lodi",
        "referente": ("giorgio.lodi@example.org", "Giorgio Lodi"),
        "descrizione": "Rete delle associazioni di volontariato del territorio.",
    },
    {
        "denominazione": "Società di Mutuo Soccorso di Bozzolo",
        "slug": "sms-bozzolo",
        "cf": "9007890019",
        "forma": F.ALTRO,
        "sezione": S.MUTUO_SOCCORSO,
        "numero": "12088",
        "sede": "B110",
        "indirizzo": "Piazza Europa 2, 46012",
        "sedi": ["B110"],
        "aree": [ANZIANI, POVERTA],
        "rappresentante": "Carla Gozzi",
        "referente": ("carla.gozzi@example.org", "Carla Gozzi"),
        "descrizione": "Sussidi ai soci in difficoltà, ambulatorio infermieristico.",
    },
    {
        "denominazione": "Associazione Mondo Insieme APS",
        "slug": "mondoinsieme",
        "cf": "9008901019",
        "forma": F.APS,
        "sezione": S.APS,
        "numero": "44520",
        "sede": "B898",
        "indirizzo": "Via Porzio 15, 26041",
        "sedi": ["B898", "I497"],
        "aree": [IMMIGRATI],
        "rappresentante": "Samira Haddad",
        "referente": ("samira.haddad@example.org", "Samira Haddad"),
        "descrizione": "Mediazione linguistico-culturale e accoglienza di famiglie migranti.",
    },
    {
        "denominazione": "Associazione Liberi dalle Dipendenze",
        "slug": "liberi",
        "cf": "9009012019",
        "forma": F.ASSOCIAZIONE,
        "iscrizione": I.IN_CORSO,
        "sede": "M418",
        "indirizzo": "Via Libertà 31, 26034",
        "sedi": ["M418"],
        "aree": [DIPENDENZE],
        "rappresentante": "Paolo Fontana",
        "referente": ("paolo.fontana@example.org", "Paolo Fontana"),
        "descrizione": "Gruppi di auto aiuto e prevenzione nelle scuole.",
    },
    {
        "denominazione": "Parrocchia San Leonardo – Centro di ascolto",
        "slug": "sanleonardo",
        "cf": "9010123019",
        "forma": F.ENTE_RELIGIOSO,
        "sezione": S.ALTRI,
        "numero": "80233",
        "sede": "B898",
        "indirizzo": "Piazza Garibaldi 1, 26041",
        "sedi": ["B898"],
        "aree": [POVERTA],
        "rappresentante": "don Andrea Beltrami",
        "referente": ("andrea.beltrami@example.org", "Andrea Beltrami"),
        "descrizione": "Centro di ascolto, distribuzione di alimenti e vestiario.",
    },
]


def codice_fiscale(first_ten):
    return first_ten + vat_number_check_digit(first_ten)


def seed(stdout):
    ambito = Ambito.objects.get(codice="oglio-po")
    aree = {}
    for ordine, nome in enumerate(
        [FAMIGLIA, DISABILI, DIPENDENZE, ANZIANI, IMMIGRATI, POVERTA, MULTIUTENZA], start=1
    ):
        aree[nome] = AreaUtenza.objects.get_or_create(
            ambito=None, nome=nome, defaults={"ordine": ordine}
        )[0]
    for data in ORGANIZZAZIONI:
        _organizzazione(ambito, aree, data)
    stdout.write(f"Demo organisations: {len(ORGANIZZAZIONI)}, each with a managing referente")
    _avvisi(ambito)


def _organizzazione(ambito, aree, data):
    cf = codice_fiscale(data["cf"])
    slug = data["slug"]
    ente_data = {
        "tipo": Ente.Tipo.TERZO_SETTORE,
        "denominazione": data["denominazione"],
        "codice_fiscale": cf,
        "partita_iva": cf if data.get("piva") else "",
        "sede": Comune.objects.get(codice_catastale=data["sede"]),
        "indirizzo": data["indirizzo"],
        "email": f"info@{slug}.example.org",
        "pec": f"{slug}@pec.example.org",
        "telefono": "0375 2" + data["cf"][-5:],
        "attivo": True,
    }
    # The Girasole already exists as a party of the ambito (ambiti seed), without a tax code.
    ente = Ente.objects.filter(codice_fiscale=cf).first()
    if ente is None and data["denominazione"] == GIRASOLE:
        ente = Ente.objects.filter(denominazione=GIRASOLE).first()
    if ente is None:
        ente = Ente.objects.create(**ente_data)
    else:
        Ente.objects.filter(pk=ente.pk).update(**ente_data)
    ente.ambiti.add(ambito)

    iscrizione = data.get("iscrizione", I.RUNTS)
    organizzazione, _ = Organizzazione.objects.update_or_create(
        ente=ente,
        defaults={
            "forma_giuridica": data["forma"],
            "iscrizione": iscrizione,
            "sezione_runts": data.get("sezione", ""),
            "numero_repertorio": data.get("numero", ""),
            "rappresentante_legale": data["rappresentante"],
            "sito_web": data.get("sito", ""),
            "descrizione": data["descrizione"],
        },
    )
    organizzazione.sedi_operative.set(Comune.objects.filter(codice_catastale__in=data["sedi"]))
    organizzazione.aree.set([aree[nome] for nome in data["aree"]])

    email, full_name = data["referente"]
    user = persona(email, full_name)
    referente = Referente.objects.filter(
        organizzazione=organizzazione,
        user=user,
        stato__in=[Referente.Stato.ATTIVO, Referente.Stato.RICHIESTA],
    ).first()
    if referente is None:
        Referente.objects.create(
            organizzazione=organizzazione, user=user, gestore=True, stato=Referente.Stato.ATTIVO
        )
    else:
        Referente.objects.filter(pk=referente.pk).update(gestore=True, stato=Referente.Stato.ATTIVO)
    return organizzazione


ADESIONE = "Avviso pubblico per l'adesione degli enti del Terzo settore al Piano di Zona 2025-2027"
MANIFESTAZIONE = "Manifestazione d'interesse a partecipare ai tavoli tematici del Piano di Zona"
TAVOLI = [
    "Anziani, persone disabili e non autosufficienti",
    "Minori, giovani e famiglie",
    "Adulti, fragilità e vulnerabilità",
]
# (organisation index in ORGANIZZAZIONI, state its adhesion reaches); the others have none
ESITI_ADESIONE = [
    (0, Domanda.Stato.AMMESSA),
    (1, Domanda.Stato.AMMESSA),
    (2, Domanda.Stato.AMMESSA),
    (3, Domanda.Stato.IN_ISTRUTTORIA),
    (4, Domanda.Stato.INTEGRAZIONE),
    (5, Domanda.Stato.INVIATA),
    (6, Domanda.Stato.NON_AMMESSA),
    (7, Domanda.Stato.BOZZA),
]
PERCORSO = {
    Domanda.Stato.INVIATA: [],
    Domanda.Stato.IN_ISTRUTTORIA: [Domanda.Stato.IN_ISTRUTTORIA],
    Domanda.Stato.INTEGRAZIONE: [Domanda.Stato.IN_ISTRUTTORIA, Domanda.Stato.INTEGRAZIONE],
    Domanda.Stato.AMMESSA: [Domanda.Stato.IN_ISTRUTTORIA, Domanda.Stato.AMMESSA],
    Domanda.Stato.NON_AMMESSA: [Domanda.Stato.IN_ISTRUTTORIA, Domanda.Stato.NON_AMMESSA],
}
MOTIVAZIONI = {
    Domanda.Stato.INTEGRAZIONE: "Manca lo statuto aggiornato: allegatelo in PDF, per favore.",
    Domanda.Stato.NON_AMMESSA: "L'ente non opera nei comuni dell'ambito.",
}


def _avvisi(ambito):
    """An open adhesion notice with applications in several states, and an open
    manifestazione d'interesse with the three tables of the ambito."""
    staff = User.objects.get(email="ufficio.piano@example.org")
    now = timezone.now()
    adesione, _ = Avviso.objects.get_or_create(
        ambito=ambito,
        titolo=ADESIONE,
        defaults={
            "tipo": Avviso.Tipo.ADESIONE,
            "testo": (
                "Gli enti del Terzo settore che operano nei comuni dell'ambito Oglio Po possono "
                "aderire al percorso di costruzione del Piano di Zona 2025-2027: partecipare ai "
                "tavoli, contribuire alla lettura dei bisogni e proporre azioni."
            ),
            "apertura": now - datetime.timedelta(days=20),
            "chiusura": now + datetime.timedelta(days=40),
            "stato": Avviso.Stato.PUBBLICATO,
            "pubblicato_at": now - datetime.timedelta(days=20),
            "created_by": staff,
        },
    )
    manifestazione, created = Avviso.objects.get_or_create(
        ambito=ambito,
        titolo=MANIFESTAZIONE,
        defaults={
            "tipo": Avviso.Tipo.MANIFESTAZIONE,
            "testo": (
                "Gli enti ammessi al Piano di Zona possono indicare a quali tavoli tematici "
                "desiderano partecipare, con un delegato e un supplente."
            ),
            "apertura": now - datetime.timedelta(days=5),
            "chiusura": now + datetime.timedelta(days=25),
            "stato": Avviso.Stato.PUBBLICATO,
            "pubblicato_at": now - datetime.timedelta(days=5),
            "created_by": staff,
        },
    )
    if created:
        for ordine, nome in enumerate(TAVOLI, start=1):
            TavoloOfferto.objects.create(avviso=manifestazione, nome=nome, ordine=ordine)

    organizzazioni = [
        Organizzazione.objects.get(ente__codice_fiscale=codice_fiscale(data["cf"]))
        for data in ORGANIZZAZIONI
    ]
    for indice, stato in ESITI_ADESIONE:
        organizzazione = organizzazioni[indice]
        referente = organizzazione.referenti.attivi().select_related("user").first().user
        domanda, created = Domanda.objects.get_or_create(
            avviso=adesione,
            organizzazione=organizzazione,
            defaults={
                "ambito": ambito,
                "created_by": referente,
                "delegato_nome": referente.full_name,
                "delegato_email": referente.email,
                "dichiarazioni": {"Dichiarazioni rese ai sensi del DPR 445/2000": True},
            },
        )
        if not created or stato == Domanda.Stato.BOZZA:
            continue
        services.invia_domanda(domanda, by=referente)
        for passo in PERCORSO[stato]:
            services.cambia_stato(domanda, passo, by=staff, motivazione=MOTIVAZIONI.get(passo, ""))

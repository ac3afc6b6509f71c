"""Demo ambito: Oglio Po (Casalasco + Viadanese), on the real comuni of the national list.

Population figures are rounded demo values, not ISTAT's.
"""

import datetime
import io

from django.core.management import call_command

from ambiti.models import Ambito, AppartenenzaComune, Comune, Ente, Popolazione, Ruolo, SubAmbito
from pdz.demo import persona
from pdz.models import User

DAL = datetime.date(2021, 1, 1)
POPOLAZIONE_AL = datetime.date(2025, 1, 1)

# codice catastale, residents (rounded demo values), mayor (fictional)
CASALASCO = [
    ("B898", 15300, "Filippo Bongiovanni"),
    ("B439", 1150, "Marta Ferrari"),
    ("C089", 560, "Giovanni Rossetti"),
    ("C703", 1200, "Lucia Mainardi"),
    ("E272", 2700, "Stefano Bodini"),
    ("E983", 1950, "Anna Superti"),
    ("F771", 900, "Roberto Azzali"),
    ("M418", 3900, "Ivana Cavazzini"),
    ("H341", 2000, "Marco Vezzoni"),
    ("H918", 1850, "Paola Pedretti"),
    ("I007", 450, "Davide Soldi"),
    ("I497", 1300, "Silvia Leoni"),
    ("I790", 950, "Antonio Bertoletti"),
    ("I909", 600, "Elisa Frosi"),
    ("L225", 450, "Luigi Ghisolfi"),
    ("L258", 1750, "Mario Fiorentini"),
    ("L296", 600, "Chiara Araldi"),
    ("M127", 380, "Giorgio Capelli"),
]
VIADANESE = [
    ("L826", 19700, "Nicola Cavatorta"),
    ("H652", 4100, "Laura Bocchi"),
    ("G816", 1700, "Giuseppe Zanichelli"),
    ("D351", 3300, "Francesca Moreni"),
    ("C930", 1050, "Alberto Sarzi"),
    ("D959", 2300, "Sara Gorni"),
    ("H342", 2500, "Enrico Bottoli"),
    ("B110", 4100, "Valentina Ruberti"),
    ("I005", 1700, "Claudio Rebecchi"),
]

ALTRI_ENTI = [
    (
        Ente.Tipo.ATS_ASL,
        "ATS della Val Padana",
        "02481970206",
        "protocollo@pec.ats-valpadana.example.org",
    ),
    (Ente.Tipo.ASST, "ASST di Cremona", "", "protocollo@pec.asst-cremona.example.org"),
    (Ente.Tipo.ASST, "ASST di Mantova", "", "protocollo@pec.asst-mantova.example.org"),
    (Ente.Tipo.PROVINCIA, "Provincia di Cremona", "", ""),
    (Ente.Tipo.PROVINCIA, "Provincia di Mantova", "", ""),
    (Ente.Tipo.SINDACATO, "CGIL Cremona – Lega di Casalmaggiore", "", ""),
    (Ente.Tipo.SINDACATO, "CISL Asse del Po", "", ""),
    (Ente.Tipo.SCUOLA, "Istituto Comprensivo Diotti di Casalmaggiore", "", ""),
    (Ente.Tipo.ALTRO, "Caritas diocesana di Cremona", "", ""),
    (Ente.Tipo.TERZO_SETTORE, "Cooperativa sociale Il Girasole", "", ""),
]


def seed(stdout):
    call_command("load_comuni", stdout=io.StringIO())
    ambito, _ = Ambito.objects.update_or_create(
        codice="oglio-po",
        defaults={
            "nome": "Ambito territoriale Oglio Po",
            "regione": "LOM",
            "descrizione": (
                "L'ambito riunisce i comuni del Casalasco (provincia di Cremona) e del "
                "Viadanese (provincia di Mantova), che programmano insieme i servizi sociali "
                "con il Piano di Zona."
            ),
            "indirizzo_ufficio": "Piazza Garibaldi 26, 26041 Casalmaggiore (CR)",
            "email_ufficio": "ufficiodipiano@example.org",
            "pec_ufficio": "ufficiodipiano@pec.example.org",
            "telefono_ufficio": "0375 284400",
            "orari_ufficio": "lunedì–venerdì 9:00–12:30; giovedì anche 14:30–17:00",
        },
    )
    sindaci = {}
    for nome_sub, comuni in [("Casalasco", CASALASCO), ("Viadanese", VIADANESE)]:
        sub, _ = SubAmbito.objects.get_or_create(ambito=ambito, nome=nome_sub)
        for codice, residenti, sindaco in comuni:
            comune = Comune.objects.get(codice_catastale=codice)
            AppartenenzaComune.objects.update_or_create(
                ambito=ambito, comune=comune, defaults={"sub_ambito": sub, "dal": DAL, "al": None}
            )
            Popolazione.objects.update_or_create(
                comune=comune,
                data_riferimento=POPOLAZIONE_AL,
                defaults={"residenti": residenti, "fonte": "Valori dimostrativi"},
            )
            ente, _ = Ente.objects.update_or_create(
                comune=comune,
                defaults={"tipo": Ente.Tipo.COMUNE, "denominazione": f"Comune di {comune.nome}"},
            )
            ente.ambiti.add(ambito)
            sindaci[ente] = sindaco

    capofila = Ente.objects.get(comune__codice_catastale="B898")
    Ambito.objects.filter(pk=ambito.pk).update(ente_capofila=capofila)

    for tipo, denominazione, codice_fiscale, pec in ALTRI_ENTI:
        ente, _ = Ente.objects.update_or_create(
            denominazione=denominazione,
            defaults={"tipo": tipo, "codice_fiscale": codice_fiscale, "pec": pec},
        )
        ente.ambiti.add(ambito)

    _ruolo("ufficio.piano@example.org", ambito, Ruolo.Tipo.UFFICIO_PIANO)
    _ruolo("coordinatore@example.org", ambito, Ruolo.Tipo.COORDINATORE)
    _ruolo(
        "referente@example.org",
        ambito,
        Ruolo.Tipo.REFERENTE_ETS,
        Ente.objects.get(denominazione="Cooperativa sociale Il Girasole"),
    )
    for ente, nome in sindaci.items():
        if ente == capofila:
            email = "sindaco@example.org"  # the demo mayor of the README
        else:
            email = f"sindaco.{ente.comune.codice_catastale.lower()}@example.org"
        persona(email, nome)
        _ruolo(email, ambito, Ruolo.Tipo.SINDACO, ente)
    stdout.write(
        f"Demo ambito: {ambito} with {len(sindaci)} comuni, their mayors and "
        f"{len(ALTRI_ENTI)} other parties"
    )


def _ruolo(email, ambito, tipo, ente=None):
    Ruolo.objects.get_or_create(
        user=User.objects.get(email=email),
        ambito=ambito,
        tipo=tipo,
        ente=ente,
        revocato_at=None,
        defaults={"valido_dal": DAL},
    )

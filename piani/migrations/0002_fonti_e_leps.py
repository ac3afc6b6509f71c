from django.db import migrations

# The funding sources of a Piano di Zona (DOMAIN.md § 8); each ambito adds its own.
FONTI = [
    ("fnps", "Fondo nazionale politiche sociali (FNPS)", "statale", False),
    ("fna", "Fondo per le non autosufficienze (FNA)", "statale", False),
    ("poverta-servizi", "Fondo Povertà — quota servizi", "statale", False),
    ("poverta-estrema", "Fondo Povertà — quota povertà estrema", "statale", False),
    ("dopo-di-noi", "Fondo Dopo di Noi (L. 112/2016)", "statale", False),
    ("pnrr-m5c2-1-1", "PNRR M5C2 investimento 1.1 — persone vulnerabili", "europea", False),
    ("pnrr-m5c2-1-2", "PNRR M5C2 investimento 1.2 — percorsi di autonomia", "europea", False),
    ("pnrr-m5c2-1-3", "PNRR M5C2 investimento 1.3 — housing first e stazioni di posta", "europea", False),
    ("fsr", "Fondo sociale regionale", "regionale", False),
    ("quote-comunali", "Quote comunali", "comunale", True),
    ("ats-asl", "Risorse ATS/ASL (quota sanitaria)", "sanitaria", False),
    ("compartecipazione", "Compartecipazione degli utenti", "utenti", False),
    ("privati", "Risorse private (fondazioni, donazioni)", "privata", False),
]  # fmt: skip

# Essential levels of social services (LEPS) named by the national plan 2021-2023.
LEPS = [
    ("Un assistente sociale ogni 5.000 abitanti", "L. 178/2020, art. 1 c. 797"),
    ("Servizio sociale professionale", "L. 328/2000, art. 22"),
    ("Punti unici di accesso", "L. 234/2021, art. 1 c. 163"),
    ("Pronto intervento sociale", "Piano nazionale interventi e servizi sociali 2021-2023"),
    ("Dimissioni protette", "Piano nazionale interventi e servizi sociali 2021-2023"),
    ("Supervisione del personale dei servizi sociali", "Piano nazionale 2021-2023"),
    ("Prevenzione dell'allontanamento familiare (P.I.P.P.I.)", "Piano nazionale 2021-2023"),
    ("Servizi per la residenza fittizia", "Piano nazionale 2021-2023"),
    ("Progetto individualizzato per l'inclusione (ADI)", "D.L. 48/2023"),
    ("Servizi di assistenza domiciliare per anziani non autosufficienti", "L. 234/2021, art. 1 c. 162"),
]  # fmt: skip


def crea(apps, schema_editor):
    Fonte = apps.get_model("piani", "FonteFinanziamento")
    Leps = apps.get_model("piani", "Leps")
    for ordine, (codice, nome, tipo, quote) in enumerate(FONTI, start=1):
        Fonte.objects.get_or_create(
            ambito=None,
            codice=codice,
            defaults={"nome": nome, "tipo": tipo, "quote_comunali": quote, "ordine": ordine},
        )
    for ordine, (nome, riferimento) in enumerate(LEPS, start=1):
        Leps.objects.get_or_create(
            ambito=None, nome=nome, defaults={"riferimento": riferimento, "ordine": ordine}
        )


class Migration(migrations.Migration):
    dependencies = [("piani", "0001_initial")]

    operations = [migrations.RunPython(crea, migrations.RunPython.noop)]

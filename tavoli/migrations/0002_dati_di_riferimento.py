from django.db import migrations

# Transversal policy areas met in the plans of Lombardy's ambiti (DOMAIN.md § 3); each
# ambito adds its Region's own.
AREE_POLICY = [
    "Cura e salute (domiciliarità)",
    "Lavoro e formazione",
    "Politiche abitative",
    "Inclusione e coesione sociale",
    "Digitalizzazione dei servizi",
    "Integrazione sociosanitaria",
]

# The voting rules of DOMAIN.md § 6; an ambito copies and adapts them.
REGOLE = [
    {"nome": "Una testa un voto", "peso": "testa", "maggioranza": "presenti"},
    {"nome": "Voto ponderato per popolazione", "peso": "popolazione", "maggioranza": "presenti"},
    {
        "nome": "Doppia maggioranza (sindaci e popolazione)",
        "peso": "doppia",
        "maggioranza": "presenti",
    },
    {"nome": "Unanimità dei presenti", "peso": "testa", "maggioranza": "unanimita"},
]


def crea(apps, schema_editor):
    AreaPolicy = apps.get_model("tavoli", "AreaPolicy")
    RegolaVoto = apps.get_model("tavoli", "RegolaVoto")
    for ordine, nome in enumerate(AREE_POLICY, start=1):
        AreaPolicy.objects.get_or_create(ambito=None, nome=nome, defaults={"ordine": ordine})
    for regola in REGOLE:
        RegolaVoto.objects.get_or_create(
            ambito=None,
            nome=regola["nome"],
            defaults={
                "peso": regola["peso"],
                "maggioranza": regola["maggioranza"],
                "soglia": 50,
                "quorum_prima": 50,
                "quorum_seconda": 0,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("tavoli", "0001_initial")]

    operations = [migrations.RunPython(crea, migrations.RunPython.noop)]

from django.db import migrations

# ISTAT's aree di utenza of the survey of municipal social services.
AREE = [
    "Famiglia e minori",
    "Disabili",
    "Dipendenze",
    "Anziani (65 anni e più)",
    "Immigrati, Rom, Sinti e Caminanti",
    "Povertà, disagio adulti e senza dimora",
    "Multiutenza",
]


def crea(apps, schema_editor):
    AreaUtenza = apps.get_model("ambiti", "AreaUtenza")
    for ordine, nome in enumerate(AREE, start=1):
        AreaUtenza.objects.get_or_create(ambito=None, nome=nome, defaults={"ordine": ordine})


class Migration(migrations.Migration):
    dependencies = [("ambiti", "0002_area_utenza")]

    operations = [migrations.RunPython(crea, migrations.RunPython.noop)]

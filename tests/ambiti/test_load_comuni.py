import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from localflavor.it.it_region import REGION_CHOICES

from ambiti import importers
from ambiti.models import Comune
from pdz.models import AuditLog
from tests.ambiti.factories import ComuneFactory, PopolazioneFactory

pytestmark = pytest.mark.django_db

ACTIVE_COMUNI = 7894  # in the list of python-codicefiscale (ANPR)


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in their source language, whatever the state of the catalogue.
    with translation.override("en"):
        yield


class Terminal(io.StringIO):
    def isatty(self):
        return True


def load_comuni(stdout=None):
    stdout = stdout or io.StringIO()
    call_command("load_comuni", stdout=stdout)
    return stdout.getvalue()


def snapshot():
    return list(
        Comune.objects.order_by("codice_catastale").values_list(
            "pk", "codice_catastale", "nome", "provincia", "regione", "attivo", "updated_at"
        )
    )


def record(code, name, province, *, active=True, date_created="1861-03-17T00:00:00"):
    """A record shaped like those of python-codicefiscale's municipalities.json."""
    return {
        "active": active,
        "code": code,
        "date_created": date_created,
        "date_deleted": "" if active else "2019-01-01T00:00:00",
        "name": name,
        "name_alt": "",
        "name_alt_trans": "",
        "name_slugs": [name.lower()],
        "name_trans": name,
        "province": province,
    }


def values(codice):
    return Comune.objects.values_list("nome", "provincia", "regione", "attivo").get(
        codice_catastale=codice
    )


def test_loads_every_active_comune_of_the_national_list():
    output = load_comuni()

    assert output == "Municipalities: 7894 created, 0 updated, 0 deactivated, 0 unchanged.\n"
    assert Comune.objects.count() == Comune.objects.attivi().count() == ACTIVE_COMUNI
    assert values("B898") == ("Casalmaggiore", "CR", "LOM", True)
    assert values("H652") == ("Sabbioneta", "MN", "LOM", True)
    # A code with older records in other provinces: the active one counts.
    assert values("B250") == ("Buggerru", "SU", "SAR", True)
    assert values("A355") == ("Tortolì", "NU", "SAR", True)
    # Comuni merged away are not loaded: Drizzona is part of Piadena Drizzona since 2019.
    assert values("M418") == ("Piadena Drizzona", "CR", "LOM", True)
    assert not Comune.objects.filter(codice_catastale="D370").exists()
    assert set(Comune.objects.values_list("regione", flat=True)) == {c for c, _ in REGION_CHOICES}
    assert Comune.objects.filter(provincia="CR").count() == 113


def test_second_run_changes_nothing_and_says_so():
    load_comuni()
    before = snapshot()
    log_entries = AuditLog.objects.count()

    with CaptureQueriesContext(connection) as queries:
        output = load_comuni()

    assert output == "No changes: 7894 municipalities already up to date.\n"
    assert snapshot() == before
    assert AuditLog.objects.count() == log_entries
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_comune_gone_from_the_data_becomes_inactive_and_keeps_its_figures(monkeypatch):
    load_comuni()
    viadana = Comune.objects.get(codice_catastale="L826")
    PopolazioneFactory(comune=viadana, residenti=19812)
    patched = [
        {**r, "active": False, "date_deleted": "2026-01-01T00:00:00"} if r["code"] == "L826" else r
        for r in importers.read_municipalities()
    ]
    monkeypatch.setattr(importers, "read_municipalities", lambda: patched)

    output = load_comuni()

    assert output == "Municipalities: 0 created, 0 updated, 1 deactivated, 7893 unchanged.\n"
    viadana.refresh_from_db()
    assert not viadana.attivo
    assert Comune.objects.count() == ACTIVE_COMUNI
    assert Comune.objects.attivi().count() == ACTIVE_COMUNI - 1
    assert viadana.popolazioni.get().residenti == 19812
    assert AuditLog.objects.get(action="comuni.aggiornati", data__deactivated=["L826"])
    assert load_comuni() == "No changes: 7894 municipalities already up to date.\n"


def test_writes_only_what_changed():
    ComuneFactory(codice_catastale="B898", nome="Casalmaggiore", codice_istat="019021")
    ComuneFactory(codice_catastale="L826", nome="Viadana", provincia="CR", regione="LOM")
    ComuneFactory(codice_catastale="D351", nome="Dosolo", provincia="MN", attivo=False)
    ComuneFactory(codice_catastale="D370", nome="Drizzona")
    untouched = Comune.objects.get(codice_catastale="B898").updated_at

    esito = importers.sync_comuni(
        [
            record("B898", "Casalmaggiore", "CR"),
            record("L826", "Viadana", "MN"),  # moved to another province
            record("D351", "Dosolo", "MN"),  # back again
            record("D370", "Drizzona", "CR", active=False),  # merged away
            record("H652", "Sabbioneta", "MN"),  # new
            record("A001", "Abano", "PD", active=False),  # gone long ago: not created
        ]
    )

    assert esito == importers.EsitoComuni(created=1, updated=2, deactivated=1, unchanged=1)
    assert values("B898") == ("Casalmaggiore", "CR", "LOM", True)
    assert values("L826") == ("Viadana", "MN", "LOM", True)
    assert values("D351") == ("Dosolo", "MN", "LOM", True)
    assert values("D370") == ("Drizzona", "CR", "LOM", False)
    assert values("H652") == ("Sabbioneta", "MN", "LOM", True)
    assert not Comune.objects.filter(codice_catastale="A001").exists()
    casalmaggiore = Comune.objects.get(codice_catastale="B898")
    assert casalmaggiore.updated_at == untouched
    assert casalmaggiore.codice_istat == "019021"  # not in the data: kept as it was


def test_old_sardinian_provinces_are_in_sardegna():
    importers.sync_comuni([record("A355", "Tortolì", "OG"), record("B250", "Buggerru", "CI")])

    assert values("A355") == ("Tortolì", "OG", "SAR", True)
    assert values("B250") == ("Buggerru", "CI", "SAR", True)


def test_unknown_province_stops_the_load_and_changes_nothing(monkeypatch):
    monkeypatch.setattr(
        importers,
        "read_municipalities",
        lambda: [record("B898", "Casalmaggiore", "CR"), record("Z001", "Nuovo Comune", "XY")],
    )

    with pytest.raises(CommandError, match=r"^Unknown province: XY\.$"):
        load_comuni()

    assert not Comune.objects.exists()


def test_progress_bar_on_a_terminal_only(monkeypatch):
    monkeypatch.setattr(importers, "BATCH_SIZE", 2)
    monkeypatch.setattr(
        importers,
        "read_municipalities",
        lambda: [record(f"Z00{n}", f"Comune {n}", "CR") for n in range(5)],
    )

    on_terminal = load_comuni(Terminal())
    piped = load_comuni()

    bar = "\r[" + "#" * 16 + "." * 24 + "] 2/5"
    assert on_terminal.startswith(bar + "\r[" + "#" * 32 + "." * 8 + "] 4/5\r[" + "#" * 40)
    assert "] 5/5\n" in on_terminal
    assert "Municipalities: 5 created, 0 updated, 0 deactivated, 0 unchanged." in on_terminal
    assert piped == "No changes: 5 municipalities already up to date.\n"


@pytest.mark.parametrize(
    "data_file, official",
    [
        ("Martignana Di Po", "Martignana di Po"),
        ("Cingia De' Botti", "Cingia de' Botti"),
        ("Rivarolo Del Re Ed Uniti", "Rivarolo del Re ed Uniti"),
        ("San Martino Dall'Argine", "San Martino dall'Argine"),
        ("Reggio Nell'Emilia", "Reggio nell'Emilia"),
        ("Di Pietro Alto", "Di Pietro Alto"),
    ],
)
def test_names_are_written_as_the_official_list_does(data_file, official):
    assert importers.nome_ufficiale(data_file) == official

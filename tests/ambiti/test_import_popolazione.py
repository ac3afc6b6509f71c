import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ambiti.models import Comune, Popolazione
from pdz.models import AuditLog
from tests.ambiti.factories import ComuneFactory, PopolazioneFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "popolazione_oglio_po.csv"
BAD_SAMPLE = DATA / "popolazione_errata.csv"
GENNAIO_2025 = datetime.date(2025, 1, 1)
FONTE = "ISTAT, popolazione residente al 1° gennaio 2025"


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in their source language, whatever the state of the catalogue.
    with translation.override("en"):
        yield


@pytest.fixture
def oglio_po(db):
    """The 27 comuni of the sample file, as load_comuni creates them."""
    with SAMPLE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f.readlines()[1:], delimiter=";"))
    for row in rows:
        ComuneFactory(
            codice_catastale=row["Codice catastale"],
            nome=row["Comune"],
            provincia=row["Provincia"],
            regione="LOM",
        )
    return Comune.objects.all()


def import_popolazione(path, *args):
    out = io.StringIO()
    call_command("import_popolazione", str(path), *args, stdout=out)
    return out.getvalue()


def residenti(codice, data=GENNAIO_2025):
    return Popolazione.objects.get(comune__codice_catastale=codice, data_riferimento=data).residenti


def figures():
    return sorted(
        Popolazione.objects.values_list(
            "comune__codice_catastale", "data_riferimento", "residenti", "fonte"
        )
    )


def write(tmp_path, text, encoding="utf-8", name="popolazione.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_imports_the_residents_of_the_sample(oglio_po):
    output = import_popolazione(SAMPLE, "--data", "2025-01-01", "--fonte", FONTE)

    assert output == (
        "Residents at 01/01/2025 from popolazione_oglio_po.csv: 27 municipalities, "
        "78,485 residents in total; 27 added, 0 updated, 0 unchanged.\n"
    )
    assert Popolazione.objects.count() == 27
    assert residenti("B898") == 15316
    assert residenti("L826") == 19812
    assert residenti("H652") == 4128
    assert set(Popolazione.objects.values_list("data_riferimento", "fonte")) == {
        (GENNAIO_2025, FONTE)
    }
    assert oglio_po.with_popolazione().get(codice_catastale="M127").popolazione == 376
    entry = AuditLog.objects.get(action="popolazione.importata")
    assert entry.data["created"] == 27


def test_source_defaults_to_the_file_name(oglio_po):
    import_popolazione(SAMPLE, "--data", "2025-01-01")

    assert set(Popolazione.objects.values_list("fonte", flat=True)) == {"popolazione_oglio_po.csv"}


def test_reimporting_a_date_updates_the_figures_instead_of_duplicating(oglio_po, tmp_path):
    import_popolazione(SAMPLE, "--data", "2025-01-01", "--fonte", FONTE)
    again = import_popolazione(SAMPLE, "--data", "2025-01-01", "--fonte", FONTE)
    corrected = write(
        tmp_path,
        SAMPLE.read_text(encoding="utf-8").replace(
            "B898;Casalmaggiore;CR;7.626;7.690;15.316", "B898;Casalmaggiore;CR;7.626;7.694;15.320"
        ),
    )

    output = import_popolazione(corrected, "--data", "2025-01-01", "--fonte", FONTE)

    assert "78,485 residents in total; 0 added, 0 updated, 27 unchanged." in again
    assert "78,489 residents in total; 0 added, 1 updated, 26 unchanged." in output
    assert Popolazione.objects.count() == 27
    assert residenti("B898") == 15320


def test_figures_at_other_dates_are_kept(oglio_po):
    casalmaggiore = Comune.objects.get(codice_catastale="B898")
    PopolazioneFactory(
        comune=casalmaggiore, data_riferimento=datetime.date(2024, 1, 1), residenti=15402
    )

    import_popolazione(SAMPLE, "--data", "2025-01-01")

    assert Popolazione.objects.count() == 28
    assert residenti("B898", datetime.date(2024, 1, 1)) == 15402
    latest = Comune.objects.with_popolazione().get(pk=casalmaggiore.pk)
    assert (latest.popolazione, latest.popolazione_al) == (15316, GENNAIO_2025)


def test_a_bad_file_is_refused_with_every_problem_and_changes_nothing(oglio_po):
    PopolazioneFactory(
        comune=Comune.objects.get(codice_catastale="B898"),
        data_riferimento=GENNAIO_2025,
        residenti=15000,
        fonte="stima",
    )
    before = figures()

    with pytest.raises(CommandError) as refused:
        import_popolazione(BAD_SAMPLE, "--data", "2025-01-01")

    assert str(refused.value).splitlines() == [
        "popolazione_errata.csv was not imported, nothing has changed: 8 problems.",
        "Line 6: no comune has the code Z999 (Comune inesistente).",
        "Line 7: “circa 2.700” is not a whole number of residents.",
        "Line 8: the number of residents is negative (-35).",
        "Line 9: the comune B898 is already on line 3.",
        "Line 10: 4 columns instead of 6.",
        "Line 11: the comune code is missing.",
        "Line 12: “12345” is not a cadastral code.",
        "Line 13: “4.093,5” is not a whole number of residents.",
    ]
    assert figures() == before
    assert not AuditLog.objects.filter(action="popolazione.importata").exists()


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        pytest.param(
            "\ufeffcodice_catastale,residenti\nB898,15316\nL826,19812\n", "utf-8", id="bom-comma"
        ),
        pytest.param(
            "Popolazione residente al 1° gennaio 2025\n\n"
            '"Belfiore";"Denominazione";"Popolazione residente"\n'
            '"B898";"Casalmaggiore";"15.316"\n"L826";"Viadana";"19.812"\n\n',
            "latin-1",
            id="latin1-title-quoted",
        ),
        pytest.param(
            "  CODICE  CATASTALE ;Comune; TOTALE \r\nb898;Casalmaggiore;15 316;\r\n"
            "L826;Viadana;19812;\r\n",
            "cp1252",
            id="spaces-case-trailing-delimiter",
        ),
        pytest.param(
            "Codice catastale\tComune\tTotale\nB898\tCasalmaggiore\t15.316\nL826\tViadana\t19812\n",
            "utf-8",
            id="tab",
        ),
    ],
)
def test_accepts_the_shapes_of_real_files(oglio_po, tmp_path, text, encoding):
    path = write(tmp_path, text, encoding)

    output = import_popolazione(path, "--data", "2025-01-01")

    assert "2 municipalities, 35,128 residents in total; 2 added" in output
    assert (residenti("B898"), residenti("L826")) == (15316, 19812)


def test_istat_codes_keep_their_leading_zeros(tmp_path):
    ComuneFactory(codice_catastale="L219", nome="Torino", provincia="TO", codice_istat="001272")
    ComuneFactory(codice_catastale="B898", nome="Casalmaggiore", codice_istat="019021")
    path = write(
        tmp_path,
        "Popolazione residente al 1° gennaio 2025\n"
        "Codice comune;Comune;Totale Maschi;Totale Femmine;Totale Maschi+Femmine\n"
        "001272;Torino;408.313;438.556;846.869\n"
        "19021;Casalmaggiore;7.626;7.690;15.316\n",
    )

    import_popolazione(path, "--data", "2025-01-01")

    assert residenti("L219") == 846869
    assert residenti("B898") == 15316


def test_istat_codes_need_comuni_with_their_istat_code(oglio_po, tmp_path):
    path = write(tmp_path, "Codice Istat;Popolazione\n019021;15316\n")

    with pytest.raises(CommandError) as refused:
        import_popolazione(path, "--data", "2025-01-01")

    assert str(refused.value).splitlines()[1] == (
        "Line 1: the file names comuni by ISTAT code, but no comune has its ISTAT code "
        "recorded yet: use a file with the cadastral codes (codice catastale)."
    )
    assert not Popolazione.objects.exists()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(
            "Popolazione residente al 1° gennaio 2025\nCodice catastale;Comune;Maschi\n"
            "B898;Casalmaggiore;7.626\n",
            "Line 2: the header has no residents column (one of residenti, Totale, "
            "Popolazione, Popolazione residente, Totale Maschi+Femmine).",
            id="no-residents-column",
        ),
        pytest.param(
            "Comune;Totale\nCasalmaggiore;15.316\n",
            "Line 1: the header has no comune code column (one of codice_catastale, "
            "Codice catastale, Belfiore, codice_istat, Codice comune).",
            id="no-code-column",
        ),
        pytest.param(
            "Casalmaggiore;15.316\nViadana;19.812\n",
            "No header found in the first 10 lines: the file needs a column with the comune "
            "code (one of codice_catastale, Codice catastale, Belfiore, codice_istat, Codice "
            "comune) and one with the residents (one of residenti, Totale, Popolazione, "
            "Popolazione residente, Totale Maschi+Femmine).",
            id="no-header",
        ),
        pytest.param(
            "Codice catastale;Totale;Popolazione\nB898;15.316;15.316\n",
            "Line 1: the columns “Totale”, “Popolazione” mean the same thing: keep one.",
            id="two-residents-columns",
        ),
        pytest.param(
            "Codice catastale;Totale\n\n",
            "Line 1: there are no rows after the header.",
            id="no-rows",
        ),
        pytest.param("", "The file is empty.", id="empty"),
    ],
)
def test_a_file_without_the_right_columns_is_refused(oglio_po, tmp_path, text, problem):
    path = write(tmp_path, text)

    with pytest.raises(CommandError) as refused:
        import_popolazione(path, "--data", "2025-01-01")

    assert str(refused.value).splitlines() == [
        "popolazione.csv was not imported, nothing has changed: 1 problem.",
        problem,
    ]
    assert not Popolazione.objects.exists()


def test_needs_an_existing_file_and_a_valid_date(oglio_po, tmp_path):
    with pytest.raises(CommandError, match=r"2025-13-01 is not a date in the form YYYY-MM-DD"):
        import_popolazione(SAMPLE, "--data", "2025-13-01")
    with pytest.raises(CommandError, match=r"the following arguments are required: --data"):
        import_popolazione(SAMPLE)
    with pytest.raises(CommandError, match=r"nessuno\.csv: no such file\."):
        import_popolazione(tmp_path / "nessuno.csv", "--data", "2025-01-01")
    assert not Popolazione.objects.exists()

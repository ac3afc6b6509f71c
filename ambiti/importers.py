"""Reference data: the national list of comuni and ISTAT's residents per comune.

The management commands ``load_comuni`` and ``import_popolazione`` are thin wrappers around
``sync_comuni`` and ``import_popolazione``; both take the data as arguments so that tests
can feed them a small or modified data set.
"""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from codicefiscale.data import get_data
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from localflavor.it.it_province import PROVINCES

from ambiti.models import Comune, Popolazione
from pdz.audit import log_action

BATCH_SIZE = 1000

REGIONE_DI_PROVINCIA = {sigla: regione for sigla, _nome, regione in PROVINCES}
# Sardinian sigle that django-localflavor does not list: the provinces abolished in 2016
# (Carbonia-Iglesias, Medio Campidano, Ogliastra, Olbia-Tempio) which the regional reform of
# 2021-2023 brings back, as Sulcis Iglesiente, Medio Campidano, Ogliastra and Gallura. ANPR may
# use their sigle again; any other unknown sigla stops the load rather than get a wrong region.
REGIONE_DI_PROVINCIA.update({"CI": "SAR", "VS": "SAR", "OG": "SAR", "OT": "SAR"})


class DatiNonValidi(Exception):
    """The data cannot be applied; ``errors`` lists every problem as ``(line or None, message)``.

    ``lines()`` is the report a person reads: one problem a line, by line number.
    """

    def __init__(self, errors):
        self.errors = sorted(errors, key=lambda error: (error[0] or 0, error[1]))
        super().__init__("\n".join(self.lines()))

    def lines(self):
        return [
            _("Line %(line)s: %(message)s") % {"line": line, "message": message}
            if line
            else message
            for line, message in self.errors
        ]


# --- Comuni --------------------------------------------------------------------------------


@dataclass
class EsitoComuni:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    @property
    def changed(self):
        return self.created + self.updated + self.deactivated


def read_municipalities():
    """The records of the list of comuni shipped with python-codicefiscale.

    The package builds ``municipalities.json`` from ANPR's archive and appends the records of
    ``municipalities-patch.json`` (historical comuni missing from ANPR); we do the same, so a
    patch that is newer than the main file still counts. A code may have several records
    (renamed, moved to another province): ``sync_comuni`` keeps the active one.
    """
    return get_data("municipalities.json") + get_data("municipalities-patch.json")


# Articles and prepositions that official names write in lower case after the first word;
# the data file capitalises every word ("Martignana Di Po", "Cingia De' Botti").
PARTICELLE = {
    "a", "al", "alla", "alle", "allo", "ai", "agli", "d", "da", "dal", "dalla", "dalle",
    "dei", "de", "degli", "del", "della", "delle", "dello", "di", "e", "ed", "in", "l",
    "nel", "nella", "nelle", "nello", "sul", "sulla", "sulle", "sullo", "con", "all",
    "dall", "dell", "nell", "sull",
}  # fmt: skip


def nome_ufficiale(name):
    """'Rivarolo Del Re Ed Uniti' → 'Rivarolo del Re ed Uniti', "San Martino Dall'Argine" →
    "San Martino dall'Argine"; the first word keeps its capital."""

    def lower(match):
        word = match.group(0)
        return word.lower() if match.start() > 0 and word.lower() in PARTICELLE else word

    return re.sub(r"[^\W\d_]+(?=['’\s]|$)", lower, name)


def comuni_attivi(records):
    """``{codice_catastale: {"nome", "provincia", "regione"}}`` of the active comuni.

    Raises ``DatiNonValidi`` when a province is unknown, rather than guessing its region.
    """
    attivi = {}
    for record in records:
        if not record["active"]:
            continue
        codice = record["code"].upper()
        current = attivi.get(codice)
        if current is None or record["date_created"] > current["date_created"]:
            attivi[codice] = record
    unknown = sorted({r["province"] for r in attivi.values()} - REGIONE_DI_PROVINCIA.keys())
    if unknown:
        raise DatiNonValidi(
            [(None, _("Unknown province: %(sigla)s.") % {"sigla": sigla}) for sigla in unknown]
        )
    return {
        codice: {
            "nome": nome_ufficiale(record["name"]),
            "provincia": record["province"],
            "regione": REGIONE_DI_PROVINCIA[record["province"]],
        }
        for codice, record in attivi.items()
    }


def sync_comuni(records, *, progress=None):
    """Bring the table of comuni in line with ``records`` (see ``read_municipalities``).

    Creates the active comuni that are missing, updates those whose name, province or region
    changed, reactivates those that came back and marks as inactive (never deletes) those that
    are no longer active in the data. Writes only what changed, in one transaction.
    ``progress(done, total)`` is called after each batch written.
    """
    wanted = comuni_attivi(records)
    fields = ["nome", "provincia", "regione", "attivo"]
    now = timezone.now()
    esito = EsitoComuni()
    to_create, to_update, to_deactivate = [], [], []
    with transaction.atomic():
        existing = Comune.objects.only("codice_catastale", *fields).in_bulk(
            field_name="codice_catastale"
        )
        for codice, values in wanted.items():
            comune = existing.get(codice)
            if comune is None:
                to_create.append(Comune(codice_catastale=codice, **values))
                continue
            values["attivo"] = True
            if all(getattr(comune, name) == value for name, value in values.items()):
                esito.unchanged += 1
                continue
            for name, value in values.items():
                setattr(comune, name, value)
            comune.updated_at = now
            to_update.append(comune)
        for codice, comune in existing.items():
            if codice in wanted:
                continue
            if comune.attivo:
                comune.attivo = False
                comune.updated_at = now
                to_deactivate.append(comune)
            else:
                esito.unchanged += 1

        total = len(to_create) + len(to_update) + len(to_deactivate)
        done = 0
        for start in range(0, len(to_create), BATCH_SIZE):
            batch = to_create[start : start + BATCH_SIZE]
            Comune.objects.bulk_create(batch)
            done += len(batch)
            if progress:
                progress(done, total)
        changed = to_update + to_deactivate
        for start in range(0, len(changed), BATCH_SIZE):
            batch = changed[start : start + BATCH_SIZE]
            Comune.objects.bulk_update(batch, [*fields, "updated_at"])
            done += len(batch)
            if progress:
                progress(done, total)

        esito.created = len(to_create)
        esito.updated = len(to_update)
        esito.deactivated = len(to_deactivate)
        if esito.changed:
            log_action(
                None,
                "comuni.aggiornati",
                data={
                    "created": esito.created,
                    "updated": esito.updated,
                    "deactivated": sorted(c.codice_catastale for c in to_deactivate),
                },
            )
    return esito


# --- Popolazione ---------------------------------------------------------------------------


COLONNE_CATASTALE = {"codice catastale", "codice belfiore", "belfiore"}
COLONNE_ISTAT = {"codice istat", "codice comune", "codice istat comune", "pro com t", "pro com"}
COLONNE_NOME = {"comune", "denominazione", "denominazione comune"}
COLONNE_RESIDENTI = {
    "residenti",
    "totale",
    "popolazione",
    "popolazione residente",
    "totale maschi+femmine",
}
DELIMITERS = [";", ",", "\t"]
HEADER_SEARCH_LINES = 10
RE_CATASTALE = re.compile(r"[A-Z]\d{3}")
RE_ISTAT = re.compile(r"\d{4,6}")
RE_RESIDENTI = re.compile(r"\d+|\d{1,3}(?:\.\d{3})+")
MAX_RESIDENTI = 2_147_483_647  # the largest PositiveIntegerField


def _header_name(cell):
    """Header cell → lookup key: ``" Totale Maschi + Femmine"`` → ``"totale maschi+femmine"``."""
    name = cell.replace("\ufeff", "").replace("_", " ").strip().strip('"').lower()
    name = re.sub(r"\s*\+\s*", "+", name)
    return re.sub(r"\s+", " ", name)


@dataclass
class Intestazione:
    """Where the header of a population file is and what its columns mean."""

    line: int
    width: int
    codice: int
    codice_istat: bool
    residenti: int
    nome: int | None


@dataclass
class EsitoPopolazione:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    residenti: int = 0

    @property
    def comuni(self):
        return self.created + self.updated + self.unchanged


def read_text(path):
    """The text of ``path``: UTF-8 with or without BOM, else latin-1 (old Excel exports)."""
    raw = Path(path).read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _columns(names, wanted):
    return [i for i, name in enumerate(names) if name in wanted]


CODICE_COLUMNS = "codice_catastale, Codice catastale, Belfiore, codice_istat, Codice comune"
RESIDENTI_COLUMNS = "residenti, Totale, Popolazione, Popolazione residente, Totale Maschi+Femmine"


def _find_header(text):
    """``(delimiter, Intestazione)``; or raises ``DatiNonValidi`` saying what is missing.

    ISTAT's files start with one or more title lines: the header is the first of the first
    lines that names a code column and a residents column, with whichever delimiter gives one.
    """
    partial = None  # the first line that names only one of the two
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        for row in reader:
            if reader.line_num > HEADER_SEARCH_LINES:
                break
            names = [_header_name(cell) for cell in row]
            catastale = _columns(names, COLONNE_CATASTALE)
            codice = catastale or _columns(names, COLONNE_ISTAT)
            residenti = _columns(names, COLONNE_RESIDENTI)
            nome = _columns(names, COLONNE_NOME)
            if codice and residenti:
                line = reader.line_num
                errors = [
                    (
                        line,
                        _("the columns %(columns)s mean the same thing: keep one.")
                        % {"columns": ", ".join(f"“{row[i].strip()}”" for i in found)},
                    )
                    for found in (codice, residenti, nome)
                    if len(found) > 1
                ]
                if errors:
                    raise DatiNonValidi(errors)
                return delimiter, Intestazione(
                    line=line,
                    width=len(row),
                    codice=codice[0],
                    codice_istat=not catastale,
                    residenti=residenti[0],
                    nome=nome[0] if nome else None,
                )
            if (codice or residenti) and partial is None:
                partial = (reader.line_num, bool(codice))
    if partial is None:
        message = _(
            "No header found in the first %(count)s lines: the file needs a column with the "
            "comune code (one of %(codice)s) and one with the residents (one of %(residenti)s)."
        ) % {"count": HEADER_SEARCH_LINES, "codice": CODICE_COLUMNS, "residenti": RESIDENTI_COLUMNS}
        raise DatiNonValidi([(None, message)])
    line, has_codice = partial
    if has_codice:
        message = _("the header has no residents column (one of %(columns)s).") % {
            "columns": RESIDENTI_COLUMNS
        }
    else:
        message = _("the header has no comune code column (one of %(columns)s).") % {
            "columns": CODICE_COLUMNS
        }
    raise DatiNonValidi([(line, message)])


def _parse_residenti(value):
    """``"15.384"`` → 15384; raises ValueError saying what is wrong."""
    value = value.strip()
    digits = re.sub(r"[\s\u00a0\u202f]", "", value)  # also spaces as thousands separators
    if not digits:
        raise ValueError(_("the number of residents is missing."))
    if digits.startswith("-") and RE_RESIDENTI.fullmatch(digits[1:]):
        raise ValueError(_("the number of residents is negative (%(value)s).") % {"value": value})
    if not RE_RESIDENTI.fullmatch(digits):
        raise ValueError(_("“%(value)s” is not a whole number of residents.") % {"value": value})
    number = int(digits.replace(".", ""))
    if number > MAX_RESIDENTI:
        raise ValueError(_("%(value)s residents are too many for a comune.") % {"value": value})
    return number


def _parse_codice(value, istat):
    value = value.strip().upper()
    if not value:
        raise ValueError(_("the comune code is missing."))
    if istat:
        if not RE_ISTAT.fullmatch(value):
            raise ValueError(_("“%(code)s” is not an ISTAT comune code.") % {"code": value})
        # Spreadsheets drop the leading zeros of the 6-digit code (001006 → 1006).
        return value.zfill(6)
    if not RE_CATASTALE.fullmatch(value):
        raise ValueError(_("“%(code)s” is not a cadastral code.") % {"code": value})
    return value


def _comuni_by_code(codes, istat):
    if not istat:
        return Comune.objects.in_bulk(codes, field_name="codice_catastale")
    comuni = {}
    # codice_istat is not unique: prefer the active comune to one it absorbed.
    for comune in Comune.objects.filter(codice_istat__in=codes).order_by("-attivo", "pk"):
        comuni.setdefault(comune.codice_istat, comune)
    return comuni


def read_popolazione(path):
    """The rows of an ISTAT-style residents file: a list of ``(line, comune, residenti)``.

    Checks the whole file and raises ``DatiNonValidi`` with every bad row and its line number
    (1 is the first line of the file): too few or too many columns, a comune code that is
    missing, malformed or unknown, a number of residents that is missing, not a whole number
    or negative, the same comune twice.
    """
    text = read_text(path)
    if not text.strip():
        raise DatiNonValidi([(None, _("The file is empty."))])
    delimiter, header = _find_header(text)
    if header.codice_istat and not Comune.objects.exclude(codice_istat="").exists():
        raise DatiNonValidi(
            [
                (
                    header.line,
                    _(
                        "the file names comuni by ISTAT code, but no comune has its ISTAT code "
                        "recorded yet: use a file with the cadastral codes (codice catastale)."
                    ),
                )
            ]
        )

    errors = []
    rows = []  # (line, code or None, residenti or None, name)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for row in reader:
        line = reader.line_num
        if line <= header.line or not any(cell.strip() for cell in row):
            continue
        if len(row) < header.width or any(cell.strip() for cell in row[header.width :]):
            message = _("%(found)s columns instead of %(expected)s.") % {
                "found": len(row),
                "expected": header.width,
            }
            errors.append((line, message))
            continue
        codice = residenti = None
        try:
            codice = _parse_codice(row[header.codice], header.codice_istat)
        except ValueError as e:
            errors.append((line, str(e)))
        try:
            residenti = _parse_residenti(row[header.residenti])
        except ValueError as e:
            errors.append((line, str(e)))
        nome = row[header.nome].strip() if header.nome is not None else ""
        rows.append((line, codice, residenti, nome))
    if not rows and not errors:
        raise DatiNonValidi([(header.line, _("there are no rows after the header."))])

    comuni = _comuni_by_code({codice for _l, codice, _r, _n in rows if codice}, header.codice_istat)
    seen = {}
    result = []
    for line, codice, residenti, nome in rows:
        if codice is None:
            continue
        if codice in seen:
            message = _("the comune %(code)s is already on line %(other)s.") % {
                "code": codice,
                "other": seen[codice],
            }
            errors.append((line, message))
            continue
        seen[codice] = line
        comune = comuni.get(codice)
        if comune is None:
            label = f"{codice} ({nome})" if nome else codice
            errors.append((line, _("no comune has the code %(code)s.") % {"code": label}))
        elif residenti is not None:
            result.append((line, comune, residenti))
    if errors:
        raise DatiNonValidi(errors)
    return result


def import_popolazione(path, data_riferimento, fonte=""):
    """Record the residents of every comune in the file at ``data_riferimento``.

    All or nothing: a file with any bad row raises ``DatiNonValidi`` and changes nothing.
    A figure already recorded for a comune at that date is updated, figures at other dates
    are kept (they are the history).
    """
    rows = read_popolazione(path)
    esito = EsitoPopolazione()
    with transaction.atomic():
        existing = {
            p.comune_id: p
            for p in Popolazione.objects.select_for_update().filter(
                data_riferimento=data_riferimento, comune__in=[comune for _l, comune, _r in rows]
            )
        }
        to_create, to_update = [], []
        for _line, comune, residenti in rows:
            esito.residenti += residenti
            popolazione = existing.get(comune.pk)
            if popolazione is None:
                to_create.append(
                    Popolazione(
                        comune=comune,
                        data_riferimento=data_riferimento,
                        residenti=residenti,
                        fonte=fonte,
                    )
                )
            elif (popolazione.residenti, popolazione.fonte) != (residenti, fonte):
                popolazione.residenti, popolazione.fonte = residenti, fonte
                to_update.append(popolazione)
            else:
                esito.unchanged += 1
        Popolazione.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        Popolazione.objects.bulk_update(to_update, ["residenti", "fonte"], batch_size=BATCH_SIZE)
        esito.created, esito.updated = len(to_create), len(to_update)
        if to_create or to_update:
            log_action(
                None,
                "popolazione.importata",
                data={
                    "file": Path(path).name,
                    "data_riferimento": data_riferimento,
                    "fonte": fonte,
                    "created": esito.created,
                    "updated": esito.updated,
                },
            )
    return esito

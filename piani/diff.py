"""What changed between two frozen versions of a plan, read from their ``contenuto``
(the shape of ``piani.versioni.istantanea``): the sections word by word, the objectives by
code, the budget totals by year.

Pure functions on plain dicts: they never read the database, so the same code compares any
two versions, and the page only lays out what they return.
"""

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from piani.budget import euro

UGUALE = "uguale"
INSERITO = "inserito"
RIMOSSO = "rimosso"
OMESSO = "omesso"

# Words, runs of spaces (line breaks included) and single punctuation marks: a change of a
# comma shows as a comma, not as the whole word around it.
TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

# In a changed section, unchanged stretches longer than this many tokens keep only their
# ends (CONTESTO tokens each side) around a "… N words unchanged …" marker.
CONTESTO = 30


@dataclass
class Parte:
    """A run of the compared text: ``tipo`` is UGUALE, INSERITO, RIMOSSO or OMESSO (an
    unchanged run left out, ``parole`` words long)."""

    tipo: str
    testo: str = ""
    parole: int = 0


def parole(testo):
    return TOKEN.findall(testo or "")


PAROLA = re.compile(r"\w")


def _conta_parole(tokens):
    """How many words (punctuation and spaces aside) ``tokens`` hold."""
    return sum(1 for t in tokens if PAROLA.match(t))


def diff_testo(prima, dopo, *, contesto=CONTESTO):
    """[Parte] that turns ``prima`` into ``dopo``, word by word.

    A replaced stretch reads as the deletion followed by the insertion."""
    a, b = parole(prima), parole(dopo)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parti = []
    opcodes = matcher.get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            primo, ultimo = n == 0, n == len(opcodes) - 1
            parti.extend(_uguale(a[i1:i2], contesto, primo=primo, ultimo=ultimo))
            continue
        if i2 > i1:
            parti.append(Parte(RIMOSSO, "".join(a[i1:i2])))
        if j2 > j1:
            parti.append(Parte(INSERITO, "".join(b[j1:j2])))
    return parti


def _uguale(tokens, contesto, *, primo, ultimo):
    """An unchanged run, shortened when long: its beginning is kept only if a change comes
    before it, its end only if a change comes after it."""
    if contesto is None or len(tokens) <= 2 * contesto:
        return [Parte(UGUALE, "".join(tokens))]
    testa = [] if primo else _fino_a_riga(tokens[:contesto])
    coda = [] if ultimo else _da_riga(tokens[-contesto:])
    mezzo = tokens[len(testa) : len(tokens) - len(coda)]
    parti = []
    if testa:
        parti.append(Parte(UGUALE, "".join(testa)))
    parti.append(Parte(OMESSO, parole=_conta_parole(mezzo)))
    if coda:
        parti.append(Parte(UGUALE, "".join(coda)))
    return parti


def _fino_a_riga(tokens):
    """The context after a change, up to the end of its last whole line (when it has one)."""
    for i in range(len(tokens) - 1, -1, -1):
        if "\n" in tokens[i]:
            return tokens[: i + 1]
    return tokens


def _da_riga(tokens):
    """The context before a change, from the start of its first whole line (when it has one)."""
    for i, token in enumerate(tokens):
        if "\n" in token:
            return tokens[i + 1 :]
    return tokens


@dataclass
class DiffSezione:
    lettera: str
    titolo: str
    cambiata: bool
    parti: list = field(default_factory=list)
    inserite: int = 0
    rimosse: int = 0
    testo: str = ""


def confronta_sezioni(prima, dopo, *, contesto=CONTESTO):
    """One DiffSezione per letter present in either version, in letter order; an unchanged
    section carries its text (``testo``) instead of ``parti``."""
    sezioni_prima = {s["lettera"]: s for s in prima.get("sezioni", [])}
    sezioni_dopo = {s["lettera"]: s for s in dopo.get("sezioni", [])}
    risultato = []
    for lettera in sorted(sezioni_prima.keys() | sezioni_dopo.keys()):
        p = sezioni_prima.get(lettera, {})
        d = sezioni_dopo.get(lettera, {})
        titolo = d.get("titolo") or p.get("titolo", "")
        testo_prima, testo_dopo = p.get("testo", ""), d.get("testo", "")
        if testo_prima == testo_dopo:
            risultato.append(DiffSezione(lettera, titolo, False, testo=testo_dopo))
            continue
        parti = diff_testo(testo_prima, testo_dopo, contesto=contesto)
        risultato.append(
            DiffSezione(
                lettera,
                titolo,
                True,
                parti=parti,
                inserite=sum(_conta_parole(parole(x.testo)) for x in parti if x.tipo == INSERITO),
                rimosse=sum(_conta_parole(parole(x.testo)) for x in parti if x.tipo == RIMOSSO),
            )
        )
    return risultato


# The fields of an objective compared one by one, with the label the page shows.
CAMPI_OBIETTIVO = [
    ("titolo", _("Title")),
    ("area_policy", _("Policy area")),
    ("aree_utenza", _("Target groups")),
    ("bisogno", _("Need addressed")),
    ("risultati_attesi", _("Expected results")),
    ("leps", _("Related LEPS")),
    ("responsabile", _("Owner")),
    ("enti", _("Bodies involved")),
    ("tavoli", _("Linked tables")),
    ("anni", _("Years")),
    ("azioni", _("Actions")),
    ("indicatori", _("Indicators")),
]


def _valore_obiettivo(obiettivo, campo):
    """The objective's ``campo`` as a short text that two versions can compare."""
    if campo == "anni":
        return f"{obiettivo.get('anno_da', '')}-{obiettivo.get('anno_a', '')}"
    if campo == "azioni":
        return "; ".join(
            f"{a.get('anno', '')} {a.get('titolo', '')}".strip()
            for a in sorted(obiettivo.get("azioni", []), key=lambda a: a.get("anno") or 0)
        )
    if campo == "indicatori":
        return "; ".join(
            f"{i.get('nome', '')} ({i.get('unita', '')}: "
            f"{_numero(i.get('baseline'))} → {_numero(i.get('target'))})"
            for i in obiettivo.get("indicatori", [])
        )
    valore = obiettivo.get(campo, "")
    if isinstance(valore, list):
        return ", ".join(str(v) for v in valore)
    return "" if valore is None else str(valore)


def _numero(valore):
    """A decimal from JSON without trailing zeros: "150.00" → "150"."""
    if valore in (None, ""):
        return ""
    numero = Decimal(str(valore)).normalize()
    return f"{numero:f}"


@dataclass
class CambioObiettivo:
    codice: str
    titolo: str
    campi: list  # [(label, before, after)]


@dataclass
class DiffObiettivi:
    aggiunti: list  # objective dicts of the later version
    rimossi: list  # objective dicts of the earlier version
    cambiati: list  # [CambioObiettivo]

    @property
    def vuoto(self):
        return not (self.aggiunti or self.rimossi or self.cambiati)


def confronta_obiettivi(prima, dopo):
    """The objectives added, removed and changed, matched by their code."""
    vecchi = {o["codice"]: o for o in prima.get("obiettivi", [])}
    nuovi = {o["codice"]: o for o in dopo.get("obiettivi", [])}
    cambiati = []
    for codice, nuovo in nuovi.items():
        vecchio = vecchi.get(codice)
        if vecchio is None:
            continue
        campi = []
        for campo, label in CAMPI_OBIETTIVO:
            prima_v, dopo_v = _valore_obiettivo(vecchio, campo), _valore_obiettivo(nuovo, campo)
            if prima_v != dopo_v:
                campi.append((label, prima_v, dopo_v))
        if campi:
            cambiati.append(CambioObiettivo(codice, nuovo.get("titolo", ""), campi))
    return DiffObiettivi(
        aggiunti=[o for c, o in nuovi.items() if c not in vecchi],
        rimossi=[o for c, o in vecchi.items() if c not in nuovi],
        cambiati=cambiati,
    )


@dataclass
class RigaBudget:
    anno: object  # a year, or None for the total row
    prima: Decimal
    dopo: Decimal

    @property
    def differenza(self):
        return self.dopo - self.prima

    @property
    def cambiata(self):
        return self.prima != self.dopo


def _per_anno(contenuto):
    somme = {}
    for voce in contenuto.get("budget", []):
        somme[voce["anno"]] = somme.get(voce["anno"], Decimal("0.00")) + euro(voce["previsto"])
    return somme


def _anni(contenuto):
    piano = contenuto.get("piano", {})
    if piano.get("anno_inizio") and piano.get("anno_fine"):
        return set(range(piano["anno_inizio"], piano["anno_fine"] + 1))
    return set()


def confronta_budget(prima, dopo):
    """The planned total of each year before → after, then the grand total (``anno`` None).

    Every year of either plan is listed, with zero where a version has no line."""
    somme_prima, somme_dopo = _per_anno(prima), _per_anno(dopo)
    anni = sorted(_anni(prima) | _anni(dopo) | somme_prima.keys() | somme_dopo.keys())
    zero = Decimal("0.00")
    righe = [RigaBudget(a, somme_prima.get(a, zero), somme_dopo.get(a, zero)) for a in anni]
    righe.append(
        RigaBudget(
            None,
            sum((r.prima for r in righe), zero),
            sum((r.dopo for r in righe), zero),
        )
    )
    return righe


@dataclass
class Confronto:
    sezioni: list
    obiettivi: DiffObiettivi
    budget: list

    @property
    def sezioni_cambiate(self):
        return [s for s in self.sezioni if s.cambiata]

    @property
    def identiche(self):
        return (
            not self.sezioni_cambiate
            and self.obiettivi.vuoto
            and not any(r.cambiata for r in self.budget)
        )


def confronta(prima, dopo, *, contesto=CONTESTO):
    """Everything that changed from the ``prima`` content to the ``dopo`` content."""
    return Confronto(
        sezioni=confronta_sezioni(prima, dopo, contesto=contesto),
        obiettivi=confronta_obiettivi(prima, dopo),
        budget=confronta_budget(prima, dopo),
    )

"""Budget arithmetic: exact Decimal sums, cross tables and the comuni's per-capita quotas.

The functions read budget lines as dicts (``voce_dict``), the shape they have in a frozen
version, so the same code sums the working draft, a version and the accordo's resources.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

CENTESIMO = Decimal("0.01")
IMPORTI = ("previsto", "impegnato", "speso")


def euro(valore):
    """``valore`` as a Decimal of euros and cents (strings from JSON included)."""
    return Decimal(str(valore or 0)).quantize(CENTESIMO, rounding=ROUND_HALF_UP)


def testo_euro(valore):
    """An amount as the page's language writes it, with its cents: ``€ 1.234,50``."""
    if valore in (None, ""):
        return ""
    return "€\u00a0" + number_format(Decimal(valore), 2, use_l10n=True, force_grouping=True)


def area_utenza(aree):
    """The target group a budget line counts under: its objective's only group; with more
    groups or none, "Multiutenza" (as ISTAT classifies interventions for several groups)."""
    return aree[0] if len(aree) == 1 else "Multiutenza"


def voce_dict(voce):
    """A ``VoceBudget`` (with fonte, obiettivo__aree_utenza, azione loaded) as a plain dict."""
    obiettivo = voce.obiettivo
    aree = [a.nome for a in obiettivo.aree_utenza.all()] if obiettivo else []
    return {
        "id": voce.pk,
        "anno": voce.anno,
        "fonte": voce.fonte.nome,
        "fonte_codice": voce.fonte.codice,
        "fonte_tipo": voce.fonte.tipo,
        "fonte_ordine": voce.fonte.ordine,
        "obiettivo": obiettivo.codice if obiettivo else "",
        "obiettivo_titolo": obiettivo.titolo if obiettivo else "",
        "azione": voce.azione.titolo if voce.azione_id else "",
        "tipo_spesa": voce.tipo_spesa,
        "descrizione": voce.descrizione,
        "area_utenza": area_utenza(aree),
        "previsto": euro(voce.previsto),
        "impegnato": euro(voce.impegnato),
        "speso": euro(voce.speso),
    }


@dataclass
class Tabella:
    """A cross table of sums: ``righe`` × ``colonne`` with the totals of each row, column and
    the whole; ``celle[(riga, colonna)]`` is a Decimal (zero where nothing is)."""

    righe: list
    colonne: list
    celle: dict = field(default_factory=dict)
    totali_riga: dict = field(default_factory=dict)
    totali_colonna: dict = field(default_factory=dict)
    totale: Decimal = Decimal("0.00")

    def righe_complete(self):
        """[(riga, [cell per column], row total)] for templates."""
        return [
            (
                r,
                [self.celle.get((r, c), Decimal("0.00")) for c in self.colonne],
                self.totali_riga[r],
            )
            for r in self.righe
        ]

    def colonne_totali(self):
        return [self.totali_colonna[c] for c in self.colonne]


def tabella(voci, riga, colonna, importo="previsto", *, colonne=None, ordine_righe=None):
    """Sum ``importo`` of ``voci`` (dicts) by ``riga`` × ``colonna`` (keys of the dicts).

    ``colonne`` fixes the columns (e.g. every year of the plan, even empty ones);
    ``ordine_righe`` is a key to sort the rows (default: alphabetical)."""
    celle = defaultdict(lambda: Decimal("0.00"))
    for voce in voci:
        celle[(voce[riga], voce[colonna])] += euro(voce[importo])
    nomi_righe = {r for r, _c in celle}
    nomi_colonne = list(colonne) if colonne is not None else sorted({c for _r, c in celle})
    righe = sorted(nomi_righe, key=ordine_righe) if ordine_righe else sorted(nomi_righe)
    t = Tabella(righe=righe, colonne=nomi_colonne, celle=dict(celle))
    for r in righe:
        t.totali_riga[r] = sum(
            (celle.get((r, c), Decimal("0.00")) for c in nomi_colonne), Decimal("0.00")
        )
    for c in nomi_colonne:
        t.totali_colonna[c] = sum(
            (celle.get((r, c), Decimal("0.00")) for r in righe), Decimal("0.00")
        )
    t.totale = sum(t.totali_riga.values(), Decimal("0.00"))
    return t


def tabella_fonti(voci, anni):
    """Planned amounts by funding source × year, sources in their reference order."""
    ordine = {v["fonte"]: (v.get("fonte_ordine") or 0, v["fonte"]) for v in voci}
    return tabella(voci, "fonte", "anno", colonne=anni, ordine_righe=ordine.get)


def totali(voci):
    """{"previsto": …, "impegnato": …, "speso": …} of ``voci``."""
    return {k: sum((euro(v[k]) for v in voci), Decimal("0.00")) for k in IMPORTI}


@dataclass
class Quota:
    comune: str
    popolazione: int | None
    importo: Decimal


def quote_comunali(righe, quota_pro_capite):
    """Each comune's quota: ``quota_pro_capite`` × residents, rounded to the cent.

    ``righe`` are (name, residents or None); a comune without population pays nothing
    until its figure is loaded (the page says so)."""
    quota = Decimal(str(quota_pro_capite))
    return [
        Quota(nome, pop, euro(quota * pop) if pop is not None else Decimal("0.00"))
        for nome, pop in righe
    ]


@dataclass
class Riepilogo:
    """A summary table: the planned amounts of ``righe`` × years, with each row's total
    planned, committed and spent, and the same totals for the whole."""

    anni: list
    righe: list  # [(name, [planned per year], planned, committed, spent)]
    totali_anni: list  # planned per year, all rows
    previsto: Decimal
    impegnato: Decimal
    speso: Decimal


def riepilogo(voci, chiave, anni, *, ordine_righe=None):
    """The ``Riepilogo`` of ``voci`` (dicts) by ``chiave`` (e.g. "fonte", "area_utenza")."""
    tabelle = {
        importo: tabella(voci, chiave, "anno", importo, colonne=anni, ordine_righe=ordine_righe)
        for importo in IMPORTI
    }
    previsto = tabelle["previsto"]
    righe = [
        (
            nome,
            celle,
            totale,
            tabelle["impegnato"].totali_riga[nome],
            tabelle["speso"].totali_riga[nome],
        )
        for nome, celle, totale in previsto.righe_complete()
    ]
    return Riepilogo(
        anni=list(anni),
        righe=righe,
        totali_anni=previsto.colonne_totali(),
        previsto=previsto.totale,
        impegnato=tabelle["impegnato"].totale,
        speso=tabelle["speso"].totale,
    )

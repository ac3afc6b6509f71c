"""Charts of the plan drawn on the server as inline SVG (no JavaScript), in the style of
``terzo_settore.charts``: the geometry is computed here, the templates draw it.

- ``barre_importi``: horizontal bars of amounts (the budget summary by source, by target group);
- ``colonne_indicatore``: one column each for an indicator's baseline, yearly values and target.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from piani.budget import testo_euro
from terzo_settore import charts

# --- horizontal bars of amounts ----------------------------------------------------------

RIGA_TESTO = 18  # px between two lines of text
BARRA = 14  # px, height of a bar
SPAZIO = 16  # px between a bar and the next label
CARATTERI_PER_RIGA = 44
RIGHE_MAX = 3


@dataclass
class BarraImporto:
    etichetta: str
    righe: list  # the label wrapped: [(y, text)]
    importo: Decimal
    percentuale: Decimal  # 0-100, one decimal
    testo: str  # "€ 1.234,56 (33,3%)"
    y_testo: int
    y_barra: int
    larghezza: str  # of the bar, an SVG percentage with a decimal point: "22.67%"


@dataclass
class GraficoImporti:
    barre: list
    altezza: int
    barra: int = BARRA


def barre_importi(voci):
    """Horizontal bars of ``voci`` [(label, Decimal)]: the label, then the amount and its
    share of the total ("€ 1.234,56 (33,3%)"), then a bar as long as the share. The text
    sits on its own lines, so that long amounts stay readable on a phone."""
    totale = sum((v for _e, v in voci), Decimal("0"))
    barre = []
    y = 0
    for etichetta, importo in voci:
        quota = charts.percentuale(importo, totale)
        righe = charts.righe_etichetta(etichetta, CARATTERI_PER_RIGA, RIGHE_MAX)
        righe_y = [y + 14 + n * RIGA_TESTO for n in range(len(righe))]
        y_testo = righe_y[-1] + RIGA_TESTO
        y_barra = y_testo + 6
        # a hairline even for 0, so that every row visibly has its bar
        larghezza = max(quota, Decimal("0.3"))
        barre.append(
            BarraImporto(
                etichetta=etichetta,
                righe=list(zip(righe_y, righe, strict=True)),
                importo=importo,
                percentuale=quota,
                testo=f"{testo_euro(importo)} ({number_format(quota, 1)}%)",
                y_testo=y_testo,
                y_barra=y_barra,
                larghezza=f"{larghezza:.2f}%",
            )
        )
        y = y_barra + BARRA + SPAZIO
    return GraficoImporti(barre=barre, altezza=max(y - SPAZIO + 2, 0))


# --- columns of an indicator --------------------------------------------------------------

LARGHEZZA = 360
ALTEZZA = 196
ALTO = 24  # room for the value above the tallest column
BASE = 158  # y of the axis
ETICHETTA_Y = 178
COLONNA = 34


@dataclass
class Colonna:
    etichetta: str
    valore: Decimal | None
    testo: str
    tipo: str  # "baseline", "anno", "target"
    x: int
    y: int
    altezza: int
    x_testo: int


@dataclass
class GraficoColonne:
    colonne: list
    larghezza: int = LARGHEZZA
    altezza: int = ALTEZZA
    base: int = BASE
    etichetta_y: int = ETICHETTA_Y
    larghezza_colonna: int = COLONNA
    y_target: int | None = None


def _numero(valore):
    if valore is None:
        return "—"
    return number_format(Decimal(valore).normalize(), use_l10n=True, force_grouping=True)


def colonne_indicatore(baseline, target, valori, anni):
    """Columns of baseline, each year of ``anni`` (``valori`` {anno: Decimal}, missing years
    drawn empty with a dash) and target, scaled to the largest value; a dashed line marks
    the target's height. Negative values are drawn as an empty column with their number."""
    serie = [(_("Baseline"), baseline, "baseline")]
    serie += [(str(anno), valori.get(anno), "anno") for anno in anni]
    serie.append((_("Target"), target, "target"))
    massimo = max((Decimal(v) for _e, v, _t in serie if v is not None), default=Decimal(0))
    if massimo <= 0:
        massimo = Decimal(1)
    spazio = LARGHEZZA // len(serie)
    traccia = BASE - ALTO

    def altezza(valore):
        if valore is None or valore <= 0:
            return 0
        return max(int((Decimal(valore) * traccia / massimo).to_integral_value()), 1)

    colonne = []
    for n, (etichetta, valore, tipo) in enumerate(serie):
        h = altezza(valore)
        x = n * spazio + (spazio - COLONNA) // 2
        colonne.append(
            Colonna(
                etichetta=etichetta,
                valore=valore,
                testo=_numero(valore),
                tipo=tipo,
                x=x,
                y=BASE - h,
                altezza=h,
                x_testo=x + COLONNA // 2,
            )
        )
    y_target = BASE - altezza(target) if target is not None and target > 0 else None
    return GraficoColonne(colonne=colonne, y_target=y_target)

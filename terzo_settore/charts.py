"""Charts drawn on the server as inline SVG: no JavaScript, nothing loaded from elsewhere.

The geometry is computed here; ``templates/terzo_settore/rilevazioni/_barre.html`` draws it.
The SVG has no viewBox: bars are percentages of its width and text keeps its real size, so
a chart stays readable on a phone; long labels wrap onto more lines.
"""

import textwrap
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

TRACCIA = Decimal(68)  # % of the width a 100% bar takes; the numbers go on its right
RIGA_TESTO = 18  # px between two lines of a label
BARRA = 18  # px, height of a bar
SPAZIO = 14  # px between an option's bar and the next option's label
CARATTERI_PER_RIGA = 38  # fits a phone's width at 15px
RIGHE_MAX = 3


@dataclass
class Barra:
    etichetta: str
    righe: list  # the label wrapped: [(y, text)]
    conteggio: int
    percentuale: Decimal  # 0-100, one decimal
    testo: str  # "33,3% (12)"
    y_barra: int
    larghezza: str  # of the bar, an SVG percentage with a decimal point: "22.67%"


@dataclass
class Grafico:
    barre: list
    altezza: int
    traccia: str = f"{TRACCIA}%"
    x_numeri: str = f"{TRACCIA + 2}%"


def percentuale(parte, totale):
    if not totale:
        return Decimal(0)
    return (Decimal(parte) * 100 / totale).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def righe_etichetta(etichetta, caratteri=CARATTERI_PER_RIGA, massimo=RIGHE_MAX):
    """``etichetta`` wrapped in lines of ``caratteri``, at most ``massimo`` (the last cut
    with "…")."""
    righe = textwrap.wrap(etichetta, caratteri) or [""]
    if len(righe) > massimo:
        righe = righe[:massimo]
        righe[-1] = righe[-1][: caratteri - 1].rstrip() + "…"
    return righe


def _testo(quota, conteggio):
    return f"{number_format(quota, 1)}% ({number_format(conteggio, force_grouping=True)})"


def barre_orizzontali(voci, totale):
    """A horizontal bar chart of ``voci`` [(label, count)]: each bar as long as its share of
    ``totale`` (100% fills the track), labelled with the percentage and the count."""
    barre = []
    y = 0
    for etichetta, conteggio in voci:
        quota = percentuale(conteggio, totale)
        righe = righe_etichetta(etichetta)
        testo_y = [y + 14 + n * RIGA_TESTO for n in range(len(righe))]
        y_barra = testo_y[-1] + 6
        # a hairline even for 0, so that every option visibly has its row
        larghezza = max(quota * TRACCIA / 100, Decimal("0.3"))
        barre.append(
            Barra(
                etichetta=etichetta,
                righe=list(zip(testo_y, righe, strict=True)),
                conteggio=conteggio,
                percentuale=quota,
                testo=_testo(quota, conteggio),
                y_barra=y_barra,
                larghezza=f"{larghezza:.2f}%",
            )
        )
        y = y_barra + BARRA + SPAZIO
    return Grafico(barre=barre, altezza=max(y - SPAZIO + 4, 0))

"""Progress of the indicators against their targets (the monitoring page and its CSV).

Progress is how far the last value has gone from the baseline towards the target:
(last − baseline) / (target − baseline), as a percentage. It reads the same for a target
above the baseline (more people reached) and below it (fewer admissions): moving the wrong
way gives a negative progress, going beyond the target more than 100%. A target equal to
the baseline means "keep the level": 100% while the last value is at it, else 0%.

An indicator is on track when its progress is at least the share of the three years that
had elapsed at the end of its last measured year (a 2025 value of a 2025-2027 plan is
expected at one third of the way), behind when less, without data when nothing was measured.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

UN_DECIMALE = Decimal("0.1")


class Stato:
    IN_LINEA = "in_linea"
    IN_RITARDO = "in_ritardo"
    SENZA_DATI = "senza_dati"
    ETICHETTE = {
        IN_LINEA: _("On track"),
        IN_RITARDO: _("Behind"),
        SENZA_DATI: _("No data"),
    }


def _frazione_avanzamento(baseline, target, valore):
    baseline, target, valore = (Fraction(Decimal(str(x))) for x in (baseline, target, valore))
    if target == baseline:
        return Fraction(1) if valore == target else Fraction(0)
    return (valore - baseline) / (target - baseline)


def _percentuale(frazione):
    return (Decimal(frazione.numerator) * 100 / Decimal(frazione.denominator)).quantize(
        UN_DECIMALE, rounding=ROUND_HALF_UP
    )


def avanzamento(baseline, target, valore):
    """Progress as a percentage with one decimal (Decimal), None without a value."""
    if valore is None:
        return None
    return _percentuale(_frazione_avanzamento(baseline, target, valore))


def quota_attesa(anni, anno):
    """The share of the plan's ``anni`` elapsed at the end of ``anno`` (a Fraction)."""
    return Fraction(anno - anni[0] + 1, len(anni))


@dataclass
class Andamento:
    """One indicator on the monitoring page."""

    indicatore: object
    anni: list  # the plan's years
    valori: dict  # {anno: Decimal}
    ultimo_anno: int | None
    ultimo_valore: Decimal | None
    avanzamento: Decimal | None  # %, one decimal
    atteso: Decimal | None  # %, one decimal
    stato: str

    @property
    def stato_etichetta(self):
        return Stato.ETICHETTE[self.stato]

    @property
    def barra(self):
        """The progress bar's width in % (0 to 100)."""
        if self.avanzamento is None:
            return 0
        return int(min(max(self.avanzamento, Decimal(0)), Decimal(100)))

    @property
    def valori_anni(self):
        """The value of each of the plan's years (None where nothing was measured)."""
        return [self.valori.get(anno) for anno in self.anni]


def andamento(indicatore, misurazioni, anni):
    """The ``Andamento`` of ``indicatore`` from its ``misurazioni`` within the plan's ``anni``."""
    valori = {m.anno: m.valore for m in misurazioni if m.anno in anni}
    if not valori:
        return Andamento(indicatore, list(anni), {}, None, None, None, None, Stato.SENZA_DATI)
    ultimo = max(valori)
    frazione = _frazione_avanzamento(indicatore.baseline, indicatore.target, valori[ultimo])
    attesa = quota_attesa(anni, ultimo)
    return Andamento(
        indicatore=indicatore,
        anni=list(anni),
        valori=valori,
        ultimo_anno=ultimo,
        ultimo_valore=valori[ultimo],
        avanzamento=_percentuale(frazione),
        atteso=_percentuale(attesa),
        stato=Stato.IN_LINEA if frazione >= attesa else Stato.IN_RITARDO,
    )

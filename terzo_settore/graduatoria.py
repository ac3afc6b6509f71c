"""The ranking (graduatoria) of a co-progettazione notice, from the commission's scores.

For every admitted proposal and criterion the average of the scores the commission members
gave; the total is the sum of those averages, rounded half up to two decimals. Proposals
with the same total share their position (1, 2, 2, 4) and are listed by protocol number; a
proposal nobody scored comes last, with no position and no total. A criterion of a scored
proposal that nobody scored counts 0 in its total.

Only the scores of the people who sit on the commission now count: somebody who leaves it
(e.g. for a conflict of interest) takes their scores away with them.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from terzo_settore.models import Domanda, Punteggio

CENTESIMI = Decimal("0.01")


def arrotonda(value):
    return value.quantize(CENTESIMI, rounding=ROUND_HALF_UP)


@dataclass
class Riga:
    posizione: int | None
    domanda: Domanda
    organizzazione: str
    medie: list  # [(criterio, Decimal rounded to 2 places, or None)], in the criteria's order
    totale: Decimal | None
    commissari: int  # how many commission members scored the proposal


class Graduatoria(list):
    """The rows of the ranking, best first; ``criteri`` in the order of each row's ``medie``."""

    def __init__(self, righe, criteri):
        super().__init__(righe)
        self.criteri = criteri


def graduatoria(avviso):
    """The ranking of the admitted proposals of ``avviso`` (three queries, any size)."""
    criteri = list(avviso.criteri.all())
    domande = list(
        Domanda.objects.filter(avviso=avviso, stato=Domanda.Stato.AMMESSA).select_related(
            "organizzazione__ente"
        )
    )
    punteggi = Punteggio.objects.filter(
        domanda__avviso=avviso,
        domanda__stato=Domanda.Stato.AMMESSA,
        commissario__commissioni=avviso,
    )
    somme = {
        (r["domanda_id"], r["criterio_id"]): (r["somma"], r["n"])
        for r in punteggi.values("domanda_id", "criterio_id")
        .annotate(somma=Sum("punti"), n=Count("pk"))
        .order_by()
    }
    commissari = dict(
        punteggi.values("domanda_id")
        .annotate(n=Count("commissario", distinct=True))
        .order_by()
        .values_list("domanda_id", "n")
    )
    return ordina(criteri, domande, somme, commissari)


def ordina(criteri, domande, somme, commissari):
    """The ranking from the sums of scores: ``somme`` {(domanda pk, criterio pk): (sum, how
    many scores)}, ``commissari`` {domanda pk: how many members scored it}. No queries."""
    righe = []
    for domanda in domande:
        medie = []
        for criterio in criteri:
            somma, n = somme.get((domanda.pk, criterio.pk), (None, 0))
            medie.append(Decimal(somma) / n if n else None)
        n = commissari.get(domanda.pk, 0)
        totale = arrotonda(sum((m for m in medie if m is not None), Decimal(0))) if n else None
        righe.append(
            Riga(
                posizione=None,
                domanda=domanda,
                organizzazione=domanda.organizzazione.ente.denominazione,
                medie=[
                    (c, None if m is None else arrotonda(m))
                    for c, m in zip(criteri, medie, strict=True)
                ],
                totale=totale,
                commissari=n,
            )
        )
    righe.sort(
        key=lambda r: (
            r.totale is None,
            -(r.totale or 0),
            r.domanda.protocollo_anno or 0,
            r.domanda.protocollo_numero or 0,
            r.domanda.pk,
        )
    )
    for i, riga in enumerate(righe):
        if riga.totale is None:
            continue
        if i and righe[i - 1].totale == riga.totale:
            riga.posizione = righe[i - 1].posizione
        else:
            riga.posizione = i + 1
    return Graduatoria(righe, criteri)

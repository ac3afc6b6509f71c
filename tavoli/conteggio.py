"""The count of a vote: a pure function of the rule and of who voted what.

Nothing here reads the database, so every rule of DOMAIN.md § 6 is checked by unit tests
with hand-computed cases. ``regola`` is a ``RegolaVoto`` or its ``regola_snapshot`` dict.

- Only members with a voting right are ``Elettore``s.
- Those present who cast no vote count as abstaining.
- The quorum is measured on what the rule weighs: heads, population, or both.
- Percentages are "more than": a quorum of 50 is half plus one; a threshold of 50 is more
  than half; a quorum of 0 needs only someone present.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

FAVOREVOLE, CONTRARIO, ASTENUTO = "favorevole", "contrario", "astenuto"
TESTA, POPOLAZIONE, DOPPIA = "testa", "popolazione", "doppia"
SEMPLICE, PRESENTI, COMPONENTI, UNANIMITA = "semplice", "presenti", "componenti", "unanimita"


class PopolazioneMancante(ValueError):
    """A population-weighted count with a member whose comune has no population figure."""

    def __init__(self, nomi):
        self.nomi = list(nomi)
        super().__init__(
            _(
                "The vote cannot be counted by population: no population figure for %(nomi)s. "
                "Import the latest ISTAT figures first."
            )
            % {"nomi": ", ".join(self.nomi)}
        )


@dataclass(frozen=True)
class Elettore:
    """A member with a voting right: ``peso`` is the population of its comune (None if
    unknown), ``scelta`` what it voted (None if it did not vote)."""

    membro_id: int
    nome: str
    presente: bool
    scelta: str | None = None
    peso: int | None = None


@dataclass(frozen=True)
class Conta:
    """Heads and weight of a group of voters."""

    teste: int = 0
    peso: int = 0

    def __add__(self, other):
        return Conta(self.teste + other.teste, self.peso + other.peso)


@dataclass(frozen=True)
class Risultato:
    componenti: Conta
    presenti: Conta
    favorevoli: Conta
    contrari: Conta
    astenuti: Conta
    quorum_raggiunto: bool
    approvata: bool
    esito: str  # "approvata", "respinta" or "nulla" (quorum not reached)
    appello: list  # roll call: [{"membro_id", "nome", "presente", "scelta", "peso"}]

    def as_dict(self):
        return asdict(self)


def snapshot(regola):
    """The rule as plain JSON, kept with each vote."""
    return {
        "nome": regola.nome,
        "peso": regola.peso,
        "maggioranza": regola.maggioranza,
        "soglia": str(regola.soglia),
        "quorum_prima": str(regola.quorum_prima),
        "quorum_seconda": str(regola.quorum_seconda),
    }


def conta(regola, elettori, *, seconda_convocazione=False):
    """Count the vote of ``elettori`` under ``regola``; returns a ``Risultato``.

    Raises ``PopolazioneMancante`` when the rule weighs population and a member has none.
    """
    regola = regola if isinstance(regola, dict) else snapshot(regola)
    peso_regola = regola["peso"]
    usa_popolazione = peso_regola in (POPOLAZIONE, DOPPIA)
    if usa_popolazione:
        mancanti = [e.nome for e in elettori if e.peso is None]
        if mancanti:
            raise PopolazioneMancante(mancanti)

    def somma(gruppo):
        return Conta(len(gruppo), sum(e.peso or 0 for e in gruppo))

    presenti = [e for e in elettori if e.presente]
    favorevoli = [e for e in presenti if e.scelta == FAVOREVOLE]
    contrari = [e for e in presenti if e.scelta == CONTRARIO]
    astenuti = [e for e in presenti if e.scelta not in (FAVOREVOLE, CONTRARIO)]
    tot, pres = somma(elettori), somma(presenti)
    fav, contr = somma(favorevoli), somma(contrari)

    misure = {TESTA: ["teste"], POPOLAZIONE: ["peso"], DOPPIA: ["teste", "peso"]}[peso_regola]
    quorum = Decimal(regola["quorum_seconda" if seconda_convocazione else "quorum_prima"])
    quorum_raggiunto = pres.teste > 0 and all(
        _piu_di(getattr(pres, m), quorum, getattr(tot, m)) for m in misure
    )

    maggioranza, soglia = regola["maggioranza"], Decimal(regola["soglia"])
    if maggioranza == UNANIMITA:
        approvata = fav.teste > 0 and fav.teste == pres.teste
    elif maggioranza == SEMPLICE:
        approvata = all(getattr(fav, m) > getattr(contr, m) for m in misure)
    else:
        base = pres if maggioranza == PRESENTI else tot
        approvata = all(_piu_di(getattr(fav, m), soglia, getattr(base, m)) for m in misure)
    approvata = quorum_raggiunto and approvata

    return Risultato(
        componenti=tot,
        presenti=pres,
        favorevoli=fav,
        contrari=contr,
        astenuti=somma(astenuti),
        quorum_raggiunto=quorum_raggiunto,
        approvata=approvata,
        esito="nulla" if not quorum_raggiunto else "approvata" if approvata else "respinta",
        appello=[
            {
                "membro_id": e.membro_id,
                "nome": e.nome,
                "presente": e.presente,
                "scelta": (e.scelta or ASTENUTO) if e.presente else None,
                "peso": e.peso,
            }
            for e in elettori
        ],
    )


def _piu_di(parte, percentuale, totale):
    """``parte`` is more than ``percentuale`` % of ``totale`` (0 % → at least something)."""
    if percentuale == 0:
        return parte > 0 or totale == 0
    return parte * 100 > percentuale * totale

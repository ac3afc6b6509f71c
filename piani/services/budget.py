"""Changes to the budget: its lines, the ambito's funding sources and the comuni's quotas.

Amounts are exact Decimals from the form to the database; sums are made by ``piani.budget``.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.models import AppartenenzaComune
from pdz.audit import log_action
from pdz.exceptions import OperazioneNonValida
from pdz.forms import numero_italiano
from piani import budget
from piani.models import FonteFinanziamento, Piano, VoceBudget

CODICE_QUOTE = "quote-comunali"


def salva_voce(form, *, by):
    """Create or update a budget line from its (valid) ``VoceForm``."""
    nuova = form.instance.pk is None
    with transaction.atomic():
        voce = form.save()
        log_action(
            voce,
            "piano.voce_creata" if nuova else "piano.voce_modificata",
            user=by,
            data={
                "campi": sorted(form.changed_data),
                **{k: str(getattr(voce, k)) for k in budget.IMPORTI},
            },
        )
    return voce


def rimuovi_voce(voce, *, by):
    """Remove a budget line (it stays on record with its removal date)."""
    with transaction.atomic():
        voce = VoceBudget.objects.select_for_update().get(pk=voce.pk)
        if voce.rimosso_at:
            raise OperazioneNonValida(_("The budget line was already removed."))
        voce.rimosso_at = timezone.now()
        voce.save(update_fields=["rimosso_at", "updated_at"])
        log_action(
            voce,
            "piano.voce_rimossa",
            user=by,
            data={"anno": voce.anno, "previsto": str(voce.previsto)},
        )
    return voce


def salva_fonte(form, *, by):
    """Create or update one of the ambito's own funding sources."""
    nuova = form.instance.pk is None
    with transaction.atomic():
        fonte = form.save()
        log_action(
            fonte,
            "piano.fonte_creata" if nuova else "piano.fonte_modificata",
            user=by,
            data={"campi": sorted(form.changed_data)},
        )
    return fonte


# --- municipal quotas ---------------------------------------------------------------------


@dataclass
class QuotaComune:
    comune: str
    popolazione: int | None
    popolazione_al: object  # a date, or None
    importo: Decimal


@dataclass
class Quote:
    righe: list
    residenti: int
    totale: Decimal
    senza_popolazione: list

    @property
    def complete(self):
        return not self.senza_popolazione


def quote_del_piano(piano, quota=None):
    """Each comune of the ambito in force today with its latest population and its quota
    (``quota`` or the plan's rate per resident; zero when there is no rate)."""
    appartenenze = (
        AppartenenzaComune.objects.in_vigore()
        .with_popolazione()
        .filter(ambito=piano.ambito)
        .select_related("comune")
        .order_by("comune__nome")
    )
    appartenenze = list(appartenenze)
    tariffa = quota if quota is not None else (piano.quota_pro_capite or Decimal("0"))
    calcolate = budget.quote_comunali(
        [(a.comune.nome, a.popolazione) for a in appartenenze], tariffa
    )
    righe = [
        QuotaComune(q.comune, q.popolazione, a.popolazione_al, q.importo)
        for q, a in zip(calcolate, appartenenze, strict=True)
    ]
    return Quote(
        righe=righe,
        residenti=sum(r.popolazione for r in righe if r.popolazione is not None),
        totale=sum((r.importo for r in righe), Decimal("0.00")),
        senza_popolazione=[r.comune for r in righe if r.popolazione is None],
    )


def fonte_quote():
    """The shared funding source of the comuni's quotas (data migration 0002)."""
    fonti = FonteFinanziamento.objects.filter(ambito__isnull=True, quote_comunali=True)
    return fonti.filter(codice=CODICE_QUOTE).first() or fonti.order_by("pk").first()


def voce_quote(piano, anno):
    """The budget line the quotas are written into for ``anno``, if it exists: the live line
    of the quotas' source tied to no objective (the first one, should there be more)."""
    fonte = fonte_quote()
    if fonte is None:
        return None
    return (
        VoceBudget.objects.filter(
            piano=piano,
            anno=anno,
            fonte=fonte,
            obiettivo__isnull=True,
            azione__isnull=True,
            rimosso_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )


def imposta_quota(piano, quota, *, by):
    """Set the comuni's quota per resident of ``piano``."""
    with transaction.atomic():
        piano = Piano.objects.select_for_update().get(pk=piano.pk)
        prima = piano.quota_pro_capite
        piano.quota_pro_capite = quota
        piano.save(update_fields=["quota_pro_capite", "updated_at"])
        log_action(
            piano,
            "piano.quota_pro_capite",
            user=by,
            data={"da": str(prima) if prima is not None else None, "a": str(quota)},
        )
    return piano


def scrivi_quote(piano, anno, *, by):
    """Write the comuni's quotas of ``anno`` into the budget: one line of the quotas' source,
    planned = the sum of the quotas. A second call updates the same line.

    Returns (line, created)."""
    if anno not in piano.anni:
        raise OperazioneNonValida(_("Choose a year of the plan."))
    fonte = fonte_quote()
    if fonte is None:
        raise OperazioneNonValida(_("The funding source of the municipal quotas is missing."))
    with transaction.atomic():
        piano = Piano.objects.select_for_update().get(pk=piano.pk)
        if piano.quota_pro_capite is None:
            raise OperazioneNonValida(_("Set the quota per resident first."))
        quote = quote_del_piano(piano)
        if not quote.righe:
            raise OperazioneNonValida(_("No municipality belongs to the ambito today."))
        if not quote.residenti:
            raise OperazioneNonValida(_("No municipality of the ambito has a population figure."))
        tariffa = numero_italiano(piano.quota_pro_capite)
        residenti = numero_italiano(quote.residenti, 0)
        descrizione = f"Quote comunali: € {tariffa} × {residenti} residenti"
        voce = voce_quote(piano, anno)
        creata = voce is None
        if creata:
            voce = VoceBudget(
                piano=piano, anno=anno, fonte=fonte, tipo_spesa=VoceBudget.TipoSpesa.SERVIZI
            )
        prima = None if creata else str(voce.previsto)
        voce.previsto = quote.totale
        voce.descrizione = descrizione
        voce.save()
        log_action(
            voce,
            "piano.quote_comunali",
            user=by,
            data={
                "anno": anno,
                "quota": str(piano.quota_pro_capite),
                "residenti": quote.residenti,
                "da": prima,
                "a": str(quote.totale),
                "senza_popolazione": quote.senza_popolazione,
            },
        )
    return voce, creata

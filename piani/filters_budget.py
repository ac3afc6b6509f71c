"""Filters of the lists of objectives and budget lines of one plan."""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ambiti.filters import search_filter
from ambiti.models import AreaUtenza
from piani.models import FonteFinanziamento, Obiettivo, VoceBudget
from tavoli.models import AreaPolicy


class ObiettivoFilter(django_filters.FilterSet):
    """The live objectives of a plan: by code or title, policy area and target group."""

    q = search_filter(_("Code or title"))
    area_policy = django_filters.ModelChoiceFilter(
        label=_("Policy area"), queryset=AreaPolicy.objects.none(), empty_label=_("All")
    )
    area_utenza = django_filters.ModelChoiceFilter(
        label=_("Target group"),
        queryset=AreaUtenza.objects.none(),
        method="filter_area_utenza",
        empty_label=_("All"),
    )

    def __init__(self, data=None, *args, piano, **kwargs):
        super().__init__(data, *args, **kwargs)
        obiettivi = Obiettivo.objects.filter(piano=piano, rimosso_at__isnull=True)
        self.filters["area_policy"].queryset = AreaPolicy.objects.filter(
            Q(pk__in=obiettivi.values("area_policy"))
            | Q(pk__in=AreaPolicy.objects.per_ambito(piano.ambito))
        ).order_by("ordine", "nome")
        self.filters["area_utenza"].queryset = AreaUtenza.objects.filter(
            Q(pk__in=obiettivi.values("aree_utenza"))
            | Q(pk__in=AreaUtenza.objects.per_ambito(piano.ambito))
        ).order_by("ordine", "nome")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(codice__icontains=value) | Q(titolo__icontains=value))

    def filter_area_utenza(self, queryset, name, value):
        return queryset.filter(pk__in=Obiettivo.objects.filter(aree_utenza=value).values("pk"))


class VoceFilter(django_filters.FilterSet):
    """The live budget lines of a plan: by year, source, objective and spending type."""

    anno = django_filters.ChoiceFilter(label=_("Year"), empty_label=_("All"))
    fonte = django_filters.ModelChoiceFilter(
        label=_("Funding source"),
        queryset=FonteFinanziamento.objects.none(),
        empty_label=_("All"),
    )
    obiettivo = django_filters.ChoiceFilter(
        label=_("Objective"), method="filter_obiettivo", empty_label=_("All")
    )
    tipo_spesa = django_filters.ChoiceFilter(
        label=_("Spending type"), choices=VoceBudget.TipoSpesa.choices, empty_label=_("All")
    )

    NESSUNO = "-"

    def __init__(self, data=None, *args, piano, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["anno"].extra["choices"] = [(a, str(a)) for a in piano.anni]
        self.filters["fonte"].queryset = FonteFinanziamento.objects.filter(
            pk__in=VoceBudget.objects.filter(piano=piano, rimosso_at__isnull=True).values("fonte")
        ).order_by(F("ambito").asc(nulls_first=True), "ordine", "nome")
        obiettivi = piano.obiettivi.filter(rimosso_at__isnull=True).order_by("ordine", "codice")
        self.filters["obiettivo"].extra["choices"] = [
            *((str(o.pk), str(o)) for o in obiettivi),
            (self.NESSUNO, _("No objective (whole plan)")),
        ]

    def filter_obiettivo(self, queryset, name, value):
        if value == self.NESSUNO:
            return queryset.filter(obiettivo__isnull=True)
        return queryset.filter(obiettivo_id=value)

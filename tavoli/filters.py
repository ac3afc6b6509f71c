"""Search and filters of the lists of bodies, members, meetings and deliveries."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambiti.filters import search_filter
from ambiti.models import Ambito, AreaUtenza
from tavoli.models import Convocazione, Incontro, Membro, Tavolo


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


SI_NO = [("1", _("Yes")), ("0", _("No"))]


class TavoloFilter(django_filters.FilterSet):
    """The bodies a person may see: by name, ambito, kind and target group."""

    q = search_filter(_("Name"))
    ambito = django_filters.ModelChoiceFilter(
        label=_("Ambito"),
        queryset=Ambito.objects.none(),
        method="filter_ambito",
        empty_label=_("All"),
    )
    tipo = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Tavolo.Tipo.choices, empty_label=_("All")
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Target group"),
        queryset=AreaUtenza.objects.none(),
        method="filter_area",
        empty_label=_("All"),
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        visibili = self.queryset.values("pk")
        self.filters["ambito"].queryset = Ambito.objects.filter(
            Q(tavoli__in=visibili) | Q(tavoli_condivisi__in=visibili)
        ).distinct()
        self.filters["area"].queryset = AreaUtenza.objects.filter(tavoli__in=visibili).distinct()

    def search(self, queryset, name, value):
        return queryset.filter(nome__icontains=value.strip())

    def filter_ambito(self, queryset, name, value):
        return queryset.filter(
            pk__in=Tavolo.objects.filter(Q(ambito=value) | Q(ambiti_coinvolti=value)).values("pk")
        )

    def filter_area(self, queryset, name, value):
        return queryset.filter(pk__in=Tavolo.objects.filter(aree_utenza=value).values("pk"))


class MembroFilter(django_filters.FilterSet):
    """The members of one body; removed members only on request."""

    q = search_filter(_("Party or person"))
    ruolo = django_filters.ChoiceFilter(
        label=_("Role"), choices=Membro.Ruolo.choices, empty_label=_("All")
    )
    voto = django_filters.ChoiceFilter(
        label=_("Voting right"),
        choices=SI_NO,
        method="filter_voto",
        empty_label=_("All"),
    )
    rimossi = django_filters.BooleanFilter(
        label=_("Include removed members"),
        method="filter_rimossi",
        widget=forms.CheckboxInput,
    )

    def __init__(self, data=None, *args, email=False, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.email = email
        if email:
            self.filters["q"].label = _("Party, person or e-mail")

    @property
    def qs(self):
        if not hasattr(self, "_qs_membri"):
            queryset = super().qs
            if not getattr(self.form, "cleaned_data", {}).get("rimossi"):
                queryset = queryset.filter(rimosso_at__isnull=True)
            self._qs_membri = queryset
        return self._qs_membri

    def search(self, queryset, name, value):
        value = value.strip()
        condizione = (
            Q(ente__denominazione__icontains=value)
            | Q(delegato_nome__icontains=value)
            | Q(supplente_nome__icontains=value)
        )
        if self.email:
            condizione |= Q(delegato_email__icontains=value) | Q(supplente_email__icontains=value)
        return queryset.filter(condizione)

    def filter_voto(self, queryset, name, value):
        return queryset.filter(diritto_voto=value == "1")

    def filter_rimossi(self, queryset, name, value):
        return queryset  # applied in ``qs``: without the box ticked, active members only


class IncontroFilter(django_filters.FilterSet):
    """The meetings of the bodies a person may see."""

    q = search_filter(_("Title or body"))
    tavolo = django_filters.ModelChoiceFilter(
        label=_("Body"), queryset=Tavolo.objects.none(), empty_label=_("All")
    )
    stato = django_filters.ChoiceFilter(
        label=_("State"), choices=Incontro.Stato.choices, empty_label=_("All")
    )
    dal = django_filters.DateFilter(
        label=_("From"), field_name="inizio", lookup_expr="date__gte", widget=DateInput
    )
    al = django_filters.DateFilter(
        label=_("To"), field_name="inizio", lookup_expr="date__lte", widget=DateInput
    )

    def __init__(self, data=None, *args, tavoli, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["tavolo"].queryset = tavoli.order_by("nome")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(titolo__icontains=value) | Q(tavolo__nome__icontains=value))


class ConvocazioneFilter(django_filters.FilterSet):
    """The delivery table of a meeting."""

    q = search_filter(_("Party, name or address"))
    stato = django_filters.ChoiceFilter(
        label=_("Delivery"), choices=Convocazione.Stato.choices, empty_label=_("All")
    )
    risposta = django_filters.ChoiceFilter(
        label=_("Answer"),
        choices=[*Convocazione.Risposta.choices, ("-", _("No answer yet"))],
        method="filter_risposta",
        empty_label=_("All"),
    )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(membro__ente__denominazione__icontains=value)
            | Q(nome__icontains=value)
            | Q(email__icontains=value)
        )

    def filter_risposta(self, queryset, name, value):
        return queryset.filter(risposta="" if value == "-" else value)

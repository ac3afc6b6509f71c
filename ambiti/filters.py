"""Search and filters of the back-office lists; each FilterSet is bound to one ambito."""

import django_filters
from django import forms
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from localflavor.it.it_province import PROVINCE_CHOICES

from ambiti.models import Ente, Ruolo, SubAmbito


class StatoInvito:
    APERTO = "aperto"
    ACCETTATO = "accettato"
    SCADUTO = "scaduto"
    RITIRATO = "ritirato"
    choices = [
        (APERTO, _("Open")),
        (ACCETTATO, _("Accepted")),
        (SCADUTO, _("Expired")),
        (RITIRATO, _("Withdrawn")),
    ]


def with_stato(inviti):
    """Annotate ``stato`` (a StatoInvito value) on a queryset of invitations."""
    return inviti.annotate(
        stato=Case(
            When(accettato_at__isnull=False, then=Value(StatoInvito.ACCETTATO)),
            When(revocato_at__isnull=False, then=Value(StatoInvito.RITIRATO)),
            When(scade_at__lte=timezone.now(), then=Value(StatoInvito.SCADUTO)),
            default=Value(StatoInvito.APERTO),
        )
    )


class SearchInput(forms.TextInput):
    input_type = "search"


def search_filter(label):
    return django_filters.CharFilter(
        label=label, method="search", widget=SearchInput(attrs={"autocomplete": "off"})
    )


class AppartenenzaFilter(django_filters.FilterSet):
    q = search_filter(_("Municipality"))
    sub_ambito = django_filters.ModelChoiceFilter(
        label=_("Sub-ambito"), queryset=SubAmbito.objects.none(), empty_label=_("All")
    )
    provincia = django_filters.ChoiceFilter(
        label=_("Province"), field_name="comune__provincia", empty_label=_("All")
    )

    def __init__(self, data=None, *args, ambito, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["sub_ambito"].queryset = ambito.sub_ambiti.all()
        present = set(self.queryset.values_list("comune__provincia", flat=True))
        self.filters["provincia"].extra["choices"] = [
            (code, name) for code, name in PROVINCE_CHOICES if code in present
        ]
        if not ambito.sub_ambiti.exists():
            del self.filters["sub_ambito"]

    def search(self, queryset, name, value):
        return queryset.filter(comune__nome__icontains=value.strip())


class EnteFilter(django_filters.FilterSet):
    q = search_filter(_("Name or tax code"))
    tipo = django_filters.ChoiceFilter(
        label=_("Type"), choices=Ente.Tipo.choices, empty_label=_("All")
    )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(denominazione__icontains=value) | Q(codice_fiscale__iexact=value.upper())
        )


class RuoloFilter(django_filters.FilterSet):
    q = search_filter(_("Name or e-mail"))
    tipo = django_filters.ChoiceFilter(
        label=_("Role"), choices=Ruolo.Tipo.choices, empty_label=_("All")
    )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(user__full_name__icontains=value)
            | Q(user__email__icontains=value)
            | Q(ente__denominazione__icontains=value)
        )


class InvitoFilter(django_filters.FilterSet):
    q = search_filter(_("Name or e-mail"))
    stato = django_filters.ChoiceFilter(
        label=_("State"), choices=StatoInvito.choices, empty_label=_("All")
    )
    tipo = django_filters.ChoiceFilter(
        label=_("Role"), choices=Ruolo.Tipo.choices, empty_label=_("All")
    )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value))

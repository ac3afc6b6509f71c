"""Search and filters of the list of plans."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambiti.filters import search_filter
from ambiti.models import Ambito
from piani.models import Piano

SI_NO = [("1", _("Yes")), ("0", _("No"))]


class PianoFilter(django_filters.FilterSet):
    """The plans a person may see: by title or ambito, ambito, state, published."""

    q = search_filter(_("Title or ambito"))
    ambito = django_filters.ModelChoiceFilter(
        label=_("Ambito"), queryset=Ambito.objects.none(), empty_label=_("All")
    )
    stato = django_filters.ChoiceFilter(
        label=_("State"), choices=Piano.Stato.choices, empty_label=_("All")
    )
    pubblicato = django_filters.ChoiceFilter(
        label=_("Published"), choices=SI_NO, method="filter_pubblicato", empty_label=_("All")
    )

    def __init__(self, data=None, *args, stati=True, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["ambito"].queryset = Ambito.objects.filter(
            pk__in=self.queryset.values("ambito")
        ).order_by("nome")
        if not stati:
            # Who sees published plans only has nothing to choose there.
            del self.filters["stato"]
            del self.filters["pubblicato"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(titolo__icontains=value)
            | Q(ambito__nome__icontains=value)
            | Q(ambito__codice__icontains=value)
        )

    def filter_pubblicato(self, queryset, name, value):
        return queryset.filter(pubblicato_at__isnull=value != "1")

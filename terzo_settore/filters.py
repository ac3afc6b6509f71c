"""Search and filters of the third-sector lists."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambiti.filters import search_filter
from ambiti.models import AreaUtenza
from terzo_settore.models import Organizzazione


class RegistroFilter(django_filters.FilterSet):
    """The public register of an ambito: by name, target group and legal form."""

    q = search_filter(_("Name or municipality"))
    area = django_filters.ModelChoiceFilter(
        label=_("Area of activity"),
        field_name="aree",
        queryset=AreaUtenza.objects.none(),
        empty_label=_("All"),
    )
    forma_giuridica = django_filters.ChoiceFilter(
        label=_("Legal form"), choices=Organizzazione.FormaGiuridica.choices, empty_label=_("All")
    )

    def __init__(self, data=None, *args, ambito, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["area"].queryset = AreaUtenza.objects.per_ambito(ambito)

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(ente__denominazione__icontains=value) | Q(ente__sede__nome__icontains=value)
        )

"""Django admin for the regional administrator: a look at the third sector.

Organisations may be corrected here (a typo in a name, a RUNTS number); referenti, notices and
applications change only through the site, whose services check and log every change.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from terzo_settore.models import Avviso, Domanda, Organizzazione, Referente


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReferenteInline(ReadOnlyMixin, admin.TabularInline):
    model = Referente
    extra = 0
    fields = ["user", "gestore", "stato", "created_at"]
    readonly_fields = fields


@admin.register(Organizzazione)
class OrganizzazioneAdmin(admin.ModelAdmin):
    list_display = ["__str__", "forma_giuridica", "iscrizione", "sezione_runts", "codice_fiscale"]
    list_filter = ["forma_giuridica", "iscrizione", "sezione_runts", "ente__ambiti"]
    search_fields = ["ente__denominazione", "ente__codice_fiscale", "numero_repertorio"]
    list_select_related = ["ente"]
    readonly_fields = ["ente", "created_at", "updated_at"]
    filter_horizontal = ["sedi_operative", "aree"]
    inlines = [ReferenteInline]

    @admin.display(description=_("tax code"), ordering="ente__codice_fiscale")
    def codice_fiscale(self, obj):
        return obj.ente.codice_fiscale

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Referente)
class ReferenteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "organizzazione", "gestore", "stato", "created_at"]
    list_filter = ["stato", "gestore"]
    search_fields = ["user__full_name", "user__email", "organizzazione__ente__denominazione"]
    list_select_related = ["user", "organizzazione__ente"]


@admin.register(Avviso)
class AvvisoAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["titolo", "ambito", "tipo", "stato", "apertura", "chiusura"]
    list_filter = ["tipo", "stato", "ambito"]
    search_fields = ["titolo"]
    list_select_related = ["ambito"]


@admin.register(Domanda)
class DomandaAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["organizzazione", "avviso", "stato", "protocollo", "inviata_at"]
    list_filter = ["stato", "avviso__tipo", "ambito"]
    search_fields = [
        "organizzazione__ente__denominazione",
        "avviso__titolo",
        "protocollo_numero",
    ]
    list_select_related = ["organizzazione__ente", "avviso"]

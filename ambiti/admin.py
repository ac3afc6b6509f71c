"""Django admin for the regional administrator: reference data and a look at everything.

Day-to-day changes go through the back-office (``/ambiti/<codice>/gestione/``), whose
services check and log them; here roles and invitations are read-only.
"""

from django.contrib import admin

from ambiti.models import (
    Ambito,
    AppartenenzaComune,
    Comune,
    Ente,
    Invito,
    Popolazione,
    Ruolo,
    SubAmbito,
)


class PopolazioneInline(admin.TabularInline):
    model = Popolazione
    extra = 0
    fields = ["data_riferimento", "residenti", "fonte"]


@admin.register(Comune)
class ComuneAdmin(admin.ModelAdmin):
    list_display = ["nome", "provincia", "regione", "codice_catastale", "codice_istat", "attivo"]
    list_filter = ["regione", "attivo"]
    search_fields = ["nome", "codice_catastale", "codice_istat"]
    inlines = [PopolazioneInline]


class SubAmbitoInline(admin.TabularInline):
    model = SubAmbito
    extra = 0


class AppartenenzaInline(admin.TabularInline):
    model = AppartenenzaComune
    extra = 0
    autocomplete_fields = ["comune"]
    fields = ["comune", "sub_ambito", "dal", "al"]


@admin.register(Ambito)
class AmbitoAdmin(admin.ModelAdmin):
    list_display = ["nome", "codice", "regione", "ente_capofila"]
    list_filter = ["regione"]
    search_fields = ["nome", "codice"]
    autocomplete_fields = ["ente_capofila"]
    inlines = [SubAmbitoInline, AppartenenzaInline]


@admin.register(Ente)
class EnteAdmin(admin.ModelAdmin):
    list_display = ["denominazione", "tipo", "codice_fiscale", "comune", "attivo"]
    list_filter = ["tipo", "attivo", "ambiti"]
    search_fields = ["denominazione", "codice_fiscale", "partita_iva"]
    autocomplete_fields = ["comune", "sede"]
    filter_horizontal = ["ambiti"]


@admin.register(Ruolo)
class RuoloAdmin(admin.ModelAdmin):
    list_display = ["user", "tipo", "ambito", "ente", "valido_dal", "valido_al", "revocato_at"]
    list_filter = ["tipo", "ambito"]
    search_fields = ["user__full_name", "user__email", "ente__denominazione"]
    list_select_related = ["user", "ambito", "ente"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invito)
class InvitoAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "tipo", "ambito", "created_at", "scade_at"]
    list_filter = ["tipo", "ambito"]
    search_fields = ["email", "full_name"]
    list_select_related = ["ambito"]
    exclude = ["token"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

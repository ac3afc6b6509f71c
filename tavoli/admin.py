"""Django admin for the regional administrator: the shared reference data, and a look at the
bodies and their meetings.

The shared policy areas and voting-rule presets (no ambito) are kept here. Bodies and members
may be corrected (a typo, a wrong address); meetings, convocations, attendance and votes change
only through the site, whose services notify the members, raise the meeting's SEQUENCE and log
every change, so here they are read-only. Nothing is deleted.
"""

from django.contrib import admin

from tavoli.models import (
    AreaPolicy,
    Convocazione,
    Documento,
    FeedCalendario,
    Incontro,
    Membro,
    Presenza,
    PuntoOdg,
    RegolaVoto,
    Tavolo,
    Votazione,
    Voto,
)


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoDeleteMixin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AreaPolicy)
class AreaPolicyAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["nome", "ambito", "ordine", "attiva"]
    list_filter = ["attiva", ("ambito", admin.EmptyFieldListFilter), "ambito"]
    search_fields = ["nome"]
    list_select_related = ["ambito"]


@admin.register(RegolaVoto)
class RegolaVotoAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["nome", "ambito", "peso", "maggioranza", "soglia", "quorum_prima"]
    list_filter = ["peso", "maggioranza", ("ambito", admin.EmptyFieldListFilter), "ambito"]
    search_fields = ["nome"]
    list_select_related = ["ambito"]


class MembroInline(admin.TabularInline):
    model = Membro
    extra = 0
    fields = ["ente", "ruolo", "diritto_voto", "delegato_nome", "delegato_email", "rimosso_at"]
    readonly_fields = ["ente", "rimosso_at"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tavolo)
class TavoloAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["nome", "tipo", "ambito", "pubblico", "attivo", "regola_voto"]
    list_filter = ["tipo", "pubblico", "attivo", "ambito"]
    search_fields = ["nome", "descrizione"]
    list_select_related = ["ambito", "regola_voto"]
    autocomplete_fields = ["coordinatore"]
    filter_horizontal = ["ambiti_coinvolti", "aree_utenza", "aree_policy"]
    readonly_fields = ["tavolo_offerto", "created_at", "updated_at"]
    inlines = [MembroInline]


@admin.register(Membro)
class MembroAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["ente", "tavolo", "ruolo", "diritto_voto", "delegato_nome", "rimosso_at"]
    list_filter = ["ruolo", "diritto_voto", ("rimosso_at", admin.EmptyFieldListFilter)]
    search_fields = [
        "ente__denominazione",
        "tavolo__nome",
        "delegato_nome",
        "delegato_email",
        "supplente_nome",
        "supplente_email",
    ]
    list_select_related = ["ente", "tavolo"]
    readonly_fields = ["tavolo", "ente", "domanda", "created_at", "rimosso_at"]

    def has_add_permission(self, request):
        return False


class PuntoOdgInline(ReadOnlyMixin, admin.TabularInline):
    model = PuntoOdg
    fk_name = "incontro"
    extra = 0
    fields = ["numero", "titolo", "approva_verbale_di"]
    readonly_fields = fields


class DocumentoInline(ReadOnlyMixin, admin.TabularInline):
    model = Documento
    extra = 0
    fields = ["tipo", "titolo", "file", "caricato_da", "created_at", "rimosso_at"]
    readonly_fields = fields


@admin.register(Incontro)
class IncontroAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["titolo", "tavolo", "inizio", "stato", "urgente", "sequenza"]
    list_filter = ["stato", "urgente", "tavolo__tipo", "tavolo__ambito"]
    search_fields = ["titolo", "tavolo__nome", "luogo"]
    list_select_related = ["tavolo"]
    date_hierarchy = "inizio"
    inlines = [PuntoOdgInline, DocumentoInline]


@admin.register(Convocazione)
class ConvocazioneAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "email",
        "incontro",
        "destinatario",
        "canale",
        "stato",
        "tentativi",
        "inviata_at",
        "risposta",
    ]
    list_filter = ["stato", "canale", "destinatario", "risposta"]
    search_fields = ["email", "nome", "message_id", "incontro__titolo", "incontro__tavolo__nome"]
    list_select_related = ["incontro__tavolo"]
    date_hierarchy = "accodata_at"


@admin.register(Presenza)
class PresenzaAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["membro", "incontro", "stato", "rappresentato_da", "registrato_da"]
    list_filter = ["stato"]
    search_fields = ["membro__ente__denominazione", "incontro__titolo", "rappresentato_da"]
    list_select_related = ["membro__ente", "incontro__tavolo", "registrato_da"]


class VotoInline(ReadOnlyMixin, admin.TabularInline):
    model = Voto
    extra = 0
    fields = ["membro", "scelta", "espresso_da", "updated_at"]
    readonly_fields = fields


@admin.register(Votazione)
class VotazioneAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["oggetto", "tavolo", "modalita", "stato", "esito", "created_at", "chiusa_at"]
    list_filter = ["stato", "esito", "modalita"]
    search_fields = ["oggetto", "tavolo__nome"]
    list_select_related = ["tavolo"]
    inlines = [VotoInline]


@admin.register(Voto)
class VotoAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["membro", "votazione", "scelta", "espresso_da", "updated_at"]
    list_filter = ["scelta"]
    search_fields = ["membro__ente__denominazione", "votazione__oggetto"]
    list_select_related = ["membro__ente", "votazione", "espresso_da"]


@admin.register(FeedCalendario)
class FeedCalendarioAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who has a calendar address; the secret token itself is not shown."""

    list_display = ["user", "created_at"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    fields = ["user", "created_at"]
    readonly_fields = fields

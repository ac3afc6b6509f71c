"""Django admin for the regional administrator: the shared reference data (funding sources,
LEPS) and a read-only look at the plans. Plans, versions, comments and the accordo change
only through the site, whose services freeze versions and log every change. Nothing is deleted.
"""

from django.contrib import admin

from piani.models import (
    Accordo,
    Adesione,
    Consultazione,
    FonteFinanziamento,
    Leps,
    Osservazione,
    Piano,
    VersionePiano,
)
from tavoli.admin import NoDeleteMixin, ReadOnlyMixin


@admin.register(FonteFinanziamento)
class FonteFinanziamentoAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["nome", "codice", "tipo", "ambito", "quote_comunali", "ordine", "attiva"]
    list_filter = ["tipo", "attiva", ("ambito", admin.EmptyFieldListFilter), "ambito"]
    search_fields = ["nome", "codice"]
    list_select_related = ["ambito"]


@admin.register(Leps)
class LepsAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["nome", "riferimento", "ambito", "ordine", "attiva"]
    list_filter = ["attiva", ("ambito", admin.EmptyFieldListFilter), "ambito"]
    search_fields = ["nome", "riferimento"]
    list_select_related = ["ambito"]


@admin.register(Piano)
class PianoAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["titolo", "ambito", "anno_inizio", "stato", "approvato_il", "pubblicato_at"]
    list_filter = ["stato", "ambito"]
    search_fields = ["titolo", "ambito__nome"]
    list_select_related = ["ambito"]


@admin.register(VersionePiano)
class VersionePianoAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["piano", "numero", "motivo", "created_by", "created_at", "pdf_pagine"]
    list_filter = ["motivo"]
    list_select_related = ["piano", "created_by"]
    exclude = ["contenuto"]


@admin.register(Consultazione)
class ConsultazioneAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["piano", "versione", "apre_at", "chiude_at"]
    list_select_related = ["piano", "versione__piano"]


@admin.register(Osservazione)
class OsservazioneAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["consultazione", "sezione", "ente", "autore", "esito", "created_at"]
    list_filter = ["esito", "sezione"]
    search_fields = ["testo", "risposta", "ente__denominazione"]
    list_select_related = ["consultazione__piano", "ente", "autore"]


@admin.register(Adesione)
class AdesioneAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["organizzazione", "piano", "stato", "created_at", "decisa_at"]
    list_filter = ["stato"]
    search_fields = ["organizzazione__ente__denominazione"]
    list_select_related = ["organizzazione__ente", "piano"]


@admin.register(Accordo)
class AccordoAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["piano", "stato", "generato_at", "firmato_il", "atto_data", "bur_data"]
    list_filter = ["stato"]
    list_select_related = ["piano"]

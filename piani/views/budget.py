"""The budget of a plan: its lines (year × funding source × objective/action × spending type),
the summary tables with their charts, the comuni's quotas, and the ambito's funding sources.

Participants read (``piano_for_interno``: 404 otherwise); the staff of the plan's ambito
change (``piano_for_change``: 403 for participants). Sums are exact Decimals made by
``piani.budget``; CSV and XLSX exports carry the same numbers as the pages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambiti.models import Ambito
from ambiti.permissions import can_manage_ambito, ruoli
from pdz.exceptions import OperazioneNonValida
from pdz.lists import csv_response, paginate, wants_csv
from piani import budget, charts
from piani.export import Foglio, importo_csv, wants_xlsx, xlsx_response
from piani.filters_budget import VoceFilter
from piani.forms.budget import FonteForm, QuotaForm, VoceForm
from piani.models import FonteFinanziamento, VoceBudget
from piani.permissions import (
    can_manage_piano,
    is_partecipante,
    piano_for_change,
    piano_for_interno,
)
from piani.services import budget as services

MULTIUTENZA = "Multiutenza"


def _data(request):
    return request.POST if request.method == "POST" else None


def _voce(user, pk):
    voce = get_object_or_404(
        VoceBudget.objects.select_related("fonte", "obiettivo", "azione"),
        pk=pk,
        rimosso_at__isnull=True,
    )
    voce.piano = piano_for_change(user, voce.piano_id)
    return voce


def _ritorno(request, default):
    """Where to go after a change: ``?next=`` when it is a page of this site."""
    prossima = request.POST.get("next") or request.GET.get("next")
    if prossima and url_has_allowed_host_and_scheme(
        prossima, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return prossima
    return default


# --- the lines ----------------------------------------------------------------------------

INTESTAZIONE_VOCI = [
    gettext_lazy("Year"),
    gettext_lazy("Funding source"),
    gettext_lazy("Objective"),
    gettext_lazy("Action"),
    gettext_lazy("Spending type"),
    gettext_lazy("Description"),
    gettext_lazy("Planned (€)"),
    gettext_lazy("Committed (€)"),
    gettext_lazy("Spent (€)"),
]


def _intestazione_voci():
    return [str(x) for x in INTESTAZIONE_VOCI]


def _riga_voce(v):
    return [
        v.anno,
        v.fonte.nome,
        str(v.obiettivo) if v.obiettivo_id else "",
        v.azione.titolo if v.azione_id else "",
        v.get_tipo_spesa_display(),
        v.descrizione,
    ]


@login_required
def budget_view(request, pk):
    piano = piano_for_interno(request.user, pk)
    queryset = (
        VoceBudget.objects.filter(piano=piano, rimosso_at__isnull=True)
        .select_related("fonte", "obiettivo", "azione")
        .order_by("anno", "fonte__ordine", "fonte__nome", "pk")
    )
    filterset = VoceFilter(request.GET or None, queryset=queryset, piano=piano)
    voci = filterset.qs
    totali = budget.totali(voci.values(*budget.IMPORTI))
    if wants_csv(request):
        righe = [
            [*_riga_voce(v), *(importo_csv(getattr(v, k)) for k in budget.IMPORTI)] for v in voci
        ]
        righe.append(
            [_("Total"), "", "", "", "", "", *(importo_csv(totali[k]) for k in budget.IMPORTI)]
        )
        return csv_response(f"budget-{piano.pk}.csv", _intestazione_voci(), righe)
    if wants_xlsx(request):
        foglio = Foglio(
            titolo=_("Budget lines"),
            note=[f"{piano.titolo} — {piano.ambito.nome}"],
            intestazione=_intestazione_voci(),
            righe=[
                [*_riga_voce(v), *(budget.euro(getattr(v, k)) for k in budget.IMPORTI)]
                for v in voci
            ],
            totale=[_("Total"), "", "", "", "", "", *(totali[k] for k in budget.IMPORTI)],
        )
        return xlsx_response(f"budget-{piano.pk}.xlsx", [foglio])
    context = {
        "piano": piano,
        "gestore": can_manage_piano(request.user, piano),
        "filterset": filterset,
        "page": paginate(request, voci),
        "totali": totali,
    }
    return render(request, "piani/budget/budget.html", context)


@login_required
def voce_nuova(request, pk):
    piano = piano_for_change(request.user, pk)
    form = VoceForm(_data(request), piano=piano)
    if request.method == "GET":
        for campo in ("anno", "obiettivo", "azione", "fonte"):
            if request.GET.get(campo):
                form.initial[campo] = request.GET[campo]
    if request.method == "POST" and form.is_valid():
        voce = services.salva_voce(form, by=request.user)
        messages.success(
            request,
            _("The budget line of %(anno)s (%(fonte)s) has been added.")
            % {"anno": voce.anno, "fonte": voce.fonte},
        )
        return redirect(_ritorno(request, reverse("piani:budget", args=[piano.pk])))
    context = {"piano": piano, "form": form, "next": _ritorno(request, "")}
    return render(request, "piani/budget/voce_form.html", context)


@login_required
def voce_modifica(request, pk):
    voce = _voce(request.user, pk)
    piano = voce.piano
    form = VoceForm(_data(request), instance=voce, piano=piano)
    if request.method == "POST" and form.is_valid():
        services.salva_voce(form, by=request.user)
        messages.success(request, _("The changes to the budget line have been saved."))
        return redirect(_ritorno(request, reverse("piani:budget", args=[piano.pk])))
    context = {"piano": piano, "voce": voce, "form": form, "next": _ritorno(request, "")}
    return render(request, "piani/budget/voce_form.html", context)


@login_required
def voce_rimuovi(request, pk):
    voce = _voce(request.user, pk)
    piano = voce.piano
    if request.method == "POST":
        try:
            services.rimuovi_voce(voce, by=request.user)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The budget line of %(anno)s (%(fonte)s) has been removed.")
                % {"anno": voce.anno, "fonte": voce.fonte},
            )
        return redirect(_ritorno(request, reverse("piani:budget", args=[piano.pk])))
    context = {"piano": piano, "voce": voce, "next": _ritorno(request, "")}
    return render(request, "piani/budget/voce_rimuovi.html", context)


# --- the summary tables -------------------------------------------------------------------


def _voci_dict(piano):
    voci = (
        VoceBudget.objects.filter(piano=piano, rimosso_at__isnull=True)
        .select_related("fonte", "obiettivo", "azione")
        .prefetch_related("obiettivo__aree_utenza")
    )
    ordine_aree = {}
    righe = []
    for v in voci:
        if v.obiettivo_id:
            for area in v.obiettivo.aree_utenza.all():
                ordine_aree[area.nome] = area.ordine
        righe.append(budget.voce_dict(v))
    return righe, ordine_aree


def riepiloghi(piano):
    """The three summary tables of ``piano`` (source, target group, spending type × year),
    as [(key, title, row heading, Riepilogo)]."""
    voci, ordine_aree = _voci_dict(piano)
    ordine_fonti = {v["fonte"]: (v["fonte_ordine"], v["fonte"]) for v in voci}
    tipi = dict(VoceBudget.TipoSpesa.choices)
    ordine_tipi = {str(label): n for n, label in enumerate(tipi.values())}
    per_tipo = [{**v, "tipo_spesa": str(tipi.get(v["tipo_spesa"], v["tipo_spesa"]))} for v in voci]
    anni = piano.anni
    return [
        (
            "fonti",
            _("Funding sources × years"),
            _("Funding source"),
            budget.riepilogo(voci, "fonte", anni, ordine_righe=lambda r: ordine_fonti[r]),
        ),
        (
            "aree",
            _("Target groups × years"),
            _("Target group"),
            budget.riepilogo(
                voci,
                "area_utenza",
                anni,
                ordine_righe=lambda r: (r == MULTIUTENZA, ordine_aree.get(r, 0), r),
            ),
        ),
        (
            "tipi",
            _("Spending types × years"),
            _("Spending type"),
            budget.riepilogo(per_tipo, "tipo_spesa", anni, ordine_righe=lambda r: ordine_tipi[r]),
        ),
    ]


def _intestazione_riepilogo(titolo_riga, anni):
    return [
        titolo_riga,
        *(str(a) for a in anni),
        _("Total planned"),
        _("Committed"),
        _("Spent"),
    ]


def _righe_riepilogo(r, formato):
    righe = [
        [nome, *(formato(c) for c in celle), formato(p), formato(i), formato(s)]
        for nome, celle, p, i, s in r.righe
    ]
    totale = [
        _("Total"),
        *(formato(c) for c in r.totali_anni),
        formato(r.previsto),
        formato(r.impegnato),
        formato(r.speso),
    ]
    return righe, totale


@login_required
def riepilogo(request, pk):
    piano = piano_for_interno(request.user, pk)
    tabelle = riepiloghi(piano)
    if wants_csv(request):
        _k, _t, titolo_riga, fonti = tabelle[0]
        righe, totale = _righe_riepilogo(fonti, importo_csv)
        return csv_response(
            f"riepilogo-fonti-{piano.pk}.csv",
            _intestazione_riepilogo(titolo_riga, piano.anni),
            [*righe, totale],
        )
    if wants_xlsx(request):
        fogli = []
        for _k, titolo, titolo_riga, r in tabelle:
            righe, totale = _righe_riepilogo(r, lambda x: x)
            fogli.append(
                Foglio(
                    titolo=titolo,
                    note=[f"{piano.titolo} — {piano.ambito.nome}", titolo],
                    intestazione=_intestazione_riepilogo(titolo_riga, piano.anni),
                    righe=righe,
                    totale=totale,
                )
            )
        return xlsx_response(f"riepilogo-{piano.pk}.xlsx", fogli)
    grafici = [
        (
            _("Planned by funding source"),
            charts.barre_importi([(nome, p) for nome, _c, p, _i, _s in tabelle[0][3].righe]),
        ),
        (
            _("Planned by target group"),
            charts.barre_importi([(nome, p) for nome, _c, p, _i, _s in tabelle[1][3].righe]),
        ),
    ]
    context = {
        "piano": piano,
        "gestore": can_manage_piano(request.user, piano),
        "tabelle": tabelle,
        "grafici": grafici,
        "totale": tabelle[0][3].previsto,
    }
    return render(request, "piani/budget/riepilogo.html", context)


# --- municipal quotas ---------------------------------------------------------------------


@login_required
def quote(request, pk):
    """Each comune's quota (rate × residents); the staff set the rate and write the quotas
    of a year into the budget."""
    piano = piano_for_interno(request.user, pk)
    gestore = can_manage_piano(request.user, piano)
    form = QuotaForm(instance=piano) if gestore else None
    if request.method == "POST":
        piano = piano_for_change(request.user, pk)
        azione = request.POST.get("azione")
        if azione == "quota":
            form = QuotaForm(request.POST, instance=piano)
            if form.is_valid():
                services.imposta_quota(
                    piano, form.cleaned_data["quota_pro_capite"], by=request.user
                )
                messages.success(request, _("The quota per resident has been saved."))
                return redirect("piani:quote", piano.pk)
            piano.refresh_from_db(fields=["quota_pro_capite"])
        elif azione == "scrivi":
            try:
                anno = int(request.POST.get("anno", ""))
                voce, creata = services.scrivi_quote(piano, anno, by=request.user)
            except ValueError:
                messages.error(request, _("Choose a year of the plan."))
            except OperazioneNonValida as error:
                messages.error(request, str(error))
            else:
                testo = (
                    _("The quotas have been written in the budget of %(anno)s: %(totale)s.")
                    if creata
                    else _("The quotas in the budget of %(anno)s have been updated: %(totale)s.")
                )
                messages.success(
                    request, testo % {"anno": anno, "totale": budget.testo_euro(voce.previsto)}
                )
            return redirect("piani:quote", piano.pk)
        else:
            return redirect("piani:quote", piano.pk)
    quote_piano = services.quote_del_piano(piano)
    scritte = {
        anno: voce for anno in piano.anni if (voce := services.voce_quote(piano, anno)) is not None
    }
    context = {
        "piano": piano,
        "gestore": gestore,
        "form": form,
        "quote": quote_piano,
        "anni": [(anno, scritte.get(anno)) for anno in piano.anni],
    }
    return render(request, "piani/budget/quote.html", context)


# --- funding sources ----------------------------------------------------------------------


def _ambito_fonti(user, codice):
    ambito = Ambito.objects.filter(codice=codice).first()
    if ambito is None or not is_partecipante(user, ambito):
        raise Http404
    return ambito


@login_required
def fonti(request, codice):
    """The shared funding sources and the ambito's own; its staff add and change their own."""
    ambito = _ambito_fonti(request.user, codice)
    gestore = can_manage_ambito(request.user, ambito)
    if request.method == "POST" and not gestore:
        raise PermissionDenied
    form = FonteForm(_data(request), ambito=ambito) if gestore else None
    if form is not None and request.method == "POST" and form.is_valid():
        fonte = services.salva_fonte(form, by=request.user)
        messages.success(
            request, _("The funding source “%(fonte)s” has been added.") % {"fonte": fonte}
        )
        return redirect("piani:fonti", ambito.codice)
    elenco = (
        FonteFinanziamento.objects.filter(Q(ambito__isnull=True) | Q(ambito=ambito))
        .annotate(
            num_voci=Count(
                "voci",
                filter=Q(voci__piano__ambito=ambito, voci__rimosso_at__isnull=True),
            )
        )
        .order_by(F("ambito").asc(nulls_first=True), "ordine", "nome")
    )
    elenco = list(elenco)
    context = {
        "ambito": ambito,
        "gestore": gestore,
        "form": form,
        "comuni": [f for f in elenco if f.ambito_id is None],
        "proprie": [f for f in elenco if f.ambito_id is not None],
        "piano": ambito.piani.order_by("-anno_inizio").first(),
    }
    return render(request, "piani/budget/fonti.html", context)


@login_required
def fonte_modifica(request, pk):
    fonte = FonteFinanziamento.objects.select_related("ambito").filter(pk=pk).first()
    if fonte is None:
        raise Http404
    if fonte.ambito is None:
        # the shared list is changed by the regional administration only (Django admin)
        if ruoli(request.user) or request.user.is_superuser:
            raise PermissionDenied
        raise Http404
    ambito = fonte.ambito
    if not is_partecipante(request.user, ambito):
        raise Http404
    if not can_manage_ambito(request.user, ambito):
        raise PermissionDenied
    form = FonteForm(_data(request), instance=fonte, ambito=ambito)
    if request.method == "POST" and form.is_valid():
        fonte = services.salva_fonte(form, by=request.user)
        if fonte.attiva:
            messages.success(
                request, _("The funding source “%(fonte)s” has been saved.") % {"fonte": fonte}
            )
        else:
            messages.success(
                request,
                _(
                    "The funding source “%(fonte)s” is inactive: new budget lines will not "
                    "be offered it."
                )
                % {"fonte": fonte},
            )
        return redirect("piani:fonti", ambito.codice)
    context = {
        "ambito": ambito,
        "fonte": fonte,
        "form": form,
        "num_voci": fonte.voci.filter(rimosso_at__isnull=True).count(),
    }
    return render(request, "piani/budget/fonte_form.html", context)


urlpatterns = [
    path("<int:pk>/budget/", budget_view, name="budget"),
    path("<int:pk>/budget/nuova/", voce_nuova, name="voce_nuova"),
    path("budget/<int:pk>/modifica/", voce_modifica, name="voce_modifica"),
    path("budget/<int:pk>/rimuovi/", voce_rimuovi, name="voce_rimuovi"),
    path("<int:pk>/budget/riepilogo/", riepilogo, name="riepilogo"),
    path("<int:pk>/budget/quote-comunali/", quote, name="quote"),
    path("fonti/<str:codice>/", fonti, name="fonti"),
    path("fonti/voce/<int:pk>/modifica/", fonte_modifica, name="fonte_modifica"),
]

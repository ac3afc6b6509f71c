"""The schede obiettivo of a plan: objectives, their yearly actions, their indicators with
the yearly measurements, and the monitoring of every indicator against its target.

Participants read (``piano_for_interno``: 404 otherwise); the staff of the plan's ambito
change (``piano_for_change``: 403 for participants). The plan is the permission anchor of
every object here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from pdz.exceptions import OperazioneNonValida
from pdz.lists import csv_response, paginate, wants_csv
from piani import budget, charts, monitoraggio
from piani.export import importo_csv
from piani.filters_budget import ObiettivoFilter
from piani.forms.obiettivi import AzioneForm, IndicatoreForm, MisurazioniForm, ObiettivoForm
from piani.models import Azione, Indicatore, Misurazione, Obiettivo, VoceBudget
from piani.permissions import can_manage_piano, piano_for_change, piano_for_interno
from piani.services import obiettivi as services


def _data(request):
    return request.POST if request.method == "POST" else None


def _numero_csv(valore):
    return "" if valore is None else str(valore).replace(".", ",")


def _obiettivo(user, pk, *, change=False, queryset=Obiettivo.objects):
    """A live objective whose plan ``user`` may see (or change)."""
    obiettivo = get_object_or_404(queryset, pk=pk, rimosso_at__isnull=True)
    obiettivo.piano = (piano_for_change if change else piano_for_interno)(user, obiettivo.piano_id)
    return obiettivo


def _azione(user, pk):
    azione = get_object_or_404(
        Azione.objects.select_related("obiettivo"),
        pk=pk,
        rimosso_at__isnull=True,
        obiettivo__rimosso_at__isnull=True,
    )
    azione.obiettivo.piano = piano_for_change(user, azione.obiettivo.piano_id)
    return azione


def _indicatore(user, pk):
    indicatore = get_object_or_404(
        Indicatore.objects.select_related("obiettivo"),
        pk=pk,
        rimosso_at__isnull=True,
        obiettivo__rimosso_at__isnull=True,
    )
    indicatore.obiettivo.piano = piano_for_change(user, indicatore.obiettivo.piano_id)
    return indicatore


def _scheda_url(obiettivo, ancora=""):
    return reverse("piani:obiettivo", args=[obiettivo.pk]) + (f"#{ancora}" if ancora else "")


def _conta(model):
    vive = (
        model.objects.filter(obiettivo=OuterRef("pk"), rimosso_at__isnull=True)
        .order_by()
        .values("obiettivo")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(vive, output_field=IntegerField()), Value(0))


def _previsto():
    somme = (
        VoceBudget.objects.filter(obiettivo=OuterRef("pk"), rimosso_at__isnull=True)
        .order_by()
        .values("obiettivo")
        .annotate(s=Sum("previsto"))
        .values("s")
    )
    campo = DecimalField(max_digits=16, decimal_places=2)
    return Coalesce(Subquery(somme, output_field=campo), Value(0, output_field=campo))


# --- the list -----------------------------------------------------------------------------


@login_required
def obiettivi(request, pk):
    piano = piano_for_interno(request.user, pk)
    queryset = (
        Obiettivo.objects.filter(piano=piano, rimosso_at__isnull=True)
        .select_related("area_policy")
        .prefetch_related("aree_utenza")
        .annotate(
            num_azioni=_conta(Azione), num_indicatori=_conta(Indicatore), previsto=_previsto()
        )
        .order_by("ordine", "codice")
    )
    filterset = ObiettivoFilter(request.GET or None, queryset=queryset, piano=piano)
    if wants_csv(request):
        return csv_response(
            f"obiettivi-{piano.pk}.csv",
            [
                _("Code"),
                _("Title"),
                _("Policy area"),
                _("Target groups"),
                _("From year"),
                _("To year"),
                _("Owner"),
                _("Actions"),
                _("Indicators"),
                _("Planned (€)"),
            ],
            (
                [
                    o.codice,
                    o.titolo,
                    o.area_policy.nome if o.area_policy else "",
                    ", ".join(a.nome for a in o.aree_utenza.all()),
                    o.anno_da,
                    o.anno_a,
                    o.responsabile,
                    o.num_azioni,
                    o.num_indicatori,
                    importo_csv(o.previsto),
                ]
                for o in filterset.qs
            ),
        )
    context = {
        "piano": piano,
        "gestore": can_manage_piano(request.user, piano),
        "filterset": filterset,
        "page": paginate(request, filterset.qs),
    }
    return render(request, "piani/obiettivi/elenco.html", context)


# --- the scheda obiettivo -----------------------------------------------------------------


@login_required
def obiettivo(request, pk):
    obiettivo = _obiettivo(
        request.user,
        pk,
        queryset=Obiettivo.objects.select_related("area_policy").prefetch_related(
            "aree_utenza", "leps", "enti", "tavoli"
        ),
    )
    piano = obiettivo.piano
    azioni = list(
        obiettivo.azioni.filter(rimosso_at__isnull=True)
        .select_related("tavolo", "avviso")
        .order_by("anno", "ordine", "pk")
    )
    anni_azioni = sorted({*obiettivo.anni, *(a.anno for a in azioni)})
    indicatori = (
        obiettivo.indicatori.filter(rimosso_at__isnull=True)
        .prefetch_related(
            Prefetch(
                "misurazioni",
                queryset=Misurazione.objects.filter(rimossa_at__isnull=True).order_by("anno"),
            )
        )
        .order_by("ordine", "pk")
    )
    andamenti = [monitoraggio.andamento(i, i.misurazioni.all(), piano.anni) for i in indicatori]
    voci = list(
        obiettivo.voci_budget.filter(rimosso_at__isnull=True)
        .select_related("fonte", "azione")
        .order_by("anno", "fonte__ordine", "fonte__nome", "pk")
    )
    context = {
        "piano": piano,
        "obiettivo": obiettivo,
        "gestore": can_manage_piano(request.user, piano),
        "azioni_per_anno": [(anno, [a for a in azioni if a.anno == anno]) for anno in anni_azioni],
        "andamenti": andamenti,
        "voci": voci,
        "totali": budget.totali([{k: getattr(v, k) for k in budget.IMPORTI} for v in voci]),
    }
    return render(request, "piani/obiettivi/obiettivo.html", context)


@login_required
def obiettivo_nuovo(request, pk):
    piano = piano_for_change(request.user, pk)
    form = ObiettivoForm(_data(request), piano=piano)
    if request.method == "POST" and form.is_valid():
        obiettivo = services.salva_obiettivo(form, by=request.user)
        messages.success(
            request,
            _("The objective “%(obiettivo)s” has been added. Now plan its actions.")
            % {"obiettivo": obiettivo},
        )
        return redirect("piani:obiettivo", obiettivo.pk)
    return render(request, "piani/obiettivi/obiettivo_form.html", {"piano": piano, "form": form})


@login_required
def obiettivo_modifica(request, pk):
    obiettivo = _obiettivo(request.user, pk, change=True)
    piano = obiettivo.piano
    form = ObiettivoForm(_data(request), instance=obiettivo, piano=piano)
    if request.method == "POST" and form.is_valid():
        services.salva_obiettivo(form, by=request.user)
        messages.success(request, _("The changes to the objective have been saved."))
        return redirect("piani:obiettivo", obiettivo.pk)
    context = {"piano": piano, "obiettivo": obiettivo, "form": form}
    return render(request, "piani/obiettivi/obiettivo_form.html", context)


@login_required
def obiettivo_rimuovi(request, pk):
    obiettivo = _obiettivo(request.user, pk, change=True)
    piano = obiettivo.piano
    if request.method == "POST":
        try:
            services.rimuovi_obiettivo(obiettivo, by=request.user)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
            return redirect("piani:obiettivo", obiettivo.pk)
        messages.success(
            request,
            _("The objective “%(obiettivo)s” has been removed from the plan.")
            % {"obiettivo": obiettivo},
        )
        return redirect("piani:obiettivi", piano.pk)
    context = {
        "piano": piano,
        "obiettivo": obiettivo,
        "num_azioni": obiettivo.azioni.filter(rimosso_at__isnull=True).count(),
        "num_indicatori": obiettivo.indicatori.filter(rimosso_at__isnull=True).count(),
        "num_voci": obiettivo.voci_budget.filter(rimosso_at__isnull=True).count(),
    }
    return render(request, "piani/obiettivi/obiettivo_rimuovi.html", context)


# --- actions ------------------------------------------------------------------------------


@login_required
def azione_nuova(request, pk):
    obiettivo = _obiettivo(request.user, pk, change=True)
    form = AzioneForm(_data(request), obiettivo=obiettivo)
    if request.GET.get("anno") and request.method == "GET":
        form.initial["anno"] = request.GET["anno"]
    if request.method == "POST" and form.is_valid():
        azione = services.salva_azione(form, by=request.user)
        messages.success(
            request,
            _("The action “%(azione)s” has been added to %(anno)s.")
            % {"azione": azione, "anno": azione.anno},
        )
        return redirect(_scheda_url(obiettivo, f"anno-{azione.anno}"))
    context = {"piano": obiettivo.piano, "obiettivo": obiettivo, "form": form}
    return render(request, "piani/obiettivi/azione_form.html", context)


@login_required
def azione_modifica(request, pk):
    azione = _azione(request.user, pk)
    obiettivo = azione.obiettivo
    form = AzioneForm(_data(request), instance=azione, obiettivo=obiettivo)
    if request.method == "POST" and form.is_valid():
        services.salva_azione(form, by=request.user)
        messages.success(request, _("The changes to the action have been saved."))
        return redirect(_scheda_url(obiettivo, f"anno-{azione.anno}"))
    context = {"piano": obiettivo.piano, "obiettivo": obiettivo, "azione": azione, "form": form}
    return render(request, "piani/obiettivi/azione_form.html", context)


@login_required
def azione_rimuovi(request, pk):
    azione = _azione(request.user, pk)
    obiettivo = azione.obiettivo
    if request.method == "POST":
        try:
            services.rimuovi_azione(azione, by=request.user)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The action “%(azione)s” has been removed.") % {"azione": azione}
            )
        return redirect(_scheda_url(obiettivo, f"anno-{azione.anno}"))
    context = {
        "piano": obiettivo.piano,
        "obiettivo": obiettivo,
        "azione": azione,
        "num_voci": azione.voci_budget.filter(rimosso_at__isnull=True).count(),
    }
    return render(request, "piani/obiettivi/azione_rimuovi.html", context)


# --- indicators ---------------------------------------------------------------------------


@login_required
def indicatore_nuovo(request, pk):
    obiettivo = _obiettivo(request.user, pk, change=True)
    form = IndicatoreForm(_data(request), obiettivo=obiettivo)
    if request.method == "POST" and form.is_valid():
        indicatore = services.salva_indicatore(form, by=request.user)
        messages.success(
            request,
            _("The indicator “%(indicatore)s” has been added.") % {"indicatore": indicatore},
        )
        return redirect(_scheda_url(obiettivo, "indicatori"))
    context = {"piano": obiettivo.piano, "obiettivo": obiettivo, "form": form}
    return render(request, "piani/obiettivi/indicatore_form.html", context)


@login_required
def indicatore_modifica(request, pk):
    indicatore = _indicatore(request.user, pk)
    obiettivo = indicatore.obiettivo
    form = IndicatoreForm(_data(request), instance=indicatore, obiettivo=obiettivo)
    if request.method == "POST" and form.is_valid():
        services.salva_indicatore(form, by=request.user)
        messages.success(request, _("The changes to the indicator have been saved."))
        return redirect(_scheda_url(obiettivo, "indicatori"))
    context = {
        "piano": obiettivo.piano,
        "obiettivo": obiettivo,
        "indicatore": indicatore,
        "form": form,
    }
    return render(request, "piani/obiettivi/indicatore_form.html", context)


@login_required
def indicatore_rimuovi(request, pk):
    indicatore = _indicatore(request.user, pk)
    obiettivo = indicatore.obiettivo
    if request.method == "POST":
        try:
            services.rimuovi_indicatore(indicatore, by=request.user)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The indicator “%(indicatore)s” has been removed.") % {"indicatore": indicatore},
            )
        return redirect(_scheda_url(obiettivo, "indicatori"))
    context = {
        "piano": obiettivo.piano,
        "obiettivo": obiettivo,
        "indicatore": indicatore,
        "num_misurazioni": indicatore.misurazioni.filter(rimossa_at__isnull=True).count(),
    }
    return render(request, "piani/obiettivi/indicatore_rimuovi.html", context)


@login_required
def misurazioni(request, pk):
    """The values of one indicator for each year of the plan, in one form."""
    indicatore = _indicatore(request.user, pk)
    obiettivo = indicatore.obiettivo
    piano = obiettivo.piano
    form = MisurazioniForm(_data(request), indicatore=indicatore, anni=piano.anni)
    if request.method == "POST" and form.is_valid():
        cambiati = services.salva_misurazioni(indicatore, form.valori(), by=request.user)
        if cambiati:
            messages.success(
                request,
                _("The values of %(anni)s have been saved.")
                % {"anni": ", ".join(str(a) for a in cambiati)},
            )
        else:
            messages.info(request, _("Nothing has changed."))
        return redirect(_scheda_url(obiettivo, "indicatori"))
    context = {"piano": piano, "obiettivo": obiettivo, "indicatore": indicatore, "form": form}
    return render(request, "piani/obiettivi/misurazioni.html", context)


# --- monitoring ---------------------------------------------------------------------------


def _andamenti(piano):
    """[(objective, [Andamento])] of every live indicator of the plan's live objectives."""
    obiettivi = (
        piano.obiettivi.filter(rimosso_at__isnull=True)
        .order_by("ordine", "codice")
        .prefetch_related(
            Prefetch(
                "indicatori",
                queryset=Indicatore.objects.filter(rimosso_at__isnull=True)
                .order_by("ordine", "pk")
                .prefetch_related(
                    Prefetch(
                        "misurazioni",
                        queryset=Misurazione.objects.filter(rimossa_at__isnull=True).order_by(
                            "anno"
                        ),
                    )
                ),
            )
        )
    )
    gruppi = []
    for o in obiettivi:
        andamenti = [
            monitoraggio.andamento(i, i.misurazioni.all(), piano.anni) for i in o.indicatori.all()
        ]
        if andamenti:
            gruppi.append((o, andamenti))
    return gruppi


@login_required
def monitoraggio_view(request, pk):
    piano = piano_for_interno(request.user, pk)
    gruppi = _andamenti(piano)
    if wants_csv(request):
        righe = []
        for o, andamenti in gruppi:
            for a in andamenti:
                i = a.indicatore
                righe.append(
                    [
                        o.codice,
                        o.titolo,
                        i.nome,
                        i.get_tipo_display(),
                        i.unita,
                        _numero_csv(i.baseline),
                        *(_numero_csv(v) for v in a.valori_anni),
                        _numero_csv(i.target),
                        _numero_csv(a.avanzamento),
                        _numero_csv(a.atteso),
                        a.stato_etichetta,
                    ]
                )
        return csv_response(
            f"monitoraggio-{piano.pk}.csv",
            [
                _("Objective"),
                _("Objective title"),
                _("Indicator"),
                _("Kind"),
                _("Unit"),
                _("Baseline"),
                *(str(anno) for anno in piano.anni),
                _("Target"),
                _("Progress (%)"),
                _("Expected (%)"),
                _("Status"),
            ],
            righe,
        )
    for _o, andamenti in gruppi:
        for a in andamenti:
            a.grafico = charts.colonne_indicatore(
                a.indicatore.baseline, a.indicatore.target, a.valori, piano.anni
            )
    tutti = [a for _o, andamenti in gruppi for a in andamenti]
    conteggi = [
        (stato, etichetta, sum(1 for a in tutti if a.stato == stato))
        for stato, etichetta in monitoraggio.Stato.ETICHETTE.items()
    ]
    context = {
        "piano": piano,
        "gestore": can_manage_piano(request.user, piano),
        "gruppi": gruppi,
        "num_indicatori": len(tutti),
        "conteggi": conteggi,
    }
    return render(request, "piani/obiettivi/monitoraggio.html", context)


urlpatterns = [
    path("<int:pk>/obiettivi/", obiettivi, name="obiettivi"),
    path("<int:pk>/obiettivi/nuovo/", obiettivo_nuovo, name="obiettivo_nuovo"),
    path("obiettivi/<int:pk>/", obiettivo, name="obiettivo"),
    path("obiettivi/<int:pk>/modifica/", obiettivo_modifica, name="obiettivo_modifica"),
    path("obiettivi/<int:pk>/rimuovi/", obiettivo_rimuovi, name="obiettivo_rimuovi"),
    path("obiettivi/<int:pk>/azioni/nuova/", azione_nuova, name="azione_nuova"),
    path("azioni/<int:pk>/modifica/", azione_modifica, name="azione_modifica"),
    path("azioni/<int:pk>/rimuovi/", azione_rimuovi, name="azione_rimuovi"),
    path("obiettivi/<int:pk>/indicatori/nuovo/", indicatore_nuovo, name="indicatore_nuovo"),
    path("indicatori/<int:pk>/modifica/", indicatore_modifica, name="indicatore_modifica"),
    path("indicatori/<int:pk>/rimuovi/", indicatore_rimuovi, name="indicatore_rimuovi"),
    path("indicatori/<int:pk>/misurazioni/", misurazioni, name="misurazioni"),
    path("<int:pk>/monitoraggio/", monitoraggio_view, name="monitoraggio"),
]

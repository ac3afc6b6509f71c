"""Surveys (schede di rilevazione): their questions and the summary of the answers, for the
staff of the notice's ambito — 404 for who has no role there, 403 for who has one but may not
manage notices. The commission's evaluation lives in ``valutazione``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, F, Max, Min, Q, Sum, Window
from django.db.models.functions import Cast, RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambiti.permissions import can_view_ambito
from pdz.lists import csv_response, paginate
from terzo_settore import charts, services
from terzo_settore.forms.rilevazioni import QuesitoFilter, QuesitoForm, numero_italiano
from terzo_settore.models import Avviso, Domanda, Quesito, Risposta
from terzo_settore.permissions import can_manage_avvisi
from terzo_settore.services import OperazioneNonValida
from terzo_settore.views import valutazione

TESTI_IN_RIEPILOGO = 5  # answers of a text question shown in the summary; the rest on a page
NUMERO = DecimalField(max_digits=30, decimal_places=4)


def _avviso(user, pk):
    avviso = (
        Avviso.objects.select_related("ambito").filter(pk=pk, tipo=Avviso.Tipo.RILEVAZIONE).first()
    )
    if avviso is None or not can_view_ambito(user, avviso.ambito):
        raise Http404
    if not can_manage_avvisi(user, avviso.ambito):
        raise PermissionDenied
    return avviso


def _context(avviso, **extra):
    """What templates/ambiti/gestione/base.html needs, for a page of one notice."""
    return {
        "ambito": avviso.ambito,
        "avviso": avviso,
        "section": "avvisi",
        "can_manage": True,
        **extra,
    }


def _quesito(avviso, pk):
    return get_object_or_404(avviso.quesiti.select_related("area"), pk=pk)


# --- questions ------------------------------------------------------------------------------


@login_required
def quesiti(request, pk):
    avviso = _avviso(request.user, pk)
    elenco = list(
        avviso.quesiti.select_related("area")
        .annotate(risposte_date=Count("risposte", filter=Q(risposte__valore__isnull=False)))
        .order_by("ordine", "pk")
    )
    context = _context(
        avviso,
        quesiti=elenco,
        inviate=avviso.domande.inviate().count(),
        modificabile=avviso.stato != Avviso.Stato.ANNULLATO,
    )
    return render(request, "terzo_settore/rilevazioni/quesiti.html", context)


def _salva(request, avviso, quesito):
    data = request.POST if request.method == "POST" else None
    form = QuesitoForm(data, instance=quesito, ambito=avviso.ambito)
    if request.method == "POST" and form.is_valid():
        nuovo = quesito.pk is None
        try:
            quesito = services.salva_quesito(form.save(commit=False), by=request.user)
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            if nuovo:
                messages.success(request, _("The question has been added to the survey."))
            else:
                messages.success(request, _("The changes to the question have been saved."))
            return redirect(reverse("terzo_settore:quesiti", args=[avviso.pk]) + f"#q{quesito.pk}")
    answered = quesito.pk is not None and services.risposte_date(quesito).exists()
    context = _context(avviso, form=form, quesito=quesito, answered=answered)
    return render(request, "terzo_settore/rilevazioni/quesito_form.html", context)


@login_required
def quesito_nuovo(request, pk):
    avviso = _avviso(request.user, pk)
    return _salva(request, avviso, Quesito(avviso=avviso))


@login_required
def quesito_modifica(request, pk, quesito_pk):
    avviso = _avviso(request.user, pk)
    return _salva(request, avviso, _quesito(avviso, quesito_pk))


@login_required
@require_POST
def quesito_sposta(request, pk, quesito_pk):
    avviso = _avviso(request.user, pk)
    quesito = _quesito(avviso, quesito_pk)
    try:
        services.sposta_quesito(quesito, su=request.POST.get("verso") == "su", by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The question has been moved."))
    return redirect(reverse("terzo_settore:quesiti", args=[avviso.pk]) + f"#q{quesito.pk}")


@login_required
def quesito_rimuovi(request, pk, quesito_pk):
    avviso = _avviso(request.user, pk)
    quesito = _quesito(avviso, quesito_pk)
    if request.method == "POST":
        try:
            services.rimuovi_quesito(quesito, by=request.user)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The question has been removed from the survey."))
        return redirect("terzo_settore:quesiti", pk=avviso.pk)
    context = _context(avviso, quesito=quesito, motivo=services.perche_non_rimovibile(quesito))
    return render(request, "terzo_settore/rilevazioni/quesito_rimuovi.html", context)


# --- summary of the answers -----------------------------------------------------------------


def _risposte(avviso):
    """The answers with a value of the submitted applications of ``avviso``."""
    return Risposta.objects.filter(
        quesito__avviso=avviso,
        domanda__avviso=avviso,
        valore__isnull=False,
    ).exclude(domanda__stato=Domanda.Stato.BOZZA)


def _per_protocollo():
    return [F("domanda__protocollo_anno").asc(), F("domanda__protocollo_numero").asc(), "pk"]


def _riepilogo(avviso, quesiti):
    """One summary per question: counts and a chart for choices, statistics for numbers,
    the first answers for text. A fixed number of queries, whatever the answers."""
    risposte = _risposte(avviso).filter(quesito__in=quesiti)
    per_tipo = {tipo: [q for q in quesiti if q.tipo == tipo] for tipo in Quesito.Tipo.values}
    date = dict(
        risposte.values("quesito_id").annotate(n=Count("pk")).values_list("quesito_id", "n")
    )

    conteggi = {}
    con_scelte = per_tipo[Quesito.Tipo.SCELTA_SINGOLA] + per_tipo[Quesito.Tipo.SCELTA_MULTIPLA]
    aggregati = {}
    for q in con_scelte:
        for i, scelta in enumerate(q.scelte):
            chosen = (
                Q(valore=scelta)
                if q.tipo == Quesito.Tipo.SCELTA_SINGOLA
                else Q(valore__contains=[scelta])
            )
            aggregati[f"q{q.pk}_{i}"] = Count("pk", filter=Q(quesito=q) & chosen)
    if aggregati:
        conteggi = risposte.aggregate(**aggregati)

    statistiche = {}
    if per_tipo[Quesito.Tipo.NUMERO]:
        numero = Cast("valore", NUMERO)
        statistiche = {
            r["quesito_id"]: r
            for r in risposte.filter(quesito__in=per_tipo[Quesito.Tipo.NUMERO])
            .values("quesito_id")
            .annotate(somma=Sum(numero), minimo=Min(numero), massimo=Max(numero), n=Count("pk"))
            .order_by()
        }

    testi = {}
    if per_tipo[Quesito.Tipo.TESTO]:
        primi = (
            risposte.filter(quesito__in=per_tipo[Quesito.Tipo.TESTO])
            .select_related("domanda__organizzazione__ente")
            .annotate(
                riga=Window(RowNumber(), partition_by=[F("quesito_id")], order_by=_per_protocollo())
            )
            .filter(riga__lte=TESTI_IN_RIEPILOGO)
            .order_by("quesito_id", "riga")
        )
        for risposta in primi:
            testi.setdefault(risposta.quesito_id, []).append(risposta)

    righe = []
    for q in quesiti:
        n = date.get(q.pk, 0)
        riga = {"quesito": q, "risposte": n}
        if q.tipo in (Quesito.Tipo.SCELTA_SINGOLA, Quesito.Tipo.SCELTA_MULTIPLA):
            voci = [(s, conteggi.get(f"q{q.pk}_{i}", 0)) for i, s in enumerate(q.scelte)]
            riga["grafico"] = charts.barre_orizzontali(voci, n)
        elif q.tipo == Quesito.Tipo.NUMERO:
            s = statistiche.get(q.pk)
            if s:
                riga["statistiche"] = {
                    "somma": s["somma"],
                    "media": s["somma"] / s["n"],
                    "minimo": s["minimo"],
                    "massimo": s["massimo"],
                }
        else:
            riga["testi"] = testi.get(q.pk, [])
            riga["altri"] = max(n - TESTI_IN_RIEPILOGO, 0)
        righe.append(riga)
    return righe


@login_required
def riepilogo(request, pk):
    avviso = _avviso(request.user, pk)
    filterset = QuesitoFilter(
        request.GET or None,
        queryset=avviso.quesiti.select_related("area").order_by("ordine", "pk"),
    )
    if request.GET.get("format") == "csv":
        return _csv_risposte(avviso)
    page = paginate(request, filterset.qs)
    context = _context(
        avviso,
        filterset=filterset,
        page=page,
        righe=_riepilogo(avviso, list(page.object_list)),
        inviate=avviso.domande.inviate().count(),
    )
    return render(request, "terzo_settore/rilevazioni/riepilogo.html", context)


@login_required
def risposte_testo(request, pk, quesito_pk):
    """Every answer to a text question, with the organisation that gave it."""
    avviso = _avviso(request.user, pk)
    quesito = _quesito(avviso, quesito_pk)
    if quesito.tipo != Quesito.Tipo.TESTO:
        raise Http404
    risposte = (
        _risposte(avviso)
        .filter(quesito=quesito)
        .select_related("domanda__organizzazione__ente")
        .order_by(*_per_protocollo())
    )
    context = _context(avviso, quesito=quesito, page=paginate(request, risposte))
    return render(request, "terzo_settore/rilevazioni/risposte_testo.html", context)


def _cella(quesito, valore):
    if valore is None:
        return ""
    if quesito.tipo == Quesito.Tipo.NUMERO:
        return numero_italiano(valore) if isinstance(valore, int | float) else str(valore)
    if isinstance(valore, list):
        return " | ".join(str(v) for v in valore)
    return str(valore)


def _csv_risposte(avviso):
    """Every submitted application in a row, every question in a column."""
    quesiti = list(avviso.quesiti.order_by("ordine", "pk"))
    domande = (
        avviso.domande.inviate()
        .select_related("organizzazione__ente")
        .order_by("protocollo_anno", "protocollo_numero", "pk")
    )
    valori = {
        (domanda_id, quesito_id): valore
        for domanda_id, quesito_id, valore in _risposte(avviso).values_list(
            "domanda_id", "quesito_id", "valore"
        )
    }
    header = [
        _("Protocol number"),
        _("Submitted on"),
        _("Organisation"),
        _("Tax code"),
        _("State"),
        *(q.testo for q in quesiti),
    ]
    rows = (
        [
            d.protocollo,
            date_format(localtime(d.inviata_at), "d/m/Y H:i") if d.inviata_at else "",
            d.organizzazione.ente.denominazione,
            d.organizzazione.ente.codice_fiscale,
            d.get_stato_display(),
            *(_cella(q, valori.get((d.pk, q.pk))) for q in quesiti),
        ]
        for d in domande
    )
    return csv_response(f"rilevazione-{avviso.pk}-risposte.csv", header, rows)


urlpatterns = [
    path("avvisi/<int:pk>/quesiti/", quesiti, name="quesiti"),
    path("avvisi/<int:pk>/quesiti/nuovo/", quesito_nuovo, name="quesito_nuovo"),
    path("avvisi/<int:pk>/quesiti/<int:quesito_pk>/", quesito_modifica, name="quesito_modifica"),
    path("avvisi/<int:pk>/quesiti/<int:quesito_pk>/sposta/", quesito_sposta, name="quesito_sposta"),
    path(
        "avvisi/<int:pk>/quesiti/<int:quesito_pk>/rimuovi/",
        quesito_rimuovi,
        name="quesito_rimuovi",
    ),
    path("rilevazioni/<int:pk>/riepilogo/", riepilogo, name="rilevazione_riepilogo"),
    path(
        "rilevazioni/<int:pk>/quesiti/<int:quesito_pk>/risposte/",
        risposte_testo,
        name="rilevazione_risposte",
    ),
    # The evaluation of co-progettazione proposals is mounted with the surveys.
    *valutazione.urlpatterns,
]

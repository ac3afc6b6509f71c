"""Approval by the Assemblea dei Sindaci: the plan's page of the vote and its outcome, the
annual plans (one per year of the plan) and their votes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pdz.audit import history
from pdz.exceptions import OperazioneNonValida
from piani import budget
from piani.forms.approvazione import VotoAssembleaForm
from piani.models import Azione, PianoAttuativo, VoceBudget
from piani.permissions import can_manage_piano, piano_for_change, piano_for_interno
from piani.services import approvazione as services
from tavoli.models import Votazione
from tavoli.views.votazioni import regola_leggibile


def _votazione(votazione_id):
    if votazione_id is None:
        return None
    return Votazione.objects.select_related("tavolo").get(pk=votazione_id)


def _regola(votazione):
    return regola_leggibile(votazione.regola) if votazione else None


def _messaggio_esito(esito, *, attuativo=False):
    if esito == Votazione.Esito.APPROVATA:
        if attuativo:
            return messages.SUCCESS, _("The annual plan is approved.")
        return messages.SUCCESS, _("The plan is approved: the version voted is the approved one.")
    if esito == Votazione.Esito.RESPINTA:
        return messages.WARNING, _(
            "The mayors rejected it: change the draft and put it to a new vote."
        )
    return messages.WARNING, _(
        "The vote did not reach the quorum: it is not approved; you can open a new vote."
    )


# --- the plan ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def approvazione(request, pk):
    """The state of the approval; the staff put the plan to the Assemblea's vote (POST)."""
    piano = piano_for_interno(request.user, pk)
    gestore = can_manage_piano(request.user, piano)
    if request.method == "POST" and not gestore:
        raise PermissionDenied
    tavoli = services.assemblee(piano.ambito)
    form = VotoAssembleaForm(request.POST or None, tavoli=tavoli) if gestore else None
    if request.method == "POST" and form.is_valid():
        try:
            votazione = services.metti_ai_voti(piano, **form.cleaned_data, by=request.user)
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            if votazione.modalita == Votazione.Modalita.ONLINE:
                testo = _("The plan is frozen and put to the vote: the mayors can vote online.")
            else:
                testo = _(
                    "The plan is frozen and put to the vote: record the show of hands at the "
                    "meeting on the vote's page."
                )
            messages.success(request, testo)
            return redirect("piani:approvazione", piano.pk)
    votazione = _votazione(piano.votazione_id)
    versione_approvata = piano.versione_approvata
    voti_precedenti = [
        entry.data.get("votazione")
        for entry in history(piano).filter(action="piano.votazione")
        if entry.data.get("votazione") != piano.votazione_id
    ]
    return render(
        request,
        "piani/approvazione/approvazione.html",
        {
            "piano": piano,
            "gestore": gestore,
            "form": form,
            "tavoli": tavoli,
            "votazione": votazione,
            "regola": _regola(votazione),
            "versione_votata": services.versione_votata(piano, votazione),
            "versione_approvata": versione_approvata,
            "da_registrare": piano.stato == piano.Stato.VOTAZIONE
            and votazione is not None
            and not votazione.aperta,
            "precedenti": Votazione.objects.filter(pk__in=voti_precedenti)
            .select_related("tavolo")
            .order_by("-created_at"),
        },
    )


@require_POST
def approvazione_esito(request, pk):
    piano = piano_for_change(request.user, pk)
    try:
        esito = services.registra_esito(piano, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        if esito:
            livello, testo = _messaggio_esito(esito)
            piano.refresh_from_db()
            if esito != Votazione.Esito.APPROVATA and piano.versione_approvata_id:
                testo += " " + _("The version approved earlier stays in force.")
            messages.add_message(request, livello, testo)
        else:
            messages.info(request, _("There is no outcome to record: no vote is pending."))
    return redirect("piani:approvazione", piano.pk)


# --- the annual plans -------------------------------------------------------------------------


def attuativi(request, pk):
    piano = piano_for_interno(request.user, pk)
    esistenti = {a.anno: a for a in piano.attuativi.all()}
    n_azioni = dict(
        Azione.objects.filter(
            obiettivo__piano=piano, obiettivo__rimosso_at__isnull=True, rimosso_at__isnull=True
        )
        .values_list("anno")
        .annotate(n=Count("pk"))
        .order_by()
    )
    previsto = dict(
        VoceBudget.objects.filter(piano=piano, rimosso_at__isnull=True)
        .values_list("anno")
        .annotate(s=Sum("previsto"))
        .order_by()
    )
    righe = [
        {
            "anno": anno,
            "attuativo": esistenti.get(anno),
            "azioni": n_azioni.get(anno, 0),
            "previsto": budget.euro(previsto.get(anno)),
        }
        for anno in piano.anni
    ]
    return render(
        request,
        "piani/attuativi/elenco.html",
        {"piano": piano, "righe": righe, "gestore": can_manage_piano(request.user, piano)},
    )


VOTABILE = (PianoAttuativo.Stato.BOZZA, PianoAttuativo.Stato.RESPINTO)


def _anno(piano, anno):
    if anno not in piano.anni:
        raise Http404
    return anno


def _pagina_attuativo(request, piano, attuativo, form=None):
    gestore = can_manage_piano(request.user, piano)
    congelato = attuativo.stato in (
        PianoAttuativo.Stato.VOTAZIONE,
        PianoAttuativo.Stato.APPROVATO,
    ) and bool(attuativo.contenuto)
    if congelato:
        contenuto = attuativo.contenuto
    else:
        contenuto = services.contenuto_attuativo(piano, attuativo.anno)
    tipi_spesa = dict(VoceBudget.TipoSpesa.choices)
    voci = [
        {**v, "tipo_spesa_label": tipi_spesa.get(v["tipo_spesa"], v["tipo_spesa"])}
        for v in contenuto.get("budget", [])
    ]
    per_fonte = budget.tabella_fonti(voci, [attuativo.anno]).righe_complete()
    votabile = gestore and piano.versione_approvata_id is not None and attuativo.stato in VOTABILE
    if votabile and form is None:
        form = VotoAssembleaForm(tavoli=services.assemblee(piano.ambito))
    votazione = _votazione(attuativo.votazione_id)
    return render(
        request,
        "piani/attuativi/attuativo.html",
        {
            "congelato_at": parse_datetime(str(contenuto.get("congelato_at") or "")),
            "piano": piano,
            "attuativo": attuativo,
            "congelato": congelato,
            "azioni": contenuto.get("azioni", []),
            "voci": voci,
            "totali": budget.totali(voci),
            "per_fonte": per_fonte,
            "gestore": gestore,
            "form": form if votabile else None,
            "votazione": votazione,
            "regola": _regola(votazione),
            "da_registrare": attuativo.stato == PianoAttuativo.Stato.VOTAZIONE
            and votazione is not None
            and not votazione.aperta,
        },
    )


def attuativo(request, pk, anno):
    piano = piano_for_interno(request.user, pk)
    try:
        attuativo = services.attuativo_di(piano, _anno(piano, anno))
    except OperazioneNonValida:
        raise Http404 from None
    return _pagina_attuativo(request, piano, attuativo)


@require_POST
def attuativo_approvazione(request, pk, anno):
    piano = piano_for_change(request.user, pk)
    attuativo = services.attuativo_di(piano, _anno(piano, anno))
    if piano.versione_approvata_id is None or attuativo.stato not in VOTABILE:
        try:
            services.verifica_attuativo_votabile(attuativo)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        return redirect("piani:attuativo", piano.pk, anno)
    form = VotoAssembleaForm(request.POST, tavoli=services.assemblee(piano.ambito))
    if form.is_valid():
        try:
            services.metti_ai_voti_attuativo(attuativo, **form.cleaned_data, by=request.user)
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The annual plan is frozen and put to the Assemblea's vote.")
            )
            return redirect("piani:attuativo", piano.pk, anno)
    return _pagina_attuativo(request, piano, attuativo, form)


@require_POST
def attuativo_esito(request, pk, anno):
    piano = piano_for_change(request.user, pk)
    attuativo = get_object_or_404(PianoAttuativo, piano=piano, anno=_anno(piano, anno))
    try:
        esito = services.registra_esito(attuativo, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        if esito:
            messages.add_message(request, *_messaggio_esito(esito, attuativo=True))
        else:
            messages.info(request, _("There is no outcome to record: no vote is pending."))
    return redirect("piani:attuativo", piano.pk, anno)


urlpatterns = [
    path("<int:pk>/approvazione/", approvazione, name="approvazione"),
    path("<int:pk>/approvazione/esito/", approvazione_esito, name="approvazione_esito"),
    path("<int:pk>/attuativi/", attuativi, name="attuativi"),
    path("<int:pk>/anni/<int:anno>/", attuativo, name="attuativo"),
    path(
        "<int:pk>/anni/<int:anno>/approvazione/",
        attuativo_approvazione,
        name="attuativo_approvazione",
    ),
    path("<int:pk>/anni/<int:anno>/esito/", attuativo_esito, name="attuativo_esito"),
]

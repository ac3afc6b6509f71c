"""The votes of a body: the list, opening one, voting online, recording a show of hands at
the meeting, closing and counting (``tavoli.conteggio`` through ``services``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pdz.exceptions import OperazioneNonValida
from pdz.lists import csv_response, paginate, wants_csv
from tavoli import conteggio, services
from tavoli.forms.votazioni import ASSENTE, PaleseForm, VotazioneForm, VotazioniFilter, VotoForm
from tavoli.models import Presenza, PuntoOdg, RegolaVoto, Votazione, Voto
from tavoli.permissions import (
    can_manage_tavolo,
    can_view_interno,
    membri_di,
    tavolo_for_change,
    tavolo_for_view,
    votazione_for_change,
    votazione_for_view,
)


def _perc(value):
    return floatformat(value, -2)


def regola_leggibile(regola):
    """The rule kept with a vote (``conteggio.snapshot``), in words."""
    peso = regola["peso"]
    misura = {
        conteggio.TESTA: _("of the members"),
        conteggio.POPOLAZIONE: _("of the population of the members"),
        conteggio.DOPPIA: _("of the members and of their population"),
    }[peso]

    def quorum(valore):
        if not float(valore):
            return _("none: someone present is enough")
        return _("more than %(perc)s%% %(misura)s") % {"perc": _perc(valore), "misura": misura}

    maggioranza = regola["maggioranza"]
    testo_maggioranza = str(RegolaVoto.Maggioranza(maggioranza).label)
    if maggioranza in (conteggio.PRESENTI, conteggio.COMPONENTI):
        testo_maggioranza += " " + _("(votes in favour more than %(perc)s%%)") % {
            "perc": _perc(regola["soglia"])
        }
    return {
        "nome": regola["nome"],
        "peso": str(RegolaVoto.Peso(peso).label),
        "usa_popolazione": peso in (conteggio.POPOLAZIONE, conteggio.DOPPIA),
        "maggioranza": testo_maggioranza,
        "quorum_prima": quorum(regola["quorum_prima"]),
        "quorum_seconda": quorum(regola["quorum_seconda"]),
    }


def righe_appello(votazione, voti):
    """The roll call of a closed vote: the count's ``appello`` with who cast each ballot
    (``voti``: {member id: Voto})."""
    scelte = dict(Voto.Scelta.choices)
    righe = []
    for riga in (votazione.risultato or {}).get("appello", []):
        voto = voti.get(riga["membro_id"])
        righe.append(
            {
                **riga,
                "scelta_label": scelte.get(riga["scelta"], "") if riga["presente"] else "",
                "espresso_da": voto.espresso_da if voto else None,
            }
        )
    return righe


def _tavolo_interno(user, pk):
    tavolo = tavolo_for_view(user, pk)
    if not can_view_interno(user, tavolo):
        raise Http404
    return tavolo


def votazioni(request, pk):
    tavolo = _tavolo_interno(request.user, pk)
    queryset = (
        tavolo.votazioni.select_related("punto__incontro")
        .annotate(n_voti=Count("voti"))
        .order_by("-created_at", "-pk")
    )
    filterset = VotazioniFilter(request.GET or None, queryset=queryset)
    if wants_csv(request):
        return csv_response(
            "votazioni.csv",
            [
                _("Motion"),
                _("Meeting"),
                _("Agenda item"),
                _("How"),
                _("Opened at"),
                _("State"),
                _("Ballots"),
                _("Outcome"),
            ],
            (
                [
                    v.oggetto,
                    v.punto.incontro.titolo if v.punto else "",
                    f"{v.punto.numero}. {v.punto.titolo}" if v.punto else "",
                    v.get_modalita_display(),
                    date_format(timezone.localtime(v.created_at), "d/m/Y H:i"),
                    v.get_stato_display(),
                    v.n_voti,
                    v.get_esito_display(),
                ]
                for v in filterset.qs
            ),
        )
    return render(
        request,
        "tavoli/votazioni/elenco.html",
        {
            "tavolo": tavolo,
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "gestore": can_manage_tavolo(request.user, tavolo),
        },
    )


@require_http_methods(["GET", "POST"])
def votazione_nuova(request, pk):
    tavolo = tavolo_for_change(request.user, pk)
    initial = {}
    punto_id = request.GET.get("punto", "")
    if punto_id.isdigit():
        punto = PuntoOdg.objects.filter(pk=punto_id, incontro__tavolo=tavolo).first()
        if punto is not None:
            initial = {"punto": punto, "oggetto": punto.titolo[:300], "testo": punto.descrizione}
            if punto.incontro.inizio <= timezone.now():  # taken at the meeting
                initial["modalita"] = Votazione.Modalita.PALESE
    form = VotazioneForm(request.POST or None, tavolo=tavolo, initial=initial)
    if request.method == "POST" and form.is_valid():
        dati = form.cleaned_data
        try:
            votazione = services.apri_votazione(
                tavolo,
                oggetto=dati["oggetto"],
                testo=dati["testo"],
                modalita=dati["modalita"],
                punto=dati["punto"],
                seconda_convocazione=dati["seconda_convocazione"],
                chiude_at=dati["chiude_at"],
                by=request.user,
            )
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            if votazione.modalita == Votazione.Modalita.ONLINE:
                testo = _("The vote is open: the members can vote on its page.")
            else:
                testo = _("The vote is open: record the show of hands at the meeting.")
            messages.success(request, testo)
            return redirect("tavoli:votazione", votazione.pk)
    return render(
        request,
        "tavoli/votazioni/nuova.html",
        {"tavolo": tavolo, "form": form, "regola": tavolo.regola_voto},
    )


def _scaduta(votazione):
    return votazione.chiude_at is not None and votazione.chiude_at <= timezone.now()


@require_http_methods(["GET", "POST"])
def votazione(request, pk):
    votazione = votazione_for_view(request.user, pk)
    tavolo = votazione.tavolo
    miei = list(
        membri_di(request.user, tavolo)
        .filter(diritto_voto=True)
        .select_related("ente")
        .order_by("ente__denominazione")
    )
    si_vota = (
        votazione.aperta
        and votazione.modalita == Votazione.Modalita.ONLINE
        and not _scaduta(votazione)
    )
    voti_miei = {
        v.membro_id: v
        for v in Voto.objects.filter(votazione=votazione, membro__in=miei).select_related(
            "espresso_da"
        )
    }
    forms_voto = {}
    if request.method == "POST":
        membro_id = request.POST.get("membro", "")
        membro = next((m for m in miei if str(m.pk) == membro_id), None)
        if membro is None:
            raise PermissionDenied
        if not si_vota:
            if votazione.modalita == Votazione.Modalita.PALESE and votazione.aperta:
                messages.error(request, _("This vote is taken at the meeting, not online."))
            else:
                messages.error(request, _("The vote is closed."))
            return redirect("tavoli:votazione", votazione.pk)
        form = VotoForm(request.POST, membro=membro)
        if form.is_valid():
            try:
                voto = services.vota(
                    votazione, membro, scelta=form.cleaned_data["scelta"], by=request.user
                )
            except OperazioneNonValida as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("Your vote for %(ente)s is recorded: %(scelta)s.")
                    % {"ente": membro.ente.denominazione, "scelta": voto.get_scelta_display()},
                )
            return redirect("tavoli:votazione", votazione.pk)
        forms_voto[membro.pk] = form
    schede = [
        (
            membro,
            voti_miei.get(membro.pk),
            forms_voto.get(membro.pk)
            or VotoForm(
                membro=membro,
                initial={"scelta": voti_miei[membro.pk].scelta} if membro.pk in voti_miei else {},
            ),
        )
        for membro in miei
    ]
    gestore = can_manage_tavolo(request.user, tavolo)
    contesto = {
        "votazione": votazione,
        "tavolo": tavolo,
        "regola": regola_leggibile(votazione.regola),
        "schede": schede,
        "si_vota": si_vota,
        "scaduta": votazione.aperta and _scaduta(votazione),
        "gestore": gestore,
    }
    if votazione.aperta:
        contesto["n_voti"] = votazione.voti.count()
        contesto["n_elettori"] = tavolo.membri.attivi().filter(diritto_voto=True).count()
    else:
        voti = {v.membro_id: v for v in votazione.voti.select_related("espresso_da")}
        contesto["appello"] = righe_appello(votazione, voti)
    return render(request, "tavoli/votazioni/votazione.html", contesto)


@require_POST
def votazione_chiudi(request, pk):
    votazione = votazione_for_change(request.user, pk)
    try:
        votazione = services.chiudi_votazione(votazione, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _esito(votazione))
    return redirect("tavoli:votazione", votazione.pk)


def _esito(votazione):
    return _("The vote is closed and counted. Outcome: %(esito)s.") % {
        "esito": votazione.get_esito_display()
    }


@require_http_methods(["GET", "POST"])
def votazione_palese(request, pk):
    """The secretary records the show of hands, member by member; saving counts the vote."""
    votazione = votazione_for_change(request.user, pk)
    if votazione.modalita != Votazione.Modalita.PALESE or not votazione.aperta:
        messages.error(request, _("This vote cannot be recorded by show of hands."))
        return redirect("tavoli:votazione", votazione.pk)
    membri = (
        votazione.tavolo.membri.attivi()
        .filter(diritto_voto=True)
        .select_related("ente")
        .order_by("ente__denominazione")
    )
    iniziali = {}
    if votazione.punto_id:
        # Who was absent from the meeting cannot have raised a hand.
        for membro_id, stato in Presenza.objects.filter(
            incontro_id=votazione.punto.incontro_id
        ).values_list("membro_id", "stato"):
            if stato == Presenza.Stato.ASSENTE:
                iniziali[membro_id] = ASSENTE
    iniziali.update(votazione.voti.values_list("membro_id", "scelta"))
    form = PaleseForm(request.POST or None, membri=membri, iniziali=iniziali)
    if request.method == "POST" and form.is_valid():
        try:
            votazione = services.registra_voto_palese(votazione, form.scelte(), by=request.user)
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _esito(votazione))
            return redirect("tavoli:votazione", votazione.pk)
    return render(
        request,
        "tavoli/votazioni/palese.html",
        {
            "votazione": votazione,
            "tavolo": votazione.tavolo,
            "form": form,
            "regola": regola_leggibile(votazione.regola),
        },
    )


urlpatterns = [
    path("<int:pk>/votazioni/", votazioni, name="votazioni"),
    path("<int:pk>/votazioni/nuova/", votazione_nuova, name="votazione_nuova"),
    path("votazioni/<int:pk>/", votazione, name="votazione"),
    path("votazioni/<int:pk>/chiudi/", votazione_chiudi, name="votazione_chiudi"),
    path("votazioni/<int:pk>/palese/", votazione_palese, name="votazione_palese"),
]

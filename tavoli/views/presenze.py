"""The attendance register of a meeting and the quorum it makes under the body's rule."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pdz.exceptions import OperazioneNonValida
from tavoli import conteggio, services
from tavoli.forms.presenze import PresenzeForm, iniziale
from tavoli.models import Convocazione, Incontro, Presenza
from tavoli.permissions import can_manage_tavolo, can_view_interno, incontro_for_view


def quorum_o_errore(incontro):
    """(Risultato or None, error message) of ``services.quorum``: never raises."""
    try:
        return services.quorum(incontro), ""
    except OperazioneNonValida as error:
        return None, str(error)


@require_http_methods(["GET", "POST"])
def presenze(request, pk):
    incontro = incontro_for_view(request.user, pk)
    tavolo = incontro.tavolo
    if not can_view_interno(request.user, tavolo):
        raise Http404
    gestore = can_manage_tavolo(request.user, tavolo)
    if request.method == "POST" and not gestore:
        raise PermissionDenied
    chiuso = incontro.stato in (Incontro.Stato.ANNULLATO, Incontro.Stato.PUBBLICATO)
    iniziato = incontro.inizio <= timezone.now()
    modificabile = gestore and not chiuso and iniziato

    registrate = {p.membro_id: p for p in incontro.presenze.all()}
    membri = list(
        tavolo.membri.filter(
            Q(rimosso_at__isnull=True) | Q(pk__in=incontro.presenze.values("membro_id"))
        )
        .select_related("ente")
        .order_by("ente__denominazione", "pk")
    )
    risposte = {}
    for membro_id, risposta, delegato in (
        Convocazione.objects.filter(incontro=incontro)
        .exclude(risposta="")
        .order_by("destinatario")
        .values_list("membro_id", "risposta", "risposta_delegato")
    ):
        risposte.setdefault(membro_id, {}).setdefault(risposta, delegato)
    righe = [
        (membro, *iniziale(membro, registrate.get(membro.pk), risposte.get(membro.pk, {})))
        for membro in membri
    ]
    iniziali = {membro.pk: stato for membro, stato, _da in righe}

    form = PresenzeForm(request.POST or None, righe=righe)
    if request.method == "POST":
        if not modificabile:
            messages.error(request, _("The attendance of this meeting cannot be taken now."))
            return redirect("tavoli:presenze", incontro.pk)
        if form.is_valid():
            try:
                services.registra_presenze(incontro, form.righe(), by=request.user)
            except OperazioneNonValida as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The attendance register is saved."))
                return redirect("tavoli:presenze", incontro.pk)

    risultato, errore_quorum = quorum_o_errore(incontro)
    if risultato is not None and not registrate:
        # Nothing saved yet: the quorum the answers to the convocation promise.
        risultato = conteggio.conta(
            tavolo.regola_voto,
            [
                conteggio.Elettore(
                    membro_id=e["membro_id"],
                    nome=e["nome"],
                    presente=iniziali.get(e["membro_id"]) != Presenza.Stato.ASSENTE,
                    peso=e["peso"],
                )
                for e in risultato.appello
            ],
        )
    # Voting members and their weight, for the live count of the page's script.
    elettori = {e["membro_id"]: e["peso"] for e in risultato.appello} if risultato else {}
    return render(
        request,
        "tavoli/presenze/presenze.html",
        {
            "incontro": incontro,
            "tavolo": tavolo,
            "form": form,
            "righe": [
                (
                    membro,
                    stato,
                    da,
                    registrate.get(membro.pk),
                    _risposte(risposte.get(membro.pk)),
                    membro.pk in elettori,
                    elettori.get(membro.pk) or 0,
                )
                for membro, stato, da in form
            ],
            "registro_vuoto": not registrate,
            "gestore": gestore,
            "modificabile": modificabile,
            "iniziato": iniziato,
            "regola": tavolo.regola_voto,
            "risultato": risultato,
            "errore_quorum": errore_quorum,
        },
    )


def _risposte(risposte):
    """What the member's people answered to the convocation, in words."""
    testi = []
    for codice, delegato in (risposte or {}).items():
        testo = str(Convocazione.Risposta(codice).label)
        testi.append(f"{testo}: {delegato}" if delegato else testo)
    return "; ".join(testi)


urlpatterns = [path("incontri/<int:pk>/presenze/", presenze, name="presenze")]

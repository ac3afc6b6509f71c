"""The minutes (verbale) of a meeting: written per agenda item by the Ufficio di Piano, sent
in draft to the members, approved at a later meeting, published; and their PDF."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pdz.exceptions import OperazioneNonValida
from pdz.pdf import render_pdf
from tavoli import conteggio, services
from tavoli.forms.verbali import AllegatoVerbaleForm, SedutaApprovazioneForm, VerbaleForm
from tavoli.models import Documento, Incontro, PuntoOdg, Votazione, Voto
from tavoli.permissions import (
    can_manage_tavolo,
    can_view_interno,
    incontro_for_change,
    incontro_for_view,
)
from tavoli.views.presenze import quorum_o_errore
from tavoli.views.votazioni import righe_appello

# The minutes exist (in draft or final) from these states on.
REDATTO = (
    Incontro.Stato.VERBALE_REDATTO,
    Incontro.Stato.VERBALE_APPROVATO,
    Incontro.Stato.PUBBLICATO,
)
SCRIVIBILE = (Incontro.Stato.SVOLTO, Incontro.Stato.VERBALE_REDATTO)


def _data(incontro):
    return date_format(timezone.localtime(incontro.inizio), "j F Y")


def _incontro_per_verbale(user, pk):
    """The meeting whose minutes ``user`` may read: internal pages of the body, or the
    published minutes of a body they can see."""
    incontro = incontro_for_view(user, pk)
    if incontro.stato != Incontro.Stato.PUBBLICATO and not can_view_interno(user, incontro.tavolo):
        raise Http404
    return incontro


def contesto_verbale(incontro):
    """Everything the minutes show, on the page and in the PDF."""
    punti = list(incontro.punti.select_related("approva_verbale_di").order_by("numero"))
    presenze = list(
        incontro.presenze.select_related("membro__ente").order_by("membro__ente__denominazione")
    )
    votazioni = list(
        Votazione.objects.filter(punto__incontro=incontro)
        .select_related("punto")
        .order_by("punto__numero", "created_at")
    )
    voti = {}
    for voto in Voto.objects.filter(votazione__in=votazioni).select_related("espresso_da"):
        voti.setdefault(voto.votazione_id, {})[voto.membro_id] = voto
    for votazione in votazioni:
        votazione.appello = righe_appello(votazione, voti.get(votazione.pk, {}))
        votazione.usa_popolazione = votazione.regola.get("peso") in (
            conteggio.POPOLAZIONE,
            conteggio.DOPPIA,
        )
    per_punto = {}
    for votazione in votazioni:
        per_punto.setdefault(votazione.punto_id, []).append(votazione)
    for punto in punti:
        punto.votazioni_verbale = per_punto.get(punto.pk, [])
    risultato, errore_quorum = quorum_o_errore(incontro)
    return {
        "incontro": incontro,
        "tavolo": incontro.tavolo,
        "ambito": incontro.tavolo.ambito,
        "punti": punti,
        "presenze": presenze,
        "presenti": sum(1 for p in presenze if p.presente),
        "votazioni": votazioni,
        "allegati": incontro.documenti.filter(
            tipo=Documento.Tipo.ALLEGATO_VERBALE, rimosso_at__isnull=True
        ).order_by("created_at"),
        "approvato_in": incontro.verbale_approvato_in,
        "punto_approvazione": PuntoOdg.objects.filter(approva_verbale_di=incontro)
        .select_related("incontro")
        .first(),
        "regola": incontro.tavolo.regola_voto,
        "risultato": risultato,
        "errore_quorum": errore_quorum,
        "redatto": incontro.stato in REDATTO,
    }


def verbale(request, pk):
    incontro = _incontro_per_verbale(request.user, pk)
    gestore = can_manage_tavolo(request.user, incontro.tavolo)
    return render(
        request,
        "tavoli/verbali/verbale.html",
        {
            **contesto_verbale(incontro),
            "gestore": gestore,
            "scrivibile": gestore and incontro.stato in SCRIVIBILE,
            "interno": can_view_interno(request.user, incontro.tavolo),
        },
    )


def _pagina_modifica(request, incontro, form=None, allegato_form=None, status=200):
    punti = incontro.punti.order_by("numero")
    return render(
        request,
        "tavoli/verbali/modifica.html",
        {
            "incontro": incontro,
            "tavolo": incontro.tavolo,
            "form": form or VerbaleForm(incontro=incontro, punti=punti),
            "allegato_form": allegato_form or AllegatoVerbaleForm(),
            "allegati": incontro.documenti.filter(
                tipo=Documento.Tipo.ALLEGATO_VERBALE, rimosso_at__isnull=True
            ).order_by("created_at"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def verbale_modifica(request, pk):
    incontro = incontro_for_change(request.user, pk)
    if incontro.stato not in SCRIVIBILE:
        messages.error(
            request,
            _("Minutes are written after the meeting is held and until they are approved."),
        )
        return redirect("tavoli:verbale", incontro.pk)
    if request.method == "POST":
        form = VerbaleForm(request.POST, incontro=incontro, punti=incontro.punti.order_by("numero"))
        if form.is_valid():
            try:
                services.salva_verbale(
                    incontro,
                    generale=form.cleaned_data["generale"],
                    punti=form.testi_punti(),
                    by=request.user,
                )
            except OperazioneNonValida as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The minutes are saved."))
                return redirect("tavoli:verbale", incontro.pk)
        return _pagina_modifica(request, incontro, form=form)
    return _pagina_modifica(request, incontro)


@require_POST
def verbale_allegato(request, pk):
    """Attach a file (PDF) to the minutes."""
    incontro = incontro_for_change(request.user, pk)
    if incontro.stato not in SCRIVIBILE:
        messages.error(request, _("Attachments are added while the minutes are written."))
        return redirect("tavoli:verbale", incontro.pk)
    form = AllegatoVerbaleForm(request.POST, request.FILES)
    if not form.is_valid():
        return _pagina_modifica(request, incontro, allegato_form=form)
    documento = services.aggiungi_documento(
        incontro,
        tipo=Documento.Tipo.ALLEGATO_VERBALE,
        titolo=form.cleaned_data["titolo"],
        file=form.cleaned_data["file"],
        by=request.user,
    )
    messages.success(
        request, _("“%(titolo)s” is attached to the minutes.") % {"titolo": documento.titolo}
    )
    return redirect("tavoli:verbale_modifica", incontro.pk)


def _azione(request, pk, servizio, successo):
    incontro = incontro_for_change(request.user, pk)
    try:
        incontro = servizio(incontro, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        messages.success(request, successo(incontro))
    return redirect("tavoli:verbale", incontro.pk)


@require_POST
def verbale_invia(request, pk):
    return _azione(
        request,
        pk,
        services.invia_bozza_verbale,
        lambda i: (
            _("The draft minutes were e-mailed to the members of %(tavolo)s.")
            % {"tavolo": i.tavolo}
        ),
    )


@require_POST
def verbale_approva(request, pk):
    return _azione(
        request,
        pk,
        services.approva_verbale,
        lambda i: (
            _("The minutes are approved, at the meeting of %(data)s.")
            % {"data": _data(i.verbale_approvato_in)}
        ),
    )


@require_POST
def verbale_pubblica(request, pk):
    return _azione(
        request,
        pk,
        services.pubblica_verbale,
        lambda i: _("The minutes are published: everyone who can see the body can read them."),
    )


@require_http_methods(["GET", "POST"])
def verbale_ordine_giorno(request, pk):
    """Put the approval of the minutes on the agenda of a later meeting of the body."""
    incontro = incontro_for_change(request.user, pk)
    sedute = Incontro.objects.filter(
        tavolo=incontro.tavolo,
        inizio__gt=incontro.inizio,
        stato__in=[Incontro.Stato.PIANIFICATO, Incontro.Stato.CONVOCATO],
    ).order_by("inizio")
    form = SedutaApprovazioneForm(request.POST or None, sedute=sedute)
    if request.method == "POST" and form.is_valid():
        seduta = form.cleaned_data["seduta"]
        try:
            punto = services.metti_approvazione_verbale(incontro, seduta, by=request.user)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Item %(numero)s, “%(titolo)s”, is on the agenda of the meeting of %(data)s.")
                % {"numero": punto.numero, "titolo": punto.titolo, "data": _data(seduta)},
            )
            return redirect("tavoli:verbale", incontro.pk)
    return render(
        request,
        "tavoli/verbali/ordine_giorno.html",
        {
            "incontro": incontro,
            "tavolo": incontro.tavolo,
            "form": form,
            "nessuna_seduta": not sedute.exists(),
        },
    )


def verbale_pdf(request, pk):
    incontro = _incontro_per_verbale(request.user, pk)
    if incontro.stato in (
        Incontro.Stato.PIANIFICATO,
        Incontro.Stato.CONVOCATO,
        Incontro.Stato.ANNULLATO,
    ):
        raise Http404
    pdf = render_pdf("tavoli/pdf/verbale.html", contesto_verbale(incontro))
    nome = f"verbale-{timezone.localtime(incontro.inizio):%Y-%m-%d}-{slugify(incontro.tavolo.nome)}"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{nome[:120]}.pdf"'
    return response


urlpatterns = [
    path("incontri/<int:pk>/verbale/", verbale, name="verbale"),
    path("incontri/<int:pk>/verbale/modifica/", verbale_modifica, name="verbale_modifica"),
    path("incontri/<int:pk>/verbale/allegati/", verbale_allegato, name="verbale_allegato"),
    path("incontri/<int:pk>/verbale/invia/", verbale_invia, name="verbale_invia"),
    path(
        "incontri/<int:pk>/verbale/ordine-del-giorno/",
        verbale_ordine_giorno,
        name="verbale_ordine_giorno",
    ),
    path("incontri/<int:pk>/verbale/approva/", verbale_approva, name="verbale_approva"),
    path("incontri/<int:pk>/verbale/pubblica/", verbale_pubblica, name="verbale_pubblica"),
    path("incontri/<int:pk>/verbale.pdf", verbale_pdf, name="verbale_pdf"),
]

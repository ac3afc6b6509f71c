"""Notices (avvisi): the public list and page, and their management by the Ufficio di Piano.

A notice is public once published (and stays on record when withdrawn); its drafts and its
back-office pages belong to the staff of its ambito: 404 for who has no role there, 403 for
who has a role but may not manage notices.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, IntegerField, Q, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambiti.permissions import ambito_for_change, can_view_ambito
from pdz.lists import paginate
from terzo_settore import services
from terzo_settore.forms.avvisi import (
    AllegatoAvvisoForm,
    AnnullaForm,
    AvvisoForm,
    AvvisoGestioneFilter,
    AvvisoPubblicoFilter,
    ProrogaForm,
    formsets_for,
)
from terzo_settore.models import AllegatoAvviso, Avviso, Domanda, Organizzazione
from terzo_settore.permissions import can_manage_avvisi, referenze
from terzo_settore.services import OperazioneNonValida
from terzo_settore.views import domande, istruttoria

try:
    from terzo_settore.graduatoria import graduatoria
except ImportError:  # written in another part of the app; the page works without it
    graduatoria = None


# --- helpers ---------------------------------------------------------------------------------


def pubblici():
    """The notices the public may read: published ones, and withdrawn ones once published."""
    return Avviso.objects.filter(
        Q(stato=Avviso.Stato.PUBBLICATO)
        | Q(stato=Avviso.Stato.ANNULLATO, pubblicato_at__isnull=False)
    )


def con_fase(avvisi, now=None):
    """Annotate ``fase``: 0 open, 1 not open yet, 2 closed or withdrawn; and sort by it."""
    now = now or timezone.now()
    pubblicato = Q(stato=Avviso.Stato.PUBBLICATO)
    aperto = pubblicato & Q(apertura__lte=now, chiusura__gt=now)
    futuro = pubblicato & Q(apertura__gt=now)
    return avvisi.annotate(
        fase=Case(
            When(aperto, then=0), When(futuro, then=1), default=2, output_field=IntegerField()
        ),
        scadenza=Case(When(aperto, then=F("chiusura")), When(futuro, then=F("apertura"))),
    ).order_by("fase", F("scadenza").asc(nulls_last=True), "-chiusura", "-pk")


def _avviso_for_manage(user, pk):
    avviso = Avviso.objects.select_related("ambito").filter(pk=pk).first()
    if avviso is None or not can_view_ambito(user, avviso.ambito):
        raise Http404
    if not can_manage_avvisi(user, avviso.ambito):
        raise PermissionDenied
    return avviso


def _gestione_context(avviso):
    """What templates/ambiti/gestione/base.html needs, for a page of one notice."""
    return {"ambito": avviso.ambito, "avviso": avviso, "section": "avvisi", "can_manage": True}


def _data(request):
    """The submitted data, also when empty (a form posted blank must show its errors)."""
    return request.POST if request.method == "POST" else None


def _data_ora(value):
    return date_format(timezone.localtime(value), "d/m/Y H:i")


# --- public pages ----------------------------------------------------------------------------


def avvisi(request):
    queryset = con_fase(pubblici().select_related("ambito"))
    filterset = AvvisoPubblicoFilter(request.GET or None, queryset=queryset)
    return render(
        request,
        "terzo_settore/avvisi/elenco.html",
        {"filterset": filterset, "page": paginate(request, filterset.qs)},
    )


def avviso(request, pk):
    avviso = get_object_or_404(Avviso.objects.select_related("ambito"), pk=pk)
    gestore = can_manage_avvisi(request.user, avviso.ambito)
    if not gestore and not pubblici().filter(pk=avviso.pk).exists():
        raise Http404
    context = {
        "avviso": avviso,
        "gestore": gestore,
        "allegati": list(avviso.allegati.all()),
        "tavoli": list(avviso.tavoli_offerti.all()),
        "criteri": list(avviso.criteri.all()),
        "graduatoria": None,
        "now": timezone.now(),
    }
    if (
        graduatoria is not None
        and avviso.tipo == Avviso.Tipo.COPROGETTAZIONE
        and avviso.graduatoria_pubblicata_at is not None
    ):
        context["graduatoria"] = list(graduatoria(avviso))
    organizzazioni = referenze(request.user)
    if organizzazioni:
        mie = Domanda.objects.filter(avviso=avviso, organizzazione__in=organizzazioni)
        domande_mie = {d.organizzazione_id: d for d in mie}
        context["partecipanti"] = [
            (organizzazione, domande_mie.get(organizzazione.pk))
            for organizzazione in Organizzazione.objects.filter(
                pk__in=organizzazioni
            ).select_related("ente")
        ]
    return render(request, "terzo_settore/avvisi/avviso.html", context)


def allegato_avviso(request, pk, allegato_pk):
    """An attachment of a notice: public with the notice, to staff while a draft."""
    allegato = get_object_or_404(
        AllegatoAvviso.objects.select_related("avviso__ambito"), pk=allegato_pk, avviso_id=pk
    )
    avviso = allegato.avviso
    if not pubblici().filter(pk=avviso.pk).exists() and not can_manage_avvisi(
        request.user, avviso.ambito
    ):
        raise Http404
    return FileResponse(
        allegato.file.open("rb"),
        as_attachment=True,
        filename=allegato.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


# --- back-office -----------------------------------------------------------------------------


@login_required
def gestione_elenco(request, codice):
    ambito = ambito_for_change(request.user, codice)
    queryset = (
        Avviso.objects.filter(ambito=ambito)
        .annotate(
            num_domande=Count("domande", filter=~Q(domande__stato=Domanda.Stato.BOZZA)),
        )
        .order_by("-apertura", "-pk")
    )
    filterset = AvvisoGestioneFilter(request.GET or None, queryset=queryset)
    context = {
        "ambito": ambito,
        "section": "avvisi",
        "can_manage": True,
        "filterset": filterset,
        "page": paginate(request, filterset.qs),
        "now": timezone.now(),
    }
    return render(request, "terzo_settore/avvisi/gestione_elenco.html", context)


@login_required
def avviso_nuovo(request, codice):
    ambito = ambito_for_change(request.user, codice)
    form = AvvisoForm(_data(request), ambito=ambito)
    if request.method == "POST" and form.is_valid():
        avviso = services.salva_avviso(form, by=request.user)
        messages.success(
            request, _("The draft notice “%(title)s” has been created.") % {"title": avviso}
        )
        if formsets_for(avviso) or avviso.tipo == Avviso.Tipo.COPROGETTAZIONE:
            return redirect("terzo_settore:avviso_modifica", avviso.pk)
        return redirect("terzo_settore:avviso_gestione", avviso.pk)
    context = {"ambito": ambito, "section": "avvisi", "can_manage": True, "form": form}
    return render(request, "terzo_settore/avvisi/form.html", context)


@login_required
def avviso_modifica(request, pk):
    avviso = _avviso_for_manage(request.user, pk)
    if avviso.stato != Avviso.Stato.BOZZA:
        messages.error(request, _("Only a draft notice can be changed."))
        return redirect("terzo_settore:avviso_gestione", avviso.pk)
    data = _data(request)
    form = AvvisoForm(data, instance=avviso, ambito=avviso.ambito)
    formsets = formsets_for(avviso, data)
    if (
        request.method == "POST"
        # every part validated, so that all the errors show at once
        and all([form.is_valid(), *(fs.is_valid() for fs in formsets.values())])
    ):
        try:
            services.salva_avviso(form, formsets.values(), by=request.user)
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The changes to the notice have been saved."))
            return redirect("terzo_settore:avviso_gestione", avviso.pk)
    context = {**_gestione_context(avviso), "form": form, "formsets": formsets}
    return render(request, "terzo_settore/avvisi/form.html", context)


def _render_gestione(request, avviso, allegato_form=None, status=200):
    per_stato = dict(
        avviso.domande.values("stato").annotate(n=Count("pk")).values_list("stato", "n")
    )
    context = {
        **_gestione_context(avviso),
        "allegati": list(avviso.allegati.all()),
        "tavoli": list(avviso.tavoli_offerti.all()),
        "criteri": list(avviso.criteri.all()),
        "commissione": list(avviso.commissione.order_by("full_name")),
        "num_quesiti": avviso.quesiti.count(),
        "domande_per_stato": [
            (stato, label, per_stato.get(stato, 0))
            for stato, label in Domanda.Stato.choices
            if stato != Domanda.Stato.BOZZA and per_stato.get(stato)
        ],
        "num_bozze": per_stato.get(Domanda.Stato.BOZZA, 0),
        "allegato_form": allegato_form or AllegatoAvvisoForm(),
        "removable": avviso.stato == Avviso.Stato.BOZZA,
        "now": timezone.now(),
        "problemi": (
            services.problemi_pubblicazione(avviso) if avviso.stato == Avviso.Stato.BOZZA else []
        ),
    }
    return render(request, "terzo_settore/avvisi/gestione_avviso.html", context, status=status)


@login_required
def avviso_gestione(request, pk):
    return _render_gestione(request, _avviso_for_manage(request.user, pk))


@login_required
@require_POST
def avviso_allegato_nuovo(request, pk):
    avviso = _avviso_for_manage(request.user, pk)
    form = AllegatoAvvisoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.aggiungi_allegato_avviso(
                avviso,
                titolo=form.cleaned_data["titolo"],
                file=form.cleaned_data["file"],
                by=request.user,
            )
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("“%(title)s” has been attached to the notice.")
                % {"title": form.cleaned_data["titolo"]},
            )
            return redirect("terzo_settore:avviso_gestione", avviso.pk)
    return _render_gestione(request, avviso, allegato_form=form)


@login_required
@require_POST
def avviso_allegato_togli(request, pk, allegato_pk):
    avviso = _avviso_for_manage(request.user, pk)
    allegato = get_object_or_404(avviso.allegati.all(), pk=allegato_pk)
    try:
        services.togli_allegato_avviso(allegato, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("“%(title)s” has been removed from the notice.") % {"title": allegato}
        )
    return redirect("terzo_settore:avviso_gestione", avviso.pk)


def _azione(request, avviso, *, form, azione, esegui, successo):
    """The confirmation page of a change of a notice (publish, extend, withdraw)."""
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            esegui(form.cleaned_data if form is not None else {})
        except OperazioneNonValida as error:
            if form is not None:
                form.add_error(None, str(error))
            else:
                messages.error(request, str(error))
        else:
            messages.success(request, successo())
            return redirect("terzo_settore:avviso_gestione", avviso.pk)
    context = {
        **_gestione_context(avviso),
        "form": form,
        "azione": azione,
        "now": timezone.now(),
        "problemi": services.problemi_pubblicazione(avviso) if azione == "pubblica" else [],
    }
    return render(request, "terzo_settore/avvisi/azione.html", context)


@login_required
def avviso_pubblica(request, pk):
    avviso = _avviso_for_manage(request.user, pk)
    return _azione(
        request,
        avviso,
        form=None,
        azione="pubblica",
        esegui=lambda data: services.pubblica_avviso(avviso, by=request.user),
        successo=lambda: (
            _("The notice has been published: it is open from %(date)s.")
            % {"date": _data_ora(avviso.apertura)}
        ),
    )


@login_required
def avviso_proroga(request, pk):
    avviso = _avviso_for_manage(request.user, pk)
    form = ProrogaForm(_data(request), avviso=avviso)
    return _azione(
        request,
        avviso,
        form=form,
        azione="proroga",
        esegui=lambda data: services.proroga_avviso(
            avviso, chiusura=data["chiusura"], by=request.user
        ),
        successo=lambda: (
            _("The notice now closes on %(date)s.")
            % {"date": _data_ora(form.cleaned_data["chiusura"])}
        ),
    )


@login_required
def avviso_annulla(request, pk):
    avviso = _avviso_for_manage(request.user, pk)
    form = AnnullaForm(_data(request))
    return _azione(
        request,
        avviso,
        form=form,
        azione="annulla",
        esegui=lambda data: services.annulla_avviso(
            avviso, motivazione=data["motivazione"], by=request.user
        ),
        successo=lambda: _("The notice has been withdrawn."),
    )


# The application and review pages live in their own modules; their routes are mounted here.
urlpatterns = [
    path("avvisi/", avvisi, name="avvisi"),
    path("avvisi/<int:pk>/", avviso, name="avviso"),
    path("avvisi/<int:pk>/allegati/<int:allegato_pk>/", allegato_avviso, name="avviso_allegato"),
    path("avvisi/gestione/<slug:codice>/", gestione_elenco, name="avvisi_gestione"),
    path("avvisi/gestione/<slug:codice>/nuovo/", avviso_nuovo, name="avviso_nuovo"),
    path("avvisi/<int:pk>/gestione/", avviso_gestione, name="avviso_gestione"),
    path("avvisi/<int:pk>/modifica/", avviso_modifica, name="avviso_modifica"),
    path("avvisi/<int:pk>/pubblica/", avviso_pubblica, name="avviso_pubblica"),
    path("avvisi/<int:pk>/proroga/", avviso_proroga, name="avviso_proroga"),
    path("avvisi/<int:pk>/annulla/", avviso_annulla, name="avviso_annulla"),
    path("avvisi/<int:pk>/allegati/", avviso_allegato_nuovo, name="avviso_allegato_nuovo"),
    path(
        "avvisi/<int:pk>/allegati/<int:allegato_pk>/togli/",
        avviso_allegato_togli,
        name="avviso_allegato_togli",
    ),
    *domande.urlpatterns,
    *istruttoria.urlpatterns,
]

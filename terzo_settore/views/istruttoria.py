"""The review (istruttoria) of submitted applications by the Ufficio di Piano: the queue of
the ambiti the user manages, and the review steps (terzo_settore.services.TRANSIZIONI)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambiti.models import Ambito
from pdz.formati import data_ora
from pdz.lists import csv_response, paginate, wants_csv
from terzo_settore import services
from terzo_settore.forms.domande import AzioneForm, IstruttoriaFilter
from terzo_settore.models import Domanda
from terzo_settore.permissions import domanda_for_review
from terzo_settore.services import TRANSIZIONI, OperazioneNonValida
from terzo_settore.views.domande import ORDINE_AZIONI, render_domanda


@login_required
def coda(request):
    ambiti = list(Ambito.objects.managed_by(request.user).order_by("nome"))
    if not ambiti:
        raise Http404
    queryset = (
        Domanda.objects.inviate()
        .filter(ambito__in=ambiti)
        .select_related("avviso", "ambito", "organizzazione__ente")
        .prefetch_related("organizzazione__aree")
        .order_by("-inviata_at", "-pk")
    )
    filterset = IstruttoriaFilter(request.GET or None, queryset=queryset, ambiti=ambiti)
    if wants_csv(request):
        return csv_response(
            "istruttoria.csv",
            [
                _("Protocol"),
                _("Submitted at"),
                _("Organisation"),
                _("Tax code"),
                _("Notice"),
                _("Type of notice"),
                _("Ambito"),
                _("State"),
                _("Target groups"),
                _("Delegate"),
                _("Delegate's e-mail"),
            ],
            (
                [
                    d.protocollo,
                    data_ora(d.inviata_at),
                    d.organizzazione.ente.denominazione,
                    d.organizzazione.ente.codice_fiscale,
                    d.avviso.titolo,
                    d.avviso.get_tipo_display(),
                    d.ambito.nome,
                    d.get_stato_display(),
                    ", ".join(a.nome for a in d.organizzazione.aree.all()),
                    d.delegato_nome,
                    d.delegato_email,
                ]
                for d in filterset.qs
            ),
        )
    return render(
        request,
        "terzo_settore/istruttoria/coda.html",
        {
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "piu_ambiti": len(ambiti) > 1,
        },
    )


@login_required
@require_POST
def cambia_stato(request, pk):
    """One review step. A missing reason comes back next to its field, with what was typed."""
    domanda = domanda_for_review(request.user, pk)
    nuovo = request.POST.get("nuovo", "")
    possibili = TRANSIZIONI.get(domanda.stato, set())
    if nuovo not in possibili:
        messages.error(
            request,
            _("This step is not possible: the application is now “%(stato)s”.")
            % {"stato": domanda.get_stato_display()},
        )
        return redirect("terzo_settore:domanda", domanda.pk)
    form = AzioneForm(request.POST, domanda=domanda, nuovo=nuovo)
    if form.is_valid():
        try:
            domanda = services.cambia_stato(
                domanda,
                nuovo,
                by=request.user,
                motivazione=form.cleaned_data.get("motivazione", ""),
            )
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Application %(protocollo)s of %(org)s: %(stato)s.")
                % {
                    "protocollo": domanda.protocollo,
                    "org": domanda.organizzazione,
                    "stato": domanda.get_stato_display(),
                },
            )
        return redirect("terzo_settore:domanda", domanda.pk)
    azioni = [
        form if stato == nuovo else AzioneForm(domanda=domanda, nuovo=stato)
        for stato in ORDINE_AZIONI
        if stato in possibili
    ]
    return render_domanda(request, domanda, azioni=azioni)


urlpatterns = [
    path("istruttoria/", coda, name="istruttoria"),
    path("istruttoria/<int:pk>/stato/", cambia_stato, name="cambia_stato"),
]

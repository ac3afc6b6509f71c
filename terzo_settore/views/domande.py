"""Applications (domande): a referente starts one on an open notice, fills it online, submits
it and gets a protocol number and a receipt. A submitted application is read-only, until the
review asks for more information.

Who sees what is in terzo_settore.permissions: ``domanda_for_view`` (404) for the page,
the receipt and the attachments; ``domanda_for_edit`` (403) to change it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pdz.audit import history
from pdz.lists import paginate
from terzo_settore import services
from terzo_settore.forms.domande import (
    AllegatoDomandaForm,
    AzioneForm,
    DomandaForm,
    ScegliOrganizzazioneForm,
)
from terzo_settore.models import Avviso, Domanda, Organizzazione
from terzo_settore.permissions import (
    can_manage_avvisi,
    domanda_for_edit,
    domanda_for_view,
    is_referente,
    referenze,
)
from terzo_settore.services import TRANSIZIONI, OperazioneNonValida
from terzo_settore.tasks import nome_ricevuta, pdf_ricevuta

try:
    from terzo_settore.forms.rilevazioni import RisposteForm
except ImportError:  # the survey answers come from another part of the app
    RisposteForm = None

# the order of the review buttons: moving on first, the heavy ones last
ORDINE_AZIONI = [
    Domanda.Stato.IN_ISTRUTTORIA,
    Domanda.Stato.AMMESSA,
    Domanda.Stato.INTEGRAZIONE,
    Domanda.Stato.NON_AMMESSA,
    Domanda.Stato.SOSPESA,
    Domanda.Stato.REVOCATA,
]

# what the history of an application says for each audit code
VOCI_STORIA = {
    "domanda.bozza": gettext_lazy("Draft started"),
    "domanda.modificata": gettext_lazy("Draft saved"),
    "domanda.allegato": gettext_lazy("Attachment added"),
    "domanda.allegato_tolto": gettext_lazy("Attachment removed"),
    "domanda.inviata": gettext_lazy("Submitted"),
    "domanda.integrata": gettext_lazy("Information completed and submitted again"),
    "domanda.in_istruttoria": gettext_lazy("Under review"),
    "domanda.integrazione": gettext_lazy("More information requested"),
    "domanda.ammessa": gettext_lazy("Admitted"),
    "domanda.non_ammessa": gettext_lazy("Not admitted"),
    "domanda.sospesa": gettext_lazy("Suspended"),
    "domanda.revocata": gettext_lazy("Revoked"),
    "domanda.punteggio": gettext_lazy("Scored by the commission"),
}
# audit codes only the Ufficio di Piano reads
VOCI_INTERNE = {"domanda.punteggio"}


def _risposte_form(domanda, data=None):
    if RisposteForm is None or domanda.avviso.tipo != Avviso.Tipo.RILEVAZIONE:
        return None
    return RisposteForm(domanda.avviso.quesiti.all(), domanda, data=data)


def _storia(domanda, *, interna):
    voci = []
    for entry in history(domanda):
        if entry.action in VOCI_INTERNE and not interna:
            continue
        data = entry.data or {}
        dettaglio = data.get("protocollo") or data.get("titolo") or data.get("motivazione") or ""
        voci.append(
            {
                "quando": entry.created_at,
                "chi": entry.user,
                "cosa": VOCI_STORIA.get(entry.action, entry.action),
                "dettaglio": dettaglio,
            }
        )
    return voci


def render_domanda(request, domanda, azioni=None, status=200):
    """The page of an application: for its referenti, and with the review steps for staff."""
    revisore = can_manage_avvisi(request.user, domanda.ambito)
    if revisore and azioni is None:
        possibili = TRANSIZIONI.get(domanda.stato, set())
        azioni = [
            AzioneForm(domanda=domanda, nuovo=nuovo)
            for nuovo in ORDINE_AZIONI
            if nuovo in possibili
        ]
    context = {
        "domanda": domanda,
        "avviso": domanda.avviso,
        "revisore": revisore,
        "referente": is_referente(request.user, domanda.organizzazione),
        "modificabile": request.user.is_authenticated
        and is_referente(request.user, domanda.organizzazione)
        and domanda.stato in (Domanda.Stato.BOZZA, Domanda.Stato.INTEGRAZIONE),
        "azioni": azioni or [],
        "allegati": list(domanda.allegati.filter(rimosso_at__isnull=True)),
        "tavoli": list(domanda.tavoli.all()),
        "risposte": list(domanda.risposte.select_related("quesito").order_by("quesito__ordine")),
        "storia": _storia(domanda, interna=revisore),
    }
    return render(request, "terzo_settore/domande/domanda.html", context, status=status)


# --- the referente's pages -------------------------------------------------------------------


@login_required
def elenco(request):
    """The applications of the organisations the user acts for, drafts first."""
    queryset = (
        Domanda.objects.filter(organizzazione__in=list(referenze(request.user)))
        .select_related("avviso__ambito", "organizzazione__ente")
        .order_by(F("inviata_at").desc(nulls_first=True), "-pk")
    )
    return render(
        request,
        "terzo_settore/domande/elenco.html",
        {"page": paginate(request, queryset), "referente": bool(referenze(request.user))},
    )


@login_required
def partecipa(request, pk):
    """Start (or resume) the application of one of the user's organisations to a notice."""
    avviso = get_object_or_404(Avviso.objects.pubblicati().select_related("ambito"), pk=pk)
    organizzazioni = Organizzazione.objects.filter(
        pk__in=list(referenze(request.user))
    ).select_related("ente")
    esistenti = {
        d.organizzazione_id: d
        for d in Domanda.objects.filter(avviso=avviso, organizzazione__in=organizzazioni)
    }
    if request.method == "POST" and not organizzazioni:
        raise PermissionDenied
    form = ScegliOrganizzazioneForm(
        request.POST if request.method == "POST" else None, organizzazioni=organizzazioni
    )
    if len(organizzazioni) == 1 and not form.is_bound:
        form.initial["organizzazione"] = organizzazioni[0].pk
    if request.method == "POST" and form.is_valid():
        organizzazione = form.cleaned_data["organizzazione"]
        if organizzazione.pk in esistenti:
            return redirect("terzo_settore:domanda", esistenti[organizzazione.pk].pk)
        try:
            domanda = services.crea_bozza(avviso, organizzazione, by=request.user)
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The application of %(org)s has been started: fill it in and submit it.")
                % {"org": organizzazione},
            )
            return redirect("terzo_settore:domanda_modifica", domanda.pk)
    context = {
        "avviso": avviso,
        "form": form,
        "organizzazioni": organizzazioni,
        "esistenti": [esistenti[o.pk] for o in organizzazioni if o.pk in esistenti],
    }
    return render(request, "terzo_settore/domande/partecipa.html", context)


@login_required
def domanda(request, pk):
    return render_domanda(request, domanda_for_view(request.user, pk))


def _render_modifica(request, domanda, form, allegato_form, risposte, *, salvata=False):
    context = {
        "domanda": domanda,
        "avviso": domanda.avviso,
        "form": form,
        "allegato_form": allegato_form,
        "risposte": risposte,
        "allegati": list(domanda.allegati.filter(rimosso_at__isnull=True)),
        "salvata": salvata,
        "chiusa": domanda.stato == Domanda.Stato.BOZZA and not domanda.avviso.aperto,
    }
    return render(request, "terzo_settore/domande/modifica.html", context)


@login_required
def domanda_modifica(request, pk):
    """Fill in the application. Every button saves what was typed: "save", "remove an
    attachment" and "submit"; a file chosen is attached with it."""
    domanda = domanda_for_edit(request.user, pk)
    if request.method != "POST":
        return _render_modifica(
            request,
            domanda,
            DomandaForm(instance=domanda),
            AllegatoDomandaForm(prefix="allegato"),
            _risposte_form(domanda),
        )

    azione = request.POST.get("azione", "salva")
    form = DomandaForm(request.POST, instance=domanda)
    allegato_form = AllegatoDomandaForm(request.POST, request.FILES, prefix="allegato")
    risposte = _risposte_form(domanda, request.POST)
    form_ok = form.is_valid()
    allegato_ok = allegato_form.is_valid()
    risposte_ok = risposte is None or risposte.is_valid()
    fatto = []
    try:
        if form_ok:
            services.salva_bozza(
                domanda, form, risposte=risposte if risposte_ok else None, by=request.user
            )
        if allegato_ok and allegato_form.allegato:
            titolo, file = allegato_form.allegato
            services.aggiungi_allegato(domanda, titolo=titolo, file=file, by=request.user)
            fatto.append(_("“%(title)s” has been attached.") % {"title": titolo})
            allegato_form = AllegatoDomandaForm(prefix="allegato")
        togli = azione.removeprefix("togli-")
        if togli != azione:
            allegato = get_object_or_404(
                domanda.allegati.filter(rimosso_at__isnull=True),
                pk=togli if togli.isdigit() else 0,
            )
            services.togli_allegato(allegato, by=request.user)
            fatto.append(_("“%(title)s” has been removed.") % {"title": allegato.titolo})
    except OperazioneNonValida as error:
        # The state changed meanwhile (e.g. the review took the application back).
        messages.error(request, str(error))
        return redirect("terzo_settore:domanda", domanda.pk)

    ok = form_ok and allegato_ok and risposte_ok
    if ok and azione == "invia":
        integrazione = domanda.stato == Domanda.Stato.INTEGRAZIONE
        if risposte is not None:
            risposte.per_invio = True  # the required answers, now
        risposte_complete = risposte is None or risposte.is_valid()
        if form.controlla_invio() and risposte_complete:
            try:
                domanda = services.invia_domanda(domanda, by=request.user)
            except OperazioneNonValida as error:
                form.add_error(None, str(error))
            else:
                if integrazione:
                    messages.success(
                        request,
                        _(
                            "The application has been completed and sent back to the "
                            "Ufficio di Piano."
                        ),
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "The application has been submitted with protocol number "
                            "%(protocollo)s. The receipt is on its way by e-mail."
                        )
                        % {"protocollo": domanda.protocollo},
                    )
                return redirect("terzo_settore:domanda", domanda.pk)
        ok = False
    if ok:
        for message in fatto:
            messages.success(request, message)
        messages.success(request, _("Your draft has been saved."))
        return redirect("terzo_settore:domanda_modifica", domanda.pk)
    for message in fatto:
        messages.success(request, message)
    return _render_modifica(
        request, domanda, form, allegato_form, risposte, salvata=form_ok and risposte_ok
    )


# --- documents -------------------------------------------------------------------------------


@login_required
def ricevuta(request, pk):
    """The receipt PDF, after the permission check (media files are not public)."""
    domanda = domanda_for_view(request.user, pk)
    if domanda.protocollo_numero is None:
        raise Http404
    filename = nome_ricevuta(domanda)
    if domanda.ricevuta:
        return FileResponse(
            domanda.ricevuta.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type="application/pdf",
        )
    # The worker has not stored it yet: the same document, made now.
    response = HttpResponse(pdf_ricevuta(domanda), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def allegato_domanda(request, pk, allegato_pk):
    domanda = domanda_for_view(request.user, pk)
    allegato = get_object_or_404(domanda.allegati.filter(rimosso_at__isnull=True), pk=allegato_pk)
    return FileResponse(
        allegato.file.open("rb"),
        as_attachment=True,
        filename=allegato.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


urlpatterns = [
    path("domande/", elenco, name="domande"),
    path("avvisi/<int:pk>/partecipa/", partecipa, name="partecipa"),
    path("domande/<int:pk>/", domanda, name="domanda"),
    path("domande/<int:pk>/modifica/", domanda_modifica, name="domanda_modifica"),
    path("domande/<int:pk>/ricevuta/", ricevuta, name="ricevuta"),
    path(
        "domande/<int:pk>/allegati/<int:allegato_pk>/",
        allegato_domanda,
        name="allegato_domanda",
    ),
]

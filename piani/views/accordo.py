"""The accordo di programma and the adhesions of the third sector.

- ``adesione``: a referente of an organisation that took part asks to adhere, sees the state
  of the requests, withdraws one (``adesione_ritira``).
- ``adesioni`` / ``adesione_decidi``: the staff list, accept and refuse the requests.
- ``accordo``: the staff prepare it on the approved version, edit its texts, generate its
  PDF, send it to signature, upload the signed copies, record the approving act and the BUR
  publication; participants read it; once published, everyone downloads it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pdz.exceptions import OperazioneNonValida
from pdz.formati import data_ora
from pdz.lists import csv_response, paginate, wants_csv
from piani.forms.accordo import (
    AdesioneForm,
    AdesioniFilter,
    AttoForm,
    BurForm,
    CopiaFirmataForm,
    DecisioneForm,
    TestiAccordoForm,
)
from piani.models import Accordo, Adesione, Firmatario, Piano
from piani.permissions import (
    can_caricare_copia,
    can_manage_piano,
    can_view_interno,
    can_view_piano,
    enti_rappresentati,
    piano_for_change,
    piano_for_interno,
)
from piani.services import accordo as servizi
from terzo_settore.permissions import referenze

PUBBLICI = (Accordo.Stato.APPROVATO, Accordo.Stato.PUBBLICATO)


def _piano(pk):
    return get_object_or_404(Piano.objects.select_related("ambito"), pk=pk)


def _accordo_di(piano):
    return Accordo.objects.select_related("versione", "piano__ambito").filter(piano=piano).first()


def _pubblico(piano, accordo):
    """Everyone may read an accordo approved or published of a published plan."""
    return piano.pubblicato and accordo is not None and accordo.stato in PUBBLICI


# --- adhesions ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def adesione(request, pk):
    piano = _piano(pk)
    idonee = list(servizi.organizzazioni_idonee(request.user, piano.ambito))
    mie = list(
        Adesione.objects.filter(piano=piano, organizzazione__in=set(referenze(request.user)))
        .select_related("organizzazione__ente")
        .order_by("-created_at", "-pk")
    )
    if not idonee and not mie:
        if can_view_piano(request.user, piano):
            raise PermissionDenied
        raise Http404
    impegnate = {a.organizzazione_id for a in mie if a.stato in servizi.ATTIVE}
    libere = [o for o in idonee if o.pk not in impegnate]
    chiuse = servizi.adesioni_chiuse(piano)
    form = None
    if libere and not chiuse:
        form = AdesioneForm(request.POST or None, organizzazioni=_queryset_di(libere))
    if request.method == "POST":
        if form is None:
            messages.error(request, _("No organisation of yours can ask to adhere now."))
            return redirect("piani:adesione", piano.pk)
        if form.is_valid():
            dati = form.cleaned_data
            try:
                servizi.richiedi_adesione(
                    piano,
                    organizzazione=dati["organizzazione"],
                    impegni=dati["impegni"],
                    firmatario_nome=dati["firmatario_nome"],
                    firmatario_qualifica=dati["firmatario_qualifica"],
                    by=request.user,
                )
            except OperazioneNonValida as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "The request of %(org)s has been sent: the Ufficio di Piano will "
                        "tell you its decision by e-mail."
                    )
                    % {"org": dati["organizzazione"].ente.denominazione},
                )
                return redirect("piani:adesione", piano.pk)
    return render(
        request,
        "piani/accordo/adesione.html",
        {
            "piano": piano,
            "form": form,
            "mie": mie,
            "chiuse": chiuse,
            "ritirabili": servizi.ATTIVE,
            "idonee": idonee,
            "interno": can_view_interno(request.user, piano),
        },
    )


def _queryset_di(organizzazioni):
    from terzo_settore.models import Organizzazione

    return (
        Organizzazione.objects.filter(pk__in=[o.pk for o in organizzazioni])
        .select_related("ente")
        .order_by("ente__denominazione")
    )


@login_required
@require_POST
def adesione_ritira(request, pk):
    adesione = get_object_or_404(
        Adesione.objects.select_related("piano__ambito", "organizzazione__ente"), pk=pk
    )
    if adesione.organizzazione_id not in referenze(request.user):
        if can_view_interno(request.user, adesione.piano):
            raise PermissionDenied
        raise Http404
    try:
        servizi.ritira_adesione(adesione, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The adhesion of %(org)s has been withdrawn.")
            % {"org": adesione.organizzazione.ente.denominazione},
        )
    return redirect("piani:adesione", adesione.piano_id)


def adesioni(request, pk):
    piano = piano_for_change(request.user, pk)
    queryset = piano.adesioni.select_related("organizzazione__ente", "richiesta_da").order_by(
        "organizzazione__ente__denominazione", "-created_at"
    )
    filterset = AdesioniFilter(request.GET or None, queryset=queryset)
    if wants_csv(request):
        return csv_response(
            f"adesioni-{piano.ambito.codice}-{piano.triennio}.csv",
            [
                _("Organisation"),
                _("Tax code"),
                _("State"),
                _("Commitments"),
                _("Who signs"),
                _("As"),
                _("Requested by"),
                _("Requested at"),
                _("Decided at"),
                _("Reason"),
            ],
            (
                [
                    a.organizzazione.ente.denominazione,
                    a.organizzazione.ente.codice_fiscale,
                    a.get_stato_display(),
                    a.impegni,
                    a.firmatario_nome,
                    a.firmatario_qualifica,
                    a.richiesta_da.full_name or a.richiesta_da.email,
                    data_ora(a.created_at),
                    data_ora(a.decisa_at),
                    a.motivazione,
                ]
                for a in filterset.qs
            ),
        )
    conteggi = dict(
        piano.adesioni.order_by().values("stato").annotate(n=Count("pk")).values_list("stato", "n")
    )
    return render(
        request,
        "piani/accordo/adesioni.html",
        {
            "piano": piano,
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "conteggi": conteggi,
            "chiuse": servizi.adesioni_chiuse(piano),
        },
    )


@require_http_methods(["GET", "POST"])
def adesione_decidi(request, pk):
    adesione = get_object_or_404(
        Adesione.objects.select_related(
            "piano__ambito", "organizzazione__ente", "richiesta_da", "decisa_da"
        ),
        pk=pk,
    )
    piano = piano_for_change(request.user, adesione.piano_id)
    chiuse = servizi.adesioni_chiuse(piano)
    da_decidere = adesione.stato == Adesione.Stato.RICHIESTA and not chiuse
    form = DecisioneForm(request.POST or None) if da_decidere else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This adhesion can no longer be decided."))
            return redirect("piani:adesione_decidi", adesione.pk)
        if form.is_valid():
            accolta = form.cleaned_data["esito"] == DecisioneForm.ACCOGLI
            try:
                adesione = servizi.decidi_adesione(
                    adesione,
                    accolta=accolta,
                    motivazione=form.cleaned_data["motivazione"],
                    by=request.user,
                )
            except OperazioneNonValida as error:
                form.add_error(None, str(error))
            else:
                org = adesione.organizzazione.ente.denominazione
                messages.success(
                    request,
                    (
                        _("The adhesion of %(org)s has been accepted; its referenti are told.")
                        if accolta
                        else _("The adhesion of %(org)s has been refused; its referenti are told.")
                    )
                    % {"org": org},
                )
                return redirect("piani:adesioni", piano.pk)
    return render(
        request,
        "piani/accordo/adesione_decidi.html",
        {"piano": piano, "adesione": adesione, "form": form, "chiuse": chiuse},
    )


# --- the accordo ----------------------------------------------------------------------------


def _pagina_accordo(request, piano, accordo, *, status=200, **forms):
    """The accordo page; ``forms`` are bound forms with errors coming back from a POST."""
    gestore = can_manage_piano(request.user, piano)
    interno = can_view_interno(request.user, piano)
    contesto = {
        "piano": piano,
        "accordo": accordo,
        "gestore": gestore,
        "interno": interno,
        "miei_enti": enti_rappresentati(request.user, piano.ambito),
        "stati": Accordo.Stato.choices,
        "puo_aderire": request.user.is_authenticated
        and servizi.organizzazioni_idonee(request.user, piano.ambito).exists(),
    }
    if accordo is None:
        if gestore and piano.stato == Piano.Stato.APPROVATO and piano.versione_approvata_id:
            contesto["testi_form"] = forms.get("testi_form") or TestiAccordoForm(
                initial=servizi.testi_predefiniti(piano)
            )
            contesto["n_accolte"] = piano.adesioni.filter(stato=Adesione.Stato.ACCOLTA).count()
        return render(request, "piani/accordo/accordo.html", contesto, status=status)

    firmatari = list(accordo.firmatari.select_related("ente").order_by("ordine", "pk"))
    istituzionali = [f for f in firmatari if f.tipo == Firmatario.Tipo.ISTITUZIONALE]
    contesto.update(
        firmatari=firmatari,
        n_istituzionali=len(istituzionali),
        n_firmati=sum(1 for f in istituzionali if f.firmato),
        n_aderenti=len(firmatari) - len(istituzionali),
        n_aderenti_firmati=sum(
            1 for f in firmatari if f.tipo == Firmatario.Tipo.ADERENTE and f.firmato
        ),
    )
    bozza = accordo.stato == Accordo.Stato.BOZZA
    if bozza and interno:
        contesto["aggiornato"] = not accordo.in_generazione and servizi.pdf_aggiornato(accordo)
    if gestore:
        if bozza:
            contesto["testi_form"] = forms.get("testi_form") or TestiAccordoForm(
                initial={n: getattr(accordo, n) for n in servizi.TESTI}
            )
            contesto["in_attesa"] = piano.adesioni.filter(stato=Adesione.Stato.RICHIESTA).count()
        elif accordo.stato == Accordo.Stato.FIRMATO:
            contesto["atto_form"] = forms.get("atto_form") or AttoForm()
        elif accordo.stato == Accordo.Stato.APPROVATO:
            contesto["bur_form"] = forms.get("bur_form") or BurForm()
    return render(request, "piani/accordo/accordo.html", contesto, status=status)


def accordo(request, pk):
    piano = _piano(pk)
    accordo = _accordo_di(piano)
    if not can_view_interno(request.user, piano) and not _pubblico(piano, accordo):
        raise Http404
    return _pagina_accordo(request, piano, accordo)


@require_POST
def accordo_prepara(request, pk):
    """Prepare the accordo (when there is none) or save its texts (while being prepared)."""
    piano = piano_for_change(request.user, pk)
    accordo = _accordo_di(piano)
    form = TestiAccordoForm(request.POST)
    if not form.is_valid():
        return _pagina_accordo(request, piano, accordo, testi_form=form, status=400)
    try:
        if accordo is None:
            servizi.prepara_accordo(piano, by=request.user, **form.cleaned_data)
            messages.success(
                request,
                _(
                    "The accordo has been prepared with its table of signatories. Check the "
                    "texts, then generate the PDF."
                ),
            )
        else:
            servizi.modifica_testi(accordo, by=request.user, **form.cleaned_data)
            messages.success(request, _("The texts of the accordo have been saved."))
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    return redirect("piani:accordo", piano.pk)


def _accordo_for_change(request, pk):
    piano = piano_for_change(request.user, pk)
    accordo = _accordo_di(piano)
    if accordo is None:
        raise Http404
    return piano, accordo


@require_POST
def accordo_genera(request, pk):
    piano, accordo = _accordo_for_change(request, pk)
    try:
        accodato = servizi.richiedi_pdf(accordo, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        if accodato:
            messages.info(
                request,
                _("The PDF has been requested: it appears on this page as soon as it is ready."),
            )
        else:
            messages.info(request, _("The PDF is already up to date with the texts."))
    return redirect("piani:accordo", piano.pk)


def accordo_pdf(request, pk):
    piano = _piano(pk)
    accordo = _accordo_di(piano)
    if not can_view_interno(request.user, piano) and not _pubblico(piano, accordo):
        raise Http404
    if accordo is None or not accordo.pdf:
        raise Http404
    nome = f"accordo-di-programma-{piano.ambito.codice}-{piano.triennio}.pdf"
    return FileResponse(accordo.pdf.open("rb"), filename=nome, content_type="application/pdf")


@require_POST
def accordo_firma(request, pk):
    piano, accordo = _accordo_for_change(request, pk)
    try:
        servizi.metti_in_firma(accordo, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "The accordo is in signature: upload each party's signed copy as it comes "
                "back. Its texts and PDF can no longer change."
            ),
        )
    return redirect("piani:accordo", piano.pk)


@require_POST
def accordo_atto(request, pk):
    piano, accordo = _accordo_for_change(request, pk)
    form = AttoForm(request.POST)
    if not form.is_valid():
        return _pagina_accordo(request, piano, accordo, atto_form=form, status=400)
    try:
        servizi.registra_atto(
            accordo, numero=form.cleaned_data["numero"], data=form.cleaned_data["data"],
            by=request.user,
        )  # fmt: skip
    except OperazioneNonValida as error:
        form.add_error(None, str(error))
        return _pagina_accordo(request, piano, accordo, atto_form=form, status=400)
    messages.success(request, _("The approving act is recorded: the accordo is approved."))
    return redirect("piani:accordo", piano.pk)


@require_POST
def accordo_bur(request, pk):
    piano, accordo = _accordo_for_change(request, pk)
    form = BurForm(request.POST)
    if not form.is_valid():
        return _pagina_accordo(request, piano, accordo, bur_form=form, status=400)
    try:
        servizi.registra_pubblicazione(
            accordo, riferimento=form.cleaned_data["riferimento"],
            data=form.cleaned_data["data"], by=request.user,
        )  # fmt: skip
    except OperazioneNonValida as error:
        form.add_error(None, str(error))
        return _pagina_accordo(request, piano, accordo, bur_form=form, status=400)
    messages.success(
        request, _("The publication in the BUR is recorded: the accordo is published.")
    )
    return redirect("piani:accordo", piano.pk)


def _firmatario(request, pk):
    firmatario = get_object_or_404(
        Firmatario.objects.select_related("accordo__piano__ambito", "ente"), pk=pk
    )
    return firmatario, firmatario.accordo.piano


@require_http_methods(["GET", "POST"])
def copia_firmata(request, pk):
    firmatario, piano = _firmatario(request, pk)
    piano_for_interno(request.user, piano.pk)
    if not can_caricare_copia(request.user, firmatario, piano):
        raise PermissionDenied
    accordo = firmatario.accordo
    form = CopiaFirmataForm(request.POST or None, request.FILES or None, firmatario=firmatario)
    if request.method == "POST" and form.is_valid():
        dati = form.cleaned_data
        try:
            servizi.carica_copia(
                firmatario,
                file=dati["file"],
                firmato_il=dati["firmato_il"],
                nome=dati["nome"],
                qualifica=dati["qualifica"],
                by=request.user,
            )
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            accordo.refresh_from_db()
            messages.success(
                request,
                _("The signed copy of %(ente)s has been stored.") % {"ente": firmatario.ente},
            )
            if accordo.stato == Accordo.Stato.FIRMATO and accordo.firmato_il:
                messages.success(
                    request,
                    _("Every institutional party has signed: the accordo is signed (%(data)s).")
                    % {"data": date_format(accordo.firmato_il, "d/m/Y")},
                )
            return redirect("piani:accordo", piano.pk)
    return render(
        request,
        "piani/accordo/copia_firmata.html",
        {"piano": piano, "accordo": accordo, "firmatario": firmatario, "form": form},
    )


def copia_firmata_scarica(request, pk):
    firmatario, piano = _firmatario(request, pk)
    if not can_view_interno(request.user, piano) or not firmatario.copia_firmata:
        raise Http404
    nome = f"accordo-{piano.ambito.codice}-{piano.triennio}-firmato-{firmatario.pk}.pdf"
    return FileResponse(
        firmatario.copia_firmata.open("rb"), filename=nome, content_type="application/pdf"
    )


urlpatterns = [
    path("<int:pk>/adesione/", adesione, name="adesione"),
    path("<int:pk>/adesioni/", adesioni, name="adesioni"),
    path("adesioni/<int:pk>/decidi/", adesione_decidi, name="adesione_decidi"),
    path("adesioni/<int:pk>/ritira/", adesione_ritira, name="adesione_ritira"),
    path("<int:pk>/accordo/", accordo, name="accordo"),
    path("<int:pk>/accordo/prepara/", accordo_prepara, name="accordo_prepara"),
    path("<int:pk>/accordo/genera/", accordo_genera, name="accordo_genera"),
    path("<int:pk>/accordo/pdf/", accordo_pdf, name="accordo_pdf"),
    path("<int:pk>/accordo/in-firma/", accordo_firma, name="accordo_firma"),
    path("firmatari/<int:pk>/copia/", copia_firmata, name="copia_firmata"),
    path("firmatari/<int:pk>/copia/scarica/", copia_firmata_scarica, name="copia_firmata_scarica"),
    path("<int:pk>/accordo/atto/", accordo_atto, name="accordo_atto"),
    path("<int:pk>/accordo/bur/", accordo_bur, name="accordo_bur"),
]

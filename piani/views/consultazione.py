"""The consultation on a frozen version: the list of a plan's consultations, opening one,
the page where participants comment section by section and the staff answer, closing it,
the attachments of comments, the report (printable, CSV)."""

from collections import Counter, defaultdict
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pdz.exceptions import OperazioneNonValida
from pdz.formati import data_ora
from pdz.lists import csv_response, paginate, wants_csv
from piani.forms.consultazione import SEZIONI, ConsultazioneForm, OsservazioneForm, RispostaForm
from piani.models import Consultazione, Osservazione
from piani.permissions import (
    can_manage_piano,
    can_view_interno,
    piano_for_change,
    piano_for_interno,
)
from piani.services import consultazione as services

ETICHETTE_SEZIONI = dict(SEZIONI)


def _consultazione_interna(user, pk):
    """The consultation, for those who see the plan's working pages (else 404)."""
    consultazione = get_object_or_404(
        Consultazione.objects.select_related("piano__ambito", "versione"), pk=pk
    )
    if not can_view_interno(user, consultazione.piano):
        raise Http404
    return consultazione


def _stato(consultazione):
    adesso = timezone.now()
    if adesso < consultazione.apre_at:
        return "programmata"
    if adesso < consultazione.chiude_at:
        return "aperta"
    return "chiusa"


# --- list and opening -------------------------------------------------------------------------


def consultazioni(request, pk):
    piano = piano_for_interno(request.user, pk)
    queryset = (
        piano.consultazioni.select_related("versione")
        .annotate(
            n_osservazioni=Count("osservazioni"),
            n_risposte=Count("osservazioni", filter=Q(osservazioni__risposta_at__isnull=False)),
        )
        .order_by("-apre_at", "-pk")
    )
    page = paginate(request, queryset)
    for consultazione in page:
        consultazione.stato = _stato(consultazione)
    return render(
        request,
        "piani/consultazioni/elenco.html",
        {"piano": piano, "page": page, "gestore": can_manage_piano(request.user, piano)},
    )


@require_http_methods(["GET", "POST"])
def consultazione_nuova(request, pk):
    piano = piano_for_change(request.user, pk)
    adesso = timezone.localtime().replace(second=0, microsecond=0)
    form = ConsultazioneForm(
        request.POST or None,
        initial={
            "apre_at": adesso,
            "chiude_at": (adesso + timedelta(days=30)).replace(hour=23, minute=59),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            consultazione = services.apri_consultazione(piano, **form.cleaned_data, by=request.user)
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "The consultation on version %(numero)s is set: the participants are "
                    "invited by e-mail."
                )
                % {"numero": consultazione.versione.numero},
            )
            return redirect("piani:consultazione", consultazione.pk)
    return render(
        request,
        "piani/consultazioni/nuova.html",
        {
            "piano": piano,
            "form": form,
            "n_partecipanti": len(services.partecipanti(piano.ambito)),
            "prossima_versione": _prossima_versione(piano),
        },
    )


def _prossima_versione(piano):
    ultima = piano.versioni.order_by("-numero").values_list("numero", flat=True).first()
    return (ultima or 0) + 1


# --- the consultation page --------------------------------------------------------------------


def _sezioni(consultazione):
    """[(key, title, Markdown text)] of the frozen version, the plan as a whole first."""
    sezioni = [(Osservazione.GENERALE, ETICHETTE_SEZIONI[Osservazione.GENERALE], "")]
    for sezione in consultazione.versione.contenuto.get("sezioni", []):
        sezioni.append((sezione["lettera"], sezione["titolo"], sezione["testo"]))
    return sezioni


def _osservazioni(consultazione):
    return list(
        consultazione.osservazioni.select_related("autore", "ente", "risposta_da").order_by(
            "created_at", "pk"
        )
    )


@require_http_methods(["GET", "POST"])
def consultazione(request, pk):
    consultazione = _consultazione_interna(request.user, pk)
    piano = consultazione.piano
    gestore = can_manage_piano(request.user, piano)
    enti = services.enti_osservanti(request.user, piano.ambito)
    aperta = consultazione.aperta
    form_inviato = None
    if request.method == "POST":
        if not enti:
            raise PermissionDenied
        try:
            services.verifica_finestra(consultazione)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
            return redirect("piani:consultazione", consultazione.pk)
        form_inviato = OsservazioneForm(
            request.POST,
            request.FILES,
            enti=enti,
            sezione=request.POST.get(_campo_sezione(request.POST), ""),
        )
        if form_inviato.is_valid():
            dati = form_inviato.cleaned_data
            try:
                osservazione = services.osserva(
                    consultazione,
                    by=request.user,
                    sezione=dati["sezione"],
                    ente=dati["ente"],
                    testo=dati["testo"],
                    allegato=dati["allegato"],
                )
            except OperazioneNonValida as error:
                messages.error(request, str(error))
                return redirect("piani:consultazione", consultazione.pk)
            messages.success(
                request,
                _("Your comment on “%(sezione)s” is recorded. Thank you.")
                % {"sezione": osservazione.get_sezione_display()},
            )
            return redirect(
                reverse("piani:consultazione", args=[consultazione.pk])
                + f"#osservazione-{osservazione.pk}"
            )

    osservazioni = _osservazioni(consultazione)
    per_sezione = defaultdict(list)
    for osservazione in osservazioni:
        if gestore:
            osservazione.form_risposta = RispostaForm(osservazione=osservazione)
        per_sezione[osservazione.sezione].append(osservazione)
    sezioni = []
    for chiave, titolo, testo in _sezioni(consultazione):
        form = None
        if aperta and enti:
            if form_inviato is not None and form_inviato.initial.get("sezione") == chiave:
                form = form_inviato
            else:
                form = OsservazioneForm(enti=enti, sezione=chiave)
        sezioni.append(
            {
                "chiave": chiave,
                "ancora": "generale" if chiave == Osservazione.GENERALE else chiave,
                "titolo": titolo,
                "testo": testo,
                "osservazioni": per_sezione.get(chiave, []),
                "form": form,
            }
        )
    return render(
        request,
        "piani/consultazioni/consultazione.html",
        {
            "piano": piano,
            "consultazione": consultazione,
            "versione": consultazione.versione,
            "stato": _stato(consultazione),
            "sezioni": sezioni,
            "n_osservazioni": len(osservazioni),
            "n_risposte": sum(1 for o in osservazioni if o.risposta_at),
            "gestore": gestore,
            "puo_commentare": aperta and bool(enti),
            "enti": enti,
        },
    )


def _campo_sezione(dati):
    """The name of the posted ``sezione`` field (each section's form has its own prefix)."""
    return next((k for k in dati if k.startswith("oss-") and k.endswith("-sezione")), "")


@require_POST
def consultazione_chiudi(request, pk):
    consultazione = _consultazione_interna(request.user, pk)
    if not can_manage_piano(request.user, consultazione.piano):
        raise PermissionDenied
    try:
        services.chiudi_consultazione(consultazione, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The consultation is closed: no more comments can be sent."))
    return redirect("piani:consultazione", consultazione.pk)


@require_POST
def osservazione_risposta(request, pk):
    osservazione = get_object_or_404(
        Osservazione.objects.select_related("consultazione__piano__ambito"), pk=pk
    )
    consultazione = osservazione.consultazione
    if not can_view_interno(request.user, consultazione.piano):
        raise Http404
    if not can_manage_piano(request.user, consultazione.piano):
        raise PermissionDenied
    form = RispostaForm(request.POST, osservazione=osservazione)
    if form.is_valid():
        try:
            services.rispondi(
                osservazione,
                risposta=form.cleaned_data["risposta"],
                esito=form.cleaned_data["esito"],
                by=request.user,
            )
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The answer is saved."))
    else:
        errori = [str(e) for campo in form.errors.values() for e in campo]
        messages.error(request, " ".join(errori))
    return redirect(
        reverse("piani:consultazione", args=[consultazione.pk]) + f"#osservazione-{osservazione.pk}"
    )


@login_required
def osservazione_allegato(request, pk):
    osservazione = get_object_or_404(
        Osservazione.objects.select_related("consultazione__piano__ambito"), pk=pk
    )
    if not can_view_interno(request.user, osservazione.consultazione.piano):
        raise Http404
    if not osservazione.allegato:
        raise Http404
    return FileResponse(
        osservazione.allegato.open("rb"),
        as_attachment=True,
        filename=osservazione.allegato.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


# --- the report -------------------------------------------------------------------------------


def consultazione_report(request, pk):
    """Every comment with its answer: for participants; for everyone once the plan is
    published. The public reads the party, not the name of the person who wrote."""
    consultazione = get_object_or_404(
        Consultazione.objects.select_related("piano__ambito", "versione"), pk=pk
    )
    piano = consultazione.piano
    interno = can_view_interno(request.user, piano)
    if not (interno or piano.pubblicato):
        raise Http404
    osservazioni = _osservazioni(consultazione)
    ordine = {chiave: i for i, (chiave, _t) in enumerate(SEZIONI)}
    osservazioni.sort(key=lambda o: (ordine.get(o.sezione, 99), o.created_at, o.pk))
    if wants_csv(request):
        return csv_response(
            f"consultazione-{piano.ambito.codice}-{piano.triennio}-v{consultazione.versione.numero}.csv",
            [
                _("Section"),
                _("Party"),
                _("Author"),
                _("Date"),
                _("Comment"),
                _("Outcome"),
                _("Answer"),
                _("Answered at"),
            ],
            (
                [
                    o.get_sezione_display(),
                    o.ente.denominazione if o.ente else "",
                    (o.autore.full_name or o.autore.email) if interno else "",
                    data_ora(o.created_at),
                    o.testo,
                    o.get_esito_display(),
                    o.risposta,
                    data_ora(o.risposta_at),
                ]
                for o in osservazioni
            ),
        )
    per_sezione = Counter(o.sezione for o in osservazioni)
    per_esito = Counter(o.esito for o in osservazioni)
    righe_sezioni = [
        {"chiave": chiave, "titolo": titolo, "n": per_sezione.get(chiave, 0)}
        for chiave, titolo in SEZIONI
    ]
    righe_esiti = [
        {"chiave": chiave, "titolo": titolo, "n": per_esito.get(chiave, 0)}
        for chiave, titolo in [*Osservazione.Esito.choices, ("", _("Not answered yet"))]
    ]
    return render(
        request,
        "piani/consultazioni/report.html",
        {
            "piano": piano,
            "consultazione": consultazione,
            "versione": consultazione.versione,
            "stato": _stato(consultazione),
            "osservazioni": osservazioni,
            "righe_sezioni": righe_sezioni,
            "righe_esiti": righe_esiti,
            "interno": interno,
        },
    )


urlpatterns = [
    path("<int:pk>/consultazioni/", consultazioni, name="consultazioni"),
    path("<int:pk>/consultazioni/nuova/", consultazione_nuova, name="consultazione_nuova"),
    path("consultazioni/<int:pk>/", consultazione, name="consultazione"),
    path("consultazioni/<int:pk>/chiudi/", consultazione_chiudi, name="consultazione_chiudi"),
    path("osservazioni/<int:pk>/risposta/", osservazione_risposta, name="osservazione_risposta"),
    path("osservazioni/<int:pk>/allegato/", osservazione_allegato, name="osservazione_allegato"),
    path("consultazioni/<int:pk>/report/", consultazione_report, name="consultazione_report"),
]

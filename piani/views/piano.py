"""The plan: list, page, phases, sections, attachments, versions and the public pages.

Participants (``can_view_interno``) work on the live draft; everybody else sees a published
plan's public page, which shows only the approved version. Not visible → 404
(``piano_for_view`` / ``piano_for_interno``); visible but not changeable → 403
(``piano_for_change``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambiti.models import Ambito
from ambiti.permissions import ambito_for_change
from pdz.exceptions import OperazioneNonValida
from pdz.formati import data_ora, giorno
from pdz.lists import csv_response, paginate, wants_csv
from piani import budget, diff, markdown
from piani.filters import PianoFilter
from piani.forms.piano import (
    AllegatoForm,
    ConfrontoForm,
    FaseForm,
    PianoForm,
    PianoNuovoForm,
    SezioneForm,
)
from piani.models import (
    Accordo,
    Allegato,
    Consultazione,
    Piano,
    VersionePiano,
)
from piani.permissions import (
    can_manage_piano,
    can_view_interno,
    organizzazioni_ammesse,
    piani_visibili,
    piano_for_change,
    piano_for_interno,
    piano_for_view,
)
from piani.services import documento as services
from tavoli.models import Incontro
from terzo_settore.models import Avviso

VERSIONI_IN_SINTESI = 3
PAROLE_ESTRATTO = 40


def _data(request):
    """The submitted data, also when empty (a form posted blank must show its errors)."""
    return request.POST if request.method == "POST" else None


# --- the list -------------------------------------------------------------------------------


def elenco(request):
    """Every plan the person may see: published ones, those of the ambiti they take part in."""
    queryset = (
        piani_visibili(request.user)
        .select_related("ambito")
        .annotate(num_versioni=Count("versioni"), ultima_versione=Max("versioni__created_at"))
        .order_by("-anno_inizio", "ambito__nome")
    )
    filterset = PianoFilter(
        request.GET or None, queryset=queryset, stati=request.user.is_authenticated
    )
    if wants_csv(request):
        return csv_response(
            "piani.csv",
            [
                _("Title"),
                _("Ambito"),
                _("First year"),
                _("Last year"),
                _("State"),
                _("Approved on"),
                _("Published at"),
                _("Versions"),
                _("Address"),
            ],
            (
                [
                    p.titolo,
                    p.ambito.nome,
                    p.anno_inizio,
                    p.anno_fine,
                    p.get_stato_display(),
                    giorno(p.approvato_il),
                    data_ora(p.pubblicato_at),
                    p.num_versioni,
                    request.build_absolute_uri(reverse("piani:piano", args=[p.pk])),
                ]
                for p in filterset.qs
            ),
        )
    gestibili = list(Ambito.objects.managed_by(request.user).order_by("nome"))
    nuovo_url = None
    if len(gestibili) == 1:
        nuovo_url = f"{reverse('piani:nuovo')}?ambito={gestibili[0].codice}"
    elif gestibili:
        nuovo_url = reverse("piani:nuovo")
    context = {
        "filterset": filterset,
        "page": paginate(request, filterset.qs),
        "nuovo_url": nuovo_url,
        "interno": request.user.is_authenticated,
    }
    return render(request, "piani/elenco.html", context)


# --- creating and editing a plan ------------------------------------------------------------


@login_required
def nuovo(request):
    gestibili = Ambito.objects.managed_by(request.user).order_by("nome")
    if not gestibili.exists():
        raise PermissionDenied
    codice = request.GET.get("ambito")
    ambito = ambito_for_change(request.user, codice) if codice else None
    form = PianoNuovoForm(_data(request), ambiti=gestibili, ambito=ambito)
    if request.method == "POST" and form.is_valid():
        try:
            piano = services.crea_piano(
                ambito=form.cleaned_data["ambito"],
                anno_inizio=form.cleaned_data["anno_inizio"],
                titolo=form.cleaned_data["titolo"],
                by=request.user,
            )
        except OperazioneNonValida as error:
            form.add_error("anno_inizio", str(error))
        else:
            messages.success(
                request,
                _(
                    "The plan “%(titolo)s” has been created with its nine phases and the "
                    "sections a–h of the document. Start by planning the phases."
                )
                % {"titolo": piano.titolo},
            )
            return redirect("piani:piano", piano.pk)
    context = {"form": form, "un_ambito": gestibili.count() == 1 and gestibili.first()}
    return render(request, "piani/piano/nuovo.html", context)


@login_required
def modifica(request, pk):
    piano = piano_for_change(request.user, pk)
    form = PianoForm(_data(request), piano=piano)
    if request.method == "POST" and form.is_valid():
        try:
            services.modifica_piano(
                piano,
                titolo=form.cleaned_data["titolo"],
                anno_inizio=form.cleaned_data["anno_inizio"],
                by=request.user,
            )
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The changes to the plan have been saved."))
            return redirect("piani:piano", piano.pk)
    return render(request, "piani/piano/modifica.html", {"piano": piano, "form": form})


# --- the plan's page ------------------------------------------------------------------------


def piano(request, pk):
    """The working page for participants; the public page of a published plan for the rest
    (and for participants who ask to see it with ``?vista=pubblica``)."""
    piano = piano_for_view(request.user, pk)
    interno = can_view_interno(request.user, piano)
    if interno and not (piano.pubblicato and request.GET.get("vista") == "pubblica"):
        return _pagina_interna(request, piano)
    return _pagina_pubblica(request, piano, interno=interno)


def _fasi(piano):
    return piano.fasi.order_by("numero").prefetch_related(
        "tavoli",
        Prefetch("incontri", queryset=Incontro.objects.select_related("tavolo").order_by("inizio")),
        Prefetch("avvisi", queryset=Avviso.objects.order_by("apertura")),
    )


def estratto(testo):
    """The first words of a Markdown text, as plain text."""
    return Truncator(strip_tags(markdown.render(testo)).strip()).words(PAROLE_ESTRATTO)


def _pagina_interna(request, piano):
    fasi = list(_fasi(piano))
    corrente = next((f for f in fasi if not f.completata), None)
    sezioni = list(piano.sezioni.select_related("updated_by").order_by("lettera"))
    for s in sezioni:
        s.estratto = estratto(s.testo)
    versioni = piano.versioni.select_related("created_by").order_by("-numero")
    context = {
        "piano": piano,
        "gestore": can_manage_piano(request.user, piano),
        "fasi": fasi,
        "fase_corrente": corrente,
        "fasi_completate": sum(1 for f in fasi if f.completata),
        "sezioni": sezioni,
        "sezioni_scritte": sum(1 for s in sezioni if s.testo.strip()),
        "allegati": list(
            piano.allegati.filter(rimosso_at__isnull=True).select_related("caricato_da")
        ),
        "versioni": list(versioni[:VERSIONI_IN_SINTESI]),
        "num_versioni": piano.versioni.count(),
        "versione_approvata": piano.versione_approvata,
        "consultazione_aperta": Consultazione.objects.aperte()
        .filter(piano=piano)
        .select_related("versione")
        .first(),
        "accordo": Accordo.objects.filter(piano=piano).first(),
        "aderente": bool(organizzazioni_ammesse(request.user, piano.ambito).exists()),
    }
    return render(request, "piani/piano/piano.html", context)


def _anni(contenuto, piano):
    dati = contenuto.get("piano", {})
    if dati.get("anno_inizio") and dati.get("anno_fine"):
        return list(range(dati["anno_inizio"], dati["anno_fine"] + 1))
    return piano.anni


def _pagina_pubblica(request, piano, *, interno=False):
    versione = piano.versione_approvata
    if versione is None:
        raise Http404
    contenuto = versione.contenuto
    adesso = timezone.now()
    context = {
        "piano": piano,
        "interno": interno,
        "versione": versione,
        "c": contenuto,
        "tabella": budget.tabella_fonti(contenuto.get("budget", []), _anni(contenuto, piano)),
        "accordo": Accordo.objects.filter(
            piano=piano, stato__in=[Accordo.Stato.APPROVATO, Accordo.Stato.PUBBLICATO]
        ).first(),
        "consultazioni": list(
            piano.consultazioni.filter(chiude_at__lte=adesso)
            .select_related("versione")
            .order_by("apre_at")
        ),
    }
    return render(request, "piani/piano/pubblico.html", context)


@login_required
@require_POST
def pubblica(request, pk):
    piano = piano_for_change(request.user, pk)
    try:
        services.pubblica_piano(piano, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The plan is published: everybody can now read its approved version."),
        )
    return redirect("piani:piano", piano.pk)


# --- phases -----------------------------------------------------------------------------------


@login_required
def fase(request, pk, numero):
    piano = piano_for_change(request.user, pk)
    fase = get_object_or_404(piano.fasi, numero=numero)
    fase.piano = piano
    form = FaseForm(_data(request), instance=fase)
    if request.method == "POST" and form.is_valid():
        try:
            services.aggiorna_fase(
                fase,
                by=request.user,
                tavoli=form.cleaned_data["tavoli"],
                incontri=form.cleaned_data["incontri"],
                avvisi=form.cleaned_data["avvisi"],
                **form.dati(),
            )
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Phase %(numero)s has been saved.") % {"numero": fase.numero},
            )
            return redirect(f"{reverse('piani:piano', args=[piano.pk])}#fase-{fase.numero}")
    return render(request, "piani/piano/fase.html", {"piano": piano, "fase": fase, "form": form})


# --- sections ---------------------------------------------------------------------------------


def _sezione(piano, lettera):
    sezione = get_object_or_404(piano.sezioni.select_related("updated_by"), lettera=lettera)
    sezione.piano = piano
    return sezione


def _vicine(piano, lettera):
    lettere = list(piano.sezioni.order_by("lettera").values_list("lettera", "titolo"))
    indice = next(i for i, (x, _t) in enumerate(lettere) if x == lettera)
    prima = lettere[indice - 1] if indice > 0 else None
    dopo = lettere[indice + 1] if indice + 1 < len(lettere) else None
    return prima, dopo


def sezione(request, pk, lettera):
    piano = piano_for_interno(request.user, pk)
    sezione = _sezione(piano, lettera)
    prima, dopo = _vicine(piano, lettera)
    context = {
        "piano": piano,
        "sezione": sezione,
        "gestore": can_manage_piano(request.user, piano),
        "prima": prima,
        "dopo": dopo,
    }
    return render(request, "piani/piano/sezione.html", context)


@login_required
def sezione_modifica(request, pk, lettera):
    piano = piano_for_change(request.user, pk)
    sezione = _sezione(piano, lettera)
    form = SezioneForm(_data(request), sezione=sezione)
    anteprima = None
    if request.method == "POST" and form.is_valid():
        if "anteprima" in request.POST:
            anteprima = markdown.render(form.cleaned_data["testo"])
        else:
            try:
                services.salva_sezione(
                    sezione,
                    testo=form.cleaned_data["testo"],
                    by=request.user,
                    letta_at=form.cleaned_data["letta_at"],
                )
            except OperazioneNonValida as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Section %(lettera)s) has been saved.") % {"lettera": sezione.lettera},
                )
                return redirect("piani:sezione", piano.pk, sezione.lettera)
    context = {
        "piano": piano,
        "sezione": sezione,
        "form": form,
        "anteprima": anteprima,
        "versione_approvata": piano.versione_approvata,
        "versione_in_corso": _versione_in_corso(piano),
    }
    return render(request, "piani/piano/sezione_modifica.html", context)


def _versione_in_corso(piano):
    """The frozen version in consultation or at the vote, which edits do not touch."""
    if piano.stato in (Piano.Stato.CONSULTAZIONE, Piano.Stato.VOTAZIONE):
        return piano.versioni.order_by("-numero").first()
    return None


# --- attachments ------------------------------------------------------------------------------


@login_required
def allegato_nuovo(request, pk):
    piano = piano_for_change(request.user, pk)
    form = AllegatoForm(_data(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        file.name = f"{slugify(form.cleaned_data['titolo'])[:80] or 'allegato'}.pdf"
        allegato = services.aggiungi_allegato(
            piano, titolo=form.cleaned_data["titolo"], file=file, by=request.user
        )
        messages.success(
            request,
            _("“%(titolo)s” has been attached to the plan.") % {"titolo": allegato.titolo},
        )
        return redirect(f"{reverse('piani:piano', args=[piano.pk])}#allegati")
    return render(request, "piani/piano/allegato_form.html", {"piano": piano, "form": form})


@login_required
def allegato(request, pk):
    """An attachment of the document: participants only; a removed one for the staff only."""
    allegato = get_object_or_404(Allegato.objects.select_related("piano__ambito"), pk=pk)
    piano = allegato.piano
    if not can_view_interno(request.user, piano):
        raise Http404
    if allegato.rimosso_at and not can_manage_piano(request.user, piano):
        raise Http404
    return FileResponse(
        allegato.file.open("rb"),
        as_attachment=True,
        filename=allegato.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


@login_required
def allegato_rimuovi(request, pk):
    allegato = get_object_or_404(Allegato, pk=pk)
    piano = piano_for_change(request.user, allegato.piano_id)
    if allegato.rimosso_at:
        messages.info(request, _("This attachment was already removed."))
        return redirect("piani:piano", piano.pk)
    if request.method == "POST":
        services.rimuovi_allegato(allegato, by=request.user)
        messages.success(
            request,
            _("“%(titolo)s” has been removed from the plan.") % {"titolo": allegato.titolo},
        )
        return redirect(f"{reverse('piani:piano', args=[piano.pk])}#allegati")
    context = {"piano": piano, "allegato": allegato}
    return render(request, "piani/piano/allegato_rimuovi.html", context)


# --- versions ---------------------------------------------------------------------------------


def versioni(request, pk):
    """The frozen versions; the staff save one on request (POST)."""
    if request.method == "POST":
        piano = piano_for_change(request.user, pk)
        try:
            versione = services.salva_versione_manuale(piano, by=request.user)
        except OperazioneNonValida as error:
            messages.info(request, str(error))
        else:
            messages.success(
                request,
                _("Version %(numero)s has been saved; its PDF is being prepared.")
                % {"numero": versione.numero},
            )
        return redirect("piani:versioni", piano.pk)
    piano = piano_for_interno(request.user, pk)
    queryset = piano.versioni.select_related("created_by").order_by("-numero")
    context = {
        "piano": piano,
        "gestore": can_manage_piano(request.user, piano),
        "page": paginate(request, queryset),
        "num_versioni": queryset.count(),
    }
    return render(request, "piani/piano/versioni.html", context)


def _versione_for_view(user, pk):
    """A version: participants see them all; everybody the approved one of a published plan."""
    versione = get_object_or_404(
        VersionePiano.objects.select_related("piano__ambito", "created_by"), pk=pk
    )
    piano = versione.piano
    pubblica = piano.pubblicato and piano.versione_approvata_id == versione.pk
    if not (pubblica or can_view_interno(user, piano)):
        raise Http404
    return versione


def versione(request, pk):
    versione = _versione_for_view(request.user, pk)
    piano = versione.piano
    contenuto = versione.contenuto
    anni = _anni(contenuto, piano)
    voci = contenuto.get("budget", [])
    interno = can_view_interno(request.user, piano)
    precedente = None
    if interno:
        precedente = piano.versioni.filter(numero__lt=versione.numero).order_by("-numero").first()
    context = {
        "piano": piano,
        "versione": versione,
        "c": contenuto,
        "interno": interno,
        "precedente": precedente,
        "approvata": piano.versione_approvata_id == versione.pk,
        "tabella": budget.tabella_fonti(contenuto.get("budget", []), anni),
        "totali": budget.totali(voci),
    }
    return render(request, "piani/piano/versione.html", context)


def versione_pdf(request, pk):
    versione = _versione_for_view(request.user, pk)
    if versione.pdf:
        piano = versione.piano
        return FileResponse(
            versione.pdf.open("rb"),
            filename=f"piano-{piano.ambito.codice}-{piano.triennio}-v{versione.numero}.pdf",
            content_type="application/pdf",
        )
    services.ritenta_pdf_versione(versione)
    context = {"piano": versione.piano, "versione": versione}
    return render(request, "piani/piano/versione_pdf_attesa.html", context)


def confronto(request, pk):
    """Two versions side by side: what changed in the sections, objectives and budget."""
    piano = piano_for_interno(request.user, pk)
    versioni = list(piano.versioni.order_by("-numero").values_list("pk", flat=True)[:2])
    context = {"piano": piano, "abbastanza": len(versioni) == 2}
    if len(versioni) == 2:
        if "da" in request.GET or "a" in request.GET:
            form = ConfrontoForm(request.GET, piano=piano)
        else:
            form = ConfrontoForm({"da": versioni[1], "a": versioni[0]}, piano=piano)
        context["form"] = form
        if form.is_valid():
            da, a = form.cleaned_data["da"], form.cleaned_data["a"]
            context.update(da=da, a=a, confronto=diff.confronta(da.contenuto, a.contenuto))
    return render(request, "piani/piano/confronto.html", context)


urlpatterns = [
    path("", elenco, name="elenco"),
    path("nuovo/", nuovo, name="nuovo"),
    path("<int:pk>/", piano, name="piano"),
    path("<int:pk>/modifica/", modifica, name="modifica"),
    path("<int:pk>/pubblica/", pubblica, name="pubblica"),
    path("<int:pk>/fasi/<int:numero>/", fase, name="fase"),
    path("<int:pk>/sezioni/<str:lettera>/", sezione, name="sezione"),
    path("<int:pk>/sezioni/<str:lettera>/modifica/", sezione_modifica, name="sezione_modifica"),
    path("<int:pk>/allegati/nuovo/", allegato_nuovo, name="allegato_nuovo"),
    path("allegati/<int:pk>/", allegato, name="allegato"),
    path("allegati/<int:pk>/rimuovi/", allegato_rimuovi, name="allegato_rimuovi"),
    path("<int:pk>/versioni/", versioni, name="versioni"),
    path("<int:pk>/versioni/confronto/", confronto, name="confronto"),
    path("versioni/<int:pk>/", versione, name="versione"),
    path("versioni/<int:pk>/pdf/", versione_pdf, name="versione_pdf"),
]

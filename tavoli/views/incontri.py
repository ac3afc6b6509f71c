"""Meetings of the bodies: the list, the page of a meeting, planning and editing it with its
agenda, convening and cancelling it, the table of the deliveries of its convocation, and its
documents.

Everybody sees the meetings of a public body (date, place, agenda, state); papers, notes and
draft minutes are for those who ``can_view_interno``; changes for the Ufficio di Piano of the
body's ambiti.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from pdz.exceptions import OperazioneNonValida
from pdz.formati import data_ora
from pdz.lists import csv_response, paginate, wants_csv
from tavoli import services
from tavoli.filters import ConvocazioneFilter, IncontroFilter
from tavoli.forms.incontri import (
    AnnullaForm,
    ConvocaForm,
    DocumentoForm,
    IncontroForm,
    formato,
    punti_formset,
)
from tavoli.models import Convocazione, Documento, Incontro
from tavoli.permissions import (
    can_manage_tavolo,
    can_view_incontro,
    can_view_interno,
    incontro_for_change,
    incontro_for_view,
    tavoli_visibili,
    tavolo_for_change,
)

MODIFICABILI = (Incontro.Stato.PIANIFICATO, Incontro.Stato.CONVOCATO)
# The states in which the minutes exist, for staff and for whoever sees the internal pages.
CON_VERBALE_STAFF = (
    Incontro.Stato.SVOLTO,
    Incontro.Stato.VERBALE_REDATTO,
    Incontro.Stato.VERBALE_APPROVATO,
    Incontro.Stato.PUBBLICATO,
)
CON_VERBALE_INTERNO = (
    Incontro.Stato.VERBALE_REDATTO,
    Incontro.Stato.VERBALE_APPROVATO,
    Incontro.Stato.PUBBLICATO,
)
CONSEGNE_PER_PAGINA = 100


# --- helpers ------------------------------------------------------------------------------


def _data(request):
    return request.POST if request.method == "POST" else None


def quando(value):
    """A moment as people write it in a convocation: "martedì 29 settembre 2026, ore 16:30"."""
    value = timezone.localtime(value)
    return _("%(date)s, at %(time)s") % {
        "date": date_format(value, "l j F Y").lower(),
        "time": date_format(value, "H:i"),
    }


def _dentro_preavviso(incontro):
    """Convening now would give less notice than the body's rule asks."""
    return incontro.stato == Incontro.Stato.PIANIFICATO and incontro.inizio - timezone.now() < (
        timedelta(hours=incontro.tavolo.preavviso_ore)
    )


def _destinatari(incontro):
    """(all, new): how many people convening now reaches, and how many of them for the first
    time. Counted with the rule the service applies (delegate, substitute, party's PEC)."""
    membri = incontro.tavolo.membri.attivi().select_related("ente")
    esistenti = set(incontro.convocazioni.values_list("membro_id", "destinatario"))
    tutti = [(membro.pk, riga[0]) for membro in membri for riga in services.destinatari(membro)]
    return len(tutti), len([r for r in tutti if r not in esistenti])


def _conteggi(incontro):
    stato, risposta = Convocazione.Stato, Convocazione.Risposta
    return incontro.convocazioni.aggregate(
        totale=Count("pk"),
        in_coda=Count("pk", filter=Q(stato=stato.IN_CODA)),
        inviate=Count("pk", filter=Q(stato=stato.INVIATA)),
        fallite=Count("pk", filter=Q(stato=stato.FALLITA)),
        non_dovute=Count("pk", filter=Q(stato=stato.NON_DOVUTA)),
        si=Count("pk", filter=Q(risposta=risposta.SI)),
        no=Count("pk", filter=Q(risposta=risposta.NO)),
        delega=Count("pk", filter=Q(risposta=risposta.DELEGA)),
        senza=Count("pk", filter=Q(risposta="") & ~Q(stato=stato.NON_DOVUTA)),
    )


# --- the list -----------------------------------------------------------------------------


def elenco(request):
    """The meetings of every body the person may see, newest first."""
    visibili = tavoli_visibili(request.user)
    queryset = (
        Incontro.objects.filter(tavolo__in=visibili.values("pk"))
        .select_related("tavolo__ambito")
        .order_by("-inizio", "-pk")
    )
    filterset = IncontroFilter(
        request.GET or None,
        queryset=queryset,
        tavoli=tavoli_visibili(request.user),
    )
    if wants_csv(request):
        return csv_response(
            "incontri.csv",
            [
                _("Date"),
                _("Starts at"),
                _("Ends at"),
                _("Body"),
                _("Ambito"),
                _("Title"),
                _("Place"),
                _("State"),
            ],
            (
                [
                    date_format(timezone.localtime(i.inizio), "d/m/Y"),
                    date_format(timezone.localtime(i.inizio), "H:i"),
                    date_format(timezone.localtime(i.fine), "H:i"),
                    i.tavolo.nome,
                    i.tavolo.ambito.nome,
                    i.titolo,
                    i.luogo or (_("Online") if i.link_online else ""),
                    i.get_stato_display(),
                ]
                for i in filterset.qs
            ),
        )
    context = {
        "filterset": filterset,
        "page": paginate(request, filterset.qs),
        "now": timezone.now(),
    }
    return render(request, "tavoli/incontri/elenco.html", context)


# --- the page of a meeting ----------------------------------------------------------------


def incontro(request, pk):
    incontro = incontro_for_view(request.user, pk)
    tavolo = incontro.tavolo
    gestore = can_manage_tavolo(request.user, tavolo)
    interno = can_view_interno(request.user, tavolo)
    context = {
        "incontro": incontro,
        "tavolo": tavolo,
        "gestore": gestore,
        "interno": interno,
        "quando": quando(incontro.inizio),
        "fine": (
            date_format(timezone.localtime(incontro.fine), "H:i")
            if timezone.localdate(incontro.fine) == timezone.localdate(incontro.inizio)
            else quando(incontro.fine)
        ),
        "punti": list(incontro.punti.all()),
        "documenti": (
            list(incontro.documenti.filter(rimosso_at__isnull=True).select_related("caricato_da"))
            if interno
            else []
        ),
        "verbale_visibile": (
            (gestore and incontro.stato in CON_VERBALE_STAFF)
            or (interno and incontro.stato in CON_VERBALE_INTERNO)
            or incontro.stato == Incontro.Stato.PUBBLICATO
        ),
        "iniziato": incontro.inizio <= timezone.now(),
        "modificabile": incontro.stato in MODIFICABILI,
    }
    if gestore:
        context["conteggi"] = _conteggi(incontro)
    if request.user.is_authenticated and request.user.email:
        mie = list(
            incontro.convocazioni.filter(email__iexact=request.user.email)
            .exclude(stato=Convocazione.Stato.NON_DOVUTA)
            .select_related("membro__ente")
        )
        context["mie_convocazioni"] = [(c, services.rsvp_url(c)) for c in mie]
    return render(request, "tavoli/incontri/incontro.html", context)


# --- planning and editing -----------------------------------------------------------------


def _render_form(request, incontro, form, formset):
    context = {
        "incontro": incontro if incontro.pk else None,
        "tavolo": incontro.tavolo,
        "form": form,
        "formset": formset,
        "convocato": incontro.stato == Incontro.Stato.CONVOCATO,
    }
    return render(request, "tavoli/incontri/form.html", context)


@login_required
def incontro_nuovo(request, pk):
    tavolo = tavolo_for_change(request.user, pk)
    incontro = Incontro(tavolo=tavolo)
    form = IncontroForm(_data(request), instance=incontro)
    formset = punti_formset(_data(request))
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        try:
            incontro = services.salva_incontro(
                form.save(commit=False), by=request.user, punti=formset.punti()
            )
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The meeting of %(quando)s has been planned. Convene it when it is ready.")
                % {"quando": quando(incontro.inizio)},
            )
            return redirect("tavoli:incontro", incontro.pk)
    return _render_form(request, incontro, form, formset)


@login_required
def incontro_modifica(request, pk):
    incontro = incontro_for_change(request.user, pk)
    if incontro.stato not in MODIFICABILI:
        messages.error(request, _("A meeting already held or cancelled cannot change."))
        return redirect("tavoli:incontro", incontro.pk)
    sequenza = incontro.sequenza
    form = IncontroForm(_data(request), instance=incontro)
    formset = punti_formset(_data(request), incontro)
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        try:
            incontro = services.salva_incontro(
                form.save(commit=False), by=request.user, punti=formset.punti()
            )
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            if incontro.sequenza > sequenza:
                messages.success(
                    request,
                    _(
                        "The changes have been saved. Every member convened is being sent the "
                        "updated convocation."
                    ),
                )
                return redirect("tavoli:consegne", incontro.pk)
            messages.success(request, _("The changes to the meeting have been saved."))
            return redirect("tavoli:incontro", incontro.pk)
    return _render_form(request, incontro, form, formset)


# --- convening and cancelling -------------------------------------------------------------


@login_required
def incontro_convoca(request, pk):
    incontro = incontro_for_change(request.user, pk)
    if incontro.stato not in MODIFICABILI:
        messages.error(request, _("Only a planned meeting can be convened."))
        return redirect("tavoli:incontro", incontro.pk)
    urgenza = _dentro_preavviso(incontro)
    form = ConvocaForm(_data(request))
    if request.method == "POST" and form.is_valid():
        urgente = form.cleaned_data["urgente"]
        _totale, nuovi = _destinatari(incontro)
        try:
            services.convoca(incontro, by=request.user, urgente=urgente)
        except OperazioneNonValida as error:
            form.add_error("urgente" if urgenza and not urgente else None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "The convocation is being sent to %(n)d recipient: follow the delivery "
                    "in this table.",
                    "The convocation is being sent to %(n)d recipients: follow the delivery "
                    "in this table.",
                    nuovi,
                )
                % {"n": nuovi},
            )
            return redirect("tavoli:consegne", incontro.pk)
    totale, nuovi = _destinatari(incontro)
    context = {
        "incontro": incontro,
        "tavolo": incontro.tavolo,
        "form": form,
        "quando": quando(incontro.inizio),
        "totale": totale,
        "nuovi": nuovi,
        "gia_convocato": incontro.stato == Incontro.Stato.CONVOCATO,
        "urgenza": urgenza,
        "preavviso_ore": incontro.tavolo.preavviso_ore,
        "pec_attiva": settings.PEC_EMAIL is not None,
    }
    return render(request, "tavoli/incontri/convoca.html", context)


@login_required
def incontro_annulla(request, pk):
    incontro = incontro_for_change(request.user, pk)
    if incontro.stato not in MODIFICABILI:
        messages.error(request, _("Only a meeting not yet held can be cancelled."))
        return redirect("tavoli:incontro", incontro.pk)
    convocato = incontro.stato == Incontro.Stato.CONVOCATO
    form = AnnullaForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.annulla(incontro, motivo=form.cleaned_data["motivo"], by=request.user)
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            if convocato:
                messages.success(
                    request,
                    _("The meeting has been cancelled: everyone convened is being told."),
                )
                return redirect("tavoli:consegne", incontro.pk)
            messages.success(request, _("The meeting has been cancelled."))
            return redirect("tavoli:incontro", incontro.pk)
    context = {
        "incontro": incontro,
        "tavolo": incontro.tavolo,
        "form": form,
        "quando": quando(incontro.inizio),
        "convocato": convocato,
        "num_convocati": incontro.convocazioni.exclude(stato=Convocazione.Stato.NON_DOVUTA).count(),
    }
    return render(request, "tavoli/incontri/annulla.html", context)


# --- the delivery table -------------------------------------------------------------------


@login_required
def consegne(request, pk):
    """Who was sent what and how it went; reloads itself while deliveries are queued."""
    incontro = incontro_for_change(request.user, pk)
    queryset = incontro.convocazioni.select_related("membro__ente").order_by(
        "membro__ente__denominazione", "destinatario", "pk"
    )
    filterset = ConvocazioneFilter(request.GET or None, queryset=queryset)
    if wants_csv(request):
        return csv_response(
            f"convocazioni-{incontro.pk}.csv",
            [
                _("Party"),
                _("Recipient"),
                _("Name"),
                _("Address"),
                _("Channel"),
                _("Delivery"),
                _("Attempts"),
                _("Error"),
                _("Sent at"),
                _("Message id"),
                _("Answer"),
                _("Sent in their place"),
                _("Answered at"),
            ],
            (
                [
                    c.membro.ente.denominazione,
                    c.get_destinatario_display(),
                    c.nome,
                    c.email,
                    c.get_canale_display(),
                    c.get_stato_display(),
                    c.tentativi,
                    c.errore,
                    data_ora(c.inviata_at),
                    c.message_id,
                    c.get_risposta_display(),
                    c.risposta_delegato,
                    data_ora(c.risposta_at),
                ]
                for c in filterset.qs
            ),
        )
    conteggi = _conteggi(incontro)
    context = {
        "incontro": incontro,
        "tavolo": incontro.tavolo,
        "filterset": filterset,
        "page": paginate(request, filterset.qs, per_page=CONSEGNE_PER_PAGINA),
        "conteggi": conteggi,
        "live": conteggi["in_coda"] > 0,
        "quando": quando(incontro.inizio),
    }
    if request.GET.get("fragment"):
        return render(request, "tavoli/incontri/_consegne.html", context)
    return render(request, "tavoli/incontri/consegne.html", context)


@login_required
@require_POST
def consegne_ritenta(request, pk):
    incontro = incontro_for_change(request.user, pk)
    n = services.ritenta_fallite(incontro, by=request.user)
    if n:
        messages.success(
            request,
            ngettext(
                "%(n)d failed delivery is being tried again.",
                "%(n)d failed deliveries are being tried again.",
                n,
            )
            % {"n": n},
        )
    else:
        messages.info(request, _("No delivery has failed."))
    return redirect("tavoli:consegne", incontro.pk)


# --- documents ----------------------------------------------------------------------------


@login_required
def documento_nuovo(request, pk):
    incontro = incontro_for_change(request.user, pk)
    form = DocumentoForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"tipo": request.GET.get("tipo") or Documento.Tipo.DOCUMENTO},
    )
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        file.name = f"{slugify(form.cleaned_data['titolo'])[:80] or 'documento'}.{formato(file)}"
        documento = services.aggiungi_documento(
            incontro,
            tipo=form.cleaned_data["tipo"],
            titolo=form.cleaned_data["titolo"],
            file=file,
            by=request.user,
        )
        messages.success(
            request,
            _("“%(titolo)s” has been added to the meeting.") % {"titolo": documento.titolo},
        )
        return redirect("tavoli:incontro", incontro.pk)
    context = {"incontro": incontro, "tavolo": incontro.tavolo, "form": form}
    return render(request, "tavoli/incontri/documento_form.html", context)


@login_required
def documento(request, pk):
    """A meeting paper: for those who see the internal pages of the body; the attachments of
    published minutes for whoever may read them."""
    documento = get_object_or_404(
        Documento.objects.select_related("incontro__tavolo"), pk=pk, rimosso_at__isnull=True
    )
    incontro = documento.incontro
    pubblico = (
        documento.tipo == Documento.Tipo.ALLEGATO_VERBALE
        and incontro.stato == Incontro.Stato.PUBBLICATO
        and can_view_incontro(request.user, incontro)
    )
    if not (pubblico or can_view_interno(request.user, incontro.tavolo)):
        raise Http404
    nome = documento.file.name.rsplit("/", 1)[-1]
    return FileResponse(documento.file.open("rb"), as_attachment=True, filename=nome)


@login_required
@require_POST
def documento_rimuovi(request, pk):
    documento = get_object_or_404(Documento, pk=pk)
    incontro = incontro_for_change(request.user, documento.incontro_id)
    if documento.rimosso_at is None:
        services.rimuovi_documento(documento, by=request.user)
        messages.success(
            request,
            _("“%(titolo)s” has been removed from the meeting.") % {"titolo": documento.titolo},
        )
    return redirect("tavoli:incontro", incontro.pk)


urlpatterns = [
    path("incontri/", elenco, name="incontri"),
    path("<int:pk>/incontri/nuovo/", incontro_nuovo, name="incontro_nuovo"),
    path("incontri/<int:pk>/", incontro, name="incontro"),
    path("incontri/<int:pk>/modifica/", incontro_modifica, name="incontro_modifica"),
    path("incontri/<int:pk>/convoca/", incontro_convoca, name="incontro_convoca"),
    path("incontri/<int:pk>/annulla/", incontro_annulla, name="incontro_annulla"),
    path("incontri/<int:pk>/convocazioni/", consegne, name="consegne"),
    path("incontri/<int:pk>/convocazioni/ritenta/", consegne_ritenta, name="consegne_ritenta"),
    path("incontri/<int:pk>/documenti/nuovo/", documento_nuovo, name="documento_nuovo"),
    path("documenti/<int:pk>/", documento, name="documento"),
    path("documenti/<int:pk>/rimuovi/", documento_rimuovi, name="documento_rimuovi"),
]

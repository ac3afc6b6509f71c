"""Views: organisations (registration, their page and referenti) and the public register.

An organisation's own pages are for its active referenti: anyone else gets 404. Changing
its details and its referenti is for its managing referenti (gestori): the others get 403.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ambiti.models import Ambito, AreaUtenza
from pdz.lists import csv_response, paginate, wants_csv
from terzo_settore import services
from terzo_settore.filters import RegistroFilter
from terzo_settore.forms.organizzazioni import (
    RICERCA_COMUNE_MAX,
    RICERCA_COMUNE_MIN,
    EntraForm,
    OrganizzazioneForm,
    cerca_comuni,
)
from terzo_settore.models import Avviso, Domanda, Organizzazione, Referente
from terzo_settore.permissions import is_gestore, is_referente
from terzo_settore.services import OperazioneNonValida

# --- permissions ------------------------------------------------------------------------


def organizzazione_for_view(user, pk, queryset=None):
    """The organisation ``pk`` if ``user`` is one of its active referenti; 404 otherwise."""
    if queryset is None:
        queryset = Organizzazione.objects.select_related("ente", "ente__sede")
    organizzazione = queryset.filter(pk=pk).first()
    if organizzazione is None or not is_referente(user, organizzazione):
        raise Http404
    return organizzazione


def organizzazione_for_change(user, pk):
    """As ``organizzazione_for_view``, and 403 unless ``user`` manages its referenti."""
    organizzazione = organizzazione_for_view(user, pk)
    if not is_gestore(user, organizzazione):
        raise PermissionDenied
    return organizzazione


# --- the organisations of the signed-in person ------------------------------------------


def _count(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().values("organizzazione").annotate(n=Count("pk")).values("n")[:1]
        ),
        Value(0),
    )


@login_required
def mie_organizzazioni(request):
    richieste = Referente.objects.filter(
        organizzazione=OuterRef("organizzazione"), stato=Referente.Stato.RICHIESTA
    )
    domande = Domanda.objects.inviate().filter(organizzazione=OuterRef("organizzazione"))
    referenze = (
        Referente.objects.filter(
            user=request.user, stato__in=[Referente.Stato.ATTIVO, Referente.Stato.RICHIESTA]
        )
        .select_related("organizzazione__ente__sede")
        .annotate(
            richieste_in_attesa=_count(richieste),
            num_domande=_count(domande),
            in_attesa=Case(
                When(stato=Referente.Stato.RICHIESTA, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("in_attesa", "organizzazione__ente__denominazione", "pk")
    )
    return render(
        request,
        "terzo_settore/organizzazioni/mie.html",
        {"page": paginate(request, referenze)},
    )


# --- registration -----------------------------------------------------------------------


def _form_page(request, template, form, **context):
    return render(
        request,
        template,
        {
            "form": form,
            "min_length": RICERCA_COMUNE_MIN,
            "comuni_url": reverse("terzo_settore:comuni_json"),
            **context,
        },
    )


def registra(request):
    if not request.user.is_authenticated:
        next_ = urlencode({"next": request.get_full_path()})
        return render(
            request,
            "terzo_settore/organizzazioni/registra_anonimo.html",
            {
                "registrati_url": f"{reverse('account_signup')}?{next_}",
                "accedi_url": f"{reverse('account_login')}?{next_}",
            },
        )
    form = OrganizzazioneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if "cerca_sede" in request.POST:
            form.mostra_senza_giudicare()
        elif form.is_valid():
            try:
                organizzazione = services.registra_organizzazione(
                    **form.service_kwargs(), by=request.user
                )
            except OperazioneNonValida as error:
                form.add_error("codice_fiscale", str(error))
            else:
                messages.success(
                    request,
                    _("%(name)s has been registered: you are its managing referente.")
                    % {"name": organizzazione},
                )
                return redirect("terzo_settore:organizzazione", organizzazione.pk)
    esistente = form.esistente
    return _form_page(
        request,
        "terzo_settore/organizzazioni/registra.html",
        form,
        esistente=esistente,
        esistente_organizzazione=getattr(esistente, "organizzazione", None),
    )


@require_GET
def comuni_json(request):
    """Comuni of the national list matching ``q``: the type-ahead of the registered office."""
    comuni = list(cerca_comuni(request.GET.get("q", ""), RICERCA_COMUNE_MAX + 1))
    return JsonResponse(
        {
            "results": [
                {"id": c.pk, "label": f"{c.nome} ({c.provincia})"}
                for c in comuni[:RICERCA_COMUNE_MAX]
            ],
            "more": len(comuni) > RICERCA_COMUNE_MAX,
        }
    )


@login_required
def entra(request):
    """Ask to join an organisation already registered, found by its tax code."""
    if request.method == "POST":
        form = EntraForm(request.POST)
    elif "codice_fiscale" in request.GET:
        form = EntraForm(request.GET)
    else:
        form = EntraForm()
    if form.is_bound and form.is_valid() and request.method == "POST":
        organizzazione = form.organizzazione
        try:
            services.chiedi_di_entrare(organizzazione, by=request.user)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "Your request has been sent to the managing referenti of %(name)s: "
                    "we will write to you when they decide."
                )
                % {"name": organizzazione},
            )
        return redirect("terzo_settore:mie_organizzazioni")
    return render(request, "terzo_settore/organizzazioni/entra.html", {"form": form})


# --- the page of an organisation --------------------------------------------------------


@login_required
def organizzazione(request, pk):
    organizzazione = organizzazione_for_view(
        request.user,
        pk,
        Organizzazione.objects.select_related("ente__sede").prefetch_related(
            "ente__ambiti",
            Prefetch("aree", queryset=AreaUtenza.objects.order_by("ordine", "nome")),
            "sedi_operative",
        ),
    )
    persone = list(
        organizzazione.referenti.filter(
            stato__in=[Referente.Stato.ATTIVO, Referente.Stato.RICHIESTA]
        )
        .select_related("user")
        .order_by("-gestore", "user__full_name", "pk")
    )
    referenti = [r for r in persone if r.stato == Referente.Stato.ATTIVO]
    num_gestori = sum(r.gestore for r in referenti)
    for r in referenti:
        # the last manager can be neither removed nor demoted: no button that would fail
        r.ultimo_gestore = r.gestore and num_gestori == 1
    gestore = is_gestore(request.user, organizzazione)
    domande = organizzazione.domande.select_related("avviso", "ambito").order_by(
        Case(When(inviata_at__isnull=True, then=Value(0)), default=Value(1)),
        "-inviata_at",
        "-pk",
    )
    return render(
        request,
        "terzo_settore/organizzazioni/detail.html",
        {
            "organizzazione": organizzazione,
            "ente": organizzazione.ente,
            "referenti": referenti,
            "richieste": [r for r in persone if r.stato == Referente.Stato.RICHIESTA]
            if gestore
            else [],
            "gestore": gestore,
            "domande": domande,
        },
    )


@login_required
def organizzazione_modifica(request, pk):
    organizzazione = organizzazione_for_change(request.user, pk)
    form = OrganizzazioneForm(
        request.POST if request.method == "POST" else None, instance=organizzazione
    )
    if request.method == "POST":
        if "cerca_sede" in request.POST:
            form.mostra_senza_giudicare()
        elif form.is_valid():
            services.modifica_organizzazione(
                organizzazione, **form.service_kwargs(), by=request.user
            )
            messages.success(
                request,
                _("The details of %(name)s have been saved.") % {"name": organizzazione},
            )
            return redirect("terzo_settore:organizzazione", organizzazione.pk)
    return _form_page(
        request,
        "terzo_settore/organizzazioni/modifica.html",
        form,
        organizzazione=organizzazione,
    )


@login_required
@require_POST
def richiesta_decidi(request, pk, referente_pk):
    organizzazione = organizzazione_for_change(request.user, pk)
    richiesta = get_object_or_404(organizzazione.referenti.select_related("user"), pk=referente_pk)
    esito = request.POST.get("esito")
    if esito not in ("approva", "rifiuta"):
        return HttpResponseBadRequest()
    try:
        services.decidi_richiesta(richiesta, approva=esito == "approva", by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        if esito == "approva":
            message = _("%(name)s is now a referente of the organisation.")
        else:
            message = _("The request of %(name)s has been refused.")
        messages.success(request, message % {"name": _persona(richiesta.user)})
    return redirect("terzo_settore:organizzazione", organizzazione.pk)


@login_required
def referente_rimuovi(request, pk, referente_pk):
    """A manager removes a referente; a referente may also leave by themselves."""
    organizzazione = organizzazione_for_view(request.user, pk)
    referente = get_object_or_404(
        organizzazione.referenti.attivi().select_related("user"), pk=referente_pk
    )
    se_stesso = referente.user_id == request.user.pk
    if not (se_stesso or is_gestore(request.user, organizzazione)):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.rimuovi_referente(referente, by=request.user)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
            return redirect("terzo_settore:organizzazione", organizzazione.pk)
        if se_stesso:
            messages.success(
                request,
                _("You no longer act for %(name)s.") % {"name": organizzazione},
            )
            return redirect("terzo_settore:mie_organizzazioni")
        messages.success(
            request,
            _("%(name)s no longer acts for the organisation.") % {"name": _persona(referente.user)},
        )
        return redirect("terzo_settore:organizzazione", organizzazione.pk)
    return render(
        request,
        "terzo_settore/organizzazioni/referente_rimuovi.html",
        {"organizzazione": organizzazione, "referente": referente, "se_stesso": se_stesso},
    )


@login_required
@require_POST
def referente_gestore(request, pk, referente_pk):
    organizzazione = organizzazione_for_change(request.user, pk)
    referente = get_object_or_404(
        organizzazione.referenti.attivi().select_related("user"), pk=referente_pk
    )
    valore = request.POST.get("gestore")
    if valore not in ("0", "1"):
        return HttpResponseBadRequest()
    try:
        services.imposta_gestore(referente, gestore=valore == "1", by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        if valore == "1":
            message = _("%(name)s now manages the referenti of the organisation.")
        else:
            message = _("%(name)s no longer manages the referenti of the organisation.")
        messages.success(request, message % {"name": _persona(referente.user)})
    return redirect("terzo_settore:organizzazione", organizzazione.pk)


def _persona(user):
    return user.full_name or user.email


# --- the public register of an ambito ---------------------------------------------------


def ammesse(ambito):
    """The organisations admitted to the Piano di Zona of ``ambito``: an application to one
    of its adhesion notices in state "admitted"."""
    ammissioni = Domanda.objects.filter(
        avviso__ambito=ambito, avviso__tipo=Avviso.Tipo.ADESIONE, stato=Domanda.Stato.AMMESSA
    )
    return (
        Organizzazione.objects.filter(pk__in=ammissioni.values("organizzazione"), ente__attivo=True)
        .select_related("ente__sede")
        .prefetch_related(
            Prefetch(
                "aree",
                queryset=AreaUtenza.objects.per_ambito(ambito).order_by("ordine", "nome"),
                to_attr="aree_ambito",
            )
        )
        .order_by("ente__denominazione", "pk")
    )


def registro(request, codice):
    ambito = get_object_or_404(Ambito, codice=codice)
    filterset = RegistroFilter(request.GET or None, queryset=ammesse(ambito), ambito=ambito)
    if wants_csv(request):
        return csv_response(
            f"registro-terzo-settore-{ambito.codice}.csv",
            [
                _("Name"),
                _("Legal form"),
                _("Registered office"),
                _("Province"),
                _("Areas of activity"),
                _("Website"),
            ],
            (
                [
                    o.ente.denominazione,
                    o.get_forma_giuridica_display(),
                    o.ente.sede.nome if o.ente.sede else "",
                    o.ente.sede.provincia if o.ente.sede else "",
                    ", ".join(a.nome for a in o.aree_ambito),
                    o.sito_web,
                ]
                for o in filterset.qs
            ),
        )
    return render(
        request,
        "terzo_settore/organizzazioni/registro.html",
        {"ambito": ambito, "filterset": filterset, "page": paginate(request, filterset.qs)},
    )


urlpatterns = [
    path("organizzazioni/", mie_organizzazioni, name="mie_organizzazioni"),
    path("organizzazioni/nuova/", registra, name="registra_organizzazione"),
    path("organizzazioni/comuni.json", comuni_json, name="comuni_json"),
    path("organizzazioni/chiedi-di-entrare/", entra, name="entra_organizzazione"),
    path("organizzazioni/<int:pk>/", organizzazione, name="organizzazione"),
    path(
        "organizzazioni/<int:pk>/modifica/",
        organizzazione_modifica,
        name="organizzazione_modifica",
    ),
    path(
        "organizzazioni/<int:pk>/richieste/<int:referente_pk>/",
        richiesta_decidi,
        name="richiesta_decidi",
    ),
    path(
        "organizzazioni/<int:pk>/referenti/<int:referente_pk>/rimuovi/",
        referente_rimuovi,
        name="referente_rimuovi",
    ),
    path(
        "organizzazioni/<int:pk>/referenti/<int:referente_pk>/gestore/",
        referente_gestore,
        name="referente_gestore",
    ),
    path("registro/<slug:codice>/", registro, name="registro"),
]

"""Public pages of the ambiti, the back-office of the Ufficio di Piano, invitation acceptance.

Every back-office view starts from ``ambito_for_view`` (404 without a role in the ambito) or
``ambito_for_change`` (403 for who may look but not change), and lists only rows of that ambito.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ambiti import services
from ambiti.filters import (
    AppartenenzaFilter,
    EnteFilter,
    InvitoFilter,
    RuoloFilter,
    StatoInvito,
    with_stato,
)
from ambiti.forms import (
    RICERCA_COMUNE_MIN,
    AccettaInvitoForm,
    AggiungiComuneForm,
    AmbitoForm,
    EnteForm,
    InvitoForm,
    RuoloForm,
    TerminaAppartenenzaForm,
)
from ambiti.models import Ambito, AppartenenzaComune, Ente, Invito, Ruolo
from ambiti.permissions import (
    ambito_for_change,
    ambito_for_view,
    can_manage_ambito,
    can_view_ambito,
)
from ambiti.services import OperazioneNonValida
from pdz.lists import csv_response, paginate, wants_csv
from pdz.models import User

# --- helpers ----------------------------------------------------------------------------


def _appartenenze(ambito):
    """The current memberships of the ambito with the comune's latest population."""
    return (
        AppartenenzaComune.objects.in_vigore()
        .filter(ambito=ambito)
        .select_related("comune", "sub_ambito")
        .with_popolazione()
        .order_by("comune__nome")
    )


def _totale(appartenenze):
    return sum(a.popolazione or 0 for a in appartenenze)


def _date(value):
    return date_format(value, "d/m/Y") if value else ""


def _gestione_context(request, ambito, section, **extra):
    return {
        "ambito": ambito,
        "section": section,
        "can_manage": can_manage_ambito(request.user, ambito),
        **extra,
    }


# --- public pages -----------------------------------------------------------------------


def ambito_list(request):
    comuni = (
        AppartenenzaComune.objects.in_vigore()
        .filter(ambito=OuterRef("pk"))
        .values("ambito")
        .annotate(n=Count("pk"))
        .values("n")
    )
    ambiti = Ambito.objects.annotate(num_comuni=Coalesce(Subquery(comuni), Value(0)))
    return render(request, "ambiti/ambito_list.html", {"ambiti": ambiti})


def ambito_detail(request, codice):
    ambito = get_object_or_404(Ambito.objects.select_related("ente_capofila"), codice=codice)
    appartenenze = list(_appartenenze(ambito))
    return render(
        request,
        "ambiti/ambito_detail.html",
        {
            "ambito": ambito,
            "appartenenze": appartenenze,
            "totale": _totale(appartenenze),
            "con_sub_ambiti": any(a.sub_ambito_id for a in appartenenze),
            "can_view": can_view_ambito(request.user, ambito),
        },
    )


# --- back-office: dashboard and ambito --------------------------------------------------


@login_required
def dashboard(request, codice):
    ambito = ambito_for_view(request.user, codice)
    appartenenze = list(_appartenenze(ambito))
    context = _gestione_context(
        request,
        ambito,
        "dashboard",
        appartenenze=appartenenze,
        totale=_totale(appartenenze),
        con_sub_ambiti=any(a.sub_ambito_id for a in appartenenze),
        num_enti=Ente.objects.of_ambito(ambito).count(),
        num_ruoli=Ruolo.objects.attivi().filter(ambito=ambito).count(),
        num_inviti=Invito.objects.aperti().filter(ambito=ambito).count(),
    )
    return render(request, "ambiti/gestione/dashboard.html", context)


@login_required
def ambito_edit(request, codice):
    ambito = ambito_for_change(request.user, codice)
    form = AmbitoForm(request.POST if request.method == "POST" else None, instance=ambito)
    if request.method == "POST" and form.is_valid():
        try:
            services.modifica_ambito(
                form.save(commit=False), campi=form.changed_data, by=request.user
            )
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The details of the ambito have been saved."))
            return redirect("ambiti:dashboard", codice=ambito.codice)
    return render(
        request,
        "ambiti/gestione/ambito_form.html",
        _gestione_context(request, ambito, "ambito", form=form),
    )


# --- back-office: comuni ----------------------------------------------------------------


@login_required
def comuni(request, codice):
    ambito = ambito_for_view(request.user, codice)
    filterset = AppartenenzaFilter(
        request.GET or None, queryset=_appartenenze(ambito), ambito=ambito
    )
    appartenenze = filterset.qs
    if wants_csv(request):
        return csv_response(
            f"comuni-{ambito.codice}.csv",
            [
                _("Municipality"),
                _("Province"),
                _("Cadastral code"),
                _("ISTAT code"),
                _("Sub-ambito"),
                _("From"),
                _("Until"),
                _("Residents"),
                _("Residents as of"),
            ],
            (
                [
                    a.comune.nome,
                    a.comune.provincia,
                    a.comune.codice_catastale,
                    a.comune.codice_istat,
                    a.sub_ambito.nome if a.sub_ambito else "",
                    _date(a.dal),
                    _date(a.al),
                    a.popolazione if a.popolazione is not None else "",
                    _date(a.popolazione_al),
                ]
                for a in appartenenze
            ),
        )
    context = _gestione_context(
        request,
        ambito,
        "comuni",
        filterset=filterset,
        page=paginate(request, appartenenze),
        totale=appartenenze.aggregate(totale=Sum("popolazione"))["totale"] or 0,
        con_sub_ambiti="sub_ambito" in filterset.filters,
    )
    return render(request, "ambiti/gestione/comuni.html", context)


@login_required
def comune_add(request, codice):
    ambito = ambito_for_change(request.user, codice)
    q = request.GET.get("q", "").strip()
    form = AggiungiComuneForm(
        request.POST if request.method == "POST" else None, ambito=ambito, q=q
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assegna_comune(
                ambito,
                data["comune"],
                dal=data["dal"],
                sub_ambito=data.get("sub_ambito"),
                by=request.user,
            )
        except OperazioneNonValida as error:
            form.add_error("comune", str(error))
        else:
            messages.success(
                request,
                _("%(comune)s is now part of the ambito.") % {"comune": data["comune"]},
            )
            return redirect("ambiti:comuni", codice=ambito.codice)
    trovati = form.fields["comune"].queryset.count() if len(form.q) >= RICERCA_COMUNE_MIN else 0
    if trovati == 1 and not form.is_bound:
        form.initial["comune"] = form.fields["comune"].queryset.get().pk
    context = _gestione_context(
        request,
        ambito,
        "comuni",
        form=form,
        q=form.q,
        min_length=RICERCA_COMUNE_MIN,
        trovati=trovati,
    )
    return render(request, "ambiti/gestione/comune_add.html", context)


@login_required
def appartenenza_end(request, codice, pk):
    ambito = ambito_for_change(request.user, codice)
    appartenenza = get_object_or_404(
        AppartenenzaComune.objects.in_vigore().filter(ambito=ambito).select_related("comune"), pk=pk
    )
    form = TerminaAppartenenzaForm(
        request.POST if request.method == "POST" else None, initial={"al": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.termina_appartenenza(appartenenza, al=form.cleaned_data["al"], by=request.user)
        except OperazioneNonValida as error:
            form.add_error("al", str(error))
        else:
            messages.success(
                request,
                _("%(comune)s leaves the ambito after %(date)s.")
                % {"comune": appartenenza.comune, "date": _date(form.cleaned_data["al"])},
            )
            return redirect("ambiti:comuni", codice=ambito.codice)
    context = _gestione_context(request, ambito, "comuni", form=form, appartenenza=appartenenza)
    return render(request, "ambiti/gestione/appartenenza_end.html", context)


# --- back-office: parties ---------------------------------------------------------------


@login_required
def enti(request, codice):
    ambito = ambito_for_view(request.user, codice)
    queryset = Ente.objects.of_ambito(ambito).select_related("comune").order_by("denominazione")
    filterset = EnteFilter(request.GET or None, queryset=queryset)
    if wants_csv(request):
        return csv_response(
            f"enti-{ambito.codice}.csv",
            [
                _("Name"),
                _("Type"),
                _("Tax code"),
                _("VAT number"),
                _("Municipality"),
                _("PEC"),
                _("E-mail"),
                _("Phone"),
                _("Address"),
                _("Active"),
            ],
            (
                [
                    e.denominazione,
                    e.get_tipo_display(),
                    e.codice_fiscale,
                    e.partita_iva,
                    e.comune.nome if e.comune else "",
                    e.pec,
                    e.email,
                    e.telefono,
                    e.indirizzo,
                    _("yes") if e.attivo else _("no"),
                ]
                for e in filterset.qs
            ),
        )
    context = _gestione_context(
        request, ambito, "enti", filterset=filterset, page=paginate(request, filterset.qs)
    )
    return render(request, "ambiti/gestione/enti.html", context)


@login_required
def ente_create(request, codice):
    ambito = ambito_for_change(request.user, codice)
    form = EnteForm(request.POST if request.method == "POST" else None, ambito=ambito)
    if request.method == "POST" and form.is_valid():
        ente = services.crea_ente(ambito, form.save(commit=False), by=request.user)
        messages.success(request, _("%(name)s has been added to the parties.") % {"name": ente})
        return redirect("ambiti:enti", codice=ambito.codice)
    return render(
        request,
        "ambiti/gestione/ente_form.html",
        _gestione_context(request, ambito, "enti", form=form),
    )


@login_required
def ente_edit(request, codice, pk):
    ambito = ambito_for_change(request.user, codice)
    ente = get_object_or_404(Ente.objects.of_ambito(ambito), pk=pk)
    form = EnteForm(
        request.POST if request.method == "POST" else None, instance=ente, ambito=ambito
    )
    if request.method == "POST" and form.is_valid():
        services.modifica_ente(form.save(commit=False), campi=form.changed_data, by=request.user)
        messages.success(request, _("The changes to %(name)s have been saved.") % {"name": ente})
        return redirect("ambiti:enti", codice=ambito.codice)
    context = _gestione_context(request, ambito, "enti", form=form, ente=ente)
    return render(request, "ambiti/gestione/ente_form.html", context)


# --- back-office: people, roles and invitations -----------------------------------------


@login_required
def ruoli(request, codice):
    ambito = ambito_for_change(request.user, codice)
    queryset = (
        Ruolo.objects.attivi()
        .filter(ambito=ambito)
        .select_related("user", "ente")
        .order_by("user__full_name", "tipo", "pk")
    )
    filterset = RuoloFilter(request.GET or None, queryset=queryset)
    if wants_csv(request):
        return csv_response(
            f"ruoli-{ambito.codice}.csv",
            [_("Full name"), _("E-mail"), _("Role"), _("Party"), _("Since"), _("Until")],
            (
                [
                    r.user.full_name,
                    r.user.email,
                    r.get_tipo_display(),
                    r.ente.denominazione if r.ente else "",
                    _date(r.valido_dal),
                    _date(r.valido_al),
                ]
                for r in filterset.qs
            ),
        )
    context = _gestione_context(
        request, ambito, "ruoli", filterset=filterset, page=paginate(request, filterset.qs)
    )
    return render(request, "ambiti/gestione/ruoli.html", context)


@login_required
def ruolo_revoke(request, codice, pk):
    ambito = ambito_for_change(request.user, codice)
    ruolo = get_object_or_404(
        Ruolo.objects.attivi().filter(ambito=ambito).select_related("user", "ente"), pk=pk
    )
    if request.method == "POST":
        try:
            services.revoca_ruolo(ruolo, by=request.user)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The role of %(name)s has been revoked.") % {"name": ruolo.user},
            )
        if ruolo.user_id == request.user.pk:
            # Whoever revokes their own role may no longer see the list.
            return redirect("home")
        return redirect("ambiti:ruoli", codice=ambito.codice)
    context = _gestione_context(request, ambito, "ruoli", ruolo=ruolo)
    return render(request, "ambiti/gestione/ruolo_revoke.html", context)


@login_required
def ruolo_edit(request, codice, pk):
    ambito = ambito_for_change(request.user, codice)
    ruolo = get_object_or_404(
        Ruolo.objects.filter(ambito=ambito, revocato_at__isnull=True).select_related(
            "user", "ente"
        ),
        pk=pk,
    )
    if request.method == "POST":
        form = RuoloForm(request.POST, request.FILES, instance=ruolo)
    else:
        form = RuoloForm(instance=ruolo)
    if request.method == "POST" and form.is_valid():
        services.modifica_ruolo(form, by=request.user)
        messages.success(request, _("The role of %(name)s has been saved.") % {"name": ruolo.user})
        return redirect("ambiti:ruoli", codice=ambito.codice)
    context = _gestione_context(request, ambito, "ruoli", ruolo=ruolo, form=form)
    return render(request, "ambiti/gestione/ruolo_form.html", context)


@login_required
def ruolo_delega(request, codice, pk):
    """The delega document, to the staff of the ambito only (media files are not public)."""
    ambito = ambito_for_change(request.user, codice)
    ruolo = get_object_or_404(
        Ruolo.objects.filter(ambito=ambito).exclude(documento_delega=""), pk=pk
    )
    return FileResponse(
        ruolo.documento_delega.open("rb"),
        as_attachment=True,
        filename=f"delega-{ruolo.user.email.split('@')[0]}.pdf",
        content_type="application/pdf",
    )


@login_required
def inviti(request, codice):
    ambito = ambito_for_change(request.user, codice)
    queryset = with_stato(
        Invito.objects.filter(ambito=ambito).select_related("ente", "invitato_da")
    ).order_by("-created_at", "-pk")
    filterset = InvitoFilter(request.GET or None, queryset=queryset)
    context = _gestione_context(
        request,
        ambito,
        "inviti",
        filterset=filterset,
        page=paginate(request, filterset.qs),
    )
    return render(request, "ambiti/gestione/inviti.html", context)


@login_required
def invito_create(request, codice):
    ambito = ambito_for_change(request.user, codice)
    form = InvitoForm(request.POST if request.method == "POST" else None, ambito=ambito)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invito = services.invita(
            ambito,
            email=data["email"],
            full_name=data["full_name"].strip(),
            tipo=data["tipo"],
            ente=data["ente"],
            by=request.user,
        )
        messages.success(
            request,
            _("The invitation has been sent to %(email)s.") % {"email": invito.email},
        )
        return redirect("ambiti:inviti", codice=ambito.codice)
    return render(
        request,
        "ambiti/gestione/invito_form.html",
        _gestione_context(
            request, ambito, "inviti", form=form, giorni=services.INVITO_VALIDO_GIORNI
        ),
    )


@login_required
def invito_withdraw(request, codice, pk):
    ambito = ambito_for_change(request.user, codice)
    invito = get_object_or_404(Invito.objects.aperti().filter(ambito=ambito), pk=pk)
    if request.method == "POST":
        try:
            services.ritira_invito(invito, by=request.user)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The invitation to %(email)s has been withdrawn.") % {"email": invito.email},
            )
        return redirect("ambiti:inviti", codice=ambito.codice)
    context = _gestione_context(request, ambito, "inviti", invito=invito)
    return render(request, "ambiti/gestione/invito_withdraw.html", context)


# --- invitation acceptance --------------------------------------------------------------


def _motivo_non_valido(invito):
    if invito.accettato_at is not None:
        return StatoInvito.ACCETTATO
    if invito.revocato_at is not None:
        return StatoInvito.RITIRATO
    if invito.scaduto:
        return StatoInvito.SCADUTO
    return None


def _welcome(request, ruolo):
    messages.success(
        request,
        _("Welcome! Your role in %(ambito)s: %(role)s.")
        % {"role": ruolo.get_tipo_display(), "ambito": ruolo.ambito},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invito(request, token):
    """The link of an invitation e-mail: create the account or sign in, then take the role."""
    invito = (
        Invito.objects.select_related("ambito", "ente", "invitato_da").filter(token=token).first()
    )
    if invito is None:
        return render(request, "ambiti/invito_non_valido.html", {"motivo": None}, status=404)
    motivo = _motivo_non_valido(invito)
    if motivo is not None:
        return render(
            request,
            "ambiti/invito_non_valido.html",
            {"motivo": motivo, "invito": invito, "ambito": invito.ambito},
            status=410,
        )
    context = {"invito": invito, "ambito": invito.ambito}

    if request.user.is_authenticated:
        if request.user.email.lower() != invito.email:
            return render(
                request, "ambiti/invito.html", {**context, "modo": "altro_account"}, status=403
            )
        if request.method == "POST":
            try:
                ruolo = services.accetta_invito(invito, user=request.user)
            except OperazioneNonValida as error:
                messages.error(request, str(error))
                return redirect(request.path)
            _welcome(request, ruolo)
            return redirect("home")
        return render(request, "ambiti/invito.html", {**context, "modo": "accetta"})

    if User.objects.filter(email__iexact=invito.email).exists():
        login_url = reverse("account_login") + "?" + urlencode({"next": request.path})
        return render(
            request, "ambiti/invito.html", {**context, "modo": "accedi", "accedi_url": login_url}
        )

    form = AccettaInvitoForm(request.POST if request.method == "POST" else None, invito=invito)
    if request.method == "POST" and form.is_valid():
        try:
            ruolo = services.accetta_invito(
                invito,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            login(request, ruolo.user, backend="django.contrib.auth.backends.ModelBackend")
            _welcome(request, ruolo)
            return redirect("home")
    return render(request, "ambiti/invito.html", {**context, "modo": "nuovo", "form": form})

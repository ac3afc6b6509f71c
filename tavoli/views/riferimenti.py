"""The reference data of an ambito's bodies: policy areas and voting rules.

Each list has shared rows (no ambito: the national list, the presets of DOMAIN.md § 6), read
only here, and the ambito's own, which its Ufficio di Piano adds and changes. Nothing is ever
deleted: a policy area is deactivated, a rule keeps the votes taken under it readable (each vote
stores a copy of its rule). Anyone with a role in the ambito reads the pages (mayors included);
its staff change them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambiti.permissions import (
    ambito_for_change,
    ambito_for_view,
    can_manage_ambito,
    can_view_ambito,
    ruoli,
)
from tavoli import services
from tavoli.forms.riferimenti import AreaPolicyForm, RegolaVotoForm
from tavoli.models import AreaPolicy, RegolaVoto


def _context(request, ambito, section, **extra):
    """What templates/ambiti/gestione/base.html needs."""
    return {
        "ambito": ambito,
        "section": section,
        "can_manage": can_manage_ambito(request.user, ambito),
        **extra,
    }


def _data(request):
    return request.POST if request.method == "POST" else None


def _propria_for_change(user, model, pk):
    """An ambito's own row of ``model`` its staff may change: shared rows are visible to
    everyone with a role but changed only in the regional administration (403)."""
    oggetto = model.objects.select_related("ambito").filter(pk=pk).first()
    if oggetto is None:
        raise Http404
    if oggetto.ambito is None:
        if ruoli(user) or user.is_superuser:
            raise PermissionDenied
        raise Http404
    if not can_view_ambito(user, oggetto.ambito):
        raise Http404
    if not can_manage_ambito(user, oggetto.ambito):
        raise PermissionDenied
    return oggetto


# --- policy areas -------------------------------------------------------------------------


@login_required
def aree_policy(request, codice):
    """The list, and the form to add an area of the ambito's own."""
    ambito = ambito_for_view(request.user, codice)
    form = None
    if request.method == "POST":
        ambito_for_change(request.user, codice)
    if can_manage_ambito(request.user, ambito):
        form = AreaPolicyForm(_data(request), ambito=ambito)
        if request.method == "POST" and form.is_valid():
            area = services.salva_riferimento(form, "area_policy.creata", by=request.user)
            messages.success(
                request, _("The policy area “%(name)s” has been added.") % {"name": area}
            )
            return redirect("tavoli:aree_policy", ambito.codice)
    aree = AreaPolicy.objects.filter(Q(ambito__isnull=True) | Q(ambito=ambito)).annotate(
        num_tavoli=Count("tavoli", filter=Q(tavoli__ambito=ambito), distinct=True)
    )
    aree = sorted(aree, key=lambda a: (a.ambito_id is not None, not a.attiva, a.ordine, a.nome))
    context = _context(
        request,
        ambito,
        "aree_policy",
        comuni=[a for a in aree if a.ambito_id is None],
        proprie=[a for a in aree if a.ambito_id is not None],
        form=form,
    )
    return render(request, "tavoli/riferimenti/aree_policy.html", context)


@login_required
def area_policy_modifica(request, pk):
    area = _propria_for_change(request.user, AreaPolicy, pk)
    ambito = area.ambito
    form = AreaPolicyForm(_data(request), instance=area, ambito=ambito)
    if request.method == "POST" and form.is_valid():
        area = services.salva_riferimento(form, "area_policy.modificata", by=request.user)
        if area.attiva:
            messages.success(
                request, _("The policy area “%(name)s” has been saved.") % {"name": area}
            )
        else:
            messages.success(
                request,
                _("The policy area “%(name)s” is inactive: new bodies will not be offered it.")
                % {"name": area},
            )
        return redirect("tavoli:aree_policy", ambito.codice)
    context = _context(request, ambito, "aree_policy", form=form, area=area)
    return render(request, "tavoli/riferimenti/area_form.html", context)


# --- voting rules -------------------------------------------------------------------------


def _regole(ambito):
    return (
        RegolaVoto.objects.per_ambito(ambito)
        .annotate(num_tavoli=Count("tavoli", filter=Q(tavoli__ambito=ambito), distinct=True))
        .order_by("nome", "pk")
    )


@login_required
def regole(request, codice):
    ambito = ambito_for_view(request.user, codice)
    regole = list(_regole(ambito))
    context = _context(
        request,
        ambito,
        "regole",
        comuni=[r for r in regole if r.ambito_id is None],
        proprie=[r for r in regole if r.ambito_id is not None],
    )
    return render(request, "tavoli/riferimenti/regole.html", context)


@login_required
def regola_nuova(request, codice):
    ambito = ambito_for_change(request.user, codice)
    form = RegolaVotoForm(_data(request), ambito=ambito)
    if request.method == "POST" and form.is_valid():
        regola = services.salva_riferimento(form, "regola_voto.creata", by=request.user)
        messages.success(
            request, _("The voting rule “%(name)s” has been created.") % {"name": regola}
        )
        return redirect("tavoli:regole", ambito.codice)
    context = _context(request, ambito, "regole", form=form, regola=None)
    return render(request, "tavoli/riferimenti/regola_form.html", context)


@login_required
def regola_modifica(request, pk):
    regola = _propria_for_change(request.user, RegolaVoto, pk)
    ambito = regola.ambito
    form = RegolaVotoForm(_data(request), instance=regola, ambito=ambito)
    if request.method == "POST" and form.is_valid():
        regola = services.salva_riferimento(form, "regola_voto.modificata", by=request.user)
        messages.success(
            request, _("The voting rule “%(name)s” has been saved.") % {"name": regola}
        )
        return redirect("tavoli:regole", ambito.codice)
    context = _context(
        request, ambito, "regole", form=form, regola=regola, num_tavoli=regola.tavoli.count()
    )
    return render(request, "tavoli/riferimenti/regola_form.html", context)


@login_required
@require_POST
def regola_copia(request, codice, pk):
    """Copy a shared preset into the ambito, to adapt it to the body's own rules."""
    ambito = ambito_for_change(request.user, codice)
    modello = RegolaVoto.objects.filter(pk=pk, ambito__isnull=True).first()
    if modello is None:
        raise Http404
    regola = services.copia_regola(
        modello,
        ambito,
        nome=_("%(name)s (copy)") % {"name": modello.nome},
        by=request.user,
    )
    messages.success(
        request,
        _("“%(name)s” has been copied to the rules of %(ambito)s: adapt it and save it.")
        % {"name": modello.nome, "ambito": ambito.nome},
    )
    return redirect("tavoli:regola_modifica", regola.pk)


urlpatterns = [
    path("riferimenti/<str:codice>/aree-policy/", aree_policy, name="aree_policy"),
    path(
        "riferimenti/aree-policy/<int:pk>/modifica/",
        area_policy_modifica,
        name="area_policy_modifica",
    ),
    path("riferimenti/<str:codice>/regole-voto/", regole, name="regole"),
    path("riferimenti/<str:codice>/regole-voto/nuova/", regola_nuova, name="regola_nuova"),
    path("riferimenti/<str:codice>/regole-voto/<int:pk>/copia/", regola_copia, name="regola_copia"),
    path("riferimenti/regole-voto/<int:pk>/modifica/", regola_modifica, name="regola_modifica"),
]

"""The bodies (tavoli) and their members: the list everybody sees, the page of a body, and
their management by the Ufficio di Piano of every ambito taking part.

Not visible → 404 (``tavolo_for_view``); visible but not changeable → 403 (``tavolo_for_change``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ambiti.models import Ambito
from ambiti.permissions import ambito_for_change, is_regional_admin
from pdz.exceptions import OperazioneNonValida
from pdz.formati import data_ora
from pdz.lists import csv_response, paginate, wants_csv
from tavoli import services
from tavoli.filters import MembroFilter, TavoloFilter
from tavoli.forms.tavoli import MembroForm, MembroModificaForm, TavoloForm
from tavoli.models import Incontro, Membro, Tavolo
from tavoli.permissions import (
    can_manage_tavolo,
    can_view_interno,
    tavoli_visibili,
    tavolo_for_change,
    tavolo_for_view,
)

MEMBRI_IN_SINTESI = 12
INCONTRI_PASSATI = 10


# --- helpers ------------------------------------------------------------------------------


def _data(request):
    """The submitted data, also when empty (a form posted blank must show its errors)."""
    return request.POST if request.method == "POST" else None


def _ambiti(tavolo):
    """The primary keys of the lead ambito and of every other ambito taking part."""
    return {tavolo.ambito_id, *tavolo.ambiti_coinvolti.values_list("pk", flat=True)}


def durata(ore):
    """A notice period in words: "5 days", "36 hours"."""
    if ore and ore % 24 == 0:
        return ngettext("%(n)d day", "%(n)d days", ore // 24) % {"n": ore // 24}
    return ngettext("%(n)d hour", "%(n)d hours", ore) % {"n": ore}


def _num_membri():
    attivi = (
        Membro.objects.filter(tavolo=OuterRef("pk"), rimosso_at__isnull=True)
        .order_by()
        .values("tavolo")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(attivi, output_field=IntegerField()), Value(0))


def _prossimo_incontro():
    futuri = (
        Incontro.objects.filter(tavolo=OuterRef("pk"), inizio__gte=timezone.now())
        .exclude(stato=Incontro.Stato.ANNULLATO)
        .order_by("inizio")
        .values("inizio")[:1]
    )
    return Subquery(futuri)


# --- the list -----------------------------------------------------------------------------


def elenco(request):
    """Every body the person may see: public ones, those of their ambiti, those they sit at."""
    visibili = tavoli_visibili(request.user)
    queryset = (
        Tavolo.objects.filter(pk__in=visibili.values("pk"))
        .select_related("ambito", "sub_ambito")
        .prefetch_related("aree_utenza", "ambiti_coinvolti")
        .annotate(num_membri=_num_membri(), prossimo=_prossimo_incontro())
        .order_by("ambito__nome", "nome")
    )
    filterset = TavoloFilter(request.GET or None, queryset=queryset)
    if wants_csv(request):
        return csv_response(
            "tavoli.csv",
            [
                _("Name"),
                _("Kind"),
                _("Lead ambito"),
                _("Other ambiti"),
                _("Sub-ambito"),
                _("Target groups"),
                _("Members"),
                _("Next meeting"),
                _("Public"),
                _("Active"),
            ],
            (
                [
                    t.nome,
                    t.get_tipo_display(),
                    t.ambito.nome,
                    ", ".join(a.nome for a in t.ambiti_coinvolti.all()),
                    t.sub_ambito.nome if t.sub_ambito else "",
                    ", ".join(a.nome for a in t.aree_utenza.all()),
                    t.num_membri,
                    data_ora(t.prossimo),
                    _("Yes") if t.pubblico else _("No"),
                    _("Yes") if t.attivo else _("No"),
                ]
                for t in filterset.qs
            ),
        )
    regionale = is_regional_admin(request.user)
    gestibili = [] if regionale else list(Ambito.objects.managed_by(request.user))
    return render(
        request,
        "tavoli/tavoli/elenco.html",
        {
            "filterset": filterset,
            "page": paginate(request, filterset.qs),
            "ambiti_nuovo": gestibili,
            "nuovo_qualsiasi": regionale,
        },
    )


# --- the page of a body -------------------------------------------------------------------


def tavolo(request, pk):
    tavolo = tavolo_for_view(request.user, pk)
    interno = can_view_interno(request.user, tavolo)
    adesso = timezone.now()
    incontri = tavolo.incontri.order_by("inizio")
    membri = tavolo.membri.attivi().select_related("ente").order_by("ente__denominazione")
    per_ruolo = dict(
        tavolo.membri.attivi()
        .order_by()
        .values("ruolo")
        .annotate(n=Count("pk"))
        .values_list("ruolo", "n")
    )
    context = {
        "tavolo": tavolo,
        "gestore": can_manage_tavolo(request.user, tavolo),
        "interno": interno,
        "ambiti_coinvolti": list(tavolo.ambiti_coinvolti.all()),
        "aree_utenza": list(tavolo.aree_utenza.all()),
        "aree_policy": list(tavolo.aree_policy.all()),
        "prossimi": list(incontri.filter(inizio__gte=adesso)),
        "passati": list(incontri.filter(inizio__lt=adesso).reverse()[:INCONTRI_PASSATI]),
        "altri_passati": max(0, incontri.filter(inizio__lt=adesso).count() - INCONTRI_PASSATI),
        "membri": list(membri[:MEMBRI_IN_SINTESI]),
        "num_membri": sum(per_ruolo.values()),
        "per_ruolo": [
            (label, per_ruolo[ruolo]) for ruolo, label in Membro.Ruolo.choices if ruolo in per_ruolo
        ],
        "num_votanti": tavolo.membri.attivi().filter(diritto_voto=True).count(),
        "preavviso": durata(tavolo.preavviso_ore),
        "promemoria": durata(tavolo.promemoria_ore) if tavolo.promemoria_ore else "",
    }
    return render(request, "tavoli/tavoli/tavolo.html", context)


# --- creating and editing a body ----------------------------------------------------------


@login_required
def tavolo_nuovo(request):
    codice = request.GET.get("ambito")
    if not codice:
        gestibili = list(Ambito.objects.managed_by(request.user))
        if not gestibili:
            raise PermissionDenied
        if len(gestibili) == 1:
            return redirect(f"{reverse('tavoli:tavolo_nuovo')}?ambito={gestibili[0].codice}")
        return render(request, "tavoli/tavoli/scegli_ambito.html", {"ambiti": gestibili})
    ambito = ambito_for_change(request.user, codice)
    form = TavoloForm(_data(request), ambito=ambito)
    if request.method == "POST" and form.is_valid():
        tavolo = services.salva_tavolo(form, by=request.user)
        messages.success(
            request,
            _("The body “%(nome)s” has been created. Now add its members.") % {"nome": tavolo},
        )
        return redirect("tavoli:tavolo", tavolo.pk)
    return render(request, "tavoli/tavoli/form.html", {"form": form, "ambito": ambito})


@login_required
def tavolo_modifica(request, pk):
    tavolo = tavolo_for_change(request.user, pk)
    form = TavoloForm(_data(request), instance=tavolo, ambito=tavolo.ambito)
    if request.method == "POST" and form.is_valid():
        services.salva_tavolo(form, by=request.user)
        messages.success(request, _("The changes to the body have been saved."))
        return redirect("tavoli:tavolo", tavolo.pk)
    context = {"form": form, "ambito": tavolo.ambito, "tavolo": tavolo}
    return render(request, "tavoli/tavoli/form.html", context)


# --- members ------------------------------------------------------------------------------


def membri(request, pk):
    tavolo = tavolo_for_view(request.user, pk)
    interno = can_view_interno(request.user, tavolo)
    queryset = tavolo.membri.select_related("ente").order_by("ente__denominazione", "pk")
    filterset = MembroFilter(request.GET or None, queryset=queryset, email=interno)
    if wants_csv(request):
        header = [_("Party"), _("Type of party"), _("Delegate")]
        if interno:
            header.append(_("Delegate's e-mail"))
        header.append(_("Substitute"))
        if interno:
            header.append(_("Substitute's e-mail"))
        header += [_("Role"), _("Voting right"), _("Removed on")]

        def riga(m):
            valori = [m.ente.denominazione, m.ente.get_tipo_display(), m.delegato_nome]
            if interno:
                valori.append(m.delegato_email)
            valori.append(m.supplente_nome)
            if interno:
                valori.append(m.supplente_email)
            return [
                *valori,
                m.get_ruolo_display(),
                _("Yes") if m.diritto_voto else _("No"),
                date_format(timezone.localtime(m.rimosso_at), "d/m/Y") if m.rimosso_at else "",
            ]

        return csv_response(f"membri-{tavolo.pk}.csv", header, (riga(m) for m in filterset.qs))
    context = {
        "tavolo": tavolo,
        "gestore": can_manage_tavolo(request.user, tavolo),
        "interno": interno,
        "filterset": filterset,
        "page": paginate(request, filterset.qs),
        "num_attivi": tavolo.membri.attivi().count(),
        "sindaci": tavolo.tipo == Tavolo.Tipo.ASSEMBLEA_SINDACI,
    }
    return render(request, "tavoli/tavoli/membri.html", context)


@login_required
def membro_nuovo(request, pk):
    tavolo = tavolo_for_change(request.user, pk)
    form = MembroForm(_data(request), tavolo=tavolo, ambiti=_ambiti(tavolo))
    if request.method == "POST" and form.is_valid():
        try:
            membro = services.aggiungi_membro(
                tavolo, ente=form.cleaned_data["ente"], by=request.user, **form.dati()
            )
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(ente)s now sits at the body, represented by %(nome)s.")
                % {"ente": membro.ente, "nome": membro.delegato_nome},
            )
            return redirect("tavoli:membri", tavolo.pk)
    return render(request, "tavoli/tavoli/membro_form.html", {"tavolo": tavolo, "form": form})


def _membro_for_change(user, pk):
    membro = get_object_or_404(Membro.objects.select_related("ente"), pk=pk)
    membro.tavolo = tavolo_for_change(user, membro.tavolo_id)
    return membro


@login_required
def membro_modifica(request, pk):
    membro = _membro_for_change(request.user, pk)
    tavolo = membro.tavolo
    if membro.rimosso_at:
        messages.error(request, _("This member was removed from the body."))
        return redirect("tavoli:membri", tavolo.pk)
    form = MembroModificaForm(_data(request), instance=membro, tavolo=tavolo)
    if request.method == "POST" and form.is_valid():
        try:
            services.modifica_membro(membro, by=request.user, **form.dati())
        except OperazioneNonValida as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The changes to %(ente)s have been saved.") % {"ente": membro.ente}
            )
            return redirect("tavoli:membri", tavolo.pk)
    context = {"tavolo": tavolo, "membro": membro, "form": form}
    return render(request, "tavoli/tavoli/membro_form.html", context)


@login_required
def membro_rimuovi(request, pk):
    membro = _membro_for_change(request.user, pk)
    tavolo = membro.tavolo
    if membro.rimosso_at:
        messages.info(request, _("This member was already removed from the body."))
        return redirect("tavoli:membri", tavolo.pk)
    if request.method == "POST":
        services.rimuovi_membro(membro, by=request.user)
        messages.success(
            request,
            _("%(ente)s no longer sits at the body; its past attendance and votes stay on record.")
            % {"ente": membro.ente},
        )
        return redirect("tavoli:membri", tavolo.pk)
    context = {"tavolo": tavolo, "membro": membro}
    return render(request, "tavoli/tavoli/membro_rimuovi.html", context)


@login_required
@require_POST
def membri_importa(request, pk):
    tavolo = tavolo_for_change(request.user, pk)
    try:
        aggiunti, presenti = services.importa_da_manifestazione(tavolo, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
    else:
        testo = ngettext(
            "%(n)d organisation admitted under the manifestazione d'interesse has been seated.",
            "%(n)d organisations admitted under the manifestazione d'interesse have been seated.",
            len(aggiunti),
        ) % {"n": len(aggiunti)}
        if presenti:
            testo += " " + ngettext(
                "%(n)d was already a member.", "%(n)d were already members.", len(presenti)
            ) % {"n": len(presenti)}
        messages.success(request, testo)
    return redirect("tavoli:membri", tavolo.pk)


@login_required
@require_POST
def membri_comuni(request, pk):
    tavolo = tavolo_for_change(request.user, pk)
    try:
        aggiunti, senza_sindaco = services.aggiungi_comuni(tavolo, by=request.user)
    except OperazioneNonValida as error:
        messages.error(request, str(error))
        return redirect("tavoli:membri", tavolo.pk)
    messages.success(
        request,
        ngettext(
            "%(n)d municipality has been seated with its mayor.",
            "%(n)d municipalities have been seated with their mayors.",
            len(aggiunti),
        )
        % {"n": len(aggiunti)},
    )
    if senza_sindaco:
        messages.warning(
            request,
            _(
                "No mayor is recorded for: %(comuni)s. Record the mayor among the people "
                "of the ambito, then seat the municipalities again."
            )
            % {"comuni": ", ".join(ente.denominazione for ente in senza_sindaco)},
        )
    return redirect("tavoli:membri", tavolo.pk)


urlpatterns = [
    path("", elenco, name="list"),
    path("nuovo/", tavolo_nuovo, name="tavolo_nuovo"),
    path("<int:pk>/", tavolo, name="tavolo"),
    path("<int:pk>/modifica/", tavolo_modifica, name="tavolo_modifica"),
    path("<int:pk>/membri/", membri, name="membri"),
    path("<int:pk>/membri/nuovo/", membro_nuovo, name="membro_nuovo"),
    path("<int:pk>/membri/importa/", membri_importa, name="membri_importa"),
    path("<int:pk>/membri/comuni/", membri_comuni, name="membri_comuni"),
    path("membri/<int:pk>/modifica/", membro_modifica, name="membro_modifica"),
    path("membri/<int:pk>/rimuovi/", membro_rimuovi, name="membro_rimuovi"),
]

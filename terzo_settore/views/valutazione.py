"""The evaluation of co-progettazione proposals by the notice's commission, and the ranking.

The members of the commission score the admitted proposals; the staff of the ambito follow
the work read-only and publish the ranking. Anybody else gets 404. Once published, the
ranking is public at ``avvisi/<pk>/graduatoria/`` and the scores are final.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pdz.lists import paginate
from pdz.todo import Block, Item
from terzo_settore import services
from terzo_settore.forms.rilevazioni import PunteggiForm
from terzo_settore.graduatoria import graduatoria
from terzo_settore.models import Avviso, Domanda, Punteggio
from terzo_settore.permissions import can_manage_avvisi
from terzo_settore.services import OperazioneNonValida, PunteggioNonValido


class Accesso:
    """Who the user is for a notice's evaluation: a member of its commission, its staff."""

    def __init__(self, avviso, commissario, staff):
        self.avviso = avviso
        self.commissario = commissario
        self.staff = staff


def _accesso(user, pk):
    avviso = (
        Avviso.objects.select_related("ambito")
        .filter(pk=pk, tipo=Avviso.Tipo.COPROGETTAZIONE)
        .first()
    )
    if avviso is None:
        raise Http404
    commissario = avviso.commissione.filter(pk=user.pk).exists()
    staff = can_manage_avvisi(user, avviso.ambito)
    if not (commissario or staff):
        raise Http404
    return Accesso(avviso, commissario, staff)


def _ammesse(avviso):
    return (
        avviso.domande.filter(stato=Domanda.Stato.AMMESSA)
        .select_related("organizzazione__ente")
        .order_by("protocollo_anno", "protocollo_numero", "pk")
    )


@login_required
def valutazione(request, pk):
    accesso = _accesso(request.user, pk)
    avviso = accesso.avviso
    criteri = list(avviso.criteri.all())
    context = {
        "avviso": avviso,
        "accesso": accesso,
        "criteri": criteri,
        "massimo": sum((c.punteggio_massimo for c in criteri), 0),
        "pubblicata": avviso.graduatoria_pubblicata_at is not None,
    }
    if accesso.commissario:
        miei = Q(punteggi__commissario=request.user)
        proposte = _ammesse(avviso).annotate(
            miei=Count("punteggi", filter=miei), mio_totale=Sum("punteggi__punti", filter=miei)
        )
        context["page"] = paginate(request, proposte)
        context["da_valutare"] = proposte.filter(miei__lt=len(criteri)).count()
        context["ammesse"] = proposte.count()
    if accesso.staff:
        context["graduatoria"] = graduatoria(avviso)
        context["commissione"] = _avanzamento(avviso)
    return render(request, "terzo_settore/valutazione/valutazione.html", context)


def _avanzamento(avviso):
    """The members of the commission, each with how many proposals they scored."""
    valutate = dict(
        Punteggio.objects.filter(domanda__avviso=avviso, domanda__stato=Domanda.Stato.AMMESSA)
        .values("commissario_id")
        .annotate(n=Count("domanda", distinct=True))
        .order_by()
        .values_list("commissario_id", "n")
    )
    membri = list(avviso.commissione.order_by("full_name", "email"))
    for membro in membri:
        membro.valutate = valutate.get(membro.pk, 0)
    return membri


@login_required
def scheda(request, pk, domanda_pk):
    """The score sheet of one proposal: a form for a member of the commission, every score
    (read-only) for the staff."""
    accesso = _accesso(request.user, pk)
    avviso = accesso.avviso
    domanda = get_object_or_404(_ammesse(avviso), pk=domanda_pk)
    if request.method == "POST" and not accesso.commissario:
        raise PermissionDenied
    criteri = list(avviso.criteri.all())
    pubblicata = avviso.graduatoria_pubblicata_at is not None
    form = None
    if accesso.commissario:
        miei = {
            p.criterio_id: p
            for p in Punteggio.objects.filter(domanda=domanda, commissario=request.user)
        }
        form = PunteggiForm(criteri, miei, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.assegna_punteggi(domanda, form.punti(), note=form.note(), by=request.user)
            except PunteggioNonValido as error:
                form.add_error(f"punti_{error.criterio.pk}", str(error))
            except OperazioneNonValida as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Your scores for %(name)s have been saved.")
                    % {"name": domanda.organizzazione.ente.denominazione},
                )
                return redirect("terzo_settore:valutazione", pk=avviso.pk)
    tutti = None
    if accesso.staff:
        tutti = _tutti_i_punteggi(domanda, criteri)
    context = {
        "avviso": avviso,
        "accesso": accesso,
        "domanda": domanda,
        "criteri": criteri,
        "form": form,
        "pubblicata": pubblicata,
        "tutti": tutti,
    }
    return render(request, "terzo_settore/valutazione/scheda.html", context)


def _tutti_i_punteggi(domanda, criteri):
    """Every member's scores of ``domanda``: [(member, [score or None per criterion])]."""
    punteggi = {
        (p.commissario_id, p.criterio_id): p
        for p in Punteggio.objects.filter(domanda=domanda, commissario__commissioni=domanda.avviso)
    }
    return [
        (membro, [punteggi.get((membro.pk, c.pk)) for c in criteri])
        for membro in domanda.avviso.commissione.order_by("full_name", "email")
    ]


@login_required
def pubblica(request, pk):
    accesso = _accesso(request.user, pk)
    avviso = accesso.avviso
    if not accesso.staff:
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.pubblica_graduatoria(avviso, by=request.user)
        except OperazioneNonValida as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The ranking has been published: the scores are now final.")
            )
        return redirect("terzo_settore:valutazione", pk=avviso.pk)
    if avviso.graduatoria_pubblicata_at is not None:
        messages.info(request, _("The ranking has already been published."))
        return redirect("terzo_settore:valutazione", pk=avviso.pk)
    righe = graduatoria(avviso)
    membri = avviso.commissione.count()
    context = {
        "avviso": avviso,
        "accesso": accesso,
        "graduatoria": righe,
        "incomplete": [r for r in righe if r.commissari < membri],
        "membri": membri,
    }
    return render(request, "terzo_settore/valutazione/pubblica.html", context)


def graduatoria_pubblica(request, pk):
    """The published ranking: position, organisation, per-criterion averages and total."""
    avviso = get_object_or_404(
        Avviso.objects.select_related("ambito").exclude(stato=Avviso.Stato.BOZZA),
        pk=pk,
        tipo=Avviso.Tipo.COPROGETTAZIONE,
        graduatoria_pubblicata_at__isnull=False,
    )
    context = {"avviso": avviso, "graduatoria": graduatoria(avviso)}
    return render(request, "terzo_settore/valutazione/graduatoria.html", context)


# --- the home page ----------------------------------------------------------------------------


def todo_commissione(request):
    """A member of a commission: the notices whose admitted proposals wait for their scores."""
    user = request.user
    if not user.is_authenticated:
        return []
    avvisi = (
        Avviso.objects.filter(
            commissione=user,
            tipo=Avviso.Tipo.COPROGETTAZIONE,
            graduatoria_pubblicata_at__isnull=True,
        )
        .annotate(
            ammesse=Count("domande", filter=Q(domande__stato=Domanda.Stato.AMMESSA), distinct=True),
            valutate=Count(
                "domande",
                filter=Q(domande__stato=Domanda.Stato.AMMESSA, domande__punteggi__commissario=user),
                distinct=True,
            ),
        )
        .filter(ammesse__gt=0)
        .order_by("chiusura", "pk")
    )
    items = []
    for avviso in avvisi:
        mancano = avviso.ammesse - avviso.valutate
        if mancano:
            detail = ngettext(
                "%(count)d proposal waits for your scores.",
                "%(count)d proposals wait for your scores.",
                mancano,
            ) % {"count": mancano}
        else:
            detail = _("You have scored every proposal; you can still change your scores.")
        items.append(
            Item(avviso.titolo, reverse("terzo_settore:valutazione", args=[avviso.pk]), detail)
        )
    return [Block(_("Proposals to score"), items)] if items else []


urlpatterns = [
    path("valutazione/<int:pk>/", valutazione, name="valutazione"),
    path("valutazione/<int:pk>/proposte/<int:domanda_pk>/", scheda, name="valutazione_scheda"),
    path("valutazione/<int:pk>/pubblica/", pubblica, name="valutazione_pubblica"),
    path("avvisi/<int:pk>/graduatoria/", graduatoria_pubblica, name="graduatoria"),
]

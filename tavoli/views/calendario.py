"""Calendars: "my meetings" of a signed-in person, their personal feed behind a secret address,
and the public feed of each public body, both for calendar clients to subscribe to.

A calendar client has no session: the personal feed is found by its token alone (unknown or
revoked → 404), and a body's feed exists only for public bodies.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pdz.emails import absolute_url
from pdz.lists import paginate
from tavoli import ics, services
from tavoli.models import Convocazione, FeedCalendario, Incontro, Tavolo
from tavoli.permissions import ambiti_gestiti

FEED_PASSATO = timedelta(days=365)

# Meetings members do not hear of: still being planned, or cancelled before being convened.
NON_ANNUNCIATI = Q(stato=Incontro.Stato.PIANIFICATO) | Q(
    stato=Incontro.Stato.ANNULLATO, convocato_at__isnull=True
)


def tavoli_di_staff(user):
    """The bodies run by the Ufficio di Piano of ``user``'s own ambiti.

    Not ``permissions.tavoli_gestiti``: that is every body of the region for the regional
    administrator, whose personal calendar would then hold every meeting of every ambito.
    """
    return Tavolo.objects.of_ambiti(ambiti_gestiti(user))


def incontri_miei(user):
    """The meetings of ``user``: those of the bodies they sit at, once announced, and every
    meeting of the bodies their Ufficio di Piano runs."""
    condizione = Q(pk__in=[])
    if user.email:
        condizione |= Q(pk__in=services.incontri_di(user).exclude(NON_ANNUNCIATI).values("pk"))
    if ambiti_gestiti(user):
        condizione |= Q(tavolo__in=tavoli_di_staff(user).values("pk"))
    return Incontro.objects.filter(condizione)


def _con_risposte(user, incontri):
    """Attach to each meeting ``mie_convocazioni``: the convocations ``user`` received for it,
    each with ``rsvp_link`` while the meeting is open to answers."""
    incontri = list(incontri)
    per_incontro = defaultdict(list)
    if user.email and incontri:
        for convocazione in (
            Convocazione.objects.filter(
                incontro__in=[i.pk for i in incontri], email__iexact=user.email
            )
            .exclude(destinatario=Convocazione.Destinatario.ENTE_PEC)
            .select_related("membro__ente")
            .order_by("membro__ente__denominazione", "pk")
        ):
            per_incontro[convocazione.incontro_id].append(convocazione)
    adesso = timezone.now()
    for incontro in incontri:
        incontro.mie_convocazioni = per_incontro[incontro.pk]
        aperto = incontro.stato == Incontro.Stato.CONVOCATO and incontro.inizio > adesso
        for convocazione in incontro.mie_convocazioni:
            convocazione.rsvp_link = (
                reverse("tavoli:rsvp", args=[services.rsvp_token(convocazione)]) if aperto else ""
            )
    return incontri


def feed_urls(feed):
    """The https:// (or http://) address of a personal feed and its webcal:// twin."""
    url = absolute_url(reverse("tavoli:feed_personale", args=[feed.token]))
    return url, "webcal://" + url.split("://", 1)[1]


@login_required
def miei_incontri(request):
    user = request.user
    incontri = incontri_miei(user).select_related("tavolo__ambito")
    adesso = timezone.now()
    prossimi = _con_risposte(user, incontri.filter(fine__gte=adesso).order_by("inizio", "pk"))
    page = paginate(request, incontri.filter(fine__lt=adesso).order_by("-inizio", "-pk"))
    page.object_list = _con_risposte(user, page.object_list)
    staff = bool(ambiti_gestiti(user))
    gestiti = set(tavoli_di_staff(user).values_list("pk", flat=True)) if staff else set()
    for incontro in [*prossimi, *page.object_list]:
        incontro.gestito = incontro.tavolo_id in gestiti
    feed_url, webcal_url = feed_urls(services.feed_personale(user))
    context = {
        "prossimi": prossimi,
        "page": page,
        "staff": staff,
        "feed_url": feed_url,
        "webcal_url": webcal_url,
    }
    return render(request, "tavoli/calendario/miei_incontri.html", context)


@login_required
@require_POST
def feed_rigenera(request):
    services.feed_personale(request.user, rigenera=True)
    messages.success(
        request,
        _(
            "Your calendar has a new address: the old one no longer works. "
            "Subscribe to the new address in your calendar app."
        ),
    )
    return redirect(reverse("tavoli:miei_incontri") + "#calendario")


def _ics_response(nome, incontri, filename):
    response = HttpResponse(ics.feed(nome, incontri), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    return response


def _per_feed(incontri):
    return (
        incontri.filter(inizio__gte=timezone.now() - FEED_PASSATO)
        .select_related("tavolo")
        .prefetch_related("punti")
        .order_by("inizio", "pk")
    )


@never_cache
def feed_personale(request, token):
    """The personal feed: no session, the secret token is the key."""
    feed = (
        FeedCalendario.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    nome = _("%(site)s: your meetings") % {"site": settings.SITE_NAME}
    return _ics_response(nome, _per_feed(incontri_miei(feed.user)), "incontri.ics")


def feed_tavolo(request, pk):
    """The feed of a public body; an internal one has none (a calendar client has no session)."""
    tavolo = Tavolo.objects.filter(pk=pk, pubblico=True).first()
    if tavolo is None:
        raise Http404
    incontri = _per_feed(tavolo.incontri.exclude(NON_ANNUNCIATI))
    return _ics_response(tavolo.nome, incontri, f"tavolo-{tavolo.pk}.ics")


urlpatterns = [
    path("miei-incontri/", miei_incontri, name="miei_incontri"),
    path("calendario/rigenera/", feed_rigenera, name="feed_rigenera"),
    path("calendario/<str:token>.ics", feed_personale, name="feed_personale"),
    path("<int:pk>/calendario.ics", feed_tavolo, name="feed_tavolo"),
]

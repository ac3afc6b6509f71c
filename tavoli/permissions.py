"""Who may see and run the bodies and their meetings.

- The Ufficio di Piano of the lead ambito, and of every other ambito taking part, run a body.
- Its members (delegate or substitute, by e-mail address) and anyone with a role in one of
  its ambiti (mayors, representatives) see its internal pages: papers, draft minutes, votes.
- Everybody sees a public body's page: meetings and published minutes.
Not visible → 404; visible but not changeable → 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from ambiti.models import Ruolo
from ambiti.permissions import is_regional_admin, ruoli
from tavoli.models import Incontro, Membro, Tavolo, Votazione


def ambiti_gestiti(user):
    return {pk for pk, tipi in ruoli(user).items() if tipi & set(Ruolo.TIPI_GESTIONE)}


def _ambiti_del_tavolo(tavolo):
    cached = getattr(tavolo, "_pdz_ambiti", None)
    if cached is None:
        cached = {tavolo.ambito_id, *tavolo.ambiti_coinvolti.values_list("pk", flat=True)}
        tavolo._pdz_ambiti = cached
    return cached


def can_manage_tavolo(user, tavolo):
    return is_regional_admin(user) or bool(ambiti_gestiti(user) & _ambiti_del_tavolo(tavolo))


def membri_di(user, tavolo):
    """The active memberships ``user`` represents at ``tavolo`` (delegate or substitute)."""
    if not user.is_authenticated or not user.email:
        return Membro.objects.none()
    return Membro.objects.attivi().di_persona(user.email).filter(tavolo=tavolo)


def is_membro(user, tavolo):
    return membri_di(user, tavolo).exists()


def can_view_interno(user, tavolo):
    """Papers, draft minutes, attendance and votes of the body."""
    return (
        can_manage_tavolo(user, tavolo)
        or bool(set(ruoli(user)) & _ambiti_del_tavolo(tavolo))
        or is_membro(user, tavolo)
    )


def can_view_tavolo(user, tavolo):
    return tavolo.pubblico or can_view_interno(user, tavolo)


def tavoli_visibili(user):
    """Every body ``user`` may see, for list pages."""
    if is_regional_admin(user):
        return Tavolo.objects.all()
    condizione = Q(pubblico=True)
    if user.is_authenticated:
        ambiti = set(ruoli(user))
        condizione |= Q(ambito__in=ambiti) | Q(ambiti_coinvolti__in=ambiti)
        if user.email:
            condizione |= Q(
                pk__in=Membro.objects.attivi().di_persona(user.email).values("tavolo_id")
            )
    return Tavolo.objects.filter(condizione).distinct()


def tavoli_gestiti(user):
    if is_regional_admin(user):
        return Tavolo.objects.all()
    return Tavolo.objects.of_ambiti(ambiti_gestiti(user))


def tavolo_for_view(user, pk):
    tavolo = Tavolo.objects.select_related("ambito", "regola_voto").filter(pk=pk).first()
    if tavolo is None or not can_view_tavolo(user, tavolo):
        raise Http404
    return tavolo


def tavolo_for_change(user, pk):
    tavolo = tavolo_for_view(user, pk)
    if not can_manage_tavolo(user, tavolo):
        raise PermissionDenied
    return tavolo


def can_view_incontro(user, incontro):
    """The public sees meetings of public bodies; papers and drafts need ``can_view_interno``."""
    return can_view_tavolo(user, incontro.tavolo)


def incontro_for_view(user, pk):
    incontro = (
        Incontro.objects.select_related("tavolo__ambito", "tavolo__regola_voto")
        .filter(pk=pk)
        .first()
    )
    if incontro is None or not can_view_incontro(user, incontro):
        raise Http404
    return incontro


def incontro_for_change(user, pk):
    incontro = incontro_for_view(user, pk)
    if not can_manage_tavolo(user, incontro.tavolo):
        raise PermissionDenied
    return incontro


def votazione_for_view(user, pk):
    votazione = (
        Votazione.objects.select_related("tavolo__ambito", "punto__incontro").filter(pk=pk).first()
    )
    if votazione is None or not can_view_interno(user, votazione.tavolo):
        raise Http404
    return votazione


def votazione_for_change(user, pk):
    votazione = votazione_for_view(user, pk)
    if not can_manage_tavolo(user, votazione.tavolo):
        raise PermissionDenied
    return votazione

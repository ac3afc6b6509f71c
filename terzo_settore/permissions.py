"""Who may see and change what in the third-sector app (see ambiti/permissions.py for roles)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from ambiti.permissions import can_manage_ambito
from terzo_settore.models import Domanda, Referente


def referenze(user):
    """{organizzazione_id: is gestore} of the organisations ``user`` acts for, once a request."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_pdz_referenze", None)
    if cached is None:
        cached = dict(
            Referente.objects.attivi().filter(user=user).values_list("organizzazione_id", "gestore")
        )
        user._pdz_referenze = cached
    return cached


def is_referente(user, organizzazione):
    return organizzazione.pk in referenze(user)


def is_gestore(user, organizzazione):
    return referenze(user).get(organizzazione.pk, False)


def can_manage_avvisi(user, ambito):
    """Publish notices and review applications: the staff of the ambito."""
    return can_manage_ambito(user, ambito)


def can_view_domanda(user, domanda):
    return (
        is_referente(user, domanda.organizzazione)
        or (domanda.stato != Domanda.Stato.BOZZA and can_manage_ambito(user, domanda.ambito))
        or (
            domanda.stato == Domanda.Stato.AMMESSA
            and domanda.avviso.commissione.filter(pk=user.pk).exists()
        )
    )


def can_edit_domanda(user, domanda):
    return is_referente(user, domanda.organizzazione) and domanda.stato in (
        Domanda.Stato.BOZZA,
        Domanda.Stato.INTEGRAZIONE,
    )


def domanda_for_view(user, pk):
    domanda = (
        Domanda.objects.select_related("avviso", "ambito", "organizzazione__ente")
        .filter(pk=pk)
        .first()
    )
    if domanda is None or not can_view_domanda(user, domanda):
        raise Http404
    return domanda


def domanda_for_edit(user, pk):
    domanda = domanda_for_view(user, pk)
    if not can_edit_domanda(user, domanda):
        raise PermissionDenied
    return domanda


def domanda_for_review(user, pk):
    domanda = domanda_for_view(user, pk)
    if not can_manage_avvisi(user, domanda.ambito):
        raise PermissionDenied
    return domanda

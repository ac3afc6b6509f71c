"""Who may see and change what in the ambiti app: the one place of these predicates.

A role always lives in an ambito (``Ruolo``); a superuser is the regional administrator and
sees every ambito. Views get objects through ``ambito_for_view`` / ``ambito_for_change``:
not visible → 404, visible but not changeable → 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from ambiti.models import Ambito, Ruolo


def ruoli(user):
    """{ambito_id: {tipo, …}} of the active roles of ``user``, read once per request."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_pdz_ruoli", None)
    if cached is None:
        cached = {}
        for ambito_id, tipo in (
            Ruolo.objects.attivi().filter(user=user).values_list("ambito_id", "tipo")
        ):
            cached.setdefault(ambito_id, set()).add(tipo)
        user._pdz_ruoli = cached
    return cached


def is_regional_admin(user):
    return user.is_authenticated and user.is_superuser


def can_view_ambito(user, ambito):
    """Non-public data of the ambito: anyone with a role in it."""
    return is_regional_admin(user) or ambito.pk in ruoli(user)


def can_manage_ambito(user, ambito):
    """Change the ambito, its comuni, parties and people: Ufficio di Piano and coordinatore."""
    return is_regional_admin(user) or bool(
        ruoli(user).get(ambito.pk, set()) & set(Ruolo.TIPI_GESTIONE)
    )


def is_staff_somewhere(user):
    return is_regional_admin(user) or any(
        tipi & set(Ruolo.TIPI_GESTIONE) for tipi in ruoli(user).values()
    )


def ambito_for_view(user, codice):
    ambito = Ambito.objects.filter(codice=codice).first()
    if ambito is None or not can_view_ambito(user, ambito):
        raise Http404
    return ambito


def ambito_for_change(user, codice):
    ambito = ambito_for_view(user, codice)
    if not can_manage_ambito(user, ambito):
        raise PermissionDenied
    return ambito

"""The ambiti app's part of the home page's "your things to do"."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambiti.filters import StatoInvito
from ambiti.models import Ambito, Invito, Ruolo
from ambiti.permissions import is_regional_admin, ruoli
from pdz.todo import Block, Item


def todo_staff(request):
    """Staff of the Ufficio di Piano and coordinatori: their ambiti and open invitations."""
    user = request.user
    gestiti = [
        ambito_id for ambito_id, tipi in ruoli(user).items() if tipi & set(Ruolo.TIPI_GESTIONE)
    ]
    if not gestiti:
        if is_regional_admin(user):
            return [
                Block(
                    _("Ambiti"),
                    [Item(_("All the ambiti"), reverse("ambiti:list"))],
                )
            ]
        return []
    aperti = dict(
        Invito.objects.aperti()
        .filter(ambito__in=gestiti)
        .values("ambito")
        .annotate(n=Count("pk"))
        .values_list("ambito", "n")
    )
    blocks = []
    for ambito in Ambito.objects.filter(pk__in=gestiti).order_by("nome"):
        items = [
            Item(
                _("Manage the ambito"),
                reverse("ambiti:dashboard", args=[ambito.codice]),
                _("Municipalities, parties, people and their roles."),
            )
        ]
        n = aperti.get(ambito.pk, 0)
        if n:
            items.append(
                Item(
                    ngettext(
                        "%(count)d invitation waiting for an answer",
                        "%(count)d invitations waiting for an answer",
                        n,
                    )
                    % {"count": n},
                    reverse("ambiti:inviti", args=[ambito.codice]) + f"?stato={StatoInvito.APERTO}",
                    _("The people invited have not accepted yet."),
                )
            )
        blocks.append(Block(str(ambito), items))
    return blocks

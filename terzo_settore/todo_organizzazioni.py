"""The organisations' part of the home page's "your things to do"."""

from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambiti.permissions import is_regional_admin, ruoli
from pdz.todo import Block, Item
from terzo_settore.models import Referente

MAX_ITEMS = 5


def todo_referente_organizzazioni(request):
    """Referenti: their organisations, first the requests to join waiting for a managing
    referente's decision. Anyone with no organisation and no role: register yours."""
    user = request.user
    if not user.is_authenticated:
        return []
    in_attesa = (
        Referente.objects.filter(
            organizzazione=OuterRef("organizzazione"), stato=Referente.Stato.RICHIESTA
        )
        .order_by()
        .values("organizzazione")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    referenze = list(
        Referente.objects.filter(
            Q(stato=Referente.Stato.ATTIVO) | Q(stato=Referente.Stato.RICHIESTA), user=user
        )
        .select_related("organizzazione__ente")
        .annotate(richieste=Coalesce(Subquery(in_attesa), Value(0)))
        .order_by("organizzazione__ente__denominazione", "pk")
    )
    if not referenze:
        if ruoli(user) or is_regional_admin(user):
            return []
        return [
            Block(
                _("Third sector"),
                [
                    Item(
                        _("Register your organisation"),
                        reverse("terzo_settore:registra_organizzazione"),
                        _(
                            "Associations, cooperatives and other third-sector bodies register "
                            "to answer the notices of the Piano di Zona."
                        ),
                    ),
                    Item(
                        _("Is it already registered? Ask to join it"),
                        reverse("terzo_settore:entra_organizzazione"),
                        _("Its managing referenti will let you act for it too."),
                    ),
                ],
            )
        ]
    items = []
    for referente in referenze:
        organizzazione = referente.organizzazione
        nome = organizzazione.ente.denominazione
        if referente.stato == Referente.Stato.RICHIESTA:
            items.append(
                Item(
                    _("Your request to join %(name)s is waiting") % {"name": nome},
                    reverse("terzo_settore:mie_organizzazioni"),
                    _("Its managing referenti have not decided yet."),
                )
            )
        elif referente.gestore and referente.richieste:
            items.insert(
                0,
                Item(
                    ngettext(
                        "%(count)d person asks to join %(name)s",
                        "%(count)d people ask to join %(name)s",
                        referente.richieste,
                    )
                    % {"count": referente.richieste, "name": nome},
                    reverse("terzo_settore:organizzazione", args=[organizzazione.pk])
                    + "#richieste-title",
                    _("Approve or refuse their requests."),
                ),
            )
        else:
            items.append(
                Item(
                    nome,
                    reverse("terzo_settore:organizzazione", args=[organizzazione.pk]),
                    _("Its details, referenti and applications."),
                )
            )
    return [
        Block(
            _("Your organisations"),
            items[:MAX_ITEMS],
            more_url=reverse("terzo_settore:mie_organizzazioni"),
        )
    ]

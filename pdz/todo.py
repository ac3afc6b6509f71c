"""The home page's blocks, filled by every app without pdz knowing them.

Each app registers, in its ``AppConfig.ready()``, a provider: a function of the request
that returns a list of ``Block``. ``public`` providers feed the home page of every visitor
(published plans, open notices); ``register`` ones the "your things to do" list of a
signed-in user.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _


@dataclass
class Item:
    title: str
    url: str
    detail: str = ""


@dataclass
class Block:
    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = ""
    more_url: str = ""


def dettaglio(*parti):
    """The detail line of an item: its non-empty parts joined by " · "."""
    return " · ".join(str(p) for p in parti if p)


_todo_providers = []
_public_providers = []


def register(provider):
    if provider not in _todo_providers:
        _todo_providers.append(provider)


def register_public(provider):
    if provider not in _public_providers:
        _public_providers.append(provider)


def todo_blocks(request):
    return [block for provider in _todo_providers for block in provider(request)]


def public_blocks(request):
    return [block for provider in _public_providers for block in provider(request)]


def account_tasks(request):
    """What every signed-in person must do for their own account."""
    from allauth.account.models import EmailAddress

    user = request.user
    items = []
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        items.append(
            Item(
                _("Confirm your e-mail address"),
                reverse("account_email"),
                _("We sent you a link: without confirmation you will not receive convocations."),
            )
        )
    if not user.full_name.strip():
        items.append(
            Item(
                _("Tell us your full name"),
                reverse("profile"),
                _("It appears on attendance registers and minutes."),
            )
        )
    return [Block(_("Your account"), items)] if items else []

"""The third-sector app's part of the home page (pdz.todo): open notices for everyone, what a
referente has to answer or finish, what the Ufficio di Piano has to review."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambiti.models import Ambito
from pdz.todo import Block, Item
from terzo_settore.models import Avviso, Domanda
from terzo_settore.permissions import referenze

QUANTI = 5  # items per block; "see all" leads to the rest


def _entro(avviso):
    return _("Applications until %(date)s.") % {
        "date": date_format(timezone.localtime(avviso.chiusura), "d/m/Y H:i")
    }


def public_avvisi(request):
    """Open notices, for every visitor."""
    aperti = list(
        Avviso.objects.aperti().select_related("ambito").order_by("chiusura", "pk")[:QUANTI]
    )
    if not aperti:
        return []
    items = [
        Item(
            avviso.titolo,
            reverse("terzo_settore:avviso", args=[avviso.pk]),
            f"{avviso.ambito.nome} · {_entro(avviso)}",
        )
        for avviso in aperti
    ]
    return [Block(_("Open notices"), items, more_url=reverse("terzo_settore:avvisi"))]


def todo_referente(request):
    """The referente's organisations: open notices they have not answered yet, drafts to
    finish and applications whose information the review asks for."""
    organizzazioni = list(referenze(request.user))
    if not organizzazioni:
        return []
    domande = list(
        Domanda.objects.filter(organizzazione__in=organizzazioni)
        .filter(
            Q(stato__in=[Domanda.Stato.BOZZA, Domanda.Stato.INTEGRAZIONE])
            | Q(avviso__in=Avviso.objects.aperti())
        )
        .select_related("avviso", "organizzazione__ente")
        .order_by("avviso__chiusura", "pk")
    )
    da_finire = [d for d in domande if d.stato in (Domanda.Stato.BOZZA, Domanda.Stato.INTEGRAZIONE)]
    items = []
    for domanda in da_finire[:QUANTI]:
        if domanda.stato == Domanda.Stato.INTEGRAZIONE:
            title = _("Complete the application to “%(title)s”") % {"title": domanda.avviso}
            detail = _("%(org)s: the Ufficio di Piano asks for more information.") % {
                "org": domanda.organizzazione
            }
        else:
            title = _("Finish the application to “%(title)s”") % {"title": domanda.avviso}
            detail = f"{domanda.organizzazione} · {_entro(domanda.avviso)}"
        items.append(
            Item(title, reverse("terzo_settore:domanda_modifica", args=[domanda.pk]), detail)
        )

    # Open notices of the ambiti the organisations work in, where none of them has a draft
    # or an application yet.
    risposti = {d.avviso_id for d in domande}
    aperti = (
        Avviso.objects.aperti()
        .filter(ambito__enti__organizzazione__in=organizzazioni)
        .exclude(pk__in=risposti)
        .distinct()
        .order_by("chiusura", "pk")
    )
    for avviso in aperti[: max(QUANTI - len(items), 1)]:
        items.append(
            Item(
                _("Answer the notice “%(title)s”") % {"title": avviso},
                reverse("terzo_settore:avviso", args=[avviso.pk]),
                _entro(avviso),
            )
        )
    return [
        Block(
            _("Notices and applications"),
            items,
            empty=_("No open notice is waiting for your organisation."),
            more_url=reverse("terzo_settore:domande"),
        )
    ]


def todo_staff(request):
    """The Ufficio di Piano: submitted applications waiting to be taken in charge or decided."""
    ambiti = Ambito.objects.managed_by(request.user)
    conteggi = dict(
        Domanda.objects.filter(
            ambito__in=ambiti, stato__in=[Domanda.Stato.INVIATA, Domanda.Stato.IN_ISTRUTTORIA]
        )
        .values("stato")
        .annotate(n=Count("pk"))
        .values_list("stato", "n")
    )
    if not conteggi:
        return []
    coda = reverse("terzo_settore:istruttoria")
    items = []
    n = conteggi.get(Domanda.Stato.INVIATA, 0)
    if n:
        items.append(
            Item(
                ngettext(
                    "%(count)d new application to take in charge",
                    "%(count)d new applications to take in charge",
                    n,
                )
                % {"count": n},
                f"{coda}?stato={Domanda.Stato.INVIATA}",
                _("Submitted to your notices and not yet opened."),
            )
        )
    n = conteggi.get(Domanda.Stato.IN_ISTRUTTORIA, 0)
    if n:
        items.append(
            Item(
                ngettext(
                    "%(count)d application under review",
                    "%(count)d applications under review",
                    n,
                )
                % {"count": n},
                f"{coda}?stato={Domanda.Stato.IN_ISTRUTTORIA}",
                _("Including the ones completed by the organisations after a request."),
            )
        )
    return [Block(_("Applications to review"), items, more_url=coda)]

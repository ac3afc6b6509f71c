"""Who may see and change a plan.

- The Ufficio di Piano of the plan's ambito (and the regional administrator) run it.
- Participants see its working pages (draft, versions, consultations, objectives, budget):
  anyone with a role in the ambito (mayors, representatives), the delegates and substitutes
  of the members of the ambito's tables, the referenti of organisations admitted by one of
  the ambito's notices.
- Everybody sees a published plan's public page.
Not visible → 404; visible but not changeable → 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from ambiti.models import Ruolo
from ambiti.permissions import can_manage_ambito, is_regional_admin, ruoli
from piani.models import Piano
from tavoli.models import Membro, Tavolo
from terzo_settore.models import Domanda, Organizzazione
from terzo_settore.permissions import referenze


def can_manage_piano(user, piano):
    return can_manage_ambito(user, piano.ambito)


def membri_nell_ambito(user, ambito):
    """The active table memberships ``user`` represents in the ambito's tables."""
    if not user.is_authenticated or not user.email:
        return Membro.objects.none()
    return (
        Membro.objects.attivi()
        .di_persona(user.email)
        .filter(Q(tavolo__ambito=ambito) | Q(tavolo__ambiti_coinvolti=ambito))
        .distinct()
    )


def organizzazioni_ammesse(user, ambito):
    """The organisations ``user`` acts for that one of the ambito's notices admitted."""
    mie = set(referenze(user))
    if not mie:
        return Organizzazione.objects.none()
    return Organizzazione.objects.filter(
        pk__in=Domanda.objects.filter(
            ambito=ambito, organizzazione__in=mie, stato=Domanda.Stato.AMMESSA
        ).values("organizzazione_id")
    ).select_related("ente")


def is_partecipante(user, ambito):
    """Takes part in the ambito's planning: a role, a seat at a table, an admitted organisation."""
    cache = getattr(user, "_pdz_partecipa", None)
    if cache is None:
        cache = user._pdz_partecipa = {}
    if ambito.pk not in cache:
        cache[ambito.pk] = user.is_authenticated and (
            is_regional_admin(user)
            or ambito.pk in ruoli(user)
            or membri_nell_ambito(user, ambito).exists()
            or organizzazioni_ammesse(user, ambito).exists()
        )
    return cache[ambito.pk]


def can_view_interno(user, piano):
    return is_partecipante(user, piano.ambito)


def can_view_piano(user, piano):
    return piano.pubblicato or can_view_interno(user, piano)


def piani_visibili(user):
    """Every plan ``user`` may see, for list pages."""
    if is_regional_admin(user):
        return Piano.objects.all()
    condizione = Q(pubblicato_at__isnull=False)
    if user.is_authenticated:
        ambiti = set(ruoli(user))
        if user.email:
            tavoli = Tavolo.objects.filter(
                pk__in=Membro.objects.attivi().di_persona(user.email).values("tavolo_id")
            )
            ambiti.update(tavoli.values_list("ambito_id", flat=True))
            ambiti.update(
                tavoli.filter(ambiti_coinvolti__isnull=False).values_list(
                    "ambiti_coinvolti", flat=True
                )
            )
        if referenze(user):
            ambiti.update(
                Domanda.objects.filter(
                    organizzazione__in=set(referenze(user)), stato=Domanda.Stato.AMMESSA
                ).values_list("ambito_id", flat=True)
            )
        condizione |= Q(ambito__in=ambiti)
    return Piano.objects.filter(condizione)


def piano_for_view(user, pk):
    """The plan, if ``user`` may see at least its public page."""
    piano = Piano.objects.select_related("ambito").filter(pk=pk).first()
    if piano is None or not can_view_piano(user, piano):
        raise Http404
    return piano


def piano_for_interno(user, pk):
    """The plan's working pages: participants only."""
    piano = Piano.objects.select_related("ambito").filter(pk=pk).first()
    if piano is None or not can_view_interno(user, piano):
        raise Http404
    return piano


def piano_for_change(user, pk):
    piano = piano_for_interno(user, pk)
    if not can_manage_piano(user, piano):
        raise PermissionDenied
    return piano


def enti_rappresentati(user, ambito):
    """The parties ``user`` signs for in the ambito: the comune of their mayor's (or
    delegate's) role, the organisations they are a referente of. A set of Ente ids."""
    if not user.is_authenticated:
        return set()
    comuni = Ruolo.objects.attivi().filter(
        user=user,
        ambito=ambito,
        tipo__in=[Ruolo.Tipo.SINDACO, Ruolo.Tipo.DELEGATO_SINDACO],
        ente__isnull=False,
    )
    organizzazioni = Organizzazione.objects.filter(pk__in=set(referenze(user)))
    return {
        *comuni.values_list("ente_id", flat=True),
        *organizzazioni.values_list("ente_id", flat=True),
    }


def can_caricare_copia(user, firmatario, piano):
    """Upload a signatory's signed copy: the staff, or whoever signs for that party."""
    return can_manage_piano(user, piano) or firmatario.ente_id in enti_rappresentati(
        user, piano.ambito
    )

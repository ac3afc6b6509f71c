"""The tables app's part of the home page (pdz.todo): upcoming meetings of public bodies for
everyone; convocations to answer and open votes for members; minutes to write and to approve
for the Ufficio di Piano."""

from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pdz.formati import data_ora
from pdz.todo import Block, Item, dettaglio
from tavoli.models import Convocazione, Incontro, Membro, Tavolo, Votazione, Voto
from tavoli.permissions import ambiti_gestiti
from tavoli.services import rsvp_token

QUANTI = 5  # items per block; "see all" leads to the rest


def _dove(incontro):
    return incontro.luogo or (_("online") if incontro.link_online else "")


def public_incontri(request):
    """The next meetings of the public bodies, for every visitor."""
    prossimi = list(
        Incontro.objects.filter(
            tavolo__pubblico=True, stato=Incontro.Stato.CONVOCATO, inizio__gte=timezone.now()
        )
        .select_related("tavolo__ambito")
        .order_by("inizio", "pk")[:QUANTI]
    )
    if not prossimi:
        return []
    items = [
        Item(
            f"{incontro.tavolo.nome}: {incontro.titolo}",
            reverse("tavoli:incontro", args=[incontro.pk]),
            dettaglio(data_ora(incontro.inizio), _dove(incontro), incontro.tavolo.ambito.nome),
        )
        for incontro in prossimi
    ]
    return [Block(_("Upcoming meetings of the tables"), items, more_url=reverse("tavoli:list"))]


def todo_membro(request):
    """A member: convened meetings still waiting for their answer, open online votes where
    they represent a voting member that has not voted yet."""
    email = request.user.email
    if not email:
        return []
    adesso = timezone.now()
    convocazioni = list(
        Convocazione.objects.filter(
            email__iexact=email,
            risposta="",
            incontro__stato=Incontro.Stato.CONVOCATO,
            incontro__inizio__gt=adesso,
            membro__rimosso_at__isnull=True,
        )
        .exclude(destinatario=Convocazione.Destinatario.ENTE_PEC)
        .select_related("incontro__tavolo", "membro__ente")
        .order_by("incontro__inizio", "pk")[:QUANTI]
    )
    da_votare = (
        Membro.objects.attivi()
        .di_persona(email)
        .filter(diritto_voto=True, tavolo=OuterRef("tavolo_id"))
        .filter(
            ~Exists(Voto.objects.filter(membro=OuterRef("pk"), votazione=OuterRef(OuterRef("pk"))))
        )
    )
    votazioni = list(
        Votazione.objects.filter(
            Q(chiude_at__isnull=True) | Q(chiude_at__gt=adesso),
            stato=Votazione.Stato.APERTA,
            modalita=Votazione.Modalita.ONLINE,
        )
        .filter(Exists(da_votare))
        .select_related("tavolo")
        .order_by(F("chiude_at").asc(nulls_last=True), "pk")[:QUANTI]
    )
    items = [
        Item(
            _("Vote: %(motion)s") % {"motion": votazione.oggetto},
            reverse("tavoli:votazione", args=[votazione.pk]),
            dettaglio(
                votazione.tavolo.nome,
                _("open until %(date)s") % {"date": data_ora(votazione.chiude_at)}
                if votazione.chiude_at
                else "",
            ),
        )
        for votazione in votazioni
    ]
    items += [
        Item(
            _("Will you attend? %(body)s, %(date)s")
            % {"body": c.incontro.tavolo.nome, "date": data_ora(c.incontro.inizio)},
            reverse("tavoli:rsvp", args=[rsvp_token(c)]),
            dettaglio(c.incontro.titolo, _dove(c.incontro), c.membro.ente.denominazione),
        )
        for c in convocazioni
    ]
    if not items:
        return []
    return [Block(_("Meetings and votes"), items, more_url=reverse("tavoli:miei_incontri"))]


def todo_staff(request):
    """The Ufficio di Piano: meetings over without an attendance register, meetings held whose
    minutes are still to be written, and drafted minutes still to be approved, of the bodies
    of its ambiti."""
    ambiti = ambiti_gestiti(request.user)
    if not ambiti:
        return []
    incontri = Incontro.objects.filter(
        tavolo__in=Tavolo.objects.of_ambiti(ambiti).values("pk")
    ).select_related("tavolo")
    senza_presenze = list(
        incontri.filter(
            stato__in=[Incontro.Stato.PIANIFICATO, Incontro.Stato.CONVOCATO],
            fine__lt=timezone.now(),
        ).order_by("inizio", "pk")[:QUANTI]
    )
    da_scrivere = list(
        incontri.filter(stato=Incontro.Stato.SVOLTO).order_by("inizio", "pk")[:QUANTI]
    )
    da_approvare = list(
        incontri.filter(stato=Incontro.Stato.VERBALE_REDATTO).order_by("inizio", "pk")[:QUANTI]
    )
    items = [
        Item(
            _("Record the attendance: %(body)s, %(date)s")
            % {"body": i.tavolo.nome, "date": data_ora(i.inizio)},
            reverse("tavoli:presenze", args=[i.pk]),
            i.titolo,
        )
        for i in senza_presenze
    ]
    items += [
        Item(
            _("Write the minutes: %(body)s, %(date)s")
            % {"body": i.tavolo.nome, "date": data_ora(i.inizio)},
            reverse("tavoli:verbale_modifica", args=[i.pk]),
            i.titolo,
        )
        for i in da_scrivere
    ]
    items += [
        Item(
            _("Minutes to approve: %(body)s, %(date)s")
            % {"body": i.tavolo.nome, "date": data_ora(i.inizio)},
            reverse("tavoli:verbale", args=[i.pk]),
            dettaglio(
                i.titolo,
                _("draft sent to the members on %(date)s")
                % {"date": data_ora(i.verbale_inviato_at)}
                if i.verbale_inviato_at
                else _("draft not sent to the members yet"),
            ),
        )
        for i in da_approvare
    ]
    if not items:
        return []
    return [Block(_("Minutes"), items, more_url=reverse("tavoli:incontri"))]

"""The plans' part of the home page (pdz.todo): published plans for everyone; for those who
take part, the open consultations where they may comment, the plans and annual plans
awaiting their vote in the Assemblea, the accordo their comune must sign; for the Ufficio di
Piano, outcomes of votes to record, comments to answer, signed copies still missing.

Each provider runs a fixed number of queries, whatever the number of rows.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambiti.models import Ruolo
from pdz.formati import data_ora, giorno
from pdz.todo import Block, Item, dettaglio
from piani.models import Accordo, Consultazione, Firmatario, Piano, PianoAttuativo
from tavoli.models import Membro, Votazione
from tavoli.permissions import ambiti_gestiti
from terzo_settore.models import Domanda
from terzo_settore.permissions import referenze

QUANTI = 5  # items of each kind; "see all" leads to the rest


# --- everyone ---------------------------------------------------------------------------------


def public_piani(request):
    """The published plans."""
    piani = list(
        Piano.objects.pubblicati()
        .select_related("ambito")
        .order_by("-pubblicato_at", "-pk")[:QUANTI]
    )
    if not piani:
        return []
    items = [
        Item(
            piano.titolo,
            reverse("piani:piano", args=[piano.pk]),
            dettaglio(
                piano.ambito.nome,
                _("approved on %(date)s") % {"date": date_format(piano.approvato_il, "d/m/Y")}
                if piano.approvato_il
                else "",
            ),
        )
        for piano in piani
    ]
    return [Block(_("Published plans"), items, more_url=reverse("piani:elenco"))]


# --- participants -----------------------------------------------------------------------------


def _consultazioni_aperte(user):
    """Open consultations of the ambiti where ``user`` sits at a table or acts for an
    organisation admitted by a notice: where they may comment."""
    condizione = Q()
    if user.email:
        membri = Membro.objects.attivi().di_persona(user.email)
        condizione |= Q(piano__ambito__in=membri.values("tavolo__ambito_id"))
        condizione |= Q(piano__ambito__in=membri.values("tavolo__ambiti_coinvolti"))
    organizzazioni = list(referenze(user))
    if organizzazioni:
        condizione |= Q(
            piano__ambito__in=Domanda.objects.filter(
                organizzazione__in=organizzazioni, stato=Domanda.Stato.AMMESSA
            ).values("ambito_id")
        )
    if not condizione:
        return []
    return list(
        Consultazione.objects.aperte()
        .filter(condizione)
        .select_related("piano__ambito")
        .annotate(mie=Count("osservazioni", filter=Q(osservazioni__autore=user)))
        .order_by("chiude_at", "pk")[:QUANTI]
    )


def _in_attesa_del_mio_voto(modello, email):
    """Plans (or annual plans) put to a show of hands at a meeting of a body where a member
    ``email`` represents votes. Online votes are on the list already, from the tables'
    own to-dos ("Vote: Approval of the Piano di Zona …")."""
    membri = (
        Membro.objects.attivi()
        .di_persona(email)
        .filter(diritto_voto=True, tavolo=OuterRef("votazione__tavolo_id"))
    )
    queryset = modello.objects.filter(
        Exists(membri),
        stato=modello.Stato.VOTAZIONE,
        votazione__stato=Votazione.Stato.APERTA,
        votazione__modalita=Votazione.Modalita.PALESE,
    ).select_related("votazione__tavolo")
    if modello is PianoAttuativo:
        queryset = queryset.select_related("piano")
    return list(queryset.order_by("votazione__chiude_at", "pk")[:QUANTI])


def _come_si_vota(votazione):
    if votazione.modalita == Votazione.Modalita.PALESE:
        return _("by show of hands at the meeting")
    if votazione.chiude_at:
        return _("online until %(date)s") % {"date": data_ora(votazione.chiude_at)}
    return _("online")


def _da_firmare(user):
    """Signatories (the comuni of the mayor or delegate ``user``) of accordi in signature
    whose signed copy is missing."""
    enti = (
        Ruolo.objects.attivi()
        .filter(
            user=user,
            tipo__in=[Ruolo.Tipo.SINDACO, Ruolo.Tipo.DELEGATO_SINDACO],
            ente__isnull=False,
        )
        .values("ente_id")
    )
    return list(
        Firmatario.objects.filter(
            ente__in=enti, accordo__stato=Accordo.Stato.IN_FIRMA, copia_firmata=""
        )
        .select_related("accordo__piano", "ente")
        .order_by("accordo__piano__anno_inizio", "pk")[:QUANTI]
    )


def todo_partecipante(request):
    """Comment on the open consultations, vote on the plans, sign the accordo."""
    user = request.user
    items = [
        Item(
            _("Comment on the draft %(piano)s by %(date)s")
            % {"piano": c.piano.titolo, "date": giorno(c.chiude_at)},
            reverse("piani:consultazione", args=[c.pk]),
            dettaglio(
                c.piano.ambito.nome,
                _("until %(date)s") % {"date": data_ora(c.chiude_at)},
                ngettext("you sent %(n)s comment", "you sent %(n)s comments", c.mie) % {"n": c.mie}
                if c.mie
                else "",
            ),
        )
        for c in _consultazioni_aperte(user)
    ]
    if user.email:
        items += [
            Item(
                _("Vote on the approval of the %(piano)s") % {"piano": piano.titolo},
                reverse("tavoli:votazione", args=[piano.votazione_id]),
                dettaglio(piano.votazione.tavolo.nome, _come_si_vota(piano.votazione)),
            )
            for piano in _in_attesa_del_mio_voto(Piano, user.email)
        ]
        items += [
            Item(
                _("Vote on the annual plan %(anno)s of the %(piano)s")
                % {"anno": attuativo.anno, "piano": attuativo.piano.titolo},
                reverse("tavoli:votazione", args=[attuativo.votazione_id]),
                dettaglio(attuativo.votazione.tavolo.nome, _come_si_vota(attuativo.votazione)),
            )
            for attuativo in _in_attesa_del_mio_voto(PianoAttuativo, user.email)
        ]
    items += [
        Item(
            _("Sign the accordo di programma of the %(piano)s") % {"piano": f.accordo.piano.titolo},
            reverse("piani:accordo", args=[f.accordo.piano_id]),
            _("on behalf of %(ente)s: upload the signed copy") % {"ente": f.ente.denominazione},
        )
        for f in _da_firmare(user)
    ]
    if not items:
        return []
    return [Block(_("Piano di Zona"), items, more_url=reverse("piani:elenco"))]


# --- the Ufficio di Piano ---------------------------------------------------------------------


def todo_staff(request):
    """Outcomes of closed votes to record, closed consultations with comments still to
    answer, accordi in signature with institutional signed copies missing."""
    ambiti = ambiti_gestiti(request.user)
    if not ambiti:
        return []
    chiuse = [Votazione.Stato.CHIUSA, Votazione.Stato.ANNULLATA]
    piani = list(
        Piano.objects.filter(
            ambito__in=ambiti, stato=Piano.Stato.VOTAZIONE, votazione__stato__in=chiuse
        )
        .select_related("votazione")
        .order_by("pk")[:QUANTI]
    )
    attuativi = list(
        PianoAttuativo.objects.filter(
            piano__ambito__in=ambiti,
            stato=PianoAttuativo.Stato.VOTAZIONE,
            votazione__stato__in=chiuse,
        )
        .select_related("piano", "votazione")
        .order_by("pk")[:QUANTI]
    )
    consultazioni = list(
        Consultazione.objects.filter(piano__ambito__in=ambiti, chiude_at__lte=timezone.now())
        .annotate(
            da_rispondere=Count("osservazioni", filter=Q(osservazioni__risposta_at__isnull=True))
        )
        .filter(da_rispondere__gt=0)
        .select_related("piano", "versione")
        .order_by("chiude_at", "pk")[:QUANTI]
    )
    accordi = list(
        Accordo.objects.filter(piano__ambito__in=ambiti, stato=Accordo.Stato.IN_FIRMA)
        .annotate(
            mancanti=Count(
                "firmatari",
                filter=Q(
                    firmatari__tipo=Firmatario.Tipo.ISTITUZIONALE, firmatari__copia_firmata=""
                ),
            )
        )
        .filter(mancanti__gt=0)
        .select_related("piano")
        .order_by("pk")[:QUANTI]
    )
    items = [
        Item(
            _("Record the outcome of the vote on the %(piano)s") % {"piano": piano.titolo},
            reverse("piani:approvazione", args=[piano.pk]),
            _("the vote closed on %(date)s") % {"date": data_ora(piano.votazione.chiusa_at)}
            if piano.votazione.chiusa_at
            else "",
        )
        for piano in piani
    ]
    items += [
        Item(
            _("Record the outcome of the vote on the annual plan %(anno)s")
            % {"anno": attuativo.anno},
            reverse("piani:attuativo", args=[attuativo.piano_id, attuativo.anno]),
            attuativo.piano.titolo,
        )
        for attuativo in attuativi
    ]
    items += [
        Item(
            ngettext(
                "Answer %(n)s comment of the consultation on %(piano)s",
                "Answer %(n)s comments of the consultation on %(piano)s",
                c.da_rispondere,
            )
            % {"n": c.da_rispondere, "piano": c.piano.titolo},
            reverse("piani:consultazione", args=[c.pk]),
            _("version %(numero)s, closed on %(date)s")
            % {"numero": c.versione.numero, "date": data_ora(c.chiude_at)},
        )
        for c in consultazioni
    ]
    items += [
        Item(
            _("Signed copies missing: accordo di programma of the %(piano)s")
            % {"piano": a.piano.titolo},
            reverse("piani:accordo", args=[a.piano_id]),
            ngettext(
                "%(n)s institutional party has not signed yet",
                "%(n)s institutional parties have not signed yet",
                a.mancanti,
            )
            % {"n": a.mancanti},
        )
        for a in accordi
    ]
    if not items:
        return []
    return [Block(_("Piano di Zona: Ufficio di Piano"), items, more_url=reverse("piani:elenco"))]

"""State changes of the ambiti app: each checks, changes inside a transaction and logs."""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.models import AppartenenzaComune, Invito, Ruolo
from pdz import emails
from pdz.audit import log_action
from pdz.exceptions import OperazioneNonValida
from pdz.models import User

INVITO_VALIDO_GIORNI = 14


def assegna_comune(ambito, comune, *, dal=None, al=None, sub_ambito=None, by):
    """Make ``comune`` part of ``ambito`` from ``dal``; refused if it belongs elsewhere then."""
    with transaction.atomic():
        overlapping = AppartenenzaComune.objects.select_for_update().filter(comune=comune)
        if dal:
            overlapping = overlapping.filter(Q(al__isnull=True) | Q(al__gte=dal))
        if al:
            overlapping = overlapping.filter(Q(dal__isnull=True) | Q(dal__lte=al))
        other = overlapping.select_related("ambito").first()
        if other is not None:
            raise OperazioneNonValida(
                _("%(comune)s already belongs to the ambito %(ambito)s in that period.")
                % {"comune": comune, "ambito": other.ambito}
            )
        appartenenza = AppartenenzaComune.objects.create(
            ambito=ambito, comune=comune, sub_ambito=sub_ambito, dal=dal, al=al
        )
        log_action(
            ambito, "ambito.comune_aggiunto", user=by, data={"comune": str(comune), "dal": dal}
        )
    return appartenenza


def termina_appartenenza(appartenenza, *, al, by):
    """The comune leaves the ambito after ``al`` (the row stays, as history)."""
    with transaction.atomic():
        if appartenenza.dal and al < appartenenza.dal:
            raise OperazioneNonValida(_("The end date comes before the start date."))
        appartenenza.al = al
        appartenenza.save(update_fields=["al"])
        log_action(
            appartenenza.ambito,
            "ambito.comune_uscito",
            user=by,
            data={"comune": str(appartenenza.comune), "al": al},
        )


def assegna_ruolo(user, ambito, tipo, *, ente=None, by, valido_dal=None, valido_al=None):
    with transaction.atomic():
        ruolo = Ruolo.objects.create(
            user=user,
            ambito=ambito,
            tipo=tipo,
            ente=ente,
            valido_dal=valido_dal or timezone.localdate(),
            valido_al=valido_al,
        )
        log_action(ruolo, "ruolo.assegnato", user=by, data={"tipo": tipo})
    return ruolo


def revoca_ruolo(ruolo, *, by):
    with transaction.atomic():
        ruolo = Ruolo.objects.select_for_update().get(pk=ruolo.pk)
        if ruolo.revocato_at is not None:
            raise OperazioneNonValida(_("This role has already been revoked."))
        ruolo.revocato_at = timezone.now()
        ruolo.save(update_fields=["revocato_at"])
        log_action(ruolo, "ruolo.revocato", user=by)
    return ruolo


def invita(ambito, *, email, full_name, tipo, ente=None, by):
    """Create an invitation and e-mail its link; the role is given when it is accepted."""
    with transaction.atomic():
        invito = Invito.objects.create(
            ambito=ambito,
            email=email.lower(),
            full_name=full_name,
            tipo=tipo,
            ente=ente,
            token=secrets.token_urlsafe(32),
            invitato_da=by,
            scade_at=timezone.now() + timedelta(days=INVITO_VALIDO_GIORNI),
        )
        log_action(invito, "invito.inviato", user=by, data={"email": invito.email, "tipo": tipo})
        emails.send(
            "invito",
            invito.email,
            {
                "invito": invito,
                "link": emails.absolute_url(reverse("ambiti:invito", args=[invito.token])),
                "giorni": INVITO_VALIDO_GIORNI,
            },
        )
    return invito


def accetta_invito(invito, *, user=None, password=None, full_name=None):
    """Give the invited role to ``user``, or to a new account made with ``password``.

    A new account takes ``full_name`` when given (the person may correct the name the
    office typed), the invitation's otherwise.

    The e-mail address is taken as confirmed: the person opened the link sent to it.
    """
    with transaction.atomic():
        invito = Invito.objects.select_for_update().get(pk=invito.pk)
        if invito.accettato_at is not None:
            raise OperazioneNonValida(_("This invitation has already been used."))
        if invito.revocato_at is not None:
            raise OperazioneNonValida(_("This invitation has been withdrawn."))
        if invito.scaduto:
            raise OperazioneNonValida(_("This invitation has expired."))
        if user is not None and user.email.lower() != invito.email:
            raise OperazioneNonValida(
                _("This invitation is for %(email)s: sign out and open the link again.")
                % {"email": invito.email}
            )
        if user is None and User.objects.filter(email__iexact=invito.email).exists():
            raise OperazioneNonValida(
                _("An account with this address already exists: sign in to accept.")
            )
        if user is None:
            user = User.objects.create_user(
                invito.email,
                password=password,
                full_name=(full_name or invito.full_name).strip(),
            )
        EmailAddress.objects.update_or_create(
            user=user, email=invito.email, defaults={"verified": True}
        )
        if not EmailAddress.objects.filter(user=user, primary=True).exists():
            EmailAddress.objects.filter(user=user, email=invito.email).update(primary=True)
        ruolo = assegna_ruolo(user, invito.ambito, invito.tipo, ente=invito.ente, by=user)
        invito.accettato_at = timezone.now()
        invito.accettato_da = user
        invito.save(update_fields=["accettato_at", "accettato_da"])
        log_action(invito, "invito.accettato", user=user)
    return ruolo


def ritira_invito(invito, *, by):
    """Withdraw an open invitation: its link stops working."""
    with transaction.atomic():
        invito = Invito.objects.select_for_update().get(pk=invito.pk)
        if invito.accettato_at is not None:
            raise OperazioneNonValida(_("This invitation has already been accepted."))
        if invito.revocato_at is not None:
            raise OperazioneNonValida(_("This invitation has already been withdrawn."))
        invito.revocato_at = timezone.now()
        invito.save(update_fields=["revocato_at"])
        log_action(invito, "invito.ritirato", user=by, data={"email": invito.email})
    return invito


def crea_ente(ambito, ente, *, by):
    """Save the new party ``ente`` (not yet saved) and link it to ``ambito``."""
    with transaction.atomic():
        ente.save()
        ente.ambiti.add(ambito)
        log_action(
            ente,
            "ente.creato",
            user=by,
            data={"ambito": ambito.codice, "codice_fiscale": ente.codice_fiscale},
        )
    return ente


def modifica_ente(ente, *, campi, by):
    """Save the changes of the ``campi`` (field names) of a party of the ambito."""
    with transaction.atomic():
        ente.save()
        log_action(ente, "ente.modificato", user=by, data={"campi": sorted(campi)})
    return ente


def modifica_ambito(ambito, *, campi, by):
    """Save the changes of the ``campi`` of the ambito; the lead body must be one of its parties."""
    with transaction.atomic():
        if (
            ambito.ente_capofila_id is not None
            and not ambito.enti.filter(pk=ambito.ente_capofila_id).exists()
        ):
            raise OperazioneNonValida(_("The lead body must be one of the parties of the ambito."))
        ambito.save()
        log_action(ambito, "ambito.modificato", user=by, data={"campi": sorted(campi)})
    return ambito


def modifica_ruolo(form, *, by):
    """Save the validity dates (and the delega document) of a role from a valid RuoloForm."""
    with transaction.atomic():
        ruolo = form.save()
        log_action(
            ruolo,
            "ruolo.modificato",
            user=by,
            data={field: str(form.cleaned_data[field]) for field in form.changed_data},
        )
    return ruolo

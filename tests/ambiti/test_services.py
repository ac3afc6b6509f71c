import datetime

import pytest
from django.core import mail
from django.utils import timezone

from ambiti import services
from ambiti.models import AppartenenzaComune, Invito, Ruolo
from pdz.models import AuditLog
from tests.ambiti.factories import ComuneFactory


def test_a_comune_belongs_to_one_ambito_at_a_time(ambito, altro_ambito, staff):
    casalmaggiore = ambito.comuni.get(nome="Casalmaggiore")

    with pytest.raises(services.OperazioneNonValida, match="Ambito Oglio Po"):
        services.assegna_comune(
            altro_ambito, casalmaggiore, dal=datetime.date(2026, 1, 1), by=staff
        )

    membership = AppartenenzaComune.objects.get(comune=casalmaggiore)
    services.termina_appartenenza(membership, al=datetime.date(2025, 12, 31), by=staff)
    services.assegna_comune(altro_ambito, casalmaggiore, dal=datetime.date(2026, 1, 1), by=staff)

    # History is kept: both memberships exist, each in its own period.
    assert AppartenenzaComune.objects.filter(comune=casalmaggiore).count() == 2
    assert list(
        AppartenenzaComune.objects.in_vigore(datetime.date(2025, 6, 1))
        .filter(comune=casalmaggiore)
        .values_list("ambito__codice", flat=True)
    ) == ["oglio-po"]
    assert list(
        AppartenenzaComune.objects.in_vigore(datetime.date(2026, 6, 1))
        .filter(comune=casalmaggiore)
        .values_list("ambito__codice", flat=True)
    ) == ["destra-secchia"]
    assert AuditLog.objects.filter(action="ambito.comune_aggiunto", user=staff).count() == 1


def test_end_date_before_start_is_refused(ambito, staff):
    membership = AppartenenzaComune.objects.create(
        ambito=ambito, comune=ComuneFactory(), dal=datetime.date(2024, 1, 1)
    )
    with pytest.raises(services.OperazioneNonValida):
        services.termina_appartenenza(membership, al=datetime.date(2023, 12, 31), by=staff)
    membership.refresh_from_db()
    assert membership.al is None


def test_revoked_role_is_kept_and_cannot_be_revoked_twice(ambito, sindaco, staff):
    ruolo = sindaco.ruoli.get()
    services.revoca_ruolo(ruolo, by=staff)
    assert Ruolo.objects.filter(pk=ruolo.pk, revocato_at__isnull=False).exists()
    with pytest.raises(services.OperazioneNonValida):
        services.revoca_ruolo(ruolo, by=staff)


def test_invitation_creates_the_account_with_the_role(
    ambito, staff, django_capture_on_commit_callbacks
):
    ente = ambito.enti.get(comune__nome="Viadana")
    with django_capture_on_commit_callbacks(execute=True):
        invito = services.invita(
            ambito,
            email="Sindaco.Viadana@Example.org",
            full_name="Nicola Cavatorta",
            tipo=Ruolo.Tipo.SINDACO,
            ente=ente,
            by=staff,
        )
    [message] = mail.outbox
    assert message.to == ["sindaco.viadana@example.org"]
    assert f"/ambiti/inviti/{invito.token}/" in message.body

    ruolo = services.accetta_invito(invito, password="Un.Sindaco.2026")

    assert ruolo.user.email == "sindaco.viadana@example.org"
    assert ruolo.user.full_name == "Nicola Cavatorta"
    assert ruolo.user.check_password("Un.Sindaco.2026")
    assert (ruolo.ambito, ruolo.tipo, ruolo.ente) == (ambito, Ruolo.Tipo.SINDACO, ente)
    assert ruolo.user.emailaddress_set.get().verified
    with pytest.raises(services.OperazioneNonValida):
        services.accetta_invito(invito, password="Altro.2026")


def test_expired_invitation_gives_no_role(ambito, staff):
    invito = services.invita(
        ambito, email="tardi@example.org", full_name="Tardi", tipo=Ruolo.Tipo.SINDACO, by=staff
    )
    Invito.objects.filter(pk=invito.pk).update(scade_at=timezone.now())
    with pytest.raises(services.OperazioneNonValida):
        services.accetta_invito(invito, password="Piano.Di.Zona.2026")
    assert not Ruolo.objects.filter(user__email="tardi@example.org").exists()


def test_invitation_for_someone_else_is_refused(ambito, staff, alice):
    invito = services.invita(
        ambito, email="altro@example.org", full_name="Altro", tipo=Ruolo.Tipo.SINDACO, by=staff
    )
    with pytest.raises(services.OperazioneNonValida, match="altro@example.org"):
        services.accetta_invito(invito, user=alice)
    assert not alice.ruoli.exists()

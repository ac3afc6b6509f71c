import pytest

from ambiti.models import Ambito, Ruolo
from ambiti.permissions import can_manage_ambito, can_view_ambito
from tests.ambiti.factories import RuoloFactory

PERSONAS = ["alice", "sindaco", "staff", "coordinatore", "staff_altro", "admin_regionale"]

# persona -> (may see the non-public data of the ambito, may change it)
EXPECTED = {
    "alice": (False, False),
    "sindaco": (True, False),
    "staff": (True, True),
    "coordinatore": (True, True),
    "staff_altro": (False, False),
    "admin_regionale": (True, True),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_role_matrix_on_the_ambito(persona, request, ambito):
    user = request.getfixturevalue(persona)
    may_view, may_manage = EXPECTED[persona]
    assert can_view_ambito(user, ambito) is may_view
    assert can_manage_ambito(user, ambito) is may_manage
    assert Ambito.objects.visible_to(user).filter(pk=ambito.pk).exists() is may_view
    assert Ambito.objects.managed_by(user).filter(pk=ambito.pk).exists() is may_manage


def test_anonymous_sees_no_ambito(ambito):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not can_view_ambito(anonymous, ambito)
    assert not Ambito.objects.visible_to(anonymous).exists()


def test_staff_of_one_ambito_sees_only_that_one(staff, ambito, altro_ambito):
    assert list(Ambito.objects.visible_to(staff)) == [ambito]


def test_revoked_or_expired_role_gives_no_access(ambito, alice):
    import datetime

    from django.utils import timezone

    RuoloFactory(user=alice, ambito=ambito, revocato_at=timezone.now())
    RuoloFactory(
        user=alice, ambito=ambito, valido_al=timezone.localdate() - datetime.timedelta(days=1)
    )
    RuoloFactory(
        user=alice, ambito=ambito, valido_dal=timezone.localdate() + datetime.timedelta(days=1)
    )
    assert not can_view_ambito(alice, ambito)
    assert not Ambito.objects.visible_to(alice).exists()


def test_mayors_delegate_sees_but_does_not_manage(ambito, alice):
    RuoloFactory(user=alice, ambito=ambito, tipo=Ruolo.Tipo.DELEGATO_SINDACO)
    assert can_view_ambito(alice, ambito)
    assert not can_manage_ambito(alice, ambito)

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from pdz.demo import PASSWORD
from pdz.models import User


def snapshot():
    return sorted(
        (u.email, u.full_name, u.is_superuser, u.check_password(PASSWORD))
        for u in User.objects.all()
    ), EmailAddress.objects.filter(verified=True).count()


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_every_demo_user_can_sign_in(client):
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    User.objects.filter(email="sindaco@example.org").update(full_name="Cambiato")
    call_command("seed_demo", stdout=io.StringIO())

    assert snapshot() == first
    users, verified = first
    assert verified == len(users) >= 5
    for email, *_ in users:
        assert client.login(email=email, password=PASSWORD), email

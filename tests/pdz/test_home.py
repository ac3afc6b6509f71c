import pytest
from allauth.account.models import EmailAddress

from tests.pdz.factories import UserFactory


@pytest.mark.django_db
def test_anonymous_visitor_is_invited_to_sign_in_or_register(client):
    page = client.get("/").content.decode()
    assert 'href="/account/login/' in page
    assert 'href="/account/signup/' in page
    assert 'data-element="accessibility-link"' in page
    assert 'data-element="privacy-policy-link"' in page


@pytest.mark.django_db
def test_signed_in_user_with_unconfirmed_address_is_asked_to_confirm_it(client):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "Conferma il tuo indirizzo e-mail" in page


@pytest.mark.django_db
def test_confirmed_user_has_nothing_to_do_for_the_account(client, alice):
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "Conferma il tuo indirizzo e-mail" not in page
    assert "Alice Bianchi" in page

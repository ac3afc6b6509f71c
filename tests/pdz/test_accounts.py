import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from pdz.models import User


def confirmation_link(message):
    return re.search(r"https?://[^\s]+/account/confirm-email/[^\s/]+/", message.body).group(0)


@pytest.mark.django_db
def test_signup_requires_email_confirmation_before_login(
    client, password, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/signup/",
            {
                "full_name": "Giulia Ferrari",
                "email": "Giulia.Ferrari@Example.org",
                "password1": password,
                "password2": password,
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="giulia.ferrari@example.org")
    assert user.full_name == "Giulia Ferrari"

    [message] = mail.outbox
    assert message.to == ["giulia.ferrari@example.org"]
    link = confirmation_link(message)

    # Mandatory verification: the password alone does not let her in.
    client.logout()
    response = client.post(
        "/account/login/", {"login": "giulia.ferrari@example.org", "password": password}
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/confirm-email/"
    assert "_auth_user_id" not in client.session

    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    response = client.post(
        "/account/login/", {"login": "giulia.ferrari@example.org", "password": password}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_signup_with_bad_input_keeps_what_was_typed(client):
    response = client.post(
        "/account/signup/",
        {"full_name": "Luca Neri", "email": "non-una-mail", "password1": "x", "password2": "y"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Luca Neri"' in page
    assert 'value="non-una-mail"' in page
    assert "Inserisci un indirizzo email valido." in page
    assert not User.objects.exists()


@pytest.mark.django_db
def test_repeated_failed_logins_are_rate_limited(client, alice):
    for _ in range(5):
        response = client.post("/account/login/", {"login": alice.email, "password": "sbagliata"})
        assert response.status_code == 200
    response = client.post("/account/login/", {"login": alice.email, "password": "sbagliata"})
    assert "Troppi tentativi di accesso. Riprova più tardi." in response.content.decode()


@pytest.mark.django_db
def test_password_reset_sends_a_link(client, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password/reset/", {"email": alice.email})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [alice.email]
    assert "/account/password/reset/key/" in message.body


@pytest.mark.django_db
def test_profile_needs_login_and_saves_the_full_name(client, alice):
    assert client.get("/account/profilo/").status_code == 302
    client.force_login(alice)
    response = client.post("/account/profilo/", {"full_name": "Alice Bianchi Rossi"}, follow=True)
    alice.refresh_from_db()
    assert alice.full_name == "Alice Bianchi Rossi"
    assert "Il tuo profilo è stato salvato." in response.content.decode()

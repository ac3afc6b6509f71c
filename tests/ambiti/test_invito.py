"""Inviting a person to a role; the invitation link for new and existing accounts; dead links."""

import re
import secrets
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ambiti import services
from ambiti.models import Invito, Ruolo
from pdz.models import AuditLog, User


@pytest.fixture
def casalmaggiore(ambito):
    return ambito.enti.get(comune__nome="Casalmaggiore")


@pytest.fixture
def contatti(ambito):
    ambito.email_ufficio = "ufficiodipiano@example.org"
    ambito.telefono_ufficio = "0375 284411"
    ambito.save()
    return ambito


def _invite(client, ambito, **data):
    fields = {
        "full_name": "Giulia Ferrari",
        "email": "Giulia.Ferrari@example.org",
        "tipo": Ruolo.Tipo.SINDACO,
        "ente": ambito.enti.get(comune__nome="Viadana").pk,
        **data,
    }
    return client.post(reverse("ambiti:invito_create", args=[ambito.codice]), fields)


def _link(message):
    return re.search(r"https?://\S+/ambiti/inviti/\S+/", message.body).group(0)


def _path(link):
    return "/" + link.split("/", 3)[3]


def _invito(ambito, by, **kwargs):
    fields = {
        "email": "giulia.ferrari@example.org",
        "full_name": "Giulia Ferrari",
        "tipo": Ruolo.Tipo.SINDACO,
        "ente": ambito.enti.get(comune__nome="Viadana"),
        "scade_at": timezone.now() + timedelta(days=14),
        **kwargs,
    }
    return Invito.objects.create(
        ambito=ambito, token=secrets.token_urlsafe(32), invitato_da=by, **fields
    )


# --- sending -------------------------------------------------------------------------------


def test_staff_invites_a_mayor_and_the_email_carries_the_link(
    client, staff, contatti, django_capture_on_commit_callbacks
):
    ambito = contatti
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, ambito)

    assert response.status_code == 302
    assert response["Location"] == reverse("ambiti:inviti", args=[ambito.codice])
    invito = Invito.objects.get()
    assert invito.email == "giulia.ferrari@example.org"
    assert invito.invitato_da == staff
    [message] = mail.outbox
    assert message.to == ["giulia.ferrari@example.org"]
    assert "Ambito Oglio Po" in message.subject
    assert "Giulia Ferrari" in message.body
    assert "Comune di Viadana" in message.body
    assert "Chiara Bertoldi" in message.body
    assert "ufficiodipiano@example.org" in message.body
    assert _path(_link(message)) == reverse("ambiti:invito", args=[invito.token])
    html = message.alternatives[0][0]
    assert f'href="{_link(message)}"' in html
    assert AuditLog.objects.filter(action="invito.inviato", user=staff).exists()


def test_mayor_invitation_needs_the_comune(client, staff, ambito):
    client.force_login(staff)
    response = _invite(client, ambito, ente="")
    assert response.status_code == 200
    assert "ente" in response.context["form"].errors
    page = response.content.decode()
    assert 'value="Giulia Ferrari"' in page
    assert 'value="Giulia.Ferrari@example.org"' in page
    assert not Invito.objects.exists()


def test_representative_invitation_needs_a_party(client, staff, ambito):
    client.force_login(staff)
    response = _invite(client, ambito, tipo=Ruolo.Tipo.RAPPRESENTANTE_ENTE, ente="")
    assert "ente" in response.context["form"].errors


def test_staff_invitation_needs_no_party(client, staff, ambito):
    client.force_login(staff)
    response = _invite(client, ambito, tipo=Ruolo.Tipo.UFFICIO_PIANO, ente="")
    assert response.status_code == 302


def test_second_open_invitation_for_the_same_role_is_refused(client, staff, ambito):
    client.force_login(staff)
    assert _invite(client, ambito).status_code == 302
    response = _invite(client, ambito)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Invito.objects.count() == 1


def test_person_who_already_holds_the_role_is_not_invited_again(client, staff, sindaco, ambito):
    client.force_login(staff)
    response = _invite(client, ambito, email=sindaco.email, ente=sindaco.ruoli.get().ente_id)
    assert response.context["form"].non_field_errors()


def test_parties_offered_are_those_of_the_ambito(client, staff, ambito, altro_ambito):
    from tests.ambiti.factories import EnteFactory

    EnteFactory(denominazione="Ente altrui", ambiti=[altro_ambito])
    client.force_login(staff)
    form = client.get(reverse("ambiti:invito_create", args=[ambito.codice])).context["form"]
    assert {e.denominazione for e in form.fields["ente"].queryset} == {
        "Comune di Casalmaggiore",
        "Comune di Viadana",
    }


# --- accepting: a person with no account -------------------------------------------------


def test_full_flow_new_person_sets_a_password_and_lands_home_with_the_role(
    client, staff, ambito, password, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, ambito)
    client.logout()
    link = _path(_link(mail.outbox[0]))

    form_page = client.get(link)
    assert form_page.status_code == 200
    form = form_page.context["form"]
    assert form["full_name"].value() == "Giulia Ferrari"
    assert form["email"].value() == "giulia.ferrari@example.org"
    assert "readonly" in str(form["email"])

    response = client.post(
        link,
        {"full_name": "Giulia Ferrari", "password1": password, "password2": password},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("home")
    user = get_user(client)
    assert user.is_authenticated
    assert user.email == "giulia.ferrari@example.org"
    assert user.check_password(password)
    ruolo = Ruolo.objects.attivi().get(user=user)
    assert ruolo.tipo == Ruolo.Tipo.SINDACO
    assert ruolo.ente.denominazione == "Comune di Viadana"
    assert EmailAddress.objects.get(user=user).verified
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert "Giulia Ferrari" in response.content.decode()
    invito = Invito.objects.get()
    assert invito.accettato_da == user
    # The same link, once used, is dead.
    assert client.get(link).status_code == 410


def test_new_person_may_correct_the_name(client, ambito, staff, password):
    invito = _invito(ambito, staff, full_name="Giulia Ferari")
    client.post(
        reverse("ambiti:invito", args=[invito.token]),
        {"full_name": "Giulia Ferrari", "password1": password, "password2": password},
    )
    assert User.objects.get(email=invito.email).full_name == "Giulia Ferrari"


def test_mismatched_passwords_keep_the_name(client, ambito, staff, password):
    invito = _invito(ambito, staff)
    response = client.post(
        reverse("ambiti:invito", args=[invito.token]),
        {"full_name": "Giulia F. Ferrari", "password1": password, "password2": password + "x"},
    )
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert 'value="Giulia F. Ferrari"' in response.content.decode()
    assert not User.objects.filter(email=invito.email).exists()


def test_weak_password_is_refused(client, ambito, staff):
    invito = _invito(ambito, staff)
    response = client.post(
        reverse("ambiti:invito", args=[invito.token]),
        {"full_name": "Giulia Ferrari", "password1": "12345678", "password2": "12345678"},
    )
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(email=invito.email).exists()


def test_posted_email_is_ignored(client, ambito, staff, password):
    invito = _invito(ambito, staff)
    client.post(
        reverse("ambiti:invito", args=[invito.token]),
        {
            "full_name": "Giulia Ferrari",
            "email": "intruso@example.org",
            "password1": password,
            "password2": password,
        },
    )
    assert User.objects.filter(email="giulia.ferrari@example.org").exists()
    assert not User.objects.filter(email="intruso@example.org").exists()


# --- accepting: a person who already has an account ---------------------------------------


def test_existing_account_is_asked_to_sign_in_then_accepts(client, ambito, staff, alice, password):
    invito = _invito(ambito, staff, email=alice.email, tipo=Ruolo.Tipo.RAPPRESENTANTE_ENTE)
    link = reverse("ambiti:invito", args=[invito.token])

    response = client.get(link)
    assert response.status_code == 200
    assert "form" not in response.context
    login_url = reverse("account_login") + "?next=" + link.replace("/", "%2F")
    assert login_url in response.content.decode()
    # Without signing in, nobody can take the role with a password.
    client.post(link, {"password1": "x", "password2": "x"})
    assert not Ruolo.objects.filter(user=alice).exists()

    signed_in = client.post(login_url, {"login": alice.email, "password": password})
    assert signed_in["Location"] == link
    page = client.get(link)
    assert page.status_code == 200
    assert "form" not in page.context
    response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert Ruolo.objects.attivi().filter(user=alice, ambito=ambito).count() == 1
    assert client.get(link).status_code == 410


def test_existing_account_with_different_case_is_recognised(client, ambito, staff, alice):
    invito = _invito(ambito, staff, email="ALICE@example.org".lower())
    User.objects.filter(pk=alice.pk).update(email="Alice@Example.org")
    response = client.get(reverse("ambiti:invito", args=[invito.token]))
    assert "form" not in response.context


def test_signed_in_as_someone_else_cannot_accept(client, ambito, staff, alice):
    invito = _invito(ambito, staff)
    client.force_login(alice)
    link = reverse("ambiti:invito", args=[invito.token])
    assert client.get(link).status_code == 403
    assert client.post(link).status_code == 403
    assert not Ruolo.objects.filter(user=alice).exists()
    invito.refresh_from_db()
    assert invito.accettato_at is None


# --- dead links ----------------------------------------------------------------------------


def test_expired_link(client, contatti, staff):
    invito = _invito(contatti, staff, scade_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("ambiti:invito", args=[invito.token]))
    assert response.status_code == 410
    page = response.content.decode()
    assert "ufficiodipiano@example.org" in page  # whom to contact
    assert "0375 284411" in page
    assert "form" not in response.context


def test_expired_link_cannot_be_accepted_by_post(client, ambito, staff, password):
    invito = _invito(ambito, staff, scade_at=timezone.now() - timedelta(minutes=1))
    response = client.post(
        reverse("ambiti:invito", args=[invito.token]),
        {"full_name": "Giulia", "password1": password, "password2": password},
    )
    assert response.status_code == 410
    assert not User.objects.filter(email=invito.email).exists()


def test_withdrawn_link(client, ambito, staff):
    invito = _invito(ambito, staff, revocato_at=timezone.now())
    assert client.get(reverse("ambiti:invito", args=[invito.token])).status_code == 410


def test_unknown_link(client, db):
    response = client.get(reverse("ambiti:invito", args=["non-esiste"]))
    assert response.status_code == 404
    assert reverse("home") in response.content.decode()


# --- staff: list and withdraw ---------------------------------------------------------------


def test_invitations_list_shows_each_state(client, staff, ambito):
    _invito(ambito, staff, email="aperto@example.org")
    _invito(ambito, staff, email="scaduto@example.org", scade_at=timezone.now() - timedelta(1))
    _invito(ambito, staff, email="ritirato@example.org", revocato_at=timezone.now())
    _invito(ambito, staff, email="accettato@example.org", accettato_at=timezone.now())
    client.force_login(staff)
    url = reverse("ambiti:inviti", args=[ambito.codice])

    states = {i.email: i.stato for i in client.get(url).context["page"]}
    assert states == {
        "aperto@example.org": "aperto",
        "scaduto@example.org": "scaduto",
        "ritirato@example.org": "ritirato",
        "accettato@example.org": "accettato",
    }
    only_open = client.get(url, {"stato": "aperto"}).context["page"]
    assert [i.email for i in only_open] == ["aperto@example.org"]
    found = client.get(url, {"q": "ritir"}).context["page"]
    assert [i.email for i in found] == ["ritirato@example.org"]


def test_staff_withdraws_an_open_invitation(client, staff, ambito):
    invito = _invito(ambito, staff)
    client.force_login(staff)
    url = reverse("ambiti:invito_withdraw", args=[ambito.codice, invito.pk])
    assert invito.email in client.get(url).content.decode()

    response = client.post(url, follow=True)

    invito.refresh_from_db()
    assert invito.revocato_at is not None
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert AuditLog.objects.filter(action="invito.ritirato", user=staff).exists()
    client.logout()
    assert client.get(reverse("ambiti:invito", args=[invito.token])).status_code == 410


def test_accepted_invitation_cannot_be_withdrawn(client, staff, ambito):
    invito = _invito(ambito, staff, accettato_at=timezone.now())
    client.force_login(staff)
    url = reverse("ambiti:invito_withdraw", args=[ambito.codice, invito.pk])
    assert client.post(url).status_code == 404


def test_ritira_invito_refuses_accepted_and_withdrawn(ambito, staff):
    accepted = _invito(ambito, staff, accettato_at=timezone.now())
    with pytest.raises(services.OperazioneNonValida):
        services.ritira_invito(accepted, by=staff)
    withdrawn = _invito(ambito, staff, email="b@example.org", revocato_at=timezone.now())
    with pytest.raises(services.OperazioneNonValida):
        services.ritira_invito(withdrawn, by=staff)

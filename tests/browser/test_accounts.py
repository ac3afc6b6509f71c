import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from pdz.models import User
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_for_an_anonymous_visitor(page):
    page.goto("/")
    expect(page.locator("header")).to_contain_text("Piano di Zona")
    expect(page.locator("header").get_by_role("link", name=re.compile("Accedi"))).to_be_visible()
    assert page.locator("[data-element='accessibility-link']").count() == 1
    assert page.locator("[data-element='privacy-policy-link']").count() == 1
    assert_accessible(page)


def test_sign_up_confirm_the_address_and_sign_in(page, password):
    page.goto("/account/signup/")
    assert_accessible(page)
    page.get_by_label("Nome e cognome").fill("Giulia Ferrari")
    page.get_by_label("Email").fill("giulia.ferrari@example.org")
    page.locator("input[name=password1]").fill(password)
    page.locator("input[name=password2]").fill(password)
    page.get_by_role("button", name="Registrati").click()

    expect(page.locator("main")).to_contain_text("Controlla la tua casella di posta")
    assert_accessible(page)
    [message] = mail.outbox
    assert message.to == ["giulia.ferrari@example.org"]
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", message.body).group(0)

    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Conferma").click()
    # The confirmation signs her in and takes her home.
    expect(page.locator("header")).to_contain_text("Giulia Ferrari")

    page.get_by_role("button", name=re.compile("Giulia Ferrari")).click()
    page.get_by_role("button", name="Esci").click()
    expect(page.locator("header").get_by_role("link", name=re.compile("Accedi"))).to_be_visible()

    page.goto("/account/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill("giulia.ferrari@example.org")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").click()
    expect(page.locator("header")).to_contain_text("Giulia Ferrari")
    assert_accessible(page)
    assert User.objects.get(email="giulia.ferrari@example.org").last_login is not None


def test_wrong_password_shows_a_clear_error(page, alice):
    page.goto("/account/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill("non-è-questa")
    page.get_by_role("button", name="Accedi").click()
    expect(page.locator("main")).to_contain_text("non sono corretti")
    expect(page.get_by_label("Email")).to_have_value(alice.email)
    assert_accessible(page)

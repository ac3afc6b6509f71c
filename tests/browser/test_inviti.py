"""In a real browser: the Ufficio di Piano invites a mayor, who accepts from the e-mail."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from ambiti.models import Ruolo
from pdz.models import User
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, email, password):
    page.goto("/account/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").click()
    expect(page.locator("header")).to_contain_text("Chiara Bertoldi")


def test_staff_invites_a_mayor_who_sets_a_password_and_lands_home_with_the_role(
    page, browser, live_server, settings, staff, ambito, password
):
    settings.SITE_URL = live_server.url  # the address e-mailed links point to
    _sign_in(page, staff.email, password)
    page.goto(f"/ambiti/{ambito.codice}/gestione/")
    assert_accessible(page)
    page.locator(f"a[href='/ambiti/{ambito.codice}/gestione/inviti/nuovo/']").first.click()
    assert_accessible(page)

    page.locator("#id_full_name").fill("Nicola Cavatorta")
    page.locator("#id_email").fill("nicola.cavatorta@example.org")
    page.locator("#id_tipo").select_option(Ruolo.Tipo.SINDACO)
    page.locator("#id_ente").select_option(label="Comune di Viadana")
    page.locator("form.pdz-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/ambiti/{ambito.codice}/gestione/inviti/$"))
    expect(page.locator(".alert-success")).to_contain_text("nicola.cavatorta@example.org")
    expect(page.locator("main table")).to_contain_text("Nicola Cavatorta")
    assert_accessible(page)

    [message] = mail.outbox
    assert message.to == ["nicola.cavatorta@example.org"]
    link = re.search(r"https?://\S+/ambiti/inviti/\S+/", message.body).group(0)

    # The mayor opens the link in a browser of their own, not signed in.
    context = browser.new_context(base_url=live_server.url, locale="it-IT")
    mayor = context.new_page()
    mayor.goto(link)
    expect(mayor.locator("h1")).to_contain_text("Nicola Cavatorta")
    expect(mayor.locator("#id_full_name")).to_have_value("Nicola Cavatorta")
    expect(mayor.locator("#id_email")).to_have_value("nicola.cavatorta@example.org")
    expect(mayor.locator("#id_email")).to_have_attribute("readonly", "")
    assert_accessible(mayor)

    mayor.locator("#id_password1").fill(password)
    mayor.locator("#id_password2").fill(password)
    mayor.locator("form.pdz-form button[type=submit]").click()

    expect(mayor).to_have_url(re.compile(r"/$"))
    expect(mayor.locator("header")).to_contain_text("Nicola Cavatorta")
    expect(mayor.locator(".alert-success")).to_contain_text(ambito.nome)
    assert_accessible(mayor)
    user = User.objects.get(email="nicola.cavatorta@example.org")
    ruolo = Ruolo.objects.attivi().get(user=user)
    assert (ruolo.ambito, ruolo.tipo, ruolo.ente.denominazione) == (
        ambito,
        Ruolo.Tipo.SINDACO,
        "Comune di Viadana",
    )

    # The mayor may now look at the ambito's back-office, read-only.
    mayor.goto(f"/ambiti/{ambito.codice}/gestione/")
    expect(mayor.locator("main table")).to_contain_text("Viadana")
    assert mayor.locator(f"a[href='/ambiti/{ambito.codice}/gestione/inviti/nuovo/']").count() == 0

    # The link works once.
    response = mayor.goto(link)
    assert response.status == 410
    assert_accessible(mayor)
    context.close()

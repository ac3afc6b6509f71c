"""In a real browser: a newcomer signs up, registers an organisation and sees its page."""

import re

import pytest
from django.core import mail
from localflavor.it.util import vat_number_check_digit
from playwright.sync_api import expect

from ambiti.models import AreaUtenza
from terzo_settore.models import Organizzazione, Referente
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CF = "9002345019" + vat_number_check_digit("9002345019")


@pytest.fixture
def aree(db):
    # Transactional tests start from an empty database: the national list is not there.
    return [
        AreaUtenza.objects.create(nome="Famiglia e minori", ordine=1),
        AreaUtenza.objects.create(nome="Immigrati, Rom, Sinti e Caminanti", ordine=5),
    ]


def _fill_organisation(page, *, codice_fiscale=CF):
    form = page.locator("form.pdz-organizzazione-form")
    form.locator("#id_denominazione").fill("Associazione Il Ponte APS")
    form.locator("#id_forma_giuridica").select_option("aps")
    form.locator("#id_codice_fiscale").fill(codice_fiscale)
    form.locator("#id_rappresentante_legale").fill("Marco Gandolfi")
    form.locator("input[name=iscrizione][value=runts]").check()
    form.locator("#id_sezione_runts").select_option("b")
    form.locator("#id_numero_repertorio").fill("48213")
    form.locator("#id_indirizzo").fill("Piazza Manzoni 4, 46019")
    form.locator("input[name=sedi_operative]").first.check()
    form.locator("#id_email").fill("info@ilponte.example.org")
    form.locator("#id_pec").fill("ilponte@pec.example.org")
    form.locator("#id_sito_web").fill("ilponte.example.org")
    form.locator("input[name=aree]").first.check()
    form.locator("#id_descrizione").fill("Doposcuola e corsi di italiano per donne straniere.")


def _submit(page):
    page.locator("form.pdz-organizzazione-form button.btn-primary[type=submit]").click()


def test_newcomer_signs_up_registers_the_organisation_and_sees_its_page(
    page, live_server, settings, ambito, aree, password
):
    settings.SITE_URL = live_server.url
    page.goto("/organizzazioni/nuova/")
    assert_accessible(page)
    # Not signed in: the page explains and leads to the sign-up, coming back here after.
    page.locator("main a.btn-primary").click()
    expect(page).to_have_url(re.compile(r"/account/signup/\?next=%2Forganizzazioni%2Fnuova%2F"))

    page.locator("input[name=full_name]").fill("Marco Gandolfi")
    page.locator("input[name=email]").fill("marco.gandolfi@example.org")
    page.locator("input[name=password1]").fill(password)
    page.locator("input[name=password2]").fill(password)
    page.locator("main form button[type=submit]").click()

    [message] = mail.outbox
    assert message.to == ["marco.gandolfi@example.org"]
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header")).to_contain_text("Marco Gandolfi")

    page.goto("/organizzazioni/nuova/")
    expect(page.locator("form.pdz-organizzazione-form")).to_be_visible()
    assert_accessible(page)
    _fill_organisation(page)
    _submit(page)  # without the registered office: an error next to it, the rest kept
    expect(page.locator("#id_sede")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_denominazione")).to_have_value("Associazione Il Ponte APS")
    assert_accessible(page)
    # The registered office: typing refreshes the list of municipalities (JavaScript).
    page.locator("#id_sede_q").fill("viad")
    expect(page.locator("#id_sede option", has_text="Viadana")).to_have_count(1)
    expect(page.locator("#id_sede")).to_have_value(str(ambito.comuni.get(nome="Viadana").pk))
    expect(page.locator("#sede-trovati")).to_contain_text("1")
    _submit(page)

    organizzazione = Organizzazione.objects.get()
    expect(page).to_have_url(re.compile(rf"/organizzazioni/{organizzazione.pk}/$"))
    expect(page.locator("h1")).to_have_text("Associazione Il Ponte APS")
    expect(page.locator(".alert-success")).to_contain_text("Associazione Il Ponte APS")
    expect(page.locator("main")).to_contain_text(CF)
    expect(page.locator("main")).to_contain_text("marco.gandolfi@example.org")
    assert_accessible(page)
    referente = Referente.objects.get()
    assert referente.user.email == "marco.gandolfi@example.org"
    assert referente.gestore
    assert organizzazione.ente.sede.nome == "Viadana"

    page.goto("/organizzazioni/")
    expect(page.locator("main table")).to_contain_text("Associazione Il Ponte APS")
    assert_accessible(page)


def test_registration_works_without_javascript_and_keeps_the_typed_details(
    browser, live_server, ambito, aree, alice, password
):
    context = browser.new_context(
        base_url=live_server.url, locale="it-IT", java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/account/login/")
    page.locator("input[name=login]").fill(alice.email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header")).to_contain_text("Alice Bianchi")

    page.goto("/organizzazioni/nuova/")
    wrong = CF[:-1] + str((int(CF[-1]) + 1) % 10)
    _fill_organisation(page, codice_fiscale=wrong)
    page.locator("#id_sede_q").fill("casalm")
    page.locator("button[name=cerca_sede]").click()
    # The page comes back with the municipality found and chosen, everything else kept.
    expect(page.locator("#id_sede")).to_have_value(str(ambito.comuni.get(nome="Casalmaggiore").pk))
    expect(page.locator("#id_denominazione")).to_have_value("Associazione Il Ponte APS")
    expect(page.locator("#id_codice_fiscale")).to_have_value(wrong)
    expect(page.locator(".is-invalid")).to_have_count(0)

    _submit(page)
    # The wrong check digit is said next to the field; nothing typed is lost.
    expect(page.locator("#id_codice_fiscale")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_descrizione")).to_have_value(
        "Doposcuola e corsi di italiano per donne straniere."
    )
    page.locator("#id_codice_fiscale").fill(CF)
    _submit(page)
    expect(page.locator("h1")).to_have_text("Associazione Il Ponte APS")
    assert Organizzazione.objects.get().ente.sede.nome == "Casalmaggiore"
    context.close()

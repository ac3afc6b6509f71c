"""In a real browser: an organisation applies to an adhesion notice, gets its protocol number
and receipt; the Ufficio di Piano asks for more, the organisation completes, the office admits."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from terzo_settore.models import Domanda
from tests.browser.conftest import assert_accessible
from tests.terzo_settore.factories import AvvisoFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pdf_file(tmp_path):
    """A small real PDF, as an organisation would scan its statute."""
    from weasyprint import HTML

    path = tmp_path / "statuto.pdf"
    path.write_bytes(HTML(string="<h1>Statuto</h1><p>Art. 1 – Denominazione</p>").write_pdf())
    return path


def sign_in(page, user, password):
    page.goto("/account/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").click()
    expect(page.locator("header")).to_contain_text(user.full_name)


def test_an_organisation_applies_completes_on_request_and_is_admitted(
    page, browser, live_server, settings, tmp_path, pdf_file, ambito, staff, referente, password
):
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    ambito.email_ufficio = "ufficiodipiano@example.org"
    ambito.save()
    avviso = AvvisoFactory(
        ambito=ambito, titolo="Adesione al Piano di Zona 2026-2028", created_by=staff
    )

    # The referente finds the notice and applies.
    sign_in(page, referente, password)
    page.goto("/avvisi/")
    page.get_by_role("link", name=avviso.titolo).click()
    expect(page.locator("h1")).to_have_text(avviso.titolo)
    assert_accessible(page)
    page.locator(f"form[action='/avvisi/{avviso.pk}/partecipa/'] button").click()
    expect(page).to_have_url(re.compile(r"/domande/\d+/modifica/$"))
    assert_accessible(page)

    page.locator("#id_delegato_nome").fill("Marco Ferrari")
    page.locator("#id_delegato_email").fill("marco.ferrari@example.org")
    page.locator("#id_allegato-titolo").fill("Statuto")
    page.locator("#id_allegato-file").set_input_files(pdf_file)
    for checkbox in page.locator("input[id^=id_dichiarazione_]").all():
        checkbox.check()
    page.locator("button[name=azione][value=invia]").click()

    anno = timezone.localdate().year
    expect(page).to_have_url(re.compile(r"/domande/\d+/$"))
    expect(page.locator(".pdz-protocollo")).to_have_text(f"{anno}/000001")
    expect(page.locator(".pdz-stato [data-state]")).to_have_attribute("data-state", "inviata")
    assert_accessible(page)
    domanda = Domanda.objects.get()
    assert domanda.protocollo == f"{anno}/000001"
    assert list(domanda.allegati.values_list("titolo", flat=True)) == ["Statuto"]

    [receipt] = mail.outbox
    assert receipt.to == [referente.email]
    [(filename, content, mimetype)] = receipt.attachments
    assert filename == f"ricevuta-{anno}-000001.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")

    # The Ufficio di Piano takes it in charge and asks for more information.
    office_context = browser.new_context(
        base_url=live_server.url, locale="it-IT", viewport={"width": 1280, "height": 900}
    )
    office = office_context.new_page()
    sign_in(office, staff, password)
    office.goto("/istruttoria/")
    assert_accessible(office)
    row = office.locator("main tbody tr", has_text=domanda.protocollo)
    row.locator(f"a[href='/domande/{domanda.pk}/']").click()
    expect(office.locator(".pdz-protocollo")).to_have_text(domanda.protocollo)
    assert_accessible(office)
    office.locator("button[data-azione=in_istruttoria]").click()
    expect(office.locator(".pdz-stato [data-state]")).to_have_attribute(
        "data-state", "in_istruttoria"
    )
    office.locator("#id_integrazione-motivazione").fill("Allegate il bilancio sociale 2025.")
    office.locator("button[data-azione=integrazione]").click()
    expect(office.locator(".pdz-stato [data-state]")).to_have_attribute(
        "data-state", "integrazione"
    )
    assert mail.outbox[-1].to == [referente.email]
    assert "Allegate il bilancio sociale 2025." in mail.outbox[-1].body

    # The referente reads the request, completes and submits again.
    page.reload()
    expect(page.locator("main")).to_contain_text("Allegate il bilancio sociale 2025.")
    page.locator(f"a[href='/domande/{domanda.pk}/modifica/']").first.click()
    assert_accessible(page)
    page.locator("#id_allegato-titolo").fill("Bilancio sociale 2025")
    page.locator("#id_allegato-file").set_input_files(pdf_file)
    page.locator("button[name=azione][value=invia]").click()
    expect(page.locator(".pdz-stato [data-state]")).to_have_attribute(
        "data-state", "in_istruttoria"
    )
    assert mail.outbox[-1].to == ["ufficiodipiano@example.org"]

    # The office admits it; the referente sees it admitted.
    office.reload()
    office.locator("button[data-azione=ammessa]").click()
    expect(office.locator(".pdz-stato [data-state]")).to_have_attribute("data-state", "ammessa")
    office_context.close()

    page.reload()
    expect(page.locator(".pdz-stato [data-state]")).to_have_attribute("data-state", "ammessa")
    assert_accessible(page)
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.AMMESSA
    assert list(domanda.allegati.values_list("titolo", flat=True)) == [
        "Statuto",
        "Bilancio sociale 2025",
    ]

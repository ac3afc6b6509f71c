"""In a real browser: the Ufficio di Piano convenes a table, a member answers from the link in
the e-mail, staff take attendance, write the minutes, have them approved at the next meeting
and download the PDF; the mayors vote online and the count weighs their populations."""

import datetime
import re
import subprocess

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from ambiti.models import Ente, Popolazione, Ruolo
from tavoli import services
from tavoli.models import Convocazione, Incontro, RegolaVoto, Tavolo
from tests.ambiti.factories import AppartenenzaFactory, ComuneFactory
from tests.browser.conftest import assert_accessible
from tests.browser.test_adesione import sign_in
from tests.conftest import _persona
from tests.tavoli.factories import RegolaVotoFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _link(message, prefix):
    return re.search(rf"{re.escape(prefix)}\S+", message.body).group(0)


def _submit(page, action):
    page.locator(f"form[action='{action}'] button[type=submit]").click()


def test_staff_convene_member_answers_attendance_minutes_and_pdf(
    page, live_server, settings, tmp_path, ambito, staff, password
):
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PEC_EMAIL = None
    tavolo = Tavolo.objects.create(
        ambito=ambito, tipo=Tavolo.Tipo.AREA, nome="Tavolo minori, giovani e famiglie"
    )
    for nome, delegato, email in [
        ("Associazione Il Ponte APS", "Davide Arisi", "d.arisi@example.org"),
        ("Istituto Comprensivo Diotti", "Anna Gerevini", "a.gerevini@example.org"),
    ]:
        ente = Ente.objects.create(tipo=Ente.Tipo.ALTRO, denominazione=nome)
        services.aggiungi_membro(
            tavolo, ente=ente, delegato_nome=delegato, delegato_email=email, by=staff
        )

    # Staff plan the meeting with its agenda, ten days ahead.
    sign_in(page, staff, password)
    page.goto(f"/tavoli/{tavolo.pk}/incontri/nuovo/")
    giorno = timezone.localdate() + datetime.timedelta(days=10)
    page.locator("#id_titolo").fill("Primo incontro del tavolo")
    page.locator("#id_inizio").fill(f"{giorno:%Y-%m-%d}T16:30")
    page.locator("#id_fine").fill(f"{giorno:%Y-%m-%d}T18:30")
    page.locator("#id_luogo").fill("Sala consiliare, Piazza Garibaldi 26, Casalmaggiore")
    page.locator("#id_punti-0-titolo").fill("Lettura dei bisogni del territorio")
    page.locator("#id_punti-1-titolo").fill("Proposte di azione")
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/tavoli/incontri/\d+/$"))
    incontro = Incontro.objects.get()
    expect(page.locator("main")).to_contain_text("Lettura dei bisogni del territorio")
    assert_accessible(page)

    # ... and convene it: one e-mail per member, each with its invitation.
    page.goto(f"/tavoli/incontri/{incontro.pk}/convoca/")
    assert_accessible(page)
    page.locator("main form.pdz-form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert sorted(m.to[0] for m in mail.outbox) == ["a.gerevini@example.org", "d.arisi@example.org"]
    page.goto(f"/tavoli/incontri/{incontro.pk}/convocazioni/")
    expect(page.locator("main table tbody tr")).to_have_count(2)
    assert_accessible(page)

    convocazione = next(m for m in mail.outbox if m.to == ["d.arisi@example.org"])
    [(filename, ics, mimetype)] = convocazione.attachments
    evento = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    assert evento["DTSTART"].dt.astimezone(datetime.UTC) == incontro.inizio

    # The member opens the RSVP link of the e-mail, with no account, and sends a colleague.
    rsvp = _link(convocazione, f"{live_server.url}/tavoli/rsvp/")
    member = page.context.browser.new_context(base_url=live_server.url, locale="it-IT")
    member_page = member.new_page()
    member_page.goto(rsvp)
    expect(member_page.locator("h1")).to_have_text("Primo incontro del tavolo")
    assert_accessible(member_page)
    member_page.locator("input[name=risposta][value=delega]").check()
    member_page.locator("main form button[type=submit]").click()
    expect(member_page.locator(".invalid-feedback")).to_be_visible()  # whom? is required
    member_page.locator("#id_delegato").fill("Marta Pini")
    member_page.locator("main form button[type=submit]").click()
    expect(member_page.locator("[data-risposta]")).to_have_attribute("data-risposta", "delega")
    member.close()
    answer = Convocazione.objects.get(email="d.arisi@example.org")
    assert (answer.risposta, answer.risposta_delegato) == ("delega", "Marta Pini")

    # The meeting takes place; staff take attendance, prefilled from the answers.
    Incontro.objects.filter(pk=incontro.pk).update(
        inizio=timezone.now() - datetime.timedelta(hours=3),
        fine=timezone.now() - datetime.timedelta(hours=1),
    )
    ponte = tavolo.membri.get(delegato_email="d.arisi@example.org")
    diotti = tavolo.membri.get(delegato_email="a.gerevini@example.org")
    page.goto(f"/tavoli/incontri/{incontro.pk}/presenze/")
    expect(page.locator(f"#id_da_{ponte.pk}")).to_have_value("Marta Pini")
    page.locator(f"input[name=stato_{diotti.pk}][value=presente]").check()
    assert_accessible(page)
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_be_visible()
    incontro.refresh_from_db()
    assert incontro.stato == Incontro.Stato.SVOLTO

    # Staff write the minutes item by item.
    page.goto(f"/tavoli/incontri/{incontro.pk}/verbale/modifica/")
    page.locator("#id_generale").fill("La seduta si apre alle 16:35; coordina l'Ufficio di Piano.")
    punto = incontro.punti.get(numero=1)
    page.locator(f"#id_punto_{punto.pk}").fill("Il tavolo condivide la lettura dei bisogni.")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/tavoli/incontri/{incontro.pk}/verbale/$"))
    assert_accessible(page)

    # The minutes go on the agenda of the next meeting, which approves them.
    prossimo = services.salva_incontro(
        Incontro(
            tavolo=tavolo,
            titolo="Secondo incontro del tavolo",
            inizio=timezone.now() + datetime.timedelta(days=20),
            fine=timezone.now() + datetime.timedelta(days=20, hours=2),
            luogo="Sala consiliare",
        ),
        by=staff,
    )
    page.goto(f"/tavoli/incontri/{incontro.pk}/verbale/ordine-del-giorno/")
    page.locator(f"input[name=seduta][value='{prossimo.pk}']").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    Incontro.objects.filter(pk=prossimo.pk).update(
        inizio=timezone.now() - datetime.timedelta(minutes=90),
        fine=timezone.now() - datetime.timedelta(minutes=30),
    )
    services.registra_presenze(
        prossimo, {m.pk: ("presente", "") for m in tavolo.membri.all()}, by=staff
    )
    page.goto(f"/tavoli/incontri/{incontro.pk}/verbale/")
    _submit(page, f"/tavoli/incontri/{incontro.pk}/verbale/approva/")
    expect(page.locator(".alert-success")).to_be_visible()
    _submit(page, f"/tavoli/incontri/{incontro.pk}/verbale/pubblica/")
    expect(page.locator(".alert-success")).to_be_visible()
    incontro.refresh_from_db()
    assert incontro.stato == Incontro.Stato.PUBBLICATO
    assert incontro.verbale_approvato_in == prossimo

    # The PDF of the minutes has the attendance list and the minutes of each item.
    link = page.locator(f"a[href='/tavoli/incontri/{incontro.pk}/verbale.pdf']").first
    response = page.context.request.get(link.get_attribute("href"))  # the signed-in session
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "verbale.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Tavolo minori, giovani e famiglie" in text
    assert "Associazione Il Ponte APS" in text and "Marta Pini" in text
    assert "Il tavolo condivide la lettura dei bisogni." in text


def test_mayors_vote_online_and_the_count_weighs_population(
    page, live_server, settings, ambito, staff, sindaco, password
):
    """Casalmaggiore (15,300) and Sabbioneta (4,100) vote in favour, Viadana (19,700), through
    the mayor's delegate, against: two heads to one, but 19,400 residents to 19,700 —
    rejected under the population-weighted rule (more than half of those present)."""
    settings.SITE_URL = live_server.url
    settings.PEC_EMAIL = None
    sabbioneta = ComuneFactory(codice_catastale="H652", nome="Sabbioneta", provincia="MN")
    AppartenenzaFactory(ambito=ambito, comune=sabbioneta)
    ente_sabbioneta = Ente.objects.create(
        tipo=Ente.Tipo.COMUNE, denominazione="Comune di Sabbioneta", comune=sabbioneta
    )
    giorno = datetime.date(2025, 1, 1)
    for nome, residenti in [("Casalmaggiore", 15300), ("Viadana", 19700), ("Sabbioneta", 4100)]:
        Popolazione.objects.create(
            comune=ambito.comuni.get(nome=nome) if nome != "Sabbioneta" else sabbioneta,
            data_riferimento=giorno,
            residenti=residenti,
        )
    viadana = Ente.objects.get(comune__nome="Viadana")
    _persona("nicola@example.org", "Nicola Cavatorta", ambito, Ruolo.Tipo.SINDACO, viadana)
    assessore = _persona(
        "giulia@example.org", "Giulia Rossi", ambito, Ruolo.Tipo.DELEGATO_SINDACO, viadana
    )
    sindaca = _persona(
        "laura@example.org", "Laura Bocchi", ambito, Ruolo.Tipo.SINDACO, ente_sabbioneta
    )
    assemblea = Tavolo.objects.create(
        ambito=ambito,
        tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI,
        nome="Assemblea dei Sindaci",
        regola_voto=RegolaVotoFactory(
            nome="Voto ponderato per popolazione", peso=RegolaVoto.Peso.POPOLAZIONE
        ),
    )
    services.aggiungi_comuni(assemblea, by=staff)
    assert assemblea.membri.count() == 3

    # Staff open the online vote.
    sign_in(page, staff, password)
    page.goto(f"/tavoli/{assemblea.pk}/votazioni/nuova/")
    page.locator("#id_oggetto").fill("Adesione al progetto di pronto intervento sociale")
    page.locator("input[name=modalita][value=online]").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/tavoli/votazioni/\d+/$"))
    votazione_url = page.url
    assert_accessible(page)

    # Each mayor (for Viadana, the mayor's delegate) votes in the browser.
    for user, scelta in [
        (sindaco, "favorevole"),
        (sindaca, "favorevole"),
        (assessore, "contrario"),
    ]:
        context = page.context.browser.new_context(base_url=live_server.url, locale="it-IT")
        voter = context.new_page()
        sign_in(voter, user, password)
        voter.goto(votazione_url)
        voter.locator(f"input[name$=scelta][value={scelta}]").check()
        voter.locator("main form button[type=submit]").first.click()
        expect(voter.locator("[data-mio-voto]")).to_have_attribute("data-mio-voto", scelta)
        assert_accessible(voter)
        context.close()

    # Staff close and count: heads 2 to 1, but the population decides.
    page.goto(votazione_url)
    page.locator("form[action$='/chiudi/'] button[type=submit]").click()
    expect(page.locator("[data-esito]").first).to_have_attribute("data-esito", "respinta")
    expect(page.locator("[data-conta=favorevoli-teste]")).to_have_text("2")
    expect(page.locator("[data-conta=contrari-teste]")).to_have_text("1")
    expect(page.locator("[data-conta=favorevoli-peso]")).to_have_text("19.400")
    expect(page.locator("[data-conta=contrari-peso]")).to_have_text("19.700")
    expect(page.locator("[data-conta=presenti-peso]")).to_have_text("39.100")
    expect(page.locator("main")).to_contain_text("Giulia Rossi")  # who cast Viadana's vote
    assert_accessible(page)

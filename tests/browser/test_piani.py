"""In a real browser, the whole cycle of a Piano di Zona: the Ufficio di Piano drafts the
plan (two sections, an objective, three budget lines typed the Italian way) and checks the
budget's exact total; it opens a consultation, an admitted organisation comments on a section,
the staff answer and accept the comment and close the consultation; the plan goes to the
online vote of the Assemblea dei Sindaci, where two big comuni carry it by population
against three small ones (heads lost, weight won); the staff record the approval; the
organisation asks to adhere and is accepted; the staff prepare the accordo di programma,
generate its PDF and download it, and the PDF read back with pdftotext names the
signatories, the budget total and the approval date.

The pages are located by ids, names, form actions and URLs: their Italian texts may change."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ambiti.models import Ente, Popolazione, Ruolo
from piani.models import (
    Adesione,
    Consultazione,
    FonteFinanziamento,
    Osservazione,
    Piano,
    VoceBudget,
)
from tavoli import services as tavoli_services
from tavoli.models import RegolaVoto, Tavolo
from terzo_settore.models import Domanda, Organizzazione
from tests.ambiti.factories import AppartenenzaFactory, ComuneFactory
from tests.browser.conftest import assert_accessible
from tests.browser.test_adesione import sign_in
from tests.conftest import _persona
from tests.piani.factories import fonte
from tests.piani.pdf import leggi_pdf
from tests.tavoli.factories import RegolaVotoFactory
from tests.terzo_settore.factories import DomandaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF_TIMEOUT = 60_000  # ms: WeasyPrint renders the accordo (in the request when Celery is eager)

# The comuni of the ambito, their residents and how their mayor votes: the three small ones
# vote against, a majority of heads (3 of 5), but the two big ones carry the plan under the
# population-weighted rule (35,000 of the 39,310 residents).
COMUNI = [
    # (codice catastale, nome, residenti, sindaco, e-mail, voto)
    ("L826", "Viadana", 19700, "Nicola Cavatorta", "nicola@example.org", "favorevole"),
    ("B898", "Casalmaggiore", 15300, "Filippo Bongiovanni", "filippo@example.org", "favorevole"),
    ("H357", "Rivarolo del Re ed Uniti", 1950, "Luca Belli", "luca@example.org", "contrario"),
    ("H918", "San Giovanni in Croce", 1800, "Pierguido Asinari", "pier@example.org", "contrario"),
    ("C153", "Casteldidone", 560, "Maria Grazia Bini", "mariagrazia@example.org", "contrario"),
]


def _submit(page, action):
    page.locator(f"form[action='{action}'] button[type=submit]").first.click()


MESI = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)


def _data_lunga(giorno):
    """The date as the PDFs write it (templates/pdf/piani/_data.html): "4 dicembre 2026"."""
    return f"{giorno.day}{'°' if giorno.day == 1 else ''} {MESI[giorno.month - 1]} {giorno.year}"


def test_the_whole_cycle_from_draft_to_the_accordo_pdf(
    page, browser, live_server, settings, tmp_path, ambito, staff, referente, password
):
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PEC_EMAIL = None

    # --- The starting situation: the ambito, its parties, the Assemblea, the organisation.
    sindaci = {}
    for codice, nome, residenti, sindaco, email, _voto in COMUNI:
        comune = ComuneFactory(codice_catastale=codice, nome=nome, provincia="CR")
        if not ambito.comuni.filter(pk=comune.pk).exists():
            AppartenenzaFactory(ambito=ambito, comune=comune)
        ente, _ = Ente.objects.get_or_create(
            comune=comune, defaults={"tipo": Ente.Tipo.COMUNE, "denominazione": f"Comune di {nome}"}
        )
        ente.ambiti.add(ambito)
        Popolazione.objects.create(
            comune=comune, data_riferimento=datetime.date(2025, 1, 1), residenti=residenti
        )
        sindaci[nome] = _persona(email, sindaco, ambito, Ruolo.Tipo.SINDACO, ente)
    ambito.ente_capofila = Ente.objects.get(comune__nome="Casalmaggiore")
    ambito.save()
    ats = Ente.objects.create(tipo=Ente.Tipo.ATS_ASL, denominazione="ATS della Val Padana")
    ats.ambiti.add(ambito)

    assemblea = Tavolo.objects.create(
        ambito=ambito,
        tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI,
        nome="Assemblea dei Sindaci dell'Ambito Oglio Po",
        regola_voto=RegolaVotoFactory(
            nome="Voto ponderato per popolazione",
            peso=RegolaVoto.Peso.POPOLAZIONE,
            maggioranza=RegolaVoto.Maggioranza.PRESENTI,
        ),
    )
    seduti, senza_sindaco = tavoli_services.aggiungi_comuni(assemblea, by=staff)
    assert len(seduti) == len(COMUNI) and not senza_sindaco
    assert {m.delegato_email for m in seduti} == {c[4] for c in COMUNI}

    organizzazione = Organizzazione.objects.get(referenti__user=referente)
    organizzazione.rappresentante_legale = "Giovanna Ferrari"
    organizzazione.save()
    DomandaFactory(
        avviso__ambito=ambito,
        avviso__titolo="Adesione al Piano di Zona",
        organizzazione=organizzazione,
        stato=Domanda.Stato.AMMESSA,
    )
    # The shared funding sources of the data migration (flushed after a transactional test).
    fnps = fonte("fnps")
    fsr, _ = FonteFinanziamento.objects.get_or_create(
        ambito=None,
        codice="fsr",
        defaults={"nome": "Fondo sociale regionale", "tipo": FonteFinanziamento.Tipo.REGIONALE},
    )

    # --- Staff create the plan.
    sign_in(page, staff, password)
    anno = timezone.localdate().year
    page.goto(f"/piani/nuovo/?ambito={ambito.codice}")
    page.locator("#id_anno_inizio").fill(str(anno))
    page.locator("#id_titolo").fill(f"Piano di Zona {anno}-{anno + 2}")
    page.locator("main form.pdz-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/piani/\d+/$"))
    piano = Piano.objects.get()
    assert (piano.ambito, piano.anno_inizio) == (ambito, anno)
    assert_accessible(page)

    # ... write two sections of the document ...
    testi = {
        "a": "Il territorio conta **39.310 residenti** in cinque comuni.",
        "b": "Le priorità sono la domiciliarità e il contrasto alla povertà.",
    }
    for lettera, testo in testi.items():
        page.goto(f"/piani/{piano.pk}/sezioni/{lettera}/modifica/")
        page.locator("#id_testo").fill(testo)
        page.locator("main form.pdz-form button[type=submit]:not([name=anteprima])").click()
        expect(page).to_have_url(re.compile(rf"/piani/{piano.pk}/sezioni/{lettera}/$"))
    expect(page.locator("main")).to_contain_text("contrasto alla povertà")
    assert dict(piano.sezioni.filter(lettera__in="ab").values_list("lettera", "testo")) == testi

    # ... add an objective ...
    page.goto(f"/piani/{piano.pk}/obiettivi/nuovo/")
    page.locator("#id_codice").fill("OB1")
    page.locator("#id_titolo").fill("Sostenere la domiciliarità degli anziani")
    page.locator("main form.pdz-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/piani/obiettivi/\d+/$"))
    obiettivo = piano.obiettivi.get(codice="OB1")

    # ... and three budget lines in two years from two sources, typed the Italian way.
    righe = [
        (anno, fnps, obiettivo, "12.345,67"),
        (anno, fsr, None, "8.000,50"),
        (anno + 1, fnps, obiettivo, "1.234,56"),
    ]
    for anno_voce, fonte_voce, obiettivo_voce, importo in righe:
        page.goto(f"/piani/{piano.pk}/budget/nuova/")
        page.locator("#id_anno").select_option(str(anno_voce))
        page.locator("#id_fonte").select_option(str(fonte_voce.pk))
        if obiettivo_voce:
            page.locator("#id_obiettivo").select_option(str(obiettivo_voce.pk))
        page.locator("#id_tipo_spesa").select_option(VoceBudget.TipoSpesa.SERVIZI)
        page.locator("#id_previsto").fill(importo)
        page.locator("main form.pdz-form button[type=submit]").click()
        expect(page).to_have_url(re.compile(rf"/piani/{piano.pk}/budget/$"))
    # Hand-computed: 12.345,67 + 8.000,50 + 1.234,56 = 21.580,73
    totale = Decimal("12345.67") + Decimal("8000.50") + Decimal("1234.56")
    assert totale == Decimal("21580.73")
    assert sum(v.previsto for v in piano.voci_budget.all()) == totale
    expect(page.locator("[data-totale=previsto]")).to_have_text("€ 21.580,73")
    expect(page.locator("main table tbody tr")).to_have_count(3)
    assert_accessible(page)

    # --- Staff open a consultation, closing in the future (the form's default: 30 days).
    page.goto(f"/piani/{piano.pk}/consultazioni/nuova/")
    chiude = timezone.localtime() + datetime.timedelta(days=20)
    page.locator("#id_chiude_at").fill(f"{chiude:%Y-%m-%dT%H:%M}")
    page.locator("main form.pdz-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/piani/consultazioni/\d+/$"))
    consultazione = Consultazione.objects.get(piano=piano)
    piano.refresh_from_db()
    assert piano.stato == Piano.Stato.CONSULTAZIONE
    consultazione_url = page.url

    # --- The organisation's referente comments on section b).
    org_context = browser.new_context(base_url=live_server.url, locale="it-IT")
    org = org_context.new_page()
    sign_in(org, referente, password)
    org.goto(consultazione_url)
    sezione_b = org.locator("#sezione-b")
    sezione_b.locator("details > summary").click()
    sezione_b.locator("#id_oss-b-ente").select_option(str(organizzazione.ente_id))
    sezione_b.locator("#id_oss-b-testo").fill(
        "Chiediamo di includere il trasporto sociale tra le priorità."
    )
    sezione_b.locator("form button[type=submit]").click()
    expect(org).to_have_url(re.compile(r"#osservazione-\d+$"))
    osservazione = Osservazione.objects.get(consultazione=consultazione)
    assert (osservazione.sezione, osservazione.ente) == ("b", organizzazione.ente)
    expect(org.locator(f"#osservazione-{osservazione.pk}")).to_contain_text("trasporto sociale")
    assert_accessible(org)

    # --- Staff answer, accept the comment and close the consultation.
    page.goto(consultazione_url)
    expect(page.locator(f"#osservazione-{osservazione.pk}")).to_be_visible()
    assert_accessible(page)
    scheda = page.locator(f"#osservazione-{osservazione.pk}")
    scheda.locator("details > summary").click()
    scheda.locator(f"input[name=r{osservazione.pk}-esito][value=accolta]").check()
    scheda.locator(f"#id_r{osservazione.pk}-risposta").fill(
        "Accolta: il trasporto sociale entra nell'obiettivo OB1."
    )
    _submit(page, f"/piani/osservazioni/{osservazione.pk}/risposta/")
    expect(page).to_have_url(re.compile(rf"#osservazione-{osservazione.pk}$"))
    expect(scheda.locator("[data-esito]")).to_have_attribute("data-esito", "accolta")
    expect(scheda).to_contain_text("entra nell'obiettivo OB1")
    osservazione.refresh_from_db()
    assert osservazione.esito == Osservazione.Esito.ACCOLTA and osservazione.risposta_at
    chiudi = f"/piani/consultazioni/{consultazione.pk}/chiudi/"
    _submit(page, chiudi)
    expect(page.locator(f"form[action='{chiudi}']")).to_have_count(0)  # closed: no more button
    consultazione.refresh_from_db()
    assert consultazione.chiude_at <= timezone.now()

    # --- Staff put the plan to the Assemblea's online vote.
    approvazione_url = f"/piani/{piano.pk}/approvazione/"
    page.goto(approvazione_url)
    page.locator("#id_tavolo").select_option(str(assemblea.pk))
    page.locator("input[name=modalita][value=online]").check()
    domani = timezone.localtime() + datetime.timedelta(days=1)
    page.locator("#id_chiude_at").fill(f"{domani:%Y-%m-%dT%H:%M}")
    page.locator("main form.pdz-form button[type=submit]").click()
    expect(page.locator("[data-stato-piano]").first).to_have_attribute(
        "data-stato-piano", "votazione"
    )
    piano.refresh_from_db()
    votazione_url = f"/tavoli/votazioni/{piano.votazione_id}/"
    expect(page.locator(f"main a[href='{votazione_url}']").first).to_be_visible()

    # --- Each mayor votes online: the big comuni for, the small ones against.
    for _codice, nome, _residenti, _sindaco, _email, voto in COMUNI:
        context = browser.new_context(base_url=live_server.url, locale="it-IT")
        sindaco_page = context.new_page()
        sign_in(sindaco_page, sindaci[nome], password)
        sindaco_page.goto(votazione_url)
        sindaco_page.locator(f"input[name$=scelta][value={voto}]").check()
        sindaco_page.locator("main form button[type=submit]").first.click()
        expect(sindaco_page.locator("[data-mio-voto]")).to_have_attribute("data-mio-voto", voto)
        context.close()

    # --- Staff close the vote and record the outcome: approved by population.
    page.goto(approvazione_url)
    _submit(page, f"/piani/{piano.pk}/approvazione/esito/")
    expect(page.locator("[data-stato-piano]").first).to_have_attribute(
        "data-stato-piano", "approvato"
    )
    expect(page.locator("[data-versione-approvata]")).to_be_visible()
    expect(page.locator("[data-conta=favorevoli-teste]")).to_have_text("2")
    expect(page.locator("[data-conta=contrari-teste]")).to_have_text("3")
    expect(page.locator("[data-conta=favorevoli-peso]")).to_have_text("35.000")
    expect(page.locator("[data-conta=contrari-peso]")).to_have_text("4.310")
    assert_accessible(page)
    piano.refresh_from_db()
    oggi = timezone.localdate()
    assert piano.stato == Piano.Stato.APPROVATO and piano.approvato_il == oggi
    assert piano.versione_approvata is not None

    # --- The organisation asks to adhere to the accordo ...
    org.goto(f"/piani/{piano.pk}/adesione/")
    org.locator("#id_organizzazione").select_option(str(organizzazione.pk))
    org.locator("#id_impegni").fill("Mettiamo a disposizione due mezzi per il trasporto sociale.")
    org.locator("#id_firmatario_nome").fill("Giovanna Ferrari")
    org.locator("#id_firmatario_qualifica").fill("Legale rappresentante")
    org.locator("main form.pdz-form button[type=submit]").click()
    expect(org.locator(".alert-success")).to_be_visible()
    adesione = Adesione.objects.get(piano=piano, organizzazione=organizzazione)
    assert adesione.stato == Adesione.Stato.RICHIESTA
    org_context.close()

    # ... and the staff accept it.
    page.goto(f"/piani/{piano.pk}/adesioni/")
    page.locator(f"main a[href='/piani/adesioni/{adesione.pk}/decidi/']").first.click()
    expect(page).to_have_url(re.compile(rf"/piani/adesioni/{adesione.pk}/decidi/$"))
    page.locator("input[name=esito][value=accogli]").check()
    page.locator("main form.pdz-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/piani/{piano.pk}/adesioni/$"))
    adesione.refresh_from_db()
    assert adesione.stato == Adesione.Stato.ACCOLTA

    # --- Staff prepare the accordo, generate its PDF and download it.
    accordo_url = f"/piani/{piano.pk}/accordo/"
    page.goto(accordo_url)
    assert_accessible(page)
    _submit(page, f"/piani/{piano.pk}/accordo/prepara/")
    genera = f"/piani/{piano.pk}/accordo/genera/"
    expect(page.locator(f"form[action='{genera}']")).to_be_visible()
    _submit(page, genera)
    # Celery is eager in tests; otherwise the page refreshes itself until the PDF is there.
    link = page.locator(f"main a[href='/piani/{piano.pk}/accordo/pdf/']").first
    expect(link).to_be_visible(timeout=PDF_TIMEOUT)
    assert_accessible(page)
    response = page.context.request.get(link.get_attribute("href"))  # the signed-in session
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "accordo.pdf"
    pdf.write_bytes(response.body())
    text = leggi_pdf(pdf)

    # The signatories: every comune, the ATS, the adhering organisation.
    for _codice, nome, *_resto in COMUNI:
        assert f"Comune di {nome}" in text, nome
    assert "ATS della Val Padana" in text
    assert "Cooperativa sociale Il Girasole" in text
    # The budget total, the Italian way, and the day the Assemblea approved the plan.
    assert "€ 21.580,73" in text
    assert _data_lunga(oggi) in text

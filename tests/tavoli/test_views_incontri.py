"""Meetings: planning one with its agenda, its page for the public, the members and the
staff, the list of meetings, and the documents of a meeting."""

import io
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pdz.models import AuditLog
from tavoli.models import Convocazione, Documento, Incontro, PuntoOdg
from tests.tavoli.factories import IncontroFactory, MembroFactory, PuntoOdgFactory, TavoloFactory
from tests.tavoli.test_views_tavoli import (
    PERSONAS,
    as_persona,
    tavolo_interno,
    tavolo_pubblico,
    url_exists,
)


@pytest.fixture
def tavolo(ambito, staff):
    return tavolo_pubblico(ambito, staff)


@pytest.fixture
def interno(ambito):
    return tavolo_interno(ambito)


ROMA = ZoneInfo("Europe/Rome")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def messaggi(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def prossimo(giorni, ora=16, minuti=30):
    day = timezone.localdate() + timedelta(days=giorni)
    return datetime(day.year, day.month, day.day, ora, minuti, tzinfo=ROMA)


def dati_incontro(**overrides):
    inizio = prossimo(20)
    dati = {
        "titolo": "Prima seduta del tavolo",
        "inizio": local(inizio),
        "fine": local(inizio + timedelta(hours=2)),
        "luogo": "Sala consiliare, Piazza Garibaldi 26, Casalmaggiore",
        "link_online": "",
        "note": "Parcheggio in piazza.",
        "punti-TOTAL_FORMS": "3",
        "punti-INITIAL_FORMS": "0",
        "punti-MIN_NUM_FORMS": "0",
        "punti-MAX_NUM_FORMS": "1000",
        "punti-0-titolo": "Insediamento del tavolo",
        "punti-0-descrizione": "Presentazione dei componenti.",
        "punti-1-titolo": "",
        "punti-1-descrizione": "",
        "punti-2-titolo": "Varie ed eventuali",
        "punti-2-descrizione": "",
    }
    dati.update(overrides)
    return dati


@pytest.fixture
def incontro(tavolo, staff):
    incontro = IncontroFactory(
        tavolo=tavolo,
        titolo="Seduta di dicembre",
        inizio=prossimo(20),
        fine=prossimo(20) + timedelta(hours=2),
        link_online="https://meet.example.org/tavolo-anziani",
        note="Codice di accesso 4321.",
        created_by=staff,
    )
    PuntoOdgFactory(incontro=incontro, numero=1, titolo="Insediamento del tavolo")
    PuntoOdgFactory(incontro=incontro, numero=2, titolo="Analisi dei bisogni")
    return incontro


# --- the role × action matrix ---------------------------------------------------------------

VEDE_TUTTI = dict.fromkeys(PERSONAS, 200)
VEDE_INTERNO = {**VEDE_TUTTI, "anonymous": 404, "alice": 404, "staff_altro": 404}
GESTISCE = {**dict.fromkeys(PERSONAS, 403), "anonymous": 302, "staff": 200, "admin_regionale": 200}
GESTISCE_INTERNO = {**GESTISCE, "alice": 404, "staff_altro": 404}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("pubblico", "nome", "attesi"),
    [
        (True, "tavoli:incontro", VEDE_TUTTI),
        (True, "tavoli:incontro_modifica", GESTISCE),
        (True, "tavoli:incontro_convoca", GESTISCE),
        (True, "tavoli:incontro_annulla", GESTISCE),
        (True, "tavoli:consegne", GESTISCE),
        (True, "tavoli:documento_nuovo", GESTISCE),
        (False, "tavoli:incontro", VEDE_INTERNO),
        (False, "tavoli:incontro_modifica", GESTISCE_INTERNO),
        (False, "tavoli:incontro_convoca", GESTISCE_INTERNO),
        (False, "tavoli:consegne", GESTISCE_INTERNO),
        (False, "tavoli:documento_nuovo", GESTISCE_INTERNO),
    ],
)
def test_who_may_see_and_run_a_meeting(client, request, incontro, persona, pubblico, nome, attesi):
    incontro.tavolo.pubblico = pubblico
    incontro.tavolo.save()
    response = as_persona(client, request, persona).get(reverse(nome, args=[incontro.pk]))
    assert response.status_code == attesi[persona]


def test_the_staff_of_another_ambito_taking_part_run_its_meetings(
    client, incontro, staff_altro, altro_ambito
):
    incontro.tavolo.pubblico = False
    incontro.tavolo.save()
    incontro.tavolo.ambiti_coinvolti.add(altro_ambito)
    client.force_login(staff_altro)
    assert client.get(reverse("tavoli:incontro_modifica", args=[incontro.pk])).status_code == 200
    assert client.get(reverse("tavoli:consegne", args=[incontro.pk])).status_code == 200


# --- planning and editing -------------------------------------------------------------------


def test_staff_plan_a_meeting_with_its_agenda(client, tavolo, staff):
    client.force_login(staff)
    url = reverse("tavoli:incontro_nuovo", args=[tavolo.pk])
    assert len(client.get(url).context["formset"]) == 3
    response = client.post(url, dati_incontro())
    incontro = Incontro.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("tavoli:incontro", args=[incontro.pk])
    assert (incontro.tavolo, incontro.stato, incontro.created_by) == (
        tavolo,
        Incontro.Stato.PIANIFICATO,
        staff,
    )
    assert timezone.localtime(incontro.inizio).strftime("%H:%M") == "16:30"
    assert list(incontro.punti.values_list("numero", "titolo", "descrizione")) == [
        (1, "Insediamento del tavolo", "Presentazione dei componenti."),
        (2, "Varie ed eventuali", ""),
    ]
    assert AuditLog.objects.filter(action="incontro.creato", user=staff).exists()


@pytest.mark.parametrize(
    ("overrides", "campo"),
    [
        ({"fine": local(prossimo(20, 15))}, "fine"),
        ({"luogo": "", "link_online": ""}, "luogo"),
        ({"link_online": "non un indirizzo"}, "link_online"),
        ({"titolo": ""}, "titolo"),
    ],
    ids=["ends-before-start", "no-place-no-link", "bad-link", "no-title"],
)
def test_a_wrong_meeting_shows_the_error_by_its_field_and_keeps_the_input(
    client, tavolo, staff, overrides, campo
):
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:incontro_nuovo", args=[tavolo.pk]), dati_incontro(**overrides)
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [campo]
    page = response.content.decode()
    assert 'value="Insediamento del tavolo"' in page
    assert "Parcheggio in piazza." in page
    assert Incontro.objects.count() == 0


def test_an_online_meeting_needs_no_place(client, tavolo, staff):
    client.force_login(staff)
    dati = dati_incontro(luogo="", link_online="https://meet.example.org/abc")
    assert client.post(reverse("tavoli:incontro_nuovo", args=[tavolo.pk]), dati).status_code == 302
    assert Incontro.objects.get().link_online == "https://meet.example.org/abc"


def test_a_description_without_a_title_is_refused(client, tavolo, staff):
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:incontro_nuovo", args=[tavolo.pk]),
        dati_incontro(**{"punti-1-descrizione": "Senza titolo"}),
    )
    assert response.status_code == 200
    assert response.context["formset"].errors[1] == {
        "titolo": ["Give the item a title, or clear its description."]
    }


def test_editing_the_agenda_keeps_the_items_in_order(client, incontro, staff):
    client.force_login(staff)
    url = reverse("tavoli:incontro_modifica", args=[incontro.pk])
    formset = client.get(url).context["formset"]
    assert [f.initial["titolo"] for f in formset.forms[:2]] == [
        "Insediamento del tavolo",
        "Analisi dei bisogni",
    ]
    assert len(formset.forms) == 5
    dati = dati_incontro(
        titolo="Seduta di dicembre",
        inizio=local(incontro.inizio),
        fine=local(incontro.fine),
        luogo=incontro.luogo,
        link_online=incontro.link_online,
        **{
            "punti-TOTAL_FORMS": "3",
            "punti-INITIAL_FORMS": "2",
            "punti-0-titolo": "Insediamento del tavolo",
            "punti-0-descrizione": "",
            "punti-1-titolo": "Analisi dei bisogni dell'area anziani",
            "punti-2-titolo": "Calendario dei lavori",
        },
    )
    response = client.post(url, dati)
    assert response.status_code == 302
    assert list(incontro.punti.values_list("titolo", flat=True)) == [
        "Insediamento del tavolo",
        "Analisi dei bisogni dell'area anziani",
        "Calendario dei lavori",
    ]
    assert messaggi(response) == ["The changes to the meeting have been saved."]


def test_an_item_with_minutes_cannot_be_dropped(client, incontro, staff):
    PuntoOdg.objects.filter(incontro=incontro, numero=2).update(verbale="Discusso.")
    client.force_login(staff)
    dati = dati_incontro(
        inizio=local(incontro.inizio),
        fine=local(incontro.fine),
        **{"punti-TOTAL_FORMS": "1", "punti-0-titolo": "Solo il primo"},
    )
    response = client.post(reverse("tavoli:incontro_modifica", args=[incontro.pk]), dati)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Item 2 has minutes or votes and cannot be removed."
    ]
    assert incontro.punti.count() == 2


def test_a_meeting_held_cannot_be_edited(client, incontro, staff):
    incontro.stato = Incontro.Stato.SVOLTO
    incontro.save()
    client.force_login(staff)
    response = client.get(reverse("tavoli:incontro_modifica", args=[incontro.pk]))
    assert response.status_code == 302
    assert response.url == reverse("tavoli:incontro", args=[incontro.pk])
    assert messaggi(response) == ["A meeting already held or cancelled cannot change."]


# --- the page of a meeting ------------------------------------------------------------------


def test_the_date_is_written_the_italian_way(client, tavolo, staff):
    incontro = IncontroFactory(
        tavolo=tavolo,
        inizio=datetime(2026, 9, 29, 16, 30, tzinfo=ROMA),
        fine=datetime(2026, 9, 29, 18, 30, tzinfo=ROMA),
        stato=Incontro.Stato.SVOLTO,
        created_by=staff,
    )
    response = client.get(reverse("tavoli:incontro", args=[incontro.pk]), HTTP_ACCEPT_LANGUAGE="it")
    assert response.context["quando"].startswith("martedì 29 settembre 2026, ")
    assert response.context["quando"].endswith(" 16:30")
    assert response.context["fine"] == "18:30"
    assert "martedì 29 settembre 2026" in response.content.decode()


def test_the_public_sees_date_place_agenda_and_state_only(client, incontro):
    documento = Documento.objects.create(
        incontro=incontro,
        tipo=Documento.Tipo.DOCUMENTO,
        titolo="Bozza del piano",
        file=SimpleUploadedFile("bozza.pdf", PDF),
        caricato_da=incontro.created_by,
    )
    page = client.get(reverse("tavoli:incontro", args=[incontro.pk])).content.decode()
    for testo in ["Seduta di dicembre", "Sala consiliare", "Analisi dei bisogni", "Planned"]:
        assert testo in page, testo
    assert "meet.example.org" not in page
    assert "Codice di accesso" not in page
    assert reverse("tavoli:documento", args=[documento.pk]) not in page
    assert reverse("tavoli:incontro_modifica", args=[incontro.pk]) not in page
    assert reverse("tavoli:incontro_convoca", args=[incontro.pk]) not in page


def test_staff_see_the_actions_of_a_planned_meeting(client, incontro, staff):
    client.force_login(staff)
    page = client.get(reverse("tavoli:incontro", args=[incontro.pk])).content.decode()
    for nome in ["incontro_modifica", "incontro_convoca", "incontro_annulla", "documento_nuovo"]:
        assert reverse(f"tavoli:{nome}", args=[incontro.pk]) in page, nome
    assert reverse("tavoli:consegne", args=[incontro.pk]) not in page  # nobody convened yet
    assert "meet.example.org/tavolo-anziani" in page and "Codice di accesso 4321." in page
    if url_exists("tavoli:votazione_nuova", incontro.tavolo_id):
        punto = incontro.punti.first()
        voto = reverse("tavoli:votazione_nuova", args=[incontro.tavolo_id])
        assert f"{voto}?punto={punto.pk}" in page


def test_staff_see_attendance_and_minutes_of_a_meeting_held(client, tavolo, staff):
    incontro = IncontroFactory(
        tavolo=tavolo,
        inizio=timezone.now() - timedelta(days=2),
        stato=Incontro.Stato.SVOLTO,
        created_by=staff,
    )
    client.force_login(staff)
    page = client.get(reverse("tavoli:incontro", args=[incontro.pk])).content.decode()
    assert reverse("tavoli:incontro_modifica", args=[incontro.pk]) not in page
    assert reverse("tavoli:incontro_annulla", args=[incontro.pk]) not in page
    if url_exists("tavoli:presenze", incontro.pk):
        assert reverse("tavoli:presenze", args=[incontro.pk]) in page
    if url_exists("tavoli:verbale", incontro.pk):
        assert reverse("tavoli:verbale", args=[incontro.pk]) in page


def test_a_member_sees_their_convocation_and_the_link_to_answer(client, incontro, alice, staff):
    membro = MembroFactory(
        tavolo=incontro.tavolo,
        delegato_nome="Alice Bianchi",
        delegato_email="Alice@example.org",
    )
    incontro.stato = Incontro.Stato.CONVOCATO
    incontro.save()
    convocazione = Convocazione.objects.create(
        incontro=incontro,
        membro=membro,
        destinatario=Convocazione.Destinatario.DELEGATO,
        canale=Convocazione.Canale.EMAIL,
        nome="Alice Bianchi",
        email="Alice@example.org",
        stato=Convocazione.Stato.INVIATA,
        risposta=Convocazione.Risposta.SI,
    )
    client.force_login(alice)
    response = client.get(reverse("tavoli:incontro", args=[incontro.pk]))
    [(mia, link)] = response.context["mie_convocazioni"]
    assert mia == convocazione
    page = response.content.decode()
    assert link in page
    assert "Will attend" in page
    # A member sees the papers and the online link, not the staff's actions.
    assert "meet.example.org/tavolo-anziani" in page
    assert reverse("tavoli:incontro_convoca", args=[incontro.pk]) not in page


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_the_meetings_one_may_see_with_filters_and_csv(
    client, tavolo, interno, staff, staff_altro
):
    pubblico = IncontroFactory(tavolo=tavolo, titolo="Seduta pubblica", created_by=staff)
    riservato = IncontroFactory(
        tavolo=interno,
        titolo="Seduta riservata",
        inizio=timezone.now() - timedelta(days=40),
        stato=Incontro.Stato.SVOLTO,
        created_by=staff,
    )
    url = reverse("tavoli:incontri")

    def titoli(client, **params):
        return [i.titolo for i in client.get(url, params).context["page"]]

    assert titoli(client) == ["Seduta pubblica"]
    client.force_login(staff_altro)
    assert titoli(client) == ["Seduta pubblica"]
    client.force_login(staff)
    assert titoli(client) == ["Seduta pubblica", "Seduta riservata"]
    assert titoli(client, tavolo=interno.pk) == ["Seduta riservata"]
    assert titoli(client, stato=Incontro.Stato.SVOLTO) == ["Seduta riservata"]
    assert titoli(client, q="pubblica") == ["Seduta pubblica"]
    assert titoli(client, q=interno.nome[:10]) == ["Seduta riservata"]
    oggi = timezone.localdate()
    assert titoli(client, dal=oggi.isoformat()) == ["Seduta pubblica"]
    assert titoli(client, al=oggi.isoformat()) == ["Seduta riservata"]
    csv = client.get(url, {"format": "csv"}).content.decode("utf-8-sig").splitlines()
    assert csv[0] == "Date;Starts at;Ends at;Body;Ambito;Title;Place;State"
    assert len(csv) == 3 and "Seduta riservata" in csv[2]
    assert pubblico.pk and riservato.pk


def test_a_body_from_the_list_of_another_ambito_is_not_offered_as_filter(
    client, interno, staff_altro
):
    client.force_login(staff_altro)
    response = client.get(reverse("tavoli:incontri"))
    assert interno not in response.context["filterset"].filters["tavolo"].queryset
    assert (
        response.context["filterset"].form.fields["tavolo"].queryset.filter(pk=interno.pk).count()
        == 0
    )


# --- documents ------------------------------------------------------------------------------


def docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def odt():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("nome", "contenuto", "estensione"),
    [("bozza.pdf", PDF, "pdf"), ("Relazione.DOCX", docx(), "docx"), ("nota.odt", odt(), "odt")],
)
def test_staff_upload_a_document_members_download_it_the_public_cannot(
    client, incontro, staff, alice, nome, contenuto, estensione
):
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:documento_nuovo", args=[incontro.pk]),
        {
            "tipo": Documento.Tipo.DOCUMENTO,
            "titolo": "Bozza del piano 2026",
            "file": SimpleUploadedFile(nome, contenuto),
        },
    )
    assert response.status_code == 302
    documento = incontro.documenti.get()
    assert documento.file.name.endswith(f"bozza-del-piano-2026.{estensione}")
    assert documento.caricato_da == staff
    assert AuditLog.objects.filter(action="documento.caricato", user=staff).exists()
    url = reverse("tavoli:documento", args=[documento.pk])
    assert url in client.get(reverse("tavoli:incontro", args=[incontro.pk])).content.decode()

    scaricato = client.get(url)
    assert scaricato.status_code == 200
    assert b"".join(scaricato.streaming_content) == contenuto
    assert "attachment" in scaricato["Content-Disposition"]

    client.logout()
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(alice)
    assert client.get(url).status_code == 404
    MembroFactory(tavolo=incontro.tavolo, delegato_email="alice@example.org")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("contenuto", "errore"),
    [
        (PNG, "This file is not a PDF, ODT, ODS, DOCX or XLSX document"),
        (b"PK\x03\x04 non uno zip", "This file is not a PDF, ODT, ODS, DOCX or XLSX document"),
        (PDF + b"0" * (10 * 1024 * 1024), "the limit is 10.0"),
    ],
    ids=["image", "broken-zip", "too-big"],
)
def test_a_document_is_checked_by_content_and_size(client, incontro, staff, contenuto, errore):
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:documento_nuovo", args=[incontro.pk]),
        {
            "tipo": Documento.Tipo.DOCUMENTO,
            "titolo": "Titolo da non perdere",
            "file": SimpleUploadedFile("documento.pdf", contenuto),
        },
    )
    assert response.status_code == 200
    [messaggio] = response.context["form"].errors["file"]
    assert errore in messaggio
    assert 'value="Titolo da non perdere"' in response.content.decode()
    assert not incontro.documenti.exists()


def test_a_removed_document_stays_in_the_database_but_is_gone(client, incontro, staff, sindaco):
    documento = Documento.objects.create(
        incontro=incontro,
        tipo=Documento.Tipo.DOCUMENTO,
        titolo="Bozza",
        file=SimpleUploadedFile("bozza.pdf", PDF),
        caricato_da=staff,
    )
    url = reverse("tavoli:documento_rimuovi", args=[documento.pk])
    client.force_login(sindaco)
    assert client.get(reverse("tavoli:documento", args=[documento.pk])).status_code == 200
    assert client.post(url).status_code == 403
    client.force_login(staff)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    documento.refresh_from_db()
    assert documento.rimosso_at is not None
    assert client.get(reverse("tavoli:documento", args=[documento.pk])).status_code == 404
    page = client.get(reverse("tavoli:incontro", args=[incontro.pk])).content.decode()
    assert reverse("tavoli:documento", args=[documento.pk]) not in page
    assert AuditLog.objects.filter(action="documento.rimosso", user=staff).exists()


def test_documents_of_an_internal_body_are_hidden_from_other_ambiti(
    client, interno, staff, staff_altro
):
    incontro = IncontroFactory(tavolo=interno, created_by=staff)
    documento = Documento.objects.create(
        incontro=incontro,
        tipo=Documento.Tipo.DOCUMENTO,
        titolo="Riservato",
        file=SimpleUploadedFile("r.pdf", PDF),
        caricato_da=staff,
    )
    client.force_login(staff_altro)
    assert client.get(reverse("tavoli:documento", args=[documento.pk])).status_code == 404
    rimuovi = reverse("tavoli:documento_rimuovi", args=[documento.pk])
    assert client.post(rimuovi).status_code == 404


def test_the_body_of_a_new_meeting_must_be_changeable(client, staff, altro_ambito):
    altrui = TavoloFactory(ambito=altro_ambito, pubblico=True)
    client.force_login(staff)
    response = client.post(reverse("tavoli:incontro_nuovo", args=[altrui.pk]), dati_incontro())
    assert response.status_code == 403
    assert not Incontro.objects.exists()

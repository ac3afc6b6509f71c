"""The accordo's pages end to end: the staff prepare it, edit the texts, generate the PDF
(the page waits, then offers it with its hash), send it to signature, upload the signed
copies, record the act and the BUR publication; who may see and do what."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from piani import documenti
from piani.models import Accordo, Firmatario, Piano
from piani.services import accordo as servizi
from tests.piani.factories import piano_con_sezioni
from tests.piani.test_accordo_servizi import (
    PDF,
    completa_ambito,
    firma_tutti,
    piano_approvato,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def piano(ambito, staff):
    completa_ambito(ambito)
    return piano_approvato(ambito, staff)


@pytest.fixture
def accordo(piano, staff):
    return servizi.prepara_accordo(piano, by=staff)


def dati_testi(**altri):
    return {
        "premesse": "**Visti:** la L. 328/2000.",
        "impegni": "Le parti si impegnano.",
        "durata": "Dal 1° gennaio 2025 al 31 dicembre 2027.",
        "governance": "Assemblea dei Sindaci e Ufficio di Piano.",
        **altri,
    }


def test_staff_prepare_the_accordo_from_the_page(client, staff, piano):
    client.force_login(staff)
    url = reverse("piani:accordo", args=[piano.pk])
    pagina = client.get(url).content.decode()
    assert "Prepare the accordo" in pagina
    assert "dal 1° gennaio 2025 al 31 dicembre 2027" in pagina  # the default duration

    response = client.post(reverse("piani:accordo_prepara", args=[piano.pk]), dati_testi())

    assert response.status_code == 302
    accordo = Accordo.objects.get()
    assert accordo.premesse == "**Visti:** la L. 328/2000."
    assert accordo.firmatari.count() == 4  # capofila Casalmaggiore, Viadana, ATS, ASST
    pagina = client.get(url).content.decode()
    assert "Comune di Viadana" in pagina and "ASST di Cremona" in pagina
    assert "The PDF has not been generated yet." in pagina


def test_empty_texts_are_refused_with_the_errors(client, staff, accordo, piano):
    client.force_login(staff)
    response = client.post(
        reverse("piani:accordo_prepara", args=[piano.pk]), dati_testi(governance="")
    )
    assert response.status_code == 400
    assert response.context["testi_form"].errors["governance"]
    accordo.refresh_from_db()
    assert accordo.governance


def test_staff_edit_the_texts_of_the_draft(client, staff, accordo, piano):
    client.force_login(staff)
    client.post(reverse("piani:accordo_prepara", args=[piano.pk]), dati_testi(impegni="Nuovi."))
    accordo.refresh_from_db()
    assert accordo.impegni == "Nuovi."


def test_no_accordo_before_approval(client, staff, ambito):
    piano = piano_con_sezioni(ambito, by=staff, anno_inizio=2028)
    client.force_login(staff)
    pagina = client.get(reverse("piani:accordo", args=[piano.pk])).content.decode()
    assert "once the Assemblea dei Sindaci has approved the plan" in pagina
    response = client.post(
        reverse("piani:accordo_prepara", args=[piano.pk]), dati_testi(), follow=True
    )
    assert "once the plan is approved" in response.content.decode()
    assert not Accordo.objects.exists()


def test_generate_wait_then_download(
    client, staff, accordo, piano, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    url = reverse("piani:accordo", args=[piano.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("piani:accordo_genera", args=[piano.pk]))
    pagina = client.get(url).content.decode()
    assert 'http-equiv="refresh"' in pagina
    assert "The PDF is being generated…" in pagina

    for callback in callbacks:  # the worker runs the task
        callback()
    pagina = client.get(url).content.decode()
    accordo.refresh_from_db()
    assert 'http-equiv="refresh"' not in pagina
    assert accordo.sha256 in pagina
    assert reverse("piani:accordo_pdf", args=[piano.pk]) in pagina
    assert "Send to signature" in pagina

    response = client.get(reverse("piani:accordo_pdf", args=[piano.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("piani:accordo_genera", args=[piano.pk]), follow=True)
    assert callbacks == []
    assert "already up to date" in response.content.decode()


def test_changed_texts_ask_for_a_new_pdf(client, staff, accordo, piano):
    documenti.pdf_accordo(accordo)
    servizi.modifica_testi(accordo, durata="Cinque anni.", by=staff)
    client.force_login(staff)
    pagina = client.get(reverse("piani:accordo", args=[piano.pk])).content.decode()
    assert "generate it again before sending it to signature" in pagina
    assert "Send to signature" not in pagina
    response = client.post(reverse("piani:accordo_firma", args=[piano.pk]), follow=True)
    assert "Generate the PDF first" in response.content.decode()
    assert Accordo.objects.get().stato == Accordo.Stato.BOZZA


def test_a_rendering_error_is_shown(client, staff, accordo, piano):
    Accordo.objects.update(errore="ValueError: font missing")
    client.force_login(staff)
    pagina = client.get(reverse("piani:accordo", args=[piano.pk])).content.decode()
    assert "The PDF could not be generated" in pagina and "font missing" in pagina


def test_signature_act_and_publication_through_the_pages(client, staff, accordo, piano):
    documenti.pdf_accordo(accordo)
    client.force_login(staff)
    url = reverse("piani:accordo", args=[piano.pk])

    client.post(reverse("piani:accordo_firma", args=[piano.pk]))
    assert Accordo.objects.get().stato == Accordo.Stato.IN_FIRMA
    pagina = client.get(url).content.decode()
    assert "Upload the signed copy" in pagina and "Save the texts" not in pagina

    firmatari = list(accordo.firmatari.order_by("ordine"))
    copia = reverse("piani:copia_firmata", args=[firmatari[0].pk])
    assert client.get(copia).status_code == 200
    non_pdf = client.post(
        copia,
        {
            "file": SimpleUploadedFile("firma.pdf", b"not a pdf"),
            "firmato_il": "2025-04-02",
            "nome": "Filippo Bongiovanni",
            "qualifica": "Sindaco",
        },
    )
    assert non_pdf.status_code == 200 and non_pdf.context["form"].errors["file"]
    for n, firmatario in enumerate(firmatari):
        response = client.post(
            reverse("piani:copia_firmata", args=[firmatario.pk]),
            {
                "file": SimpleUploadedFile("firma.pdf", PDF),
                "firmato_il": f"2025-04-0{n + 2}",
                "nome": firmatario.nome or "Anna Verdi",
                "qualifica": firmatario.qualifica,
            },
            follow=True,
        )
    accordo.refresh_from_db()
    assert accordo.stato == Accordo.Stato.FIRMATO
    assert accordo.firmato_il == datetime.date(2025, 4, 5)
    assert "the accordo is signed (05/04/2025)" in response.content.decode()
    scarica = client.get(reverse("piani:copia_firmata_scarica", args=[firmatari[0].pk]))
    assert b"".join(scarica.streaming_content) == PDF

    troppo_presto = client.post(
        reverse("piani:accordo_atto", args=[piano.pk]),
        {"numero": "Decreto 7/2025", "data": "2025-04-04"},
    )
    assert troppo_presto.status_code == 400
    assert "05/04/2025" in troppo_presto.content.decode()
    client.post(
        reverse("piani:accordo_atto", args=[piano.pk]),
        {"numero": "Decreto 7/2025", "data": "2025-04-10"},
    )
    accordo.refresh_from_db()
    assert (accordo.stato, accordo.atto_numero) == (Accordo.Stato.APPROVATO, "Decreto 7/2025")

    client.post(
        reverse("piani:accordo_bur", args=[piano.pk]),
        {"riferimento": "BURL Serie Ordinaria n. 18", "data": "2025-05-02"},
    )
    accordo.refresh_from_db()
    assert accordo.stato == Accordo.Stato.PUBBLICATO
    pagina = client.get(url).content.decode()
    assert "BURL Serie Ordinaria n. 18" in pagina and "Decreto 7/2025" in pagina

    # the plan is now public: anyone downloads the accordo, not the signed copies
    client.logout()
    assert client.get(url).status_code == 200
    assert client.get(reverse("piani:accordo_pdf", args=[piano.pk])).status_code == 200
    assert (
        client.get(reverse("piani:copia_firmata_scarica", args=[firmatari[0].pk])).status_code
        == 404
    )


def test_future_act_date_is_refused(client, staff, accordo, piano):
    documenti.pdf_accordo(accordo)
    servizi.metti_in_firma(Accordo.objects.get(), by=staff)
    firma_tutti(accordo, staff)
    client.force_login(staff)
    response = client.post(
        reverse("piani:accordo_atto", args=[piano.pk]), {"numero": "1", "data": "2999-01-01"}
    )
    assert response.status_code == 400
    assert response.context["atto_form"].errors["data"]
    assert Accordo.objects.get().stato == Accordo.Stato.FIRMATO


# --- who may see and do what ------------------------------------------------------------------

PERSONE = ["anonimo", "alice", "sindaco", "referente", "staff", "staff_altro", "admin_regionale"]


def persona(client, request, nome):
    if nome != "anonimo":
        client.force_login(request.getfixturevalue(nome))


@pytest.mark.parametrize(
    ("nome", "status"),
    [("anonimo", 404), ("alice", 404), ("sindaco", 200), ("referente", 200),
     ("staff", 200), ("staff_altro", 404), ("admin_regionale", 200)],
)  # fmt: skip
def test_who_reads_the_draft_accordo_and_its_pdf(client, request, accordo, piano, nome, status):
    documenti.pdf_accordo(accordo)
    persona(client, request, nome)
    assert client.get(reverse("piani:accordo", args=[piano.pk])).status_code == status
    assert client.get(reverse("piani:accordo_pdf", args=[piano.pk])).status_code == status


@pytest.mark.parametrize(
    ("nome", "status"),
    [("anonimo", 404), ("alice", 404), ("sindaco", 403), ("referente", 403),
     ("staff", 302), ("staff_altro", 404), ("admin_regionale", 302)],
)  # fmt: skip
@pytest.mark.parametrize(
    "azione", ["accordo_prepara", "accordo_genera", "accordo_firma", "accordo_atto", "accordo_bur"]
)
def test_who_changes_the_accordo(client, request, accordo, piano, nome, status, azione):
    persona(client, request, nome)
    response = client.post(reverse(f"piani:{azione}", args=[piano.pk]), dati_testi())
    if status == 302 and azione in ("accordo_atto", "accordo_bur"):
        status = 400  # allowed, but the form of a later step does not fit a draft
    assert response.status_code == status
    accordo.refresh_from_db()
    assert accordo.stato == Accordo.Stato.BOZZA


@pytest.mark.parametrize(
    ("nome", "status"),
    [("anonimo", 404), ("alice", 404), ("sindaco", 200), ("referente", 403),
     ("staff", 200), ("staff_altro", 404), ("admin_regionale", 200)],
)  # fmt: skip
def test_who_uploads_a_signed_copy(client, request, accordo, piano, staff, nome, status):
    """The staff, and the mayor of the comune that signs (here the ente capofila)."""
    documenti.pdf_accordo(accordo)
    servizi.metti_in_firma(Accordo.objects.get(), by=staff)
    firmatario = accordo.firmatari.first()
    persona(client, request, nome)
    assert client.get(reverse("piani:copia_firmata", args=[firmatario.pk])).status_code == status
    client.post(
        reverse("piani:copia_firmata", args=[firmatario.pk]),
        {"file": SimpleUploadedFile("f.pdf", PDF), "firmato_il": "2025-04-02", "nome": "X",
         "qualifica": "Sindaco"},
    )  # fmt: skip
    firmatario.refresh_from_db()
    assert firmatario.firmato == (status == 200)


@pytest.mark.parametrize(
    ("nome", "status"),
    [("anonimo", 404), ("alice", 404), ("sindaco", 200), ("staff", 200), ("staff_altro", 404)],
)
def test_who_downloads_a_signed_copy(client, request, accordo, piano, staff, nome, status):
    documenti.pdf_accordo(accordo)
    servizi.metti_in_firma(Accordo.objects.get(), by=staff)
    firmatario = accordo.firmatari.first()
    servizi.carica_copia(
        firmatario, file=SimpleUploadedFile("f.pdf", PDF), firmato_il=datetime.date(2025, 4, 2),
        by=staff,
    )  # fmt: skip
    persona(client, request, nome)
    url = reverse("piani:copia_firmata_scarica", args=[firmatario.pk])
    assert client.get(url).status_code == status


def test_public_sees_the_accordo_only_when_approved_and_the_plan_published(
    client, accordo, piano, staff
):
    documenti.pdf_accordo(accordo)
    Piano.objects.filter(pk=piano.pk).update(pubblicato_at="2025-05-01T10:00Z")
    url = reverse("piani:accordo_pdf", args=[piano.pk])
    assert client.get(url).status_code == 404  # a draft stays internal
    Accordo.objects.update(stato=Accordo.Stato.APPROVATO)
    assert client.get(url).status_code == 200
    pagina = client.get(reverse("piani:accordo", args=[piano.pk])).content.decode()
    assert "Upload the signed copy" not in pagina and "Generate the PDF" not in pagina
    assert Firmatario.objects.first().ente.denominazione in pagina


def test_the_accordo_page_of_an_unknown_plan(client, staff):
    client.force_login(staff)
    assert client.get(reverse("piani:accordo", args=[999999])).status_code == 404


def test_accordo_page_queries_do_not_grow_with_signatories(client, ambito, piano, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.piani.test_accordo_servizi import adesione_accolta, ammessa

    def aderenti(start, stop):
        for n in range(start, stop):
            organizzazione = ammessa(ambito, ente__denominazione=f"Associazione {n:03d}")
            richiesta = adesione_accolta(piano, organizzazione, staff, stato="richiesta")
            servizi.decidi_adesione(richiesta, accolta=True, by=staff)

    def conta():
        with CaptureQueriesContext(connection) as catturate:
            assert client.get(reverse("piani:accordo", args=[piano.pk])).status_code == 200
        return len(catturate)

    client.force_login(staff)
    aderenti(0, 3)
    accordo = servizi.prepara_accordo(piano, by=staff)
    documenti.pdf_accordo(accordo)
    client.get(reverse("piani:accordo", args=[piano.pk]))
    pochi = conta()
    aderenti(3, 12)
    assert accordo.firmatari.count() == 4 + 12
    molti = conta()
    assert pochi == molti


def test_a_mayor_uploads_the_copy_of_their_comune_only(client, accordo, piano, staff, sindaco):
    documenti.pdf_accordo(accordo)
    servizi.metti_in_firma(Accordo.objects.get(), by=staff)
    suo, altro = accordo.firmatari.order_by("ordine")[:2]
    client.force_login(sindaco)

    pagina = client.get(reverse("piani:accordo", args=[piano.pk])).content.decode()
    assert reverse("piani:copia_firmata", args=[suo.pk]) in pagina
    assert reverse("piani:copia_firmata", args=[altro.pk]) not in pagina
    assert client.get(reverse("piani:copia_firmata", args=[altro.pk])).status_code == 403

    risposta = client.post(
        reverse("piani:copia_firmata", args=[suo.pk]),
        {"file": SimpleUploadedFile("f.pdf", PDF), "firmato_il": "2025-04-02",
         "nome": suo.nome or "Sindaco", "qualifica": "Sindaco"},
    )  # fmt: skip
    assert risposta.status_code == 302
    suo.refresh_from_db()
    assert suo.firmato and suo.caricata_da == sindaco

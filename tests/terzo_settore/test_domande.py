"""Applications: started on an open notice, filled in online, submitted with a protocol
number and a receipt; refusals keep everything typed."""

import datetime
import subprocess

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pdz.models import AuditLog
from terzo_settore.forms.domande import DICHIARAZIONI
from terzo_settore.models import (
    AllegatoDomanda,
    Avviso,
    ContatoreProtocollo,
    Domanda,
    Organizzazione,
    TavoloOfferto,
)
from tests.terzo_settore.factories import AvvisoFactory, DomandaFactory, ReferenteFactory

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def girasole(referente):
    return Organizzazione.objects.get(referenti__user=referente)


@pytest.fixture
def avviso(ambito, staff):
    return AvvisoFactory(ambito=ambito, titolo="Adesione al Piano di Zona", created_by=staff)


@pytest.fixture
def bozza(avviso, girasole, referente):
    return DomandaFactory(avviso=avviso, organizzazione=girasole, created_by=referente)


def dichiarazioni(tipo=Avviso.Tipo.ADESIONE, tutte=True):
    return {
        f"dichiarazione_{i}": "on"
        for i, (_t, obbligatoria) in enumerate(DICHIARAZIONI[tipo])
        if tutte or not obbligatoria
    }


def compilata(**extra):
    return {
        "delegato_nome": "Marco Ferrari",
        "delegato_email": "marco.ferrari@example.org",
        "supplente_nome": "Sara Conti",
        "supplente_email": "sara.conti@example.org",
        **dichiarazioni(),
        **extra,
    }


def modifica(domanda):
    return reverse("terzo_settore:domanda_modifica", args=[domanda.pk])


def pdftotext(pdf, tmp_path):
    path = tmp_path / "ricevuta.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


# --- the happy path --------------------------------------------------------------------------


def test_referente_applies_saves_a_draft_and_submits_with_a_protocol_number(
    client, referente, girasole, avviso, django_capture_on_commit_callbacks
):
    client.force_login(referente)
    response = client.post(
        reverse("terzo_settore:partecipa", args=[avviso.pk]), {"organizzazione": girasole.pk}
    )
    domanda = Domanda.objects.get()
    assert response.url == modifica(domanda)
    assert (domanda.stato, domanda.organizzazione, domanda.ambito) == (
        Domanda.Stato.BOZZA,
        girasole,
        avviso.ambito,
    )
    # Applying again leads to the same application.
    again = client.post(
        reverse("terzo_settore:partecipa", args=[avviso.pk]), {"organizzazione": girasole.pk}
    )
    assert again.url == reverse("terzo_settore:domanda", args=[domanda.pk])
    assert Domanda.objects.count() == 1

    # A draft needs no declaration.
    response = client.post(modifica(domanda), {"azione": "salva", "delegato_nome": "Marco Ferrari"})
    assert response.status_code == 302
    domanda.refresh_from_db()
    assert domanda.delegato_nome == "Marco Ferrari"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(modifica(domanda), compilata(azione="invia"))
    assert response.url == reverse("terzo_settore:domanda", args=[domanda.pk])
    domanda.refresh_from_db()
    anno = timezone.localdate().year
    assert domanda.stato == Domanda.Stato.INVIATA
    assert domanda.protocollo == f"{anno}/000001"
    assert len(domanda.dichiarazioni) == len(DICHIARAZIONI[Avviso.Tipo.ADESIONE])
    assert all(domanda.dichiarazioni.values())

    page = client.get(response.url)
    assert domanda.protocollo in page.content.decode()
    assert reverse("terzo_settore:ricevuta", args=[domanda.pk]) in page.content.decode()
    assert page.context["storia"][0]["dettaglio"] == domanda.protocollo

    [receipt] = mail.outbox
    assert receipt.to == [referente.email]
    assert domanda.protocollo in receipt.subject
    [(filename, content, mimetype)] = receipt.attachments
    assert (filename, mimetype) == (f"ricevuta-{anno}-000001.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")
    assert reverse("terzo_settore:domanda", args=[domanda.pk]) in receipt.body
    domanda.refresh_from_db()
    assert domanda.ricevuta and domanda.ricevuta_inviata_at is not None


@pytest.mark.integration
def test_the_receipt_pdf_names_the_protocol_and_the_organisation(
    client, referente, bozza, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(referente)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(modifica(bozza), compilata(azione="invia"))
    bozza.refresh_from_db()
    [receipt] = mail.outbox
    text = pdftotext(receipt.attachments[0][1], tmp_path)
    assert bozza.protocollo in text
    assert "Cooperativa sociale Il Girasole" in text
    assert "Marco Ferrari" in text

    download = client.get(reverse("terzo_settore:ricevuta", args=[bozza.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert bozza.protocollo in pdftotext(b"".join(download.streaming_content), tmp_path)


def test_the_receipt_is_made_on_the_fly_before_the_worker_stores_it(
    client, referente, bozza, tmp_path
):
    bozza.stato = Domanda.Stato.INVIATA
    bozza.protocollo_anno, bozza.protocollo_numero = 2026, 7
    bozza.inviata_at = timezone.now()
    bozza.save()
    client.force_login(referente)
    response = client.get(reverse("terzo_settore:ricevuta", args=[bozza.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert 'filename="ricevuta-2026-000007.pdf"' in response["Content-Disposition"]


def test_a_referente_of_several_organisations_chooses_which_applies(
    client, referente, girasole, avviso
):
    altra = ReferenteFactory(user=referente, organizzazione__ente__denominazione="APS Il Ponte")
    client.force_login(referente)
    page = client.get(reverse("terzo_settore:partecipa", args=[avviso.pk]))
    assert set(page.context["form"].fields["organizzazione"].queryset) == {
        girasole,
        altra.organizzazione,
    }
    client.post(
        reverse("terzo_settore:partecipa", args=[avviso.pk]),
        {"organizzazione": altra.organizzazione.pk},
    )
    assert Domanda.objects.get().organizzazione == altra.organizzazione
    # Not somebody else's organisation.
    estranea = ReferenteFactory().organizzazione
    response = client.post(
        reverse("terzo_settore:partecipa", args=[avviso.pk]), {"organizzazione": estranea.pk}
    )
    assert response.status_code == 200
    assert "organizzazione" in response.context["form"].errors
    assert Domanda.objects.count() == 1


def test_a_closed_notice_cannot_be_applied_to(client, referente, girasole, ambito):
    chiuso = AvvisoFactory(
        ambito=ambito,
        apertura=timezone.now() - datetime.timedelta(days=20),
        chiusura=timezone.now() - datetime.timedelta(days=1),
    )
    client.force_login(referente)
    response = client.post(
        reverse("terzo_settore:partecipa", args=[chiuso.pk]), {"organizzazione": girasole.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Domanda.objects.exists()


# --- what a submission needs -----------------------------------------------------------------


def test_submission_needs_the_declarations_and_keeps_what_was_typed(client, referente, bozza):
    client.force_login(referente)
    response = client.post(modifica(bozza), compilata(azione="invia", **{"dichiarazione_0": ""}))
    assert response.status_code == 200
    form = response.context["form"]
    assert "dichiarazione_0" in form.errors
    assert 'value="Marco Ferrari"' in response.content.decode()
    bozza.refresh_from_db()
    assert bozza.stato == Domanda.Stato.BOZZA and bozza.protocollo_numero is None
    assert bozza.delegato_nome == "Marco Ferrari"  # saved in the draft all the same
    assert len(bozza.dichiarazioni) == len(DICHIARAZIONI[Avviso.Tipo.ADESIONE]) - 1


def test_an_optional_declaration_is_not_needed_to_submit(
    client, referente, bozza, django_capture_on_commit_callbacks
):
    ultima = len(DICHIARAZIONI[Avviso.Tipo.ADESIONE]) - 1
    assert DICHIARAZIONI[Avviso.Tipo.ADESIONE][ultima][1] is False
    client.force_login(referente)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(modifica(bozza), compilata(azione="invia", **{f"dichiarazione_{ultima}": ""}))
    bozza.refresh_from_db()
    assert bozza.stato == Domanda.Stato.INVIATA


def test_manifestazione_needs_a_chosen_table(
    client, referente, girasole, ambito, django_capture_on_commit_callbacks
):
    avviso = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.MANIFESTAZIONE)
    anziani = TavoloOfferto.objects.create(avviso=avviso, nome="Anziani")
    TavoloOfferto.objects.create(avviso=avviso, nome="Minori")
    altro = TavoloOfferto.objects.create(avviso=AvvisoFactory(ambito=ambito), nome="Altro")
    domanda = DomandaFactory(avviso=avviso, organizzazione=girasole, created_by=referente)
    client.force_login(referente)
    data = compilata(azione="invia", **dichiarazioni(Avviso.Tipo.MANIFESTAZIONE))
    response = client.post(modifica(domanda), data)
    assert "tavoli" in response.context["form"].errors
    response = client.post(modifica(domanda), {**data, "tavoli": [altro.pk]})
    assert "tavoli" in response.context["form"].errors  # not a table of this notice
    with django_capture_on_commit_callbacks(execute=True):
        client.post(modifica(domanda), {**data, "tavoli": [anziani.pk]})
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.INVIATA
    assert list(domanda.tavoli.all()) == [anziani]


def test_coprogettazione_takes_a_proposal_and_its_budget(
    client, referente, girasole, ambito, django_capture_on_commit_callbacks
):
    avviso = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.COPROGETTAZIONE)
    domanda = DomandaFactory(avviso=avviso, organizzazione=girasole, created_by=referente)
    client.force_login(referente)
    data = {"azione": "invia", **dichiarazioni(Avviso.Tipo.COPROGETTAZIONE)}
    response = client.post(modifica(domanda), data)
    assert "proposta" in response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            modifica(domanda),
            {**data, "proposta": "Centro diurno aperto il sabato", "proposta_budget": "12.500,00"},
        )
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.INVIATA
    assert str(domanda.proposta_budget) == "12500.00"


# --- refusals: a clear message, nothing typed lost -------------------------------------------


@pytest.mark.parametrize(
    "content, code",
    [(PNG, "non_pdf"), (b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024), "troppo_grande")],
    ids=["png-renamed-pdf", "11-mb"],
)
def test_a_bad_attachment_is_refused_next_to_its_field_and_nothing_is_lost(
    client, referente, bozza, content, code
):
    client.force_login(referente)
    response = client.post(
        modifica(bozza),
        compilata(
            azione="invia",
            **{
                "allegato-titolo": "Statuto",
                "allegato-file": SimpleUploadedFile("statuto.pdf", content, "application/pdf"),
            },
        ),
    )
    assert response.status_code == 200
    allegato_form = response.context["allegato_form"]
    assert [e.code for e in allegato_form.errors.as_data()["file"]] == [code]
    page = response.content.decode()
    assert 'value="Statuto"' in page and 'value="Marco Ferrari"' in page
    bozza.refresh_from_db()
    assert bozza.stato == Domanda.Stato.BOZZA  # not submitted with a bad file
    assert bozza.delegato_nome == "Marco Ferrari"
    assert not AllegatoDomanda.objects.exists()


def test_submission_after_the_deadline_is_refused_and_the_draft_keeps_everything(
    client, referente, bozza, avviso
):
    client.force_login(referente)
    client.post(modifica(bozza), {"azione": "salva", "delegato_nome": "Bozza precedente"})
    chiusura = timezone.now() - datetime.timedelta(minutes=5)
    Avviso.objects.filter(pk=avviso.pk).update(
        apertura=chiusura - datetime.timedelta(days=10), chiusura=chiusura
    )
    response = client.post(
        modifica(bozza),
        compilata(
            azione="invia",
            **{
                "allegato-titolo": "Statuto",
                "allegato-file": SimpleUploadedFile("statuto.pdf", PDF, "application/pdf"),
            },
        ),
    )
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert timezone.localtime(chiusura).strftime("%d/%m/%Y %H:%M") in error
    assert escape(error) in response.content.decode()
    bozza.refresh_from_db()
    assert bozza.stato == Domanda.Stato.BOZZA and bozza.protocollo_numero is None
    assert bozza.delegato_nome == "Marco Ferrari"
    assert bozza.supplente_email == "sara.conti@example.org"
    assert list(bozza.allegati.values_list("titolo", flat=True)) == ["Statuto"]
    assert not ContatoreProtocollo.objects.filter(ultimo__gt=0).exists()
    assert mail.outbox == []


# --- attachments -----------------------------------------------------------------------------


def test_attachments_are_added_listed_and_removed_while_a_draft_keeping_the_file(
    client, referente, bozza
):
    client.force_login(referente)
    client.post(
        modifica(bozza),
        {
            "azione": "salva",
            "allegato-titolo": "",
            "allegato-file": SimpleUploadedFile("Statuto_2024.pdf", PDF, "application/pdf"),
        },
    )
    allegato = AllegatoDomanda.objects.get()
    assert (allegato.titolo, allegato.dimensione, allegato.caricato_da) == (
        "Statuto 2024",
        len(PDF),
        referente,
    )
    page = client.get(modifica(bozza))
    assert [a.pk for a in page.context["allegati"]] == [allegato.pk]

    download = client.get(reverse("terzo_settore:allegato_domanda", args=[bozza.pk, allegato.pk]))
    assert b"".join(download.streaming_content) == PDF

    client.post(modifica(bozza), {"azione": f"togli-{allegato.pk}", "delegato_nome": "Marco"})
    allegato.refresh_from_db()
    assert allegato.rimosso_at is not None
    assert allegato.file.storage.exists(allegato.file.name)  # kept, only hidden
    assert client.get(modifica(bozza)).context["allegati"] == []
    bozza.refresh_from_db()
    assert bozza.delegato_nome == "Marco"  # what was typed is saved with the removal
    assert AuditLog.objects.filter(action="domanda.allegato_tolto").exists()


def test_a_title_without_a_file_asks_for_the_file(client, referente, bozza):
    client.force_login(referente)
    response = client.post(modifica(bozza), {"azione": "salva", "allegato-titolo": "Statuto"})
    assert "file" in response.context["allegato_form"].errors


# --- read-only after submission, then the review asks for more -------------------------------


def test_a_submitted_application_is_read_only(client, referente, bozza):
    bozza.stato = Domanda.Stato.INVIATA
    bozza.save()
    client.force_login(referente)
    assert client.get(modifica(bozza)).status_code == 403
    assert client.post(modifica(bozza), compilata(azione="salva")).status_code == 403
    bozza.refresh_from_db()
    assert bozza.delegato_nome == ""


def test_the_referente_completes_what_the_review_asks_and_submits_again(
    client, referente, staff, bozza, ambito, django_capture_on_commit_callbacks
):
    ambito.email_ufficio = "ufficiodipiano@example.org"
    ambito.save()
    client.force_login(referente)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(modifica(bozza), compilata(azione="invia"))
    client.force_login(staff)
    stato = reverse("terzo_settore:cambia_stato", args=[bozza.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(stato, {"nuovo": "in_istruttoria"})
        client.post(
            stato,
            {"nuovo": "integrazione", "integrazione-motivazione": "Manca lo statuto firmato."},
        )
    mail.outbox.clear()

    client.force_login(referente)
    page = client.get(reverse("terzo_settore:domanda", args=[bozza.pk]))
    assert "Manca lo statuto firmato." in page.content.decode()
    assert page.context["modificabile"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            modifica(bozza),
            compilata(
                azione="invia",
                **{
                    "allegato-titolo": "Statuto firmato",
                    "allegato-file": SimpleUploadedFile("statuto.pdf", PDF, "application/pdf"),
                },
            ),
        )
    assert response.status_code == 302
    bozza.refresh_from_db()
    assert bozza.stato == Domanda.Stato.IN_ISTRUTTORIA
    assert bozza.protocollo_numero == 1  # the same protocol number
    assert list(bozza.allegati.values_list("titolo", flat=True)) == ["Statuto firmato"]
    [to_office] = mail.outbox
    assert to_office.to == ["ufficiodipiano@example.org"]
    assert bozza.protocollo in to_office.subject
    assert client.get(modifica(bozza)).status_code == 403


# --- who may see what ------------------------------------------------------------------------


@pytest.fixture
def altro_referente(db):
    return ReferenteFactory(organizzazione__ente__denominazione="APS Il Ponte").user


PERSONE = [
    "anonymous",
    "alice",
    "referente",
    "altro_referente",
    "staff",
    "staff_altro",
    "sindaco",
    "admin_regionale",
]


def _login(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))


@pytest.mark.parametrize(
    "who, bozza_status, inviata_status, modifica_status",
    [
        ("anonymous", 302, 302, 302),
        ("alice", 404, 404, 404),
        ("referente", 200, 200, 403),
        ("altro_referente", 404, 404, 404),
        ("staff", 404, 200, 403),  # a draft is the organisation's own business
        ("staff_altro", 404, 404, 404),
        ("sindaco", 404, 404, 404),
        ("admin_regionale", 404, 200, 403),
    ],
)
def test_application_pages_permissions(
    client, request, bozza, who, bozza_status, inviata_status, modifica_status
):
    _login(client, request, who)
    assert client.get(reverse("terzo_settore:domanda", args=[bozza.pk])).status_code == (
        bozza_status
    )
    inviata = DomandaFactory(
        avviso=AvvisoFactory(ambito=bozza.ambito),
        organizzazione=bozza.organizzazione,
        stato=Domanda.Stato.INVIATA,
        protocollo_anno=2026,
        protocollo_numero=3,
        inviata_at=timezone.now(),
    )
    for name in ("terzo_settore:domanda", "terzo_settore:ricevuta"):
        assert client.get(reverse(name, args=[inviata.pk])).status_code == inviata_status
    assert client.get(modifica(inviata)).status_code == modifica_status


@pytest.mark.parametrize("who", PERSONE)
def test_only_the_organisations_referenti_change_a_draft(client, request, bozza, who):
    _login(client, request, who)
    response = client.post(modifica(bozza), compilata(azione="salva"))
    bozza.refresh_from_db()
    assert (bozza.delegato_nome == "Marco Ferrari") == (who == "referente")
    if who != "referente":
        assert response.status_code in (302, 404)


def test_my_applications_lists_only_my_organisations(client, referente, bozza, altro_referente):
    DomandaFactory(avviso=bozza.avviso)  # another organisation's
    client.force_login(referente)
    response = client.get(reverse("terzo_settore:domande"))
    assert [d.pk for d in response.context["page"]] == [bozza.pk]
    client.force_login(altro_referente)
    assert client.get(reverse("terzo_settore:domande")).context["page"].paginator.count == 0


def test_the_public_notice_page_offers_the_referente_to_apply_or_continue(
    client, referente, girasole, avviso, alice
):
    client.force_login(referente)
    page = client.get(reverse("terzo_settore:avviso", args=[avviso.pk]))
    assert page.context["partecipanti"] == [(girasole, None)]
    assert reverse("terzo_settore:partecipa", args=[avviso.pk]) in page.content.decode()
    domanda = DomandaFactory(avviso=avviso, organizzazione=girasole)
    page = client.get(reverse("terzo_settore:avviso", args=[avviso.pk]))
    assert modifica(domanda) in page.content.decode()
    client.force_login(alice)
    page = client.get(reverse("terzo_settore:avviso", args=[avviso.pk]))
    assert "partecipanti" not in page.context
    assert reverse("terzo_settore:registra_organizzazione") in page.content.decode()


def test_survey_answers_are_saved_with_the_draft_and_required_ones_checked_on_submit(
    client, referente, girasole, ambito, django_capture_on_commit_callbacks
):
    pytest.importorskip("terzo_settore.forms.rilevazioni")
    from terzo_settore.models import Quesito

    avviso = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.RILEVAZIONE)
    utenti = Quesito.objects.create(
        avviso=avviso, testo="Quanti utenti avete seguito?", tipo="numero", obbligatorio=True
    )
    note = Quesito.objects.create(avviso=avviso, testo="Note", tipo="testo", ordine=1)
    domanda = DomandaFactory(avviso=avviso, organizzazione=girasole, created_by=referente)
    client.force_login(referente)
    base = dichiarazioni(Avviso.Tipo.RILEVAZIONE)

    response = client.post(modifica(domanda), {"azione": "salva", f"quesito_{note.pk}": "Ciao"})
    assert response.status_code == 302
    assert list(domanda.risposte.values_list("quesito_id", "valore")) == [(note.pk, "Ciao")]

    response = client.post(modifica(domanda), {**base, "azione": "invia"})
    assert response.status_code == 200
    assert f"quesito_{utenti.pk}" in response.context["risposte"].errors
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.BOZZA

    with django_capture_on_commit_callbacks(execute=True):
        client.post(modifica(domanda), {**base, "azione": "invia", f"quesito_{utenti.pk}": "42"})
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.INVIATA
    assert domanda.risposte.get(quesito=utenti).valore == 42


def test_a_draft_of_a_withdrawn_notice_cannot_be_submitted(client, referente, bozza, avviso):
    Avviso.objects.filter(pk=avviso.pk).update(stato=Avviso.Stato.ANNULLATO)
    client.force_login(referente)
    response = client.post(modifica(bozza), compilata(azione="invia"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    bozza.refresh_from_db()
    assert bozza.stato == Domanda.Stato.BOZZA and bozza.delegato_nome == "Marco Ferrari"

"""The minutes of a meeting: written per agenda item, sent in draft, approved at a later
meeting, published; attachments; the PDF with the attendance list and the votes."""

import subprocess
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tavoli import services
from tavoli.models import Documento, Incontro, Presenza, PuntoOdg, Votazione
from tests.tavoli.factories import IncontroFactory, PuntoOdgFactory
from tests.tavoli.test_views_votazioni import (  # noqa: F401 (fixtures)
    assemblea,
    marta,
    membro,
    sindaca_viadana,
    sindaco_sabbioneta,
)

pytestmark = pytest.mark.italiano

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def tieni(incontro, staff, **stati):
    """Hold ``incontro``: it started an hour ago and the attendance is taken."""
    inizio = timezone.now() - timedelta(hours=1)
    Incontro.objects.filter(pk=incontro.pk).update(inizio=inizio, fine=inizio + timedelta(hours=2))
    incontro.refresh_from_db()
    righe = {membro(incontro.tavolo, c).pk: (s, d) for c, (s, d) in stati.items()}
    return services.registra_presenze(incontro, righe, by=staff)


@pytest.fixture
def seduta(assemblea, staff):  # noqa: F811
    """A meeting of the Assemblea held ten days ago with two agenda items."""
    inizio = timezone.now() - timedelta(days=10)
    incontro = IncontroFactory(
        tavolo=assemblea,
        titolo="Prima seduta 2025",
        inizio=inizio,
        fine=inizio + timedelta(hours=2),
        stato=Incontro.Stato.CONVOCATO,
        created_by=staff,
    )
    PuntoOdgFactory(incontro=incontro, numero=1, titolo="Comunicazioni del Presidente")
    PuntoOdgFactory(incontro=incontro, numero=2, titolo="Riparto del Fondo povertà 2025")
    services.registra_presenze(
        incontro,
        {
            membro(assemblea, "Casalmaggiore").pk: (Presenza.Stato.PRESENTE, ""),
            membro(assemblea, "Viadana").pk: (Presenza.Stato.DELEGATO, "Giulia Rossi"),
            membro(assemblea, "Sabbioneta").pk: (Presenza.Stato.ASSENTE, ""),
        },
        by=staff,
    )
    incontro.refresh_from_db()
    return incontro


def punto(incontro, numero):
    return incontro.punti.get(numero=numero)


def scrivi(client, seduta, **extra):
    data = {
        "generale": "Presiede il sindaco di Casalmaggiore. Verbalizza Chiara Bertoldi.",
        f"punto_{punto(seduta, 1).pk}": "Il Presidente illustra il calendario dei lavori.",
        f"punto_{punto(seduta, 2).pk}": "Si discute il riparto del Fondo povertà.",
        **extra,
    }
    return client.post(reverse("tavoli:verbale_modifica", args=[seduta.pk]), data)


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "legge", "scrive"),
    [
        ("anonimo", 404, 404),
        ("alice", 404, 404),
        ("staff", 200, 200),
        ("staff_altro", 404, 404),
        ("sindaco", 200, 403),  # a member of the Assemblea: reads the draft
        ("admin_regionale", 200, 200),
    ],
)
def test_who_reads_and_writes_the_minutes(client, request, seduta, staff, persona, legge, scrive):
    services.salva_verbale(seduta, generale="Bozza.", punti={}, by=staff)
    if persona != "anonimo":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("tavoli:verbale", args=[seduta.pk])).status_code == legge
    assert client.get(reverse("tavoli:verbale_pdf", args=[seduta.pk])).status_code == legge
    assert client.get(reverse("tavoli:verbale_modifica", args=[seduta.pk])).status_code == scrive
    assert (
        client.get(reverse("tavoli:verbale_ordine_giorno", args=[seduta.pk])).status_code == scrive
    )
    azioni = ["verbale_invia", "verbale_approva", "verbale_pubblica", "verbale_allegato"]
    for azione in azioni:
        response = client.post(reverse(f"tavoli:{azione}", args=[seduta.pk]))
        assert response.status_code in ((200, 302) if scrive == 200 else (scrive,)), azione


def test_draft_minutes_of_a_public_body_stay_inside(client, seduta, staff, alice):
    seduta.tavolo.pubblico = True
    seduta.tavolo.save()
    services.salva_verbale(seduta, generale="Bozza riservata.", punti={}, by=staff)

    assert client.get(reverse("tavoli:verbale", args=[seduta.pk])).status_code == 404
    client.force_login(alice)
    assert client.get(reverse("tavoli:verbale", args=[seduta.pk])).status_code == 404
    assert client.get(reverse("tavoli:verbale_pdf", args=[seduta.pk])).status_code == 404
    assert client.get(reverse("tavoli:verbale_modifica", args=[seduta.pk])).status_code == 403


# --- the whole path ---------------------------------------------------------------------------


def test_minutes_from_draft_to_publication(
    client, seduta, staff, sindaco, django_capture_on_commit_callbacks
):
    tavolo = seduta.tavolo
    tavolo.pubblico = True
    tavolo.save()
    client.force_login(staff)

    # 1. Write.
    response = scrivi(client, seduta)
    assert response.url == reverse("tavoli:verbale", args=[seduta.pk])
    seduta.refresh_from_db()
    assert seduta.stato == Incontro.Stato.VERBALE_REDATTO
    page = client.get(response.url).content.decode()
    assert "Il Presidente illustra il calendario dei lavori." in page
    assert 'data-stato-verbale="bozza"' in page

    # 2. Send the draft to every delegate and substitute.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tavoli:verbale_invia", args=[seduta.pk]), follow=True)
    assert "alert-success" in response.content.decode()
    destinatari = sorted(m.to[0] for m in mail.outbox)
    assert destinatari == [
        "filippo@example.org",
        "marco@example.org",
        "marta@example.org",
        "nicoletta@example.org",
    ]
    bozza = next(m for m in mail.outbox if m.to == ["filippo@example.org"])
    assert "Assemblea dei Sindaci dell'Ambito Oglio Po" in bozza.subject
    link = f"http://127.0.0.1:8000{reverse('tavoli:verbale', args=[seduta.pk])}"
    assert link in bozza.body
    assert "Filippo Bongiovanni" in bozza.body

    # 3. Put the approval on the agenda of the next meeting.
    prossima = IncontroFactory(
        tavolo=tavolo, titolo="Seconda seduta 2025", created_by=staff, stato="convocato"
    )
    IncontroFactory(tavolo=tavolo, titolo="Seduta annullata", created_by=staff, stato="annullato")
    url = reverse("tavoli:verbale_ordine_giorno", args=[seduta.pk])
    page = client.get(url).content.decode()
    assert "Seconda seduta 2025" in page and "Seduta annullata" not in page
    # Approving now is refused with a reason, not an error page.
    response = client.post(reverse("tavoli:verbale_approva", args=[seduta.pk]), follow=True)
    assert "alert-danger" in response.content.decode()
    client.post(url, {"seduta": prossima.pk})
    approvazione = PuntoOdg.objects.get(incontro=prossima)
    assert approvazione.approva_verbale_di == seduta

    # 4. The next meeting is held.
    tieni(
        prossima,
        staff,
        Casalmaggiore=("presente", ""),
        Viadana=("presente", ""),
        Sabbioneta=("presente", ""),
    )

    # 5. Approve, 6. publish.
    response = client.post(reverse("tavoli:verbale_approva", args=[seduta.pk]), follow=True)
    assert "alert-success" in response.content.decode()
    seduta.refresh_from_db()
    assert seduta.stato == Incontro.Stato.VERBALE_APPROVATO
    assert seduta.verbale_approvato_in == prossima
    client.post(reverse("tavoli:verbale_pubblica", args=[seduta.pk]))
    seduta.refresh_from_db()
    assert seduta.stato == Incontro.Stato.PUBBLICATO

    # Anyone reads the published minutes of a public body.
    client.logout()
    response = client.get(reverse("tavoli:verbale", args=[seduta.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Si discute il riparto del Fondo povertà." in page
    assert 'data-stato-verbale="pubblicato"' in page
    assert "Giulia Rossi" in page
    assert "E-mail the draft" not in page
    assert client.get(reverse("tavoli:verbale_pdf", args=[seduta.pk])).status_code == 200


def test_minutes_are_not_written_before_the_meeting(client, assemblea, staff):  # noqa: F811
    futura = IncontroFactory(tavolo=assemblea, created_by=staff, stato="convocato")
    client.force_login(staff)
    response = client.get(reverse("tavoli:verbale_modifica", args=[futura.pk]), follow=True)
    assert "alert-danger" in response.content.decode()
    assert client.get(reverse("tavoli:verbale_pdf", args=[futura.pk])).status_code == 404


def test_no_later_meeting_to_approve_at(client, seduta, staff):
    services.salva_verbale(seduta, generale="Testo.", punti={}, by=staff)
    client.force_login(staff)
    page = client.get(reverse("tavoli:verbale_ordine_giorno", args=[seduta.pk])).content.decode()
    assert "No later meeting" in page or "Nessun" in page
    assert 'name="seduta"' not in page


# --- attachments ------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_attach_a_pdf_to_the_minutes(client, seduta, staff, media):
    client.force_login(staff)
    url = reverse("tavoli:verbale_allegato", args=[seduta.pk])
    response = client.post(
        url,
        {"titolo": "Prospetto di riparto", "file": SimpleUploadedFile("riparto.pdf", PDF)},
    )
    assert response.status_code == 302
    documento = Documento.objects.get()
    assert documento.tipo == Documento.Tipo.ALLEGATO_VERBALE
    assert documento.caricato_da == staff
    page = client.get(reverse("tavoli:verbale", args=[seduta.pk])).content.decode()
    assert "Prospetto di riparto" in page


@pytest.mark.parametrize(
    ("contenuto", "nome"),
    [
        (b"PK\x03\x04 not a pdf", "riparto.pdf"),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "grande.pdf"),
    ],
    ids=["not-a-pdf", "too-big"],
)
def test_attachments_are_checked_by_content_and_size(client, seduta, staff, media, contenuto, nome):
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:verbale_allegato", args=[seduta.pk]),
        {"titolo": "Prospetto", "file": SimpleUploadedFile(nome, contenuto)},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "is-invalid" in page
    assert 'value="Prospetto"' in page  # the title typed is kept
    assert not Documento.objects.exists()


# --- PDF ---------------------------------------------------------------------------------------


def pdftotext(pdf, tmp_path):
    path = tmp_path / "verbale.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.integration
def test_pdf_has_attendance_minutes_and_votes(client, seduta, staff, tmp_path):
    scrivi_dati = {
        "generale": "Presiede il sindaco di Casalmaggiore.",
        "punti": {
            punto(seduta, 1).pk: "Il Presidente illustra il calendario dei lavori.",
            punto(seduta, 2).pk: "Dopo ampia discussione si passa al voto.",
        },
    }
    services.salva_verbale(seduta, by=staff, **scrivi_dati)
    votazione = services.apri_votazione(
        seduta.tavolo,
        oggetto="Riparto del Fondo povertà 2025",
        modalita=Votazione.Modalita.PALESE,
        punto=punto(seduta, 2),
        by=staff,
    )
    services.registra_voto_palese(
        votazione,
        {
            membro(seduta.tavolo, "Casalmaggiore").pk: "favorevole",
            membro(seduta.tavolo, "Viadana").pk: "favorevole",
        },
        by=staff,
    )
    client.force_login(staff)

    response = client.get(reverse("tavoli:verbale_pdf", args=[seduta.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdftotext(response.content, tmp_path)
    assert "Ambito Oglio Po" in text
    assert "Assemblea dei Sindaci dell'Ambito Oglio Po" in text
    for ente in ("Comune di Casalmaggiore", "Comune di Viadana", "Comune di Sabbioneta"):
        assert ente in text
    assert "Present" in text  # "Presente" in Italian
    assert "Giulia Rossi" in text
    assert "Il Presidente illustra il calendario dei lavori." in text
    assert "2. Riparto del Fondo povertà 2025" in text
    # 15,473 + 20,143 in favour of 39,779.
    assert "35.616" in text and "39.779" in text
    assert "Draft" in text or "Bozza" in text

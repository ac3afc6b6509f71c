"""Details of a role: validity dates and, for a mayor's delegate, the delega document."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ambiti.models import Ruolo
from pdz.models import AuditLog
from tests.ambiti.factories import RuoloFactory

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def delegato(ambito):
    return RuoloFactory(
        ambito=ambito,
        tipo=Ruolo.Tipo.DELEGATO_SINDACO,
        ente=ambito.enti.get(comune__nome="Viadana"),
        user__full_name="Giulia Assessore",
    )


def url(ruolo, name="ambiti:ruolo_edit"):
    return reverse(name, args=[ruolo.ambito.codice, ruolo.pk])


def test_staff_records_the_delega_and_its_dates(client, staff, delegato):
    client.force_login(staff)
    response = client.post(
        url(delegato),
        {
            "valido_dal": "2026-01-01",
            "valido_al": "2026-12-31",
            "documento_delega": SimpleUploadedFile("delega.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    delegato.refresh_from_db()
    assert str(delegato.valido_dal) == "2026-01-01"
    assert str(delegato.valido_al) == "2026-12-31"
    assert AuditLog.objects.filter(action="ruolo.modificato", user=staff).exists()

    download = client.get(url(delegato, "ambiti:ruolo_delega"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    "content, message",
    [
        (PNG, "non è un documento PDF"),
        (b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024 + 1), "il limite è 10,0"),
    ],
    ids=["png-renamed-pdf", "over-10-mb"],
)
def test_a_bad_delega_is_refused_and_nothing_is_lost(client, staff, delegato, content, message):
    client.force_login(staff)
    response = client.post(
        url(delegato),
        {
            "valido_dal": "2026-02-01",
            "valido_al": "",
            "documento_delega": SimpleUploadedFile("delega.pdf", content, "application/pdf"),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'value="2026-02-01"' in page
    delegato.refresh_from_db()
    assert not delegato.documento_delega
    assert str(delegato.valido_dal) != "2026-02-01"


def test_end_before_start_is_an_error_on_the_field(client, staff, delegato):
    client.force_login(staff)
    response = client.post(url(delegato), {"valido_dal": "2026-03-01", "valido_al": "2026-02-01"})
    assert response.status_code == 200
    assert "La data di fine è precedente alla data di inizio." in response.content.decode()


def test_only_a_delegate_has_a_delega_field(client, staff, sindaco):
    client.force_login(staff)
    page = client.get(url(sindaco.ruoli.get())).content.decode()
    assert 'name="valido_dal"' in page
    assert 'name="documento_delega"' not in page


@pytest.mark.parametrize(
    "persona, status",
    [("sindaco", 403), ("staff_altro", 404), ("alice", 404), ("coordinatore", 200)],
)
def test_who_may_open_a_role(client, request, delegato, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(delegato)).status_code == status


def test_delega_download_is_not_public(client, staff, delegato):
    delegato.documento_delega = SimpleUploadedFile("delega.pdf", PDF)
    delegato.save()
    assert client.get(url(delegato, "ambiti:ruolo_delega")).status_code == 302
    client.force_login(staff)
    assert client.get(url(delegato, "ambiti:ruolo_delega")).status_code == 200

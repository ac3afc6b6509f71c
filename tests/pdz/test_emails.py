import email
from email import policy

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from pdz import emails


@pytest.mark.django_db
def test_enqueued_message_is_sent_only_after_commit(django_capture_on_commit_callbacks):
    message = EmailMultiAlternatives(
        "Convocazione",
        "Testo",
        to=["sindaco@example.org"],
        alternatives=[("<p>Testo</p>", "text/html")],
    )
    message.attach("invito.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        emails.enqueue(message)
        assert mail.outbox == []

    assert len(callbacks) == 1
    [sent] = mail.outbox
    assert sent.to == ["sindaco@example.org"]
    assert sent.alternatives[0][1] == "text/html"
    assert sent.attachments[0][0] == "invito.ics"
    assert sent.attachments[0][1].startswith("BEGIN:VCALENDAR")


@pytest.mark.django_db
def test_payload_round_trip_keeps_binary_attachments():
    pdf = b"%PDF-1.7\n\xe2\xe3\xcf\xd3 binary"
    message = EmailMultiAlternatives("Ricevuta", "In allegato.", to=["a@example.org"])
    message.attach("ricevuta.pdf", pdf, "application/pdf")

    rebuilt = emails.from_payload(emails.to_payload(message))

    assert rebuilt.attachments == [("ricevuta.pdf", pdf, "application/pdf")]
    assert rebuilt.subject == "Ricevuta"


def test_outbox_backend_keeps_each_message_as_an_eml_file(settings, tmp_path):
    from django.core.mail import get_connection

    settings.EMAIL_OUTBOX_DIR = tmp_path
    connection = get_connection("pdz.mail.OutboxBackend")
    EmailMultiAlternatives(
        "Verbale approvato",
        "È stato approvato il verbale.",
        to=["b@example.org"],
        connection=connection,
    ).send()

    [path] = tmp_path.glob("*.eml")
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Verbale approvato"
    assert parsed.get_body(preferencelist=("plain",)).get_content().strip() == (
        "È stato approvato il verbale."
    )


@pytest.mark.django_db
def test_outbox_page_shows_local_mail_only_in_debug(client, settings, tmp_path):
    from django.core.mail import get_connection

    settings.EMAIL_OUTBOX_DIR = tmp_path
    settings.EMAIL_BACKEND = "pdz.mail.OutboxBackend"
    connection = get_connection("pdz.mail.OutboxBackend")
    EmailMultiAlternatives(
        "Conferma il tuo indirizzo",
        "Apri http://example.org/conferma/abc/",
        to=["c@example.org"],
        connection=connection,
    ).send()
    message_id = next(tmp_path.glob("*.eml")).stem

    settings.DEBUG = True
    listing = client.get("/outbox/")
    assert "Conferma il tuo indirizzo" in listing.content.decode()
    detail = client.get(f"/outbox/{message_id}/")
    assert 'href="http://example.org/conferma/abc/"' in detail.content.decode()

    settings.DEBUG = False
    assert client.get("/outbox/").status_code == 404
    assert client.get(f"/outbox/{message_id}/").status_code == 404

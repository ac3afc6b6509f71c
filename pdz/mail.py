import uuid
from email import policy
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class OutboxBackend(BaseEmailBackend):
    """Keeps every message as an .eml file in ``settings.EMAIL_OUTBOX_DIR``.

    The default when no EMAIL_URL is set, so that a newcomer sees the e-mails the app sends
    (confirmation links included) at /outbox/ without any mail server.
    """

    def send_messages(self, email_messages):
        outbox = Path(settings.EMAIL_OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
            (outbox / name).write_bytes(message.message().as_bytes())
        return len(email_messages)


def outbox_messages():
    """The messages in the outbox, newest first, as (id, parsed message) pairs."""
    outbox = Path(settings.EMAIL_OUTBOX_DIR)
    if not outbox.is_dir():
        return []
    files = sorted(outbox.glob("*.eml"), reverse=True)
    return [(path.stem, read_outbox_message(path.stem)) for path in files]


def read_outbox_message(message_id):
    path = Path(settings.EMAIL_OUTBOX_DIR) / f"{Path(message_id).name}.eml"
    if not path.is_file():
        return None
    with path.open("rb") as f:
        return BytesParser(policy=policy.default).parse(f)

"""One way to send e-mail: render the three templates of a message, send it from a task.

A message called ``name`` has ``templates/emails/<name>_subject.txt``, ``<name>.txt`` and
``<name>.html``. The message is rendered in the request (where the context lives) and
handed to Celery as plain JSON once the transaction commits.
"""

import base64

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


def render(name, context):
    """(subject, text, html) of the message ``name`` rendered with ``context``."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{name}_subject.txt", context)
    subject = settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
    text = render_to_string(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def build(name, to, context, *, attachments=(), reply_to=None):
    """The message ``name`` for ``to`` (an address or a list), ready to send.

    ``attachments`` is a sequence of (filename, bytes, mimetype).
    """
    subject, text, html = render(name, context)
    return EmailMultiAlternatives(
        subject,
        text,
        to=[to] if isinstance(to, str) else list(to),
        reply_to=[reply_to] if reply_to else None,
        alternatives=[(html, "text/html")],
        attachments=list(attachments),
    )


def send(name, to, context, *, attachments=(), reply_to=None):
    """Render the message ``name`` now and send it from the worker after commit."""
    enqueue(build(name, to, context, attachments=attachments, reply_to=reply_to))


def enqueue(message):
    """Send an ``EmailMultiAlternatives`` from the Celery worker once the transaction commits."""
    from pdz.tasks import send_message

    payload = to_payload(message)
    transaction.on_commit(lambda: send_message.delay(payload))


def to_payload(message):
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "alternatives": [[content, mimetype] for content, mimetype in message.alternatives],
        "attachments": [
            [filename, base64.b64encode(_as_bytes(content)).decode("ascii"), mimetype]
            for filename, content, mimetype in message.attachments
        ],
    }


def from_payload(payload):
    message = EmailMultiAlternatives(
        payload["subject"],
        payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in payload["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


def _as_bytes(content):
    return content.encode("utf-8") if isinstance(content, str) else content


def absolute_url(path):
    """``path`` on this site, for links in e-mails (SITE_URL)."""
    return settings.SITE_URL + path

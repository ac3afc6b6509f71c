import smtplib

from celery import shared_task
from django.core.management import call_command

from pdz.emails import from_payload


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_message(self, payload):
    """Send one e-mail built by ``pdz.emails``; retried with backoff on SMTP errors."""
    from_payload(payload).send()


@shared_task
def clear_expired_sessions():
    call_command("clearsessions")

import os
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from pdz import emails
from pdz.celery import app as celery_app
from pdz.tasks import send_message

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_worker_process(smtp_sink, tmp_path):
    """A real Celery worker on the test Redis, sending e-mail to the SMTP sink."""
    if not settings.REDIS_URL:
        pytest.fail("This test needs Redis: run it through scripts/test.sh")
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pdz", "worker", "--pool=solo", "-l", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield worker
    celery_app.conf.task_always_eager = eager
    worker.terminate()
    worker.wait(timeout=30)
    log.close()


def wait_for(condition, worker, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert worker.poll() is None, "the Celery worker died"
        time.sleep(0.2)
    raise AssertionError(f"nothing arrived within {seconds} seconds")


@pytest.mark.integration
def test_worker_sends_email_through_smtp(celery_worker_process, smtp_sink):
    message = EmailMultiAlternatives(
        "Convocazione del Tavolo anziani: è confermata",
        "La seduta si terrà a Casalmaggiore, città capofila.",
        to=["sindaco@example.org"],
        alternatives=[("<p>La seduta si terrà a <b>Casalmaggiore</b>.</p>", "text/html")],
    )
    message.attach("convocazione.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")

    send_message.delay(emails.to_payload(message))

    wait_for(lambda: smtp_sink.envelopes, celery_worker_process)
    [envelope] = smtp_sink.envelopes
    assert envelope.rcpt_tos == ["sindaco@example.org"]
    received = message_from_bytes(envelope.content, policy=policy.default)
    assert received["Subject"] == "Convocazione del Tavolo anziani: è confermata"
    assert "città capofila" in received.get_body(preferencelist=("plain",)).get_content()
    assert [part.get_filename() for part in received.iter_attachments()] == ["convocazione.ics"]

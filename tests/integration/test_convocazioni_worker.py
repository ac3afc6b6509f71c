"""Convocations delivered by a real Celery worker, through Redis, to a real SMTP server.

The worker is a separate process on the test database, so the test commits its rows
(``transaction=True``). Killing the worker with SIGKILL halfway through, starting another
one and running the beat job that rescues lost deliveries must end with every recipient
reached and nobody reached twice — except, at most, the one recipient whose message the
server had accepted in the instant before the dead worker could commit its row (measured:
the test says so with a warning when it happens). An update then reaches everyone with
SEQUENCE:1, a cancellation with METHOD:CANCEL.
"""

import os
import signal
import subprocess
import sys
import time
import warnings
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.conf import settings
from icalendar import Calendar

from ambiti.models import Ente
from pdz.celery import app as celery_app
from tavoli import services
from tavoli.models import Convocazione, Incontro, Membro
from tavoli.tasks import recupera_convocazioni
from tests.tavoli.factories import IncontroFactory, TavoloFactory

ROOT = Path(__file__).resolve().parents[2]
MEMBRI = 200

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def database_url():
    """The test database (test_pdz), for the worker process."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("This test needs PostgreSQL: run it through scripts/test.sh")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def workers(transactional_db, smtp_sink, tmp_path, settings):
    """Starts real Celery workers on demand; every one is killed at the end."""
    if not settings.REDIS_URL:
        pytest.fail("This test needs Redis: run it through scripts/test.sh")
    settings.PEC_EMAIL = None  # the worker, with EMAIL_URL set, has no PEC account either
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CONN_MAX_AGE": "0",
    }
    started = []

    def start():
        n = len(started) + 1
        log = (tmp_path / f"worker{n}.log").open("w")
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pdz",
                "worker",
                "--pool=solo",
                "-n",
                f"convocazioni{n}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as a whole
        )
        worker.log_path = tmp_path / f"worker{n}.log"
        started.append((worker, log))
        return worker

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = eager
        for worker, log in started:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=30)
            log.close()
        from django.core.cache import cache

        cache.clear()  # the broker's queues live in the test Redis too


def kill(worker):
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def wait_for(condition, workers=(), seconds=60, what="the messages"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        for worker in workers:
            assert worker.poll() is None, f"the Celery worker died:\n{worker.log_path.read_text()}"
        time.sleep(0.05)
    raise AssertionError(f"{what} did not arrive within {seconds} seconds")


def per_recipient(sink):
    return Counter(rcpt for envelope in list(sink.envelopes) for rcpt in envelope.rcpt_tos)


def calendars(sink, recipient):
    """The .ics of each message ``recipient`` received, in order of arrival."""
    found = []
    for envelope in list(sink.envelopes):
        if recipient not in envelope.rcpt_tos:
            continue
        message = message_from_bytes(envelope.content, policy=policy.default)
        [ics] = [
            part for part in message.iter_attachments() if part.get_filename() == "convocazione.ics"
        ]
        assert ics.get_content_type() == "text/calendar"
        found.append(Calendar.from_ical(ics.get_content()))
    return found


@pytest.fixture
def incontro(ambito, staff):
    tavolo = TavoloFactory(ambito=ambito, nome="Conferenza di piano", preavviso_ore=0)
    enti = Ente.objects.bulk_create(
        Ente(tipo=Ente.Tipo.ALTRO, denominazione=f"Ente {n:03d}") for n in range(MEMBRI)
    )
    Membro.objects.bulk_create(
        Membro(
            tavolo=tavolo,
            ente=ente,
            delegato_nome=f"Delegato {n:03d}",
            delegato_email=f"delegato{n:03d}@example.org",
        )
        for n, ente in enumerate(enti)
    )
    return IncontroFactory(tavolo=tavolo, titolo="Conferenza di piano 2026", created_by=staff)


def test_a_killed_worker_skips_nobody_and_sends_nothing_twice_but_the_message_in_flight(
    workers, smtp_sink, incontro, staff
):
    destinatari = {f"delegato{n:03d}@example.org" for n in range(MEMBRI)}
    primo = workers()

    services.convoca(incontro, by=staff)  # commits: the dispatch goes to Redis

    # Kill the worker while it is delivering, once a third of the messages are out.
    wait_for(lambda: len(smtp_sink.envelopes) >= MEMBRI // 3, [primo], what="a third")
    kill(primo)
    time.sleep(0.5)  # the sink and PostgreSQL finish with what was in flight
    consegnati = set(per_recipient(smtp_sink))
    registrati = set(
        Convocazione.objects.filter(
            incontro=incontro, stato=Convocazione.Stato.INVIATA
        ).values_list("email", flat=True)
    )
    assert len(consegnati) < MEMBRI, "the worker finished before it could be killed"
    # Nobody is recorded as sent without the message having reached the server...
    assert registrati <= consegnati
    # ...and at most the one message being sent when the worker died was accepted by the
    # server without its row being committed: the window tasks.py documents. It is the only
    # one that may be sent twice.
    in_volo = consegnati - registrati
    assert len(in_volo) <= 1

    secondo = workers()
    recupera_convocazioni.delay(piu_vecchie_di_secondi=0)  # the beat job

    in_sospeso = Convocazione.objects.filter(incontro=incontro).exclude(
        stato=Convocazione.Stato.INVIATA
    )
    wait_for(lambda: set(per_recipient(smtp_sink)) == destinatari, [secondo])
    wait_for(lambda: not in_sospeso.exists(), [secondo], what="the last commits")
    time.sleep(1)  # anything still in flight would show up as a duplicate
    conteggi = per_recipient(smtp_sink)
    assert set(conteggi) == destinatari
    duplicati = {rcpt for rcpt, n in conteggi.items() if n > 1}
    assert duplicati <= in_volo, f"killed after {len(consegnati)} messages"
    if duplicati:
        warnings.warn(
            f"{sorted(duplicati)} received the convocation twice: the worker was killed "
            "after the mail server accepted the message and before its row was committed",
            stacklevel=1,
        )
    for rcpt in destinatari:
        cal, *_ = calendars(smtp_sink, rcpt)
        assert cal["METHOD"] == "REQUEST"
        [event] = cal.walk("VEVENT")
        assert event["SEQUENCE"] == 0
        assert str(event["ATTENDEE"]) == f"mailto:{rcpt}"

    # An update of the place: everyone gets a second message, SEQUENCE:1, same UID.
    modificato = Incontro.objects.get(pk=incontro.pk)
    modificato.luogo = "Teatro Comunale, Casalmaggiore"
    services.salva_incontro(modificato, by=staff)

    def ricevuti(n):
        """Each recipient has n messages (one more for who got the first one twice)."""
        return {rcpt: n + (rcpt in duplicati) for rcpt in destinatari}

    wait_for(lambda: per_recipient(smtp_sink) == ricevuti(2), [secondo], what="the updates")
    time.sleep(1)
    assert per_recipient(smtp_sink) == ricevuti(2)
    for rcpt in destinatari:
        prima, dopo = calendars(smtp_sink, rcpt)[-2:]
        [evento_prima], [evento_dopo] = prima.walk("VEVENT"), dopo.walk("VEVENT")
        assert dopo["METHOD"] == "REQUEST"
        assert evento_dopo["SEQUENCE"] == 1
        assert evento_dopo["UID"] == evento_prima["UID"]
        assert str(evento_dopo["LOCATION"]) == "Teatro Comunale, Casalmaggiore"

    # The cancellation: a third message each, METHOD:CANCEL.
    services.annulla(incontro, motivo="Sala non disponibile", by=staff)

    wait_for(lambda: per_recipient(smtp_sink) == ricevuti(3), [secondo], what="the cancels")
    time.sleep(1)
    assert per_recipient(smtp_sink) == ricevuti(3)
    for rcpt in destinatari:
        *_, annullamento = calendars(smtp_sink, rcpt)
        assert annullamento["METHOD"] == "CANCEL"
        [evento] = annullamento.walk("VEVENT")
        assert evento["SEQUENCE"] == 2
        assert evento["STATUS"] == "CANCELLED"
    assert set(
        Convocazione.objects.filter(incontro=incontro).values_list("stato", "sequenza_inviata")
    ) == {(Convocazione.Stato.INVIATA, 2)}

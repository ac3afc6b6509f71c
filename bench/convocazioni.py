"""Benchmark: convene a meeting of 1,000 members through a real Celery worker.

    .venv/bin/python bench/convocazioni.py [--members 1000] [--pool prefork] [--concurrency N]
                                           [--sqlite] [--port-base PORT] [--timeout 120]

Run from the project root. The script starts everything it needs in a temporary directory and
stops it at the end, also on failure or Ctrl-C:

- a throwaway PostgreSQL cluster (``initdb``; as root it runs as the ``postgres`` user), or a
  SQLite file when the PostgreSQL binaries are missing (or with ``--sqlite``);
- a throwaway ``redis-server`` (the Celery broker);
- an SMTP sink in this process (aiosmtpd) that counts the messages by recipient;
- a real Celery worker subprocess, ``--pool=prefork`` with one process per CPU by default
  (``-c 2`` on the reference machine). Each recipient costs about 10 ms of CPU in the worker
  (three templates, the .ics, the MIME message, the ORM) and a few round trips to PostgreSQL
  and SMTP, so processes, not threads, are what scale; more processes than CPUs only compete
  with PostgreSQL and the sink for the same cores. With SQLite: one process.

Ports are free ones chosen by the system, or N, N+1, N+2 with ``--port-base N``.

It migrates an empty database, creates an ambito, a body with ``--members`` members
(bulk_create) and a meeting, calls ``tavoli.services.convoca`` here — its on-commit dispatch
really goes through Redis — and waits (``--timeout``) for the sink. Progress goes to stdout,
then the CPU seconds used by the worker, PostgreSQL and this process (their sum divided by the
CPUs is what the run would take on an otherwise idle machine). The last line is
machine-readable:

    recipients=1000 delivered=1000 duplicates=0 seconds=11.2

``delivered``: recipients who received at least one message; ``duplicates``: messages beyond
the first for the same recipient; ``seconds``: from the call to ``convoca`` to the last
message accepted by the sink. The target is every recipient exactly once in under 20 s; the
exit status is 0 only when every recipient got exactly one message.
"""

import argparse
import contextlib
import glob
import os
import pwd
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def log(message):
    print(message, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready within {seconds} s")


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


# --- services -------------------------------------------------------------------------------


class Postgres:
    """A throwaway cluster in ``directory``; None if PostgreSQL is not installed."""

    def __init__(self, directory, port):
        self.data = directory / "pg"
        self.port = port
        self.bindir = self._bindir()
        self.started = False

    @staticmethod
    def _bindir():
        found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
        if found:
            found.sort(key=lambda p: [int(x) for x in p.split("/")[4].split(".") if x.isdigit()])
            return Path(found[-1]).parent
        initdb = shutil.which("initdb")
        return Path(initdb).parent if initdb else None

    def available(self):
        if self.bindir is None:
            return False
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return False
        return True

    def run(self, *args):
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def start(self):
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--no-locale")  # fmt: skip
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self.started = True
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.data / "server.log"), "-w",
                 "-o", options, "start")  # fmt: skip
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "pdz")
        return f"postgres://postgres@127.0.0.1:{self.port}/pdz"

    def cpu_seconds(self):
        """CPU used by the server and its finished backends (the worker's connections)."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return 0.0
        return cpu_seconds_of(pid)

    def stop(self):
        if self.started:
            with contextlib.suppress(subprocess.CalledProcessError):
                self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


class Redis:
    def __init__(self, directory, port):
        self.directory = directory
        self.port = port
        self.pidfile = directory / "redis.pid"

    def start(self):
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is needed (apt-get install redis-server)")
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "yes", "--pidfile", str(self.pidfile),
             "--logfile", str(self.directory / "redis.log"), "--dir", str(self.directory)],
            check=True,
        )  # fmt: skip
        wait_until(lambda: self.pidfile.exists() and port_open(self.port), 10, "Redis")
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self):
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            os.kill(int(self.pidfile.read_text()), signal.SIGTERM)


class Sink:
    """An SMTP server that counts what it accepts, by recipient."""

    def __init__(self, port):
        self.port = port
        self.per_recipient = Counter()
        self.messages = 0
        self.with_ics = 0
        self.last_at = None
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages += 1
            self.per_recipient.update(envelope.rcpt_tos)
            if b"BEGIN:VCALENDAR" in envelope.content and b"METHOD:REQUEST" in envelope.content:
                self.with_ics += 1
            self.last_at = time.monotonic()
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return f"smtp://127.0.0.1:{self.port}"

    def stop(self):
        if self.controller is not None:
            self.controller.stop()


class Worker:
    def __init__(self, directory, pool, concurrency, env):
        self.log_path = directory / "worker.log"
        self.command = [sys.executable, "-m", "celery", "-A", "pdz", "worker", f"--pool={pool}",
                        "-c", str(concurrency), "-n", "bench@%h", "--without-gossip",
                        "--without-mingle", "-l", "INFO"]  # fmt: skip
        self.env = env
        self.process = None

    def start(self):
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, children included
        )
        wait_until(self.ready, 60, "the Celery worker")

    def ready(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"the Celery worker died:\n{self.log_path.read_text()}")
        return " ready." in self.log_path.read_text()

    def stop(self):
        """Warm shutdown (the pool's processes are reaped by the worker), then make sure
        nothing of its process group is left."""
        if self.process is None or self.process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)
        self.log_file.close()


def cpu_seconds_of(pid):
    """CPU time of a running process and of its children it has reaped (/proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


# --- the benchmark --------------------------------------------------------------------------


def crea_incontro(n_membri):
    """An ambito, a body with ``n_membri`` members and a meeting in ten days."""
    from datetime import timedelta

    from django.utils import timezone

    from ambiti.models import Ambito, Ente
    from pdz.models import User
    from tavoli.models import Incontro, Membro, Tavolo

    ambito = Ambito.objects.create(codice="bench", nome="Ambito di prova", regione="LOM")
    staff = User.objects.create(email="ufficio.piano@example.org", full_name="Ufficio di Piano")
    tavolo = Tavolo.objects.create(
        ambito=ambito, tipo=Tavolo.Tipo.CONFERENZA, nome="Conferenza di piano"
    )
    enti = Ente.objects.bulk_create(
        Ente(tipo=Ente.Tipo.ALTRO, denominazione=f"Ente {n:04d}") for n in range(n_membri)
    )
    Membro.objects.bulk_create(
        Membro(
            tavolo=tavolo,
            ente=ente,
            delegato_nome=f"Delegato {n:04d}",
            delegato_email=f"delegato{n:04d}@example.org",
        )
        for n, ente in enumerate(enti)
    )
    inizio = (timezone.now() + timedelta(days=10)).replace(hour=16, minute=30, second=0)
    incontro = Incontro.objects.create(
        tavolo=tavolo,
        titolo="Conferenza di piano: avvio del percorso",
        inizio=inizio,
        fine=inizio + timedelta(hours=2),
        luogo="Sala consiliare, Piazza Garibaldi 26, Casalmaggiore",
        created_by=staff,
    )
    for numero, titolo in enumerate(
        ["Insediamento", "Analisi dei bisogni", "Calendario dei tavoli"], start=1
    ):
        incontro.punti.create(numero=numero, titolo=titolo)
    return incontro, staff


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--pool", default="prefork", choices=["prefork", "threads", "solo"])
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--sqlite", action="store_true", help="SQLite even if PostgreSQL is there")
    parser.add_argument(
        "--port-base", type=int, help="use ports N (PostgreSQL), N+1 (Redis), N+2 (SMTP)"
    )
    args = parser.parse_args()
    ports = (
        [args.port_base + i for i in range(3)]
        if args.port_base
        else [free_port(), free_port(), free_port()]
    )

    directory = Path(tempfile.mkdtemp(prefix="pdz-bench-"))
    directory.chmod(0o755)
    postgres = Postgres(directory, ports[0])
    redis = Redis(directory, ports[1])
    sink = Sink(ports[2])
    worker = None
    try:
        if postgres.available() and not args.sqlite:
            log(f"PostgreSQL ({postgres.bindir}) on port {postgres.port}")
            database_url = postgres.start()
        else:
            log("SQLite (PostgreSQL not found or --sqlite), and a single worker process")
            database_url = f"sqlite:///{directory / 'bench.sqlite3'}"
            args.concurrency = 1
        log(f"Redis on port {redis.port}")
        redis_url = redis.start()
        log(f"SMTP sink on port {sink.port}")
        email_url = sink.start()

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pdz.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": email_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DEBUG": "0",
            "HTTPS": "0",
            "SECRET_KEY": "bench-" + os.urandom(16).hex(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("PEC_EMAIL_URL", None)  # no party has a PEC address here anyway
        os.environ.pop("PEC_EMAIL_URL", None)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from pdz.celery import app as celery_app
        from tavoli import services
        from tavoli.models import Convocazione

        assert not celery_app.conf.task_always_eager

        log("Migrating")
        call_command("migrate", verbosity=0)
        log(f"Creating a body with {args.members} members")
        incontro, staff = crea_incontro(args.members)

        log(f"Starting the Celery worker (--pool={args.pool} -c {args.concurrency})")
        worker = Worker(directory, args.pool, args.concurrency, env)
        worker.start()

        log(f"Convening (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        cpu_pg = postgres.cpu_seconds()
        cpu_self = time.process_time()
        inizio = time.monotonic()
        services.convoca(incontro, by=staff)
        log(f"  convoca() returned after {time.monotonic() - inizio:.2f} s")
        deadline = inizio + args.timeout
        ultimo_progresso = inizio
        while time.monotonic() < deadline:
            with sink.lock:
                ricevuti = len(sink.per_recipient)
            if ricevuti >= args.members:
                break
            if worker.process.poll() is not None:
                raise RuntimeError(f"the Celery worker died:\n{worker.log_path.read_text()}")
            if time.monotonic() - ultimo_progresso >= 1:
                ultimo_progresso = time.monotonic()
                log(f"  {ultimo_progresso - inizio:5.1f} s: {ricevuti} recipients reached")
            time.sleep(0.05)
        time.sleep(1)  # a duplicate still in flight would arrive now

        with sink.lock:
            delivered = len(sink.per_recipient)
            duplicates = sink.messages - delivered
            last_at, with_ics = sink.last_at, sink.with_ics
        seconds = (last_at - inizio) if last_at else float("nan")
        cpu_self = time.process_time() - cpu_self
        stati = Counter(
            Convocazione.objects.filter(incontro=incontro).values_list("stato", flat=True)
        )
        connections.close_all()
        # The worker's CPU time is known once it has exited and been reaped.
        cpu_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker.stop()
        cpu_worker = sum(
            getattr(resource.getrusage(resource.RUSAGE_CHILDREN), f) - getattr(cpu_children, f)
            for f in ("ru_utime", "ru_stime")
        )
        cpu_pg = postgres.cpu_seconds() - cpu_pg
        cpu = cpu_worker + cpu_pg + cpu_self
        log(f"Messages with a METHOD:REQUEST .ics: {with_ics}")
        log(f"Convocazione rows by state: {dict(stati)}")
        database = f"PostgreSQL {cpu_pg:.1f}, " if postgres.started else ""
        log(
            f"CPU seconds: worker {cpu_worker:.1f}, {database}"
            f"this process (convoca + SMTP sink) {cpu_self:.1f}; {cpu:.1f} in all, "
            f"{cpu / (os.cpu_count() or 1):.1f} s on {os.cpu_count()} idle CPUs"
        )
        log(f"Load average at the end: {os.getloadavg()[0]:.1f}")
        if delivered < args.members:
            log(f"TIMEOUT after {args.timeout:.0f} s")
        print(
            f"recipients={args.members} delivered={delivered} duplicates={duplicates} "
            f"seconds={seconds:.1f}",
            flush=True,
        )
        return 0 if delivered == args.members and duplicates == 0 else 1
    finally:
        if worker is not None:
            worker.stop()
        sink.stop()
        redis.stop()
        postgres.stop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

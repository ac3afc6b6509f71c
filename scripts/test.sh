#!/usr/bin/env bash
# Sets everything up and runs the whole test suite against a throwaway PostgreSQL cluster and
# a throwaway Redis, both on free ports, stopped on exit (also on failure). Arguments are
# passed to pytest, e.g. scripts/test.sh tests/pdz -k healthz
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
PY=.venv/bin/python

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "==> Italian catalogue"
$PY scripts/check_locale.py

echo "==> check --deploy with production settings"
env DEBUG=0 SECRET_KEY="check-deploy-$(head -c 32 /dev/urandom | base64)" \
  ALLOWED_HOSTS=pdz.example.org DATABASE_URL=postgres://pdz@localhost/pdz \
  REDIS_URL=redis://localhost:6379/0 EMAIL_URL=smtp://localhost:25 \
  $PY manage.py check --deploy --fail-level WARNING

free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

tmp=$(mktemp -d /tmp/pdz-test.XXXXXX)
chmod 755 "$tmp"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_postgres() {
  # PostgreSQL refuses to run as root: when we are root, the cluster belongs to "postgres".
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  status=$?
  [ -f "$tmp/redis.pid" ] && kill "$(cat "$tmp/redis.pid")" 2>/dev/null || true
  [ -d "$tmp/pg" ] && as_postgres "$PGBIN/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
  exit $status
}
trap cleanup EXIT INT TERM

echo "==> Starting a throwaway PostgreSQL and Redis"
mkdir "$tmp/pg"
[ "$(id -u)" -eq 0 ] && chown postgres "$tmp/pg"
pg_port=$(free_port)
as_postgres "$PGBIN/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$PGBIN/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/server.log" -w start -o \
  "-p $pg_port -k $tmp/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c autovacuum=off" >/dev/null
as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres pdz
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$tmp/redis.pid" --logfile "$tmp/redis.log" --dir "$tmp"

export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/pdz"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
export CELERY_TASK_ALWAYS_EAGER=1   # tests run tasks in-process; the worker test starts a real one
export DEBUG=0 HTTPS=0 SECRET_KEY="test-$(head -c 32 /dev/urandom | base64)" ALLOWED_HOSTS="*"
export DJANGO_ALLOW_ASYNC_UNSAFE=1  # Playwright's sync API runs an event loop in the test thread

echo "==> makemigrations --check"
$PY manage.py makemigrations --check --dry-run

echo "==> pytest"
$PY -m pytest "$@"

#!/usr/bin/env bash
# Sets everything up and runs pdz at http://127.0.0.1:8000 with demo data, on SQLite,
# with Celery tasks run in-process and e-mail kept in the local outbox (/outbox/).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo
exec .venv/bin/python manage.py runserver "${PDZ_ADDRESS:-127.0.0.1:8000}"

#!/usr/bin/env bash
# Sets up what pdz needs on a Debian/Ubuntu machine: system packages, the virtualenv from the
# lock file and the static assets. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv

APT_PACKAGES=(
  python3-venv            # the virtualenv
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core  # WeasyPrint
  poppler-utils           # pdftotext and pdftoppm, to read PDFs back in tests
  gettext                 # makemessages / compilemessages
  postgresql              # the tests start a throwaway cluster with its binaries
  redis-server            # the tests start a throwaway Redis
  chromium                # browser tests, driven by Playwright
)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "pdz needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

stamp="$VENV/.installed-$(sha256sum requirements-dev.lock | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> Installing Python packages from requirements-dev.lock"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.lock
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi

echo "==> Collecting static assets"
"$VENV/bin/python" manage.py collectstatic --noinput -v0

#!/usr/bin/env bash
# Sets up django-helpdesk for the comparison (see README.md):
#   - a venv ($HELPDESK_VENV, default /tmp/helpdesk-venv) with the pinned requirements.txt
#     (django-helpdesk, its dependencies and gunicorn);
#   - wrk from Debian if it is missing;
#   - the minimal Django project (project/ beside this script) copied to $HELPDESK_WORK
#     (default /tmp/helpdesk-bench), a generated SECRET_KEY and staff password in
#     $HELPDESK_WORK/env;
#   - $HELPDESK_WORK/base.sqlite3: migrated, WAL, the staff user, the public queue and the
#     other queues. submit.sh and list.sh copy it and never change it.
# Re-running keeps the venv (pip only installs what is missing) and rebuilds the project and
# the database.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HELPDESK_VENV="${HELPDESK_VENV:-/tmp/helpdesk-venv}"
HELPDESK_WORK="${HELPDESK_WORK:-/tmp/helpdesk-bench}"
PYTHON="${PYTHON:-python3}"

log() { printf '[setup] %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (Debian package)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null
  fi
fi

if [ ! -x "$HELPDESK_VENV/bin/python" ]; then
  log "creating venv $HELPDESK_VENV with $($PYTHON --version 2>&1)"
  "$PYTHON" -m venv "$HELPDESK_VENV"
fi
log "pip install -r requirements.txt"
"$HELPDESK_VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
PY="$HELPDESK_VENV/bin/python"

log "project -> $HELPDESK_WORK/project"
mkdir -p "$HELPDESK_WORK"
rm -rf "$HELPDESK_WORK/project"
cp -r "$HERE/project" "$HELPDESK_WORK/project"
find "$HELPDESK_WORK/project" -name __pycache__ -prune -exec rm -rf {} +

# Secrets are generated here and kept only in $HELPDESK_WORK/env (mode 600).
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
STAFF_PASSWORD="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(18))')"
umask 077
cat >"$HELPDESK_WORK/env" <<EOF
export HELPDESK_SECRET_KEY='$SECRET_KEY'
export HELPDESK_STAFF_USER='staff'
export HELPDESK_STAFF_PASSWORD='$STAFF_PASSWORD'
EOF
umask 022
# shellcheck disable=SC1091
. "$HELPDESK_WORK/env"

export DJANGO_SETTINGS_MODULE=benchsite.settings
export PYTHONPATH="$HELPDESK_WORK/project"
export HELPDESK_DB="$HELPDESK_WORK/base.sqlite3"
export HELPDESK_MEDIA_ROOT="$HELPDESK_WORK/media"
rm -f "$HELPDESK_DB" "$HELPDESK_DB-wal" "$HELPDESK_DB-shm"
mkdir -p "$HELPDESK_MEDIA_ROOT"

log "manage.py check && migrate"
"$PY" "$HELPDESK_WORK/project/manage.py" check
"$PY" "$HELPDESK_WORK/project/manage.py" migrate --no-input -v 0
"$PY" "$HERE/bootstrap.py"

log "done: $("$PY" -c 'import helpdesk, django, gunicorn; from importlib.metadata import version as v; print("django-helpdesk", v("django-helpdesk"), "Django", django.get_version(), "gunicorn", gunicorn.__version__)')"
log "base database: $HELPDESK_DB; staff user and password in $HELPDESK_WORK/env"

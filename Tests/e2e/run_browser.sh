#!/usr/bin/env bash
# Browser tests of the web pages (Tests/e2e/browser_test.py) against a real server on loopback:
# starts `asb serve` on an empty SQLite database in a temp dir, creates a team leader and an
# officer with `asb create-user`, runs the selenium suite (headless Debian chromium), stops the
# server. Exits non-zero if any step, axe check or HTML validation failed.
#
# Needs: chromium and chromium-driver (Debian), java (for the Nu HTML Checker), and a Python with
# Tests/e2e/requirements-browser.txt installed (ASB_E2E_PYTHON, default python3).
#   ASB_BIN         the server binary (default: $(swift build --show-bin-path)/asb); keep its
#                   asb-casework_ASBServer.resources folder beside it
#   ASB_E2E_PORT    port (default 8192)
#   ASB_E2E_KEEP=1  keep the temp dir (database, server log, saved HTML) afterwards
# Screenshots go to .build/e2e-screenshots/ in the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$(pwd)"

ASB_BIN="${ASB_BIN:-$(swift build --show-bin-path)/asb}"
PORT="${ASB_E2E_PORT:-8192}"
PYTHON="${ASB_E2E_PYTHON:-python3}"
URL="http://127.0.0.1:$PORT"
[ -x "$ASB_BIN" ] || { echo "run_browser: no server binary at $ASB_BIN (build first, or set ASB_BIN)" >&2; exit 1; }
if curl -sf "$URL/health" >/dev/null 2>&1; then
    echo "run_browser: something already answers on $URL; stop it or set ASB_E2E_PORT" >&2
    exit 1
fi

DIR="$(mktemp -d /tmp/asb-e2e-browser.XXXXXX)"
export ASB_DATABASE_URL="sqlite:$DIR/e2e.sqlite"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "${ASB_E2E_KEEP:-0}" = 1 ]; then echo "run_browser: kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT

echo "run_browser: starting $ASB_BIN on $URL (temp dir $DIR)"
(cd "$DIR" && ASB_BCRYPT_COST=4 ASB_BREACH_SCAN_SECONDS=0 ASB_PUBLIC_RATE_LIMIT=0 exec "$ASB_BIN" serve --port "$PORT") > "$DIR/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
    curl -sf "$URL/health" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 1
done
if ! curl -sf "$URL/health" >/dev/null 2>&1; then
    echo "run_browser: the server did not become healthy" >&2
    tail -n 50 "$DIR/serve.log" >&2
    exit 1
fi
ADMIN_PASSWORD=$(awk '/password:/ {print $2; exit}' "$DIR/serve.log")
[ -n "$ADMIN_PASSWORD" ] || { echo "run_browser: no first-admin password in the server log" >&2; exit 1; }

# Staff users (generated, obviously fake people), created with the CLI on the same database.
STAFF_PASSWORD="e2e-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
create_user() { # username role display-name
    printf '%s\n' "$STAFF_PASSWORD" | "$ASB_BIN" create-user --username "$1" --role "$2" --display-name "$3" >> "$DIR/create-user.log" 2>&1 \
        || { echo "run_browser: create-user $1 failed" >&2; cat "$DIR/create-user.log" >&2; exit 1; }
}
create_user e2e-leader teamLeader "Tess Testleader"
create_user e2e-officer officer "Olly Testofficer"

status=0
ASB_URL="$URL" \
ASB_E2E_LEADER="e2e-leader:$STAFF_PASSWORD" \
ASB_E2E_OFFICER="e2e-officer:$STAFF_PASSWORD" \
ASB_E2E_OFFICER_NAME="Olly Testofficer" \
ASB_E2E_ADMIN="admin:$ADMIN_PASSWORD" \
ASB_E2E_OUT="$DIR/out" \
ASB_E2E_SCREENSHOTS="${ASB_E2E_SCREENSHOTS:-$REPO/.build/e2e-screenshots}" \
    "$PYTHON" Tests/e2e/browser_test.py || status=$?

if [ "$status" != 0 ]; then
    echo "run_browser: FAILED (exit $status); last lines of the server log:" >&2
    grep -v "\[Migrator\]" "$DIR/serve.log" | tail -n 30 >&2
fi
exit "$status"

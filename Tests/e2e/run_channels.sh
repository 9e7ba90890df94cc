#!/usr/bin/env bash
# Channels end to end (Tests/e2e/channels_test.py): a real SMTP server (aiosmtpd, via
# smtp_sink.py) and `asb serve` on loopback, an Open311 key issued with the CLI, then Open311 with
# the georeport client, the acknowledgement email, and email in (endpoint and Maildir import).
#   ASB_BIN            the server binary (default: $(swift build --show-bin-path)/asb)
#   ASB_E2E_PYTHON     a Python with Tests/e2e/requirements-channels.txt installed (default python3)
#   ASB_CHANNELS_PORT  the server's port (default 8193)
set -euo pipefail
cd "$(dirname "$0")/../.."
ASB_BIN="${ASB_BIN:-$(swift build --show-bin-path)/asb}"
PYTHON="${ASB_E2E_PYTHON:-python3}"
PORT="${ASB_CHANNELS_PORT:-8193}"
URL="http://127.0.0.1:$PORT"
DIR="$(mktemp -d /tmp/asb-e2e-channels.XXXXXX)"
mkdir -p "$DIR/mail"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$DIR"
}
trap cleanup EXIT

"$PYTHON" -u Tests/e2e/smtp_sink.py --port 0 --dir "$DIR/mail" > "$DIR/sink.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do grep -q '^ready' "$DIR/sink.log" 2>/dev/null && break; sleep 0.2; done
SMTP_PORT=$(awk '/^ready/ {print $2; exit}' "$DIR/sink.log")
[ -n "$SMTP_PORT" ] || { echo "run_channels: the SMTP sink did not start" >&2; cat "$DIR/sink.log" >&2; exit 1; }

export ASB_DATABASE_URL="sqlite:$DIR/channels.sqlite" ASB_BCRYPT_COST=4 ASB_BREACH_SCAN_SECONDS=0 ASB_PUBLIC_RATE_LIMIT=0
export ASB_SMTP_HOST=127.0.0.1 ASB_SMTP_PORT="$SMTP_PORT" ASB_SMTP_SECURITY=none ASB_MAIL_SEND_SECONDS=1
export ASB_INBOUND_EMAIL_SECRET="e2e-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export ASB_PUBLIC_URL="$URL" ASB_LANDLORD_NAME="Example Homes"
(cd "$DIR" && exec "$ASB_BIN" serve --port "$PORT") > "$DIR/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 60); do curl -sf "$URL/health" >/dev/null 2>&1 && break; sleep 1; done
curl -sf "$URL/health" >/dev/null || { echo "run_channels: the server did not start" >&2; tail -n 40 "$DIR/serve.log" >&2; exit 1; }
KEY=$("$ASB_BIN" open311 add-key --name "E2E civic site" | awk '/api_key/ {print $NF; exit}')
[ -n "$KEY" ] || { echo "run_channels: no Open311 key" >&2; exit 1; }

if ! ASB_URL="$URL" ASB_OPEN311_KEY="$KEY" ASB_INBOUND_SECRET="$ASB_INBOUND_EMAIL_SECRET" ASB_MAIL_DIR="$DIR/mail" \
    ASB_BIN="$ASB_BIN" "$PYTHON" -u Tests/e2e/channels_test.py; then
    echo "run_channels: FAILED; last lines of the server log:" >&2
    tail -n 40 "$DIR/serve.log" >&2
    exit 1
fi

#!/usr/bin/env bash
# Crash test (Tests/e2e/crash_test.py): `asb serve` killed with SIGKILL under concurrent intake and
# restarted; every acknowledged report must be intact and every acknowledgement email sent. Then
# the restarted server is stopped with SIGTERM under the same load: it must exit with status 0.
#   ASB_BIN          the server binary (default: $(swift build --show-bin-path)/asb)
#   ASB_E2E_PYTHON   a Python with Tests/e2e/requirements-smtp.txt installed (default python3)
#   ASB_CRASH_PORT   the server's port (default 8194)
set -euo pipefail
cd "$(dirname "$0")/../.."
export ASB_BIN="${ASB_BIN:-$(swift build --show-bin-path)/asb}"
PYTHON="${ASB_E2E_PYTHON:-python3}"
export ASB_CRASH_DIR="$(mktemp -d /tmp/asb-e2e-crash.XXXXXX)"
trap 'rm -rf "$ASB_CRASH_DIR"' EXIT
if ! "$PYTHON" -u Tests/e2e/crash_test.py; then
    echo "run_crash: FAILED; last lines of the server logs:" >&2
    tail -n 20 "$ASB_CRASH_DIR"/serve-*.log >&2 || true
    exit 1
fi

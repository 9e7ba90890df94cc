#!/usr/bin/env bash
# Two `asb serve` instances on one PostgreSQL database (Tests/e2e/multi_instance_test.py).
#   ASB_BIN                  the server binary (default: $(swift build --show-bin-path)/asb)
#   ASB_E2E_PYTHON           a Python with Tests/e2e/requirements-smtp.txt installed (default python3)
#   ASB_MULTI_DATABASE_URL   an empty PostgreSQL database (required)
#   ASB_MULTI_PSQL           psql (default: psql on PATH)
set -euo pipefail
cd "$(dirname "$0")/../.."
export ASB_BIN="${ASB_BIN:-$(swift build --show-bin-path)/asb}"
: "${ASB_MULTI_DATABASE_URL:?set ASB_MULTI_DATABASE_URL to an empty PostgreSQL database}"
PYTHON="${ASB_E2E_PYTHON:-python3}"
export ASB_MULTI_DIR="$(mktemp -d /tmp/asb-e2e-multi.XXXXXX)"
trap 'rm -rf "$ASB_MULTI_DIR"' EXIT
if ! "$PYTHON" -u Tests/e2e/multi_instance_test.py; then
    echo "run_multi: FAILED; last lines of the instances' logs:" >&2
    tail -n 20 "$ASB_MULTI_DIR"/a.log "$ASB_MULTI_DIR"/b.log >&2 || true
    exit 1
fi

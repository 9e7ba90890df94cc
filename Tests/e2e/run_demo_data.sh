#!/usr/bin/env bash
# `asb demo-data` through the built binary (Tests/e2e/demo_data_test.py): a small load into a new
# SQLite file with glibc's allocator tuned, the file left as served, the same data untuned.
#   ASB_BIN          the asb binary (default: $(swift build --show-bin-path)/asb)
#   ASB_E2E_PYTHON   a Python 3 (default python3; only its standard library is used)
set -euo pipefail
cd "$(dirname "$0")/../.."
export ASB_BIN="${ASB_BIN:-$(swift build --show-bin-path)/asb}"
PYTHON="${ASB_E2E_PYTHON:-python3}"
export ASB_DEMO_DIR="$(mktemp -d /tmp/asb-e2e-demo.XXXXXX)"
trap 'rm -rf "$ASB_DEMO_DIR"' EXIT
"$PYTHON" -u Tests/e2e/demo_data_test.py

#!/usr/bin/env bash
# build-release.sh: the server as it is meant to run in production, in .build/release/asb.
#
# A release build with cross-module optimisation: the compiler may then specialise the generic
# code of Vapor, Fluent and SwiftNIO for the application's own types (a Fluent model's fields,
# its rows' values) instead of calling the general versions, which look up type information at
# run time. Public report intake on the project's 2-core machine: about 15% more reports a
# second for the same CPU (README, "Scale and speed"). A first build takes about 9 minutes on
# 2 cores (plain `swift build -c release`: about 6); changing the flags rebuilds everything.
#
# Usage: scripts/build-release.sh [more swift build options, e.g. --scratch-path DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift build -c release --product asb -Xswiftc -cross-module-optimization "$@"

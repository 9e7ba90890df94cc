#!/usr/bin/env bash
# intake.sh: how many public reports a second the server records durably, and how far that is
# from the physical floor of this machine's disk.
#
#  1. Capture: start the server on a fresh SQLite file, send ONE report (the first body
#     intake.lua would send), and keep the rows it added (capture.py compares every table
#     before and after). This also proves the body is accepted (201).
#  2. Intake: RUNS times, on a fresh SQLite file each time: start the server, drive
#     `POST /api/v1/reports` with wrk (intake.lua: valid, varied public reports) at
#     CONNECTIONS connections and THREADS threads for DURATION seconds, then check that the
#     database holds one case per 201 answer. Each run prints one JSON line; then the medians.
#  3. Floor: floor.c replays the captured rows, one transaction per report, with the same
#     durability (WAL, synchronous=FULL), from one process, on a copy of the freshly migrated
#     database, for FLOOR_SECONDS. Then the ratio intake/floor.
#
# Environment:
#   ASB_BIN        the server binary (default .build/release/asb in this checkout)
#   DURATION       seconds of each wrk run (default 20)
#   RUNS           runs, each on a fresh database (default 3; 0 runs only the capture and the floor)
#   CONNECTIONS    wrk connections (default 32)
#   THREADS        wrk threads (default 2)
#   PORT           server port, 8300-8399 (default 8310)
#   FLOOR          1 to run the floor (default), 0 to skip it
#   FLOOR_SECONDS  seconds of the floor run (default DURATION)
#   FLOOR_REPORTS  instead, replay this many reports (e.g. as many as a run's 201s)
#   FLOOR_SQLITE   system (default: gcc ... -lsqlite3, Debian's SQLite) or nio (compile in the
#                  server's own SQLite amalgamation from .build/checkouts/sqlite-nio, ~1 min)
#   BENCH_TMP      where the temporary databases go (default $TMPDIR or /tmp; must be a real
#                  disk, not tmpfs, or fsync is free and the numbers mean nothing)
#   OUT            also append every JSON line to this file
#   KEEP           1 keeps the temporary directory (databases, logs, template) for a look
#   Anything else the server reads (LOG_LEVEL, ASB_BCRYPT_COST, ...) is passed on.
#
# Example: DURATION=10 RUNS=3 scripts/bench/intake.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

ASB_BIN=${ASB_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/.build/release/asb}
DURATION=${DURATION:-20}
RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-8310}
FLOOR=${FLOOR:-1}
FLOOR_SECONDS=${FLOOR_SECONDS:-$DURATION}
FLOOR_REPORTS=${FLOOR_REPORTS:-}
FLOOR_SQLITE=${FLOOR_SQLITE:-system}
BENCH_TMP=${BENCH_TMP:-${TMPDIR:-/tmp}}
OUT=${OUT:-}
KEEP=${KEEP:-0}

need wrk curl sqlite3 python3 gcc
check_binary

WORK=$(mktemp -d "$BENCH_TMP/asb-bench-intake.XXXXXX")
cleanup() {
    rss_stop
    stop_server
    if [[ "$KEEP" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

emit() {  # print a JSON line, and append it to $OUT if set
    echo "$1"
    if [[ -n "$OUT" ]]; then echo "$1" >>"$OUT"; fi
}

fs=$(stat -f -c %T "$WORK")
echo "# server: $ASB_BIN"
echo "# databases in $WORK ($fs); $RUNS run(s) of ${DURATION}s, $CONNECTIONS connections, $THREADS threads; $(nproc) cores"
emit "$(machine_reference)"
[[ "$fs" == tmpfs ]] && echo "!!! WARNING: $WORK is on tmpfs: fsync costs nothing there, the numbers are not durable ones !!!"

# The jobs `asb serve` runs on timers, off while capturing so that nothing but the report writes.
QUIET_JOBS=(ASB_BREACH_SCAN_SECONDS=0 ASB_MAIL_SEND_SECONDS=0 ASB_CLOSURE_REVIEW_HOURS=0 ASB_RETENTION_HOURS=0)

# ---- 1. Capture the rows of one report ---------------------------------------------------
if [[ "$FLOOR" == 1 ]]; then
    cap="$WORK/capture"
    mkdir -p "$cap"
    start_server "sqlite:$cap/asb.sqlite" "$cap/server.log" "${QUIET_JOBS[@]}"
    sleep 1  # let start-up work (first admin, seeds) settle
    # The first body wrk would send (intake.lua writes it and exits before sending anything).
    INTAKE_DUMP_BODY="$cap/report.json" wrk -t1 -c1 -d1s -s "$HERE/intake.lua" "http://127.0.0.1:$PORT" >/dev/null
    [[ -s "$cap/report.json" ]] || die "intake.lua did not write the report body"
    submit() {
        local status
        status=$(curl -s -o "$cap/receipt.json" -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/api/v1/reports" \
            -H 'Content-Type: application/json' --data-binary "@$1")
        [[ "$status" == 201 ]] || die "the report $1 was answered $status: $(cat "$cap/receipt.json")"
        sleep 0.5  # nothing should follow the answer, but give it time to show if it does
    }
    # A warm-up report first: the first report of a database also writes rows once per database
    # (the risk questionnaire version), which are not part of every report's cost.
    submit "$cap/report.json.2"
    sqlite3 "$cap/asb.sqlite" ".backup '$cap/before.sqlite'"
    submit "$cap/report.json"
    sqlite3 "$cap/asb.sqlite" ".backup '$cap/after.sqlite'"
    stop_server
    captured=$(python3 "$HERE/capture.py" "$cap/before.sqlite" "$cap/after.sqlite" "$cap/floor.tpl" "$cap/added.sql") \
        || die "capturing the rows of one report failed"
    echo "# capture: $captured"
    if [[ "$FLOOR_SQLITE" == nio ]]; then
        # The server's own SQLite (version and compile-time options as sqlite-nio's Package.swift).
        nio="$HERE/../../.build/checkouts/sqlite-nio/Sources/VaporCSQLite"
        [[ -f "$nio/sqlite_nio_sqlite3.c" ]] || die "no sqlite-nio checkout at $nio"
        echo "# compiling floor.c with the server's SQLite ($(tail -n 1 "$nio/version.txt" 2>/dev/null || echo "?")): about a minute"
        gcc -O2 -DFLOOR_SQLITE_NIO -I"$nio/include" -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_DISABLE_PAGECACHE_OVERFLOW_STATS \
            -DSQLITE_DQS=0 -DSQLITE_OMIT_DEPRECATED -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_SHARED_CACHE \
            -DSQLITE_SECURE_DELETE -DSQLITE_THREADSAFE=1 -DSQLITE_USE_URI -DSQLITE_LIKE_DOESNT_MATCH_BLOBS \
            -DSQLITE_MAX_VARIABLE_NUMBER=250000 -o "$WORK/floor" "$HERE/floor.c" "$nio/sqlite_nio_sqlite3.c" -lpthread -lm
    else
        gcc -O2 -Wall -o "$WORK/floor" "$HERE/floor.c" -lsqlite3
    fi
fi

# ---- 2. Intake runs ----------------------------------------------------------------------
declare -a RPS P50 P95 P99
errors=0
for run in $(seq 1 "$RUNS"); do
    dir="$WORK/run$run"
    mkdir -p "$dir"
    start_server "sqlite:$dir/asb.sqlite" "$dir/server.log"
    rss_start "$dir/rss" "$SERVER_PID"
    cpu0=$(cpu_seconds "$SERVER_PID")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s --latency \
        -s "$HERE/intake.lua" "http://127.0.0.1:$PORT" >"$dir/wrk.out" 2>"$dir/wrk.err" || die "wrk failed: $(cat "$dir/wrk.err")"
    cpu1=$(cpu_seconds "$SERVER_PID")
    rss_stop
    result=$(sed -n 's/^RESULT //p' "$dir/wrk.out")
    [[ -n "$result" ]] || die "no RESULT line from wrk: $(cat "$dir/wrk.out" "$dir/wrk.err")"
    # Every 201 must be a case in the database (read while the server still runs: WAL readers see
    # every committed transaction).
    cases=$(sqlite3 "$dir/asb.sqlite" "SELECT count(*) FROM cases")
    peak=$(rss_peak_mb "$dir/rss")
    stop_server
    db_mb=$(du -sm "$dir" | cut -f1)
    # The server's CPU use during the run, in cores (1.0 = one core busy all the time): far below
    # the machine's cores means it waits (on the write lock, fsync, ...) rather than computes.
    line=$(jq -c --argjson run "$run" --argjson cases "$cases" --argjson rss "$peak" --argjson dbmb "$db_mb" \
        --argjson cpu "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.2f", b - a}')" \
        '{kind: "intake", run: $run} + . + {casesInDatabase: $cases, peakRssMB: $rss, dirMB: $dbmb,
          serverCpuCores: (($cpu / .seconds * 100 | round) / 100)}' <<<"$result")
    emit "$line"
    if [[ $(jq -r .ok <<<"$line") != true ]]; then
        errors=1
        echo "!!!!! run $run had errors: $(jq -c '{non201, non201ByStatus, socketErrors}' <<<"$line"); first answers:" >&2
        head -n 3 "$dir/wrk.err" >&2
    fi
    # wrk stops at DURATION without reading the answers still in flight (at most one per
    # connection): those reports are recorded but not counted. Anything else is an error.
    created=$(jq -r .created <<<"$line")
    if (( cases < created || cases > created + CONNECTIONS )); then
        errors=1
        echo "!!!!! run $run: $created reports answered 201 but the database holds $cases cases" >&2
    fi
    RPS+=("$(jq -r .rps <<<"$line")"); P50+=("$(jq -r .p50_ms <<<"$line")")
    P95+=("$(jq -r .p95_ms <<<"$line")"); P99+=("$(jq -r .p99_ms <<<"$line")")
done

if (( RUNS > 0 )); then
med_rps=$(printf '%s\n' "${RPS[@]}" | median)
summary=$(jq -nc --argjson runs "$RUNS" --argjson rps "$med_rps" \
    --argjson p50 "$(printf '%s\n' "${P50[@]}" | median)" --argjson p95 "$(printf '%s\n' "${P95[@]}" | median)" \
    --argjson p99 "$(printf '%s\n' "${P99[@]}" | median)" --argjson ok "$([[ $errors == 0 ]] && echo true || echo false)" \
    '{kind: "intake-median", runs: $runs, rps: $rps, p50_ms: $p50, p95_ms: $p95, p99_ms: $p99, ok: $ok}')
emit "$summary"
fi

# ---- 3. The floor ------------------------------------------------------------------------
if [[ "$FLOOR" == 1 ]]; then
    cp "$WORK/capture/before.sqlite" "$WORK/floor.sqlite"
    base_cases=$(sqlite3 "$WORK/floor.sqlite" "SELECT count(*) FROM cases")  # the warm-up report
    if [[ -n "$FLOOR_REPORTS" ]]; then limit=(--reports "$FLOOR_REPORTS"); else limit=(--seconds "$FLOOR_SECONDS"); fi
    floor=$("$WORK/floor" "$WORK/capture/floor.tpl" "$WORK/floor.sqlite" "${limit[@]}")
    # The replayed rows must be whole: one case per replayed report, foreign keys intact.
    fcases=$(sqlite3 "$WORK/floor.sqlite" "SELECT count(*) FROM cases")
    fkeys=$(sqlite3 "$WORK/floor.sqlite" "PRAGMA foreign_key_check" | wc -l)
    floor=$(jq -c --argjson cases "$fcases" --argjson fk "$fkeys" \
        '{kind: "floor"} + . + {casesInDatabase: $cases, foreignKeyProblems: $fk}' <<<"$floor")
    emit "$floor"
    [[ $(( $(jq -r .reports <<<"$floor") + base_cases )) == "$fcases" && "$fkeys" == 0 ]] || { errors=1; echo "!!!!! the floor's database is not whole" >&2; }
    (( RUNS > 0 )) || exit $errors
    ratio=$(jq -nc --argjson i "$med_rps" --argjson f "$(jq .rps <<<"$floor")" \
        '{kind: "ratio", intake_rps: $i, floor_rps: $f, intake_over_floor: (($i / $f * 1000 | round) / 1000)}')
    emit "$ratio"
    echo "# intake/floor = $(jq .intake_over_floor <<<"$ratio") (server median $med_rps reports/s, floor $(jq .rps <<<"$floor") reports/s)"
fi

if [[ $errors != 0 ]]; then
    echo "!!!!! THE BENCHMARK HAD ERRORS: see above; these numbers are NOT valid !!!!!" >&2
    exit 1
fi

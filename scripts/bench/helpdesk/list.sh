#!/usr/bin/env bash
# Staff work queue with 100,000 tickets: a signed-in staff member's view of open tickets.
# Loads TICKETS tickets (load_tickets.py; cached in $HELPDESK_WORK/list-*.sqlite3, RELOAD=1 to
# rebuild) into a copy of the migrated database, starts gunicorn on it, signs in through the
# login form (CSRF, session cookie), then for each of RUNS runs measures with wrk, each for
# DURATION seconds after WARMUP seconds:
#   page  GET /tickets/ (the ticket list page, default filter: Open and Reopened). It renders
#         the filters and an empty table; it does not query the tickets.
#   json  GET /datatables_ticket_list/<query>?draw=1&...&start=0&length=25: the request the
#         page's DataTables script makes to fill the table; it returns the first 25 open
#         tickets (oldest first) and the counts. This is where the open tickets are queried.
#   view  the two alternately on each wrk thread (what opening the list costs a browser);
#         views_per_s = successful requests / 2 / seconds.
# Prints one JSON line per endpoint per run and one line of medians per endpoint on stdout.
#
# Env: TICKETS (100000), CLOSED_PERCENT (0), DURATION (10), RUNS (3), CONNECTIONS (4),
#      WRK_THREADS (min(cores, CONNECTIONS)), WARMUP (2), ENDPOINTS ("page json view"),
#      PORT (8401), RELOAD (0), GUNICORN_WORKERS, GUNICORN_WORKER_CLASS, GUNICORN_THREADS,
#      HELPDESK_WORK, HELPDESK_VENV.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TICKETS="${TICKETS:-100000}"
CLOSED_PERCENT="${CLOSED_PERCENT:-0}"
DURATION="${DURATION:-10}"
RUNS="${RUNS:-3}"
CONNECTIONS="${CONNECTIONS:-4}"
WRK_THREADS="${WRK_THREADS:-$(( CORES < CONNECTIONS ? CORES : CONNECTIONS ))}"
WARMUP="${WARMUP:-2}"
ENDPOINTS="${ENDPOINTS:-page json view}"
PORT="${PORT:-8401}"
RELOAD="${RELOAD:-0}"
BASE="http://127.0.0.1:$PORT"
LOADED="$HELPDESK_WORK/list-$TICKETS-closed$CLOSED_PERCENT.sqlite3"
DB="$HELPDESK_WORK/list-run.sqlite3"
RESULTS="$HELPDESK_WORK/list-results.jsonl"
: >"$RESULTS"

if [ "$RELOAD" = "1" ] || [ ! -f "$LOADED" ] || [ "$LOADED" -ot "$HELPDESK_WORK/base.sqlite3" ]; then
  log "loading $TICKETS tickets (closed: $CLOSED_PERCENT%) into $LOADED"
  copy_db "$HELPDESK_WORK/base.sqlite3" "$LOADED.tmp"
  HELPDESK_DB="$LOADED.tmp" TICKETS="$TICKETS" CLOSED_PERCENT="$CLOSED_PERCENT" \
    "$PY" "$BENCH_DIR/load_tickets.py" >&2
  rm -f "$LOADED.tmp-wal" "$LOADED.tmp-shm"
  mv "$LOADED.tmp" "$LOADED"
fi
copy_db "$LOADED" "$DB"
counts="$("$PY" "$BENCH_DIR/benchlib.py" counts "$DB")"
log "database: $counts"
log "django-helpdesk $HD_VERSION, Django $DJANGO_VERSION; gunicorn $GUNICORN_WORKERS x $GUNICORN_WORKER_CLASS" \
    "worker(s) x $GUNICORN_THREADS thread(s); wrk -c $CONNECTIONS -t $WRK_THREADS -d ${DURATION}s; $RUNS run(s)"

check_quiet
start_gunicorn "$DB" "$PORT" "$HELPDESK_WORK/gunicorn-list.log"
COOKIE="$("$PY" "$BENCH_DIR/benchlib.py" login "$BASE" "$HELPDESK_STAFF_USER")"
JSON_PATH="$("$PY" "$BENCH_DIR/benchlib.py" datatables-url "$BASE" "$COOKIE")"
log "first page of open tickets: $("$PY" "$BENCH_DIR/benchlib.py" check-json "$BASE" "$JSON_PATH" "$COOKIE")"
export COOKIE

problems=0
for run in $(seq 1 "$RUNS"); do
  for endpoint in $ENDPOINTS; do
    case "$endpoint" in
      page) LIST_PATH="/tickets/"; LIST_PATH2=""; desc="GET /tickets/ (HTML page)" ;;
      json) LIST_PATH="$JSON_PATH"; LIST_PATH2=""; desc="GET /datatables_ticket_list/... first 25 open (JSON)" ;;
      view) LIST_PATH="/tickets/"; LIST_PATH2="$JSON_PATH"; desc="page and JSON alternately" ;;
      *) echo "unknown endpoint $endpoint" >&2; exit 1 ;;
    esac
    export LIST_PATH LIST_PATH2
    if [ "$WARMUP" != "0" ]; then
      run_wrk "$HELPDESK_WORK/wrk-list-warmup.txt" "$BENCH_DIR/list.lua" "$CONNECTIONS" "$WRK_THREADS" "${WARMUP}s" "$BASE"
    fi
    wait_idle # requests that the previous wrk left in flight finish first
    out="$HELPDESK_WORK/wrk-list-$endpoint-$run.txt"
    mark="$(cpu_mark)"
    run_wrk "$out" "$BENCH_DIR/list.lua" "$CONNECTIONS" "$WRK_THREADS" "${DURATION}s" "$BASE"
    other="$(other_cpu_pct "$mark" "$(cpu_mark)")"
    if awk -v o="$other" 'BEGIN { exit !(o > 5) }'; then
      log "!!!!! run $run: other processes used $other% of the machine's CPU during the measurement"
    fi
    wait_idle
    line="$("$PY" "$BENCH_DIR/benchlib.py" result "$out" \
      other_cpu_pct="$other" system=django-helpdesk version="$HD_VERSION" django="$DJANGO_VERSION" test=list \
      endpoint="$endpoint" request="$desc" run="$run" connections="$CONNECTIONS" \
      gunicorn_workers="$GUNICORN_WORKERS" gunicorn_worker_class="$GUNICORN_WORKER_CLASS" \
      gunicorn_threads="$GUNICORN_THREADS" database="$counts" \
      ok_status=200 rate_name=requests_per_s)"
    if [ "$endpoint" = "view" ]; then
      line="$(echo "$line" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); d["views_per_s"]=round(d["ok"]/2/d["duration_s"],2); print(json.dumps(d))')"
    fi
    echo "$line" | tee -a "$RESULTS"
    non_ok="$(echo "$line" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["non_ok"])')"
    if [ "$non_ok" -ne 0 ]; then
      log "!!!!! run $run $endpoint: $non_ok NON-200 responses: $(echo "$line" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["statuses"], d["socket_errors"])')"
      problems=1
    fi
  done
done
stop_gunicorn

for endpoint in $ENDPOINTS; do
  grep "\"endpoint\": \"$endpoint\"" "$RESULTS" >"$RESULTS.$endpoint"
  extra=""
  [ "$endpoint" = "view" ] && extra="views_per_s"
  # shellcheck disable=SC2086
  "$PY" "$BENCH_DIR/benchlib.py" median "$RESULTS.$endpoint" requests_per_s $extra \
    latency_ms.p50 latency_ms.p95 latency_ms.p99 non_ok requests
  rm -f "$RESULTS.$endpoint"
done
if [ "$problems" -ne 0 ]; then
  log "!!!!! some runs had non-200 responses, see above; gunicorn log: $HELPDESK_WORK/gunicorn-list.log"
  exit 1
fi

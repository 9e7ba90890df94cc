#!/usr/bin/env bash
# Public report submission: anonymous POSTs of django-helpdesk's public form (/tickets/submit/)
# over HTTP on loopback, 32 connections, for DURATION seconds, RUNS times. Each run starts
# gunicorn on a fresh copy of the migrated database (setup.sh), fetches the CSRF cookie once,
# warms up for WARMUP seconds, then measures. Prints one JSON line per run and one with the
# medians on stdout; progress and any problem on stderr.
#
# Env: DURATION (20), RUNS (3), CONNECTIONS (32), WRK_THREADS (cores), WARMUP (3),
#      PORT (8400), GUNICORN_WORKERS (2 x cores + 1), GUNICORN_WORKER_CLASS (sync),
#      GUNICORN_THREADS (1), HELPDESK_ATOMIC_REQUESTS (0), HELPDESK_WORK, HELPDESK_VENV.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DURATION="${DURATION:-20}"
RUNS="${RUNS:-3}"
CONNECTIONS="${CONNECTIONS:-32}"
WRK_THREADS="${WRK_THREADS:-$CORES}"
WARMUP="${WARMUP:-3}"
PORT="${PORT:-8400}"
BASE="http://127.0.0.1:$PORT"
DB="$HELPDESK_WORK/submit.sqlite3"
RESULTS="$HELPDESK_WORK/submit-results.jsonl"
: >"$RESULTS"

log "django-helpdesk $HD_VERSION, Django $DJANGO_VERSION; gunicorn $GUNICORN_WORKERS x $GUNICORN_WORKER_CLASS" \
    "worker(s) x $GUNICORN_THREADS thread(s); wrk -c $CONNECTIONS -t $WRK_THREADS -d ${DURATION}s; $RUNS run(s)"

check_quiet
problems=0
for run in $(seq 1 "$RUNS"); do
  copy_db "$HELPDESK_WORK/base.sqlite3" "$DB"
  start_gunicorn "$DB" "$PORT" "$HELPDESK_WORK/gunicorn-submit.log"
  CSRF_TOKEN="$("$PY" "$BENCH_DIR/benchlib.py" csrf "$BASE")"
  export CSRF_TOKEN
  if [ "$WARMUP" != "0" ]; then
    run_wrk "$HELPDESK_WORK/wrk-submit-warmup.txt" "$BENCH_DIR/submit.lua" "$CONNECTIONS" "$WRK_THREADS" "${WARMUP}s" "$BASE"
  fi
  wait_idle # the warm-up's requests still in the workers finish before the count
  before="$("$PY" "$BENCH_DIR/benchlib.py" counts "$DB")"
  mark="$(cpu_mark)"
  run_wrk "$HELPDESK_WORK/wrk-submit-$run.txt" "$BENCH_DIR/submit.lua" "$CONNECTIONS" "$WRK_THREADS" "${DURATION}s" "$BASE"
  other="$(other_cpu_pct "$mark" "$(cpu_mark)")"
  if awk -v o="$other" 'BEGIN { exit !(o > 5) }'; then
    log "!!!!! run $run: other processes used $other% of the machine's CPU during the measurement"
  fi
  # A graceful stop lets the workers finish the requests wrk left in flight, so the counts
  # below are final.
  stop_gunicorn
  after="$("$PY" "$BENCH_DIR/benchlib.py" counts "$DB")"
  created=$(( $(echo "$after" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["tickets"])') \
            - $(echo "$before" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["tickets"])') ))
  followups=$(( $(echo "$after" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["followups"])') \
              - $(echo "$before" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["followups"])') ))
  line="$("$PY" "$BENCH_DIR/benchlib.py" result "$HELPDESK_WORK/wrk-submit-$run.txt" \
    other_cpu_pct="$other" system=django-helpdesk version="$HD_VERSION" django="$DJANGO_VERSION" test=submit \
    endpoint="POST /tickets/submit/ (public form, multipart, CSRF)" run="$run" \
    connections="$CONNECTIONS" gunicorn_workers="$GUNICORN_WORKERS" \
    gunicorn_worker_class="$GUNICORN_WORKER_CLASS" gunicorn_threads="$GUNICORN_THREADS" \
    ok_status=302 ok_name=successes rate_name=submissions_per_s \
    tickets_created="$created" followups_created="$followups")"
  successes="$(echo "$line" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["successes"])')"
  non_ok="$(echo "$line" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["non_ok"])')"
  in_flight=$(( created - successes ))
  line="$(echo "$line" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); d["created_not_counted_by_wrk"]=int(sys.argv[1]); print(json.dumps(d))' "$in_flight")"
  echo "$line" | tee -a "$RESULTS"
  if [ "$non_ok" -ne 0 ]; then
    log "!!!!! run $run: $non_ok NON-SUCCESS responses (not 302): $(echo "$line" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["statuses"], d["socket_errors"])')"
    log "!!!!! gunicorn log: $HELPDESK_WORK/gunicorn-submit.log"
    problems=1
  fi
  # wrk stops with up to CONNECTIONS requests in flight; the server completes them, so the
  # database may hold up to CONNECTIONS more tickets than wrk saw 302s for. Never fewer.
  if [ "$in_flight" -lt 0 ] || [ "$in_flight" -gt "$CONNECTIONS" ]; then
    log "!!!!! run $run: $successes successes reported but $created tickets created"
    problems=1
  fi
  if [ "$followups" -ne "$created" ]; then
    log "!!!!! run $run: $created tickets but $followups follow-ups"
    problems=1
  fi
done

"$PY" "$BENCH_DIR/benchlib.py" median "$RESULTS" submissions_per_s latency_ms.p50 latency_ms.p95 latency_ms.p99
if [ "$problems" -ne 0 ]; then
  log "!!!!! some runs had problems, see above"
  exit 1
fi

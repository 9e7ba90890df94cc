# Sourced by submit.sh and list.sh: settings, and starting/stopping gunicorn on a database.
# shellcheck shell=bash

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HELPDESK_VENV="${HELPDESK_VENV:-/tmp/helpdesk-venv}"
HELPDESK_WORK="${HELPDESK_WORK:-/tmp/helpdesk-bench}"
PY="$HELPDESK_VENV/bin/python"
CORES="$(nproc)"
# gunicorn's own recommendation (docs, "How Many Workers?"): (2 x cores) + 1 sync workers.
GUNICORN_WORKERS="${GUNICORN_WORKERS:-$((2 * CORES + 1))}"
GUNICORN_WORKER_CLASS="${GUNICORN_WORKER_CLASS:-sync}"
GUNICORN_THREADS="${GUNICORN_THREADS:-1}"
export BENCH_DIR

if [ ! -f "$HELPDESK_WORK/env" ] || [ ! -f "$HELPDESK_WORK/base.sqlite3" ] || [ ! -x "$PY" ]; then
  echo "run setup.sh first (HELPDESK_WORK=$HELPDESK_WORK, HELPDESK_VENV=$HELPDESK_VENV)" >&2
  exit 1
fi
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk (setup.sh does it)" >&2; exit 1; }
# shellcheck disable=SC1091
. "$HELPDESK_WORK/env"
# The served project is always the one beside this script (setup.sh made the first copy).
rm -rf "$HELPDESK_WORK/project"
cp -r "$BENCH_DIR/project" "$HELPDESK_WORK/project"
export DJANGO_SETTINGS_MODULE=benchsite.settings
export PYTHONPATH="$HELPDESK_WORK/project"
export HELPDESK_MEDIA_ROOT="$HELPDESK_WORK/media"

HD_VERSION="$("$PY" -c 'from importlib.metadata import version; print(version("django-helpdesk"))')"
DJANGO_VERSION="$("$PY" -c 'import django; print(django.get_version())')"

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

# The machine must be quiet: on 2 cores anything else running (a build, another server)
# changes the numbers. check_quiet warns at the start (CPU use of the last 2 s); each result line carries
# other_cpu_pct, the share of the machine's CPU time during the measurement that went to
# processes other than gunicorn and wrk (from /proc; near 0 on a quiet machine).
check_quiet() {
  local a b busy
  a="$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)"
  sleep 2
  b="$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)"
  busy="$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
    printf "%d", (y[2] > x[2] ? 100 * (y[1] - x[1]) / (y[2] - x[2]) : 0) }')"
  if [ "$busy" -gt 5 ]; then
    log "!!!!! the machine is busy ($busy % of its CPU in the last 2 s, before this script started anything): the numbers will be low."
    log "!!!!! busiest processes: $(ps -eo pcpu,comm --sort=-pcpu | sed -n '2,4p' | tr -s ' ' | tr '\n' ';')"
  fi
}

# proc_ticks PID...: utime + stime (+ cutime + cstime with -c) of the processes, in clock ticks.
proc_ticks() {
  local with_children=0 total=0 p t
  if [ "$1" = "-c" ]; then with_children=1; shift; fi
  for p in "$@"; do
    t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null |
        awk -v c="$with_children" '{print $12 + $13 + (c ? $14 + $15 : 0)}') || t=0
    total=$(( total + ${t:-0} ))
  done
  echo "$total"
}
# cpu_mark: "busy_ticks all_ticks our_ticks" now (ours: gunicorn and its workers, and the
# waited-for children of this shell, which include every finished wrk).
cpu_mark() {
  local stat ours
  stat="$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)"
  # shellcheck disable=SC2046
  ours=$(( $(proc_ticks "$GUNICORN_PID" $(pgrep -P "$GUNICORN_PID" 2>/dev/null)) + $(proc_ticks -c $$) - $(proc_ticks $$) ))
  echo "$stat $ours"
}
# other_cpu_pct "MARK_BEFORE" "MARK_AFTER": % of all CPU time used by other processes between.
other_cpu_pct() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    split(a, x, " "); split(b, y, " ");
    other = (y[1] - x[1]) - (y[3] - x[3]); all = y[2] - x[2];
    if (other < 0) other = 0;
    printf "%.1f", (all > 0 ? 100 * other / all : 0) }'
}

GUNICORN_PID=""

# copy_db SRC DST: a fresh copy of a (checkpointed) SQLite database.
copy_db() {
  rm -f "$2" "$2-wal" "$2-shm"
  cp "$1" "$2"
}

# start_gunicorn DB PORT LOGFILE: serves the project on 127.0.0.1:PORT with DB, waits until ready.
start_gunicorn() {
  local db="$1" port="$2" logfile="$3"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use" >&2
    exit 1
  fi
  HELPDESK_DB="$db" "$HELPDESK_VENV/bin/gunicorn" \
    --chdir "$HELPDESK_WORK/project" \
    --bind "127.0.0.1:$port" \
    --workers "$GUNICORN_WORKERS" \
    --worker-class "$GUNICORN_WORKER_CLASS" \
    --threads "$GUNICORN_THREADS" \
    --backlog 2048 \
    --timeout 120 \
    --no-control-socket \
    --log-level warning \
    benchsite.wsgi:application >"$logfile" 2>&1 &
  GUNICORN_PID=$!
  local i
  for i in $(seq 1 100); do
    if curl -s -o /dev/null -m 5 "http://127.0.0.1:$port/login/"; then
      return 0
    fi
    if ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
      echo "gunicorn exited; its log:" >&2
      cat "$logfile" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "gunicorn did not answer on port $port" >&2
  exit 1
}

stop_gunicorn() {
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID"
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  GUNICORN_PID=""
}

# wait_idle: waits until gunicorn's workers have used no CPU for 0.5 s (at most 120 s), so that
# requests a finished wrk left in flight (the workers complete them) do not overlap the next
# measurement or a count of the database.
wait_idle() {
  local last="" now i c
  for i in $(seq 1 240); do
    now=0
    for c in $(pgrep -P "$GUNICORN_PID" 2>/dev/null); do
      # utime + stime (fields 14 and 15) of /proc/PID/stat, counted after the ")" of comm
      now=$(( now + $(sed 's/.*) //' "/proc/$c/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0) ))
    done
    if [ "$now" = "$last" ]; then
      return 0
    fi
    last="$now"
    sleep 0.5
  done
  echo "gunicorn's workers still busy after 120 s" >&2
}

trap stop_gunicorn EXIT
trap 'stop_gunicorn; exit 130' INT TERM

# run_wrk OUTFILE SCRIPT CONNECTIONS THREADS DURATION URL
run_wrk() {
  local out="$1" script="$2" conns="$3" threads="$4" duration="$5" url="$6"
  wrk --latency -c "$conns" -t "$threads" -d "$duration" --timeout 30s -s "$script" "$url" >"$out" 2>&1 || {
    echo "wrk failed:" >&2
    cat "$out" >&2
    exit 1
  }
}

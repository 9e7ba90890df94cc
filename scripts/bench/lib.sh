# Shared helpers for the benchmark scripts (sourced, not run).
#
# start_server DB_URL LOG [VAR=value ...]   start `asb serve` on 127.0.0.1:$PORT with that
#                                           database (extra env assignments are passed on),
#                                           wait for /health; sets SERVER_PID
# stop_server                               SIGTERM the server started here (SIGKILL after 20 s)
# rss_start FILE / rss_stop                 sample the server's VmRSS (kB) every 0.2 s into FILE
# rss_peak_mb FILE                          the peak of those samples, in MB
# cpu_seconds PID                           user+system CPU seconds the process has used so far
# median                                    reads numbers, one a line; prints their median
# machine_reference                         one JSON line on how fast this machine is right now:
#                                           a fixed Python loop's seconds and the CPU time the
#                                           host stole meanwhile (compare runs on noisy VMs)

SERVER_PID=""
RSS_PID=""

die() { echo "error: $*" >&2; exit 1; }

need() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || die "'$c' is missing (apt-get install $c)"; done; }

BINARY_CHECKED=""
check_binary() {
    [[ -n "$BINARY_CHECKED" ]] && return 0
    [[ -x "$ASB_BIN" ]] || die "no server binary at ASB_BIN=$ASB_BIN (build it: scripts/build-release.sh)"
    case "$ASB_BIN" in
        */debug/*) echo "!!! WARNING: $ASB_BIN is a DEBUG build: numbers are not representative !!!" >&2 ;;
    esac
    BINARY_CHECKED=1
}

# Refuse to start when something already listens on the port (it would be benchmarked instead).
check_port_free() {
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/"; then
        die "something already answers on 127.0.0.1:$PORT: choose another PORT (8300-8399)"
    fi
}

start_server() {
    local url=$1 log=$2
    shift 2
    check_port_free
    # ASB_PUBLIC_RATE_LIMIT=0: one client address sends everything, so the public rate limit
    # would answer 429 almost at once.
    env ASB_DATABASE_URL="$url" ASB_PUBLIC_RATE_LIMIT=0 "$@" \
        "$ASB_BIN" serve --hostname 127.0.0.1 --port "$PORT" >"$log" 2>&1 &
    SERVER_PID=$!
    local i
    for i in $(seq 1 600); do
        if curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/health" 2>/dev/null | grep -q '^200$'; then
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            SERVER_PID=""
            echo "--- server log ($log) ---" >&2; tail -n 30 "$log" >&2
            die "the server exited during start-up"
        fi
        sleep 0.1
    done
    die "the server did not answer /health within 60 s (log: $log)"
}

stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        local i
        for i in $(seq 1 200); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "the server did not stop in 20 s: SIGKILL" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
    fi
    local status=0
    wait "$SERVER_PID" 2>/dev/null || status=$?
    # Vapor exits 0 on SIGTERM; anything else (a crash while shutting down) is worth knowing.
    if [[ $status != 0 ]]; then
        echo "!!! the server exited with status $status when stopped (a crash at shutdown? see its log) !!!" >&2
    fi
    SERVER_PID=""
}

# The admin password `asb serve` prints once on its first start (empty if none).
admin_password() {
    sed -n 's/^ *password: *//p' "$1" | head -n 1
}

rss_start() {
    local file=$1 pid=$2
    : >"$file"
    (
        while kill -0 "$pid" 2>/dev/null; do
            awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null >>"$file" || true
            sleep 0.2
        done
    ) &
    RSS_PID=$!
}

rss_stop() {
    [[ -n "$RSS_PID" ]] || return 0
    kill "$RSS_PID" 2>/dev/null || true
    wait "$RSS_PID" 2>/dev/null || true
    RSS_PID=""
}

rss_peak_mb() {
    awk 'BEGIN {m = 0} $1 > m {m = $1} END {printf "%.1f", m / 1024}' "$1"
}

rss_now_mb() {
    awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0
}

cpu_seconds() {
    # Fields 14 and 15 of /proc/PID/stat (after the command name, which may hold spaces).
    local ticks
    ticks=$(sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}')
    awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}'
}

median() {
    sort -g | awk '{v[NR] = $1} END {
        if (NR == 0) { print "null"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The same work every time (10,000,000 additions in Python, one core) and /proc/stat's steal
# column over it: figures from two runs compare only when these are alike.
machine_reference() {
    local before after seconds
    before=$(awk '/^cpu / {print $2+$3+$4+$5+$6+$7+$8+$9, $9}' /proc/stat)
    seconds=$(python3 -c 'import time
t = time.perf_counter(); s = 0
for i in range(10_000_000): s += i
print(f"{time.perf_counter() - t:.2f}")')
    after=$(awk '/^cpu / {print $2+$3+$4+$5+$6+$7+$8+$9, $9}' /proc/stat)
    awk -v b="$before" -v a="$after" -v s="$seconds" 'BEGIN {
        split(b, x, " "); split(a, y, " "); total = y[1] - x[1]; steal = y[2] - x[2]
        printf "{\"kind\":\"machine\",\"pythonLoopSeconds\":%s,\"stealPercent\":%.1f}\n", s, (total > 0 ? 100 * steal / total : 0) }'
}

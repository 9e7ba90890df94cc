#!/usr/bin/env bash
# reads.sh: how fast staff reads answer on a database that already holds many cases.
#
# Starts the server on ASB_DATABASE_URL (or uses the one at ASB_BASE_URL), creates a team leader
# (the role that sees every case, queue and the statistics; `asb create-user`), signs in through
# the API (bearer token) and through the staff sign-in form (the `asb_staff` cookie), samples case
# references and search terms from all over the dataset (reads_sample.py), then times each of
# these with wrk for DURATION seconds at CONNECTIONS connections:
#
#   queue_<name>        GET /api/v1/queues/<name>, first page, for every queue of openapi.yaml
#   case_api            GET /api/v1/cases/{reference}, rotating over the sampled references
#   case_page           GET /staff/cases/{reference}, the staff HTML case page (cookie)
#   case_page_open      the same for open cases only (their pages carry the casework forms)
#   staff_home          GET /staff, the work queues page with their counts (cookie)
#   cases_list          GET /api/v1/cases, the first page (newest first)
#   cases_by_status     GET /api/v1/cases?status=received
#   cases_hate          GET /api/v1/cases?hate=true
#   parties_postcode    GET /api/v1/parties?postcode=..., rotating over sampled postcodes
#   parties_name        GET /api/v1/parties?q=<a full name>, rotating over sampled names
#   parties_prefix      GET /api/v1/parties?q=<3 letters>, a broad search (at most 50 answers)
#   stats_year          GET /api/v1/statistics/performance?year=STATS_YEAR (quarters and the year)
#   stats_year_months   the same with breakdown=months
#
# Note: staff reads of a case and searches that list people are audited, so several of these
# "reads" also write an audit row per request (as they do in production).
#
# Prints a JSON line per benchmark (also appended to OUT), then a table; samples the server's
# VmRSS every 0.2 s and prints the peak per benchmark, overall, and after the run.
# Exits non-zero (and says so) when any answer was not 2xx.
#
# Environment:
#   ASB_DATABASE_URL  the database to read (sqlite:PATH or postgres://...); needed unless
#                     ASB_BASE_URL is given with BENCH_USER and BENCH_PASSWORD
#   ASB_BASE_URL      use this running server instead of starting one (e.g. http://127.0.0.1:8080);
#                     set SERVER_PID to its process id for the memory figures
#   ASB_BIN           the server binary (default .build/release/asb in this checkout)
#   PORT              port of the server started here, 8300-8399 (default 8320)
#   DURATION          seconds per benchmark (default 10); DURATION_<name> for one benchmark,
#                     e.g. DURATION_stats_year=60 (a request slower than 120 s counts as a timeout)
#   CONNECTIONS       wrk connections (default 4); THREADS wrk threads (default min(2, CONNECTIONS));
#                     CONNECTIONS_<name> for one benchmark, e.g. CONNECTIONS_case_page=8. The
#                     statistics (stats_*) are timed on 1 connection unless CONNECTIONS_<name> says
#                     otherwise: the goal is one request's time, and 4 at once on 2 cores queue
#   ONLY              comma-separated benchmark names to run (default all), e.g. case_api,stats_year
#   SAMPLE            case references to sample (default 200); SEED for the sampling (default 1)
#   STATS_YEAR        financial year for the statistics (default 2025/26: April 2025 to March 2026)
#   JOBS              off (default): the server's timed jobs (breach scan, mail, closure review,
#                     retention) are turned off so they do not disturb the timings; on: as in production
#   BENCH_USER, BENCH_PASSWORD   sign in as this existing user instead of creating one
#   OUT               JSON-lines results file (default /tmp/asb-reads-<time>.jsonl)
#   KEEP              1 keeps the temporary directory (server log, path lists)
#
# Example: ASB_DATABASE_URL=sqlite:/data/demo.sqlite DURATION=10 CONNECTIONS=4 scripts/bench/reads.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXTERNAL_PID=${SERVER_PID:-}   # read before lib.sh, which keeps its own SERVER_PID
# shellcheck source=lib.sh
source "$HERE/lib.sh"

ASB_BIN=${ASB_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/.build/release/asb}
ASB_BASE_URL=${ASB_BASE_URL:-}
ASB_DATABASE_URL=${ASB_DATABASE_URL:-}
PORT=${PORT:-8320}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-4}
THREADS=${THREADS:-$(( CONNECTIONS < 2 ? CONNECTIONS : 2 ))}
ONLY=${ONLY:-}
SAMPLE=${SAMPLE:-200}
SEED=${SEED:-1}
STATS_YEAR=${STATS_YEAR:-2025/26}
JOBS=${JOBS:-off}
BENCH_USER=${BENCH_USER:-}
BENCH_PASSWORD=${BENCH_PASSWORD:-}
OUT=${OUT:-/tmp/asb-reads-$(date +%Y%m%d-%H%M%S).jsonl}
KEEP=${KEEP:-0}

QUEUES=(triage dueSoon overdue contactDue reviewsDue closureReviewDue caseReviewThreshold)

need wrk curl jq python3
[[ -n "$ASB_BASE_URL" || -n "$ASB_DATABASE_URL" ]] || die "set ASB_DATABASE_URL (or ASB_BASE_URL of a running server)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/asb-bench-reads.XXXXXX")
cleanup() {
    rss_stop
    stop_server
    if [[ "$KEEP" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- The server --------------------------------------------------------------------------
if [[ -n "$ASB_BASE_URL" ]]; then
    BASE=${ASB_BASE_URL%/}
    PID=$EXTERNAL_PID   # not ours: sampled for memory if given, never stopped here
else
    check_binary
    BASE="http://127.0.0.1:$PORT"
    jobs_env=()
    if [[ "$JOBS" == off ]]; then
        jobs_env=(ASB_BREACH_SCAN_SECONDS=0 ASB_MAIL_SEND_SECONDS=0 ASB_CLOSURE_REVIEW_HOURS=0 ASB_RETENTION_HOURS=0)
    fi
    echo "# starting $ASB_BIN on $ASB_DATABASE_URL (timed jobs $JOBS)"
    start_server "$ASB_DATABASE_URL" "$WORK/server.log" "${jobs_env[@]}"
    PID=$SERVER_PID
fi
curl -sf -o /dev/null "$BASE/health" || die "$BASE/health does not answer 200"

# ---- A team leader, signed in twice: a bearer token for the API, a cookie for the pages ----
if [[ -z "$BENCH_USER" ]]; then
    [[ -n "$ASB_DATABASE_URL" ]] || die "with ASB_BASE_URL alone, give BENCH_USER and BENCH_PASSWORD"
    check_binary
    BENCH_USER="bench.reads.$(date +%s).$$"
    BENCH_PASSWORD="bench-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    printf '%s\n' "$BENCH_PASSWORD" | ASB_DATABASE_URL="$ASB_DATABASE_URL" "$ASB_BIN" create-user \
        --username "$BENCH_USER" --role teamLeader --display-name "Benchmark reader" >"$WORK/create-user.log" 2>&1 \
        || die "asb create-user failed: $(cat "$WORK/create-user.log")"
    echo "# created team leader $BENCH_USER"
fi
TOKEN=$(jq -nc --arg u "$BENCH_USER" --arg p "$BENCH_PASSWORD" '{username: $u, password: $p}' |
    curl -sf -X POST "$BASE/api/v1/sessions" -H 'Content-Type: application/json' --data-binary @- | jq -r .token) \
    || die "API sign-in as $BENCH_USER failed"
# The staff pages: the sign-in form answers 303 with the `asb_staff` cookie (no CSRF token is
# needed for sign-in itself; the Origin check passes because curl sends no Origin).
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$WORK/cookies" -X POST "$BASE/staff/sign-in" \
    --data-urlencode "username=$BENCH_USER" --data-urlencode "password=$BENCH_PASSWORD" --data-urlencode "next=/staff")
COOKIE=$(awk '$6 == "asb_staff" {print $7}' "$WORK/cookies")
[[ "$code" == 303 && -n "$COOKIE" ]] || die "web sign-in answered $code without the asb_staff cookie"
API_HEADER="Authorization: Bearer $TOKEN"
PAGE_HEADER="Cookie: asb_staff=$COOKIE"

# ---- What to ask for -----------------------------------------------------------------------
sampled=$(python3 "$HERE/reads_sample.py" "$BASE" "$TOKEN" "$SAMPLE" "$WORK" "$SEED") || die "sampling the dataset failed"
echo "# sampling: $sampled"
urlencode() { jq -rR @uri; }
sed 's|^|/api/v1/cases/|' "$WORK/refs.txt" >"$WORK/case_api.paths"
sed 's|^|/staff/cases/|' "$WORK/refs.txt" >"$WORK/case_page.paths"
sed 's|^|/staff/cases/|' "$WORK/open_refs.txt" >"$WORK/case_page_open.paths"
while read -r p; do echo "/api/v1/parties?postcode=$(urlencode <<<"$p")"; done <"$WORK/postcodes.txt" >"$WORK/parties_postcode.paths"
while read -r p; do echo "/api/v1/parties?q=$(urlencode <<<"$p")"; done <"$WORK/names.txt" >"$WORK/parties_name.paths"
while read -r p; do echo "/api/v1/parties?q=$(urlencode <<<"$p")"; done <"$WORK/prefixes.txt" >"$WORK/parties_prefix.paths"
year=$(urlencode <<<"$STATS_YEAR")

# name|header|paths (a file, or one literal path)
BENCHES=()
for q in "${QUEUES[@]}"; do BENCHES+=("queue_$q|api|/api/v1/queues/$q"); done
BENCHES+=(
    "case_api|api|@$WORK/case_api.paths"
    "case_page|page|@$WORK/case_page.paths"
    "case_page_open|page|@$WORK/case_page_open.paths"
    "staff_home|page|/staff"
    "cases_list|api|/api/v1/cases"
    "cases_by_status|api|/api/v1/cases?status=received"
    "cases_hate|api|/api/v1/cases?hate=true"
    "parties_postcode|api|@$WORK/parties_postcode.paths"
    "parties_name|api|@$WORK/parties_name.paths"
    "parties_prefix|api|@$WORK/parties_prefix.paths"
    "stats_year|api|/api/v1/statistics/performance?year=$year"
    "stats_year_months|api|/api/v1/statistics/performance?year=$year&breakdown=months"
)

if ! grep -q '[^[:space:]]' "$WORK/open_refs.txt"; then
    echo "# no case is open: case_page_open is left out"
    kept=()
    for b in "${BENCHES[@]}"; do [[ "$b" == case_page_open\|* ]] || kept+=("$b"); done
    BENCHES=("${kept[@]}")
fi
if [[ -n "$ONLY" ]]; then
    known=",$(printf '%s\n' "${BENCHES[@]}" | cut -d'|' -f1 | paste -sd,),"
    for n in ${ONLY//,/ }; do [[ "$known" == *",$n,"* ]] || die "ONLY names an unknown benchmark: $n (known: ${known//,/ })"; done
fi

echo "# $BASE, ${DURATION}s each, $CONNECTIONS connection(s), $THREADS thread(s); results to $OUT"
machine_reference | tee -a "$OUT"
overall_rss="$WORK/rss.all"
: >"$overall_rss"
failed=0
for bench in "${BENCHES[@]}"; do
    IFS='|' read -r name kind target <<<"$bench"
    if [[ -n "$ONLY" && ",$ONLY," != *",$name,"* ]]; then continue; fi
    paths="$WORK/$name.paths"
    if [[ "$target" == @* ]]; then paths=${target#@}; else echo "$target" >"$paths"; fi
    header=$API_HEADER
    [[ "$kind" == page ]] && header=$PAGE_HEADER

    # One request first, to fail fast with the answer in full.
    first=$(head -n 1 "$paths")
    # curl's time_total of that first request is kept too (firstMs): for an endpoint so slow that
    # few requests finish within DURATION it is at least one honest latency.
    answer=$(curl -s -o "$WORK/first.body" -w '%{http_code} %{time_total}' -H "$header" "$BASE$first")
    code=${answer%% *}
    first_ms=$(awk -v t="${answer##* }" 'BEGIN {printf "%.1f", t * 1000}')
    if [[ "$code" != 2* ]]; then
        echo "!!!!! $name: GET $first answered $code: $(head -c 400 "$WORK/first.body")" >&2
        failed=1
        continue
    fi

    # How many items the first answer held (a JSON array, or a page's `items`), to show at a
    # glance whether a queue or search was empty on this dataset.
    items=$(jq -c 'if type == "array" then length elif type == "object" and has("items") then (.items | length) else null end' \
        "$WORK/first.body" 2>/dev/null || echo null)

    [[ -n "$PID" ]] && rss_start "$WORK/rss.$name" "$PID"
    # DURATION_<name> (e.g. DURATION_stats_year=60) overrides DURATION for one benchmark.
    # CONNECTIONS_<name> likewise (a slow statistics request is better timed on one connection).
    dvar="DURATION_$name" cvar="CONNECTIONS_$name"
    duration=${!dvar:-$DURATION}
    default_conns=$CONNECTIONS
    [[ "$name" == stats_* ]] && default_conns=1
    conns=${!cvar:-$default_conns}
    threads=$(( THREADS < conns ? THREADS : conns ))
    READS_PATHS="$paths" READS_HEADER="$header" wrk -t"$threads" -c"$conns" -d"${duration}s" --timeout 120s \
        -s "$HERE/reads.lua" "$BASE" >"$WORK/$name.wrk" 2>"$WORK/$name.err" || die "wrk failed: $(cat "$WORK/$name.err")"
    rss_stop
    result=$(sed -n 's/^RESULT //p' "$WORK/$name.wrk")
    [[ -n "$result" ]] || die "$name: no RESULT line from wrk: $(cat "$WORK/$name.wrk" "$WORK/$name.err")"
    peak=null
    if [[ -n "$PID" ]]; then peak=$(rss_peak_mb "$WORK/rss.$name"); cat "$WORK/rss.$name" >>"$overall_rss"; fi
    line=$(jq -c --arg name "$name" --arg path "$first" --argjson n "$(wc -l <"$paths")" --argjson c "$conns" --argjson d "$duration" \
        --argjson peak "$peak" --argjson items "$items" --argjson fms "$first_ms" \
        '{kind: "reads", name: $name, firstPath: $path, firstItems: $items, firstMs: $fms, distinctPaths: $n, connections: $c, duration: $d}
         + . + {peakRssMB: $peak}' \
        <<<"$result")
    echo "$line" | tee -a "$OUT" >>"$WORK/results.jsonl"
    echo "$line"
    finished=$(jq -r .requests <<<"$line")
    if (( finished == 0 )); then
        failed=1
        echo "!!!!! $name: no request finished within ${duration}s (the first alone took ${first_ms} ms): raise $dvar or DURATION !!!!!" >&2
    elif (( finished < 20 )); then
        echo "!!! $name: only $finished requests finished: too few for good percentiles; raise $dvar or DURATION !!!" >&2
    fi
    if [[ $(jq -r .ok <<<"$line") != true ]]; then
        failed=1
        echo "!!!!! $name had non-2xx answers or socket errors: $(jq -c '{non2xx, non2xxByStatus, socketErrors}' <<<"$line")" >&2
        head -n 3 "$WORK/$name.err" >&2
    fi
done

# ---- Memory after the run, and the table -------------------------------------------------------
after=null peak_all=null
if [[ -n "$PID" ]]; then
    sleep 2
    after=$(rss_now_mb "$PID")
    [[ -s "$overall_rss" ]] && peak_all=$(rss_peak_mb "$overall_rss")
fi
jq -nc --argjson peak "$peak_all" --argjson after "$after" --argjson failed "$failed" \
    '{kind: "reads-memory", peakRssMB: $peak, rssAfterMB: $after, ok: ($failed == 0)}' | tee -a "$OUT"

echo
fmt='%-26s %5s %8s %8s %9s %9s %9s %9s %9s %8s %6s %8s\n'
printf "$fmt" benchmark conns requests 'req/s' 'p50 ms' 'p95 ms' 'p99 ms' 'max ms' 'first ms' 'non-2xx' 'items' 'peak MB'
touch "$WORK/results.jsonl"
jq -r '[.name, .connections, .requests, .rps, .p50_ms, .p95_ms, .p99_ms, .max_ms, .firstMs, (.non2xx + .socketErrors), (.firstItems // "-"),
        (.peakRssMB // "-")] | @tsv' "$WORK/results.jsonl" |
    while IFS=$'\t' read -r n k q r a b c m f e i p; do printf "$fmt" "$n" "$k" "$q" "$r" "$a" "$b" "$c" "$m" "$f" "$e" "$i" "$p"; done
echo "(first ms: the first request alone, before the run; items: how many items it held; peak MB: the server's"
echo " peak VmRSS during that benchmark)"
echo "server RSS: peak ${peak_all} MB during the run, ${after} MB after it"

if [[ $failed != 0 ]]; then
    echo "!!!!! THE BENCHMARK HAD ERRORS: see above; these numbers are NOT valid !!!!!" >&2
    exit 1
fi

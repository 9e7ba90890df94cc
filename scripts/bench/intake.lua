-- wrk script for scripts/bench/intake.sh: public `POST /api/v1/reports`.
--
-- Every request is a valid, public (`channel: web`, no token) report, built from a counter so
-- that each row differs: reporter's name, email, phone, address and postcode, the place and
-- postcode of the incident, the category, the date and time, and the description all vary.
-- The *shape* of every report is the same (a named reporter with email, phone and address, no
-- alleged perpetrator, not hate, the same risk answers, so the same provisional priority), so
-- every request writes the same set of rows; `floor.c` replays exactly that set.
--
-- No Idempotency-Key is sent (the brief: a plain submission).
--
-- Output: `done()` prints ONE JSON line (prefixed with `RESULT `) with throughput counted on
-- 201 answers only, latency percentiles in ms, and the count of every non-201 answer by status
-- (plus wrk's socket errors). Anything not 201 makes `"ok": false`.
--
-- Environment (read by wrk's Lua state):
--   INTAKE_DUMP_BODY=FILE  write the body of the very first request (thread 1, counter 0) to
--                          FILE, and thread 2's first to FILE.2, and exit before sending
--                          anything: intake.sh submits FILE.2 as a warm-up, then FILE, whose
--                          rows `floor.c` replays.

-- Per-thread globals (each wrk thread has its own Lua state; done() reads them with thread:get).
counter = 0                -- request counter
thread_id = 1              -- set from `id`, which setup() gives each thread through thread:set
non201 = 0                 -- answers that were not 201
statuses = {}              -- status -> count, non-201 only

local first_names = { "Alex", "Sam", "Priya", "Tomasz", "Aisha", "Gareth", "Mei", "Olu", "Siobhan", "Dafydd",
                      "Fatima", "Jordan", "Chloe", "Kwame", "Agnieszka", "Connor", "Yusuf", "Hannah", "Ravi", "Niamh" }
local surnames = { "Example", "Smith", "Patel", "Kowalski", "Khan", "Jones", "Chen", "Adeyemi", "Murphy", "Evans",
                   "Hussain", "Taylor", "Brown", "Mensah", "Nowak", "Walsh", "Ali", "Wright", "Sharma", "Byrne" }
-- Outward codes (Southend-on-Sea and a few others) and inward letters that postcodes may use.
local outwards = { "SS0", "SS1", "SS2", "SS3", "SS4", "SS5", "SS6", "SS7", "SS8", "SS9", "SS11", "SS12", "SS13",
                   "SS14", "SS15", "SS16", "SS17", "CM1", "CM2", "CO1", "E1", "N1", "B33", "M1", "LS1", "BS1" }
local inward_letters = { "A", "B", "D", "E", "F", "G", "H", "J", "L", "N", "P", "Q", "R", "S", "T", "U", "W", "X", "Y", "Z" }
local streets = { "Example Road", "Station Avenue", "Victoria Close", "Marine Parade", "Church Lane", "Park Street",
                  "Queens Court", "Meadow Way", "Elm Grove", "Hamlet Court Road" }
local places = { "Stairwell of Example House", "Car park behind Victoria Close", "Communal garden, Meadow Way",
                 "Bin store, Queens Court", "Outside the shops on Station Avenue", "Landing of block C, Elm Grove" }
local categories = { "noise", "verbalAbuse", "harassment", "drugs", "vandalism", "pets", "parking", "rubbish", "other" }
local what = { "Loud music from the flat above every night after midnight.",
               "A group gathers on the stairs, shouting and leaving rubbish.",
               "The neighbour's dog barks for hours and they swear at us when we ask.",
               "Cars parked across the fire access every evening.",
               "Someone keeps damaging the entrance door and the lift buttons.",
               "Strong smell of cannabis in the corridor and people coming and going all night.",
               "Fly-tipping next to the bin store again this week." }

local function pick(list, n) return list[(n % #list) + 1] end

local function postcode(n)
    local o = pick(outwards, n)
    local d = (math.floor(n / 7)) % 10
    local a = pick(inward_letters, math.floor(n / 3))
    local b = pick(inward_letters, math.floor(n / 11))
    return string.format("%s %d%s%s", o, d, a, b)
end

-- The body of request number n (n is unique across threads). Only ASCII, no quotes or
-- backslashes, so plain string formatting makes valid JSON.
function report_body(n)
    local first, last = pick(first_names, n), pick(surnames, math.floor(n / #first_names))
    local day = os.date("!%Y-%m-%d", os.time() - ((n % 25) + 1) * 86400)   -- 1 to 25 days ago
    local at = string.format("%02d:%02d", (n * 7) % 24, (n * 13) % 60)
    return string.format([[{"channel":"web","anonymous":false,"reporter":{"name":"%s %s","email":"%s.%s.%d@example.org","phone":"01632 %06d","address":"%d %s, Southend-on-Sea","postcode":"%s","preferredContactMethod":"email"},"description":"%s Report %d, about flat %d.","occurredOn":"%s","occurredAt":"%s","location":"%s","postcode":"%s","categories":["%s"],"hate":false,"hateStrands":[],"immediateDanger":false,"riskAnswers":{"frequency":"daily","duration":"oneToSixMonths","sleepImpact":"often","healthImpact":"aLittle"}}]],
        first, last, string.lower(first), string.lower(last), n, n % 1000000, (n % 200) + 1, pick(streets, n),
        postcode(n), pick(what, n), n, (n % 90) + 1, day, at, pick(places, n), postcode(n + 5), pick(categories, n))
end

-- Main state: number the threads and keep them for done().
local threads = {}
local next_id = 1
function setup(thread)
    local dump = os.getenv("INTAKE_DUMP_BODY")
    if dump and dump ~= "" then
        for n = 1, 2 do  -- thread 1's and thread 2's first bodies: FILE and FILE.2
            local f = assert(io.open(n == 1 and dump or dump .. ".2", "w"))
            f:write(report_body(n))
            f:close()
        end
        os.exit(0)
    end
    thread:set("id", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

function init(args)
    thread_id = id or 1
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    local body = report_body(counter * 64 + thread_id)  -- unique across up to 64 threads
    counter = counter + 1
    return wrk.format("POST", "/api/v1/reports", nil, body)
end

function response(status, headers, body)
    if status ~= 201 then
        non201 = non201 + 1
        statuses[status] = (statuses[status] or 0) + 1
        if non201 <= 3 then io.stderr:write(string.format("non-201 answer %d: %s\n", status, string.sub(body or "", 1, 300))) end
    end
end

function done(summary, latency, requests)
    local bad, by_status = 0, {}
    for _, t in ipairs(threads) do
        bad = bad + (t:get("non201") or 0)
        local s = t:get("statuses") or {}
        for code, count in pairs(s) do by_status[code] = (by_status[code] or 0) + count end
    end
    local e = summary.errors
    local socket_errors = e.connect + e.read + e.write + e.timeout
    local seconds = summary.duration / 1e6
    local ok201 = summary.requests - bad
    local parts = {}
    for code, count in pairs(by_status) do table.insert(parts, string.format('"%s":%d', tostring(code), count)) end
    io.write(string.format(
        'RESULT {"requests":%d,"created":%d,"non201":%d,"non201ByStatus":{%s},"socketErrors":%d,"seconds":%.2f,' ..
        '"rps":%.1f,"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"ok":%s}\n',
        summary.requests, ok201, bad, table.concat(parts, ","), socket_errors, seconds,
        ok201 / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000, (bad == 0 and socket_errors == 0) and "true" or "false"))
    if bad > 0 or socket_errors > 0 then
        io.write(string.format("!!!!! BENCHMARK HAD ERRORS: %d non-201 answers, %d socket errors: the numbers are NOT valid !!!!!\n",
            bad, socket_errors))
    end
end

-- wrk script for scripts/bench/reads.sh: GET requests rotating through a list of paths.
--
-- Environment (read by wrk's Lua state):
--   READS_PATHS   file with one request path a line (e.g. /api/v1/cases/ASB-2026-00042);
--                 each thread starts at a different line and goes round them in order
--   READS_HEADER  one header line sent with every request, "Name: value" (the bearer token,
--                 or the staff session cookie for pages)
--
-- done() prints ONE line `RESULT {json}`: requests, answers that were not 2xx (by status),
-- wrk's socket errors, requests/s, p50/p95/p99/max latency in ms, and `"ok": false` when
-- anything was not 2xx.

paths = {}
position = 0
thread_id = 1
bad = 0
statuses = {}

local function load_paths()
    local file = os.getenv("READS_PATHS")
    assert(file and file ~= "", "READS_PATHS is not set")
    local list = {}
    for line in io.lines(file) do
        if line ~= "" then table.insert(list, line) end
    end
    assert(#list > 0, "READS_PATHS has no paths")
    return list
end

local threads = {}
local next_id = 1
function setup(thread)
    thread:set("id", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

function init(args)
    paths = load_paths()
    thread_id = id or 1
    -- Spread the threads over the list so that they do not ask for the same thing at once.
    position = math.floor((thread_id - 1) * #paths / 8)
    local header = os.getenv("READS_HEADER")
    if header and header ~= "" then
        local name, value = header:match("^([^:]+):%s*(.*)$")
        wrk.headers[name] = value
    end
    wrk.headers["Accept"] = "application/json, text/html"
end

function request()
    position = position + 1
    local path = paths[((position - 1) % #paths) + 1]
    return wrk.format("GET", path)
end

function response(status, headers, body)
    if status < 200 or status > 299 then
        bad = bad + 1
        statuses[status] = (statuses[status] or 0) + 1
        if bad <= 3 then
            io.stderr:write(string.format("non-2xx answer %d: %s\n", status, string.sub(body or "", 1, 300)))
        end
    end
end

function done(summary, latency, requests)
    local nbad, by_status = 0, {}
    for _, t in ipairs(threads) do
        nbad = nbad + (t:get("bad") or 0)
        for code, count in pairs(t:get("statuses") or {}) do by_status[code] = (by_status[code] or 0) + count end
    end
    local e = summary.errors
    local socket_errors = e.connect + e.read + e.write + e.timeout
    local seconds = summary.duration / 1e6
    local parts = {}
    for code, count in pairs(by_status) do table.insert(parts, string.format('"%s":%d', tostring(code), count)) end
    io.write(string.format(
        'RESULT {"requests":%d,"non2xx":%d,"non2xxByStatus":{%s},"socketErrors":%d,"seconds":%.2f,"rps":%.1f,' ..
        '"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"bytes":%d,"ok":%s}\n',
        summary.requests, nbad, table.concat(parts, ","), socket_errors, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, summary.bytes, (nbad == 0 and socket_errors == 0) and "true" or "false"))
end

-- wrk script: a signed-in staff member's GETs with the session cookie from the login form.
-- LIST_PATH alone: every request is that path (the ticket list page, or its datatables JSON).
-- LIST_PATH and LIST_PATH2: each thread alternates the two, as a browser opening the list does
-- (the page, then the JSON that fills its table). Env: COOKIE, LIST_PATH, LIST_PATH2, BENCH_DIR.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local cookie = os.getenv("COOKIE")

local function get(path)
  if string.find(path, "^/datatables_ticket_list/") then
    return wrk.format("GET", path, {
      ["Cookie"] = cookie,
      ["Accept"] = "application/json, text/javascript, */*; q=0.01",
      ["X-Requested-With"] = "XMLHttpRequest",
    })
  end
  return wrk.format("GET", path, {["Cookie"] = cookie, ["Accept"] = "text/html"})
end

local reqs = {get(os.getenv("LIST_PATH"))}
local second = os.getenv("LIST_PATH2")
if second and second ~= "" then table.insert(reqs, get(second)) end
local i = 0

function request()
  i = i + 1
  return reqs[(i - 1) % #reqs + 1]
end

-- wrk script: anonymous reports through django-helpdesk's public form, POST /tickets/submit/,
-- as a browser sends it (multipart/form-data, the form's fields, the empty file input), with the
-- CSRF cookie and the same token in the form (Django accepts a token reused across requests
-- for the same cookie). Every request has its own summary, description and reporter email, from
-- invented names. Success is the 302 to the ticket's public page. Env: CSRF_TOKEN, BENCH_DIR.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local token = os.getenv("CSRF_TOKEN")
local boundary = "----WebKitFormBoundaryAsbBench0123"
local headers = {
  ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
  ["Cookie"] = "csrftoken=" .. token,
}

local first = {"Alys", "Bram", "Cerys", "Dev", "Elin", "Fraser", "Gwen", "Hal", "Isla", "Jory",
               "Kit", "Lowri", "Mabon", "Nia", "Orrin", "Petra", "Quill", "Rhosyn", "Sol", "Tamsin"}
local last = {"Ashdown", "Brackley", "Carrow", "Dunmere", "Elsford", "Fennick", "Garrow", "Holloway",
              "Ivell", "Jessop", "Kestle", "Lanyon", "Morwood", "Nancarrow", "Orchard", "Penhale"}
local streets = {"Larch Close", "Tolver Road", "Mill Lane", "Chapel Row", "Quarry Walk", "Hollins Court",
                 "Beacon Rise", "Fernlea Gardens"}
local what = {
  "Loud music and shouting from the flat above, most nights after midnight",
  "Group gathering in the stairwell, drinking and leaving rubbish",
  "Neighbour's dog barking for hours while they are out",
  "Repeated graffiti on the bin store doors",
  "Car parked across the shared driveway blocking access",
  "Verbal abuse from a neighbour when I leave the building",
  "Suspected drug dealing from the ground-floor flat, many visitors",
  "Fly-tipping behind the garages every weekend",
}

local counter = 0

local function part(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name ..
         "\"\r\n\r\n" .. value .. "\r\n"
end

function request()
  counter = counter + 1
  local n = thread_no * 100000000 + counter
  local f = first[n % #first + 1]
  local l = last[math.floor(n / 7) % #last + 1]
  local w = what[math.floor(n / 3) % #what + 1]
  local s = streets[math.floor(n / 11) % #streets + 1]
  local title = w .. " (" .. s .. ", ref " .. n .. ")"
  local body = "What happened: " .. w .. ". Where: " .. (n % 90 + 1) .. " " .. s ..
    ". When: it started about three weeks ago and happens most days, usually between 10pm " ..
    "and 2am. Who: the people involved live at the same address; I do not know their names. " ..
    "Effect: I cannot sleep and my children are frightened to use the stairs. I have not " ..
    "reported this to the police. Please contact me by email in the daytime."
  local email = string.lower(f .. "." .. l) .. "." .. n .. "@example.net"
  local form = part("csrfmiddlewaretoken", token) .. part("title", title) .. part("body", body) ..
    part("due_date", "") ..
    "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"\"\r\n" ..
    "Content-Type: application/octet-stream\r\n\r\n\r\n" ..
    part("submitter_email", email) .. "--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/tickets/submit/", headers, form)
end

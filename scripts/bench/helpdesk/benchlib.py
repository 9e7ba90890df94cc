"""
Small helpers for submit.sh and list.sh, run with the venv's python (it has `requests`).

  benchlib.py counts DB                       -> {"tickets": N, "followups": M, "open": K}
  benchlib.py csrf BASE_URL                   -> the csrftoken cookie that the public form sets
  benchlib.py login BASE_URL USER             -> "Cookie" header value of a signed-in staff session
                                                 (password from $HELPDESK_STAFF_PASSWORD)
  benchlib.py datatables-url BASE_URL COOKIE  -> the first-page JSON URL the ticket list page's
                                                 datatables script requests
  benchlib.py check-json BASE_URL PATH COOKIE -> checks that the JSON page holds 25 open tickets
  benchlib.py result WRK_OUTPUT_FILE KEY=VALUE...
                                              -> one JSON line: the wrk numbers plus the fields
  benchlib.py median RESULTS_FILE KEY...      -> one JSON line: the median of each field over the runs
"""

import json
import re
import sqlite3
import statistics
import sys
from urllib.parse import quote

import requests


def counts(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        tickets = con.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]
        followups = con.execute("SELECT count(*) FROM helpdesk_followup").fetchone()[0]
        open_ = con.execute(
            "SELECT count(*) FROM helpdesk_ticket WHERE status IN (1, 2)"
        ).fetchone()[0]
    finally:
        con.close()
    print(json.dumps({"tickets": tickets, "followups": followups, "open": open_}))


def csrf(base):
    r = requests.get(f"{base}/tickets/submit/", timeout=30)
    r.raise_for_status()
    token = r.cookies.get("csrftoken")
    if not token:
        sys.exit("no csrftoken cookie from the public form")
    print(token)


def login(base, user):
    import os

    s = requests.Session()
    r = s.get(f"{base}/login/", timeout=30)
    r.raise_for_status()
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text)
    if not m:
        sys.exit("no csrfmiddlewaretoken on the login page")
    r = s.post(
        f"{base}/login/",
        data={
            "csrfmiddlewaretoken": m.group(1),
            "username": user,
            "password": os.environ["HELPDESK_STAFF_PASSWORD"],
            "next": "/tickets/",
        },
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if r.status_code != 302 or "sessionid" not in s.cookies:
        sys.exit(f"login failed: HTTP {r.status_code}")
    r = s.get(f"{base}/tickets/", allow_redirects=False, timeout=60)
    if r.status_code != 200 or "datatables_ticket_list" not in r.text:
        sys.exit(f"signed-in GET /tickets/ gave HTTP {r.status_code}")
    print(
        f"sessionid={s.cookies['sessionid']}; csrftoken={s.cookies['csrftoken']}"
    )


def datatables_url(base, cookie):
    r = requests.get(
        f"{base}/tickets/", headers={"Cookie": cookie}, allow_redirects=False, timeout=60
    )
    r.raise_for_status()
    m = re.search(r'"url":\s*"(/datatables_ticket_list/[^"]*)"', r.text)
    if not m:
        sys.exit("no datatables_ticket_list URL in /tickets/")
    path = m.group(1)
    # What DataTables 2 sends for the first page of a serverSide table with `order: []` and
    # the user's tickets_per_page (25): draw, the column descriptions, start, length, search.
    columns = [
        "id", "ticket", "priority", "queue", "status", "created", "due_date",
        "assigned_to", "submitter", "last_followup", "time_spent", "kbitem",
    ]
    params = ["draw=1"]
    for i, name in enumerate(columns):
        for key, value in (
            ("data", name),
            ("name", ""),
            ("searchable", "true"),
            ("orderable", "true" if i else "false"),
            ("search][value", ""),
            ("search][regex", "false"),
        ):
            params.append(f"{quote(f'columns[{i}][{key}]')}={quote(value)}")
    params += [
        "start=0",
        "length=25",
        f"{quote('search[value]')}=",
        f"{quote('search[regex]')}=false",
    ]
    print(path + "?" + "&".join(params))


def check_json(base, path, cookie):
    r = requests.get(f"{base}{path}", headers={"Cookie": cookie}, timeout=120)
    r.raise_for_status()
    doc = r.json()
    rows = doc["data"]
    bad = [row for row in rows if row["status"] not in ("Open", "Reopened")]
    if len(rows) != 25 or bad:
        sys.exit(f"datatables JSON: {len(rows)} rows, {len(bad)} not open")
    print(
        json.dumps(
            {
                "rows": len(rows),
                "recordsTotal": doc["recordsTotal"],
                "recordsFiltered": doc["recordsFiltered"],
                "bytes": len(r.content),
                "first": rows[0]["ticket"],
            }
        )
    )


def parse_value(v):
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    if v.startswith("{") or v.startswith("["):
        return json.loads(v)
    return v


def result(path, *pairs):
    text = open(path, encoding="utf-8", errors="replace").read()
    m = re.search(r"^WRKJSON (.*)$", text, re.M)
    if not m:
        sys.exit(f"no WRKJSON line in {path}:\n{text}")
    w = json.loads(m.group(1))
    out = {}
    for pair in pairs:
        k, _, v = pair.partition("=")
        out[k] = parse_value(v)
    duration_s = w["duration_us"] / 1e6
    out["duration_s"] = round(duration_s, 3)
    out["requests"] = w["requests"]
    out["statuses"] = w["statuses"]
    out["socket_errors"] = w["errors"]
    ok_status = str(out.pop("ok_status", 200))
    ok_name = out.pop("ok_name", "ok")
    rate_name = out.pop("rate_name", "ok_per_s")
    ok = w["statuses"].get(ok_status, 0)
    out["ok_status"] = int(ok_status)
    out[ok_name] = ok
    out["non_ok"] = w["requests"] - ok
    out[rate_name] = round(ok / duration_s, 1)
    out["latency_ms"] = {k: round(v / 1000, 2) for k, v in w["latency_us"].items()}
    print(json.dumps(out))


def median(path, *keys):
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    out = {"median_of_runs": len(rows)}
    for key in keys:
        values = []
        for row in rows:
            v = row
            for part in key.split("."):
                v = v[part]
            values.append(v)
        out[key] = round(statistics.median(values), 2)
    for key in ("system", "version", "test", "endpoint", "connections"):
        if rows and key in rows[0]:
            out[key] = rows[0][key]
    print(json.dumps(out))


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {
        "counts": counts,
        "csrf": csrf,
        "login": login,
        "datatables-url": datatables_url,
        "check-json": check_json,
        "result": result,
        "median": median,
    }[cmd](*args)

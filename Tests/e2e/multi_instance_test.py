#!/usr/bin/env python3
"""Several `asb serve` instances on one PostgreSQL database, behind nothing but different ports.

  1. Instance A alone prepares work for the scheduled jobs: open cases quiet for 70 days (due a
     closure proposal) and priority 1 cases received 3 days ago (deadlines breached).
  2. A and B start together (both run every job at once): each due case gets exactly one
     closure proposal and each breached deadline exactly one breach record.
  3. A staff token and a web session made on A work on B.
  4. Reports go to both concurrently: references are unique and gap-free, and every
     acknowledgement email reaches the SMTP sink exactly once though both instances send.
  5. B is killed with SIGKILL mid-load: no report acknowledged by either instance is lost.
  6. A is stopped with SIGTERM under load, as a service manager stops it: it exits with status 0,
     refuses only with 503 while it stops, and every report it acknowledged is intact.

Environment: ASB_BIN, ASB_MULTI_DATABASE_URL (an empty PostgreSQL database), ASB_MULTI_DIR,
ASB_MULTI_PSQL (the psql binary), ASB_MULTI_PORTS (default "8201 8202").
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import pathlib
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import e2e_server
from e2e_server import fail, start_sink

BIN = os.environ["ASB_BIN"]
DATABASE = os.environ["ASB_MULTI_DATABASE_URL"]
DIR = pathlib.Path(os.environ["ASB_MULTI_DIR"])
PSQL = os.environ.get("ASB_MULTI_PSQL", "psql")
PORTS = [int(p) for p in os.environ.get("ASB_MULTI_PORTS", "8201 8202").split()]
MAIL = DIR / "mail"


def sql(query: str) -> list[list[str]]:
    out = subprocess.run([PSQL, DATABASE, "-At", "-F", "\t", "-c", query], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def start(port: int, smtp_port: int, name: str, jobs: bool) -> subprocess.Popen:
    return e2e_server.start_server(
        BIN, port, DIR, f"{name}.log", ASB_DATABASE_URL=DATABASE, ASB_BCRYPT_COST="4", ASB_PUBLIC_RATE_LIMIT="0",
        ASB_SMTP_HOST="127.0.0.1", ASB_SMTP_PORT=str(smtp_port), ASB_SMTP_SECURITY="none",
        ASB_MAIL_SEND_SECONDS="1" if jobs else "0", ASB_BREACH_SCAN_SECONDS="1" if jobs else "0",
        ASB_CLOSURE_REVIEW_HOURS="1" if jobs else "0", ASB_RETENTION_HOURS="0", ASB_PUBLIC_URL=f"http://127.0.0.1:{port}")


def call(port: int, method: str, path: str, body: dict | None = None, token: str | None = None,
         headers: dict | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=15) as reply:
            text = reply.read()
            return reply.status, (json.loads(text) if text else {}), {k.lower(): v for k, v in reply.headers.items()}
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, (json.loads(text) if text.startswith(b"{") else {}), {k.lower(): v for k, v in error.headers.items()}


def report(number: int, **extra) -> dict:
    body = {"channel": "web", "anonymous": False,
            "reporter": {"name": f"Multi Tester {number}", "email": f"multi{number}@example.org", "preferredContactMethod": "email"},
            "description": f"Multi-instance report {number} ({uuid.uuid4().hex}).", "occurredOn": time.strftime("%Y-%m-%d"),
            "postcode": "SS1 1AA", "categories": ["noise"], "hate": False, "hateStrands": [], "immediateDanger": False, "riskAnswers": {}}
    body.update(extra)
    return body


def main() -> None:
    sink, smtp_port = start_sink(MAIL)
    a = start(PORTS[0], smtp_port, "a", jobs=False)
    password = None
    for _ in range(40):  # the log may reach the file a moment after the server answers
        password = next((line.split()[-1] for line in open(DIR / "a.log") if "password:" in line), None)
        if password:
            break
        time.sleep(0.25)
    if not password:
        fail("no first admin password in the log")
    status, session, _ = call(PORTS[0], "POST", "/api/v1/sessions", {"username": "admin", "password": password})
    admin = session["token"]
    lead_password = "multi lead " + uuid.uuid4().hex
    status, _, _ = call(PORTS[0], "POST", "/api/v1/users", {"username": "multi.lead", "displayName": "Multi Lead", "role": "teamLeader",
                                                            "password": lead_password}, token=admin)
    if status != 201:
        fail(f"could not create a team leader: {status}")
    _, session, _ = call(PORTS[0], "POST", "/api/v1/sessions", {"username": "multi.lead", "password": lead_password})
    lead = session["token"]
    lead_id = session["user"]["id"]

    # 1. Work for the jobs, prepared on A alone (its jobs are off).
    quiet, breached = [], []
    for number in range(5):
        received = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 70 * 86400))
        status, body, _ = call(PORTS[0], "POST", "/api/v1/reports", report(1000 + number, channel="phone", receivedAt=received), token=lead)
        if status != 201:
            fail(f"staff report: {status} {body}")
        reference = body["reference"]
        call(PORTS[0], "POST", f"/api/v1/cases/{reference}/assessments", {"answers": {}}, token=lead)
        _, _, headers = call(PORTS[0], "GET", f"/api/v1/cases/{reference}", token=lead)
        status, body, _ = call(PORTS[0], "PATCH", f"/api/v1/cases/{reference}", {"allocatedOfficerId": lead_id}, token=lead,
                               headers={"If-Match": headers.get("etag", "")})
        if status != 200:
            fail(f"allocation: {status} {body}")
        quiet.append(reference)
    for number in range(5):
        received = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3 * 86400))
        status, body, _ = call(PORTS[0], "POST", "/api/v1/reports",
                               report(2000 + number, channel="phone", receivedAt=received, hate=True, hateStrands=["race"]), token=lead)
        breached.append(body["reference"])
    a.send_signal(signal.SIGTERM)
    a.wait()

    # 2. Both instances start at once and run every job.
    a = start(PORTS[0], smtp_port, "a", jobs=True)
    b = start(PORTS[1], smtp_port, "b", jobs=True)
    time.sleep(4)
    proposals = dict(sql("SELECT c.reference, COUNT(p.id) FROM cases c LEFT JOIN closure_proposals p ON p.case_id = c.id "
                         f"WHERE c.reference IN ({','.join(repr(r) for r in quiet)}) GROUP BY c.reference"))
    if sorted(proposals.values()) != ["1"] * len(quiet):
        fail(f"closure proposals per quiet case should be exactly one: {proposals}")
    breaches = sql("SELECT c.reference, COUNT(e.id) FROM cases c JOIN case_events e ON e.case_id = c.id "
                   f"WHERE e.kind = 'milestoneBreached' AND c.reference IN ({','.join(repr(r) for r in breached)}) GROUP BY c.reference")
    if len(breaches) != len(breached) or any(count != "1" for _, count in breaches):
        fail(f"each breached deadline should be recorded once: {breaches}")
    print(f"  jobs on two instances: {len(quiet)} closure proposals and {len(breached)} breaches, each recorded once", flush=True)

    # 3. A token and a web session from A work on B.
    _, session, _ = call(PORTS[0], "POST", "/api/v1/sessions", {"username": "multi.lead", "password": lead_password})
    if call(PORTS[1], "GET", "/api/v1/users/me", token=session["token"])[0] != 200:
        fail("a token made on A does not work on B")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = urllib.parse.urlencode({"username": "multi.lead", "password": lead_password, "next": "/staff"}).encode()
    opener.open(urllib.request.Request(f"http://127.0.0.1:{PORTS[0]}/staff/sign-in", data=form), timeout=10)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    probe = urllib.request.Request(f"http://127.0.0.1:{PORTS[1]}/staff", headers={"Cookie": cookie})
    with urllib.request.urlopen(probe, timeout=10) as reply:
        if reply.status != 200 or b"Sign out" not in reply.read():
            fail("a web session made on A does not work on B")
    print("  a token and a web session made on A work on B", flush=True)

    # 4 and 5. Concurrent intake on both; B killed half way.
    acknowledged: dict[str, str] = {}
    errors: list[str] = []  # a thread cannot end the test itself (`fail` there ends only the thread)
    lock = threading.Lock()
    stop = threading.Event()
    numbers = iter(range(1, 10**9))

    def client(port: int) -> None:
        while not stop.is_set():
            with lock:
                number = next(numbers)
            body = report(number)
            try:
                status, reply, _ = call(port, "POST", "/api/v1/reports", body)
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                if port == PORTS[1]:
                    return
                continue
            if status == 201:
                with lock:
                    acknowledged[reply["reference"]] = body["description"]
            elif status >= 500:
                with lock:
                    errors.append(f"{status} from port {port}")

    threads = [threading.Thread(target=client, args=(PORTS[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    b.send_signal(signal.SIGKILL)
    b.wait()
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join()
    if errors:
        fail(f"5xx under load: {errors[:5]}")
    stored = dict(sql("SELECT c.reference, i.description FROM cases c JOIN incident_reports i ON i.case_id = c.id"))
    lost = [r for r, d in acknowledged.items() if stored.get(r) != d]
    if lost:
        fail(f"{len(lost)} acknowledged reports lost or changed, e.g. {lost[:3]}")
    numbers_stored = sorted(int(n) for (n,) in sql("SELECT reference_number FROM cases"))
    if numbers_stored != list(range(1, len(numbers_stored) + 1)):
        fail("reference numbers have gaps or duplicates")
    print(f"  {len(acknowledged)} reports acknowledged by two instances (B killed half way): all intact; "
          f"references 1..{len(numbers_stored)} with no gap or duplicate", flush=True)

    # Every acknowledgement email sent once, though both instances were sending (B's in-flight ones, if
    # any, are released after the claim time and may repeat with the same Message-ID).
    deadline = time.time() + 60
    while time.time() < deadline:
        pending = int(sql("SELECT COUNT(*) FROM outbox_messages WHERE channel = 'email' AND status = 'pending' "
                          "AND (claimed_until IS NULL OR claimed_until < now())")[0][0])
        if pending == 0:
            break
        time.sleep(1)
    sent = {row[0] for row in sql("SELECT message_id FROM outbox_messages WHERE channel = 'email' AND status = 'sent'")}
    delivered = e2e_server.delivered(MAIL)
    if sent - set(delivered):
        fail(f"{len(sent - set(delivered))} emails marked sent never arrived")
    twice = [m for m, n in delivered.items() if n > 1]
    if len(twice) > 50:
        fail(f"{len(twice)} emails arrived twice")
    print(f"  outbox: {len(sent)} emails sent by two instances, {len(twice)} delivered twice (in flight on B at the kill)", flush=True)

    # 6. A stopped with SIGTERM under load: it answers what it has in hand, then exits with 0.
    final: dict[str, str] = {}
    refused = 0
    halt = threading.Event()

    def client_a() -> None:
        nonlocal refused
        while not halt.is_set():
            with lock:
                number = next(numbers)
            body = report(number)
            try:
                status, reply, _ = call(PORTS[0], "POST", "/api/v1/reports", body)
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                return  # A has stopped: this report was never acknowledged
            with lock:
                if status == 201:
                    final[reply["reference"]] = body["description"]
                elif status == 503:
                    refused += 1
                elif status >= 500:
                    errors.append(f"{status} from A while it stopped")

    threads = [threading.Thread(target=client_a) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    a.send_signal(signal.SIGTERM)
    exit_status = a.wait()
    halt.set()
    for thread in threads:
        thread.join()
    if exit_status != 0:
        fail(f"A stopped with SIGTERM under load exited with status {exit_status} (see a.log)")
    if errors:
        fail(f"5xx other than 503 while A stopped: {errors[:5]}")
    if len(final) < 20:
        fail("too few reports before the stop to prove anything")
    stored = dict(sql("SELECT c.reference, i.description FROM cases c JOIN incident_reports i ON i.case_id = c.id"))
    lost = [r for r, d in final.items() if stored.get(r) != d]
    if lost:
        fail(f"{len(lost)} reports acknowledged by A before its stop lost or changed, e.g. {lost[:3]}")
    print(f"  A stopped with SIGTERM under load: exit status 0, {len(final)} more reports acknowledged and intact, "
          f"{refused} refused with 503 while it stopped", flush=True)

    sink.stdin.close()
    sink.wait()
    print("ok", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Crash test: `asb serve` is killed with SIGKILL under concurrent intake, then restarted.

Checks, against the SQLite file itself:
  - every report that got 201 is present, with its reference and its description intact;
  - no reference is duplicated and this year's numbers have no gaps;
  - after the restart the outbox sends every acknowledgement: each Message-ID reaches the
    SMTP sink, and a message reaches it twice only if it was in flight at the kill (SMTP cannot
    be exactly-once across a crash; the repeat carries the same Message-ID, so mail systems
    recognise it). The number of such repeats is printed.

Environment: ASB_BIN (the server), ASB_CRASH_PORT (default 8194), ASB_CRASH_DIR (a temp dir),
ASB_CRASH_SECONDS (load before the kill, default 4), ASB_CRASH_CLIENTS (default 8).
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import e2e_server
from e2e_server import fail, start_sink

BIN = os.environ["ASB_BIN"]
PORT = int(os.environ.get("ASB_CRASH_PORT", "8194"))
DIR = pathlib.Path(os.environ["ASB_CRASH_DIR"])
SECONDS = float(os.environ.get("ASB_CRASH_SECONDS", "4"))
CLIENTS = int(os.environ.get("ASB_CRASH_CLIENTS", "8"))
URL = f"http://127.0.0.1:{PORT}"
DB = DIR / "crash.sqlite"
MAIL = DIR / "mail"


def start_server(smtp_port: int, log_name: str) -> subprocess.Popen:
    return e2e_server.start_server(
        BIN, PORT, DIR, log_name, ASB_DATABASE_URL=f"sqlite:{DB}", ASB_BCRYPT_COST="4", ASB_BREACH_SCAN_SECONDS="0",
        ASB_PUBLIC_RATE_LIMIT="0", ASB_SMTP_HOST="127.0.0.1", ASB_SMTP_PORT=str(smtp_port), ASB_SMTP_SECURITY="none",
        ASB_MAIL_SEND_SECONDS="1", ASB_MAIL_CLAIM_SECONDS="5", ASB_PUBLIC_URL=URL)


def report(number: int) -> dict:
    marker = uuid.uuid4().hex
    return {"channel": "web", "anonymous": False,
            "reporter": {"name": f"Crash Tester {number}", "email": f"crash{number}@example.org", "preferredContactMethod": "email"},
            "description": f"Crash test report {number}, marker {marker}: music through the wall.",
            "occurredOn": time.strftime("%Y-%m-%d"), "postcode": "SS1 1AA", "categories": ["noise"], "hate": False,
            "hateStrands": [], "immediateDanger": False, "riskAnswers": {}}


def main() -> None:
    sink, smtp_port = start_sink(MAIL)
    server = start_server(smtp_port, "serve-1.log")
    acknowledged: dict[str, str] = {}
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    counter = iter(range(1, 10**9))

    def client() -> None:
        while not stop.is_set():
            with lock:
                number = next(counter)
            body = report(number)
            request = urllib.request.Request(f"{URL}/api/v1/reports", data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json"}, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as reply:
                    payload = json.load(reply)
                    if reply.status == 201:
                        with lock:
                            acknowledged[payload["reference"]] = body["description"]
            except urllib.error.HTTPError as error:
                if error.code >= 500:
                    with lock:
                        errors.append(f"{error.code} before the kill")
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass  # the server died under us: this report was never acknowledged

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for thread in threads:
        thread.join()
    print(f"  killed with SIGKILL after {SECONDS}s: {len(acknowledged)} reports acknowledged (201)", flush=True)
    if errors:
        fail(f"5xx answers under load: {errors[:5]}")
    if len(acknowledged) < 20:
        fail("too few reports before the kill to prove anything")

    server = start_server(smtp_port, "serve-2.log")
    try:
        db = sqlite3.connect(DB)
        rows = db.execute("SELECT c.reference, c.reference_number, i.description FROM cases c "
                          "JOIN incident_reports i ON i.case_id = c.id").fetchall()
        stored = {reference: description for reference, _, description in rows}
        missing = [reference for reference in acknowledged if reference not in stored]
        if missing:
            fail(f"{len(missing)} acknowledged reports are missing after the restart, e.g. {missing[:3]}")
        changed = [reference for reference, description in acknowledged.items() if stored[reference] != description]
        if changed:
            fail(f"{len(changed)} reports changed, e.g. {changed[:3]}")
        references = [reference for reference, _, _ in rows]
        if len(references) != len(set(references)):
            fail("a reference is duplicated")
        numbers = sorted(number for _, number, _ in rows)
        if numbers != list(range(1, len(numbers) + 1)):
            fail(f"reference numbers have gaps: {len(numbers)} cases, highest {numbers[-1] if numbers else 0}")
        print(f"  after the restart: all {len(acknowledged)} acknowledged reports intact; {len(rows)} cases, "
              f"references 1..{len(numbers)} with no gap or duplicate", flush=True)

        expected = {row[0] for row in db.execute("SELECT message_id FROM outbox_messages WHERE channel = 'email'")}
        # The sender sends up to 50 a round, a round a second: a release build acknowledges
        # thousands of reports in the seconds before the kill, so the wait grows with them.
        allowed = 60 + len(expected) // 25
        deadline = time.time() + allowed
        while time.time() < deadline:
            pending = db.execute("SELECT COUNT(*) FROM outbox_messages WHERE channel = 'email' AND status = 'pending'").fetchone()[0]
            if pending == 0:
                break
            time.sleep(1)
        else:
            fail(f"{pending} of {len(expected)} emails still pending {allowed} s after the restart")
        failed = db.execute("SELECT COUNT(*) FROM outbox_messages WHERE status = 'failed'").fetchone()[0]
        if failed:
            fail(f"{failed} emails failed")
        delivered = e2e_server.delivered(MAIL)
        lost = expected - set(delivered)
        if lost:
            fail(f"{len(lost)} emails never reached the mail server")
        repeats = sum(count - 1 for count in delivered.values() if count > 1)
        if repeats > 50:  # at most one sender batch can be in flight at the kill
            fail(f"{repeats} emails were delivered twice: more than were in flight")
        print(f"  outbox: {len(expected)} emails, every one delivered; {repeats} delivered again after the crash "
              f"(in flight at the kill, same Message-ID)", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
        sink.stdin.close()
        sink.wait()
    print("ok", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Crash test: `asb serve` is killed with SIGKILL under concurrent intake, then restarted.

Checks, against the SQLite file itself:
  - every report that got 201 is present, with its reference and its description intact;
  - no reference is duplicated and this year's numbers have no gaps;
  - after the restart the outbox sends every acknowledgement: each Message-ID reaches the
    SMTP sink, and a message reaches it twice only if it was in flight at the kill (SMTP cannot
    be exactly-once across a crash; the repeat carries the same Message-ID, so mail systems
    recognise it). The number of such repeats is printed.
Then it stops the restarted server with SIGTERM under the same load, as a service manager does:
  - the server exits with status 0 (it crashed every time before: a request in hand reached for
    a database Fluent had closed), and refuses requests only with 503 while it stops;
  - every report that got 201 from it is intact.

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


class Load:
    """`CLIENTS` threads submitting reports until stopped, keeping every acknowledged one."""

    def __init__(self) -> None:
        self.acknowledged: dict[str, str] = {}
        self.errors: list[str] = []
        self.refused = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.counter = iter(range(1, 10**9))
        self.threads = [threading.Thread(target=self.client) for _ in range(CLIENTS)]

    def client(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                number = next(self.counter)
            body = report(number)
            request = urllib.request.Request(f"{URL}/api/v1/reports", data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json"}, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as reply:
                    payload = json.load(reply)
                    if reply.status == 201:
                        with self.lock:
                            self.acknowledged[payload["reference"]] = body["description"]
            except urllib.error.HTTPError as error:
                with self.lock:
                    if error.code == 503:
                        self.refused += 1  # the server is stopping: refused, never half-done
                    elif error.code >= 500:
                        self.errors.append(f"{error.code}: {error.read()[:200]!r}")
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass  # the server went away under us: this report was never acknowledged

    def run_then(self, server: subprocess.Popen, sign: signal.Signals) -> int:
        """Loads the server for SECONDS, sends it `sign`, and returns its exit status."""
        for thread in self.threads:
            thread.start()
        time.sleep(SECONDS)
        server.send_signal(sign)
        status = server.wait()
        self.stop.set()
        for thread in self.threads:
            thread.join()
        return status


def check_intact(acknowledged: dict[str, str], what: str) -> list[tuple[str, int, str]]:
    """Every acknowledged report is stored with its description; references unique and gap-free."""
    db = sqlite3.connect(DB)
    rows = db.execute("SELECT c.reference, c.reference_number, i.description FROM cases c "
                      "JOIN incident_reports i ON i.case_id = c.id").fetchall()
    db.close()
    stored = {reference: description for reference, _, description in rows}
    missing = [reference for reference in acknowledged if reference not in stored]
    if missing:
        fail(f"{len(missing)} acknowledged reports are missing {what}, e.g. {missing[:3]}")
    changed = [reference for reference, description in acknowledged.items() if stored[reference] != description]
    if changed:
        fail(f"{len(changed)} reports changed, e.g. {changed[:3]}")
    references = [reference for reference, _, _ in rows]
    if len(references) != len(set(references)):
        fail("a reference is duplicated")
    numbers = sorted(number for _, number, _ in rows)
    if numbers != list(range(1, len(numbers) + 1)):
        fail(f"reference numbers have gaps: {len(numbers)} cases, highest {numbers[-1] if numbers else 0}")
    return rows


def main() -> None:
    sink, smtp_port = start_sink(MAIL)
    server = start_server(smtp_port, "serve-1.log")
    load = Load()
    load.run_then(server, signal.SIGKILL)
    acknowledged = load.acknowledged
    print(f"  killed with SIGKILL after {SECONDS}s: {len(acknowledged)} reports acknowledged (201)", flush=True)
    if load.errors:
        fail(f"5xx answers under load: {load.errors[:5]}")
    if len(acknowledged) < 20:
        fail("too few reports before the kill to prove anything")

    server = start_server(smtp_port, "serve-2.log")
    stopped = False
    try:
        rows = check_intact(acknowledged, "after the restart")
        print(f"  after the restart: all {len(acknowledged)} acknowledged reports intact; {len(rows)} cases, "
              f"references 1..{len(rows)} with no gap or duplicate", flush=True)

        db = sqlite3.connect(DB)
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
        db.close()
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

        # A service manager's stop: SIGTERM under the same load.
        load = Load()
        status = load.run_then(server, signal.SIGTERM)
        stopped = True
        if status != 0:
            fail(f"stopped with SIGTERM under load, the server exited with status {status} (see serve-2.log)")
        if load.errors:
            fail(f"5xx other than 503 while stopping: {load.errors[:5]}")
        if len(load.acknowledged) < 20:
            fail("too few reports before the stop to prove anything")
        rows = check_intact(acknowledged | load.acknowledged, "after the stop")
        print(f"  stopped with SIGTERM after {SECONDS}s of load: exit status 0, {len(load.acknowledged)} more reports "
              f"acknowledged and intact, {load.refused} refused with 503 while stopping; {len(rows)} cases", flush=True)
    finally:
        if not stopped:
            server.send_signal(signal.SIGTERM)
            server.wait()
        sink.stdin.close()
        sink.wait()
    print("ok", flush=True)


if __name__ == "__main__":
    main()

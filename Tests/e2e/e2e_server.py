"""What the crash and multi-instance tests share: starting `asb serve` and the SMTP sink as
child processes that never outlive the test, waiting for health, and reading what the sink got."""

from __future__ import annotations

import atexit
import email
import os
import pathlib
import subprocess
import sys
import time
import urllib.error
import urllib.request

STARTED: list[subprocess.Popen] = []


def _stop_all() -> None:
    """Whatever happens, no server or sink outlives the test."""
    for process in STARTED:
        if process.poll() is None:
            process.kill()
            process.wait()


atexit.register(_stop_all)


def fail(message: str) -> None:
    print(f"FAILED: {message}", flush=True)
    sys.exit(1)


def start_sink(mail_dir: pathlib.Path) -> tuple[subprocess.Popen, int]:
    """The aiosmtpd sink writing each message to `mail_dir`; returns it and its port."""
    mail_dir.mkdir(parents=True, exist_ok=True)
    sink = subprocess.Popen([sys.executable, "-u", str(pathlib.Path(__file__).with_name("smtp_sink.py")), "--port", "0",
                             "--dir", str(mail_dir), "--stop-on-eof"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    STARTED.append(sink)
    line = sink.stdout.readline()
    if not line.startswith("ready"):
        fail(f"the SMTP sink did not start: {line!r}")
    return sink, int(line.split()[1])


def start_server(binary: str, port: int, directory: pathlib.Path, log_name: str, **settings: str) -> subprocess.Popen:
    """`asb serve` on `port` with the given ASB_* settings, once /health answers 200."""
    env = dict(os.environ, **settings)
    log = open(directory / log_name, "a")
    server = subprocess.Popen([binary, "serve", "--port", str(port)], cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT)
    STARTED.append(server)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as reply:
                if reply.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    fail(f"the server on port {port} did not start ({log_name})")
    raise SystemExit


def delivered(mail_dir: pathlib.Path) -> dict[str, int]:
    """How many times each Message-ID reached the sink."""
    counts: dict[str, int] = {}
    for path in mail_dir.glob("*.eml"):
        message_id = (email.message_from_bytes(path.read_bytes())["Message-ID"] or "").strip("<> ")
        counts[message_id] = counts.get(message_id, 0) + 1
    return counts

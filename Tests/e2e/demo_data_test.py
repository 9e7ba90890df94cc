"""`asb demo-data` through the built binary, as an operator runs it (Tests/e2e/run_demo_data.sh).

The Swift tests call the generator in-process; this runs the program itself:
- it fills a new SQLite file, printing plain progress lines (its output is not a terminal);
- it runs with glibc's allocator tuned (`AllocatorTuning`: the program starts itself again in
  place with GLIBC_TUNABLES set: the same process, still called `asb`), and leaves an operator's
  own GLIBC_TUNABLES alone, even empty;
- the file ends as a served one: every index a migrated database has (the load drops most and
  makes them again), no record of left-out indexes, write-ahead logging;
- the same seed and dates give the same cases, tuned or not.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import sqlite3
import subprocess
import sys
import time

BINARY = os.environ["ASB_BIN"]
WORK = pathlib.Path(os.environ["ASB_DEMO_DIR"])
TUNABLES = "glibc.malloc.tcache_count=1000"  # AllocatorTuning.tunables
CASES = 400


def fail(message: str) -> None:
    print(f"FAILED: {message}", flush=True)
    sys.exit(1)


def run(args: list[str], database: pathlib.Path, watch: bool = False, **settings: str) -> str:
    """`asb ARGS` on `database`, its output. `watch`: while it runs, once its environment (as the
    kernel started the process with that id) holds the allocator settings, it must still be
    called by its executable's name, not `exe`."""
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    env.update(ASB_DATABASE_URL=f"sqlite:{database}", LOG_LEVEL="debug", **settings)
    log = WORK / f"{database.stem}.log"
    with open(log, "w") as out:
        process = subprocess.Popen([BINARY, *args], cwd=WORK, env=env, stdout=out, stderr=subprocess.STDOUT)
        name = None
        while watch and name is None and process.poll() is None:
            try:
                started_with = pathlib.Path(f"/proc/{process.pid}/environ").read_bytes().split(b"\0")
                if f"GLIBC_TUNABLES={TUNABLES}".encode() in started_with:
                    name = pathlib.Path(f"/proc/{process.pid}/comm").read_text().strip()
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass
            time.sleep(0.005)
        code = process.wait(timeout=600)
    output = log.read_text()
    if code != 0:
        fail(f"`asb {' '.join(args)}` exited with {code}:\n{output[-3000:]}")
    if watch:
        if name is None:
            fail("the process never ran with the allocator settings in its environment")
        if name != pathlib.Path(BINARY).name[:15]:
            fail(f"restarted in place, the process is called {name!r}, not {pathlib.Path(BINARY).name!r}")
    return output


def allocator_line(output: str) -> str:
    lines = [line for line in output.splitlines() if "glibc's allocator" in line]
    if not lines:
        fail(f"no start-up line on glibc's allocator in:\n{output[-2000:]}")
    return lines[0]


def indexes(database: pathlib.Path) -> set[str]:
    with sqlite3.connect(database) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}


def cases_digest(database: pathlib.Path) -> str:
    """The cases as an officer sees them, in reference order (ids are made afresh each run)."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT reference, status, priority, categories, received_at, closed_at, closure_reason "
                          "FROM cases ORDER BY reference").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def main() -> None:
    demo = ["demo-data", "--cases", str(CASES), "--years", "2", "--until", "2026-06-30", "--seed", "7"]

    migrated = WORK / "migrated.sqlite"
    run(["migrate", "--yes"], migrated)
    expected_indexes = indexes(migrated)
    if len(expected_indexes) < 20:
        fail(f"a migrated database has only {len(expected_indexes)} indexes")

    tuned = WORK / "tuned.sqlite"
    output = run(demo, tuned, watch=sys.platform.startswith("linux"))
    if sys.platform.startswith("linux") and f"GLIBC_TUNABLES: {TUNABLES}" not in allocator_line(output):
        fail(f"demo-data did not run with its allocator settings: {allocator_line(output)}")
    if f"Made {CASES} cases" not in output:
        fail(f"no summary line in:\n{output[-2000:]}")
    if f"{CASES}/{CASES} cases (100%)" not in output:
        fail(f"no plain progress line in:\n{output[-2000:]}")
    with sqlite3.connect(tuned) as db:
        (count,) = db.execute("SELECT count(*) FROM cases").fetchone()
        (journal,) = db.execute("PRAGMA journal_mode").fetchone()
        (left_out,) = db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'asb_left_out_indexes'").fetchone()
    if count != CASES:
        fail(f"{count} cases in the file, {CASES} asked for")
    if journal != "wal":
        fail(f"the file is left in journal mode {journal!r}, not wal")
    if left_out:
        fail("the record of left-out indexes is still there")
    missing = expected_indexes - indexes(tuned)
    if missing:
        fail(f"indexes missing after the load: {sorted(missing)}")

    untuned = WORK / "untuned.sqlite"
    output = run(demo, untuned, GLIBC_TUNABLES="")
    if "GLIBC_TUNABLES: ]" not in allocator_line(output):
        fail(f"an operator's empty GLIBC_TUNABLES was not left alone: {allocator_line(output)}")
    if cases_digest(tuned) != cases_digest(untuned):
        fail("the same seed and dates gave different cases tuned and untuned")

    print(f"demo-data: {CASES} cases, {len(expected_indexes)} indexes, WAL, tuned and untuned alike: passed", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Turn the rows ONE intake added into the replay template that floor.c runs.

    capture.py BEFORE.sqlite AFTER.sqlite TEMPLATE_OUT [DUMP_DIFF_OUT]

BEFORE and AFTER are consistent copies (`sqlite3 db .backup`) of the server's database taken
just before and just after one `POST /api/v1/reports`. intake.sh sends one warm-up report
before BEFORE, so that rows written once per database (the risk questionnaire version the
first assessment stores) are not mistaken for rows of every report. Every table is compared row by row
(as a multiset of whole rows): rows only in AFTER are what the intake inserted. A row that
changed shows up as removed + added; removed rows are reported (to stderr, and they make
this script fail unless they are the reference counter), because a replay of INSERTs
could not reproduce an UPDATE of a row that existed before.

The template (a small line format, read by floor.c; see the comment at the top of floor.c):

* the row of `case_reference_counters` is not replayed as an INSERT: floor.c runs the
  server's own upsert (`INSERT ... ON CONFLICT (year) DO UPDATE SET last_number =
  last_number + 1 RETURNING last_number`, CaseReferenceAllocator.swift) and uses the number;
* every other new row becomes one `INSERT INTO "table" ("col", ...) VALUES (?1, ?2, ...)`
  with every value bound as a parameter:
  - a primary-key value of a new row (a UUID, stored as a 16-byte blob or as text) is a
    "new id": it gets a fresh value on every replay, and every other column holding the
    same UUID (a foreign key such as `case_id`) gets the same fresh value, so the rows of one
    replayed report reference each other exactly as the server's did;
  - UUIDs that existed before (the admin user, seeded agencies, neighbourhoods) stay as they are;
  - text holding a new id (upper- or lower-case, e.g. an outbox dedupe key) or the case
    reference (`ASB-2026-00001`, e.g. in a message subject) becomes a template with
    `@@IDn@@`, `@@idn@@` or `@@REF@@` that floor.c fills in on every replay;
  - `cases.reference_number` takes the number the counter upsert returned;
  - everything else is bound as the same constant the server wrote.

Then every UNIQUE index (and primary key) of every table receiving rows is checked: at least
one of its columns must vary on every replay, or the replay would fail with a constraint
error; if not, this script fails and says which.
"""
import re
import sqlite3
import sys
import uuid
from collections import Counter

UUID_TEXT = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
COUNTER_TABLE = "case_reference_counters"


def tables(db):
    return [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def columns(db, table):
    return [(r[1], r[5]) for r in db.execute(f'PRAGMA table_info("{table}")')]  # (name, pk position)


def rows(db, table):
    return Counter(db.execute(f'SELECT * FROM "{table}"').fetchall())


def unique_indexes(db, table):
    """[(index name, [column names])] for every UNIQUE index and the primary key."""
    out = []
    for _, name, unique, origin, _partial in db.execute(f'PRAGMA index_list("{table}")'):
        if unique:
            cols = [r[2] for r in db.execute(f'PRAGMA index_info("{name}")')]
            out.append((name, cols))
    pk = [name for name, pos in sorted(columns(db, table), key=lambda c: c[1]) if pos > 0]
    if pk:
        out.append(("PRIMARY KEY", pk))
    return out


def as_uuid(value):
    if isinstance(value, bytes) and len(value) == 16:
        return uuid.UUID(bytes=value)
    if isinstance(value, str) and UUID_TEXT.fullmatch(value):
        return uuid.UUID(value)
    return None


def main():
    before_path, after_path, out_path = sys.argv[1:4]
    diff_path = sys.argv[4] if len(sys.argv) > 4 else None
    before, after = sqlite3.connect(before_path), sqlite3.connect(after_path)

    added = {}      # table -> [row tuples]
    problems = []
    counter_row = None
    summary = []
    for table in tables(after):
        old, new = rows(before, table), rows(after, table)
        plus, minus = new - old, old - new
        if minus and table != COUNTER_TABLE:  # the counter row is updated in place: expected
            problems.append(f"{table}: {sum(minus.values())} row(s) existed before and changed or went: "
                            f"a replay of INSERTs cannot reproduce that")
        if plus:
            added[table] = list(plus.elements())
            summary.append(f"{table}: {'upsert' if table == COUNTER_TABLE else '+' + str(sum(plus.values()))}")
    # The counter: on a database that has had one report before (intake.sh sends a warm-up
    # report first, so that one-time rows such as the stored risk questionnaire are not taken for
    # rows of every report) its row changed from N-1 to N; on a fresh one it appeared with 1.
    if COUNTER_TABLE not in added or len(added[COUNTER_TABLE]) != 1:
        problems.append(f"expected one new or changed row in {COUNTER_TABLE}")
    else:
        cols = [c for c, _ in columns(after, COUNTER_TABLE)]
        counter_row = dict(zip(cols, added.pop(COUNTER_TABLE)[0]))
    if "cases" not in added or len(added["cases"]) != 1:
        problems.append("expected exactly one new row in cases")
    if problems:
        sys.exit("capture.py: " + "; ".join(problems))

    year = counter_row["year"]
    number = counter_row["last_number"]
    reference = f"ASB-{year}-{number:05d}"

    # Insert in an order the foreign keys allow (they are checked at once, as on the server):
    # a table after every table it references. The server's own order is the same in effect:
    # counter, party, case, case_party, incident, assessment, milestones, event, audit, outbox.
    order, seen = [], set()

    def visit(table):
        if table in seen:
            return
        seen.add(table)
        for ref in after.execute(f'PRAGMA foreign_key_list("{table}")'):
            if ref[2] in added and ref[2] != table:
                visit(ref[2])
        order.append(table)

    for table in sorted(added):
        visit(table)
    added = {table: added[table] for table in order}

    # The new ids: primary-key values of new rows.
    new_ids = []
    for table, trows in added.items():
        cols = columns(after, table)
        for row in trows:
            for (name, pk), value in zip(cols, row):
                u = as_uuid(value)
                if pk and u is not None and u not in new_ids:
                    new_ids.append(u)
    id_number = {u: i + 1 for i, u in enumerate(new_ids)}

    def encode(table, column, value):
        """One V line for floor.c, and whether this value varies per replay."""
        if value is None:
            return "V N", False
        if isinstance(value, int):
            if table == "cases" and column == "reference_number" and value == number:
                return "V R", True
            return f"V I {value}", False
        if isinstance(value, float):
            return f"V F {value!r}", False
        if isinstance(value, bytes):
            u = as_uuid(value)
            if u in id_number:
                return f"V U {id_number[u]}", True
            return f"V B {value.hex()}", False
        text = value
        for u, n in id_number.items():
            text = text.replace(str(u).upper(), f"@@ID{n}@@").replace(str(u).lower(), f"@@id{n}@@")
        text = text.replace(reference, "@@REF@@")
        if text != value:
            return f"V S {text.encode().hex()}", True
        return f"V T {value.encode().hex()}", False

    lines = [
        "ASBFLOOR 1",
        f"# captured from one POST /api/v1/reports: reference {reference}",
        f"# rows: {', '.join(summary)}",
        f"IDS {len(new_ids)}",
        # Each id's UUID version: 7 for the server's time-ordered ids (OrderedID), 4 for random
        # ones (UUID()); floor.c makes the same kind, so the index inserts land where the
        # server's do (at the end of the index, or anywhere in it).
        *[f"IDKIND {n} {u.version}" for u, n in id_number.items()],
        f"YEAR {year}",
    ]
    statement_count = 0
    for table, trows in added.items():
        cols = columns(after, table)
        names = [c for c, _ in cols]
        uniques = unique_indexes(after, table)
        for row in trows:
            encoded = [encode(table, c, v) for c, v in zip(names, row)]
            varying = {c for c, (_, var) in zip(names, encoded) if var}
            for index, icols in uniques:
                if not varying.intersection(icols):
                    sys.exit(f"capture.py: {table}.{index} ({', '.join(icols)}) would get the same value on every "
                             f"replay; teach capture.py how to vary it")
            sql = (f'INSERT INTO "{table}" (' + ", ".join(f'"{c}"' for c in names) + ") VALUES ("
                   + ", ".join(f"?{i + 1}" for i in range(len(names))) + ")")
            lines.append(f"# {table}")
            lines.append(f"STMT {len(names)} {sql.encode().hex()}")
            lines += [e for e, _ in encoded]
            statement_count += 1
    lines.append("END")
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")

    if diff_path:
        with open(diff_path, "w") as f:
            old_dump = set(before.iterdump())
            for line in after.iterdump():
                if line not in old_dump:
                    f.write(line + "\n")
    print(f"captured {reference}: {statement_count} INSERTs + the counter upsert, {len(new_ids)} new ids; "
          + ", ".join(summary))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Pick what reads.sh asks for, spread over the whole dataset.

    reads_sample.py BASE_URL TOKEN SAMPLE OUT_DIR [SEED]

Writes, in OUT_DIR, one URL path (or search term) a line:
  refs.txt       up to SAMPLE case references, from SAMPLE/5 random instants between the
                 oldest and the newest case (`GET /api/v1/cases?sort=receivedAt&receivedFrom=T&limit=5`),
                 so the reads touch old and new cases alike, not only the hot newest page
  names.txt      full names of parties on up to 50 of those cases (`GET /api/v1/cases/{ref}`)
  prefixes.txt   the first 3 letters of those names (a broader `q` search)
  postcodes.txt  their postcodes
  open_refs.txt  up to SAMPLE/4 references of open cases, from random instants between the
                 oldest open case and the newest case (`...&status=open`): a closed case's page
                 offers no casework forms, and most of a 10-year dataset is closed, so these are
                 the heavier pages (empty when no case is open)
The random choice is seeded (SEED, default 1), so two runs on one database ask for the same.
"""
import json
import random
import sys
import urllib.parse
import urllib.request
from datetime import datetime, timezone


def main():
    base, token, sample, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)

    def get(path):
        req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.load(r)

    def parse(ts):
        return datetime.fromisoformat(ts.replace("Z", "+00:00"))

    oldest = get("/api/v1/cases?sort=receivedAt&limit=1")["items"]
    newest = get("/api/v1/cases?sort=-receivedAt&limit=1")["items"]
    if not oldest:
        sys.exit("reads_sample.py: the database has no cases")
    t0, t1 = parse(oldest[0]["receivedAt"]).timestamp(), parse(newest[0]["receivedAt"]).timestamp()

    def from_instants(start, instants, query="", limit=None):
        """References of up to 5 cases (matching `query`) received after each of `instants` random
        instants between `start` and the newest case, each once, the first `limit` of them shuffled."""
        found = []
        for _ in range(max(1, instants)):
            t = datetime.fromtimestamp(rng.uniform(start, t1), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            page = get(f"/api/v1/cases?sort=receivedAt&limit=5{query}&receivedFrom=" + urllib.parse.quote(t))["items"]
            found += [c["reference"] for c in page if c["reference"] not in found]
        found = found[:limit]
        rng.shuffle(found)
        return found

    refs = from_instants(t0, sample // 5, limit=sample)
    # Open cases are mostly recent: instants from the oldest open case on.
    first_open = get("/api/v1/cases?sort=receivedAt&status=open&limit=1")["items"]
    open_refs = from_instants(parse(first_open[0]["receivedAt"]).timestamp(), sample // 20, "&status=open") if first_open else []

    names, postcodes = [], []
    for ref in refs[:50]:
        case = get("/api/v1/cases/" + urllib.parse.quote(ref))
        for link in case.get("parties", []):
            party = link.get("party", {})
            if party.get("name") and party["name"] not in names:
                names.append(party["name"])
            if party.get("postcode") and party["postcode"] not in postcodes:
                postcodes.append(party["postcode"])
    if not names or not postcodes:
        sys.exit("reads_sample.py: no party with a name and a postcode on the sampled cases")
    prefixes = sorted({n[:3] for n in names if len(n) >= 3})

    for name, items in [("refs", refs), ("names", names), ("prefixes", prefixes), ("postcodes", postcodes),
                        ("open_refs", open_refs)]:
        with open(f"{out}/{name}.txt", "w") as f:
            f.write("\n".join(items) + "\n")
    print(f"{len(refs)} references ({refs[0]} ...), {len(open_refs)} open, {len(names)} names, {len(prefixes)} prefixes, "
          f"{len(postcodes)} postcodes; cases received {oldest[0]['receivedAt']} to {newest[0]['receivedAt']}")


if __name__ == "__main__":
    main()

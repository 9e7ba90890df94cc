"""
Bulk-loads tickets into the django-helpdesk database named by HELPDESK_DB, through the Django
ORM (bulk_create in batches, one transaction), for list.sh. Run with DJANGO_SETTINGS_MODULE set.

Every ticket gets the one follow-up that a ticket created through the public form has
("Ticket Opened Via Web"), because the ticket list's JSON endpoint reads the latest follow-up
of every ticket. Titles, descriptions and submitter emails are made from invented names.
Deterministic (fixed seed).

Env: TICKETS (100000), CLOSED_PERCENT (0: every ticket is in an open status, Open or Reopened;
e.g. 40 puts 40% in Resolved, Closed or Duplicate), BATCH (5000).
"""

import os
import random
import time
from datetime import timedelta

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

TICKETS = int(os.environ.get("TICKETS", "100000"))
CLOSED_PERCENT = float(os.environ.get("CLOSED_PERCENT", "0"))
BATCH = int(os.environ.get("BATCH", "5000"))

FIRST = ["Alys", "Bram", "Cerys", "Dev", "Elin", "Fraser", "Gwen", "Hal", "Isla", "Jory", "Kit",
         "Lowri", "Mabon", "Nia", "Orrin", "Petra", "Quill", "Rhosyn", "Sol", "Tamsin", "Ulla",
         "Vane", "Wren", "Yestin", "Zilla"]
LAST = ["Ashdown", "Brackley", "Carrow", "Dunmere", "Elsford", "Fennick", "Garrow", "Holloway",
        "Ivell", "Jessop", "Kestle", "Lanyon", "Morwood", "Nancarrow", "Orchard", "Penhale",
        "Quenby", "Rosevear", "Sandow", "Trevail"]
STREETS = ["Larch Close", "Tolver Road", "Mill Lane", "Chapel Row", "Quarry Walk", "Hollins Court",
           "Beacon Rise", "Fernlea Gardens", "Tanners Yard", "Kiln Street"]
# (queue slug, weight, what happened)
TOPICS = {
    "asb-reports": (40, ["General nuisance from a neighbouring flat",
                         "Shouting and slamming doors late at night",
                         "Rubbish left on the landing again"]),
    "noise": (20, ["Loud music most nights after midnight",
                   "Dog barking for hours while the owner is out",
                   "Parties every weekend until the early morning"]),
    "neighbour-disputes": (15, ["Dispute over the shared driveway",
                                "Neighbour's hedge blocking the path",
                                "Arguments over parking spaces"]),
    "estate-damage": (12, ["Graffiti on the bin store doors", "Broken entry door lock",
                           "Fly-tipping behind the garages"]),
    "drugs": (8, ["Suspected dealing from the ground-floor flat",
                  "Drug paraphernalia found in the stairwell"]),
    "hate-incidents": (5, ["Verbal abuse because of my religion",
                           "Offensive graffiti aimed at my family"]),
}


def main():
    rng = random.Random(20261201)
    queues = {q.slug: q for q in Queue.objects.all()}
    missing = set(TOPICS) - set(queues)
    if missing:
        raise SystemExit(f"queues missing (run setup.sh): {sorted(missing)}")
    officers = list(get_user_model().objects.filter(is_superuser=False, is_staff=True))
    slugs = list(TOPICS)
    weights = [TOPICS[s][0] for s in slugs]

    # created/modified are auto_now_add/auto_now: switch that off so the load can set them.
    created_field = Ticket._meta.get_field("created")
    modified_field = Ticket._meta.get_field("modified")
    created_field.auto_now_add = False
    modified_field.auto_now = False

    now = timezone.now()
    start = time.monotonic()
    made = 0
    with transaction.atomic():
        while made < TICKETS:
            n = min(BATCH, TICKETS - made)
            tickets = []
            for i in range(made, made + n):
                slug = rng.choices(slugs, weights)[0]
                what = rng.choice(TOPICS[slug][1])
                street = rng.choice(STREETS)
                first, last = rng.choice(FIRST), rng.choice(LAST)
                created = now - timedelta(seconds=rng.randint(3600, 730 * 86400))
                if rng.random() * 100 < CLOSED_PERCENT:
                    status = rng.choices([3, 4, 5], [30, 60, 10])[0]
                else:
                    status = 1 if rng.random() < 0.88 else 2
                tickets.append(
                    Ticket(
                        title=f"{what} ({rng.randint(1, 120)} {street})",
                        queue=queues[slug],
                        created=created,
                        modified=created + timedelta(minutes=rng.randint(0, 20000)),
                        submitter_email=f"{first}.{last}.{i}@example.net".lower(),
                        assigned_to=rng.choice(officers) if officers and rng.random() < 0.75 else None,
                        status=status,
                        description=(
                            f"{what}. It happens at {rng.randint(1, 120)} {street} most days, "
                            "usually late in the evening. The people involved live nearby; "
                            "I do not know their names. It has been going on for weeks and "
                            f"is affecting my family. Reported by {first} {last}."
                        ),
                        priority=rng.choices([1, 2, 3, 4, 5], [5, 15, 55, 20, 5])[0],
                        due_date=(created + timedelta(days=rng.randint(1, 28)))
                        if rng.random() < 0.4
                        else None,
                    )
                )
            Ticket.objects.bulk_create(tickets)
            FollowUp.objects.bulk_create(
                FollowUp(
                    ticket=t,
                    date=t.created,
                    title="Ticket Opened Via Web",
                    comment=t.description,
                    public=True,
                    email_recipients=[t.submitter_email],
                )
                for t in tickets
            )
            made += n
    with connection.cursor() as cur:
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    open_count = Ticket.objects.filter(status__in=[1, 2]).count()
    print(
        f"load_tickets: {made} tickets ({open_count} open) and {made} follow-ups "
        f"in {time.monotonic() - start:.1f} s; now {Ticket.objects.count()} tickets"
    )


main()

"""
Run by setup.sh after `migrate` (DJANGO_SETTINGS_MODULE and HELPDESK_DB set):
creates the staff user (a superuser, so helpdesk staff) with the password given in
HELPDESK_STAFF_PASSWORD, the public queue for reports and the other queues the bulk
load spreads tickets over, and sets the database file to WAL.
"""

import os

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sites.models import Site  # noqa: E402
from django.db import connection  # noqa: E402

from helpdesk.models import Queue, UserSettings  # noqa: E402

# (slug, title, public submission allowed)
QUEUES = [
    ("asb-reports", "ASB reports (public form)", True),
    ("noise", "Noise nuisance", False),
    ("neighbour-disputes", "Neighbour disputes", False),
    ("estate-damage", "Vandalism and estate damage", False),
    ("drugs", "Drug-related activity", False),
    ("hate-incidents", "Hate incidents", False),
]

# Case officers the bulk load assigns tickets to (invented names).
OFFICERS = [
    ("aoakfield", "Alys", "Oakfield"),
    ("bpenrose", "Bram", "Penrose"),
    ("cwhitlow", "Cerys", "Whitlow"),
    ("dmarchant", "Dev", "Marchant"),
]


def main():
    User = get_user_model()
    username = os.environ.get("HELPDESK_STAFF_USER", "staff")
    password = os.environ["HELPDESK_STAFF_PASSWORD"]
    user, _ = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org"}
    )
    user.is_staff = True
    user.is_superuser = True
    user.set_password(password)
    user.save()
    UserSettings.objects.get_or_create(user=user)

    for uname, first, last in OFFICERS:
        officer, _ = User.objects.get_or_create(
            username=uname,
            defaults={
                "email": f"{uname}@example.org",
                "first_name": first,
                "last_name": last,
                "is_staff": True,
            },
        )
        officer.set_unusable_password()
        officer.save()
        UserSettings.objects.get_or_create(user=officer)

    for slug, title, public in QUEUES:
        Queue.objects.update_or_create(
            slug=slug,
            defaults={
                "title": title,
                "allow_public_submission": public,
                "allow_email_submission": False,
                "email_address": f"{slug}@example.org",
            },
        )

    Site.objects.update_or_create(
        id=1, defaults={"domain": "127.0.0.1", "name": "ASB helpdesk (benchmark)"}
    )

    with connection.cursor() as cur:
        cur.execute("PRAGMA journal_mode=WAL")
        mode = cur.fetchone()[0]
        cur.execute("PRAGMA synchronous")
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[cur.fetchone()[0]]
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(
        f"bootstrap: staff user {username!r}, {Queue.objects.count()} queues, "
        f"{User.objects.count()} users; Django's connection: journal_mode={mode}, "
        f"synchronous={sync}"
    )


main()

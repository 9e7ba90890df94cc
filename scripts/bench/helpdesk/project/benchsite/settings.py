"""
Settings of the minimal Django project that hosts django-helpdesk for the comparison with
ASB Casework (see ../../README.md). A production configuration, as django-helpdesk's install
docs describe it, on SQLite:

- DEBUG = False, no debug toolbar, no extra middleware.
- SQLite in WAL journal mode with synchronous=FULL on every connection (the same durability as
  the ASB Casework server), IMMEDIATE write transactions and a 20 s busy timeout, so that
  gunicorn's worker processes queue for the write lock instead of failing.
- Persistent database connections (CONN_MAX_AGE), as a production Django site would use.

Everything that varies comes from the environment, set by ../../setup.sh and the bench scripts:
HELPDESK_DB (the SQLite file), HELPDESK_SECRET_KEY, HELPDESK_EMAIL_BACKEND.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ["HELPDESK_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# As django-helpdesk's install docs list them; pinax-teams is not used (HELPDESK_TEAMS_MODE_ENABLED
# = False below, as its teams docs say), so 'account', 'pinax.*' and 'reversion' are left out.
# django-helpdesk 2.x ships its own bootstrap5 form tags, so 'bootstrap4form' is gone too.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",  # required: domain for links in emails
    "django.contrib.humanize",  # required: elapsed-time formatting
    "rest_framework",  # the API and the ticket list's datatables endpoint
    "helpdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,  # with DEBUG False Django wraps these in the cached loader
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("HELPDESK_DB", str(BASE_DIR / "db.sqlite3")),
        "CONN_MAX_AGE": int(os.environ.get("HELPDESK_CONN_MAX_AGE", "600")),
        "ATOMIC_REQUESTS": os.environ.get("HELPDESK_ATOMIC_REQUESTS", "0") == "1",
        "OPTIONS": {
            # Django >= 5.1 runs these on every new connection: synchronous is a per-connection
            # setting, journal_mode=WAL is persistent (setup.sh also sets it on the file).
            # HELPDESK_SQLITE_SYNCHRONOUS (FULL) exists only to show how much the durability
            # setting matters; the comparison uses FULL, as ASB Casework does.
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous="
            + os.environ.get("HELPDESK_SQLITE_SYNCHRONOUS", "FULL"),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

SITE_ID = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(BASE_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = os.environ.get("HELPDESK_MEDIA_ROOT", str(BASE_DIR / "media"))

# Email: django-helpdesk renders the "new ticket" acknowledgement to the submitter from its
# EmailTemplate rows in the request and hands it to this backend. The default, the dummy
# backend, keeps the rendering but sends nothing (no SMTP round trip is charged to
# django-helpdesk; ASB Casework only writes its acknowledgement to an outbox table in the
# request). Set HELPDESK_EMAIL_BACKEND to another backend to change that.
EMAIL_BACKEND = os.environ.get(
    "HELPDESK_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend"
)
DEFAULT_FROM_EMAIL = "helpdesk@example.org"
SERVER_EMAIL = "helpdesk@example.org"

LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:home"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- django-helpdesk (helpdesk/settings.py and docs/settings.rst of 2.6.1) ---------------------
HELPDESK_TEAMS_MODE_ENABLED = False  # no pinax-teams
# HELPDESK_KB_ENABLED stays at its default (True): in 2.6.1, False makes helpdesk/urls.py raise
# NameError (its KB url list names the kb views module that it imported only when enabled).
HELPDESK_PUBLIC_ENABLED = True  # named by older docs; 2.6.1 no longer reads it
HELPDESK_VIEW_A_TICKET_PUBLIC = True
HELPDESK_SUBMIT_A_TICKET_PUBLIC = True
HELPDESK_REDIRECT_TO_LOGIN_BY_DEFAULT = False
HELPDESK_ALLOW_NON_STAFF_TICKET_UPDATE = False  # only staff work tickets
HELPDESK_ANON_ACCESS_RAISES_404 = False
# Public reports go to one queue with a fixed priority; the public form then asks for
# the summary, the description and the reporter's email address (and an optional file).
HELPDESK_PUBLIC_TICKET_QUEUE = "asb-reports"
HELPDESK_PUBLIC_TICKET_PRIORITY = 3
HELPDESK_DEFAULT_SETTINGS = {
    "use_email_as_submitter": True,
    "email_on_ticket_assign": True,
    "email_on_ticket_change": True,
    "login_view_ticketlist": True,
    "tickets_per_page": 25,
}

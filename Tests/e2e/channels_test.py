#!/usr/bin/env python3
"""Channels end to end, against the real server on loopback (started by run_channels.sh):

1. Open311: the georeport client from PyPI reads the services and their definitions (JSON and
   XML); a request is posted form-encoded as FixMyStreet does (georeport has no POST) and read
   back with georeport, which shows only status fields.
2. Messages out: the acknowledgement for that request arrives at a real SMTP server (aiosmtpd)
   with the reference, the 999 advice and a Message-ID.
3. Email in: messages made with Python's `email` package (multipart, HTML only in
   Windows-1252, an attachment, a reply quoting history) posted to /api/v1/inbound/email, and a
   Maildir with a broken message imported by `asb mail import`.

Every person and address is invented (example.org). Exits non-zero on the first failure.
"""

import email.policy
import glob
import os
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import make_msgid

import georeport
import georeport.georeport as georeport_module
import requests

URL = os.environ["ASB_URL"]
KEY = os.environ["ASB_OPEN311_KEY"]
SECRET = os.environ["ASB_INBOUND_SECRET"]
MAIL_DIR = os.environ["ASB_MAIL_DIR"]
ASB_BIN = os.environ["ASB_BIN"]

checks = 0


def check(condition, what):
    global checks
    if not condition:
        print(f"FAIL: {what}")
        sys.exit(1)
    checks += 1
    print(f"  ok: {what}")


PLAIN_GET = requests.get


def with_api_key():
    """georeport predates per-client privacy and sends no api_key when reading; this server
    answers reads only for the key that submitted the request, so add it to georeport's GETs
    (georeport shares the requests module, so this script's own reads use PLAIN_GET)."""
    def get(url, params=None, **kwargs):
        params = dict(params or {})
        params["api_key"] = KEY
        return PLAIN_GET(url, params=params, **kwargs)

    georeport_module.requests.get = get


print("== Open311 with the georeport client")
for fmt in ("json", "xml"):
    client = georeport.GeoReport(f"{URL}/open311/v2", output_format=fmt)
    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    check("noise" in codes and "vandalism" in codes, f"georeport reads the services as {fmt}: {len(codes)} of them")
    definition = client.get_service_definition("noise")
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = attributes["attribute"]
    check(any(a["code"] == "threats" for a in attributes), f"the noise definition ({fmt}) asks the risk questions")

posted = requests.post(f"{URL}/open311/v2/requests.json", data={
    "api_key": KEY, "service_code": "noise", "address_string": "12 Sample Road, SS1 1AA",
    "description": "Music and shouting from the flat below until 3am (generated test report).",
    "first_name": "Jo", "last_name": "Example", "email": "jo.example@example.org",
    "attribute[frequency]": "daily", "attribute[hate]": "no",
})
check(posted.status_code == 201, f"POST requests.json answers 201 ({posted.status_code} {posted.text[:200]})")
reference = posted.json()[0]["service_request_id"]
check(reference.startswith("ASB-"), f"the service_request_id is the case reference {reference}")
check("service_notice" in posted.json()[0], "the response states the service notice")

with_api_key()
for fmt in ("json", "xml"):
    client = georeport.GeoReport(f"{URL}/open311/v2", output_format=fmt)
    request = client.get_service_request(reference)
    check(request["service_request_id"] == reference and request["status"] == "open", f"georeport reads the request back as {fmt}")
    check(set(request.keys()) <= {"service_request_id", "status", "status_notes", "service_name", "service_code",
                                  "requested_datetime", "updated_datetime", "expected_datetime"},
          f"only status fields come back ({fmt}): {sorted(request.keys())}")
other = PLAIN_GET(f"{URL}/open311/v2/requests/{reference}.json", params={"api_key": "not-a-key"})
check(other.status_code == 403 and other.json()[0]["code"] == 403, "a wrong api_key is a 403 in the specification's error format")

print("== Messages out through a real SMTP server")
deadline = time.time() + 30
found = None
while time.time() < deadline and found is None:
    for path in sorted(glob.glob(os.path.join(MAIL_DIR, "*.eml"))):
        with open(path, "rb") as f:
            message = email.message_from_binary_file(f, policy=email.policy.default)
        if reference in (message["Subject"] or ""):
            found = message
    time.sleep(0.5)
check(found is not None, f"the acknowledgement for {reference} reached the SMTP server")
check(found["To"] == "jo.example@example.org", f"addressed to the reporter: {found['To']}")
check(found["Message-ID"] and found["Message-ID"].startswith("<"), "it has a Message-ID")
text = found.get_body(preferencelist=("plain",)).get_content()
check(reference in text and "call 999" in text, "the text has the reference and the 999 advice")
check(found.get_body(preferencelist=("html",)) is not None, "and an HTML part")

print("== Email in")


def post_mail(message):
    return requests.post(f"{URL}/api/v1/inbound/email", data=message.as_bytes(policy=email.policy.SMTP),
                         headers={"Content-Type": "message/rfc822", "X-ASB-Inbound-Secret": SECRET})


report = EmailMessage()
report["From"] = "Kim Sample <kim.sample@example.org>"
report["To"] = "asb@example.org"
report["Subject"] = "Rubbish dumped by the bins – again"
report["Message-ID"] = make_msgid(domain="mail.example.org")
report.set_content("Someone has dumped a sofa by the bins. It cost £80 to clear last time.\n")
report.add_alternative("<p>Someone has dumped a <b>sofa</b> by the bins. It cost &pound;80 to clear last time.</p>", subtype="html")
report.add_attachment(b"Photo taken on Monday (generated test file)\n", maintype="text", subtype="plain", filename="note.txt")
first = post_mail(report)
check(first.status_code == 201 and first.json()["result"] == "newCase", f"a new email becomes a case ({first.status_code} {first.text[:200]})")
mail_reference = first.json()["reference"]
again = post_mail(report)
check(again.status_code == 200 and again.json()["result"] == "duplicate", "the same Message-ID again changes nothing")

reply = EmailMessage()
reply["From"] = "kim.sample@example.org"
reply["To"] = "asb@example.org"
reply["Subject"] = f"RE: We have received your report {mail_reference}"
reply["Message-ID"] = make_msgid(domain="mail.example.org")
reply.set_content(f"It has happened again today.\n\nOn Tue, 24 Nov 2026 at 10:15, ASB team <asb@example.org> wrote:\n> We have received your report {mail_reference}.\n",
                  charset="windows-1252", cte="quoted-printable")
added = post_mail(reply)
check(added.status_code == 201 and added.json() == {"result": "addedToCase", "reference": mail_reference},
      f"the reporter's reply joins the case ({added.text[:200]})")
wrong = requests.post(f"{URL}/api/v1/inbound/email", data=b"From: x@example.org\r\n\r\nhi",
                      headers={"Content-Type": "message/rfc822", "X-ASB-Inbound-Secret": "wrong"})
check(wrong.status_code == 401, "a wrong gateway secret is refused")

maildir = tempfile.mkdtemp(prefix="asb-maildir-")
os.makedirs(os.path.join(maildir, "new"))
html_only = EmailMessage()
html_only["From"] = "=?iso-8859-1?q?Ren=E9e_Example?= <renee@example.org>"
html_only["To"] = "asb@example.org"
html_only["Subject"] = "Dog barking all night"
html_only["Message-ID"] = make_msgid(domain="mail.example.org")
html_only.set_content("<html><body><p>The dog at number 9 barks all night.</p><ul><li>Monday</li><li>Tuesday</li></ul></body></html>",
                      subtype="html", charset="windows-1252")
with open(os.path.join(maildir, "new", "1764000001.M1.example"), "wb") as f:
    f.write(html_only.as_bytes(policy=email.policy.SMTP))
with open(os.path.join(maildir, "new", "1764000002.M2.example"), "wb") as f:
    f.write(b"this is not an email at all")
result = subprocess.run([ASB_BIN, "mail", "import", "--maildir", maildir], capture_output=True, text=True, env=os.environ)
check(result.returncode == 0, f"asb mail import ran ({result.stdout.strip()} {result.stderr.strip()[-300:]})")
check("New cases: 1" in result.stdout and "quarantined: 1" in result.stdout, "one new case, one quarantined")
check(os.listdir(os.path.join(maildir, "new")) == [], "new/ is empty afterwards")
check(os.path.exists(os.path.join(maildir, "quarantine", "1764000002.M2.example.reason")), "the quarantined message has its reason")

print(f"channels: {checks} checks passed")

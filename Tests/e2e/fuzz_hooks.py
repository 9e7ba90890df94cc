"""Schemathesis hooks for fuzz_api.sh: how to make a `message/rfc822` body (the inbound email
endpoint), which schemathesis cannot serialise by itself. Half real-format messages (invented
people at example.org), half arbitrary bytes, so both the report path and the refusals run."""

import schemathesis
from hypothesis import strategies as st

_headers = st.fixed_dictionaries({
    "from": st.sampled_from(["Fuzz Example <fuzz@example.org>", "fuzz@example.org", "=?utf-8?q?Fuzz_=C3=89xample?= <f@example.org>", ""]),
    "subject": st.text(max_size=60).map(lambda s: s.replace("\r", " ").replace("\n", " ")),
    "id": st.uuids(),
    "body": st.text(max_size=400),
})


def _message(parts):
    return (f"From: {parts['from']}\r\nTo: asb@example.org\r\nSubject: {parts['subject']}\r\n"
            f"Message-ID: <{parts['id']}@fuzz.example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{parts['body']}\r\n").encode("utf-8", "replace")


schemathesis.openapi.media_type("message/rfc822", st.one_of(_headers.map(_message), st.binary(max_size=2000)))

#!/usr/bin/env python3
"""A tiny SMTP sink for tests, built on aiosmtpd.

It listens on 127.0.0.1 (or --host), accepts every message and writes it, byte for
byte as received after dot-unstuffing, to DIR/NNNN.eml, with the envelope beside it in
DIR/NNNN.json. When it is listening it prints "ready PORT" on stdout and flushes, so a
test can wait for that line (pass --port 0 to let the system choose a free port).

Options:
  --tls starttls   offer STARTTLS with a self-signed certificate made at start
  --tls implicit   speak TLS from the first byte (like port 465)
  --require-tls    refuse MAIL before STARTTLS (only with --tls starttls)
  --auth           require AUTH (PLAIN or LOGIN) as user "asb-test", password
                   "asb-test-password"; by default AUTH is offered only over TLS,
                   --auth-plaintext offers it on a plain connection too
  --auth-exclude M do not offer AUTH mechanism M, e.g. PLAIN (may be repeated)
  --reject ADDR    answer RCPT TO:<ADDR> with 550 (may be repeated)
  --defer ADDR     answer RCPT TO:<ADDR> with 451 (may be repeated)

The self-signed certificate (for localhost, 127.0.0.1 and ::1) is written to
DIR/../<basename of DIR>-cert.pem unless --cert-out names another file; it is kept
out of DIR so that DIR holds only messages. Stop the sink with SIGTERM or SIGINT, or,
with --stop-on-eof, by closing its standard input (so it dies with the test that started
it even if that test is killed).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import ipaddress
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

TEST_USER = "asb-test"
TEST_PASSWORD = "asb-test-password"


def make_self_signed(cert_path: Path, key_path: Path) -> None:
    """Writes a fresh self-signed certificate and key (PEM), valid for loopback."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        make_self_signed_with_openssl(cert_path, key_path)
        return
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1")),
            ]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def make_self_signed_with_openssl(cert_path: Path, key_path: Path) -> None:
    """The same as make_self_signed, with the openssl command (1.1.1 or later)."""
    if shutil.which("openssl") is None:
        sys.exit("smtp_sink: TLS needs the 'cryptography' package or the openssl command")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-keyout", str(key_path), "-out", str(cert_path)],
        check=True, capture_output=True,
    )


class Sink:
    """aiosmtpd handler: rejects or defers chosen recipients and stores every message."""

    def __init__(self, directory: Path, reject: set[str], defer: set[str]) -> None:
        self.directory = directory
        self.reject = {a.lower() for a in reject}
        self.defer = {a.lower() for a in defer}
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if address.lower() in self.defer:
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stem = self.directory / ("%04d" % self.count)
        auth = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        meta = {
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "auth_login": auth,
            "helo": session.host_name,
        }
        # Write to temporary names first so a reader never sees half a message.
        tmp = stem.with_suffix(".tmp")
        tmp.write_text(json.dumps(meta, indent=2))
        os.replace(tmp, stem.with_suffix(".json"))
        tmp.write_bytes(envelope.original_content)
        os.replace(tmp, stem.with_suffix(".eml"))
        return "250 2.0.0 OK: queued as %04d" % self.count


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == TEST_USER.encode()
        and auth_data.password == TEST_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


async def serve(args: argparse.Namespace) -> None:
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    tls_context = None
    if args.tls != "none":
        cert = Path(args.cert_out) if args.cert_out else directory.parent / (directory.name + "-cert.pem")
        with tempfile.TemporaryDirectory() as keydir:
            key = Path(keydir) / "key.pem"
            make_self_signed(cert, key)
            tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls_context.load_cert_chain(str(cert), str(key))

    handler = Sink(directory, set(args.reject), set(args.defer))
    smtp_kwargs = dict(
        hostname="sink.example.org",
        require_starttls=args.require_tls,
        auth_required=args.auth,
        auth_require_tls=not args.auth_plaintext,
        authenticator=authenticator if args.auth else None,
        auth_exclude_mechanism=args.auth_exclude,
        timeout=30,
    )
    if args.tls == "starttls":
        smtp_kwargs["tls_context"] = tls_context

    def factory() -> SMTP:
        return SMTP(handler, **smtp_kwargs)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory, host=args.host, port=args.port,
        ssl=tls_context if args.tls == "implicit" else None,
    )
    port = server.sockets[0].getsockname()[1]
    print("ready %d" % port, flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.stop_on_eof:
        def stdin_readable() -> None:
            if not os.read(sys.stdin.fileno(), 4096):
                loop.remove_reader(sys.stdin.fileno())
                stop.set()
        loop.add_reader(sys.stdin.fileno(), stdin_readable)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description="SMTP sink for tests (aiosmtpd)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port (printed)")
    parser.add_argument("--dir", required=True, help="directory for the .eml files")
    parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    parser.add_argument("--require-tls", action="store_true")
    parser.add_argument("--cert-out", help="where to write the self-signed certificate (PEM)")
    parser.add_argument("--auth", action="store_true")
    parser.add_argument("--auth-plaintext", action="store_true")
    parser.add_argument("--auth-exclude", action="append", default=[], metavar="MECHANISM")
    parser.add_argument("--reject", action="append", default=[], metavar="ADDR")
    parser.add_argument("--defer", action="append", default=[], metavar="ADDR")
    parser.add_argument("--stop-on-eof", action="store_true", help="exit when stdin is closed")
    args = parser.parse_args()
    # A parent (such as a Swift test runner) may have blocked these; the sink must see them.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()

"""A webhook receiver on 127.0.0.1 for the tests: scripted answers, every request recorded."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.loopback import QuietHandler, serve_on_loopback


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int | str


@dataclass
class Receiver:
    url: str
    # What to do with each request in turn: a status code, "hang" (answer after the sender's
    # timeout), "trickle-head" (a header one byte at a time, each well within the sender's
    # timeout, for `hang_seconds`) or "trickle-body" (200 at once, then a body that trickles
    # the same way). When the script runs out, `then` answers.
    script: list[int | str] = field(default_factory=list)
    then: int | str = 200
    # Sent as `Location` with a 3xx answer.
    location: str = ""
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.02)
        raise AssertionError(f"the receiver got {len(self.requests)} request(s), not {count}")


def tls_for(host: str, directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a certificate for `host` from a throw-away CA, and the CA's file
    (for SSL_CERT_FILE, which the sender's client trusts)."""
    now = dt.datetime.now(dt.UTC)

    def issue(
        subject: str,
        key: ec.EllipticCurvePrivateKey,
        signer: ec.EllipticCurvePrivateKey,
        issuer: str,
        *,
        ca: bool,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_file, chain, key_file = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    pem = serialization.Encoding.PEM
    ca_file.write_bytes(issue("test CA", ca_key, ca_key, "test CA", ca=True).public_bytes(pem))
    chain.write_bytes(issue(host, key, ca_key, "test CA", ca=False).public_bytes(pem))
    key_file.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key_file)
    return context, ca_file


@contextmanager
def receiver(hang_seconds: float = 3.0, tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                answer = state.script.pop(0) if state.script else state.then
                state.requests.append(Received(dict(self.headers.items()), body, answer))
            if answer == "hang":
                time.sleep(hang_seconds)
                answer = 200
            if answer in ("trickle-head", "trickle-body"):
                self._trickle(str(answer))
                return
            self.send_response(int(answer))
            if 300 <= int(answer) < 400:
                self.send_header("Location", state.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _trickle(self, how: str) -> None:
            """Never silent for long, never done: stops when the sender hangs up."""
            count = int(hang_seconds / 0.05)
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            if how == "trickle-head":
                self.wfile.write(b"X-Slow: ")
            else:
                self.wfile.write(f"Content-Length: {count}\r\n\r\n".encode())
            try:
                for _ in range(count):
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(0.05)
                if how == "trickle-head":
                    self.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                return

    with serve_on_loopback(Handler, tls) as url:
        state.url = f"{url}/hook"
        yield state

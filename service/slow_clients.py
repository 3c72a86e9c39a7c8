"""Slow-client protection for `registry serve`, under either server.

A client that sends its request line a byte a second (or nothing at all) would hold a connection
forever, and so would one that trickles its body or stops reading the response. The limits:
- headers: complete within `REGISTRY_HEADER_TIMEOUT` seconds (default 10);
- body: at least `REGISTRY_BODY_MIN_RATE` bytes a second on average, once the body has been
  waited for `REGISTRY_BODY_RATE_GRACE` seconds (defaults 1024 B/s after 5 s); else
  `408 Request Timeout` and the connection is closed;
- response: a client that leaves it unread for `REGISTRY_SEND_TIMEOUT` seconds (default 30)
  is dropped, rather than held with the rest of the response in memory.

granian (the default): the header deadline is granian's own (`HTTP1Settings.header_read_timeout`,
set by service/serving.py), which closes the connection without a 408; the body floor is
`BodyRateFloor` below, at the ASGI level; the send timeout is the kernel's `TCP_USER_TIMEOUT` on
the listening socket (`client_listener`), which every accepted connection inherits: Linux drops a
connection whose data has waited that long behind a closed receive window (or unacknowledged).
granian's own `send` would not tell the app: it takes a whole response body at once and returns.

uvicorn (`--server uvicorn`): uvicorn has no header timeout and closes only idle keep-alive
connections, so `GuardedHttpToolsProtocol` extends its protocol with all three: 408 for slow
headers and bodies, and an abort once the transport has been paused for the send timeout.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.settings import Settings

log = logging.getLogger("service.slow_clients")
RESPONSE_408 = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 16\r\nconnection: close\r\n\r\nrequest too slow"
)


@dataclass(frozen=True)
class ClientLimits:
    header_timeout: float
    body_min_rate: float
    body_rate_grace: float
    send_timeout: float


@functools.cache
def client_limits() -> ClientLimits:
    """Read once per worker process from the environment (the server builds the protocol, or
    the app, there)."""
    settings = Settings()
    return ClientLimits(
        settings.header_timeout,
        settings.body_min_rate,
        settings.body_rate_grace,
        settings.send_timeout,
    )


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = client_limits()
        self._header_deadline: asyncio.TimerHandle | None = None
        self._body_check: asyncio.TimerHandle | None = None
        self._send_deadline: asyncio.TimerHandle | None = None
        self._body_started = 0.0
        self._body_bytes = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_deadline is None:
            self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._cancel(header=True)
        self._body_started = time.monotonic()
        self._body_bytes = 0
        self._body_check = self.loop.call_later(1.0, self._check_body_rate)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._cancel(body=True)
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The next request's clock starts with its first byte (on_message_begin); until then
        # uvicorn's keep-alive timeout closes an idle connection.

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._send_deadline is None:
            self._send_deadline = self.loop.call_later(self.limits.send_timeout, self._unread)

    def resume_writing(self) -> None:
        super().resume_writing()
        self._cancel(send=True)

    def _unread(self) -> None:
        """The response has sat unread for the send timeout: drop the connection (a close
        would wait for the buffer to be taken, which is what is not happening)."""
        self._send_deadline = None
        if self.transport.is_closing():
            return
        log.warning(
            "slow client cut off",
            extra={"fields": {"code": "send_timeout", "part": "response", "client": self.client}},
        )
        self.transport.abort()

    def _arm_header_deadline(self) -> None:
        self._header_deadline = self.loop.call_later(
            self.limits.header_timeout, self._too_slow, "headers"
        )

    def _check_body_rate(self) -> None:
        self._body_check = None
        now = time.monotonic()
        if self.flow.read_paused:
            # The app is not reading: the client is not the slow one. Measure afresh.
            self._body_started, self._body_bytes = now, 0
        elapsed = now - self._body_started
        if elapsed >= self.limits.body_rate_grace and (
            self._body_bytes < self.limits.body_min_rate * elapsed
        ):
            self._too_slow("body")
            return
        self._body_check = self.loop.call_later(1.0, self._check_body_rate)

    def _too_slow(self, part: str) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        log.warning(
            "slow client cut off",
            extra={"fields": {"code": "request_timeout", "part": part, "client": self.client}},
        )
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self.transport.write(RESPONSE_408)
        self.transport.close()

    def _cancel(self, *, header: bool = False, body: bool = False, send: bool = False) -> None:
        if send and self._send_deadline is not None:
            self._send_deadline.cancel()
            self._send_deadline = None
        if header and self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None
        if body and self._body_check is not None:
            self._body_check.cancel()
            self._body_check = None

    def _cancel_timers(self) -> None:
        self._cancel(header=True, body=True, send=True)


# Methods whose requests the routes never read a body of: no floor to watch.
BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})
TIMEOUT_408: list[Message] = [
    {
        "type": "http.response.start",
        "status": 408,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", b"16"),
            (b"connection", b"close"),
        ],
    },
    {"type": "http.response.body", "body": b"request too slow"},
]


class BodyRateFloor:
    """ASGI, for servers without a body deadline (granian): a request body must average
    `body_min_rate` bytes a second of the time the app spends waiting for it, once it has waited
    `body_rate_grace` seconds; else the client gets `408` (`Connection: close`) and the app gets
    `http.disconnect`, as uvicorn's protocol would give it. Only the waiting counts: a body the
    server has already buffered costs the client nothing, and an app busy elsewhere does not
    make a client slow. Requests without a body pass straight through (no wrapper per call)."""

    def __init__(self, app: ASGIApp, limits: ClientLimits) -> None:
        self.app = app
        self.limits = limits

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "http" or scope["method"] in BODILESS or not self.limits.body_min_rate:
            return self.app(scope, receive, send)
        return _MeteredBody(self.limits, scope, receive, send).run(self.app)


class _MeteredBody:
    def __init__(self, limits: ClientLimits, scope: Scope, receive: Receive, send: Send) -> None:
        self.limits = limits
        self.scope = scope
        self._receive = receive
        self._send = send
        self.waited = 0.0  # seconds spent in the server's receive
        self.received = 0  # body bytes
        self.started = False  # a response has begun
        self.cut = False

    async def run(self, app: ASGIApp) -> None:
        await app(self.scope, self.receive, self.send)

    async def receive(self) -> Message:
        if self.cut:
            return {"type": "http.disconnect"}
        limits = self.limits
        # The waiting these bytes pay for: the grace, or their worth at the floor rate.
        allowed = max(limits.body_rate_grace, self.received / limits.body_min_rate)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(allowed - self.waited):
                message = await self._receive()
        except TimeoutError:
            self.waited += loop.time() - started
            await self._too_slow()
            return {"type": "http.disconnect"}
        self.waited += loop.time() - started
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
        return message

    async def send(self, message: Message) -> None:
        if self.cut:
            return  # the client has had its 408; the app's answer goes nowhere
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)

    async def _too_slow(self) -> None:
        self.cut = True
        client = self.scope.get("client")
        log.warning(
            "slow client cut off",
            extra={
                "fields": {
                    "code": "request_timeout",
                    "part": "body",
                    "client": list(client) if client else None,
                    "received": self.received,
                    "waited": round(self.waited, 2),
                }
            },
        )
        if not self.started:
            for message in TIMEOUT_408:
                await self._send(message)


def client_listener(host: str, port: int, backlog: int, send_timeout: float) -> socket.socket:
    """The listening socket, bound, with `TCP_USER_TIMEOUT` = the send timeout (Linux): every
    connection accepted from it is dropped by the kernel once data it was sent has waited that
    long unacknowledged or behind a zero window, that is once the client has stopped reading
    (a reading client, however slow, opens its window again). Inheritable, for the workers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "TCP_USER_TIMEOUT"):
            milliseconds = max(1, round(send_timeout * 1000))
            listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, milliseconds)
        listener.bind((host, port))
        listener.listen(backlog)
    except BaseException:
        listener.close()
        raise
    listener.set_inheritable(True)
    return listener

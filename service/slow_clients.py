"""Slow-client protection for `registry serve`: uvicorn's HTTP protocol with two deadlines.

uvicorn closes idle keep-alive connections but has no header timeout: a client that sends its
request line a byte a second (or nothing at all) holds a connection forever, and so does one
that trickles its body. This protocol answers such a client `408 Request Timeout` and closes:
- headers: complete within `REGISTRY_HEADER_TIMEOUT` seconds of the connection opening or of
  the request's first byte (default 10 s);
- body: at least `REGISTRY_BODY_MIN_RATE` bytes a second on average, measured once the body
  has been arriving for `REGISTRY_BODY_RATE_GRACE` seconds (defaults 1024 B/s after 5 s).
A client that stops reading the response (the send buffer stays full for `REGISTRY_SEND_TIMEOUT`
seconds, default 30) is dropped: uvicorn would wait for it forever, holding the connection and
the rest of the response in memory.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from dataclasses import dataclass
from typing import Any

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
    """Read once per worker process from the environment (uvicorn builds the protocol there)."""
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

"""A loopback TCP proxy between the registry and PostgreSQL that a test can cut and restore.

`cut()` is a network partition: every open connection is aborted (the client sees a reset),
and new connections are accepted but never answered, so a client that does not bound its
connect time hangs. `stall()` is a silent one: open connections stay open but whatever is
sent on them vanishes (no FIN, no RST), and new ones are held as after `cut()`. `restore()`
lets traffic through again (a stalled connection is reset then: its bytes are lost). The proxy runs its own event loop
in a thread, so it serves an in-process app and a `registry serve` subprocess alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.engine import make_url


@dataclass
class Upstream:
    host: str | None = None
    port: int = 5432
    socket_path: str | None = None  # the embedded PostgreSQL listens on a Unix socket

    @classmethod
    def of(cls, url: str) -> Upstream:
        parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://", 1))
        port = parts.port or 5432
        socket_dir = parse_qs(parts.query).get("host", [None])[0]
        if socket_dir and socket_dir.startswith("/"):
            return cls(port=port, socket_path=f"{socket_dir}/.s.PGSQL.{port}")
        return cls(host=parts.hostname or "127.0.0.1", port=port)


@dataclass
class FaultProxy:
    upstream: Upstream
    port: int = 0
    connections: int = 0  # accepted since start, for the report
    _loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _live: set[asyncio.StreamWriter] = field(default_factory=set)
    _held: set[asyncio.StreamWriter] = field(default_factory=set)
    _is_cut: bool = False
    _is_stalled: bool = False
    _server: asyncio.Server | None = None
    _thread: threading.Thread | None = None

    def start(self) -> None:
        ready = threading.Event()

        async def serve() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(serve())
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fault proxy did not start")

    def url_for(self, database_url: str) -> str:
        """The same database, reached through this proxy over loopback TCP."""
        url = make_url(database_url)
        query = {k: v for k, v in url.query.items() if k != "host"}
        moved = url.set(host="127.0.0.1", port=self.port, query=query)
        return moved.render_as_string(hide_password=False)

    def cut(self) -> None:
        self._call(self._cut)

    def stall(self) -> None:
        self._call(self._stall)

    def restore(self) -> None:
        self._call(self._restore)

    def stop(self) -> None:
        def close() -> None:
            self._cut()
            if self._server is not None:
                self._server.close()
            self._loop.stop()

        self._loop.call_soon_threadsafe(close)
        if self._thread is not None:
            self._thread.join(10)

    def _call(self, action: object) -> None:
        done = threading.Event()

        def run() -> None:
            assert callable(action)
            action()
            done.set()

        self._loop.call_soon_threadsafe(run)
        if not done.wait(10):
            raise RuntimeError("fault proxy did not answer")

    def _cut(self) -> None:
        self._is_cut = True
        for writer in list(self._live):
            writer.transport.abort()
        self._live.clear()

    def _stall(self) -> None:
        self._is_cut = self._is_stalled = True

    def _restore(self) -> None:
        if self._is_stalled:
            self._is_stalled = False
            self._cut()
        self._is_cut = False
        for writer in list(self._held):
            writer.transport.abort()
        self._held.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self._is_cut:
            self._held.add(writer)  # accepted, never answered: a partition, not a refusal
            return
        try:
            if self.upstream.socket_path:
                up_reader, up_writer = await asyncio.open_unix_connection(self.upstream.socket_path)
            else:
                up_reader, up_writer = await asyncio.open_connection(
                    self.upstream.host, self.upstream.port
                )
        except OSError:
            writer.transport.abort()
            return
        self._live.update((writer, up_writer))
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )
        self._live.difference_update((writer, up_writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self._is_stalled:
                    continue  # lost on the way
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()


@contextlib.contextmanager
def fault_proxy(database_url: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(Upstream.of(database_url))
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()

"""A few asyncpg connections for one-statement reads outside any transaction: the first fetch
of a profile (service.profiles.fastpath) reads through here, not through SQLAlchemy's pool.

Checking a connection out of SQLAlchemy's pool and back in (pool events, the connection
fairy, reset-on-return in a greenlet) cost more CPU than the read itself: measured in-process at
32 concurrent reads of a 26 KB profile, 115 µs of Python per read through `raw_connection()`,
85-99 µs through an asyncpg pool (whose release runs a reset round trip unless told not to),
51 µs here. A connection is handed out last in, first out, opened only when none is idle and
fewer than `size` are open; one the server closed is dropped at checkout, and one whose read
failed in any way (an error, a timeout, a cancelled request) is closed rather than reused, since
it may be mid-protocol. Nothing here holds session state, so nothing is reset between reads.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

Connect = Callable[[], Awaitable[Any]]


class DriverPool:
    def __init__(self, connect: Connect, size: int, timeout: float) -> None:
        self._connect = connect
        self.size = size
        self.timeout = timeout
        # Slots, not connections: a read holds one from before its checkout (or connect) until
        # its connection is back. Waiters are served first come, first served.
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._idle: list[Any] = []
        self.in_use = 0
        self._closed = False

    @property
    def open(self) -> int:
        """Connections held: idle plus checked out (read by /metrics)."""
        return len(self._idle) + self.in_use

    async def fetchrow(self, query: str, *args: Any) -> Any:
        """One statement on a pooled connection; raises what asyncpg raises (the caller decides
        what a failure means), TimeoutError when no connection frees up within `timeout`."""
        if self._free > 0:  # then nobody waits: a finishing read hands its slot to a waiter
            self._free -= 1
        else:
            await self._wait_for_slot()
        try:
            connection = await self._checkout()
            self.in_use += 1
            try:
                row = await connection.fetchrow(query, *args)
            except BaseException:
                connection.terminate()
                raise
            finally:
                self.in_use -= 1
            if self._closed or connection.is_closed():
                connection.terminate()
            else:
                self._idle.append(connection)
            return row
        finally:
            self._release_slot()

    async def _wait_for_slot(self) -> None:
        """Until a finishing read hands its slot over, or TimeoutError after `timeout` (a plain
        timer: `asyncio.timeout` around a semaphore cost ~4 % of a first fetch's CPU at 32
        concurrent requests, most of which wait here)."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_later(self.timeout, _expire, waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release_slot()  # handed over, but this request was cancelled meanwhile
            raise
        finally:
            timer.cancel()

    def _release_slot(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # else it timed out or was cancelled
                waiter.set_result(None)
                return
        self._free += 1

    async def _checkout(self) -> Any:
        if self._closed:
            raise asyncpg.InterfaceError("the driver pool is closed")
        while self._idle:
            connection = self._idle.pop()
            if not connection.is_closed():
                return connection
        return await self._connect()

    async def close(self) -> None:
        """Closes the idle connections; one in use is closed when its read ends."""
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), self.timeout)


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError("no free connection within the pool timeout"))

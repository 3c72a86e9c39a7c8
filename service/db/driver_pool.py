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
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

Connect = Callable[[], Awaitable[Any]]


class DriverPool:
    def __init__(self, connect: Connect, size: int, timeout: float) -> None:
        self._connect = connect
        self.size = size
        self.timeout = timeout
        self._slots = asyncio.Semaphore(size)
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
        if self._slots.locked():
            async with asyncio.timeout(self.timeout):
                await self._slots.acquire()
        else:
            await self._slots.acquire()
        connection = None
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
            self._slots.release()

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

"""The HTTP servers behind `registry serve`: granian (the default) and uvicorn (`--server uvicorn`).

granian answers a warm profile at ~1.8× uvicorn's requests per second on the same app (its HTTP
is Rust's hyper; bench/RESULTS.md). Under it, each worker is a process forked from `registry
serve`, which supervises them:
- the app is `granian_app()`: the app of `create_app_from_env`, behind the proxy-header
  handling uvicorn applies by default (`X-Forwarded-For`/`-Proto` trusted from
  `FORWARDED_ALLOW_IPS`, default `127.0.0.1,::1`) and the body rate floor
  (service/slow_clients.py);
- the listening socket is made here (`client_listener`: the send timeout) and shared by the
  workers; headers are bounded by granian's `header_read_timeout`; HTTP/1.1 only, as uvicorn;
- `SIGTERM`/`SIGINT`: the listener closes, requests in flight finish, each worker runs the
  lifespan's shutdown; a worker still busy after `REGISTRY_SHUTDOWN_TIMEOUT` is killed;
- a worker that dies is started again (twice within 5.5 s: `registry serve` exits 1); a worker
  whose supervisor dies is killed with it (`PR_SET_PDEATHSIG`), so `kill -9` of `registry
  serve` leaves no worker holding the port;
- granian's own log lines go through the service's logging (JSON); its access log is off (the
  app writes one line per request, service/logs.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
from typing import Any, cast

from granian._granian import SocketHolder
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server.mp import MPServer
from starlette.types import ASGIApp

from service.settings import Settings
from service.slow_clients import BodyRateFloor, client_limits, client_listener

log = logging.getLogger("service.serving")
PR_SET_PDEATHSIG = 1
# granian's loggers (`_granian` is also its Rust core's) write through the root logger, which
# `registry serve` configured (service/logs.py); dictConfig leaves the root logger alone.
GRANIAN_LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {
        "_granian": {"handlers": [], "propagate": True},
        "granian.access": {"handlers": [], "propagate": True},
    },
}
# The process that forks the workers (set before it does): a worker whose parent is another
# process has been orphaned before it could ask to die with its parent.
_supervisor: int | None = None


class GranianServer(MPServer):
    """granian's process server with the socket made by `client_listener` (granian 2.8's own
    Linux path has each worker bind a socket of its own, with no way to set an option on it).
    Uses granian's internals, as its non-Linux path does: pinned exactly in pyproject."""

    send_timeout: float = 30.0

    def _init_shared_socket(self) -> None:
        listener = client_listener(self.bind_addr, self.bind_port, self.backlog, self.send_timeout)
        holder = cast(Any, SocketHolder)(listener.fileno(), False, self.backlog)
        # What granian's own non-Linux path sets (its attributes are typed by their first value).
        vars(self).update(_ssp=None, _shd=holder, _sfd=listener.fileno(), _sso=listener)


def serve_granian(host: str, port: int, workers: int, settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT; SystemExit(1) if a worker could not be kept running."""
    global _supervisor
    _supervisor = os.getpid()
    level = settings.log_level.lower()
    server = GranianServer(
        "service.serving:granian_app",
        factory=True,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        http=HTTPModes.http1,
        websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=round(settings.header_timeout * 1000)),
        log_level=LogLevels(level) if level in LogLevels.__members__ else LogLevels.info,
        log_dictconfig=GRANIAN_LOGGING,
        log_access=False,
        respawn_failed_workers=True,
        workers_kill_timeout=settings.shutdown_timeout,
    )
    server.send_timeout = settings.send_timeout
    server.serve()


def serve_uvicorn(host: str, port: int, workers: int, settings: Settings) -> None:
    """uvicorn with its protocol extended by the slow-client deadlines; uvicorn drains on SIGTERM,
    then re-raises it: ignored here, so that a drained stop is a clean exit (0)."""
    import uvicorn

    signal.signal(signal.SIGTERM, lambda *_: None)
    uvicorn.run(
        "service.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        http="service.slow_clients:GuardedHttpToolsProtocol",
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )


def granian_app() -> ASGIApp:
    """What each granian worker serves (its factory, called in the worker before the lifespan)."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from service.app import create_app_from_env

    _die_with_supervisor()
    app = BodyRateFloor(create_app_from_env(), client_limits())
    # uvicorn's own defaults (its `--forwarded-allow-ips`), so both servers trust the same proxies.
    trusted = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    return cast(ASGIApp, ProxyHeadersMiddleware(cast(Any, app), trusted_hosts=trusted))


def _die_with_supervisor() -> None:
    """Linux: SIGKILL this worker when the process that forked it dies (any way, kill -9
    included); elsewhere nothing."""
    if _supervisor is None or not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return
    if os.getppid() != _supervisor:
        os._exit(1)  # orphaned already

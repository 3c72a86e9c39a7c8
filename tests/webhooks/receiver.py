"""A webhook receiver on 127.0.0.1 for the tests: scripted answers, every request recorded."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.loopback import QuietHandler, serve_on_loopback


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int | str


@dataclass
class Receiver:
    url: str
    # What to do with each request in turn: a status code, or "hang" (answer after the sender's
    # timeout). When the script runs out, `then` answers.
    script: list[int | str] = field(default_factory=list)
    then: int | str = 200
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


@contextmanager
def receiver(hang_seconds: float = 3.0) -> Iterator[Receiver]:
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
            self.send_response(int(answer))
            self.send_header("Content-Length", "0")
            self.end_headers()

    with serve_on_loopback(Handler) as url:
        state.url = f"{url}/hook"
        yield state

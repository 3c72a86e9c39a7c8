"""The reference of `bench/run.py`: a bare FastAPI app returning the registry's profile bytes
from memory, on one uvicorn process (same loop and HTTP parser as `registry serve`).

`BENCH_REFERENCE_BODIES` names a JSON file `{"<path>": [status, media type, etag, body file]}`
written by the harness from the registry's own answers, so both servers send the same bytes.
A request carrying the right `If-None-Match` gets a 304, like the registry.

    BENCH_REFERENCE_BODIES=bodies.json uvicorn bench.reference_app:app --port 8001
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import FastAPI, Request, Response

app = FastAPI()
_BODIES: dict[str, tuple[str, str, bytes]] = {}
_spec = os.environ.get("BENCH_REFERENCE_BODIES")
if _spec:
    for _path, (_media, _etag, _file) in json.loads(Path(_spec).read_text()).items():
        _BODIES[_path] = (_media, _etag, Path(_file).read_bytes())


@app.get("/v1/profiles/{spec:path}")
async def profile(spec: str, request: Request) -> Response:
    query = request.scope["query_string"].decode()
    media, etag, body = _BODIES[request.scope["raw_path"].decode() + (f"?{query}" if query else "")]
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type=media, headers={"ETag": etag})


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}

"""Copy openapi/openapi.json into the form openapi-python-client can generate from.

Made only in the copy the Python generator reads (the committed document and the TypeScript types
are untouched), to work around two limits of openapi-python-client 0.29.1:

- It has no request bodies other than JSON, forms and application/octet-stream (issue #542,
  "plain text request body", is still open). A body whose media type is none of those and whose
  schema is a plain string (`text/markdown`, `application/yaml`, ...) is marked `format: binary`;
  with the `content_type_overrides` in openapi-python-client.yml the generated function then
  takes the file's bytes (`body=File(payload=...)`) and sends them unchanged, with the document's
  own `Content-Type` — what the registry stores and digests: the exact bytes.
- An operation with several request media types generates code that does not compile (its
  template's `body_required` is set inside a Jinja loop and lost outside it, so the `body`
  argument gets `| Unset = UNSET` without the import), and two raw bodies could not be told apart
  anyway (the generated code picks the media type by the body's Python type). Each operation keeps
  its FIRST declared media type — the order in the document is the preference — and the others
  are listed on stderr.

Usage: python prepare_openapi.py SOURCE DESTINATION
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


# Media types the generator handles itself; every other request body with a plain string schema is
# sent as raw bytes (see openapi-python-client.yml, `content_type_overrides`).
STRUCTURED = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


def _is_raw(media_type: str, media: dict[str, Any]) -> bool:
    schema = media.get("schema")
    return (
        not media_type.startswith(STRUCTURED)
        and not media_type.endswith("+json")
        and isinstance(schema, dict)
        and schema.get("type") == "string"
    )


def prepare(document: dict[str, Any]) -> list[str]:
    """Adapt the document in place (see the module docstring); return what was changed."""
    changed: list[str] = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            content = (operation.get("requestBody") or {}).get("content") or {}
            if not content:
                continue
            first, *others = list(content)
            for media_type in others:
                del content[media_type]
                changed.append(f"{method.upper()} {path}: {media_type} left out (keeps {first})")
            if _is_raw(first, content[first]):
                content[first]["schema"] = {**content[first]["schema"], "format": "binary"}
                changed.append(f"{method.upper()} {path}: {first} sent as raw bytes (File)")
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, destination = (Path(arg) for arg in argv)
    document = json.loads(source.read_text(encoding="utf-8"))
    for change in prepare(document):
        print(f"prepare_openapi: {change}", file=sys.stderr)
    destination.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

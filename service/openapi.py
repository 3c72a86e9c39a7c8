"""Write or check the committed OpenAPI document: `python -m service.openapi --write|--check`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from service.app import create_app
from service.settings import Settings

DOCUMENT = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def render() -> str:
    document: dict[str, Any] = create_app(Settings(database_url=None)).openapi()
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate openapi/openapi.json")
    mode.add_argument("--check", action="store_true", help="fail when the committed file differs")
    args = parser.parse_args(argv)
    current = render()
    if args.write:
        DOCUMENT.parent.mkdir(exist_ok=True)
        DOCUMENT.write_text(current, encoding="utf-8")
        print(f"wrote {DOCUMENT}")
        return 0
    committed = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
    if committed != current:
        print(
            f"{DOCUMENT} is out of date: run `python -m service.openapi --write` and commit it",
            file=sys.stderr,
        )
        return 1
    print("openapi/openapi.json is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

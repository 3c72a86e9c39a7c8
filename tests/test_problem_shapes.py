"""Problems have one shape each: error responses come from `problem_response`, problem items
from `service.formats.problems` — no module writes either by hand."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[1] / "service"
ITEM_KEYS = {"loc", "code", "message", "severity"}
PROBLEM_KEYS = {"type", "title", "status", "detail"}
# Documentation examples of the wire format, not values the service sends.
EXAMPLES = {"openapi_examples.py"}


def _literal_dicts() -> list[tuple[str, int, set[str]]]:
    found = []
    for path in SERVICE.rglob("*.py"):
        if path.name in EXAMPLES or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                found.append((str(path.relative_to(SERVICE)), node.lineno, keys))
    return found


def test_no_hand_made_problem_items() -> None:
    made = [
        f"{path}:{line}"
        for path, line, keys in _literal_dicts()
        if keys >= ITEM_KEYS and path != "formats/problems.py"
    ]
    assert made == [], "build problem items with service.formats.problems.error/warning"


def test_no_hand_made_problem_documents() -> None:
    made = [
        f"{path}:{line}"
        for path, line, keys in _literal_dicts()
        if keys >= PROBLEM_KEYS and path != "errors.py"
    ]
    assert made == [], "raise a RegistryError; service.problems.problem_response renders it"


def test_only_problem_response_sends_problem_json() -> None:
    senders = [
        str(path.relative_to(SERVICE))
        for path in SERVICE.rglob("*.py")
        if "JSONResponse(" in path.read_text(encoding="utf-8")
        and "PROBLEM_MEDIA_TYPE" in path.read_text(encoding="utf-8")
    ]
    assert senders == ["problems.py"]
    source = (SERVICE / "problems.py").read_text(encoding="utf-8")
    assert source.count("JSONResponse(") == 1

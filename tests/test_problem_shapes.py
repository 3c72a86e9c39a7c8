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


def _dicts_with(keys: set[str], *, except_in: str) -> list[str]:
    """Where a dict literal has all of `keys`, outside the one module that owns the shape."""
    found = []
    for path in SERVICE.rglob("*.py"):
        where = str(path.relative_to(SERVICE))
        if path.name in EXAMPLES or "migrations" in path.parts or where == except_in:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                literal = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if literal >= keys:
                    found.append(f"{where}:{node.lineno}")
    return found


def test_no_hand_made_problem_items() -> None:
    made = _dicts_with(ITEM_KEYS, except_in="formats/problems.py")
    assert made == [], "build problem items with service.formats.problems.error/warning"


def test_no_hand_made_problem_documents() -> None:
    made = _dicts_with(PROBLEM_KEYS, except_in="errors.py")
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

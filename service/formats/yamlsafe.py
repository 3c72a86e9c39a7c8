"""Bounded safe YAML loading and conversion of what it returns into JSON-safe data."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from service.formats.problems import Problem, error, warning

# Frontmatter is a handful of fields; these bounds are far above any real file and far below
# what it takes to exhaust memory or the stack ("billion laughs", deeply nested flows).
MAX_NODES = 10_000
MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class YamlFailure:
    """Why a YAML text was not loaded. `line`/`column` are 0-based within that text."""

    code: str
    message: str
    line: int | None = None
    column: int | None = None
    # Only syntax errors may be fixed by re-quoting scalars; policy refusals may not.
    repairable: bool = False


class _Refused(Exception):
    def __init__(self, failure: YamlFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class _Position(Protocol):
    """A PyYAML mark (pure-Python or libyaml flavour): 0-based line and column."""

    line: int
    column: int


def _refusal(code: str, message: str, mark: _Position | None) -> _Refused:
    line, column = (mark.line, mark.column) if mark is not None else (None, None)
    return _Refused(YamlFailure(code, message, line, column))


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that bounds nesting depth and node count while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._composed = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        self._composed += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _refusal(
                    "yaml_too_deep", f"YAML nests deeper than {MAX_DEPTH} levels", self._mark()
                )
            if self._composed > MAX_NODES:
                raise _refusal(
                    "frontmatter_too_large", f"YAML has more than {MAX_NODES} nodes", self._mark()
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _mark(self) -> _Position | None:
        event: yaml.Event | None = self.peek_event()  # type: ignore[no-untyped-call]
        return event.start_mark if event is not None else None


def _refuse_unknown_tag(loader: _BoundedLoader, node: Node) -> None:
    raise _refusal(
        "yaml_unsupported_tag",
        f"YAML tag {node.tag!r} is not allowed; only plain data is accepted",
        node.start_mark,
    )


def _lenient_timestamp(loader: _BoundedLoader, node: ScalarNode) -> dt.date | str:
    # `2024-13-45` looks like a timestamp to YAML 1.1 but is no date; keep the text.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_BoundedLoader.add_constructor(None, _refuse_unknown_tag)
_BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


@dataclass(frozen=True, slots=True)
class Loaded:
    """The result of `load_yaml`: a value, or the failure that prevented one."""

    value: Any = None
    failure: YamlFailure | None = None
    # Top-level keys written more than once, with the 0-based lines they appear on.
    duplicate_keys: dict[str, list[int]] = field(default_factory=dict)


def load_yaml(text: str) -> Loaded:
    """Load one YAML document with the safe schema, refusing bombs, deep nesting and tags."""
    try:
        loader = _BoundedLoader(text)
    except ReaderError as exc:  # the reader refuses control characters up front
        return Loaded(failure=_reader_failure(text, exc))
    try:
        node = loader.get_single_node()
        if node is None:
            return Loaded()
        _check_expanded_graph(node)
        return Loaded(loader.construct_document(node), None, _duplicate_keys(node))
    except _Refused as refused:
        return Loaded(failure=refused.failure)
    except yaml.MarkedYAMLError as exc:
        return Loaded(failure=_syntax_failure(exc))
    except yaml.YAMLError as exc:
        return Loaded(failure=YamlFailure("frontmatter_invalid_yaml", f"YAML is unreadable: {exc}"))
    except RecursionError:
        return Loaded(
            failure=YamlFailure("yaml_too_deep", f"YAML nests deeper than {MAX_DEPTH} levels")
        )
    except Exception as exc:  # the parser must never take the service down on hostile input
        failure = YamlFailure("frontmatter_invalid_yaml", f"a YAML value could not be built: {exc}")
        return Loaded(failure=failure)
    finally:
        loader.dispose()


def _duplicate_keys(root: Node) -> dict[str, list[int]]:
    if not isinstance(root, MappingNode):
        return {}
    lines: dict[str, list[int]] = {}
    for key, _ in root.value:
        if isinstance(key, ScalarNode) and key.value != "<<":
            lines.setdefault(key.value, []).append(key.start_mark.line)
    return {key: found for key, found in lines.items() if len(found) > 1}


def _reader_failure(text: str, exc: ReaderError) -> YamlFailure:
    before = text[: exc.position]
    line = before.count("\n")
    column = exc.position - (before.rfind("\n") + 1)
    message = f"character U+{exc.character:04X} is not allowed in YAML"
    return YamlFailure("frontmatter_invalid_yaml", message, line, column)


def _syntax_failure(exc: yaml.MarkedYAMLError) -> YamlFailure:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    return YamlFailure(
        "frontmatter_invalid_yaml",
        problem,
        mark.line if mark is not None else None,
        mark.column if mark is not None else None,
        repairable=not isinstance(exc, ConstructorError),
    )


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _check_expanded_graph(root: Node) -> None:
    """Refuse a node graph whose aliases expand past MAX_NODES, nest past MAX_DEPTH, or loop.

    Aliases make the composed graph a DAG (or worse, a cycle); sizes are memoised per node so
    an exponential expansion is measured in linear time and refused before construction.
    """
    measured: dict[int, tuple[int, int]] = {}
    in_progress: set[int] = set()
    shared = False

    def measure(node: Node, depth: int) -> tuple[int, int]:
        nonlocal shared
        key = id(node)
        if key in in_progress:
            raise _refusal("yaml_recursive_alias", "a YAML alias refers to itself", node.start_mark)
        if key in measured:
            shared = True
            size, height = measured[key]
        else:
            if depth > MAX_DEPTH:
                raise _too_deep(node)
            in_progress.add(key)
            size, height = 1, 1
            for child in _children(node):
                child_size, child_height = measure(child, depth + 1)
                size += child_size
                height = max(height, child_height + 1)
                if size > MAX_NODES:
                    raise _too_many(node, aliased=shared)
            in_progress.discard(key)
            measured[key] = (size, height)
        if depth + height - 1 > MAX_DEPTH:
            raise _too_deep(node)
        return size, height

    measure(root, 1)


def _too_deep(node: Node) -> _Refused:
    return _refusal("yaml_too_deep", f"YAML nests deeper than {MAX_DEPTH} levels", node.start_mark)


def _too_many(node: Node, *, aliased: bool) -> _Refused:
    if aliased:
        return _refusal(
            "yaml_alias_bomb",
            f"YAML anchors and aliases expand to more than {MAX_NODES} nodes",
            node.start_mark,
        )
    return _refusal(
        "frontmatter_too_large", f"YAML has more than {MAX_NODES} nodes", node.start_mark
    )


# JSON numbers beyond 64 bits lose precision in most clients; such values are no real setting.
_MAX_INT_BITS = 64


def to_json_safe(value: Any, loc: str) -> tuple[Any, list[Problem]]:
    """Convert loaded YAML into data `json.dumps` (and PostgreSQL jsonb) accept."""
    problems: list[Problem] = []
    return _convert(value, loc, problems), problems


def unstorable_text(text: str) -> str | None:
    """Why PostgreSQL text/jsonb (and UTF-8) cannot hold this string, or None when it can.

    YAML escapes can produce what the file's bytes could not: `"\\0"` is NUL, `"\\ud800"` a lone
    surrogate.
    """
    if "\x00" in text:
        return "contains a NUL character (\\0), which cannot be stored"
    if any("\ud800" <= char <= "\udfff" for char in text):
        return "contains a lone UTF-16 surrogate, which is not valid Unicode text"
    return None


def _convert(value: Any, loc: str, problems: list[Problem]) -> Any:
    if isinstance(value, str):
        if reason := unstorable_text(value):
            problems.append(error(loc, "unsupported_value", f"the value {reason}"))
            return None
        return value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value.bit_length() > _MAX_INT_BITS:
            problems.append(error(loc, "unsupported_value", "integer is too large to store"))
            return None
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            problems.append(
                error(loc, "unsupported_value", f"{value} is not a number JSON can hold")
            )
            return None
        return value
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, dict):
        return _convert_mapping(value, loc, problems)
    if isinstance(value, list | tuple):
        return [_convert(item, f"{loc}[{i}]", problems) for i, item in enumerate(value)]
    if isinstance(value, set | frozenset):
        items = [_convert(item, loc, problems) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, bytes):
        problems.append(error(loc, "unsupported_value", "binary (!!binary) values are not allowed"))
        return None
    problems.append(
        error(loc, "unsupported_value", f"{type(value).__name__} values are not allowed")
    )
    return None


def _convert_mapping(
    value: dict[Hashable, Any], loc: str, problems: list[Problem]
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, item in value.items():
        text = key if isinstance(key, str) else _key_text(key)
        if reason := unstorable_text(text):
            problems.append(error(loc, "unsupported_value", f"a key {reason}"))
            continue
        if not isinstance(key, str):
            problems.append(
                warning(
                    f"{loc}.{text}",
                    "non_string_key",
                    f"key {key!r} is not a string; it is kept as {text!r}",
                )
            )
        result[text] = _convert(item, f"{loc}.{text}", problems)
    return result


def _key_text(key: Hashable) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, dt.date):
        return key.isoformat()
    return str(key)

"""Split a published file into frontmatter and body: decoding, delimiters, YAML, repair."""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from typing import Any

from service.formats.problems import Problem, error, warning
from service.formats.repair import Repair, repair_frontmatter
from service.formats.yamlsafe import YamlFailure, load_yaml, to_json_safe

# Far above any real frontmatter (a long description with examples is a few KiB); keeps the
# pure-Python YAML parser's work bounded whatever the configured request size limit is.
MAX_FRONTMATTER_BYTES = 256 * 1024

_DELIMITER = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
# The opening `---` is line 1 of the file, so YAML line 0 is file line 2.
_FIRST_YAML_LINE = 2


@dataclass(frozen=True, slots=True)
class Document:
    """The parsed parts of a file; a part is None when it could not be read."""

    frontmatter: dict[str, Any] | None
    body: str | None
    problems: list[Problem]


def read_document(data: bytes, *, known_keys: frozenset[str]) -> Document:
    """Decode, split and load a Markdown file with YAML frontmatter. Never raises."""
    text, problems = decode(data)
    if text is None:
        return Document(None, None, problems)
    opening = _DELIMITER.match(text)
    if opening is None:
        message = "the file must start with a `---` line, then YAML frontmatter, then `---`"
        return Document(None, None, [error("frontmatter", "frontmatter_missing", message)])
    closing = _DELIMITER.search(text, opening.end() + 1)
    if closing is None:
        message = "the frontmatter opened on line 1 is never closed by a `---` line"
        return Document(None, None, [error("frontmatter", "frontmatter_unterminated", message)])
    body = text[closing.end() + 1 :]
    yaml_text = text[opening.end() + 1 : closing.start()].replace("\r\n", "\n")
    frontmatter, problems = parse_frontmatter(yaml_text, known_keys)
    return Document(frontmatter, body, problems)


def decode(data: bytes) -> tuple[str | None, list[Problem]]:
    """Strict UTF-8 with an optional BOM; NUL is refused because PostgreSQL text cannot hold it."""
    problems: list[Problem] = []
    if (offset := data.find(b"\x00")) >= 0:
        message = f"NUL byte at offset {offset}; text files cannot contain NUL characters"
        problems.append(error("file", "nul_character", message))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = " (it looks like UTF-16)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        message = f"the file is not UTF-8{hint}: invalid byte at offset {exc.start}"
        problems.append(error("file", "invalid_encoding", message))
        return None, problems
    if problems:
        return None, problems
    return text.removeprefix("\ufeff"), problems


def parse_frontmatter(
    text: str, known_keys: frozenset[str]
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Load frontmatter strictly, then with repairs; return JSON-safe data or why it failed.

    A frontmatter of usual size is remembered (the versions of an agent mostly share theirs,
    and the pure-Python YAML parser is the dearest step of a publish's validation); each
    caller gets a copy of its own."""
    if len(text) > _REMEMBERED_CHARS:
        return _parse_frontmatter(text, known_keys)
    frontmatter, problems = _remembered(text, known_keys)
    return copy.deepcopy(frontmatter), list(problems)


# Remembered frontmatters: at most 256 of at most 8 KiB of text each.
_REMEMBERED_CHARS = 8 * 1024


@functools.lru_cache(maxsize=256)
def _remembered(
    text: str, known_keys: frozenset[str]
) -> tuple[dict[str, Any] | None, tuple[Problem, ...]]:
    frontmatter, problems = _parse_frontmatter(text, known_keys)
    return frontmatter, tuple(problems)


def _parse_frontmatter(
    text: str, known_keys: frozenset[str]
) -> tuple[dict[str, Any] | None, list[Problem]]:
    if len(text.encode()) > MAX_FRONTMATTER_BYTES:
        message = f"frontmatter is larger than {MAX_FRONTMATTER_BYTES} bytes"
        return None, [error("frontmatter", "frontmatter_too_large", message)]
    loaded = load_yaml(text)
    problems: list[Problem] = []
    if loaded.failure is not None and loaded.failure.repairable:
        repair = repair_frontmatter(text, known_keys)
        retried = load_yaml(repair.text) if repair is not None else None
        if repair is not None and retried is not None and retried.failure is None:
            problems.extend(_repair_warnings(repair))
            loaded = retried
        elif retried is not None and retried.failure and not retried.failure.repairable:
            loaded = retried  # repaired syntax revealed a refusal (a tag, a bomb): report that
    if loaded.failure is not None:
        return None, [_failure_problem(loaded.failure)]
    if loaded.value is None:
        return {}, problems
    if not isinstance(loaded.value, dict):
        kind = "a list" if isinstance(loaded.value, list) else f"a {type(loaded.value).__name__}"
        message = f"frontmatter must be a mapping of `key: value` lines, not {kind}"
        return None, [*problems, error("frontmatter", "frontmatter_not_mapping", message)]
    for key, lines in loaded.duplicate_keys.items():
        shown = ", ".join(str(line + _FIRST_YAML_LINE) for line in lines)
        message = f"`{key}` appears on lines {shown}; the last one is used"
        problems.append(warning(f"frontmatter.{key}", "duplicate_key", message))
    frontmatter, conversion = to_json_safe(loaded.value, "frontmatter")
    return frontmatter, [*problems, *conversion]


def _repair_warnings(repair: Repair) -> list[Problem]:
    return [
        warning(
            f"frontmatter.{entry.key}",
            "frontmatter_repaired",
            f"`{entry.key}` ({_line_span(entry.first_line, entry.last_line)}) is not valid YAML"
            f" ({entry.reason}); it was read as one plain string, as Claude Code reads it."
            " Quote it or use a `|` block scalar so every YAML parser accepts the file",
        )
        for entry in repair.entries
    ]


def _line_span(first: int, last: int) -> str:
    if first == last:
        return f"line {first + _FIRST_YAML_LINE}"
    return f"lines {first + _FIRST_YAML_LINE}-{last + _FIRST_YAML_LINE}"


def _failure_problem(failure: YamlFailure) -> Problem:
    return error("frontmatter", failure.code, _describe(failure))


def _describe(failure: YamlFailure) -> str:
    if failure.line is None or failure.column is None:
        return failure.message
    line = failure.line + _FIRST_YAML_LINE
    return f"{failure.message} at line {line}, column {failure.column + 1}"

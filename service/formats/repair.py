"""Re-quote the top-level scalars that make real-world frontmatter invalid YAML."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import yaml

# A top-level entry: an unindented simple key followed by `:` and a space or the line end.
_KEY_LINE = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)[ \t]*:(?:[ \t]+(?P<value>.*))?")
# An indented `- item` or `key:` line: the value is a collection, not a broken scalar.
_NESTED_LINE = re.compile(r"[ \t]+(?:-(?:[ \t]|$)|[^\s:#][^:]*:(?:[ \t]|$))")
_DOCUMENT_MARKER = re.compile(r"(?:---|\.\.\.)(?:[ \t]|$)")
_BLOCK_HEADER = re.compile(r"(?P<style>[|>])(?:[+-]?[1-9]?|[1-9][+-])")
_LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")


@dataclass(frozen=True, slots=True)
class RepairedEntry:
    """A top-level key whose value was re-quoted; lines are 0-based within the frontmatter."""

    key: str
    first_line: int
    last_line: int
    reason: str  # why the entry is not valid YAML on its own, with its file position


@dataclass(frozen=True, slots=True)
class Repair:
    text: str
    entries: list[RepairedEntry]


@dataclass(slots=True)
class _Entry:
    key: str | None  # None for comments and blank lines before the first key
    start: int
    lines: list[str] = field(default_factory=list)
    open_examples: int = 0

    def add(self, line: str) -> None:
        self.lines.append(line)
        self.open_examples += line.count("<example>") - line.count("</example>")


def repair_frontmatter(text: str, known_keys: frozenset[str]) -> Repair | None:
    """Rewrite every top-level entry that is not valid YAML on its own; None if none could be.

    Authors (Anthropic's own plugin agents among them) write descriptions with an unquoted
    `: `, `<example>` blocks whose continuation lines are not indented, or values starting
    with a YAML indicator (`[a] [b]`, `*bold*`, `@user`), and Claude Code loads them anyway.
    Each such entry becomes one double-quoted string: continuation lines fold exactly as YAML
    folds an indented plain scalar (joined by a space, a blank line kept as a newline), and
    backslashes stay literal, so `\\n` in a one-line description stays two characters.
    Collections (indented `- item` / `key:` lines) are never rewritten.
    """
    output: list[str] = []
    repaired: list[RepairedEntry] = []
    for entry in _split_entries(text.split("\n"), known_keys):
        reason = _why_invalid(entry)
        rewritten = _rewrite(entry) if reason is not None else None
        if rewritten is None or entry.key is None or reason is None:
            output.extend(entry.lines)
            continue
        output.extend(rewritten)
        last = entry.start + len(_value_lines(entry)[1])
        repaired.append(RepairedEntry(entry.key, entry.start, last, reason))
    if not repaired:
        return None
    return Repair("\n".join(output), repaired)


def _split_entries(lines: list[str], known_keys: frozenset[str]) -> list[_Entry]:
    """Group lines by top-level key.

    An unindented `word: ...` line starts a new entry unless it sits inside an open
    `<example>` block of the current entry (`Context:`, `user:`, `assistant:` lines there
    belong to the description); a documented field name always starts a new entry.
    """
    entries = [_Entry(key=None, start=0)]
    for number, line in enumerate(lines):
        match = _KEY_LINE.fullmatch(line)
        current = entries[-1]
        if match and (match["key"] in known_keys or current.open_examples <= 0):
            entries.append(_Entry(key=match["key"], start=number))
        entries[-1].add(line)
    return entries


def _rewrite(entry: _Entry) -> list[str] | None:
    if entry.key is None:
        return None
    head, continuation = _value_lines(entry)
    if not head and any(_NESTED_LINE.match(line) for line in continuation):
        return None
    if any(_DOCUMENT_MARKER.match(line) for line in continuation):
        return None
    value = _scalar_text(head, continuation)
    trailing = entry.lines[1 + len(continuation) :]
    # Blank lines stand in for the folded ones so later line numbers still match the file.
    padding = [""] * len(continuation)
    return [f"{entry.key}: {_double_quoted(value)}", *padding, *trailing]


def _why_invalid(entry: _Entry) -> str | None:
    """None when the entry is one valid `key: value` on its own, else what is wrong with it."""
    try:
        node = yaml.compose("\n".join(entry.lines), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # +2: frontmatter line 0 is file line 2, and file lines count from 1.
        where = "" if mark is None else f" at line {entry.start + mark.line + 2}"
        where += "" if mark is None else f", column {mark.column + 1}"
        return f"{exc.problem or exc.context}{where}"
    except Exception:  # deep nesting and the like: not a scalar this repair could fix
        return "the value could not be read"
    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        return None
    return "its unindented continuation lines read as separate keys"


def _value_lines(entry: _Entry) -> tuple[str, list[str]]:
    """The value on the key line and the continuation lines, minus trailing blanks and comments."""
    match = _KEY_LINE.fullmatch(entry.lines[0])
    head = (match["value"] or "").strip() if match else ""
    continuation = list(entry.lines[1:])
    while continuation and (not continuation[-1].strip() or continuation[-1].startswith("#")):
        continuation.pop()
    return head, continuation


def _scalar_text(head: str, continuation: list[str]) -> str:
    header = _BLOCK_HEADER.fullmatch(head)
    if header is None:
        return _fold([head, *continuation])
    lines = textwrap.dedent("\n".join(continuation)).split("\n")
    text = "\n".join(lines) if header["style"] == "|" else _fold(lines)
    return text.rstrip("\n") + ("" if "-" in head else "\n")


def _fold(lines: list[str]) -> str:
    """Join lines the way YAML folds a multi-line plain scalar."""
    text = ""
    breaks = 0
    for raw in lines:
        line = raw.strip()
        if not line:
            breaks += 1
            continue
        if text:
            text += "\n" * breaks if breaks else " "
        text += line
        breaks = 0
    return text


def _double_quoted(text: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly `text`."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\t":
            out.append("\\t")
        elif char in _LINE_BREAKS or (not char.isprintable() and char != " "):
            out.append(_escape(ord(char)))
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _escape(code: int) -> str:
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"

"""Read the README's ```console blocks as commands and expected output, and compare outputs.

A block is a series of `$ command` lines, each followed by the output it prints. A command
continues on the next line after a trailing `\\`, and a heredoc (`<<'EOF'`) runs to its end
marker. In an expected output, `…` stands for any text on that line, and a line holding only
`…` for any number of lines (zero included): that is how times, ids and long bodies are left out.
A block whose first line is `# not run: <reason>` is shown but not executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FENCE = "```"
NOT_RUN = "# not run:"
ELLIPSIS = "…"
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)(\w+)\1")


@dataclass
class Step:
    command: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    line: int  # 1-based line of the opening fence
    section: str  # the `## ` heading it sits under
    steps: list[Step]
    not_run: str | None = None


def console_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks: list[Block] = []
    section = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            section = line[3:].strip()
        if line.strip() == f"{FENCE}console":
            end = lines.index(FENCE, index + 1)
            blocks.append(_block(lines[index + 1 : end], index + 1, section))
            index = end
        index += 1
    return blocks


def _block(body: list[str], line: int, section: str) -> Block:
    if body and body[0].startswith(NOT_RUN):
        return Block(line, section, [], not_run=body[0].removeprefix(NOT_RUN).strip())
    steps: list[Step] = []
    index = 0
    while index < len(body):
        text = body[index]
        if not text.startswith("$ "):
            if not steps:
                raise ValueError(f"README line {line + index + 1}: output before any `$ ` command")
            steps[-1].expected.append(text)
            index += 1
            continue
        command = [text[2:]]
        while command[-1].endswith("\\"):
            index += 1
            command.append(body[index])
        heredoc = _HEREDOC.search(command[0])
        if heredoc:
            marker = heredoc[2]
            while body[index] != marker:
                index += 1
                command.append(body[index])
        steps.append(Step("\n".join(command)))
        index += 1
    for step in steps:
        while step.expected and not step.expected[-1].strip():
            step.expected.pop()  # a blank line separates commands; it is not output
    return Block(line, section, steps)


def pattern(expected: list[str]) -> re.Pattern[str]:
    parts = []
    for line in expected:
        if line.strip() == ELLIPSIS:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            pieces = [re.escape(piece) for piece in line.rstrip().split(ELLIPSIS)]
            parts.append("[^\n]*?".join(pieces) + r"\n")
    return re.compile("".join(parts))


def matches(expected: list[str], actual: str) -> bool:
    text = "".join(f"{line.rstrip()}\n" for line in actual.splitlines())
    return pattern(expected).fullmatch(text) is not None

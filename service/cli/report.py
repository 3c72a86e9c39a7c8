"""What `registry publish` and `registry validate` print: results on stdout, one unwrapped line per
file with its status word first and at most one summary line; diagnostics on stderr; a progress
bar only on a terminal; `--json` for machines."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from service.publisher import Outcome, PublishFailure, as_json, exit_code, summary


def result_line(outcome: Outcome) -> str:
    file = outcome.file
    if outcome.status in ("published", "unchanged"):
        return f"{outcome.status} {outcome.label} {outcome.digest}"
    if outcome.status == "conflict":
        return (
            f"conflict {outcome.label}: published as {outcome.existing_digest},"
            f" these bytes are {outcome.digest}"
        )
    if outcome.status == "invalid":
        count = len(outcome.errors)
        return f"invalid {file.kind} {file.path}: {count} problem{'s' if count != 1 else ''}"
    return f"{outcome.status} {file.kind} {file.path}"


def diagnostics(outcome: Outcome) -> list[str]:
    lines = []
    for severity, problems in (("error", outcome.errors), ("warning", outcome.warnings)):
        for problem in problems:
            lines.append(
                f"{outcome.file.path}: {severity} {problem.get('loc', '?')}"
                f" {problem.get('code', '?')}: {problem.get('message', '')}"
            )
    return lines


class Report:
    def __init__(self, command: str, *, as_json: bool, stored: bool) -> None:
        self.command = command
        self.as_json = as_json
        self.stored = stored
        self.shown: list[Outcome] = []

    def _out(self, text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def _err(self, text: str) -> None:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def note(self, text: str) -> None:
        self._err(text)

    def show(self, outcome: Outcome) -> None:
        self.shown.append(outcome)
        if self.as_json:
            return
        self._out(result_line(outcome))
        for line in diagnostics(outcome):
            self._err(line)

    @contextmanager
    def progress(self, total: int) -> Iterator[Callable[[Outcome], None]]:
        """`advance(outcome)` shows an outcome; a progress bar runs only on a terminal."""
        if self.as_json or not sys.stderr.isatty():
            yield self.show
            return
        from rich.console import Console
        from rich.progress import Progress

        # The bar lives on the terminal: stdout when it is one (results print above the bar),
        # else stderr while results go down the pipe untouched.
        on_stdout = sys.stdout.isatty()
        console = Console(file=sys.stdout if on_stdout else sys.stderr)
        with Progress(
            console=console, transient=True, redirect_stdout=False, redirect_stderr=False
        ) as bar:
            task = bar.add_task(self.command, total=total)

            def advance(outcome: Outcome) -> None:
                self.shown.append(outcome)
                if on_stdout:
                    bar.console.print(
                        result_line(outcome), markup=False, highlight=False, soft_wrap=True
                    )
                else:
                    self._out(result_line(outcome))
                for line in diagnostics(outcome):
                    bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
                bar.advance(task)

            yield advance

    def finish(self, outcomes: list[Outcome]) -> NoReturn:
        shown = {id(outcome) for outcome in self.shown}
        for outcome in outcomes:
            if id(outcome) not in shown:
                self.show(outcome)
        code = exit_code(outcomes)
        if self.as_json:
            self._out(as_json(self.command, outcomes, code))
        else:
            self._out(summary(outcomes, stored=self.stored))
        raise typer.Exit(code)

    def fail(self, failure: PublishFailure) -> NoReturn:
        if self.as_json:
            self._out(as_json(self.command, self.shown, failure.exit_code, failure.message))
        self._err(f"error: {failure.message}")
        raise typer.Exit(failure.exit_code)

"""The one owner of what a person sees besides the report: warnings, errors, notices and the progress
line on stderr, and whether stdout is a colour terminal and how wide.

A warning printed while the progress line is live goes above it (rich's live display moves itself
down), never onto the spinner's line. Every line here is cmtriage's own words around text that may
quote a server, so each is cleaned of control characters first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from cmtriage.text import clean


class Terminal:
    def __init__(self) -> None:
        self._live: Any = None  # the rich Console while a progress line is shown
        self.verbose = False  # --verbose: say what a run cost
        self._status: Any = None  # and its rich Status

    # --- stdout ------------------------------------------------------------------------------------------
    @staticmethod
    def stdout_is_terminal() -> bool:
        return sys.stdout.isatty()

    def color(self) -> bool:
        return self.stdout_is_terminal() and not os.environ.get("NO_COLOR")

    @staticmethod
    def width() -> int:
        import shutil

        return shutil.get_terminal_size().columns

    # --- stderr ------------------------------------------------------------------------------------------
    def say(self, line: str) -> None:
        """A line on stderr: what was done, or what it cost."""
        line = clean(line)
        if self._live is not None:
            self._live.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            click.echo(line, err=True)

    def warn(self, message: str) -> None:
        self.say(f"cmtriage: warning: {message}")

    def retrying(self, message: str) -> None:
        """A source tries again (a refused connection, a 5xx): said while it happens, on a terminal only
        (a cron job's log gets the outcome, not every try)."""
        if self.stderr_is_terminal():
            self.say(f"cmtriage: {message}")

    def cost(self, line: str) -> None:
        """What a run cost (requests, rate limit left): with --verbose only."""
        if self.verbose:
            self.say(line)

    def error(self, message: str) -> None:
        self.say(f"cmtriage: error: {message}")

    @staticmethod
    def stderr_is_terminal() -> bool:
        return sys.stderr.isatty()

    @contextmanager
    def progress(self, label: str) -> Iterator[Callable[[str], None] | None]:
        """A spinner with `label` on a terminal (None elsewhere); call the result to change its text."""
        if not self.stderr_is_terminal():
            yield None
            return
        from rich.console import Console

        console = Console(stderr=True)
        with console.status(label) as status:
            self._live, self._status = console, status
            try:
                yield lambda text: status.update(text)
            finally:
                self._live = self._status = None

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No progress line while the person at the terminal is asked something; it comes back after."""
        status, live = self._status, self._live
        if status is None:
            yield
            return
        status.stop()
        self._live = self._status = None
        try:
            yield
        finally:
            self._live, self._status = live, status
            status.start()


_terminal = Terminal()


def terminal() -> Terminal:
    """The process's terminal (one stderr, one stdout)."""
    return _terminal

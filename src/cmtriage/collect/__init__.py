"""From sources to a `Report`, printing nothing: one module per source family.

A collector asks its source(s) for records and hands them to its pure report. Commands call a collector
for their own report, and `digest` calls every enabled section's collector (see `cmtriage.sections`)
with one `Run`, so that sections of one family share what is costly to set up twice: the GitHub
client with its resolved repos and staff list, a Discourse site's categories.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from cmtriage.env import Env
from cmtriage.errors import SourceFailure, UsageError

if TYPE_CHECKING:
    from cmtriage.models import SourceError

T = TypeVar("T")
MAX_WAIT_SECONDS = 86400


@dataclass
class Run:
    """One command's run: its settings, its options by name (`days`, `since`, `wait_text`, ...), and
    the resources its collectors share, closed together when the run ends."""

    env: Env
    options: Mapping[str, Any] = field(default_factory=dict)
    _stack: ExitStack = field(default_factory=ExitStack)
    _shared: dict[str, Any] = field(default_factory=dict)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def shared(self, key: str, opened: Callable[[Run], AbstractContextManager[T]]) -> T:
        """The resource named `key`, opened on first use and kept for the rest of the run."""
        if key not in self._shared:
            self._shared[key] = self._stack.enter_context(opened(self))
        return self._shared[key]

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    def budget(self):
        """The run's one budget of waiting for rate limits (`--wait`), shared by every source."""
        if "budget" not in self._shared:
            from cmtriage.sources.budget import WaitBudget

            self._shared["budget"] = WaitBudget(max_wait(self.option("wait_text", "60s")))
        return self._shared["budget"]


def max_wait(wait_text: str) -> float:
    from cmtriage.clock import parse_duration

    duration = timedelta() if wait_text.strip() == "0" else parse_duration(wait_text, what="--wait")
    if duration is None:
        raise UsageError(f"--wait: expected a duration like 90s, 5m, 1h or 2d, got {wait_text!r}")
    if duration.total_seconds() > MAX_WAIT_SECONDS:
        raise UsageError(f"--wait: at most 1d, got {wait_text}; no source's rate limit lasts longer: "
                         "pass 1d or less")
    return duration.total_seconds()


def save_cache(cache: Any, what: str = "the cache") -> None:
    """Save a source's cache at the end of its run; one that cannot be written is a warning, since the
    report itself is complete."""
    from cmtriage.terminal import terminal

    try:
        cache.save()
    except UsageError as exc:
        terminal().warn(f"{what} was not saved: {exc}")


def first_failure(failures: Sequence[SourceFailure], noun: str) -> SourceError:
    """One error for many reads of one kind that failed: the first, saying how many more there were
    ("(and 2 more topics)"); `noun` is one of them ("topic", "item")."""
    from dataclasses import replace

    from cmtriage.models import SourceError, counted

    error = SourceError.of(failures[0])
    if len(failures) > 1:
        error = replace(error, message=f"{error.message} (and {counted(len(failures) - 1, f'more {noun}')})")
    return error


def or_failed(name: str, title: str, run: Run, build: Callable[[], Any]):
    """`build()`, or, when the source cannot be asked at all (a bad token, an unreadable staff org, a
    used-up rate limit), a report that says so: JSON still gets its object, and --post its post."""
    from cmtriage.models import Report, SourceError

    try:
        return build()
    except SourceFailure as failure:
        return Report.failed(name, title, SourceError.of(failure), run.env.now)

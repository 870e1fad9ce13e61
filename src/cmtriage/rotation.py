"""Who is the community PM each week: pure schedule logic over a RotationConfig (no click, no output).

Weeks are counted on local calendar dates in the rotation's time zone: a week is the seven local dates
from a `week_starts` day on, and an instant belongs to the week holding its local date. So a week turns
over at local midnight whatever the UTC offset is that day (DST weeks are 167 or 169 hours long), and
no arithmetic on instants can slip across a boundary.

Who is scheduled:
- the first week is the week holding `start`; its scheduled person is the first active member;
- each later week's scheduled person is the first active member whose name sorts after the previous
  scheduled person's (case-insensitively), wrapping round to the first; the order the file lists them
  in does not matter;
- a member is active in a week when the week's dates overlap [from, until], both ends included and
  either end open: `from:` a Wednesday puts them on the queue for that whole week, `until:` a Wednesday
  keeps them on it for that week too;
- an override (any date inside its week) names who covers that one week; the queue goes on as if the
  scheduled person had done it, so no other week changes.

A week is computed from the weeks before it, so `weeks()` walks from the first week once and yields
from the wanted one on: a schedule of N weeks costs one walk, not N.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cmtriage.errors import UsageError
from cmtriage.rotationfile import Member, Override, RotationConfig, week_start

_WEEK = dt.timedelta(days=7)
_LAST_WEEK = dt.date.max - 2 * _WEEK  # a week's end (and the next week's start) must still be a date


@dataclass(frozen=True)
class Week:
    start: dt.date  # local date of its first day
    scheduled: Member | None  # whom the queue names (None when no member is active that week)
    on_duty: Member | None  # who covers it: the override's person, else the scheduled one
    override: Override | None = None  # set only when it names someone other than the scheduled person

    @property
    def end(self) -> dt.date:
        """The week's last local date (inclusive)."""
        return self.start + dt.timedelta(days=6)

    def to_json(self) -> dict[str, Any]:
        """The week as `rotation who --format json` prints it."""
        override = None
        if self.override:
            override = {"scheduled": self.scheduled.name if self.scheduled else None,
                        "reason": self.override.reason}
        return {
            "who": self.on_duty.name if self.on_duty else None,
            "mention": f"@{self.on_duty.mention}" if self.on_duty else None,
            "week_start": self.start.isoformat(),
            "week_end": self.end.isoformat(),
            "override": override,
        }

    def cover_note(self, text: Callable[[str], str] = str) -> str:
        """Why someone else covers the week, "covering for Eric: Eric at a conference", each name and
        reason passed through `text` (an escaper, for Markdown); empty when nobody covers."""
        if self.override is None:
            return ""
        parts = [f"covering for {text(self.scheduled.name)}"] if self.scheduled else []
        if self.override.reason:
            parts.append(text(self.override.reason))
        return ": ".join(parts)


def local_date(rotation: RotationConfig, instant: dt.datetime) -> dt.date:
    return instant.astimezone(rotation.timezone).date()


def first_week(rotation: RotationConfig) -> dt.date:
    return week_start(rotation.start, rotation.week_starts)


def is_active(member: Member, start: dt.date) -> bool:
    """Whether the member is on the queue in the week starting `start` (see the module docstring)."""
    end = start + dt.timedelta(days=6)
    return (member.joins is None or member.joins <= end) and (member.leaves is None or member.leaves >= start)


def _order(member: Member) -> tuple[str, str]:
    return member.name.casefold(), member.name


def _next_after(previous: Member | None, active: list[Member]) -> Member | None:
    if not active:
        return None
    if previous is None:
        return active[0]
    return next((m for m in active if _order(m) > _order(previous)), active[0])


def _overrides_by_week(rotation: RotationConfig) -> dict[dt.date, Override]:
    # config.parse_rotation has already refused two overrides in one week, naming their lines.
    return {week_start(o.week, rotation.week_starts): o for o in rotation.overrides}


def weeks(rotation: RotationConfig, day: dt.date) -> Iterator[Week]:
    """The weeks from the one holding `day` on, in order (stops only near date.max)."""
    first = first_week(rotation)
    wanted = week_start(day, rotation.week_starts)
    if wanted < first:
        raise UsageError(
            f"{day} is before the rotation starts: its first week is {first} – {first + dt.timedelta(days=6)}"
            f" (start: {rotation.start} in rotation.yaml)"
        )
    overrides = _overrides_by_week(rotation)
    queue = sorted(rotation.members, key=_order)
    previous: Member | None = None
    start = first
    while start <= _LAST_WEEK:
        scheduled = _next_after(previous, [m for m in queue if is_active(m, start)])
        previous = scheduled or previous  # a week with nobody active keeps the queue's place
        if start >= wanted:
            override = overrides.get(start)
            if override and scheduled and override.who == scheduled.name:
                override = None
            on_duty = rotation.member(override.who) if override else scheduled
            yield Week(start=start, scheduled=scheduled, on_duty=on_duty, override=override)
        start += _WEEK


def week_of(rotation: RotationConfig, day: dt.date) -> Week:
    week = next(weeks(rotation, day), None)
    if week is None:
        raise UsageError(f"{day} is too far in the future")
    return week


def on_duty(rotation: RotationConfig, instant: dt.datetime) -> Member | None:
    """Who covers the week holding `instant`; None before the rotation's first week or when nobody does."""
    day = local_date(rotation, instant)
    if week_start(day, rotation.week_starts) < first_week(rotation):
        return None
    return week_of(rotation, day).on_duty


def schedule(rotation: RotationConfig, day: dt.date, count: int) -> list[Week]:
    """`count` weeks from the one holding `day` (fewer only at the end of the calendar, none past it:
    a usage error)."""
    found = list(itertools.islice(weeks(rotation, day), count))
    if not found:
        raise UsageError(f"{day} is too far in the future: the calendar ends on {dt.date.max}")
    return found

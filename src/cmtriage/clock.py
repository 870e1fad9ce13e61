"""The one place that knows what "now" is (--now / CMTRIAGE_NOW, else the real clock), and how times
and durations are written on the command line."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta, tzinfo

from cmtriage.errors import UsageError

_DURATION = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": timedelta(seconds=1), "m": timedelta(minutes=1), "h": timedelta(hours=1),
          "d": timedelta(days=1), "w": timedelta(weeks=1)}


def utc_text(moment: datetime) -> str:
    """`moment` as 2026-12-08T14:00:00Z, the year always four digits: strftime's %Y writes the year 999
    as "999", which no ISO 8601 reader takes back and which sorts after "2026"."""
    moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


def local_text(moment: datetime, tz: tzinfo = UTC) -> str:
    """`moment` as a person reads it in time zone `tz`, 2026-12-08 09:00 EST (a four-digit year)."""
    local = moment.astimezone(tz)
    return f"{local.year:04d}-{local:%m-%d %H:%M %Z}"


def parse_duration(text: str, *, what: str = "duration") -> timedelta | None:
    """90s, 5m, 12h, 3d, 2w; None when `text` is not a duration."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        return None
    try:
        return int(match.group(1)) * _UNITS[match.group(2)]
    except OverflowError:
        raise UsageError(f"{what}: {text.strip()} is longer than cmtriage can count") from None


def shifted(instant: datetime, by: timedelta, *, what: str) -> datetime:
    """`instant + by`, or a usage error when that falls outside the calendar."""
    try:
        return instant + by
    except OverflowError:
        raise UsageError(f"{what}: too far from now") from None


def parse_instant(text: str, *, what: str = "time", tz: tzinfo = UTC,
                  expected: str = "an ISO 8601 time like 2026-11-24T09:00:00Z") -> datetime:
    """An ISO 8601 date or date-time, in UTC. A date is the midnight it begins with in `tz`, and a time
    without an offset is a time in `tz`."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{what}: expected {expected}, got {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise UsageError(f"{what}: {text.strip()} is outside the calendar in UTC") from None


def now(override: str | None = None) -> datetime:
    text = override or os.environ.get("CMTRIAGE_NOW")
    if text:
        return parse_instant(text, what="--now" if override else "CMTRIAGE_NOW")
    return datetime.now(UTC)

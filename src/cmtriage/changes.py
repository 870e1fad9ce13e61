"""--changes: a report against the last post's memory. Which items are new on the list since then, which
are gone from it (answered, closed, snoozed), which are still waiting, and for how many mornings each
has been listed.

Pure: delivery.py keeps what a post listed (`remembered`, written after each post) and hands it back
(`delivery.last_listed`); `marked` compares a built report with it. A morning is a day in the team's
time zone: an item first posted on Monday and still listed on Wednesday is on its 3rd morning, however
many posts --only-changes skipped in between (the memory keeps the day it was first listed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from cmtriage.models import Column, Item, Report

NEW, GONE, WAITING = "new", "gone", "waiting"
COLUMNS = (Column("change", "Change"), Column("mornings", "Mornings", numeric=True))
_KEPT = ("source", "title", "author", "reason", "days_idle", "repo", "number", "kind", "waiting_on")


@dataclass(frozen=True)
class LastPost:
    """What the last post listed: one entry per item (see `remember`), and when it was posted."""

    entries: tuple[Mapping[str, Any], ...]
    posted_at: datetime | None


def key(section: str, url: str) -> str:
    from cmtriage.snooze import normalise_url

    return f"{section} {normalise_url(url)}"


def day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def remember(items: Sequence[Item], report_name: str, last: LastPost | None, *, now: datetime,
             tz: tzinfo) -> list[dict[str, Any]]:
    """The memory of a post listing `items`: each keeps the day it was first listed, carried over from the
    last post when it was on that one too. Gone items (of a --changes post) are not listed any more."""
    first = {entry.get("key"): entry.get("first_listed") for entry in (last.entries if last else ())}
    today = day(now, tz).isoformat()
    entries = []
    for item in items:
        if item.get("change") == GONE:
            continue
        section = item.get("section") or report_name
        entry_key = key(section, item.url)
        entry = {"key": entry_key, "section": section, "url": item.url,
                 "first_listed": first.get(entry_key) or today}
        entry.update({name: item.get(name) for name in _KEPT if item.get(name) is not None})
        entries.append(entry)
    return entries


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _mornings(first_listed: Any, until: date) -> int:
    try:
        return max(1, (until - date.fromisoformat(str(first_listed))).days + 1)
    except ValueError:
        return 1


def _gone(entry: Mapping[str, Any], last_day: date, now: datetime) -> Item:
    extra = {name: entry[name] for name in ("repo", "number", "kind", "waiting_on") if name in entry}
    return Item(source=str(entry.get("source") or ""), url=str(entry.get("url") or ""),
                title=str(entry.get("title") or ""), author=str(entry.get("author") or ""),
                created_at=now, last_activity_at=now, days_idle=int(entry.get("days_idle") or 0),
                reason="gone from the list since the last post",
                extra={**extra, "change": GONE, "mornings": _mornings(entry.get("first_listed"), last_day)})


def marked(report: Report, last: LastPost | None, *, now: datetime, tz: tzinfo = UTC) -> Report:
    """The report with `change` and `mornings` on each item, the items gone since the last post after
    them, and a note counting each. Its title counts the items listed now (not the gone ones)."""
    entries = {entry.get("key"): entry for entry in (last.entries if last else ())
               if entry.get("section") == report.name}
    today = day(now, tz)
    listed, seen = [], set()
    for item in report.items:
        entry = entries.get(key(report.name, item.url))
        seen.add(key(report.name, item.url))
        change = WAITING if entry else NEW
        mornings = _mornings(entry.get("first_listed"), today) if entry else 1
        listed.append(replace(item, extra={**item.extra, "change": change, "mornings": mornings}))
    last_day = day(last.posted_at, tz) if last and last.posted_at else today
    gone = [_gone(entry, last_day, now) for entry_key, entry in entries.items() if entry_key not in seen]
    new = sum(1 for item in listed if item.extra["change"] == NEW)
    if last is None:
        note = "No earlier post to compare with: every item is new."
    else:
        when = f" on {last.posted_at.astimezone(tz).date().isoformat()}" if last.posted_at else ""
        longest = max((item.extra["mornings"] for item in listed), default=0)
        note = (f"Since the last post{when}: {new} new, {len(gone)} gone, {len(listed) - new} still waiting"
                + (f" (the longest for the {_ordinal(longest)} morning)." if longest > 1 else "."))
    marked_before = any(column.key == "change" for column in report.columns)
    columns = report.columns if marked_before else (*report.columns, *COLUMNS)
    shown = report.keeping(listed)
    return replace(shown, items=(*shown.items, *gone), columns=columns,
                   total=len(listed) if gone else report.total, notes=(*report.notes, note))


def listed(items: Sequence[Item]) -> tuple[Item, ...]:
    """The items on the list now: all but the gone ones of --changes."""
    return tuple(item for item in items if item.get("change") != GONE)

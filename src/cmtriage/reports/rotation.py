"""The rotation's weeks as a report, so that `rotation next` and `rotation schedule` print their table,
Markdown and payload through render.py like every report: mentions in its cells are escaped there, so a
schedule notifies nobody on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cmtriage.models import Column, Item, Report
from cmtriage.rotation import Week
from cmtriage.rotationfile import RotationConfig

NAME = "rotation"
COLUMNS = (Column("week_start", "Week of"), Column("week_end", "Until"), Column("who", "Community PM"),
           Column("mention", "Mention"), Column("note", "Note"))


def build(rotation: RotationConfig, weeks: Sequence[Week], *, now: dt.datetime) -> Report:
    items = []
    for week in weeks:
        name = week.on_duty.name if week.on_duty else "nobody"
        starts_at = dt.datetime.combine(week.start, dt.time(), tzinfo=rotation.timezone)
        note = week.cover_note()
        items.append(Item(
            source=NAME, url="", title=f"Community PM: {name}", author=name, created_at=starts_at,
            last_activity_at=starts_at, days_idle=0, reason=note,
            extra={"week_start": week.start, "week_end": week.end, "who": name,
                   "mention": f"@{week.on_duty.mention}" if week.on_duty else "", "note": note},
        ))
    return Report(name=NAME, title=f"Community PM rotation, {weeks[0].start} – {weeks[-1].end}",
                  columns=COLUMNS, items=tuple(items), generated_at=now)

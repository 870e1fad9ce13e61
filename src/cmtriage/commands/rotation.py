"""`cmtriage rotation who|next|schedule|ics`: who is the community PM, this week and later.

Kept light at import time: `rotation who` is run often and must start fast, so rich (through
render.render, for tables) and icalendar are imported only by the commands that need them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cmtriage import rotation as schedule_logic
from cmtriage.cli import SuggestingGroup
from cmtriage.commands._common import OUTPUT_PATH, Env, context_options, default_format, write_text
from cmtriage.errors import UsageError
from cmtriage.render import FORMATS, _csv_cell, clean, markdown_text
from cmtriage.rotation import Week
from cmtriage.rotationfile import RotationConfig

if TYPE_CHECKING:
    from cmtriage.models import Report

MAX_WEEKS = 520  # ten years: more is a typo, and a calendar app would choke on it anyway


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{param.opts[0]}: expected a date like 2026-11-24, got {value!r}") from None


def _weeks_option(default: int) -> Callable:
    return click.option("--weeks", "count", type=click.IntRange(1, MAX_WEEKS), default=default,
                        show_default=True, help="How many weeks.")


def _output_options(func: Callable) -> Callable:
    """--format and -o, with the default every command has (table on a terminal, else markdown)."""

    @click.option("--format", "-f", "fmt", type=click.Choice(FORMATS),
                  help="Output format  [default: table on a terminal, else markdown; env: CMTRIAGE_FORMAT]")
    @click.option("-o", "--output", "output_path", type=OUTPUT_PATH,
                  help="Write to FILE instead of stdout.")
    @functools.wraps(func)
    def wrapper(*args: Any, fmt: str | None, output_path: Path | None, **kwargs: Any) -> Any:
        fmt = fmt or default_format(output_path)
        return func(*args, fmt=fmt, output_path=output_path, **kwargs)

    return wrapper


def _today(rotation: RotationConfig, env: Env) -> dt.date:
    return schedule_logic.local_date(rotation, env.now)


def _from_or_upcoming(rotation: RotationConfig, day: dt.date | None, default: dt.date) -> dt.date:
    """An explicit date as given (an error if before the rotation); the default no earlier than its
    first week, so `next` and `ics` already work while a new rotation has yet to start."""
    return day if day is not None else max(default, schedule_logic.first_week(rotation))


# --- text -------------------------------------------------------------------------------------------------
def _dates(week: Week) -> str:
    return f"{week.start} – {week.end}"


def _note(week: Week, text: Callable[[str], str]) -> str:
    """Why someone else covers the week: "covering for Eric: Eric at a conference"."""
    if week.override is None:
        return ""
    parts = [f"covering for {text(week.scheduled.name)}"] if week.scheduled else []
    if week.override.reason:
        parts.append(text(week.override.reason))
    return ": ".join(parts)


def who_line(week: Week, *, this_week: bool, markdown: bool) -> str:
    """One line naming the week's person. In Markdown their mention stays live (the one mention
    cmtriage means); names and reasons are escaped like any other text."""
    text = markdown_text if markdown else clean
    when = f"this week ({_dates(week)})" if this_week else f"for the week {_dates(week)}"
    if week.on_duty is None:
        return f"Community PM {when}: nobody (no member is on the rotation that week)"
    line = f"Community PM {when}: @{clean(week.on_duty.mention)} ({text(week.on_duty.name)})"
    note = _note(week, text)
    return f"{line}, {note}" if note else line


_CSV_HEADER = ("week_start", "week_end", "who", "mention", "scheduled", "reason")


def _csv(weeks: Sequence[Week]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_HEADER)
    for week in weeks:
        data = week.to_json()
        scheduled = week.scheduled.name if week.scheduled else None
        reason = week.override.reason if week.override else None
        row = (data["week_start"], data["week_end"], data["who"], data["mention"], scheduled, reason)
        writer.writerow([_csv_cell(value or "") for value in row])
    return out.getvalue()


def _json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _schedule_report(rotation: RotationConfig, weeks: Sequence[Week], env: Env) -> Report:
    """The weeks as a models.Report, so table, markdown and payload come from render.py. Mentions in
    its cells are escaped there: a schedule must not notify everyone on it."""
    from cmtriage.models import Column, Item, Report  # not at import time: `rotation who` needs none

    items = []
    for week in weeks:
        name = week.on_duty.name if week.on_duty else "nobody"
        starts_at = dt.datetime.combine(week.start, dt.time(), tzinfo=rotation.timezone)
        note = _note(week, str)
        items.append(Item(
            source="rotation", url="", title=f"Community PM: {name}", author=name, created_at=starts_at,
            last_activity_at=starts_at, days_idle=0, reason=note,
            extra={"week_start": week.start, "week_end": week.end, "who": name,
                   "mention": f"@{week.on_duty.mention}" if week.on_duty else "", "note": note},
        ))
    columns = (Column("week_start", "Week of"), Column("week_end", "Until"), Column("who", "Community PM"),
               Column("mention", "Mention"), Column("note", "Note"))
    return Report(name="rotation", title=f"Community PM rotation, {weeks[0].start} – {weeks[-1].end}",
                  columns=columns, items=tuple(items), generated_at=env.now)


def _print_schedule(rotation: RotationConfig, weeks: Sequence[Week], env: Env, fmt: str,
                    output_path: Path | None) -> None:
    if fmt == "json":
        generated_at = env.now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        write_text(_json({"report": "rotation", "generated_at": generated_at,
                          "items": [week.to_json() for week in weeks], "errors": []}), output_path)
    elif fmt == "csv":
        write_text(_csv(weeks), output_path)
    else:
        # Not _common.emit: a schedule has no snoozes to hide and nothing to post.
        from cmtriage.render import render
        from cmtriage.terminal import terminal

        screen = terminal()
        color = fmt == "table" and output_path is None and screen.color()
        width = screen.width() if fmt == "table" else None
        write_text(render(_schedule_report(rotation, weeks, env), fmt, width=width, color=color), output_path)


# --- commands ---------------------------------------------------------------------------------------------
@click.group(cls=SuggestingGroup)
def rotation() -> None:
    """Who is the community PM: this week, the coming weeks, a schedule, a calendar.

    Reads rotation.yaml from the config folder. Weeks turn over at local midnight in its time zone.

    \b
    Examples:
      cmtriage rotation who
      cmtriage rotation next --weeks 8
      cmtriage rotation ics -o rotation.ics
    """


@rotation.command()
@click.option("--date", "day", metavar="DATE", callback=_date,
              help="Who covers the week holding this date, like 2026-11-24  [default: today in the "
                   "rotation's time zone]")
@_output_options
@context_options
def who(env: Env, day: dt.date | None, fmt: str, output_path: Path | None) -> None:
    """This week's community PM, with any override.

    Names who covers the week holding today (or --date), its dates, and, when someone covers for the
    scheduled person, whom and why. Exits 2 for a date before the rotation's first week.

    JSON is one object: {"who", "mention", "week_start", "week_end", "override"}, where override is
    null or {"scheduled": the name the queue had, "reason": text or null}; who and mention are null
    in a week with no active member.

    The example runs on 2026-11-24 with the shipped rotation.yaml.

    \b
    Example:
      $ cmtriage rotation who
      Community PM this week (2026-11-23 – 2026-11-29): @jason (Jason)
      $ cmtriage rotation who --date 2026-12-02
      Community PM for the week 2026-11-30 – 2026-12-06: @lindsay (Lindsay)
      $ cmtriage rotation who --format json
    """
    rotation_config = env.rotation()
    today = _today(rotation_config, env)
    week = schedule_logic.week_of(rotation_config, day or today)
    this_week = week.start == schedule_logic.week_start(today, rotation_config.week_starts)
    if fmt == "json":
        text = _json(week.to_json())
    elif fmt == "csv":
        text = _csv([week])
    elif fmt == "payload":
        line = who_line(week, this_week=this_week, markdown=True)
        import json

        text = json.dumps({"text": line}, ensure_ascii=False) + "\n"
    else:
        text = who_line(week, this_week=this_week, markdown=fmt == "markdown") + "\n"
    write_text(text, output_path)


@rotation.command(name="next")
@_weeks_option(4)
@_output_options
@context_options
def next_weeks(env: Env, count: int, fmt: str, output_path: Path | None) -> None:
    """The community PM of each coming week.

    From next week on. Before a new rotation's first week, lists its first weeks.

    \b
    Example:
      cmtriage rotation next --weeks 8
    """
    rotation_config = env.rotation()
    this_week = schedule_logic.week_start(_today(rotation_config, env), rotation_config.week_starts)
    if this_week > dt.date.max - dt.timedelta(days=13):
        raise UsageError(f"{this_week}: next week is past the end of the calendar (9999-12-31)")
    day = _from_or_upcoming(rotation_config, None, this_week + dt.timedelta(days=7))
    weeks = schedule_logic.schedule(rotation_config, day, count)
    _print_schedule(rotation_config, weeks, env, fmt, output_path)


@rotation.command()
@click.option("--from", "day", metavar="DATE", callback=_date,
              help="Start with the week holding this date, like 2026-11-24  [default: this week]")
@_weeks_option(8)
@_output_options
@context_options
def schedule(env: Env, day: dt.date | None, count: int, fmt: str, output_path: Path | None) -> None:
    """The rotation week by week, as a table.

    Each week's dates, who covers it, and why when someone covers for the scheduled person.

    JSON is {"report": "rotation", "generated_at", "items": [one `rotation who` object per week],
    "errors": []}; CSV has the columns week_start, week_end, who, mention, scheduled, reason.

    \b
    Example:
      cmtriage rotation schedule --from 2026-11-02 --weeks 6 --format markdown
    """
    rotation_config = env.rotation()
    day = _from_or_upcoming(rotation_config, day, _today(rotation_config, env))
    weeks = schedule_logic.schedule(rotation_config, day, count)
    _print_schedule(rotation_config, weeks, env, fmt, output_path)


def rotation_id(rotation: RotationConfig) -> str:
    """Eight hex digits that tell this rotation's events from another team's in a calendar holding both.

    Made of what stays as the team changes: the time zone, the first week and the members on the
    rotation then. Members who join (`from:`) or leave (`until:`) later, and overrides, leave it be, so
    a newer file still updates the same events; renaming or deleting a first-week member changes it."""
    import hashlib

    first = schedule_logic.first_week(rotation)
    founders = sorted(m.name.casefold() for m in rotation.members if schedule_logic.is_active(m, first))
    key = "\n".join([rotation.timezone.key, first.isoformat(), *founders])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def ics_text(rotation: RotationConfig, weeks: Sequence[Week], *, now: dt.datetime) -> str:
    """An iCalendar file with one all-day event per week. The UID names the rotation and the week, so
    importing a newer file updates each week's event instead of adding a second one, and two teams'
    calendars never share one."""
    from icalendar import Calendar, Event

    rotation_key = rotation_id(rotation)
    # A later file must win over an earlier one in apps that compare SEQUENCE (Outlook, RFC 5545 ones):
    # whole minutes since 1970 only grow, and keep within the 32-bit integer RFC 5545 allows for millennia.
    # An --now before 1970 or past the year 6053 is held to the range rather than written out of it.
    sequence = min(max(0, int(now.timestamp()) // 60), 2**31 - 1)
    calendar = Calendar()
    calendar.add("prodid", "-//cmtriage//Community PM rotation//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Community PM rotation")
    for week in weeks:
        if week.on_duty is None:
            continue
        event = Event()
        event.add("uid", f"community-pm-{rotation_key}-{week.start.isoformat()}@cmtriage")
        event.add("dtstamp", now.astimezone(dt.UTC))
        event.add("sequence", sequence)
        event.add("dtstart", week.start)
        event.add("dtend", week.start + dt.timedelta(days=7))  # exclusive, as RFC 5545 wants for DATE
        event.add("summary", f"Community PM: {clean(week.on_duty.name)}")
        event.add("description", who_line(week, this_week=False, markdown=False))
        event.add("transp", "TRANSPARENT")  # being on duty does not make anyone busy
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


@rotation.command()
@click.option("--from", "day", metavar="DATE", callback=_date,
              help="Start with the week holding this date, like 2026-11-24  [default: this week]")
@_weeks_option(52)
@click.option("-o", "--output", "output_path", type=OUTPUT_PATH,
              help="Write the calendar to FILE instead of stdout.")
@context_options
def ics(env: Env, day: dt.date | None, count: int, output_path: Path | None) -> None:
    """The rotation as an iCalendar file.

    One all-day event per week, "Community PM: Name", to import into a calendar app. Each week keeps
    its event's UID, so importing a newer file updates the weeks rather than duplicating them; the UID
    also names the rotation (by its time zone, first week and first members), so two teams' calendars
    can be imported side by side.

    \b
    Example:
      cmtriage rotation ics --weeks 26 -o community-pm.ics
    """
    rotation_config = env.rotation()
    day = _from_or_upcoming(rotation_config, day, _today(rotation_config, env))
    weeks = schedule_logic.schedule(rotation_config, day, count)
    write_text(ics_text(rotation_config, weeks, now=env.now), output_path)

"""`cmtriage rotation who|next|schedule|ics`: who is the community PM, this week and later.

Kept light at import time: `rotation who` is run often and must start fast, so rich (through
render.render, for tables), the schedule's report and icalendar (cmtriage.ics) are imported only by the
commands that need them.
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
from cmtriage.render import FORMATS, rotation_csv, who_line
from cmtriage.rotationfile import RotationConfig

if TYPE_CHECKING:
    from cmtriage.rotation import Week

MAX_WEEKS = 520  # ten years: more is a typo, and a calendar app would choke on it anyway


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{param.opts[0]}: expected a date like 2026-11-24, got {value!r}") from None


_from_option = click.option(
    "--from", "day", metavar="DATE", callback=_date,
    help="Start with the week holding this date, like 2026-11-24  [default: this week]")


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


def _weeks_from(rotation: RotationConfig, day: dt.date | None, count: int, env: Env) -> list[Week]:
    """`count` weeks from the one holding --from, else from this week (or the rotation's first)."""
    return schedule_logic.schedule(rotation, _from_or_upcoming(rotation, day, _today(rotation, env)), count)


def _json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _print_schedule(rotation: RotationConfig, weeks: Sequence[Week], env: Env, fmt: str,
                    output_path: Path | None) -> None:
    if fmt == "json":
        generated_at = env.now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        write_text(_json({"report": "rotation", "generated_at": generated_at,
                          "items": [week.to_json() for week in weeks], "errors": []}), output_path)
    elif fmt == "csv":
        write_text(rotation_csv(weeks), output_path)
    else:
        # Not _common.emit: a schedule has no snoozes to hide and nothing to post.
        from cmtriage.render import render
        from cmtriage.reports import rotation as report
        from cmtriage.terminal import terminal

        screen = terminal()
        color = fmt == "table" and output_path is None and screen.color()
        width = screen.width() if fmt == "table" else None
        built = report.build(rotation, weeks, now=env.now)
        write_text(render(built, fmt, width=width, color=color), output_path)


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
        text = rotation_csv([week])
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
@_from_option
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
    weeks = _weeks_from(rotation_config, day, count, env)
    _print_schedule(rotation_config, weeks, env, fmt, output_path)


@rotation.command()
@_from_option
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
    weeks = _weeks_from(rotation_config, day, count, env)
    from cmtriage.ics import ics_text

    write_text(ics_text(rotation_config, weeks, now=env.now), output_path)

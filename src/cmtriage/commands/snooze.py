"""`cmtriage snooze`, `cmtriage unsnooze` and `cmtriage snoozed`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import click

from cmtriage.commands._common import Env, Output, context_options, emit, report_options
from cmtriage.errors import CmtriageError, UsageError


@contextmanager
def _snooze_file() -> Iterator[None]:
    """A broken or locked snooze file as one line naming it, not a traceback."""
    import sqlite3

    from cmtriage.snooze import default_path

    try:
        yield
    except sqlite3.Error as exc:
        raise CmtriageError(f"{default_path()}: {exc}") from None


@click.command()
@click.argument("url")
@click.option("--until", "until_text", required=True, metavar="DATE|DURATION",
              help="A date (2026-12-01: back on the list when that day begins) or a duration (12h, 3d, 2w).")
@click.option("--reason", default="", help="Why, for whoever reads `cmtriage snoozed`.")
@context_options
def snooze(url: str, until_text: str, reason: str, env: Env) -> None:
    """Hide an item from every report until a date.

    URL is the item's web address, as the reports print it (a trailing slash or #fragment does
    not matter). A date means the item is back on the list when that day begins in the
    rotation's time zone (UTC without rotation.yaml): `--until 2026-12-01` hides it through
    Nov 30. Snoozing an item again replaces its snooze.

    \b
    Example:
      cmtriage snooze https://github.com/mattermost/mattermost/issues/123 \\
          --until 2026-12-01 --reason "desktop team has it"
      cmtriage snooze https://mattermost.zendesk.com/agent/tickets/4512 --until 2w
    """
    from cmtriage import snooze as snoozes
    from cmtriage.text import clean

    address = snoozes.web_address(url)
    tz = env.team_timezone()
    until = snoozes.parse_until(until_text, env.now, tz)
    who = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    with _snooze_file():
        added = snoozes.add(address, until, reason=reason, who=who, now=env.now,
                            until_local=snoozes.describe_until(until_text, until, tz))
    local = until.astimezone(tz)
    click.echo(f"Snoozed {clean(added.url)} until {local.year:04d}-{local:%m-%d %H:%M %Z}.")


@click.command()
@click.argument("url")
@context_options
def unsnooze(url: str, env: Env) -> None:
    """Put a snoozed item back on the reports now.

    \b
    Example:
      cmtriage unsnooze https://github.com/mattermost/mattermost/issues/123
    """
    from cmtriage import snooze as snoozes
    from cmtriage.text import clean

    address = snoozes.web_address(url)
    with _snooze_file():
        removed = snoozes.remove(address, now=env.now)
    key = clean(snoozes.normalise_url(address))
    if not removed:
        raise UsageError(f"{key} is not snoozed (cmtriage snoozed lists what is)")
    click.echo(f"Unsnoozed {key}.")


@click.command()
@report_options
def snoozed(output: Output, env: Env) -> int:
    """List the snoozed items: until when, why, who snoozed them and when.

    Snoozes that have ended are not listed (and are deleted at the next snooze or unsnooze).

    \b
    Example:
      cmtriage snoozed
      cmtriage snoozed --format json
    """
    from cmtriage import snooze as snoozes

    with _snooze_file():
        active = snoozes.active(env.now)
    return emit(snoozes.listing(active, now=env.now), output, env)

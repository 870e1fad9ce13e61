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
    not matter; an issue's and a pull's address are the same item), or OWNER/REPO#N. With a
    snoozes.yaml beside repos.yaml (see share-snoozes) the snooze goes there, for the whole team.
    A date means the item is back on the list when that day begins in the rotation's time zone
    (UTC without rotation.yaml): `--until 2026-12-01` hides it through Nov 30.
    Snoozing an item again replaces its snooze.

    \b
    Example:
      cmtriage snooze https://github.com/mattermost/mattermost/issues/123 \\
          --until 2026-12-01 --reason "desktop team has it"
      cmtriage snooze https://mattermost.zendesk.com/agent/tickets/4512 --until 2w
      cmtriage snooze mattermost/docs#512 --until 3d --reason "docs team is on it"
    """
    from cmtriage import sharedsnoozes as shared
    from cmtriage import snooze as snoozes
    from cmtriage.clock import local_text
    from cmtriage.text import clean

    address = shared.address(url)
    tz = env.team_timezone()
    until = snoozes.parse_until(until_text, env.now, tz)
    who = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    team_file = shared.path_in(env.config_dir)
    if team_file.exists():  # the team's file: everyone's reports hide it once it is committed and pulled
        entry = shared.Shared(url=snoozes.normalise_url(address), until=shared.until_text(until_text, until),
                              by=who, reason=reason)
        shared.add(team_file, entry, now=env.now, tz=tz)
        click.echo(f"Snoozed {clean(entry.url)} until {local_text(until, tz)} in {team_file}.")
        return
    with _snooze_file():
        added = snoozes.add(address, until, reason=reason, who=who, now=env.now,
                            until_local=snoozes.describe_until(until_text, until, tz))
    click.echo(f"Snoozed {clean(added.url)} until {local_text(until, tz)}.")


@click.command()
@click.argument("url")
@context_options
def unsnooze(url: str, env: Env) -> None:
    """Put a snoozed item back on the reports now.

    \b
    Example:
      cmtriage unsnooze https://github.com/mattermost/mattermost/issues/123
    """
    from cmtriage import sharedsnoozes as shared
    from cmtriage import snooze as snoozes
    from cmtriage.text import clean

    address = shared.address(url)
    team_file = shared.path_in(env.config_dir)
    removed = shared.remove(team_file, address, now=env.now, tz=env.team_timezone())
    with _snooze_file():
        removed = snoozes.remove(address, now=env.now) or removed
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
    from cmtriage import sharedsnoozes as shared
    from cmtriage import snooze as snoozes
    from cmtriage.delivery import known_titles

    tz = env.team_timezone()
    team = shared.active(shared.path_in(env.config_dir), env.now, tz)
    with _snooze_file():
        active = snoozes.active(env.now)
    return emit(shared.listing(active, team, now=env.now, tz=tz, titles=known_titles()), output, env)


@click.command("share-snoozes")
@context_options
def share_snoozes(env: Env) -> None:
    """Move this machine's snoozes into snoozes.yaml beside repos.yaml, for the team to share.

    Creates the file if need be. From then on `snooze` and `unsnooze` write that file (commit and
    push it; a cron job's checkout then hides the same items), and every report hides what it and any
    local snoozes hold. Each entry is {url, until, by, reason}, sorted by url, so two people snoozing
    different items edit different lines and git merges them.

    \b
    Example:
      cmtriage share-snoozes --config-dir ~/team-config
      git -C ~/team-config add snoozes.yaml && git -C ~/team-config commit -m "Shared snoozes"
    """
    from cmtriage import sharedsnoozes as shared
    from cmtriage.models import counted
    from cmtriage.snooze import default_path

    team_file = shared.path_in(env.config_dir)
    if not env.config_dir.is_dir():
        raise UsageError(f"{env.config_dir}: no such folder (use --config-dir or CMTRIAGE_CONFIG_DIR)")
    with _snooze_file():
        moved = shared.move_local(team_file, now=env.now, tz=env.team_timezone())
    if not team_file.exists():
        shared.write(team_file, [])
    click.echo(f"Moved {counted(moved, 'snooze')} from {default_path()} to {team_file}; commit it to share "
               "them.")

"""What every command shares: the context options, the report output options, and delivery."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from cmtriage import clock
from cmtriage.env import Env
from cmtriage.errors import EXIT_OK, EXIT_PARTIAL, UsageError
from cmtriage.render import FORMATS
from cmtriage.urls import http_url


class OutputPath(click.Path):
    """-o FILE: a file name (an empty one is a usage error, not the current folder)."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail(f"expected a file name, got {value!r}", param, ctx)
        if isinstance(value, str) and "\0" in value:
            self.fail("a file name cannot hold a NUL character", param, ctx)
        return super().convert(value, param, ctx)


OUTPUT_PATH = OutputPath()


class ConfigDir(click.Path):
    """--config-dir FOLDER (a NUL in it is a usage error, not Python's ValueError)."""

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\0" in value:
            self.fail("a folder name cannot hold a NUL character", param, ctx)
        return super().convert(value, param, ctx)


def context_options(func: Callable) -> Callable:
    """--config-dir and --now, accepted by every command."""

    @click.option("--config-dir", type=ConfigDir(),
                  envvar="CMTRIAGE_CONFIG_DIR",
                  help="Folder holding repos.yaml and rotation.yaml  [env: CMTRIAGE_CONFIG_DIR; default: .]")
    @click.option("--now", "now_text", metavar="ISO8601",
                  help="Take this as the current time  [env: CMTRIAGE_NOW]")
    @functools.wraps(func)
    def wrapper(*args: Any, config_dir: Path | None, now_text: str | None, **kwargs: Any) -> Any:
        env = Env(config_dir=config_dir or Path("."), now=clock.now(now_text),
                  use_cache=not kwargs.pop("no_cache", False))
        return func(*args, env=env, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Output:
    fmt: str
    path: Path | None
    post: bool
    only_changes: bool
    show: bool = True  # False for --post alone: the post is the output, stdout stays quiet (like gh)
    place: dict[str, str] = field(default_factory=dict)  # --channel, --username, --icon-url as given
    filters: Any = None  # filters.Filters from the command line (repos.yaml's defaults are added in narrowed)
    summary: bool = False
    changes: bool = False


EXTENSIONS = {".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown"}


def default_format(path: Path | None) -> str:
    """The format when --format is not given: the output file's extension (.json, .csv, .md) says it,
    else CMTRIAGE_FORMAT, else a table on a terminal and Markdown elsewhere."""
    if path is not None and path.suffix.lower() in EXTENSIONS:
        return EXTENSIONS[path.suffix.lower()]
    to_file = path is not None
    chosen = os.environ.get("CMTRIAGE_FORMAT")
    if chosen:
        if chosen not in FORMATS:
            raise UsageError(f"CMTRIAGE_FORMAT: expected one of {', '.join(FORMATS)}, got {chosen!r}")
        return chosen
    from cmtriage.terminal import terminal

    return "table" if not to_file and terminal().stdout_is_terminal() else "markdown"


def filter_options(func: Callable) -> Callable:
    """--waiting-on, --label, --exclude-label, --assignee, --no-assignee, --limit, --summary and --changes,
    for every report command (report_options adds them): they become `filters`, `summary`, `changes`."""

    @click.option("--waiting-on", type=click.Choice(("us", "author", "any")),
                  help="Only items waiting on the team (us) or on their author; any: both, whatever "
                       "repos.yaml reports: says.")
    @click.option("--label", "labels", multiple=True, metavar="NAME",
                  help="Only items with this label, in any case (repeat: with every one of them).")
    @click.option("--exclude-label", "exclude_labels", multiple=True, metavar="NAME",
                  help="Leave out items with this label, in any case (repeat for more).")
    @click.option("--assignee", metavar="LOGIN", help="Only items assigned to LOGIN.")
    @click.option("--no-assignee", is_flag=True, help="Only items assigned to nobody.")
    @click.option("--limit", type=click.IntRange(1, 1000), metavar="N",
                  help="Only the N items waiting longest, then how many more and the command that lists "
                       "them (a digest summarises each section longer than N).")
    @click.option("--summary", is_flag=True,
                  help="A short post: counts per repo and per waiting-on, the items waiting longest, and "
                       "the command that prints the whole list.")
    @click.option("--changes", is_flag=True,
                  help="Mark each item new or still waiting (and for how many mornings) since the last "
                       "post, and list the items gone since.")
    @functools.wraps(func)
    def wrapper(*args: Any, waiting_on: str | None, labels: tuple[str, ...], exclude_labels: tuple[str, ...],
                assignee: str | None, no_assignee: bool, limit: int | None, summary: bool, changes: bool,
                **kwargs: Any) -> Any:
        from cmtriage.filters import Filters

        if assignee and no_assignee:
            raise UsageError("--assignee and --no-assignee exclude each other")
        filters = Filters(waiting_on=waiting_on, labels=labels, exclude_labels=exclude_labels,
                          assignee=assignee.lstrip("@") if assignee else None, no_assignee=no_assignee,
                          limit=limit)
        return func(*args, filters=filters, summary=summary, changes=changes, **kwargs)

    return wrapper


def report_options(func: Callable) -> Callable:
    """--format, -o, --post, --only-changes, --channel, --username, --icon-url and the filters: every report
    has them."""

    @click.option("--format", "-f", "fmt", type=click.Choice(FORMATS),
                  help="Output format  [default: table on a terminal, else markdown; env: CMTRIAGE_FORMAT]")
    @click.option("-o", "--output", "output_path", type=OUTPUT_PATH,
                  help="Write the report to FILE instead of stdout, in the format its extension says "
                       "(.json, .csv, .md) unless --format says otherwise.")
    @click.option("--post", is_flag=True, help="Post the report to MATTERMOST_WEBHOOK_URL, split on rows.")
    @click.option("--only-changes", is_flag=True,
                  help="With --post: post nothing when the items equal the last post's.")
    @click.option("--channel", metavar="NAME",
                  help="With --post or payload: the channel to post in  [default: repos.yaml "
                       "mattermost.channel, else the webhook's own]")
    @click.option("--username", metavar="NAME",
                  help="With --post or payload: the name to post as  [default: repos.yaml "
                       "mattermost.username, else the webhook's own]")
    @click.option("--icon-url", metavar="URL",
                  help="With --post or payload: the picture to post with  [default: repos.yaml "
                       "mattermost.icon_url, else the webhook's own]")
    @filter_options
    @context_options
    @functools.wraps(func)
    def wrapper(*args: Any, fmt: str | None, output_path: Path | None, post: bool, only_changes: bool,
                channel: str | None, username: str | None, icon_url: str | None, filters: Any, summary: bool,
                changes: bool, **kwargs: Any) -> Any:
        if only_changes and not post:
            raise UsageError("--only-changes goes with --post")
        if post:  # before any fetching: a cron job without the hook should not spend a run to learn it
            from cmtriage.sources.mattermost import webhook_url

            webhook_url()
        chosen = fmt or default_format(output_path)
        place = {key: value for key, value in
                 (("channel", channel), ("username", username), ("icon_url", icon_url)) if value}
        for key in place:
            if not (post or chosen == "payload"):
                raise UsageError(f"--{key.replace('_', '-')} goes with --post or --format payload")
        if icon_url and http_url(icon_url) is None:
            raise UsageError(f"--icon-url: expected an http(s) URL, got {icon_url!r}")
        output = Output(fmt=chosen, path=output_path, post=post, only_changes=only_changes,
                        show=not post or bool(fmt or output_path), place=place, filters=filters,
                        summary=summary, changes=changes)
        return func(*args, output=output, **kwargs)

    return wrapper


def write_text(text: str, path: Path | None) -> None:
    """The report to stdout, or to a file written whole (a failed run leaves the old file intact);
    see cmtriage.files for symlinks, pipes and devices."""
    if path is None:
        click.echo(text, nl=False)
        return
    from cmtriage.files import write_file

    write_file(path, text)


def emit(report, output: Output, env: Env) -> int:
    """Print and/or post a report; the exit code says whether every source answered."""
    from cmtriage.render import render
    from cmtriage.snooze import hider_in
    from cmtriage.terminal import terminal

    screen = terminal()
    report = report.each(hider_in(env))
    report = narrowed(report, output, env)
    if output.show:
        width = screen.width() if output.fmt == "table" else None
        color = output.fmt == "table" and output.path is None and screen.color()
        target = None
        if output.fmt == "payload":  # the same channel, name and icon as --post would use
            from cmtriage.delivery import target as post_target

            target = post_target(env, output.place)
        terminal = output.fmt == "table" and output.path is None and screen.stdout_is_terminal()
        text = render(report, output.fmt, width=width, color=color, target=target, terminal=terminal)
        write_text(text, output.path)
    # On a terminal that shows the table, the errors are in it already: once is enough.
    shown_on_screen = (output.show and output.fmt == "table" and output.path is None
                       and screen.stdout_is_terminal() and screen.stderr_is_terminal())
    for error in dict.fromkeys(report.errors) if not shown_on_screen else ():
        screen.error(f"{error.source}: {error.message}")  # a digest's sections may share one failure
    if output.post:
        from cmtriage.delivery import post_report

        posted = post_report(report, env=env, only_changes=output.only_changes, place=output.place)
        for warning in posted.warnings:
            screen.warn(warning)
        screen.say(posted.said)
    return EXIT_PARTIAL if report.errors else EXIT_OK


def narrowed(report, output: Output, env: Env):
    """The report as the reader asked for it: filtered (repos.yaml `reports:` defaults under the options),
    marked with its changes since the last post (--changes), then cut to --limit or summarised. A digest's
    sections are each filtered by their own defaults, and summarised when longer than --limit."""
    from cmtriage.filters import Filters, filtered, limited
    from cmtriage.summary import summarise

    given = output.filters or Filters()
    config = env.repos() if env.has_repos() else None
    in_digest = hasattr(report, "sections")
    outer = config.report_defaults(report.name) if config and in_digest else Filters()
    changes = None
    if output.changes:
        from cmtriage.delivery import last_listed

        changes = last_listed(report.name, env=env, place=output.place)

    def narrow(section):
        own = config.report_defaults(section.name) if config else Filters()
        filters = given.over(own.over(outer))
        section = filtered(section, filters)
        if output.changes:
            from cmtriage.changes import marked

            section = marked(section, changes, now=env.now, tz=env.team_timezone())
        if output.summary or (in_digest and filters.limit is not None and len(section.items) > filters.limit):
            return summarise(section, filters)
        return section if in_digest else limited(section, filters)

    return report.each(narrow)


# --- options of the commands that ask the outside sources (GitHub, the forum, UserVoice, Jira, Zendesk) ---
def wait_option(func: Callable) -> Callable:
    """--wait: one budget for the whole run, drawn on by every source it asks (collect.Run.budget)."""
    return click.option(
        "--wait", "wait_text", default="60s", show_default=True, metavar="DURATION",
        help="Wait this long in all, at most, for rate limits to lift (every source's waits count); past "
             "it, stop and say when to try again.",
    )(func)


def cache_option(func: Callable) -> Callable:
    """--no-cache, for the commands whose sources keep an on-disk cache."""
    return click.option("--no-cache", is_flag=True,
                        help="Ask for everything again; neither read nor write the cache.")(func)


def days_option(func: Callable) -> Callable:
    from cmtriage.config import MAX_DAYS

    return click.option(
        "--days", type=click.IntRange(1, MAX_DAYS), default=7, show_default=True,
        help="List items with no human activity for this many days (a repo's stale_days wins).",
    )(func)


def repo_option(func: Callable) -> Callable:
    return click.option(
        "--repo", "repos", multiple=True, metavar="OWNER/NAME",
        help="Only this repo (repeat for more); one not in repos.yaml is watched for issues.",
    )(func)


def since_option(func: Callable) -> Callable:
    return click.option(
        "--since", "since_text", default="1d", show_default=True, metavar="DURATION|DATE",
        help="Issues opened in the last DURATION (12h, 1d, 1w) or since DATE (UTC midnight) or an ISO 8601 "
             "time.",
    )(func)

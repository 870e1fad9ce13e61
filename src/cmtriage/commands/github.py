"""`cmtriage stale` and `cmtriage new`: the GitHub reports of the seed's channels 3 and 1."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from cmtriage.commands._common import Env, Output, emit, report_options
from cmtriage.config import MAX_DAYS
from cmtriage.errors import SourceFailure, UsageError

if TYPE_CHECKING:
    from cmtriage.config import ReposConfig, RepoWatch
    from cmtriage.models import Report, SourceError
    from cmtriage.sources.github import GitHub, Repo

STALE_TITLE = "Stale GitHub issues and pulls"  # of a report that could not be made
NEW_TITLE = "New GitHub issues"
MAX_WAIT_SECONDS = 86400


def _duration(text: str, option: str) -> timedelta:
    from cmtriage.clock import parse_duration

    duration = timedelta() if text.strip() == "0" else parse_duration(text, what=option)
    if duration is None:
        raise UsageError(f"{option}: expected a duration like 90s, 5m, 1h or 2d, got {text!r}")
    return duration


def wait_option(func: Callable) -> Callable:
    return click.option(
        "--wait", "wait_text", default="60s", show_default=True, metavar="DURATION",
        help="Wait this long in all, at most, for GitHub's rate limits to lift; past it, stop and say when "
             "to try again.",
    )(func)


def days_option(func: Callable) -> Callable:
    return click.option(
        "--days", type=click.IntRange(1, MAX_DAYS), default=7, show_default=True,
        help="List items with no human activity for this many days (a repo's stale_days wins).",
    )(func)


def _repo_option(func: Callable) -> Callable:
    return click.option(
        "--repo", "repos", multiple=True, metavar="OWNER/NAME",
        help="Only this repo (repeat for more); one not in repos.yaml is watched for issues.",
    )(func)


# --- what to look at ---------------------------------------------------------------------------------------
def _config(env: Env, repos: Sequence[str]) -> ReposConfig:
    """repos.yaml; without one, --repo alone is enough."""
    from cmtriage.config import REPOS_FILE, ReposConfig

    if repos and not (env.config_dir / REPOS_FILE).exists():
        return ReposConfig()
    return env.repos()


def _watches(config: ReposConfig, repos: Sequence[str], env: Env) -> list[RepoWatch]:
    from cmtriage.config import REPOS_FILE, RepoWatch

    if not repos:
        if not config.github:
            raise UsageError(f"{env.config_dir / REPOS_FILE}: no github: repos to look at; add some, "
                             "or pass --repo OWNER/NAME")
        return list(config.github)
    chosen: list[RepoWatch] = []
    for name in repos:
        if not re.match(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", name):
            raise UsageError(f"--repo: expected OWNER/NAME, got {name!r}")
        configured = [w for w in config.github if w.repo.lower() == name.lower()]
        chosen += configured or [RepoWatch(repo=name)]
    return chosen


def _where(watch: RepoWatch, env: Env) -> str:
    from cmtriage.config import REPOS_FILE

    return f"{env.config_dir / REPOS_FILE}:{watch.line}" if watch.line else f"--repo {watch.repo}"


def on_duty(env: Env) -> str | None:
    """This week's community PM as a Mattermost username; None without rotation.yaml or anyone on duty."""
    from cmtriage.config import ROTATION_FILE

    if not (env.config_dir / ROTATION_FILE).exists():
        return None
    from cmtriage import rotation

    member = rotation.on_duty(env.rotation(), env.now)
    return member.mention if member else None


def _warn(message: str) -> None:
    click.echo(f"cmtriage: warning: {message}", err=True)


@contextmanager
def github_client(env: Env, wait_text: str) -> Iterator[GitHub]:
    """The GitHub client with the cache, a progress line on a terminal, and the cost said at the end."""
    from cmtriage.cache import open_cache
    from cmtriage.sources import github as source

    max_wait = _duration(wait_text, "--wait").total_seconds()
    if max_wait > MAX_WAIT_SECONDS:
        raise UsageError(f"--wait: at most 1d, got {wait_text}; GitHub's limits reset within the hour")
    token, _ = source.token()
    cache = open_cache("github", source.api_root(), token, today=env.now.date(), enabled=env.use_cache)
    with _progress() as progress, source.GitHub.from_env(cache=cache, max_wait=max_wait, notify=_warn,
                                                          on_request=progress) as client:
        yield client
    try:
        cache.save()
    except UsageError as exc:
        _warn(f"the cache was not saved: {exc}")
    if sys.stderr.isatty():
        stats = client.stats
        left = f"; {stats.rate_remaining:,} of {stats.rate_limit:,} left" if stats.rate_limit else ""
        click.echo(f"GitHub: {stats.requests} requests, {stats.not_modified} of them unchanged (free), "
                   f"{stats.reused} pages reused without asking{left}", err=True)


@contextmanager
def _progress() -> Iterator[Callable[[Any], None] | None]:
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console

    with Console(stderr=True).status("Asking GitHub…") as status:
        yield lambda stats: status.update(f"Asking GitHub… {stats.requests} requests")


@dataclass(frozen=True)
class Resolved:
    """The watched repos as GitHub knows them, each keyed by the name repos.yaml or --repo gave."""

    live: dict[str, Repo]
    archived: dict[str, str]  # requested name -> canonical name
    failed: dict[str, SourceError]
    people: Any  # sources.github.People

    def only(self, watches: Sequence[RepoWatch]) -> Resolved:
        names = {w.repo for w in watches}
        return Resolved({n: r for n, r in self.live.items() if n in names},
                        {n: r for n, r in self.archived.items() if n in names},
                        {n: e for n, e in self.failed.items() if n in names}, self.people)


def resolve(client: GitHub, watches: Sequence[RepoWatch], config: ReposConfig, env: Env) -> Resolved:
    """Every watched repo's canonical name, and who is staff; warns of renames."""
    from cmtriage.models import SourceError
    from cmtriage.sources.github import People

    names = list(dict.fromkeys(w.repo for w in watches))
    found, members = client.resolve(names, config.staff.orgs)
    resolved = Resolved({}, {}, {}, People.of(config.staff.logins, members, config.bots))
    warned = set()
    for watch in watches:
        repo = found[watch.repo]
        if isinstance(repo, SourceFailure):
            resolved.failed[watch.repo] = SourceError.of(repo)
            continue
        if repo.archived:
            resolved.archived[watch.repo] = repo.name
        else:
            resolved.live[watch.repo] = repo
        if repo.renamed and watch.repo not in warned:
            warned.add(watch.repo)
            _warn(f"{_where(watch, env)}: {repo.requested} was renamed to {repo.name} on GitHub; "
                  f"put {repo.name} in repos.yaml")
    return resolved


# --- stale -----------------------------------------------------------------------------------------------
@click.command()
@days_option
@_repo_option
@click.option("--activity", type=click.Choice(["human", "updated"]), default="human", show_default=True,
              help="human: creation, comments and pull reviews by people, not bots. updated: GitHub's "
                   "updated_at "
                   "(cheaper; a bot's comment or a label change counts).")
@wait_option
@report_options
def stale(days: int, repos: tuple[str, ...], activity: str, wait_text: str, output: Output, env: Env) -> int:
    """List community GitHub issues and pulls nobody has answered for a while.

    An open item of a kind repos.yaml watches is listed when neither staff (OWNER or MEMBER,
    staff.logins, members of staff.orgs) nor a bot wrote it and its last human activity (its
    creation, or the last comment or pull review by someone who is not a bot) is older than the
    repo's stale_days, else --days. "Waiting on" says whether the team owes a reply (us) or spoke last
    (author). Longest idle first, grouped by repo, under a heading that mentions this week's
    community PM from rotation.yaml.

    Token from GITHUB_TOKEN, else GH_TOKEN (it needs read:org to see private members of
    staff.orgs); GITHUB_API_URL points at GitHub Enterprise. A second run the same day asks only
    for what changed (--no-cache to ask again).

    \b
    Example:
      cmtriage stale --days 7
      cmtriage stale --repo mattermost/docs --format json
      cmtriage stale --format payload | while IFS= read -r body; do
        curl -H 'Content-Type: application/json' -d "$body" "$MATTERMOST_WEBHOOK_URL"; done
    """
    config = _config(env, repos)
    watches = _watches(config, repos, env)
    from cmtriage.reports.stale import NAME

    with github_client(env, wait_text) as client:
        result = _or_failed(NAME, STALE_TITLE, env, lambda: stale_report(
            client, resolve(client, watches, config, env), watches, env=env, days=days, activity=activity,
            mention=on_duty(env)))
    return emit(result, output, env)


def stale_report(client: GitHub, resolved: Resolved, watches: Sequence[RepoWatch], *, env: Env, days: int,
                 activity: str = "human", mention: str | None = None) -> Report:
    from cmtriage.models import SourceError
    from cmtriage.reports import stale as report
    from cmtriage.sources.github import Plan, every_open_item, open_items_updated_before

    live = resolved.live
    errors = list(resolved.failed.values())
    thresholds: dict[tuple[str, str], int] = {}
    for watch in watches:
        if watch.repo in live:
            for kind in sorted(watch.kinds):
                thresholds.setdefault((live[watch.repo].name, kind), watch.stale_days or days)
    plans = []
    for repo in {r.name: r for r in live.values()}.values():
        longest = max(d for (name, _), d in thresholds.items() if name == repo.name)
        shortest = min(d for (name, _), d in thresholds.items() if name == repo.name)
        if activity == "updated":
            plans.append(Plan(repo, open_items_updated_before(env.now - timedelta(days=shortest))))
        else:
            plans.append(Plan(repo, every_open_item(), comments_since=env.now - timedelta(days=longest)))
    fetched = client.fetch(plans)
    errors += [SourceError.of(f) for f in fetched.values() if isinstance(f, SourceFailure)]
    activities = [a for a in fetched.values() if not isinstance(a, SourceFailure)]
    wanted = report.history_needed(activities, people=resolved.people, now=env.now, thresholds=thresholds,
                                   activity=activity)
    history = client.last_human_activity(wanted, resolved.people)
    errors += _unread_errors(history)
    return report.build(activities, history, people=resolved.people, now=env.now, thresholds=thresholds,
                        activity=activity, mention=mention, archived=_unique(resolved.archived.values()),
                        errors=errors, days=days)


def _or_failed(name: str, title: str, env: Env, build: Callable[[], Report]) -> Report:
    """`build()`, or, when GitHub cannot be asked at all (a bad token, the staff org unreadable, the
    rate limit used up), a report that says so: JSON still gets its object, and --post its post."""
    from cmtriage.models import Report, SourceError

    try:
        return build()
    except SourceFailure as failure:
        return Report.failed(name, title, SourceError.of(failure), env.now)


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _unread_errors(history: dict[tuple[str, int], Any]) -> list[SourceError]:
    """One error per repo whose items' comments could not be read, saying how many items."""
    from cmtriage.models import SourceError

    failed: dict[str, list[SourceFailure]] = {}
    for (repo, _), found in history.items():
        if isinstance(found, SourceFailure):
            failed.setdefault(repo, []).append(found)
    errors = []
    for failures in failed.values():
        error = SourceError.of(failures[0])
        if len(failures) > 1:
            error = replace(error, message=f"{error.message} (and {len(failures) - 1} more items)")
        errors.append(error)
    return errors


# --- new -------------------------------------------------------------------------------------------------
def parse_since(text: str, now: datetime) -> datetime:
    """--since: a duration back from now, or a date or time not in the future."""
    from cmtriage import clock

    duration = clock.parse_duration(text, what="--since")
    if duration is not None:
        return clock.shifted(now, -duration, what="--since")
    since = clock.parse_instant(text, what="--since")
    if since > now:
        raise UsageError(f"--since: {text} is in the future")
    return since


def since_option(func: Callable) -> Callable:
    return click.option(
        "--since", "since_text", default="1d", show_default=True, metavar="DURATION|DATE",
        help="Issues opened in the last DURATION (12h, 1d, 1w) or since DATE (UTC midnight) or an ISO 8601 "
             "time.",
    )(func)


@click.command()
@since_option
@_repo_option
@wait_option
@report_options
def new(since_text: str, repos: tuple[str, ...], wait_text: str, output: Output, env: Env) -> int:
    """List the issues the community opened lately, each with its post type and a reply.

    Looks at the repos in repos.yaml that watch issues. Each issue opened in the window by
    someone who is neither staff nor a bot gets its post type (Bug, Feature Proposal,
    Troubleshooting, Developer/Product Question) guessed from its labels, template headings and
    words, the reason for the guess, and the seed's answer for that type as a ready reply.
    Replies come from repos.yaml `replies:` (keyed by post type; {author}, {forum_url},
    {feature_ideas_url} and {docs_url} are filled in), else the defaults.

    \b
    Example:
      cmtriage new
      cmtriage new --since 2026-11-20 --repo mattermost/mattermost --format json
    """
    config = _config(env, repos)
    watches = [w for w in _watches(config, repos, env) if "issue" in w.kinds]
    if not watches and repos:
        raise UsageError(f"{', '.join(repos)}: watched for pulls only in repos.yaml, and new lists issues")
    if not watches:
        raise UsageError("no repo in repos.yaml watches issues; pass --repo OWNER/NAME")
    since = parse_since(since_text, env.now)
    from cmtriage.reports.new import NAME

    with github_client(env, wait_text) as client:
        result = _or_failed(NAME, NEW_TITLE, env, lambda: new_report(
            client, resolve(client, watches, config, env), config, env=env, since=since,
            mention=on_duty(env)))
    return emit(result, output, env)


def new_report(client: GitHub, resolved: Resolved, config: ReposConfig, *, env: Env, since: datetime,
               mention: str | None = None) -> Report:
    """The new-issues report of the resolved repos (those that watch issues)."""
    from cmtriage.models import SourceError
    from cmtriage.reports import new as report
    from cmtriage.sources.github import Plan, opened_since

    repos_by_name = {r.name: r for r in resolved.live.values()}
    fetched = client.fetch([Plan(repo, opened_since(since)) for repo in repos_by_name.values()])
    activities = {name: a for name, a in fetched.items() if not isinstance(a, SourceFailure)}
    commented = [Plan(a.repo, None, comments_since=since) for a in activities.values()
                 if report.needs_comments(a, resolved.people, since)]
    for name, found in client.fetch(commented).items():
        if isinstance(found, SourceFailure):
            fetched[name] = found
            del activities[name]
        else:
            activities[name] = replace(activities[name], since=found.since, comments=found.comments)
    errors = [*resolved.failed.values(),
              *(SourceError.of(f) for f in fetched.values() if isinstance(f, SourceFailure))]
    return report.build(list(activities.values()), people=resolved.people, now=env.now, since=since,
                        templates=config.replies, forum_url=config.forum.url if config.forum else None,
                        mention=mention, archived=_unique(resolved.archived.values()), errors=errors)

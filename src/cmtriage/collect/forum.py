"""The forum report from its sources: a Discourse forum (forum.url), Stack Overflow (stackoverflow:),
GitLab (gitlab:) and GitHub (forum.github, through the GitHub client the run's GitHub sections share).

Each source is asked on its own: one that fails is named in the report's errors and the others are
still listed. Nothing here prints a report; warnings go to the terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from cmtriage.collect import Run, first_failure, save_cache
from cmtriage.errors import SourceFailure, UsageError
from cmtriage.terminal import terminal

if TYPE_CHECKING:
    from cmtriage.collect import github as gh
    from cmtriage.config import ReposConfig, RepoWatch
    from cmtriage.models import Report, SourceError, Thread
    from cmtriage.reports.forum import Rules

SOURCES = ("forum", "stackoverflow", "gitlab", "github")  # in the order they are asked and counted
OPTION_NAMES = {"discourse": "forum", "stackoverflow": "stackoverflow", "gitlab": "gitlab",
                "github": "github"}  # --source -> the source's name
KEYS = {"forum": "forum.url", "stackoverflow": "stackoverflow", "gitlab": "gitlab", "github": "forum.github"}

Collected = tuple[list["Thread"], list["SourceError"]]


def configured(config: ReposConfig) -> list[str]:
    """The sources repos.yaml sets up."""
    present = {"forum": config.forum is not None, "stackoverflow": config.stackoverflow is not None,
               "gitlab": config.gitlab is not None, "github": bool(config.forum and config.forum.github)}
    return [s for s in SOURCES if present[s]]


def release(env, rotation_release: date | None = None) -> tuple[datetime | None, str | None]:
    """The latest release on or before now (rotation.yaml release_managers), or --release-date's day,
    as the team's midnight; and its version (None for --release-date)."""
    zone = env.team_timezone()
    if rotation_release is not None:
        return datetime.combine(rotation_release, time(), tzinfo=zone), None
    rotation = env.rotation_or_none()
    today = env.now.astimezone(zone).date()
    past = [m for m in (rotation.release_managers if rotation else ()) if m.date <= today]
    if not past:
        return None, None
    latest = max(past, key=lambda m: m.date)
    return datetime.combine(latest.date, time(), tzinfo=zone), latest.version


def rules(run: Run, config: ReposConfig) -> Rules:
    from cmtriage.config import REPOS_FILE
    from cmtriage.reports.forum import Rules

    days, said = run.option("forum_days"), "--days"
    if days is None:
        days = config.forum.unanswered_days if config.forum else 2
        said = f"{run.env.where(REPOS_FILE)}: forum.unanswered_days"
    max_days = run.option("max_days", 30)
    if days > max_days:
        raise UsageError(f"{said}: {days} is more than --max-days ({max_days}): nothing could be listed; "
                         f"pass --days {max_days} or less, or a larger --max-days")
    moment, name = release(run.env, run.option("release_date"))
    words = config.forum.enterprise_words if config.forum else ()
    return Rules(now=run.env.now, unanswered_days=days, max_days=max_days, release=moment, release_name=name,
                 words=words)


def section(run: Run) -> Report | None:
    """The forum report of the sources chosen (`sources` option; else every one set up); None when
    repos.yaml sets up none."""
    from cmtriage.models import SourceError
    from cmtriage.reports import forum as report

    config = run.env.repos()
    chosen = list(run.option("sources") or configured(config))
    if not chosen:
        return None
    chosen_rules = rules(run, config)
    threads: list[Thread] = []
    errors: list[SourceError] = []
    collectors: dict[str, Callable[[Run, ReposConfig, Rules], Collected]] = {
        "forum": discourse, "stackoverflow": stackoverflow, "gitlab": gitlab, "github": github}
    for source in chosen:
        try:
            found, failed = collectors[source](run, config, chosen_rules)
        except SourceFailure as failure:
            found, failed = [], [SourceError.of(failure)]
        threads += found
        errors += [replace(e, source=source) for e in failed]
    return report.build(threads, rules=chosen_rules, sources=chosen, here=run.option("here", False),
                        errors=errors)


def _errors(failures: Sequence[SourceFailure], noun: str) -> list[SourceError]:
    return [first_failure(failures, noun)] if failures else []


# --- Discourse ---------------------------------------------------------------------------------------------
def discourse(run: Run, config: ReposConfig, chosen: Rules) -> Collected:
    from cmtriage.reports.forum import matcher, needs_posts
    from cmtriage.sources import discourse as source

    forum = config.forum
    # Keyed by the key and the user it acts as (who may see private categories), exactly as sent.
    cache = run.env.cache("discourse", forum.url, ":".join(source.headers().values()) or None)
    with source.client(forum.url, budget=run.budget()) as http:
        site = source.Discourse(http, forum.url, bots=config.bots, staff_usernames=forum.staff_usernames,
                                cache=cache)
        site.staff_members(forum.staff_groups)
        threads = site.latest(chosen.oldest, site.categories())
        match = matcher(chosen.words)
        needed = [t for t in threads if needs_posts(t, chosen, match)]
        opened, failures = site.open_topics(needed)
    save_cache(cache)
    by_key = {t.key: t for t in opened}
    return [by_key.get(t.key, t) for t in threads], _errors(failures, "topic")


# --- Stack Overflow ----------------------------------------------------------------------------------------
def stackoverflow(run: Run, config: ReposConfig, chosen: Rules) -> Collected:
    from cmtriage.sources import stackexchange as source

    found = source.fetch(config.stackoverflow, oldest=chosen.oldest, budget=run.budget())
    if found.quota_low:
        terminal().warn(f"stackoverflow: {found.quota_remaining} of {found.quota_max} requests left "
                        "today (set STACKEXCHANGE_KEY for 10,000 a day)")
    return list(found.threads), []


# --- GitLab ------------------------------------------------------------------------------------------------
def gitlab(run: Run, config: ReposConfig, chosen: Rules) -> Collected:
    from datetime import timedelta

    from cmtriage.sources import gitlab as source

    threads, failures = source.fetch(config.gitlab, oldest=chosen.oldest,
                                     newest=chosen.now - timedelta(days=chosen.unanswered_days),
                                     bots=config.bots, budget=run.budget())
    return threads, _errors(failures, "issue")


# --- GitHub ------------------------------------------------------------------------------------------------
def github(run: Run, config: ReposConfig, chosen: Rules) -> Collected:
    """Community issues of forum.github opened within the window, with their comments, from the GitHub
    client the run shares (its cache, its rate limits, its staff and bot rules)."""
    from cmtriage.config import RepoWatch
    from cmtriage.sources.github import Plan, opened_since

    watches = [RepoWatch(repo=name) for name in config.forum.github]
    shared = _github(run, watches)
    client, resolved = shared.github, shared.resolved(watches)
    people = resolved.people
    repos = {r.name: r for r in resolved.live.values()}
    fetched = client.fetch([Plan(repo, opened_since(chosen.oldest), comments_since=chosen.oldest)
                            for repo in repos.values()])
    threads: list[Thread] = []
    failures: list[SourceFailure] = []
    errors = list(resolved.failed.values())
    for found in fetched.values():
        if isinstance(found, SourceFailure):
            failures.append(found)
            continue
        threads += [_issue_thread(issue, found.comments.get(issue.number, ()), people)
                    for issue in found.issues if issue.kind == "issue"]
    return threads, errors + _errors(failures, "repo")


def _github(run: Run, watches: list[RepoWatch]) -> gh.GitHubRun:
    """The run's GitHub: the one its GitHub sections share when repos.yaml watches repos (each repo and
    the staff asked once for all), else one of the forum's own."""
    from cmtriage.collect import github as gh

    try:
        return gh.shared(run)
    except UsageError:  # no github: watches: the forum's repos alone
        return run.shared("forum-github", lambda run: _forum_github(run, watches))


@contextmanager
def _forum_github(run: Run, watches: list[RepoWatch]) -> Iterator[gh.GitHubRun]:
    from cmtriage.collect import github as gh

    with gh.client(run.env, run.budget()) as client:
        yield gh.GitHubRun(client, run.env.repos(), watches, run.env)


def _issue_thread(issue, comments, people) -> Thread:
    from cmtriage.models import Post, Thread

    posts = [Post(issue.author, issue.created_at)]
    for comment in comments:
        bot = people.is_bot(comment.author, comment.author_type)
        posts.append(Post(comment.author, comment.created_at, bot=bot,
                          staff=not bot and people.is_staff(comment.author, comment.association)))
    last = max([issue.created_at, *(p.created_at for p in posts if not p.bot)])
    bot = people.is_bot(issue.author, issue.author_type)
    return Thread(source="github", key=f"{issue.repo}#{issue.number}", url=issue.url, title=issue.title,
                  author=issue.author, created_at=issue.created_at, last_activity_at=last,
                  author_staff=not bot and people.is_staff(issue.author, issue.association), author_bot=bot,
                  tags=issue.labels, posts=tuple(posts), posts_count=len(posts))

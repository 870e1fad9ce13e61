"""The UserVoice reports from UserVoice (or its export) and Jira.

UserVoice failing, or not set up, makes a report that says so; Jira failing keeps the UserVoice lists
(the status and completed lists are then marked incomplete, and the error makes the run exit 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cmtriage.collect import Run, save_cache
from cmtriage.errors import SourceFailure, UsageError

if TYPE_CHECKING:
    from cmtriage.config import Jira, UserVoice
    from cmtriage.models import Report, SourceError
    from cmtriage.sources.jira import Tickets
    from cmtriage.sources.uservoice import Suggestion

TITLE = "UserVoice ideas"  # of a report that could not be made


@dataclass(frozen=True)
class Gathered:
    suggestions: list[Suggestion]
    tickets: Tickets | None  # None: Jira not set up, or it failed (see errors)
    errors: tuple[SourceError, ...]
    uservoice: UserVoice
    jira: Jira | None


def _repos(run: Run):
    """repos.yaml's settings; with --from-file a missing repos.yaml is no error (nothing else is needed)."""
    if run.option("from_file") and not run.env.has_repos():
        from cmtriage.config import ReposConfig

        return ReposConfig()
    return run.env.repos()


def export_path(run: Run) -> Path | None:
    """--from-file, else repos.yaml uservoice.export (relative to the config folder)."""
    chosen = run.option("from_file")
    if chosen:
        return Path(chosen)
    config = _repos(run).uservoice
    if config and config.export:
        path = Path(config.export).expanduser()
        return path if path.is_absolute() else run.env.config_dir / path
    return None


def suggestions(run: Run) -> list[Suggestion]:
    """From the export, else the API. Raises UsageError (no credentials, a bad export) or SourceFailure."""
    from cmtriage.sources import uservoice as source

    path = export_path(run)
    if path is not None:
        return source.read_export(path)
    config = _repos(run).uservoice
    if config is None or config.url is None:
        from cmtriage.config import REPOS_FILE

        raise UsageError(f"{run.env.where(REPOS_FILE)}: no uservoice: url or export; add one like "
                         "`uservoice: {url: https://example.uservoice.com}`, or pass --from-file FILE")
    client_id, secret = source.credentials()
    cache = run.env.cache("uservoice", config.url, f"{client_id}:{secret}")
    found = source.fetch(config.url, client_id, secret, budget=run.budget(), cache=cache)
    save_cache(cache, "the UserVoice cache")
    return found


def tickets(run: Run, jira: Jira, keys: list[str]) -> Tickets:
    """The tickets of `keys`, through the cache. Raises UsageError (no credentials) or SourceFailure."""
    from cmtriage.sources.jira import JiraClient, credentials

    token, email = credentials(jira)
    cache = run.env.cache("jira", jira.url, f"{email or ''}:{token}")
    with JiraClient(jira, token, email, cache=cache, budget=run.budget()) as client:
        found = client.tickets(keys, run.env.now)
    save_cache(cache, "the Jira cache")
    return found


def gather(run: Run) -> Gathered:
    """Suggestions and their tickets. Jira failing, or its credentials missing, is an error of the
    report, which keeps the UserVoice lists."""
    from cmtriage.config import UserVoice
    from cmtriage.models import SourceError
    from cmtriage.reports.uservoice import linked_keys

    repos = _repos(run)
    config = repos.uservoice or UserVoice()
    found = suggestions(run)
    errors: list[SourceError] = []
    got = None
    if repos.jira is not None:
        keys = list(dict.fromkeys(key for s in found for key in linked_keys(s, repos.jira)))
        try:
            got = tickets(run, repos.jira, keys)
        except SourceFailure as failure:
            errors.append(SourceError.of(failure))
        except UsageError as missing:  # no credentials: the UserVoice lists still print
            errors.append(SourceError("jira", str(missing)))
    return Gathered(found, got, tuple(errors), config, repos.jira)


def _from_gathered(run: Run, make: Callable[[Gathered], Report]) -> Report:
    """`make(gathered)`, or a report saying why nothing could be gathered. A usage error (no credentials,
    a bad export) is the report's error in a digest, so its other sections still go out, and exit 2 for
    `cmtriage uservoice` (the run option `raise_usage_errors`)."""
    from cmtriage.models import Report, SourceError

    try:
        gathered = gather(run)
    except SourceFailure as failure:
        return Report.failed("uservoice", TITLE, SourceError.of(failure), run.env.now)
    except UsageError as problem:
        if run.option("raise_usage_errors"):
            raise
        return Report.failed("uservoice", TITLE, SourceError("uservoice", str(problem)), run.env.now)
    return make(gathered)


def section(run: Run) -> Report:
    """The four lists (the digest's section and `cmtriage uservoice`)."""
    from cmtriage.reports import uservoice as build

    return _from_gathered(run, lambda g: build.build(
        g.suggestions, now=run.env.now, uservoice=g.uservoice, jira=g.jira, tickets=g.tickets,
        errors=g.errors, mention=run.env.on_duty(), version=run.option("version")))


def release_manager(run: Run, version: str) -> str | None:
    """The Mattermost username of the release manager of `version` in rotation.yaml, or None."""
    from cmtriage.reports.uservoice import same_version

    rotation = run.env.rotation_or_none()
    if rotation is None:
        return None
    manager = next((m for m in rotation.release_managers if same_version(m.version, version)), None)
    member = rotation.member(manager.who) if manager else None
    return member.mention if member else None


def thank_you_section(run: Run) -> Report:
    from cmtriage.reports import uservoice as build
    from cmtriage.terminal import terminal

    version, tweet = run.option("version"), run.option("tweet")
    manager = release_manager(run, version)
    if manager is None:
        terminal().warn(f"rotation.yaml names no release manager for {version}: the thank-yous mention "
                        "nobody")
    return _from_gathered(run, lambda g: build.thank_you(
        g.suggestions, now=run.env.now, uservoice=g.uservoice, jira=g.jira, tickets=g.tickets,
        version=version, tweet=tweet, manager=manager, errors=g.errors))


def enterprise_section(run: Run) -> Report:
    from cmtriage.reports import uservoice as build

    def make(g: Gathered) -> Report:
        if g.jira is None:
            from cmtriage.config import REPOS_FILE

            raise UsageError(f"{run.env.where(REPOS_FILE)}: --enterprise needs jira: (the Enterprise label "
                             "is on the ideas' tickets); add one like `jira: {url: https://example.atlassian.net}`")
        return build.enterprise(g.suggestions, now=run.env.now, uservoice=g.uservoice, jira=g.jira,
                                tickets=g.tickets, errors=g.errors)

    return _from_gathered(run, make)

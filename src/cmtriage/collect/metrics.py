"""The metrics report from the GitHub source: per repo, one listing of every item touched since the window
began and one of every comment made since then (each a paged call, cached), through the run's shared
GitHub client and its resolved repos. Nothing here prints a report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cmtriage.collect import Run, or_failed
from cmtriage.collect.github import shared
from cmtriage.errors import SourceFailure

if TYPE_CHECKING:
    from cmtriage.collect.github import Resolved
    from cmtriage.config import RepoWatch
    from cmtriage.env import Env
    from cmtriage.models import Report
    from cmtriage.reports.metrics import Week
    from cmtriage.sources.github import GitHub

TITLE = "Community response by rotation week"  # of a report that could not be made
DEFAULT_WEEKS = 8


def section(run: Run) -> Report:
    """The metrics of the run's watches over `weeks` weeks up to the current one, in progress."""
    from cmtriage.reports.metrics import NAME, weeks

    gh = shared(run)
    chosen = weeks(run.env.rotation_or_none(), run.env.now, run.option("weeks", DEFAULT_WEEKS))
    return or_failed(NAME, TITLE, run, lambda: report(
        gh.github, gh.resolved(), gh.watches, env=run.env, weeks=chosen, mention=run.option("mention")))


def handoff_section(run: Run) -> Report | None:
    """The digest's section: on the rotation's hand-off day only (the first day of a rotation week in
    the team's time zone), the week just ended per repo, its trend over the weeks before it; else None."""
    from cmtriage.reports.metrics import NAME, weeks
    from cmtriage.rotation import local_date

    rotation = run.env.rotation_or_none()
    if rotation is None or local_date(rotation, run.env.now).weekday() != rotation.week_starts:
        return None
    gh = shared(run)
    chosen = weeks(rotation, run.env.now, run.option("weeks", DEFAULT_WEEKS), current=False)
    return or_failed(NAME, TITLE, run, lambda: report(
        gh.github, gh.resolved(), gh.watches, env=run.env, weeks=chosen, shown=1))


def report(github: GitHub, resolved: Resolved, watches: Sequence[RepoWatch], *, env: Env,
           weeks: Sequence[Week], mention: str | None = None, shown: int | None = None) -> Report:
    from cmtriage.models import SourceError
    from cmtriage.reports import metrics
    from cmtriage.sources.github import Plan, every_item_since

    live = resolved.live
    kinds: dict[str, frozenset[str]] = {}
    for watch in watches:
        if watch.repo in live:
            name = live[watch.repo].name
            kinds[name] = kinds.get(name, frozenset()) | watch.kinds
    since = weeks[0].begins
    repos = {r.name: r for r in live.values()}.values()
    fetched = github.fetch([Plan(repo, every_item_since(since), comments_since=since) for repo in repos])
    errors = [*resolved.failed.values(),
              *(SourceError.of(f) for f in fetched.values() if isinstance(f, SourceFailure))]
    activities = [a for a in fetched.values() if not isinstance(a, SourceFailure)]
    archived = list(dict.fromkeys(resolved.archived.values()))
    return metrics.build(activities, weeks=weeks, kinds=kinds, people=resolved.people, now=env.now,
                         mention=mention, shown=shown, archived=archived, errors=errors,
                         zone=str(env.team_timezone()))

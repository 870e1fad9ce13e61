"""The Zendesk report from the Zendesk source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmtriage.collect import Run
from cmtriage.errors import SourceFailure, UsageError

if TYPE_CHECKING:
    from cmtriage.config import Zendesk
    from cmtriage.env import Env
    from cmtriage.models import Report
    from cmtriage.sources.budget import WaitBudget

TITLE = "Zendesk tickets"  # of a report that could not be made


def section(run: Run) -> Report:
    """The tickets of repos.yaml's search; missing credentials are this report's error, so a digest's
    other sections still go out."""
    from cmtriage.models import Report, SourceError
    from cmtriage.sources import zendesk as source

    try:
        credentials = source.credentials()
    except UsageError as missing:
        return Report.failed(source.SOURCE, TITLE, SourceError(source.SOURCE, str(missing)), run.env.now)
    return report(run.env, run.env.repos().zendesk, credentials, budget=run.budget())


def command_report(run: Run) -> Report:
    """`cmtriage zendesk`'s report: without a zendesk: section or the credentials, a usage error
    saying what to add."""
    from cmtriage.config import REPOS_FILE
    from cmtriage.sources import zendesk as source

    env = run.env
    config = env.repos().zendesk
    if config is None:
        raise UsageError(f"{env.where(REPOS_FILE)}: no zendesk: section; add one like "
                         '`zendesk: {url: https://example.zendesk.com, query: "type:ticket status<solved '
                         'tags:community"}`')
    return report(env, config, source.credentials(), budget=run.budget())


def report(env: Env, config: Zendesk, credentials: tuple[str, str], *, budget: WaitBudget | None = None
           ) -> Report:
    """The tickets report; a failed search is the report's error, not an exception. `budget`: the
    run's --wait (shared with a digest's other sources); without one each wait is bounded alone."""
    from cmtriage.models import SourceError
    from cmtriage.reports import zendesk as build
    from cmtriage.sources import zendesk as source

    on_duty, handoff = build.people(env.rotation_or_none(), env.now)
    try:
        found, errors = source.fetch(config, *credentials, budget=budget), ()
        if found.incomplete:  # paging broke off: what came is listed, and the report says it is short
            errors = (SourceError(source.SOURCE, found.incomplete),)
    except SourceFailure as failure:
        found, errors = None, (SourceError.of(failure),)
    return build.build(found, now=env.now, handoff=handoff, on_duty=on_duty, errors=errors)

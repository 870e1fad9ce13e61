"""`cmtriage zendesk`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cmtriage.commands._common import Env, Output, emit, report_options
from cmtriage.errors import UsageError

if TYPE_CHECKING:
    from cmtriage.config import Zendesk
    from cmtriage.models import Report


@click.command()
@report_options
def zendesk(output: Output, env: Env) -> int:
    """List the Zendesk tickets sales flagged for the community PM, newest first.

    Runs the search in repos.yaml (`zendesk: {url, query}`) as an agent: set ZENDESK_EMAIL and
    ZENDESK_API_TOKEN. The heading mentions this week's community PM and the note says whom to
    @mention to reply in Zendesk (rotation.yaml `handoffs: {zendesk: ...}`), when rotation.yaml
    exists. Zendesk search returns at most 1,000 tickets; the report says when there were more.

    \b
    Example:
      ZENDESK_EMAIL=pm@example.com ZENDESK_API_TOKEN=... cmtriage zendesk
      cmtriage zendesk --format payload | while IFS= read -r body; do
        curl -H 'Content-Type: application/json' -d "$body" "$MATTERMOST_WEBHOOK_URL"; done
    """
    from cmtriage.config import REPOS_FILE
    from cmtriage.sources import zendesk as source

    config = env.repos().zendesk
    if config is None:
        raise UsageError(f"{env.config_dir / REPOS_FILE}: no zendesk: section; add one like "
                         '`zendesk: {url: https://example.zendesk.com, query: "type:ticket status<solved '
                         'tags:community"}`')
    return emit(zendesk_report(env, config, source.credentials()), output, env)


def zendesk_report(env: Env, config: Zendesk, credentials: tuple[str, str]) -> Report:
    """The tickets report; a failed search is the report's error, not an exception."""
    from cmtriage.config import ROTATION_FILE
    from cmtriage.errors import SourceFailure
    from cmtriage.models import SourceError
    from cmtriage.reports import zendesk as report
    from cmtriage.sources import zendesk as source

    rotation = env.rotation() if (env.config_dir / ROTATION_FILE).exists() else None
    on_duty, handoff = report.people(rotation, env.now)
    try:
        found, errors = source.fetch(config, *credentials), ()
    except SourceFailure as failure:
        found, errors = None, (SourceError.of(failure),)
    return report.build(found, now=env.now, handoff=handoff, on_duty=on_duty, errors=errors)

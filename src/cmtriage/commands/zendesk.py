"""`cmtriage zendesk`: the seed's channel 5, support tickets flagged for the community PM."""

from __future__ import annotations

import click

from cmtriage.commands._common import Env, Output, emit, report_options, wait_option


@click.command()
@wait_option
@report_options
def zendesk(wait_text: str, output: Output, env: Env) -> int:
    """List the Zendesk tickets sales flagged for the community PM, newest first.

    Runs the search in repos.yaml (`zendesk: {url, query}`) as an agent: set ZENDESK_EMAIL and
    ZENDESK_API_TOKEN. The heading mentions this week's community PM and the note says whom to
    @mention to reply in Zendesk (rotation.yaml `handoffs: {zendesk: ...}`), when rotation.yaml
    exists. Zendesk search returns at most 1,000 tickets; the report says when there were more.

    \b
    Example:
      ZENDESK_EMAIL=pm@example.com ZENDESK_API_TOKEN=... cmtriage zendesk
      cmtriage zendesk --format payload | while IFS= read -r body; do
        printf '%s' "$body" | curl -fsS -H 'Content-Type: application/json' --data-binary @- \\
          "$MATTERMOST_WEBHOOK_URL" >/dev/null || exit 1
      done
    """
    from cmtriage.collect import Run
    from cmtriage.collect.zendesk import command_report

    with Run(env, {"wait_text": wait_text}) as run:
        report = command_report(run)
    return emit(report, output, env)

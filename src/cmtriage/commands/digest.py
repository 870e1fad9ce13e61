"""`cmtriage digest`: the morning post, every report that repos.yaml sets up in one."""

from __future__ import annotations

import click

from cmtriage.commands._common import (
    Env,
    Output,
    cache_option,
    days_option,
    emit,
    report_options,
    since_option,
    wait_option,
)
from cmtriage.errors import UsageError


@click.command()
@days_option
@since_option
@wait_option
@cache_option
@report_options
def digest(days: int, since_text: str, wait_text: str, output: Output, env: Env) -> int:
    """Make the morning post: every report repos.yaml sets up, in one.

    One section for each report set up in repos.yaml: stale (github:), new (github: repos that watch
    issues), helpwanted (helpwanted:, its labels list over 7 days), forum (forum:, stackoverflow:,
    gitlab:), uservoice (uservoice:) and zendesk (zendesk:), each under its title with its count; on
    the rotation's hand-off day (the first day of a rotation week) also metrics (github:): the week just
    ended, per repo. The heading @mentions this week's community PM from rotation.yaml. A section
    whose source fails shows the error in its place, the others are still listed (and posted), and
    the exit code is 1. --days and --since mean what they mean for stale and new; --wait is one
    budget for every section's waits; GitHub is asked once for all its sections.

    \b
    Example:
      cmtriage digest
      cmtriage digest --post --only-changes
      cmtriage digest --format payload | while IFS= read -r body; do
        printf '%s' "$body" | curl -fsS -H 'Content-Type: application/json' --data-binary @- \\
          "$MATTERMOST_WEBHOOK_URL" >/dev/null || exit 1
      done
    """
    from cmtriage.collect import Run
    from cmtriage.collect.github import parse_since
    from cmtriage.config import REPOS_FILE
    from cmtriage.reports import digest as report
    from cmtriage.sections import SECTIONS, short_names

    config = env.repos()
    since = parse_since(since_text, env.now)
    enabled = [section for section in SECTIONS if section.enabled(config)]
    if not enabled:
        keys = ", ".join(f"{key}:" for key in dict.fromkeys(k for s in SECTIONS for k in s.keys))
        raise UsageError(f"{env.where(REPOS_FILE)}: sets up nothing for the digest; add one of {keys}")
    options = {"days": days, "since": since, "wait_text": wait_text}
    with Run(env, options) as run:
        sections = [made for section in enabled if (made := section.collector()(run)) is not None]
    local_day = f"{env.now.astimezone(env.team_timezone()):%a %Y-%m-%d}"
    built = report.build(sections, now=env.now, local_day=local_day, mention=env.on_duty(),
                         short=short_names())
    return emit(built, output, env)

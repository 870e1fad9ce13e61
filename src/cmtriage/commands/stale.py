"""`cmtriage stale`: the seed's channel 3, community issues and pulls nobody answered lately."""

from __future__ import annotations

import click

from cmtriage.commands._common import (
    Env,
    Output,
    cache_option,
    days_option,
    emit,
    repo_option,
    report_options,
    wait_option,
)


@click.command()
@days_option
@repo_option
@click.option("--activity", type=click.Choice(["human", "updated"]), default="human", show_default=True,
              help="human: creation, comments and pull reviews by people, not bots. updated: GitHub's "
                   "updated_at "
                   "(cheaper; a bot's comment or a label change counts).")
@wait_option
@cache_option
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
        printf '%s' "$body" | curl -fsS -H 'Content-Type: application/json' --data-binary @- \\
          "$MATTERMOST_WEBHOOK_URL" >/dev/null || exit 1
      done
    """
    from cmtriage.collect import Run
    from cmtriage.collect.github import stale_section

    options = {"repos": repos, "days": days, "activity": activity, "wait_text": wait_text,
               "mention": env.on_duty()}
    with Run(env, options) as run:
        report = stale_section(run)
    return emit(report, output, env)

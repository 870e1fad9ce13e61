"""`cmtriage forum`: the seed's channel 1, the daily "[Help Wanted] #forum" list."""

from __future__ import annotations

from datetime import date

import click

from cmtriage.commands._common import Env, Output, cache_option, emit, report_options, wait_option
from cmtriage.config import MAX_DAYS
from cmtriage.errors import UsageError


def _release_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date like 2026-12-16, got {value!r}") from None


@click.command()
@click.option("--days", type=click.IntRange(0, MAX_DAYS), default=None,
              help="List posts nobody answered for at least this many days  [default: repos.yaml "
                   "forum.unanswered_days, else 2]")
@click.option("--max-days", type=click.IntRange(1, MAX_DAYS), default=30, show_default=True,
              help="Leave out posts older than this (and community replies older than this).")
@click.option("--release-date", metavar="DATE", callback=_release_date,
              help="The latest release's date  [default: the latest rotation.yaml release_managers date "
                   "on or before today]")
@click.option("--source", "sources", multiple=True,
              type=click.Choice(["discourse", "stackoverflow", "gitlab", "github"]),
              help="Only this source (repeat for more)  [default: every one repos.yaml sets up]")
@click.option("--no-here", is_flag=True, help='Write the seed\'s "@here" as a plain "here" (notify nobody).')
@wait_option
@cache_option
@report_options
def forum(days: int | None, max_days: int, release_date: date | None, sources: tuple[str, ...],
          no_here: bool, wait_text: str, output: Output, env: Env) -> int:
    """List forum posts the community could answer: the daily "[Help Wanted] #forum" post.

    Three lists, from the Discourse forum (forum.url), Stack Overflow (stackoverflow.tagged), GitLab
    (gitlab.projects, gitlab.labels) and GitHub (forum.github):

    \b
      unanswered     a community member's post nobody else answered, --days to --max-days old
      after_release  a forum topic since the latest release about Enterprise features or upgrading
                     that no staff member answered (forum.enterprise_words adds words)
      reply_to_us    a forum topic where the team asked a question and the community answered

    Staff on the forum: a post's staff flag, forum.staff_groups and forum.staff_usernames. Markdown
    and payloads start with the seed's message and its live @here (--no-here: a plain "here").
    DISCOURSE_API_KEY/DISCOURSE_API_USERNAME, STACKEXCHANGE_KEY and GITLAB_TOKEN are optional.

    \b
    Example:
      cmtriage forum
      cmtriage forum --source discourse --days 3 --format json
      cmtriage forum --format payload | while IFS= read -r body; do
        printf '%s' "$body" | curl -fsS -H 'Content-Type: application/json' --data-binary @- \\
          "$MATTERMOST_WEBHOOK_URL" >/dev/null || exit 1
      done
    """
    from cmtriage.collect import Run
    from cmtriage.collect.forum import KEYS, OPTION_NAMES, configured, section
    from cmtriage.config import REPOS_FILE

    config = env.repos()
    present = configured(config)
    chosen = list(dict.fromkeys(OPTION_NAMES[s] for s in sources)) or present
    for source in chosen:
        if source not in present:
            raise UsageError(f"--source {source if source != 'forum' else 'discourse'}: "
                             f"{env.where(REPOS_FILE)} has no {KEYS[source]}")
    if not chosen:
        raise UsageError(f"{env.where(REPOS_FILE)}: no forum:, stackoverflow: or gitlab: section; add one "
                         "like `forum: {url: https://forum.example.com}`")
    options = {"sources": chosen, "forum_days": days, "max_days": max_days, "release_date": release_date,
               "here": not no_here, "wait_text": wait_text}
    with Run(env, options) as run:
        report = section(run)
    return emit(report, output, env)

"""`cmtriage helpwanted`: the seed's channel 4, Help Wanted issues to label, answer and follow up."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from cmtriage.commands._common import Env, Output, cache_option, emit, report_options, wait_option
from cmtriage.config import MAX_DAYS
from cmtriage.errors import UsageError


def _confirm(lines: Sequence[str]) -> bool:
    """With someone at the keyboard, show what --apply will add and ask; elsewhere (cron) go ahead."""
    if not sys.stdin.isatty():
        return True
    from cmtriage.models import counted
    from cmtriage.terminal import terminal

    screen = terminal()
    with screen.paused():  # the progress line would write over the question
        for line in lines:
            screen.say(line)
        return click.confirm(f"Add these labels to {counted(len(lines), 'issue')}?",
                             default=False, err=True)


@click.command()
@click.option("--since", "since_text", default="7d", show_default=True, metavar="DURATION|DATE",
              help="List to label the issues opened in the last DURATION (12h, 7d, 2w) or since DATE.")
@click.option("--follow-up-days", type=click.IntRange(1, MAX_DAYS), metavar="N",
              help="Follow up after more than N quiet days  [default: repos.yaml helpwanted.follow_up_days, "
                   "else 14]")
@click.option("--repo", "repos", multiple=True, metavar="OWNER/NAME",
              help="Only this repo (repeat for more) instead of repos.yaml helpwanted.repos.")
@click.option("--apply", "apply_labels", is_flag=True,
              help="Add the labels the issues' text names (those the repo has) on GitHub; asks first on a "
                   "terminal.")
@click.option("--yes", "-y", is_flag=True, help="With --apply: do not ask.")
@wait_option
@cache_option
@report_options
def helpwanted(since_text: str, follow_up_days: int | None, repos: tuple[str, ...], apply_labels: bool,
               yes: bool, wait_text: str, output: Output, env: Env) -> int:
    """List Help Wanted issues to label, contributors' questions to answer, and follow-ups.

    Reads the open issues carrying helpwanted.label (default "Help Wanted") in helpwanted.repos, in
    three lists. labels: issues opened in --since that lack a difficulty or technology label, or
    whose body lacks the Jira link or the contributors' block; add_labels maps what the description
    says ("Difficulty: Easy", "**Difficulty:** 2:Medium", "Language: Go, React", synonyms and old
    label names, repos.yaml helpwanted.label_map) onto the labels the repo has. questions: a
    community member commented last and no staff replied. follow_up: a contributor claimed the
    issue (a comment, an assignee who is not staff, an open pull that mentions it) and it has been
    quiet for more than --follow-up-days, waiting on them or on us; or it still carries Up For
    Grabs.

    --apply adds those labels through the API, one line per issue on stderr: never a label the repo
    lacks, never one twice, never removes one. A token that may not write gets one line per repo and
    exit 1; the report is printed either way. Token and cache as for stale.

    \b
    Example:
      cmtriage helpwanted
      cmtriage helpwanted --since 14d --format json
      cmtriage helpwanted --apply --yes
    """
    from cmtriage.collect import Run
    from cmtriage.collect.github import parse_since
    from cmtriage.collect.helpwanted import apply, section, targets

    if yes and not apply_labels:
        raise UsageError("--yes goes with --apply")
    since = parse_since(since_text, env.now)
    options = {"repos": repos, "helpwanted_since": since, "follow_up_days": follow_up_days,
               "wait_text": wait_text, "mention": env.on_duty()}
    with Run(env, options) as run:
        targets(run)  # a usage error before anything is asked
        report = section(run)
        if apply_labels:
            report = apply(run, report, confirm=None if yes else _confirm)
    return emit(report, output, env)

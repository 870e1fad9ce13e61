"""`cmtriage digest`: the morning post, every report that repos.yaml sets up in one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cmtriage.commands._common import Env, Output, emit, report_options
from cmtriage.commands.github import days_option, since_option, wait_option
from cmtriage.errors import SourceFailure, UsageError

if TYPE_CHECKING:
    from datetime import datetime

    from cmtriage.config import ReposConfig
    from cmtriage.models import Report


@click.command()
@days_option
@since_option
@wait_option
@report_options
def digest(days: int, since_text: str, wait_text: str, output: Output, env: Env) -> int:
    """Make the morning post: every report repos.yaml sets up, in one.

    One section for each report set up in repos.yaml: stale (github:), new (github: repos that watch
    issues) and zendesk (zendesk:), each under its title with its count. The heading @mentions this
    week's community PM from rotation.yaml. A section whose source fails shows the error in its place,
    the others are still listed (and posted), and the exit code is 1. --days, --since and --wait mean
    what they mean for stale and new; GitHub is asked once for both.

    \b
    Example:
      cmtriage digest
      cmtriage digest --post --only-changes
      cmtriage digest --format payload | while IFS= read -r body; do
        curl -H 'Content-Type: application/json' -d "$body" "$MATTERMOST_WEBHOOK_URL"; done
    """
    from cmtriage.commands.github import on_duty, parse_since
    from cmtriage.config import REPOS_FILE
    from cmtriage.reports import digest as report

    config = env.repos()
    since = parse_since(since_text, env.now)
    sections: list[Report] = []
    if config.github:
        sections += _github_sections(env, config, days=days, since=since, wait_text=wait_text)
    if config.zendesk:
        sections.append(_zendesk_section(env, config))
    if not sections:
        raise UsageError(f"{env.config_dir / REPOS_FILE}: sets up nothing for the digest; add github: repos "
                         "or a zendesk: search")
    built = report.build(sections, now=env.now, local_day=_local_day(env), mention=on_duty(env))
    return emit(built, output, env)


def _github_sections(env: Env, config: ReposConfig, *, days: int, since: datetime, wait_text: str
                     ) -> list[Report]:
    """stale and new from one GitHub client: the repos are resolved once and the cache is shared."""
    from cmtriage.commands.github import (
        NEW_TITLE,
        STALE_TITLE,
        github_client,
        new_report,
        resolve,
        stale_report,
    )
    from cmtriage.models import Report, SourceError
    from cmtriage.reports import new, stale

    watches = list(config.github)
    issue_watches = [w for w in watches if "issue" in w.kinds]
    with github_client(env, wait_text) as client:
        try:
            resolved = resolve(client, watches, config, env)
        except SourceFailure as failure:
            error = SourceError.of(failure)
            sections = [Report.failed(stale.NAME, STALE_TITLE, error, env.now)]
            if issue_watches:
                sections.append(Report.failed(new.NAME, NEW_TITLE, error, env.now))
            return sections
        sections = [stale_report(client, resolved, watches, env=env, days=days)]
        if issue_watches:
            sections.append(new_report(client, resolved.only(issue_watches), config, env=env, since=since))
    return sections


def _zendesk_section(env: Env, config: ReposConfig) -> Report:
    from cmtriage.commands.zendesk import zendesk_report
    from cmtriage.models import Report, SourceError
    from cmtriage.sources import zendesk as source

    try:
        credentials = source.credentials()
    except UsageError as missing:  # the other sections still go out; this one says what to set
        error = SourceError(source.SOURCE, str(missing))
        return Report.failed(source.SOURCE, "Zendesk tickets", error, env.now)
    return zendesk_report(env, config.zendesk, credentials)


def _local_day(env: Env) -> str:
    """Today as the team says it: in the rotation's time zone when there is a rotation.yaml, else UTC."""
    from cmtriage.config import ROTATION_FILE

    now = env.now
    if (env.config_dir / ROTATION_FILE).exists():
        now = now.astimezone(env.rotation().timezone)
    return f"{now:%a %Y-%m-%d}"

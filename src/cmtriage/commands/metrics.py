"""`cmtriage metrics`: is the team answering faster? Per rotation week, per repo, with a chart."""

from __future__ import annotations

from pathlib import Path

import click

from cmtriage.commands._common import (
    Env,
    Output,
    cache_option,
    emit,
    repo_option,
    report_options,
    wait_option,
)

MAX_WEEKS = 521  # 3,650 days, the most any cmtriage day count goes back


@click.command()
@click.option("--weeks", type=click.IntRange(1, MAX_WEEKS), default=8, show_default=True,
              help="How many rotation weeks, up to and including the current one (in progress).")
@repo_option
@click.option("--chart", "chart_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also draw the weeks into FILE.svg or FILE.png (needs matplotlib, cmtriage's "
                   "extra 'chart').")
@wait_option
@cache_option
@report_options
def metrics(weeks: int, repos: tuple[str, ...], chart_path: Path | None, wait_text: str, output: Output,
            env: Env) -> int:
    """Show how each rotation week went: community items opened, answered, closed, and how fast.

    One row per rotation week and repo, and one per week for all repos together ("all"), oldest
    week first. Weeks are
    rotation.yaml's (turning over at local midnight in its time zone, across DST changes), each
    with who was on duty, overrides included; without rotation.yaml, Monday to Sunday in UTC.

    An item counts in the week it was opened. Community items are those neither staff (OWNER or
    MEMBER, staff.logins, members of staff.orgs) nor a bot wrote, of the kinds the repo is watched
    for in repos.yaml (a --repo not there: issues). Answered: the team's first response came,
    whenever it came: the first comment by staff that is not a bot's or the author's own (a
    community member's reply does not count). Pull reviews are not read, so a pull answered only by
    a review counts as unanswered. Median h and P90 h: hours from opening to that first response
    over the answered items; the median of an even count is the mean of the two middle values, the
    90th percentile is by nearest rank (the ceil(0.9 n)-th smallest); empty (null) when nothing was
    answered. Closed: closed since, whenever. Waiting: still open at the week's end (now, for the
    current week) with the last human comment not the team's, as stale counts it. Trend: a
    sparkline of the repo's weekly medians from the first week to the row's ("·": nothing answered
    that week); JSON carries it as "trend".

    Cost: per repo, one listing of the items updated since the first week began and one of the
    comments made since then (paged, cached: a second run the same day costs no rate limit), never
    a request per item.

    \b
    Example:
      cmtriage metrics
      cmtriage metrics --weeks 12 --repo mattermost/mattermost --format json
      cmtriage metrics --chart response.svg
    """
    from cmtriage.collect import Run
    from cmtriage.collect.metrics import section

    if chart_path is not None:
        from cmtriage.chart import check

        check(chart_path)
    options = {"repos": repos, "weeks": weeks, "wait_text": wait_text, "mention": env.on_duty()}
    with Run(env, options) as run:
        report = section(run)
    if chart_path is not None and report.items:
        from cmtriage.chart import draw

        draw(report.items, chart_path, report.title)
    elif chart_path is not None:
        from cmtriage.terminal import terminal

        terminal().warn(f"--chart: nothing to draw; {chart_path} was not written")
    return emit(report, output, env)

"""`cmtriage uservoice`: the seed's channel 2, feature ideas for the community PM, thank-yous after a
release, and the sales spreadsheet of Enterprise ideas."""

from __future__ import annotations

from pathlib import Path

import click

from cmtriage.commands._common import Env, Output, cache_option, emit, report_options, wait_option
from cmtriage.errors import UsageError


@click.command()
@click.option("--from-file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Read a suggestions export (CSV with a header row, or the API's JSON) instead of "
                   "UserVoice's API  [default: repos.yaml uservoice.export]")
@click.option("--version", "version", metavar="X.Y",
              help="The release: the completed list's (default: the latest released fix version), "
                   "and the one --thank-you thanks for.")
@click.option("--thank-you", is_flag=True,
              help="Print the seed's thank-you for each nominator of the ideas completed in --version.")
@click.option("--tweet", metavar="URL", help="With --thank-you: the release announcement to re-tweet.")
@click.option("--enterprise", is_flag=True,
              help="List every idea whose ticket carries jira.enterprise_label (the sales spreadsheet: "
                   "use --format csv).")
@wait_option
@cache_option
@report_options
def uservoice(from_file: Path | None, version: str | None, thank_you: bool, tweet: str | None,
              enterprise: bool, wait_text: str, output: Output, env: Env) -> int:
    """List the UserVoice feature ideas the community PM should act on.

    Four lists, each item saying which and why:

    \b
    status     the idea's status differs from the one its Jira tickets imply (the most
               advanced ticket decides): Under Review = a ticket, no plan yet; Planned = a
               fix version or a spec marked done; Started = in an active sprint; Help Wanted
               = jira.help_wanted_label; Completed = resolved as done; Declined = resolved
               as won't do. Names and signs: repos.yaml uservoice.statuses.
    question   open ideas with no ticket that are too vague to spec: under 25 words, or under
               60 words with no use case or steps ("because", "so that", "when we"...), or a
               question from the team (an admin comment with "?") nobody answered.
    volunteer  the requester or a commenter offers to build it ("I'd like to work on this",
               "I can submit a PR", "happy to contribute"...), with the words that matched.
    completed  ideas whose ticket first shipped in --version, else the latest released fix
               version (the released one with the latest release date).

    An idea links to tickets by keys in its text, admin notes or status note (MM-123 for
    jira.project, or a link to the jira.url site). A key Jira does not know is named on its idea
    ("MM-123 not found"). If Jira fails, the UserVoice lists still print (the status and completed
    lists marked incomplete) and the exit code is 1.

    Credentials: USERVOICE_CLIENT_ID and USERVOICE_CLIENT_SECRET (a trusted API key), JIRA_EMAIL and
    JIRA_API_TOKEN (Cloud), or JIRA_TOKEN (jira.flavor: datacenter). With --from-file or
    uservoice.export no UserVoice request is made.

    \b
    Example:
      cmtriage uservoice
      cmtriage uservoice --from-file suggestions.csv --format json
      cmtriage uservoice --thank-you --version 11.2 --tweet https://x.com/mattermost/status/1
      cmtriage uservoice --enterprise --format csv -o enterprise.csv
    """
    from cmtriage.collect import Run
    from cmtriage.collect import uservoice as collect

    if thank_you and not version:
        raise UsageError("--thank-you needs --version X.Y (the release to thank for)")
    if thank_you and not tweet:
        raise UsageError("--thank-you needs --tweet URL (the announcement to re-tweet)")
    if tweet and not thank_you:
        raise UsageError("--tweet goes with --thank-you")
    if tweet:
        from cmtriage.text import clean

        if clean(tweet) != tweet or not tweet.startswith(("https://", "http://")) or " " in tweet:
            raise UsageError(f"--tweet: expected an http(s) URL, got {clean(tweet)!r}")
    if thank_you and enterprise:
        raise UsageError("--thank-you and --enterprise are two reports: pick one")
    options = {"from_file": from_file, "version": version, "tweet": tweet, "wait_text": wait_text,
               "raise_usage_errors": True}
    with Run(env, options) as run:
        if thank_you:
            report = collect.thank_you_section(run)
        elif enterprise:
            report = collect.enterprise_section(run)
        else:
            report = collect.section(run)
    return emit(report, output, env)

"""`cmtriage jira ticket URL`: the seed's "create a Jira ticket for a reproducible bug and link it"."""

from __future__ import annotations

import click

from cmtriage.commands._common import Env, context_options


@click.group()
def jira() -> None:
    """Jira tickets for the reports the community sends.

    \b
    Example:
      cmtriage jira ticket https://github.com/mattermost/mattermost/issues/123
    """


@jira.command()
@click.argument("url")
@click.option("--create", is_flag=True, help="Create the ticket (after checking none holds the link yet).")
@context_options
def ticket(url: str, create: bool, env: Env) -> None:
    """Draft a Jira ticket for a reproducible bug reported at URL, or with --create create it.

    URL is a GitHub issue (https://github.com/OWNER/REPO/issues/N) or a topic of repos.yaml's
    forum.url. The draft: the report's title as summary, a description quoting the report with its
    address, the project and labels of repos.yaml `jira: {project, labels}`.

    Never a second ticket for one report: Jira is first searched for the address (its text search
    matches words), and a ticket found is read to check it holds that exact address; if one does, it
    is printed instead and nothing is created. With --create the new ticket's link and a ready reply
    for the reporter are printed.

    Credentials: JIRA_EMAIL and JIRA_API_TOKEN (Cloud), JIRA_TOKEN (jira.flavor: datacenter);
    GITHUB_TOKEN for a private repo's issue.

    \b
    Example:
      cmtriage jira ticket https://github.com/mattermost/mattermost/issues/123
      cmtriage jira ticket https://forum.mattermost.com/t/push-fails/4512 --create
    """
    from cmtriage.collect import jira as collect

    click.echo("\n".join(collect.ticket(env, url, create=create)))

"""`cmtriage jira ticket URL`: the seed's "create a Jira ticket for a reproducible bug and link it"."""

from __future__ import annotations

import click

from cmtriage.commands._common import Env, context_options
from cmtriage.errors import UsageError


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
    from cmtriage.config import REPOS_FILE
    from cmtriage.reports.jira_ticket import draft, reply
    from cmtriage.sources import origin
    from cmtriage.sources.jira import JiraClient, credentials
    from cmtriage.text import clean

    repos = env.repos()
    config = repos.jira
    if config is None or not config.project:
        raise UsageError(f"{env.where(REPOS_FILE)}: jira ticket needs jira: {{url, project}}; add one like "
                         "`jira: {url: https://example.atlassian.net, project: MM, labels: [community]}`")
    token, email = credentials(config)
    reported = origin.read(url, forum=repos.forum.url if repos.forum else None)
    lines: list[str] = []
    with JiraClient(config, token, email) as client:
        found = client.find_link(reported.url, config.project)
        if found is not None:
            lines += [f"Already in Jira: {found.key} {found.url} holds {reported.url}; nothing created.",
                      f"  summary: {clean(found.summary)}",
                      "Reply for the reporter:",
                      f"  {reply(reported, found.url, created=False)}"]
            click.echo("\n".join(lines))
            return
        made = draft(reported, project=config.project, labels=config.labels)
        if create:
            key = client.create(config.project, made.summary, made.description(client.cloud), made.labels)
            link = f"{client.base}/browse/{key}"
            lines += [f"Created {key}: {link}", "Reply for the reporter:",
                      f"  {reply(reported, link, created=True)}"]
            click.echo("\n".join(lines))
            return
    lines += [f"Jira ticket for {reported.url} (not created: add --create):",
              f"  project: {made.project}",
              f"  summary: {made.summary}",
              f"  labels: {', '.join(made.labels) or '(none)'}",
              "  description:",
              f"    {made.intro}"]
    lines += [f"    > {clean(line)}".rstrip() for line in made.quote.splitlines()]
    click.echo("\n".join(lines))

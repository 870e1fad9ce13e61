"""`jira ticket`: the report at a URL -> its Jira ticket, found or drafted or created, as the lines to
print; printing nothing itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmtriage.errors import UsageError

if TYPE_CHECKING:
    from cmtriage.env import Env


def ticket(env: Env, url: str, *, create: bool) -> list[str]:
    """The lines that say what became of the report at `url`: the ticket that already holds its address,
    the one created (`create`), or the draft."""
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
    with JiraClient(config, token, email) as client:
        found = client.find_link(reported.url, config.project)
        if found is not None:
            return [f"Already in Jira: {found.key} {found.url} holds {reported.url}; nothing created.",
                    f"  summary: {clean(found.summary)}",
                    "Reply for the reporter:",
                    f"  {reply(reported, found.url, created=False)}"]
        made = draft(reported, project=config.project, labels=config.labels)
        if create:
            key = client.create(config.project, made.summary, made.description(client.cloud), made.labels)
            link = f"{client.base}/browse/{key}"
            return [f"Created {key}: {link}", "Reply for the reporter:",
                    f"  {reply(reported, link, created=True)}"]
    lines = [f"Jira ticket for {reported.url} (not created: add --create):",
             f"  project: {made.project}",
             f"  summary: {made.summary}",
             f"  labels: {', '.join(made.labels) or '(none)'}",
             "  description:",
             f"    {made.intro}"]
    return lines + [f"    > {clean(line)}".rstrip() for line in made.quote.splitlines()]

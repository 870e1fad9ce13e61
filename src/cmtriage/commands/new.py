"""`cmtriage new`: the seed's first step on a new post, its type and the answer for that type."""

from __future__ import annotations

import click

from cmtriage.commands._common import (
    Env,
    Output,
    cache_option,
    emit,
    repo_option,
    report_options,
    since_option,
    wait_option,
)


@click.command()
@since_option
@repo_option
@wait_option
@cache_option
@report_options
def new(since_text: str, repos: tuple[str, ...], wait_text: str, output: Output, env: Env) -> int:
    """List the issues the community opened lately, each with its post type and a reply.

    Looks at the repos in repos.yaml that watch issues. Each issue opened in the window by
    someone who is neither staff nor a bot gets its post type (Bug, Feature Proposal,
    Troubleshooting, Developer/Product Question), the reason for the guess ("Why"), and the
    seed's answer for that type as a ready reply.

    The type comes from the issue's own type label (repos.yaml `types:`, Type/Bug, enhancement,
    ...) when it has one; else from the model `cmtriage learn` saved, when there is one ("learned:"
    and the words that weighed most); else from rules: the template's own answer ("Issue type:
    Support"), template headings, a title that starts like a request (Add, Support, Allow, ...) or a
    question (How, Why, Can, Is, ...), and telling words (not inside URLs, paths, code,
    identifiers, HTML comments, checklists or <details>). When nothing matches, the issue is
    listed as a Developer/Product Question with the reason "no strong signal".

    Replies come from repos.yaml `replies:` (keyed by post type; {author}, {forum_url},
    {feature_ideas_url} and {docs_url} are filled in), else the defaults.

    \b
    Example:
      cmtriage new
      cmtriage new --since 2026-11-20 --repo mattermost/mattermost --format json
    """
    from cmtriage.collect import Run
    from cmtriage.collect.github import config, issue_watches, new_section, parse_since

    issue_watches(config(env, repos), repos, env)  # a usage error before anything else is asked
    since = parse_since(since_text, env.now)
    options = {"repos": repos, "issues_only": True, "since": since, "wait_text": wait_text,
               "mention": env.on_duty()}
    with Run(env, options) as run:
        report = new_section(run)
    return emit(report, output, env)

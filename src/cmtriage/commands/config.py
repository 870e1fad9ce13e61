"""`cmtriage config check`."""

from __future__ import annotations

import click

from cmtriage.commands._common import Env, context_options


@click.group()
def config() -> None:
    """Check the configuration files."""


@config.command()
@context_options
def check(env: Env) -> None:
    """Validate repos.yaml and rotation.yaml and say what they set up.

    Exits 2 with one line naming the file, line and key of the first mistake.

    \b
    Example:
      cmtriage config check --config-dir ~/team-config
    """
    repos = env.repos()
    rotation = env.rotation()
    watched = ", ".join(f"{w.repo} ({w.watch})" for w in repos.github) or "none"
    sources = [name for name in ("helpwanted", "forum", "stackoverflow", "uservoice", "jira", "zendesk")
               if getattr(repos, name) is not None]
    click.echo(f"repos.yaml: {len(repos.github)} GitHub watches: {watched}")
    click.echo(f"repos.yaml: other sources: {', '.join(sources) or 'none'}")
    click.echo(f"repos.yaml: staff orgs {', '.join(repos.staff.orgs) or 'none'}, "
               f"{len(repos.staff.logins)} staff logins, {len(repos.bots)} bots")
    names = ", ".join(sorted(m.name for m in rotation.members))
    click.echo(f"rotation.yaml: {len(rotation.members)} members ({names}), time zone {rotation.timezone.key}, "
               f"{len(rotation.overrides)} overrides")
    click.echo(f"config OK in {env.config_dir.resolve()}")

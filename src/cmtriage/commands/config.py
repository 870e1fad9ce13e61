"""`cmtriage config check`."""

from __future__ import annotations

import click

from cmtriage.cli import SuggestingGroup
from cmtriage.commands._common import Env, context_options


@click.group(cls=SuggestingGroup)
def config() -> None:
    """Check the configuration files.

    \b
    Example:
      cmtriage config check
    """


@config.command()
@context_options
def check(env: Env) -> None:
    """Validate repos.yaml and rotation.yaml and say what they set up.

    Exits 2 with one line naming the file, line and key of the first mistake, like
    `rotation.yaml:7: members[2].from: expected a date like 2026-12-07, got "next week"`.

    \b
    Example:
      cmtriage config check --config-dir ~/team-config
    """
    from cmtriage.config import REPOS_FILE, ROTATION_FILE, SOURCE_KEYS, WEEKDAYS
    from cmtriage.sections import read_keys
    from cmtriage.text import clean  # values from the files: no bidi override or escape reaches the terminal

    repos = env.repos()
    rotation = env.rotation()
    lines = [f"{env.where(REPOS_FILE)}: OK", f"  GitHub: {len(repos.github)} watches"]
    width = max((len(clean(w.repo)) for w in repos.github), default=0)
    for watch in repos.github:
        days = f", stale after {watch.stale_days} days" if watch.stale_days else ""
        lines.append(f"    {clean(watch.repo):<{width}}  {watch.watch}{days}")
    set_up = [name for name in SOURCE_KEYS if getattr(repos, name) is not None]
    used = [name for name in set_up if name in read_keys()]
    unused = [name for name in set_up if name not in read_keys()]
    lines.append(f"  other sources: {', '.join(used) or 'none'}")
    if unused:  # valid config for reports cmtriage does not have yet: say so rather than imply they run
        lines.append(f"  set up, but no cmtriage report reads them yet: {', '.join(unused)}")
    lines += [
        f"  staff: orgs {', '.join(map(clean, repos.staff.orgs)) or 'none'}; "
        f"{len(repos.staff.logins)} more logins; "
        f"{len(repos.bots)} bots",
        f"{env.where(ROTATION_FILE)}: OK",
        "  members: " + ", ".join(f"{clean(m.name)} (@{clean(m.mention)})"
                                  for m in sorted(rotation.members, key=lambda m: m.name.casefold())),
        f"  time zone {clean(rotation.timezone.key)}; weeks start on {WEEKDAYS[rotation.week_starts]}; "
        f"first week holds {rotation.start}",
        f"  {len(rotation.overrides)} overrides, {len(rotation.release_managers)} release managers",
    ]
    click.echo("\n".join(lines))

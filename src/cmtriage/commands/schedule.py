"""`cmtriage schedule`: the morning job for GitHub Actions, cron or systemd."""

from __future__ import annotations

from pathlib import Path

import click

from cmtriage.commands._common import Env, context_options, write_text
from cmtriage.errors import UsageError
from cmtriage.jobs import KINDS


@click.command()
@click.argument("kind", required=False, type=click.Choice(KINDS))
@click.option("--at", "at_text", default="09:00", show_default=True, metavar="HH:MM",
              help="When, in the rotation's time zone (UTC without rotation.yaml).")
@click.option("--days", type=click.Choice(("weekdays", "daily")), default="weekdays", show_default=True,
              help="Which days.")
@click.option("--cmtriage", "program", metavar="PATH",
              help="The cmtriage that cron and systemd run  [default: this one's path]")
@click.option("-o", "--output", "output_path", type=click.Path(path_type=Path),
              help="Write KIND to this file (systemd: into this folder, the .service and the .timer).")
@context_options
def schedule(kind: str | None, at_text: str, days: str, program: str | None, output_path: Path | None,
             env: Env) -> None:
    """Print (or write) the morning job: `cmtriage digest --post --only-changes` on a schedule.

    KIND is actions (a GitHub Actions workflow), cron (a crontab line) or systemd (a user timer and
    its service); without it, all three are printed. The secrets the digest reads (from the sources
    repos.yaml sets up) are named, never filled in. The cache and state folders, where the last
    post's memory lives, are kept between runs (actions/cache in Actions).

    \b
    Example:
      cmtriage schedule actions -o .github/workflows/cmtriage.yml
      cmtriage schedule cron --at 08:30
      cmtriage schedule systemd -o ~/.config/systemd/user
    """
    import re
    import shutil
    from datetime import time

    from cmtriage import jobs

    written = re.match(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$", at_text.strip())
    if not written:
        raise UsageError(f"--at: expected a time like 09:00, got {at_text!r}")
    at = time(int(written[1]), int(written[2]))
    if output_path and not kind:
        raise UsageError("-o goes with a KIND: actions, cron or systemd")
    tz = env.team_timezone()
    needed = jobs.variables(env.repos() if env.has_repos() else None)
    job = jobs.Job(at=at, tz=tz, tz_name=getattr(tz, "key", "UTC"),
                   days=days, secrets=needed, config_dir=str(env.config_dir.resolve()),
                   program=program or shutil.which("cmtriage") or "cmtriage", now=env.now)
    if kind == "systemd" and output_path:
        _make(output_path)
        for suffix, text in (("service", jobs.service(job)), ("timer", jobs.timer(job))):
            write_text(text, output_path / f"{jobs.UNIT}.{suffix}")
        click.echo(f"Wrote {output_path / jobs.UNIT}.service and .timer.", err=True)
        return
    if kind == "systemd":
        text = jobs.service(job) + "\n" + jobs.timer(job)
    elif kind:
        text = {"actions": jobs.actions, "cron": jobs.cron}[kind](job)
    else:
        text = jobs.everything(job)
    if output_path:
        _make(output_path.parent)
    write_text(text, output_path)
    if output_path:
        click.echo(f"Wrote {output_path}.", err=True)


def _make(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {folder}: {exc.strerror}") from None

"""`cmtriage schedule`: the morning job, written out for the scheduler a team already has.

Pure text: a GitHub Actions workflow, a crontab line, and a systemd timer with its service, each running
`cmtriage digest --post --only-changes` at a time of the team's day. Secrets are named, never filled in:
the workflow reads them from the repository's Actions secrets, cron and systemd from a private file of
VARIABLE=value lines. The cache and state directories (the HTTP cache, the last post's memory, local
snoozes) stay between runs: in the home folder for cron and systemd, through actions/cache in Actions.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cmtriage.config import ReposConfig

KINDS = ("actions", "cron", "systemd")
COMMAND = ("digest", "--post", "--only-changes")
UNIT = "cmtriage-morning"
SECRETS_FILE = "~/.config/cmtriage/secrets.env"
_DAYS = {"weekdays": ("1-5", "Mon..Fri", "Monday to Friday"), "daily": ("*", "*", "every day")}


@dataclass(frozen=True)
class Job:
    at: time  # in the team's time zone
    tz: tzinfo
    tz_name: str  # "America/Toronto", "UTC"
    days: str  # "weekdays" | "daily"
    secrets: tuple[str, ...]  # the environment variables the run needs, secrets and not
    config_dir: str  # absolute, for cron and systemd; the workflow runs in the checkout
    program: str  # the cmtriage executable, for cron and systemd
    now: datetime

    def command(self, program: str, config_dir: str) -> str:
        return shlex.join([program, *COMMAND, "--config-dir", config_dir])

    def utc(self) -> time:
        """`at` in UTC on today's date (GitHub's schedule knows no time zone, and clocks change)."""
        local = datetime.combine(self.now.astimezone(self.tz).date(), self.at, tzinfo=self.tz)
        return local.astimezone(UTC).time()


def variables(config: ReposConfig | None) -> tuple[str, ...]:
    """What the digest needs from the environment for the sections repos.yaml sets up (GitHub's token
    without repos.yaml). Optional ones (DISCOURSE_API_KEY, STACKEXCHANGE_KEY, GITLAB_TOKEN) are left to
    the user: a workflow naming a secret nobody made would pass it on empty."""
    names = ["MATTERMOST_WEBHOOK_URL"]
    if config is None or config.github or config.helpwanted or (config.forum and config.forum.github):
        names.append("GITHUB_TOKEN")
    if config is not None and config.zendesk:
        names += ["ZENDESK_EMAIL", "ZENDESK_API_TOKEN"]
    if config is not None and config.uservoice:
        if config.uservoice.url and not config.uservoice.export:
            names += ["USERVOICE_CLIENT_ID", "USERVOICE_CLIENT_SECRET"]
        if config.jira and config.jira.flavor == "datacenter":  # the UserVoice section reads the tickets
            names.append("JIRA_TOKEN")
        elif config.jira:
            names += ["JIRA_EMAIL", "JIRA_API_TOKEN"]
    return tuple(names)


def _secret_name(variable: str) -> str:
    # Actions keeps GITHUB_* names for itself; its own GITHUB_TOKEN sees only this repository.
    return f"CMTRIAGE_{variable}" if variable.startswith("GITHUB_") else variable


def actions(job: Job) -> str:
    cron, _, said = _DAYS[job.days]
    at = job.utc()
    env = "\n".join(f"          {name}: ${{{{ secrets.{_secret_name(name)} }}}}" for name in job.secrets)
    paths = "            .cmtriage/cache\n            .cmtriage/state"
    local = f"{job.at:%H:%M} {job.tz_name}"
    from cmtriage import __version__ as version

    today = f"{job.now.astimezone(job.tz):%Y-%m-%d}"

    return f"""\
# cmtriage's morning post: {said} at {local}, posting only when the list changed.
# Put this file in .github/workflows/ of the repository that holds repos.yaml (and rotation.yaml,
# snoozes.yaml). Add these Actions secrets (Settings > Secrets and variables > Actions):
{_secret_lines(job.secrets)}
# GitHub's schedule is in UTC: {local} is {at:%H:%M} UTC on {today}; move the cron line when
# the clocks change. The cache and state folders (the last post's memory above all) are kept
# between runs with actions/cache, saved even when a source failed.
name: cmtriage morning post
"on":
  schedule:
    - cron: "{at.minute} {at.hour} * * {cron}"
  workflow_dispatch: {{}}
permissions:
  contents: read
concurrency:
  group: cmtriage-morning
  cancel-in-progress: false
jobs:
  post:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    env:
      XDG_CACHE_HOME: ${{{{ github.workspace }}}}/.cmtriage/cache
      XDG_STATE_HOME: ${{{{ github.workspace }}}}/.cmtriage/state
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install cmtriage
        run: pip install "cmtriage=={version}"
      - name: Restore the cache and state
        uses: actions/cache/restore@v4
        with:
          path: |
{paths}
          key: cmtriage-${{{{ github.run_id }}}}
          restore-keys: cmtriage-
      - name: Post the digest
        env:
{env}
        run: {job.command("cmtriage", ".")}
      - name: Save the cache and state
        if: always()
        uses: actions/cache/save@v4
        with:
          path: |
{paths}
          key: cmtriage-${{{{ github.run_id }}}}
"""


def _secret_lines(names: Sequence[str]) -> str:
    return "\n".join(f"#   {_secret_name(name)}" + (f" (read as {name})" if name.startswith("GITHUB_") else
                                                          "") for name in names)


def cron(job: Job) -> str:
    cron_days, _, said = _DAYS[job.days]
    command = job.command(job.program, job.config_dir).replace("%", "\\%")  # cron reads % as a newline
    return f"""\
# cmtriage's morning post: {said} at {job.at:%H:%M} {job.tz_name}. Add it with `crontab -e`.
# {SECRETS_FILE} (chmod 600) holds one VARIABLE=value line for each of:
#   {' '.join(job.secrets)}
# CRON_TZ is read by cronie (Fedora, RHEL, Arch); other crons go by the machine's time zone.
CRON_TZ={job.tz_name}
{job.at.minute} {job.at.hour} * * {cron_days} set -a && . {SECRETS_FILE} && {command}
"""


def service(job: Job) -> str:
    return f"""\
# ~/.config/systemd/user/{UNIT}.service: the morning post, run by {UNIT}.timer.
# {SECRETS_FILE} (chmod 600) holds one VARIABLE=value line for each of:
#   {' '.join(job.secrets)}
[Unit]
Description=cmtriage morning post
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
EnvironmentFile=%h/.config/cmtriage/secrets.env
ExecStart={job.command(job.program, job.config_dir).replace("%", "%%")}
"""


def timer(job: Job) -> str:
    _, calendar, said = _DAYS[job.days]
    return f"""\
# ~/.config/systemd/user/{UNIT}.timer: {said} at {job.at:%H:%M} {job.tz_name}. Turn it on with
#   systemctl --user daemon-reload && systemctl --user enable --now {UNIT}.timer
# (and `loginctl enable-linger` for it to run while you are logged out).
[Unit]
Description=cmtriage morning post, {said} at {job.at:%H:%M} {job.tz_name}

[Timer]
OnCalendar={calendar} *-*-* {job.at:%H:%M}:00 {job.tz_name}
Persistent=true

[Install]
WantedBy=timers.target
"""


def everything(job: Job) -> str:
    """All three, one after the other, for a reader choosing."""
    return "\n".join([
        "# ---- GitHub Actions: .github/workflows/cmtriage.yml ----", actions(job),
        "# ---- cron ----", cron(job),
        f"# ---- systemd: {UNIT}.service ----", service(job),
        f"# ---- systemd: {UNIT}.timer ----", timer(job),
    ])

# ruff: noqa: F811 (fixtures imported from test_digest are used as arguments)
"""`cmtriage schedule`: a workflow GitHub Actions accepts, a cron line and a systemd timer, each running a
command line the real CLI parses (and, for the workflow, runs against the fakes)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from cmtriage import __version__
from cmtriage.cli import cli
from fakes.mattermost import running
from test_digest import configured, github, zendesk  # noqa: F401

ROTATION = "timezone: America/Toronto\nstart: 2026-01-05\nmembers: [{name: Eric}]\n"
NOW = "2026-11-24T12:00:00Z"  # winter: Toronto is UTC-5
PROGRAM = "/opt/cmtriage/bin/cmtriage"


@pytest.fixture
def team(write_config, monkeypatch) -> Path:
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    return write_config(repos="github: [{repo: o/r}]\nzendesk: {url: 'https://x.zendesk.com'}\n",
                        rotation=ROTATION)


def schedule(run_cli, *args: str) -> str:
    code, out, err = run_cli("schedule", "--cmtriage", PROGRAM, *args)
    assert (code, err) == (0, "")
    return out


def parsed(command_line: str) -> dict:
    """The digest's parameters as the real CLI parses `command_line` (nothing runs)."""
    program, *args = shlex.split(command_line)
    assert program in ("cmtriage", PROGRAM)
    name, *rest = args
    group = cli.make_context("cmtriage", [name], resilient_parsing=True)
    command = cli.get_command(group, name)
    assert name == "digest" and isinstance(command, click.Command)
    return command.make_context(name, rest, parent=group).params


def test_the_workflow_is_one_github_actions_accepts(team: Path, run_cli, monkeypatch):
    monkeypatch.setenv("MATTERMOST_WEBHOOK_URL", "https://chat.example.com/hooks/s3cret-hook")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_s3cret")
    text = schedule(run_cli, "actions")
    assert "s3cret" not in text
    workflow = yaml.safe_load(text)
    assert set(workflow) >= {"name", "on", "jobs"}  # "on" quoted: no YAML 1.1 reader takes it for true
    assert workflow["on"] == {"schedule": [{"cron": "0 14 * * 1-5"}], "workflow_dispatch": {}}
    assert workflow["permissions"] == {"contents": "read"}
    [(job_id, job)] = workflow["jobs"].items()
    assert re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", job_id) and job["runs-on"] == "ubuntu-latest"
    assert all(set(step) & {"uses", "run"} and not {"uses", "run"} <= set(step) for step in job["steps"])
    uses = [step.get("uses") for step in job["steps"]]
    assert uses == ["actions/checkout@v4", "actions/setup-python@v5", None, "actions/cache/restore@v4", None,
                    "actions/cache/save@v4"]
    restore, post, save = job["steps"][3:]
    assert job["env"] == {"XDG_CACHE_HOME": "${{ github.workspace }}/.cmtriage/cache",
                          "XDG_STATE_HOME": "${{ github.workspace }}/.cmtriage/state"}
    assert restore["with"] == {"path": ".cmtriage/cache\n.cmtriage/state\n",
                               "key": "cmtriage-${{ github.run_id }}", "restore-keys": "cmtriage-"}
    assert save["if"] == "always()" and save["with"]["path"] == restore["with"]["path"]
    assert save["with"]["key"] == restore["with"]["key"]
    assert post["env"] == {
        "MATTERMOST_WEBHOOK_URL": "${{ secrets.MATTERMOST_WEBHOOK_URL }}",
        "GITHUB_TOKEN": "${{ secrets.CMTRIAGE_GITHUB_TOKEN }}",
        "ZENDESK_EMAIL": "${{ secrets.ZENDESK_EMAIL }}",
        "ZENDESK_API_TOKEN": "${{ secrets.ZENDESK_API_TOKEN }}",
    }
    assert job["steps"][2]["run"] == f'pip install "cmtriage=={__version__}"'
    assert post["run"] == "cmtriage digest --post --only-changes --config-dir ."
    params = parsed(post["run"])
    assert (params["post"], params["only_changes"], params["config_dir"]) == (True, True, Path("."))


def test_the_workflows_command_runs_against_the_fakes(configured, run_cli, write_config, monkeypatch):
    folder = write_config()
    workflow = yaml.safe_load(schedule(run_cli, "actions", "--config-dir", str(folder)))
    command = workflow["jobs"]["post"]["steps"][4]["run"]
    monkeypatch.chdir(folder)
    with running() as hook:
        monkeypatch.setenv("MATTERMOST_WEBHOOK_URL", hook.url())
        first = run_cli(*shlex.split(command)[1:])
        again = run_cli(*shlex.split(command)[1:])
    assert first == (0, "", "posted 1 part to Mattermost\n")
    assert again[2].endswith("posted nothing\n") and len(hook.posts) == 1


def test_cron_line_and_systemd_units(team: Path, run_cli):
    assert schedule(run_cli, "cron", "--at", "8:30") == (
        "# cmtriage's morning post: Monday to Friday at 08:30 America/Toronto. Add it with `crontab -e`.\n"
        "# ~/.config/cmtriage/secrets.env (chmod 600) holds one VARIABLE=value line for each of:\n"
        "#   MATTERMOST_WEBHOOK_URL GITHUB_TOKEN ZENDESK_EMAIL ZENDESK_API_TOKEN\n"
        "# CRON_TZ is read by cronie (Fedora, RHEL, Arch); other crons go by the machine's time zone.\n"
        "CRON_TZ=America/Toronto\n"
        f"30 8 * * 1-5 set -a && . ~/.config/cmtriage/secrets.env && {PROGRAM} digest --post --only-changes "
        f"--config-dir {team}\n"
    )
    out = schedule(run_cli, "systemd", "--days", "daily")
    service, timer = out.split("\n# ~/.config/systemd/user/cmtriage-morning.timer")
    assert f"ExecStart={PROGRAM} digest --post --only-changes --config-dir {team}\n" in service
    assert "EnvironmentFile=%h/.config/cmtriage/secrets.env\n" in service
    assert timer.split("[Timer]\n")[1] == (
        "OnCalendar=* *-*-* 09:00:00 America/Toronto\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n")
    cron_line = schedule(run_cli, "cron").splitlines()[-1]
    assert parsed(cron_line.split(" && ", 2)[2])["post"] is True
    exec_start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    assert parsed(exec_start.removeprefix("ExecStart="))["only_changes"] is True


def test_without_rotation_or_zendesk_it_is_utc_and_names_fewer_secrets(write_config, run_cli, monkeypatch):
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    write_config(repos="github: [{repo: o/r}]\n")
    workflow = yaml.safe_load(schedule(run_cli, "actions", "--at", "07:15"))
    assert workflow["on"]["schedule"] == [{"cron": "15 7 * * 1-5"}]
    assert set(workflow["jobs"]["post"]["steps"][4]["env"]) == {"MATTERMOST_WEBHOOK_URL", "GITHUB_TOKEN"}


@pytest.mark.parametrize(("repos", "secrets"), [
    ("uservoice: {url: 'https://x.uservoice.com'}\njira: {url: 'https://x.atlassian.net'}\n",
     {"USERVOICE_CLIENT_ID", "USERVOICE_CLIENT_SECRET", "JIRA_EMAIL", "JIRA_API_TOKEN"}),
    ("uservoice: {export: ideas.csv}\njira: {url: 'https://x.atlassian.net', flavor: datacenter}\n",
     {"JIRA_TOKEN"}),
    ("helpwanted: {repos: [o/r]}\n", {"GITHUB_TOKEN"}),
    ("forum: {url: 'https://forum.example.com', github: [o/r]}\n", {"GITHUB_TOKEN"}),
    ("forum: {url: 'https://forum.example.com'}\n", set()),
])
def test_the_workflow_names_the_secrets_of_every_section_set_up(write_config, run_cli, monkeypatch, repos,
                                                                 secrets):
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    write_config(repos=repos)
    workflow = yaml.safe_load(schedule(run_cli, "actions"))
    assert set(workflow["jobs"]["post"]["steps"][4]["env"]) == {"MATTERMOST_WEBHOOK_URL", *secrets}


def test_output_files(team: Path, run_cli, tmp_path: Path):
    target = tmp_path / "repo" / ".github" / "workflows" / "cmtriage.yml"
    assert run_cli("schedule", "actions", "-o", str(target)) == (0, "", f"Wrote {target}.\n")
    assert yaml.safe_load(target.read_text())["name"] == "cmtriage morning post"
    units = tmp_path / "units"
    assert run_cli("schedule", "systemd", "-o", str(units), "--cmtriage", PROGRAM) == (
        0, "", f"Wrote {units}/cmtriage-morning.service and .timer.\n")
    assert sorted(p.name for p in units.iterdir()) == ["cmtriage-morning.service", "cmtriage-morning.timer"]


@pytest.mark.parametrize(("args", "message"), [
    (("actions", "--at", "9am"), "--at: expected a time like 09:00, got '9am'"),
    (("-o", "x.yml"), "-o goes with a KIND: actions, cron or systemd"),
])
def test_usage_errors(team: Path, run_cli, args, message):
    assert run_cli("schedule", *args) == (2, "", f"cmtriage: error: {message}\n")

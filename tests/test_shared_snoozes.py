"""snoozes.yaml: the team's snoozes in a file beside repos.yaml, moved there from the local SQLite file,
written by snooze/unsnooze, hiding items from every report, merged by git, listed with titles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest

from cmtriage import cli, snooze
from cmtriage.commands._common import emit, report_options
from cmtriage.models import Column, Item, Report
from cmtriage.sharedsnoozes import address, item_key
from cmtriage.state import state_dir, write_json

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
ISSUE = "https://github.com/mattermost/mattermost/issues/101"
PULL = "https://github.com/mattermost/docs/pull/7"
TICKET = "https://mattermost.zendesk.com/agent/tickets/4512"
HEADER = (
    "# Snoozed items, shared by the team: keep this file in git beside repos.yaml.\n"
    "# `cmtriage snooze` and `unsnooze` write it (sorted by url, ended snoozes dropped); edit it by hand\n"
    "# if you like. until: a date (the item is back when that day begins) or a UTC time.\n"
)


@pytest.fixture(autouse=True)
def config(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CMTRIAGE_NOW", "2026-11-24T14:00:00Z")
    monkeypatch.setenv("USER", "hanna")
    monkeypatch.setitem(cli.COMMANDS, "listing", (f"{__name__}:listing", "Test report."))
    folder = isolated_env / "config"
    folder.mkdir()
    return folder


def entry(url: str, until: str, by: str, reason: str) -> str:
    return f'- url: "{url}"\n  until: {until}\n  by: "{by}"\n  reason: "{reason}"\n'


@click.command()
@report_options
def listing(env, output) -> None:
    """Three items, one a pull (tests only)."""
    items = tuple(Item(source="github", url=url, title=title, author="someone", created_at=NOW,
                       last_activity_at=NOW, days_idle=9, reason="no replies")
                  for url, title in ((ISSUE, "Crash"), (PULL, "Fix a typo"), (TICKET, "SAML?")))
    report = Report(name="stale", title="Stale", columns=(Column("title", "Title"),), items=items,
                    generated_at=NOW, titled=lambda shown: f"{len(shown)} stale")
    raise SystemExit(emit(report, output, env))


def titles(run_cli, *args: str) -> list[str]:
    code, out, err = run_cli("listing", "--format", "json", *args)
    assert (code, err) == (0, "")
    return [item["title"] for item in json.loads(out)["items"]]


def test_an_issue_a_pull_and_owner_repo_n_name_one_item():
    assert address("mattermost/docs#7") == "https://github.com/mattermost/docs/issues/7"
    assert item_key(PULL) == item_key("https://github.com/mattermost/docs/issues/7/") == item_key(
        "HTTPS://GitHub.com/mattermost/docs/pulls/7#discussion_r1")
    assert item_key(TICKET) == TICKET


def test_owner_repo_n_follows_github_enterprise(monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", "https://ghe.example.com/api/v3")
    assert address("core/app#12") == "https://ghe.example.com/core/app/issues/12"


def test_share_snoozes_moves_the_local_ones_into_the_file(config: Path, run_cli):
    assert run_cli("snooze", "mattermost/docs#7", "--until", "2026-12-01", "--reason", "docs team")[0] == 0
    assert run_cli("snooze", TICKET, "--until", "3d")[0] == 0
    assert titles(run_cli) == ["Crash"]  # local snoozes hide the pull by its issue address

    code, out, err = run_cli("share-snoozes")
    local = state_dir() / "snoozes.sqlite3"
    assert (code, out, err) == (0, f"Moved 2 snoozes from {local} to {config / 'snoozes.yaml'}; commit it "
                                   "to share them.\n", "")
    assert (config / "snoozes.yaml").read_text() == HEADER + entry(
        "https://github.com/mattermost/docs/issues/7", "2026-12-01", "hanna", "docs team") + entry(
        TICKET, '"2026-11-27T14:00:00Z"', "hanna", "")
    assert snooze.active(NOW) == []
    assert titles(run_cli) == ["Crash"]  # the file hides them now
    assert run_cli("share-snoozes")[1] == f"Moved 0 snoozes from {local} to {config / 'snoozes.yaml'}; " \
                                          "commit it to share them.\n"


def test_with_the_file_snooze_and_unsnooze_write_it_sorted(config: Path, run_cli):
    (config / "snoozes.yaml").write_text(HEADER)
    assert run_cli("snooze", TICKET, "--until", "2w", "--reason", 'sales: "urgent"') == (
        0, f"Snoozed {TICKET} until 2026-12-08 14:00 UTC in {config / 'snoozes.yaml'}.\n", "")
    assert run_cli("snooze", ISSUE, "--until", "2026-12-01", "--reason", "desktop team")[0] == 0
    assert (config / "snoozes.yaml").read_text() == HEADER + entry(
        ISSUE, "2026-12-01", "hanna", "desktop team") + entry(
        TICKET, '"2026-12-08T14:00:00Z"', "hanna", 'sales: \\"urgent\\"')
    assert snooze.active(NOW) == []  # nothing went to the local file
    assert titles(run_cli) == ["Fix a typo"]
    assert run_cli("unsnooze", ISSUE + "/") == (0, f"Unsnoozed {ISSUE}.\n", "")
    assert (config / "snoozes.yaml").read_text() == HEADER + entry(
        TICKET, '"2026-12-08T14:00:00Z"', "hanna", 'sales: \\"urgent\\"')
    # ended snoozes hide nothing and are dropped at the next write
    assert titles(run_cli, "--now", "2026-12-09") == ["Crash", "Fix a typo", "SAML?"]
    assert run_cli("snooze", PULL, "--until", "2026-12-31", "--now", "2026-12-09")[0] == 0
    assert (config / "snoozes.yaml").read_text() == HEADER + entry(
        "https://github.com/mattermost/docs/pull/7", "2026-12-31", "hanna", "")


def test_a_year_under_1000_is_written_so_that_it_reads_back(config: Path, run_cli):
    (config / "snoozes.yaml").write_text(HEADER)
    early = ("--now", "0500-01-01T00:00:00Z")
    assert run_cli("snooze", TICKET, "--until", "3d", *early) == (
        0, f"Snoozed {TICKET} until 0500-01-04 00:00 UTC in {config / 'snoozes.yaml'}.\n", "")
    written = entry(TICKET, '"0500-01-04T00:00:00Z"', "hanna", "")
    assert (config / "snoozes.yaml").read_text() == HEADER + written
    code, out, err = run_cli("snoozed", "--format", "json", *early)
    assert (code, err) == (0, "")
    assert [i["until_local"] for i in json.loads(out)["items"]] == ["0500-01-04 00:00 UTC"]


def test_a_linked_snoozes_file_stays_a_link(config: Path, run_cli, tmp_path: Path):
    team = tmp_path / "team-config" / "snoozes.yaml"
    team.parent.mkdir()
    team.write_text(HEADER)
    (config / "snoozes.yaml").symlink_to(team)
    assert run_cli("snooze", ISSUE, "--until", "2026-12-01")[0] == 0
    assert (config / "snoozes.yaml").is_symlink()
    assert team.read_text() == HEADER + entry(ISSUE, "2026-12-01", "hanna", "")


def test_snoozed_lists_both_with_the_titles_the_posts_remember(config: Path, run_cli):
    assert run_cli("snooze", ISSUE, "--until", "2026-12-01", "--reason", "local")[0] == 0
    (config / "snoozes.yaml").write_text(HEADER + entry(PULL, "2026-11-30", "lee", "docs"))
    write_json(state_dir() / "posted" / "stale-0123456789abcdef.json", {"listed": [
        {"url": "https://github.com/mattermost/docs/issues/7", "title": "Fix a typo | @all"},
        {"url": ISSUE, "title": "Crash"}]})
    code, out, err = run_cli("snoozed", "--format", "markdown")
    assert (code, err) == (0, "")
    assert out == (
        "#### Snoozed items (2)\n"
        "\n"
        "| Item | Until | Reason | By | Snoozed |\n"
        "| --- | --- | --- | --- | --- |\n"
        f"| [Fix a typo \\| @\u200ball]({PULL}) | 2026-11-30 | docs | lee |  |\n"
        f"| [Crash]({ISSUE}) | 2026-12-01 | local | hanna | 2026-11-24 |\n"
    )
    shared = json.loads(run_cli("snoozed", "--format", "json")[1])["items"][0]
    assert shared == {"source": "snooze", "url": PULL, "title": "Fix a typo | @all", "author": "lee",
                      "created_at": None, "last_activity_at": "2026-11-24T14:00:00Z", "days_idle": 0,
                      "reason": "docs", "until": "2026-11-30T00:00:00Z", "until_local": "2026-11-30",
                      "shared": True}


def test_a_file_git_left_in_conflict_hides_nothing_and_says_so(config: Path, run_cli):
    (config / "snoozes.yaml").write_text(HEADER + "<<<<<<< HEAD\n" + entry(ISSUE, "2026-12-01", "a", "")
                                         + "=======\n" + entry(ISSUE, "2026-12-02", "b", "") + ">>>>>>> x\n")
    code, out, err = run_cli("listing", "--format", "json")
    assert [i["title"] for i in json.loads(out)["items"]] == ["Crash", "Fix a typo", "SAML?"]
    assert (code, err) == (1, f"cmtriage: error: snoozes: {config / 'snoozes.yaml'}:5: YAML syntax error: "
                              "mapping values are not allowed here\n")


@pytest.mark.parametrize(("text", "message"), [
    ("- url: somewhere\n  until: 2026-12-01\n",
     "[0].url: expected an address like https://github.com/OWNER/REPO/issues/N or OWNER/REPO#N, "
     'got "somewhere"'),
    (f"- url: {ISSUE}\n  until: soon\n",
     '[0].until: expected a date like 2026-12-01 or a time like "2026-12-03T14:00:00Z", got "soon"'),
    (f"- url: {ISSUE}\n  when: 2026-12-01\n", "[0].when: unknown key (known keys: url, until, by, reason)"),
])
def test_a_mistake_in_the_file_names_its_line(config: Path, run_cli, text, message):
    (config / "snoozes.yaml").write_text(text)
    line = 2 if "until: soon" in text or "when" in text else 1
    assert run_cli("snoozed") == (2, "", f"cmtriage: error: {config / 'snoozes.yaml'}:{line}: {message}\n")


# --- two machines, one git repo ------------------------------------------------------------------------
def git(folder: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", "-C", str(folder), *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_two_machines_snooze_different_items_and_git_merges_them(config: Path, run_cli, tmp_path: Path):
    base = [f"https://github.com/o/r/issues/{n}" for n in (10, 30, 50)]
    (config / "snoozes.yaml").write_text(HEADER)
    for url in base:
        assert run_cli("snooze", url, "--until", "2026-12-31", "--config-dir", str(config))[0] == 0
    git(config, "init", "-q", "-b", "main")
    git(config, "add", "snoozes.yaml")
    git(config, "commit", "-q", "-m", "base")
    laptop = tmp_path / "laptop"
    git(tmp_path, "clone", "-q", str(config), str(laptop))

    # the PM's laptop unsnoozes #10 and snoozes #20; the cron machine snoozes #40 and o/z#1: different
    # lines, so git merges them (two machines adding or removing next to the same entry would conflict)
    assert run_cli("snooze", "o/r#20", "--until", "2026-12-31", "--config-dir", str(laptop))[0] == 0
    assert run_cli("unsnooze", "o/r#10", "--config-dir", str(laptop))[0] == 0
    git(laptop, "commit", "-q", "-am", "laptop")
    assert run_cli("snooze", "o/r#40", "--until", "2026-12-31", "--reason", "x",
                   "--config-dir", str(config))[0] == 0
    assert run_cli("snooze", "o/z#1", "--until", "3d", "--config-dir", str(config))[0] == 0
    git(config, "commit", "-q", "-am", "cron")

    git(config, "pull", "-q", "--no-rebase", "--no-edit", str(laptop), "main")  # merges without a conflict
    merged = (config / "snoozes.yaml").read_text()
    assert merged == HEADER + "".join(entry(f"https://github.com/o/r/issues/{n}", "2026-12-31", "hanna",
                                            "x" if n == 40 else "") for n in (20, 30, 40, 50)) + entry(
        "https://github.com/o/z/issues/1", '"2026-11-27T14:00:00Z"', "hanna", "")
    code, out, _ = run_cli("snoozed", "--format", "json", "--config-dir", str(config))
    assert code == 0 and len(json.loads(out)["items"]) == 5


def test_the_local_file_is_emptied_only_of_what_moved(config: Path, run_cli):
    assert run_cli("snooze", ISSUE, "--until", "1d")[0] == 0
    later = NOW + timedelta(days=2)
    assert run_cli("share-snoozes", "--now", later.isoformat())[1].startswith("Moved 0 snoozes")
    assert (config / "snoozes.yaml").read_text() == HEADER

"""A generated corpus (seeded, so every run is the same) over the config loader and the command line:
whatever comes in, cmtriage exits 0, 1 or 2 and never says "internal error".

Config cases mutate a valid repos.yaml and rotation.yaml line by line (values swapped for hostile ones,
lines dropped, doubled or re-indented) and run `config check`, `rotation who` and `rotation schedule`;
command-line cases put hostile values into every command's options, against a fake GitHub."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from cmtriage.sources import github as github_source
from cmtriage.sources import http
from fakes.github import TOKEN, FakeGitHub, serve

CONFIG_CASES = 250
CLI_CASES = 250

REPOS = """\
staff:
  orgs: [mattermost]
  logins: [hanna]
bots: [dependabot]
github:
  - repo: mattermost/docs
    watch: both
    stale_days: 7
  - repo: mattermost/mattermost
forum:
  url: https://forum.example.com
  unanswered_days: 2
zendesk:
  url: https://example.zendesk.com
  query: "type:ticket tags:community"
mattermost:
  channel: town-square
  username: cmtriage
replies:
  Bug: "Thanks {author}"
"""
ROTATION = """\
timezone: America/Toronto
week_starts: monday
start: 2026-01-05
members:
  - name: Ada
    mention: ada
    from: 2026-01-01
    until: 2030-12-31
  - name: Bob
overrides:
  - week: 2026-11-25
    who: Ada
    reason: conference
release_managers:
  - version: "11.2"
    who: Bob
    date: 2026-12-16
handoffs:
  zendesk: Hanna
"""
HOSTILE = [
    "", "''", '""', "~", "null", "[]", "{}", "[[[[", "{a: [}", "!!int ''", "!!int abc", "!!float x",
    "!!timestamp 2026-13-45", "!!binary ZZ", "!!python/object:os.system", "*nowhere", "&a [*a, *a]",
    "0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "-1", "0", "99999999999999999999999",
    "1e400", ".inf", "-.nan", "0x10", "0o7", "1_000", "yes", "no", "on", "'https://[::1'",
    "https://x.test:99999", "ftp://x", "http://user:pw@x.test", "../..", "../user", "a/b/c", ".hidden/x",
    "'\u202egnp.exe'", "'\u200b'", "'\\x00'", "\"\\0\"", "\"\\e[31mred\"", "'@all'", "'=HYPERLINK(1)'",
    "x" * 5000, "'" + "\u00e9" * 300 + "'", "Mars/Phobos", "America", "UTC", "tuesday", "Funday",
    "issues", "pulls", "both", "everything", "|\n  block", ">-", "- a\n- b", "? complex\n: key", "%TAG",
    "---", "...", "#comment", "\t", "key: value: other",
]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 3)):
        index = rng.randrange(len(lines))
        line = lines[index]
        choice = rng.random()
        if choice < 0.55 and ":" in line:
            key, _, _ = line.partition(":")
            lines[index] = f"{key}: {rng.choice(HOSTILE)}"
        elif choice < 0.65:
            del lines[index]
            if not lines:
                lines = [""]
        elif choice < 0.75:
            lines.insert(index, line)
        elif choice < 0.85:
            lines[index] = " " * rng.randint(0, 5) + line.lstrip()
        elif choice < 0.95:
            lines[index] = line.replace("-", rng.choice(["", "--", "- -", "* "]), 1)
        else:
            lines.insert(index, rng.choice(HOSTILE))
    return "\n".join(lines) + "\n"


def _config_cases() -> Iterator[tuple[str, str]]:
    rng = random.Random(8)
    for number in range(CONFIG_CASES):
        repos = _mutate(REPOS, rng) if number % 3 != 1 else REPOS
        rotation = _mutate(ROTATION, rng) if number % 3 != 0 else ROTATION
        yield repos, rotation


def _ok(result: tuple[int, str, str]) -> None:
    code, _, err = result
    assert code in (0, 1, 2), err
    assert "internal error" not in err and "Traceback" not in err, err


@pytest.mark.parametrize(("repos", "rotation"), list(_config_cases()),
                         ids=[f"config{n}" for n in range(CONFIG_CASES)])
def test_any_config_is_read_or_refused_in_words(write_config, run_cli, monkeypatch, repos: str,
                                                  rotation: str):
    monkeypatch.setenv("CMTRIAGE_NOW", "2026-11-24T15:00:00Z")
    write_config(repos=repos, rotation=rotation)
    _ok(run_cli("config", "check"))
    _ok(run_cli("rotation", "who", "-f", "json"))
    _ok(run_cli("rotation", "schedule", "--weeks", "3", "-f", "csv"))


NASTY_VALUES = [
    "", " ", "0", "-1", "1e9", "99999999999999999999", "abc", "0001-01-01", "9999-12-31",
    "9999-12-31T23:59:59Z", "0999-06-01", "2026-02-30", "1d", "0s", "99999999w", "12h", "1w", "-3d",
    "../user", "a/b", "mattermost/docs", "mattermost/..", "'\u202e'", "\x1b[31m", "\x00", "@all",
    "=1+1", "https://[x", "http://x.test:99999", "https://github.com/mattermost/docs/issues/7",
    "x" * 3000, "--help", "-", "--", "nan", "inf", "json", "csv", "markdown", "table", "payload",
]
COMMANDS = {
    "stale": ["--days", "--repo", "--activity", "--wait", "--format", "--now", "--only-changes", "--channel",
              "--no-cache", "-o"],
    "new": ["--since", "--repo", "--wait", "--format", "--now", "--icon-url", "-o"],
    "digest": ["--days", "--since", "--wait", "--format", "--now", "--username", "-o"],
    "zendesk": ["--format", "--now", "-o"],
    "snooze": ["--until", "--reason", "--now"],
    "unsnooze": ["--now"],
    "snoozed": ["--format", "--now", "-o"],
    "rotation who": ["--date", "--format", "--now", "-o"],
    "rotation next": ["--weeks", "--format", "--now"],
    "rotation schedule": ["--from", "--weeks", "--format", "--now"],
    "rotation ics": ["--from", "--weeks", "--now", "-o"],
    "config check": ["--now", "--config-dir"],
}
FLAGS = {"--only-changes", "--no-cache"}


GOOD = {"--days": "7", "--repo": "mattermost/docs", "--activity": "updated", "--wait": "60s",
        "--format": "json", "--now": "2026-11-24", "--since": "1d", "--until": "3d", "--date": "2026-11-24",
        "--weeks": "2", "--from": "2026-11-24", "-o": "out.txt", "--channel": "town", "--username": "bot",
        "--icon-url": "https://x.test/i.png", "--reason": "why", "--config-dir": "config"}


def _cli_cases() -> Iterator[list[str]]:
    """One hostile value a case, among options set as a user would: each case reaches what it probes."""
    rng = random.Random(9)
    names = sorted(COMMANDS)
    for _ in range(CLI_CASES):
        name = rng.choice(names)
        argv = name.split()
        options = rng.sample(COMMANDS[name], rng.randint(1, min(3, len(COMMANDS[name]))))
        for number, option in enumerate(options):
            argv.append(option)
            if option not in FLAGS:
                argv.append(rng.choice(NASTY_VALUES) if number == 0 else GOOD[option])
        if name in ("snooze", "unsnooze"):
            url = rng.choice(NASTY_VALUES) if rng.random() < 0.3 else "https://github.com/mattermost/docs/issues/7"
            argv.insert(len(name.split()), url)
        if name == "snooze" and "--until" not in argv:
            argv += ["--until", "3d"]
        yield argv


@pytest.fixture(scope="module")
def fake_github() -> Iterator[FakeGitHub]:
    with serve(FakeGitHub()) as fake:
        fake.add_repo("mattermost/docs")
        fake.add_repo("mattermost/mattermost")
        fake.add_issue("mattermost/docs", 7, "Broken \u202elink", author="dave",
                       created="2026-10-01T10:00:00Z")
        yield fake


@pytest.mark.parametrize("argv", list(_cli_cases()), ids=[f"cli{n}" for n in range(CLI_CASES)])
def test_any_command_line_ends_in_an_exit_code_and_words(fake_github, write_config, run_cli, monkeypatch,
                                                         tmp_path, argv: list[str]):
    monkeypatch.setenv("GITHUB_API_URL", fake_github.url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setattr(github_source, "sleep", lambda seconds: None)
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    monkeypatch.setenv("CMTRIAGE_NOW", "2026-11-24T15:00:00Z")
    monkeypatch.chdir(tmp_path)  # a relative -o lands here, and --config-dir config is the test's
    write_config(repos="github:\n  - repo: mattermost/docs\n"
                       "zendesk: {url: 'http://127.0.0.1:9'}\n", rotation=ROTATION)
    _ok(run_cli(*argv))

"""Edges an adversarial pass found: snoozes in odd years, calendar edges, GITHUB_API_URL, config files
without limits, loose permissions, stranger text in `config check`, formulas in the rotation CSV, and
messages that were raw Python."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from cmtriage.sources import github as github_source
from fakes.github import TOKEN, FakeGitHub, serve

ROTATION = "start: 2026-01-05\nmembers:\n  - name: Ada\n"
ISSUE = "https://github.com/mattermost/docs/issues/7"
TICKET = "https://mattermost.zendesk.com/agent/tickets/4512"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, write_config):
    monkeypatch.setattr(github_source, "sleep", lambda seconds: None)
    with serve(FakeGitHub()) as fake:
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        write_config(repos="github:\n  - repo: mattermost/docs\n", rotation=ROTATION)
        fake.add_repo("mattermost/docs")
        fake.add_issue("mattermost/docs", 7, "Broken link", author="dave", created="2026-10-01T10:00:00Z")
        yield fake


# --- 6. snoozes in odd years -------------------------------------------------------------------------------
def test_a_snooze_made_in_the_year_999_is_stored_padded_and_read_back(github, run_cli):
    assert run_cli("snooze", ISSUE, "--until", "3d", "--now", "0999-06-01") == (
        0, f"Snoozed {ISSUE} until 0999-06-04 00:00 UTC.\n", "")
    code, out, err = run_cli("snoozed", "-f", "json", "--now", "0999-06-02")
    assert (code, err) == (0, "")
    assert [(i["url"], i["until"]) for i in json.loads(out)["items"]] == [(ISSUE, "0999-06-04T00:00:00Z")]
    code, out, _ = run_cli("stale", "-f", "json", "--now", "2026-11-24")
    assert (code, len(json.loads(out)["items"])) == (0, 1)  # long over: listed again


def test_an_unreadable_snooze_row_is_skipped_with_a_warning(github, run_cli, isolated_env: Path):
    assert run_cli("snooze", ISSUE, "--until", "3d", "--now", "2026-11-24")[0] == 0
    database = isolated_env / "state" / "cmtriage" / "snoozes.sqlite3"
    with sqlite3.connect(database) as conn:  # what an older version wrote for --now 0999-06-01
        conn.execute("INSERT INTO snoozes VALUES ('https://x.test/1', '999-06-04T00:00:00Z', '', '', '', "
                     "'999-06-01T00:00:00Z')")
    for command in ("snoozed", "stale"):
        code, _, err = run_cli(command, "-f", "json", "--now", "2026-11-25")
        assert code == 0, err
        assert err == (f"cmtriage: warning: {database}: skipped 1 snooze that cannot be read (cmtriage "
                       "unsnooze ADDRESS, or snooze it again, replaces one)\n")
    assert [i["url"] for i in json.loads(run_cli("snoozed", "-f", "json", "--now", "2026-11-25")[1])["items"]
            ] == [ISSUE]


def test_a_digest_reads_the_snooze_file_once_and_warns_of_an_unreadable_row_once(github, run_cli,
                                                                                    isolated_env: Path):
    github.add_issue("mattermost/docs", 8, "New crash", author="erin", created="2026-11-25T08:00:00Z")
    assert run_cli("snooze", TICKET, "--until", "3d", "--now", "2026-11-24")[0] == 0
    database = isolated_env / "state" / "cmtriage" / "snoozes.sqlite3"
    with sqlite3.connect(database) as conn:  # what an older version wrote for --now 0999-06-01
        conn.execute("INSERT INTO snoozes VALUES ('https://x.test/1', '999-06-04T00:00:00Z', '', '', '', "
                     "'999-06-01T00:00:00Z')")
    code, out, err = run_cli("digest", "-f", "json", "--now", "2026-11-25T12:00:00Z")
    assert code == 0, err
    assert err == (f"cmtriage: warning: {database}: skipped 1 snooze that cannot be read (cmtriage "
                   "unsnooze ADDRESS, or snooze it again, replaces one)\n")  # not once per section
    assert sorted((i["section"], i["url"]) for i in json.loads(out)["items"]) == [
        ("new", "https://github.com/mattermost/docs/issues/8"), ("stale", ISSUE)]


# --- 7. calendar edges ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "message"), [
    (("rotation", "next", "--now", "9999-12-31"),
     "9999-12-27: next week is past the end of the calendar (9999-12-31)"),
    (("rotation", "schedule", "--from", "9999-12-30", "-f", "json"),
     "9999-12-30 is too far in the future: the calendar ends on 9999-12-31"),
    (("rotation", "ics", "--from", "9999-12-30"),
     "9999-12-30 is too far in the future: the calendar ends on 9999-12-31"),
    (("rotation", "who", "--now", "9999-12-31"), "9999-12-31 is too far in the future"),
    (("stale", "--now", "0001-01-01"),
     "--now 0001-01-01: 7 days before it is before the calendar begins (0001-01-01); pass a later --now"),
    (("new", "--now", "0001-01-01"), "--since: too far from now"),
])
def test_calendar_edges_are_usage_errors(github, run_cli, args, message: str):
    assert run_cli(*args) == (2, "", f"cmtriage: error: {message}\n")


def test_stale_in_the_first_week_of_the_calendar_asks_github_with_a_four_digit_year(github, run_cli):
    code, out, err = run_cli("stale", "-f", "json", "--now", "0001-01-09", "--days", "1")
    assert (code, err, json.loads(out)["items"]) == (0, "", [])
    assert {r.params.get("since") for r in github.requests if "since" in r.params} == {"0001-01-08T00:00:00Z"}


@pytest.mark.parametrize(("now", "sequence"), [("9999-12-31", 2**31 - 1), ("0001-01-01", 0)])
def test_the_ics_sequence_stays_in_rfc_5545s_range(write_config, run_cli, now: str, sequence: int):
    write_config(rotation="start: 0001-01-01\nmembers:\n  - name: Ada\n")
    code, out, _ = run_cli("rotation", "ics", "--now", now, "--from", "2026-01-05", "--weeks", "1")
    assert code == 0 and f"SEQUENCE:{sequence}\r\n" in out


@pytest.mark.parametrize(("rotation", "message"), [
    ("week_starts: tuesday\nstart: 0001-01-01\nmembers: [{name: Ada}]\n",
     "rotation.yaml:2: start: the week holding 0001-01-01 would begin before 0001-01-01; start the rotation "
     "later"),
    ("start: 2026-01-05\nmembers: [{name: Ada}]\nweek_starts: sunday\noverrides:\n  - {week: 0001-01-06, "
     "who: Ada}\n", "rotation.yaml:5: overrides[0].week: the week holding 0001-01-06 would begin before "
     "0001-01-01"),
])
def test_a_week_before_the_calendar_is_a_config_error(write_config, run_cli, rotation: str, message: str):
    folder = write_config(repos="bots: []\n", rotation=rotation)
    assert run_cli("config", "check") == (2, "", f"cmtriage: error: {folder}/{message}\n")


@pytest.mark.parametrize(("repos", "message"), [
    ("github:\n  - repo: a/b\n    stale_days: !!int \"\"\n",
     'repos.yaml:3: github[0].stale_days: expected a whole number, got ""'),
    ("github:\n  - repo: a/b\n    stale_days: !!int abc\n",
     'repos.yaml:3: github[0].stale_days: expected a whole number, got "abc"'),
    ("forum:\n  url: 'https://[::1'\n",
     'repos.yaml:2: forum.url: expected a URL like https://forum.example.com, got "https://[::1"'),
    ("zendesk:\n  url: 'https://x.test:99999'\n",
     'repos.yaml:2: zendesk.url: expected a URL like https://forum.example.com, got "https://x.test:99999"'),
    ("bots: ['a\x00b']\n", "repos.yaml:1: a character YAML does not allow (U+0000); remove it"),
    ("staff:\n  logins: [a]\n\n\nbots: ['\x07']\n", "repos.yaml:5: a character YAML does not allow (U+0007); "
                                                    "remove it"),
])
def test_config_values_python_refuses_are_config_errors(write_config, run_cli, repos: str, message: str):
    folder = write_config(repos=repos, rotation=ROTATION)
    assert run_cli("config", "check") == (2, "", f"cmtriage: error: {folder}/{message}\n")


@pytest.mark.parametrize("url", ["ftp://x", "http://[::1", "http://127.0.0.1:99999", "127.0.0.1:8080",
                                 "http://", "https://user:pw@github.example.com/api/v3"])
def test_a_github_api_url_that_is_no_http_url_is_a_usage_error_naming_it(github, run_cli, monkeypatch, url):
    monkeypatch.setenv("GITHUB_API_URL", url)
    assert run_cli("stale", "--now", "2026-11-24") == (
        2, "", "cmtriage: error: GITHUB_API_URL: expected an http(s) address like https://api.github.com "
               f"(or https://HOST/api/v3 for GitHub Enterprise), got {url!r}\n")
    assert github.requests == []


# --- 8. config files without limits -----------------------------------------------------------------------
def _check_within(run_cli, seconds: float) -> tuple[int, str, str]:
    """`config check`, failing the test (not hanging it) when it takes longer than `seconds`."""
    result: list = []
    worker = threading.Thread(target=lambda: result.append(run_cli("config", "check")), daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, f"config check took more than {seconds} s"
    return result[0]


def test_a_fifo_as_repos_yaml_is_refused_not_waited_on(write_config, run_cli):
    folder = write_config(rotation=ROTATION)
    os.mkfifo(folder / "repos.yaml")
    try:
        assert _check_within(run_cli, 10) == (
            2, "", f"cmtriage: error: {folder}/repos.yaml: not a regular file (a pipe or a device); point at "
                   "the YAML file itself\n")
    finally:
        with open(os.open(folder / "repos.yaml", os.O_RDWR | os.O_NONBLOCK), "w"):
            pass  # a reader left waiting (before the fix) gets its end of file


def test_a_link_to_dev_zero_is_refused_without_reading_it(write_config, run_cli):
    folder = write_config(rotation=ROTATION)
    (folder / "repos.yaml").symlink_to("/dev/zero")
    assert _check_within(run_cli, 10) == (
        2, "", f"cmtriage: error: {folder}/repos.yaml: not a regular file (a pipe or a device); point at "
               "the YAML file itself\n")


def test_a_huge_file_is_refused(write_config, run_cli):
    folder = write_config(repos="# padding\n" * 200_000, rotation=ROTATION)
    assert run_cli("config", "check") == (
        2, "", f"cmtriage: error: {folder}/repos.yaml: larger than 1,000,000 bytes: not a config file\n")


def test_ten_thousand_repos_and_three_thousand_members_check_in_linear_time(write_config, run_cli):
    repos = "github:\n" + "".join(f"  - repo: org{n}/repo{n}\n" for n in range(10_000))
    rotation = ("start: 2026-01-05\nmembers:\n" + "".join(f"  - name: M{n}\n" for n in range(3000))
                + "overrides:\n" + "".join(f"  - {{week: {date(2030, 1, 7) + timedelta(weeks=n)}, "
                                           f"who: M{n}}}\n" for n in range(3000)))
    write_config(repos=repos, rotation=rotation)
    started = time.monotonic()
    code, out, err = _check_within(run_cli, 30)
    assert (code, err) == (0, "") and "GitHub: 10000 watches" in out
    assert time.monotonic() - started < 6  # quadratic checks took 20 s and more


# --- 9. permissions and the state folder ------------------------------------------------------------------
def test_loose_state_and_cache_folders_and_snooze_file_are_tightened(github, run_cli, isolated_env: Path):
    state, cache = isolated_env / "state" / "cmtriage", isolated_env / "cache" / "cmtriage"
    for folder in (state, cache):
        folder.mkdir(parents=True)
        folder.chmod(0o777)
    database = state / "snoozes.sqlite3"
    sqlite3.connect(database).close()
    database.chmod(0o666)
    assert run_cli("snooze", ISSUE, "--until", "3d", "--now", "2026-11-24")[0] == 0
    assert run_cli("stale", "--now", "2026-11-24", "-f", "json")[0] == 0
    modes = [stat.S_IMODE(path.stat().st_mode) for path in (state, cache, database)]
    assert modes == [0o700, 0o700, 0o600]


def test_a_post_tightens_the_state_folder_above_its_memory(run_cli, isolated_env: Path, monkeypatch):
    from fakes.mattermost import running

    state = isolated_env / "state" / "cmtriage"
    state.mkdir(parents=True)
    state.chmod(0o777)
    with running() as fake:
        monkeypatch.setenv("MATTERMOST_WEBHOOK_URL", fake.url())
        assert run_cli("snoozed", "--post", "--now", "2026-11-24")[0] == 0
    assert [stat.S_IMODE(p.stat().st_mode) for p in (state, state / "posted")] == [0o700, 0o700]


def test_a_state_path_that_is_a_file_is_a_usage_error(run_cli, isolated_env: Path):
    (isolated_env / "state").mkdir()
    (isolated_env / "state" / "cmtriage").write_text("not a folder")
    assert run_cli("snooze", ISSUE, "--until", "3d", "--now", "2026-11-24") == (
        2, "", f"cmtriage: error: cannot use the folder {isolated_env}/state/cmtriage: "
               f"{isolated_env}/state/cmtriage is a file, not a folder; move it away\n")


# --- 11. stranger text, formulas, raw Python ----------------------------------------------------------------
def test_config_check_shows_no_bidi_override_from_the_files(write_config, run_cli):
    write_config(repos="bots: []\n", rotation="start: 2026-01-05\nmembers:\n  - name: \"Ada\\u202egnp.exe\"\n"
                                    "    mention: ada\n")
    code, out, _ = run_cli("config", "check")
    assert code == 0 and "  members: Adagnp.exe (@ada)\n" in out and "\u202e" not in out


def test_the_rotation_csv_guards_formulas(write_config, run_cli):
    write_config(rotation="start: 2026-01-05\nmembers:\n  - name: '=HYPERLINK(\"http://x.test\")'\n"
                          "    mention: eve\n  - name: Bob\noverrides:\n  - {week: 2026-01-05, who: Bob, "
                          "reason: '+1 call'}\n")
    code, out, _ = run_cli("rotation", "schedule", "--from", "2026-01-05", "--weeks", "2", "-f", "csv")
    assert (code, out) == (0, "week_start,week_end,who,mention,scheduled,reason\n"
                              "2026-01-05,2026-01-11,Bob,'@bob,"
                              "\"'=HYPERLINK(\"\"http://x.test\"\")\",'+1 call\n"
                              "2026-01-12,2026-01-18,Bob,'@bob,Bob,\n")


def test_rate_limit_headers_pygithub_cannot_read_are_explained_not_raw_python(github, run_cli):
    github.tamper = lambda path, params, status, extra, body: (
        status, {**extra, "X-RateLimit-Reset": "abc"}, body)
    code, out, _ = run_cli("stale", "--now", "2026-11-24T14:00:00Z", "-f", "json")
    assert (code, json.loads(out)["errors"]) == (1, [{"source": "github", "message": (
        "mattermost/docs: unexpected answer from GitHub: the rate-limit headers (x-ratelimit-remaining, "
        "-limit, -reset) are not numbers")}])


def test_a_reset_time_past_any_sense_is_a_limit_without_a_time_not_raw_python(github, run_cli, monkeypatch):
    monkeypatch.setattr(github_source, "clock", lambda: 1795528800.0)  # 2026-11-24 14:00 UTC
    github.tamper = lambda path, params, status, extra, body: (
        (403, {**extra, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "99999999999999999"},
         {"message": "API rate limit exceeded for user ID 1."}) if path.endswith("/issues")
        else (status, extra, body))
    code, out, _ = run_cli("stale", "--now", "2026-11-24T14:00:00Z", "-f", "json", "--wait", "0")
    assert (code, json.loads(out)["errors"]) == (1, [{"source": "github", "message": (
        "mattermost/docs: GitHub's rate limit asks to wait 60 s, more than --wait allows; run again after "
        "14:01 UTC")}])


def test_an_answer_cut_off_mid_body_is_retried_then_named(github, run_cli):
    github.truncate(times=2, where="/repos/mattermost/docs/issues")
    code, out, err = run_cli("stale", "--now", "2026-11-24", "-f", "json")
    assert (code, err, len(json.loads(out)["items"])) == (0, "", 1)
    github.truncate(times=8, where="/repos/mattermost/docs/issues")
    code, out, err = run_cli("stale", "--now", "2026-11-24", "-f", "json", "--no-cache")
    assert (code, err) == (1, "cmtriage: error: github: mattermost/docs: GitHub's answers broke off before "
                              "their end (4 tries)\n")


def test_a_retry_after_past_any_sense_is_held_to_a_year_not_raw_python(github, run_cli, monkeypatch):
    monkeypatch.setattr(github_source, "clock", lambda: 1795528800.0)  # 2026-11-24 14:00 UTC
    github.tamper = lambda path, params, status, extra, body: (
        (429, {**extra, "Retry-After": "99999999999999999"}, {"message": "slow down"})
        if path.endswith("/issues") else (status, extra, body))
    code, out, _ = run_cli("stale", "--now", "2026-11-24T14:00:00Z", "-f", "json")
    assert (code, json.loads(out)["errors"]) == (1, [{"source": "github", "message": (
        "mattermost/docs: GitHub's secondary rate limit asks to wait 31622400 s, more than --wait allows; "
        "run again after 14:00 UTC")}])

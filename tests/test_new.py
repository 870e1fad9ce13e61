"""`cmtriage new` against the fake GitHub: which issues, their post type and reply, in every format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest

from cmtriage.classify import DEFAULT_REPLIES, FEATURE, QUESTION
from cmtriage.sources import github as source
from fakes.github import TOKEN, FakeGitHub, serve

NOW = "2026-11-24T14:00:00Z"  # Jason's week
MM = "mattermost/mattermost"
ZWSP = "\u200b"
REPOS = """\
    staff:
      logins: [hanna]
    github:
      - repo: mattermost/mattermost
      - repo: mattermost/android
        watch: pulls
    forum: {url: "https://forum.example.com"}
    replies:
      Bug: "Thanks @{author}! We will try to reproduce this; which version do you run?"
    """
ROTATION = """\
    start: 2026-01-05
    members: [{name: Eric}, {name: Jason}, {name: Lindsay}]
    """
BUG_BODY = "#### Summary\nUpload fails\n\n#### Steps to reproduce\n1. upload\n\n#### Expected behavior\nworks"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, write_config) -> Iterator[FakeGitHub]:
    with serve(FakeGitHub()) as running:
        monkeypatch.setenv("GITHUB_API_URL", running.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("CMTRIAGE_NOW", NOW)
        write_config(repos=REPOS, rotation=ROTATION)
        running.add_repo(MM)
        running.add_repo("mattermost/android")
        add = running.add_issue
        add(MM, 201, "App crashes when uploading a file", author="alice", created="2026-11-23T15:00:00Z",
            body=BUG_BODY)
        add(MM, 202, "Can't connect behind nginx reverse proxy", author="bob", created="2026-11-24T09:00:00Z",
            body="I set up docker and nginx, the websocket fails.")
        running.add_comment(MM, 202, author="hanna", created="2026-11-24T10:00:00Z")
        add(MM, 203, "Please add support for dark mode", author="carol", created="2026-11-24T10:00:00Z",
            labels=("enhancement",), body="It would be nice.")
        add(MM, 204, "How do I find the API token @all?", author="dana", created="2026-11-24T11:00:00Z",
            body="Where is it?")
        running.add_comment(MM, 204, author="dana", created="2026-11-24T11:30:00Z")
        running.add_comment(MM, 204, author="mattermod", author_type="Bot", created="2026-11-24T11:40:00Z")
        add(MM, 205, "Staff opened this", author="hanna", created="2026-11-24T12:00:00Z")
        add(MM, 206, "Bump dependency", author="renovate[bot]", author_type="Bot",
            created="2026-11-24T12:30:00Z")
        add(MM, 207, "A pull", author="erin", created="2026-11-24T12:40:00Z", pull=True)
        add(MM, 208, "Older than a day", author="frank", created="2026-11-22T12:00:00Z")
        yield running


def run_new(run_cli, *args: str) -> str:
    code, out, err = run_cli("new", *args)
    assert (code, err) == (0, "")
    return out


def test_json_has_the_type_its_reason_and_the_reply(fake: FakeGitHub, run_cli):
    found = json.loads(run_new(run_cli, "--format", "json"))["items"]
    assert [(i["number"], i["post_type"], i["waiting_on"]) for i in found] == [
        (201, "Bug", "us"), (202, "Troubleshooting", "author"), (203, FEATURE, "us"), (204, QUESTION, "us")]
    assert found[0] == {
        "source": "github", "url": "https://github.com/mattermost/mattermost/issues/201",
        "title": "App crashes when uploading a file", "author": "alice", "created_at": "2026-11-23T15:00:00Z",
        "last_activity_at": "2026-11-23T15:00:00Z", "days_idle": 0,
        "reason": "Bug: try to reproduce it, or ask a teammate to",
        "repo": MM, "number": 201, "kind": "issue", "labels": [], "waiting_on": "us", "post_type": "Bug",
        "type_reason": 'template headings "Summary", "Steps to reproduce", "Expected behavior"; '
                       'words "crashes" in title',
        "reply": "Thanks @alice! We will try to reproduce this; which version do you run?",
        "assignees": [],
    }
    assert "post it at https://forum.example.com with" in found[1]["reply"]  # repos.yaml's forum
    assert found[2]["reply"] == DEFAULT_REPLIES[FEATURE].format(
        author="carol", feature_ideas_url="https://www.mattermost.org/feature-ideas/")
    assert found[3]["type_reason"] == 'words "how do i", "api" and a question mark in title'


def test_markdown_shows_type_and_reply_and_mentions_the_pm(fake: FakeGitHub, run_cli):
    out = run_new(run_cli, "--format", "markdown")
    lines = out.splitlines()
    assert lines[:6] == [
        "#### @jason: 4 new GitHub issues since 2026-11-23 14:00 UTC", "", "**mattermost/mattermost**", "",
        "| Repo | # | Title | Author | Type | Why | Reply |", "| --- | ---: | --- | --- | --- | --- | --- |"]
    assert lines[6] == (
        "| mattermost/mattermost | 201 | [App crashes when uploading a file]"
        "(https://github.com/mattermost/mattermost/issues/201) | alice | Bug | template headings "
        "\"Summary\", \"Steps to reproduce\", \"Expected behavior\"; words \"crashes\" in title | `Thanks "
        "@alice! We will try to reproduce this; which version do you run?` |")  # inert, and exact to copy
    assert f"How do I find the API token @{ZWSP}all?" in lines[9]
    assert len(lines) == 10


def test_csv_and_table_carry_the_type_and_the_reply(fake: FakeGitHub, run_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # a terminal wide enough that no cell folds
    rows = list(csv.DictReader(io.StringIO(run_new(run_cli, "--format", "csv"))))
    assert [(r["number"], r["post_type"]) for r in rows] == [
        ("201", "Bug"), ("202", "Troubleshooting"), ("203", FEATURE), ("204", QUESTION)]
    assert rows[0]["reply"] == "Thanks @alice! We will try to reproduce this; which version do you run?"
    table = run_new(run_cli, "--format", "table")
    assert "Troubleshooting" in table and "Feature Proposal" in table and "Thanks" in table


def test_the_cost_is_one_request_per_list_and_nothing_new_the_second_time(fake: FakeGitHub, run_cli):
    first = run_new(run_cli, "--format", "json")
    assert sorted((r.path, tuple(sorted(r.params.items()))) for r in fake.requests) == [
        ("/repos/mattermost/mattermost", ()),
        ("/repos/mattermost/mattermost/issues", (("direction", "desc"), ("per_page", "100"),
                                                 ("since", "2026-11-23T00:00:00Z"), ("sort", "created"),
                                                 ("state", "open"))),
        ("/repos/mattermost/mattermost/issues/comments", (("direction", "asc"), ("per_page", "100"),
                                                          ("since", "2026-11-23T00:00:00Z"),
                                                          ("sort", "created"))),
    ]  # android watches pulls only: not asked
    fake.reset_log()
    assert run_new(run_cli, "--format", "json") == first
    assert [r.status for r in fake.requests] == [304, 304, 304]


def test_comments_are_asked_for_only_when_a_new_issue_has_some(fake: FakeGitHub, run_cli):
    fake.add_repo("mattermost/docs")
    fake.add_issue("mattermost/docs", 9, "Typo", author="zed", created="2026-11-24T08:00:00Z")
    found = json.loads(run_new(run_cli, "--format", "json", "--repo", "mattermost/docs"))
    assert [(i["number"], i["waiting_on"]) for i in found["items"]] == [(9, "us")]
    assert [r.path for r in fake.requests] == ["/repos/mattermost/docs", "/repos/mattermost/docs/issues"]


def test_since_a_date_and_a_duration(fake: FakeGitHub, run_cli):
    three_days = json.loads(run_new(run_cli, "--format", "json", "--since", "3d"))
    assert [i["number"] for i in three_days["items"]] == [208, 201, 202, 203, 204]
    six_hours = json.loads(run_new(run_cli, "--format", "json", "--since", "6h"))
    assert [i["number"] for i in six_hours["items"]] == [202, 203, 204]
    by_date = json.loads(run_new(run_cli, "--format", "json", "--since", "2026-11-24"))
    assert [i["number"] for i in by_date["items"]] == [202, 203, 204]


def test_paging_stops_once_past_the_window(fake: FakeGitHub, run_cli):
    for number in range(300, 520):  # 220 older issues, updated today so GitHub's since keeps them
        fake.add_issue(MM, number, f"Old {number}", author="zed", created="2026-10-01T10:00:00Z",
                       updated="2026-11-24T08:00:00Z")
    found = json.loads(run_new(run_cli, "--format", "json"))
    assert len(found["items"]) == 4
    lists = [r for r in fake.requests if r.path.endswith("/issues")]
    assert len(lists) == 1  # newest first: the first page already reaches back past the window


@pytest.mark.parametrize(("args", "message"), [
    (("--since", "tomorrow"), "--since: expected a duration like 12h, 1d or 1w, a date like 2026-11-20, "
                              "or an ISO 8601 time like 2026-11-24T09:00:00Z, got 'tomorrow'"),
    (("--since", "2026-12-01"),
     "--since: 2026-12-01 is in the future; pass a past date or a duration like 1d"),
    (("--since", "99999999d"), "--since: too far from now"),
    (("--since", "999999999999999d"), "--since: 999999999999999d is longer than cmtriage can count"),
    (("--wait", "999999999999d"), "--wait: 999999999999d is longer than cmtriage can count"),
    (("--wait", "2d"), "--wait: at most 1d, got 2d; no source's rate limit lasts longer: pass 1d or less"),
    (("--now", "9999-12-31T23:59:59-05:00"),
     "--now: 9999-12-31T23:59:59-05:00 is outside the calendar in UTC"),
])
def test_out_of_range_times_are_usage_errors(fake: FakeGitHub, run_cli, args: tuple[str, ...], message: str):
    assert run_cli("new", *args) == (2, "", f"cmtriage: error: {message}\n")


def test_a_repo_that_fails_is_named_and_exit_is_1(fake: FakeGitHub, run_cli, monkeypatch):
    monkeypatch.setattr(source, "sleep", lambda seconds: None)
    fake.fail(times=100, status=503, where=f"/repos/{MM}/issues")
    code, out, err = run_cli("new", "--format", "json")
    assert (code, json.loads(out)["items"]) == (1, [])
    assert err == ("cmtriage: error: github: mattermost/mattermost: GitHub answered 503 4 times; "
                   "try again later\n")


def test_a_repo_watched_for_pulls_only_says_so(fake: FakeGitHub, run_cli, write_config):
    write_config(repos="github:\n  - {repo: mattermost/mattermost-push-proxy, watch: pulls}\n")
    assert run_cli("new", "--repo", "mattermost/mattermost-push-proxy") == (
        2, "", "cmtriage: error: mattermost/mattermost-push-proxy: watched for pulls only in repos.yaml, "
               "and new lists issues; set watch: both there, or pass a --repo that is watched for issues\n")
    assert fake.requests == []

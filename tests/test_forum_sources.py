"""`cmtriage forum`'s other sources against fakes on 127.0.0.1: Stack Overflow (gzip, backoff, quota,
throttle), GitLab (paging headers, system notes, 429) and GitHub (forum.github, through the GitHub
source); and one source failing while the others are still listed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from cmtriage.sources import http
from fakes.gitlab import FakeGitLab
from fakes.gitlab import serve as serve_lab
from fakes.stackexchange import FakeStackExchange
from fakes.stackexchange import serve as serve_stack
from forum_data import NOW, ROTATION_YAML, gitlab_projects, stack_questions


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []
    monkeypatch.setattr(http, "sleep", waited.append)
    return waited


@pytest.fixture
def stack() -> Iterator[FakeStackExchange]:
    with serve_stack(FakeStackExchange(questions=stack_questions())) as running:
        yield running


@pytest.fixture
def so_only(stack, write_config, monkeypatch, sleeps) -> FakeStackExchange:
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    write_config(repos=f"stackoverflow: {{tagged: [mattermost, mattermost-plugin], url: '{stack.url}'}}\n",
                 rotation=ROTATION_YAML)
    return stack


def json_items(out: str) -> list[tuple[str, str, str, str]]:
    return [(i["source"], i["list"], i["title"], i["reason"]) for i in json.loads(out)["items"]]


# --- Stack Overflow ----------------------------------------------------------------------------------------
def test_stack_overflow_lists_unanswered_open_questions_of_any_tag(so_only, run_cli):
    code, out, err = run_cli("forum", "--format", "json")
    assert (code, err) == (0, "")
    assert json_items(out) == [
        ("stackoverflow", "unanswered", "Plugin API in Go", "no answer in 6 days"),
        ("stackoverflow", "unanswered", "Mattermost & Nginx: 502 on <websocket>", "no answer in 4 days"),
    ]
    first = json.loads(out)["items"][1]
    assert (first["author"], first["url"], first["tags"], first["replies"]) == (
        "René D", "https://stackoverflow.com/questions/7001/q-7001", ["mattermost"], 0)
    assert [r["tagged"] for r in so_only.requests] == ["mattermost", "mattermost-plugin"]
    assert so_only.requests[0] == {"site": "stackoverflow", "tagged": "mattermost", "sort": "creation",
                                   "order": "desc", "fromdate": "1792940400",  # 2026-10-25T15:00Z
                                   "pagesize": "100", "page": "1"}


def test_stack_overflow_pages_while_has_more_and_counts_a_question_once(so_only, run_cli):
    from fakes.stackexchange import question

    so_only.questions += [question(8000 + n, f"Q{n}", owner="x", created=f"2026-11-10T{n % 24:02d}:00:00Z",
                                   tags=("mattermost", "mattermost-plugin")) for n in range(150)]
    _, out, _ = run_cli("forum", "--format", "json")
    assert len(json.loads(out)["items"]) == 152
    assert [(r["tagged"], r["page"]) for r in so_only.requests] == [
        ("mattermost", "1"), ("mattermost", "2"), ("mattermost-plugin", "1"), ("mattermost-plugin", "2")]


def test_stack_overflow_backoff_is_honoured_before_the_next_call(so_only, run_cli, sleeps):
    so_only.backoff(10)
    code, _, _ = run_cli("forum", "--format", "json")
    assert code == 0 and sleeps == [10.0]


def test_stack_overflow_throttle_names_the_error_and_when(so_only, run_cli):
    so_only.throttle(3600)
    code, out, err = run_cli("forum", "--format", "json")
    assert code == 1
    assert re.fullmatch(f"cmtriage: error: stackoverflow: {re.escape(so_only.url)}: error 502 "
                        "throttle_violation: too many requests from this IP, more requests available in 3600 "
                        r"seconds; try again after \d{4}-\d\d-\d\d \d\d:\d\d UTC\n", err)
    assert json.loads(out)["items"] == []


def test_stack_overflow_error_body_is_the_report_s_error(so_only, run_cli):
    so_only.error(400, "bad_parameter", "tagged is invalid")
    code, out, _ = run_cli("forum", "--format", "json")
    assert code == 1
    assert json.loads(out)["errors"] == [
        {"source": "stackoverflow", "message": f"{so_only.url}: error 400 bad_parameter: tagged is invalid"}]


def test_stack_overflow_low_quota_warns(so_only, run_cli):
    so_only.quota_remaining = 25
    code, _, err = run_cli("forum", "--format", "json")
    assert code == 0
    assert err == ("cmtriage: warning: stackoverflow: 23 of 300 requests left today (set STACKEXCHANGE_KEY "
                   "for 10,000 a day)\n")


def test_stack_overflow_key_is_sent_and_never_shown(so_only, run_cli, monkeypatch):
    monkeypatch.setenv("STACKEXCHANGE_KEY", "se-key-abcdef")
    so_only.fail(503, times=4)
    code, out, err = run_cli("forum", "--format", "json")
    assert code == 1
    assert so_only.requests[0]["key"] == "se-key-abcdef"
    assert "se-key-abcdef" not in out + err
    assert err == (f"cmtriage: error: stackoverflow: {so_only.url}: HTTP 503 Service Unavailable after 4 "
                   "tries\n")


# --- GitLab ------------------------------------------------------------------------------------------------
@pytest.fixture
def lab() -> Iterator[FakeGitLab]:
    with serve_lab(FakeGitLab(projects=gitlab_projects())) as running:
        yield running


@pytest.fixture
def gitlab_only(lab, write_config, monkeypatch, sleeps) -> FakeGitLab:
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    write_config(repos=f"gitlab: {{url: '{lab.url}', projects: [gitlab-org/omnibus-gitlab], "
                       "labels: [Mattermost, mattermost-chat]}\n", rotation=ROTATION_YAML)
    return lab


def test_gitlab_lists_open_issues_nobody_but_the_author_noted(gitlab_only, run_cli):
    code, out, err = run_cli("forum", "--format", "json")
    assert (code, err) == (0, "")
    assert json_items(out) == [
        ("gitlab", "unanswered", "The author bumps it", "only its author replied in 6 days"),
        ("gitlab", "unanswered", "Only events so far", "no answer in 5 days"),
        ("gitlab", "unanswered", "Mattermost fails after reconfigure", "no answer in 4 days"),
    ]
    item = json.loads(out)["items"][0]
    assert (item["url"], item["tags"], item["author"]) == (
        "https://gitlab.example.com/gitlab-org/omnibus-gitlab/-/issues/13", ["Mattermost", "mattermost-chat"],
        "cat")


def test_gitlab_asks_once_per_label_and_notes_only_where_there_are_some(gitlab_only, run_cli):
    run_cli("forum", "--format", "json")
    issues = "/api/v4/projects/gitlab-org%2Fomnibus-gitlab/issues"
    assert [r.raw_path for r in gitlab_only.requests] == [
        issues, issues, f"{issues}/13/notes", f"{issues}/14/notes"]
    assert gitlab_only.requests[0].params == {
        "state": "opened", "created_after": "2026-10-25T15:00:00Z", "created_before": "2026-11-22T15:00:00Z",
        "order_by": "created_at", "sort": "asc", "labels": "Mattermost", "per_page": "100"}


def test_gitlab_pages_by_x_next_page(gitlab_only, run_cli):
    from fakes.gitlab import FakeIssue

    gitlab_only.projects["gitlab-org/omnibus-gitlab"] += [
        FakeIssue(100 + n, f"Issue {n}", "hal", f"2026-11-0{1 + n % 9}T10:00:00Z", ("Mattermost",))
        for n in range(150)]
    _, out, _ = run_cli("forum", "--format", "json")
    assert len(json.loads(out)["items"]) == 153
    pages = [r.params.get("page") for r in gitlab_only.requests if r.raw_path.endswith("/issues")]
    assert pages == [None, "2", None]


def test_gitlab_429_waits_until_ratelimit_reset(gitlab_only, run_cli, sleeps):
    gitlab_only.limit(5)
    code, out, err = run_cli("forum", "--format", "json")
    assert (code, err) == (0, "")
    assert len(sleeps) == 1 and 3 < sleeps[0] <= 5
    assert len(json.loads(out)["items"]) == 3


def test_gitlab_token_refused_and_a_missing_project(gitlab_only, run_cli, monkeypatch, write_config):
    gitlab_only.token = "glpat-right"
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-wrong-123")
    code, out, err = run_cli("forum", "--format", "json")
    assert code == 1
    assert "glpat-wrong-123" not in out + err
    assert err == (f"cmtriage: error: gitlab: {gitlab_only.url}: HTTP 401: GitLab refused the token; check "
                   "GITLAB_TOKEN\n")
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-right")
    write_config(repos=f"gitlab: {{url: '{gitlab_only.url}', projects: [gitlab-org/omnibus-gitlab, "
                       "nobody/nothing], labels: [Mattermost]}\n")
    code, out, err = run_cli("forum", "--format", "json")
    assert code == 1
    assert err == (f"cmtriage: error: gitlab: {gitlab_only.url}: HTTP 404: no project nobody/nothing (or it "
                   "is private: set GITLAB_TOKEN)\n")
    assert len(json.loads(out)["items"]) == 3
    assert gitlab_only.requests[-1].token == "glpat-right"

"""`cmtriage forum`'s other sources against fakes on 127.0.0.1: Stack Overflow (gzip, backoff, quota,
throttle), GitLab (paging headers, system notes, 429) and GitHub (forum.github, through the GitHub
source); and one source failing while the others are still listed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from fakes.github import TOKEN as GITHUB_TOKEN
from fakes.github import FakeGitHub
from fakes.github import serve as serve_hub
from fakes.gitlab import FakeGitLab
from fakes.gitlab import serve as serve_lab
from fakes.stackexchange import FakeStackExchange
from fakes.stackexchange import serve as serve_stack
from forum_data import NOW, ROTATION_YAML, gitlab_projects, stack_questions


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


def test_stack_overflow_throttle_within_wait_is_waited_out_once(so_only, run_cli, sleeps):
    so_only.throttle(30)
    code, out, err = run_cli("forum", "--format", "json", "--wait", "1m")
    assert (code, err) == (0, "")
    assert sleeps == [30.0]
    assert len(json.loads(out)["items"]) == 2
    assert [r["tagged"] for r in so_only.requests] == ["mattermost", "mattermost", "mattermost-plugin"]


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
                   "tries; try again later\n")


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
    assert sorted(r.raw_path for r in gitlab_only.requests) == [
        issues, issues, f"{issues}/13/notes", f"{issues}/14/notes"]  # notes are read 4 at a time
    assert gitlab_only.requests[0].params == {
        "state": "opened", "created_after": "2026-10-25T15:00:00Z", "created_before": "2026-11-22T15:00:00Z",
        "order_by": "created_at", "sort": "asc", "labels": "Mattermost", "per_page": "100"}


@pytest.mark.parametrize("header", [True, False], ids=["x-next-page", "link"])
def test_gitlab_pages_by_x_next_page_else_link(gitlab_only, run_cli, header):
    from fakes.gitlab import FakeIssue

    gitlab_only.next_header = header
    gitlab_only.projects["gitlab-org/omnibus-gitlab"] += [
        FakeIssue(100 + n, f"Issue {n}", "hal", f"2026-11-0{1 + n % 9}T10:00:00Z", ("Mattermost",))
        for n in range(150)]
    _, out, _ = run_cli("forum", "--format", "json")
    assert len(json.loads(out)["items"]) == 153
    pages = [r.params.get("page") for r in gitlab_only.requests if r.raw_path.endswith("/issues")]
    assert pages == [None, "2", None]
    assert gitlab_only.requests[1].params["labels"] == "Mattermost"  # the Link keeps the query


def test_gitlab_paging_past_the_bound_fails_the_source_rather_than_list_short(gitlab_only, run_cli,
                                                                              monkeypatch):
    from cmtriage.sources import gitlab
    from fakes.gitlab import FakeIssue

    monkeypatch.setattr(gitlab, "MAX_PAGES", 1)
    gitlab_only.projects["gitlab-org/omnibus-gitlab"] += [
        FakeIssue(100 + n, f"Issue {n}", "hal", f"2026-11-0{1 + n % 9}T10:00:00Z", ("Mattermost",))
        for n in range(150)]
    code, out, err = run_cli("forum", "--format", "json")
    assert code == 1
    assert err == (f"cmtriage: error: gitlab: {gitlab_only.url}: "
                   "/projects/gitlab-org%2Fomnibus-gitlab/issues names more than 1 page; stopped\n")
    assert json.loads(out)["items"] == []


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


# --- GitHub, and all four together -------------------------------------------------------------------------
MM = "mattermost/mattermost"


@pytest.fixture
def hub(monkeypatch) -> Iterator[FakeGitHub]:
    from cmtriage.sources import github as github_source

    monkeypatch.setattr(github_source, "sleep", lambda seconds: None)
    with serve_hub(FakeGitHub()) as running:
        monkeypatch.setenv("GITHUB_API_URL", running.url)
        monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
        running.add_repo(MM)
        add, comment = running.add_issue, running.add_comment
        add(MM, 301, "Desktop app freezes", author="alice", created="2026-11-20T10:00:00Z")
        add(MM, 302, "Only mattermod replied", author="bob", created="2026-11-19T10:00:00Z")
        comment(MM, 302, author="mattermod", author_type="Bot", created="2026-11-19T10:01:00Z")
        add(MM, 303, "The author bumps it", author="carol", created="2026-11-18T10:00:00Z")
        comment(MM, 303, author="carol", created="2026-11-21T10:00:00Z")
        add(MM, 304, "Answered by staff", author="dan", created="2026-11-18T10:00:00Z")
        comment(MM, 304, author="hanna", created="2026-11-18T12:00:00Z")
        add(MM, 305, "Answered by the community", author="eve", created="2026-11-18T10:00:00Z")
        comment(MM, 305, author="frank", created="2026-11-18T12:00:00Z")
        add(MM, 306, "Staff opened this", author="ivy", association="MEMBER", created="2026-11-18T10:00:00Z")
        add(MM, 307, "A pull", author="gus", created="2026-11-18T10:00:00Z", pull=True)
        add(MM, 308, "Too old", author="hal", created="2026-10-01T10:00:00Z")
        add(MM, 309, "Too new", author="hal", created="2026-11-24T10:00:00Z")
        yield running


@pytest.fixture
def everything(hub, lab, stack, write_config, monkeypatch, sleeps):
    from fakes.discourse import FakeDiscourse, topic
    from fakes.discourse import serve as serve_forum

    site = FakeDiscourse(topics=[topic(1, "Forum question", ("zoe", "2026-11-20T10:00:00Z"))])
    with serve_forum(site):
        monkeypatch.setenv("CMTRIAGE_NOW", NOW)
        write_config(repos=f"""\
            staff: {{logins: [hanna]}}
            bots: [mattermod]
            forum: {{url: '{site.url}', github: [{MM}]}}
            stackoverflow: {{tagged: [mattermost], url: '{stack.url}'}}
            gitlab: {{url: '{lab.url}', projects: [gitlab-org/omnibus-gitlab], labels: [Mattermost]}}
            """, rotation=ROTATION_YAML)
        yield {"forum": site, "stackoverflow": stack, "gitlab": lab, "github": hub}


def test_github_lists_community_issues_with_no_human_answer_but_the_author_s(everything, run_cli):
    code, out, err = run_cli("forum", "--source", "github", "--format", "json")
    assert (code, err) == (0, "")
    assert json_items(out) == [
        ("github", "unanswered", "The author bumps it", "only its author replied in 6 days"),
        ("github", "unanswered", "Only mattermod replied", "only bots replied in 5 days"),
        ("github", "unanswered", "Desktop app freezes", "no answer in 4 days"),
    ]
    hub = everything["github"]
    assert sorted({r.path for r in hub.requests}) == [
        f"/repos/{MM}", f"/repos/{MM}/issues", f"/repos/{MM}/issues/comments"]
    assert everything["forum"].requests == []


def test_github_uses_the_github_cache(everything, run_cli):
    run_cli("forum", "--source", "github", "--format", "json")
    hub = everything["github"]
    hub.requests.clear()
    _, out, _ = run_cli("forum", "--source", "github", "--format", "json")
    assert len(json.loads(out)["items"]) == 3
    assert hub.billed() == 0  # every page answered 304 Not Modified


def test_all_four_sources_in_one_report_with_a_count_line_each(everything, run_cli):
    code, out, err = run_cli("forum", "--format", "markdown")
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == ("#### 8 forum questions for the community: 8 unanswered, 0 after the "
                                   "release, 0 waiting on us")
    assert out.endswith("\nForum: 1 unanswered, 0 after release, 0 reply to us\n"
                        "Stack Overflow: 1 unanswered\nGitLab: 3 unanswered\nGitHub: 3 unanswered\n")


@pytest.mark.parametrize("failing", ["forum", "stackoverflow", "gitlab", "github"])
def test_one_source_failing_keeps_the_three_others(everything, run_cli, failing):
    def break_it() -> None:
        fake = everything[failing]
        if failing == "github":
            fake.fail(times=20, status=500)
        elif failing == "stackoverflow":
            fake.error(403, "access_denied", "key is not valid")
        elif failing == "gitlab":
            fake.fail(500, times=4)
        else:
            fake.garble(1, where="/categories.json")

    break_it()
    code, out, err = run_cli("forum", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert [e["source"] for e in report["errors"]] == [failing]
    assert err.startswith(f"cmtriage: error: {failing}: ") and err.count("\n") == 1
    counts = {"forum": 1, "stackoverflow": 1, "gitlab": 3, "github": 3}
    del counts[failing]
    assert {s: sum(1 for i in report["items"] if i["source"] == s) for s in counts} == counts
    assert all(i["source"] != failing for i in report["items"])
    break_it()
    _, md, _ = run_cli("forum", "--format", "markdown", "--no-cache")
    names = {"forum": "Forum", "stackoverflow": "Stack Overflow", "gitlab": "GitLab", "github": "GitHub"}
    name = names[failing]
    assert f"\n{name}: not listed (failed)\n" in md


def test_a_digest_asks_github_for_a_repo_and_the_staff_once_for_stale_and_the_forum(everything, run_cli,
                                                                                   write_config, monkeypatch):
    hub = everything["github"]
    hub.orgs["mattermost"] = {"jesse": False}
    write_config(repos=f"""\
        github: [{{repo: {MM}}}]
        staff: {{logins: [hanna], orgs: [mattermost]}}
        forum: {{url: '{everything["forum"].url}', github: [{MM}]}}
        """)
    hub.requests.clear()
    code, out, err = run_cli("digest", "--format", "json")
    assert code == 0, err
    asked = [r.path for r in hub.requests]
    assert (asked.count(f"/repos/{MM}"), asked.count("/orgs/mattermost/members")) == (1, 1)
    items = json.loads(out)["items"]
    assert [i["title"] for i in items if (i["section"], i["source"]) == ("forum", "github")] == [
        "The author bumps it", "Only mattermod replied", "Desktop app freezes"]

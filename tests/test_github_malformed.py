"""GitHub answers that are not what GitHub documents: a malformed field fails its repo by name (exit 1)
and the other repos are listed; paging without end is bounded, and a list cut short says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cmtriage.sources import github as source
from fakes.github import TOKEN, FakeGitHub, serve

NOW = "2026-11-24T14:00:00Z"
MM, DOCS = "mattermost/mattermost", "mattermost/docs"
REPOS = "github:\n  - repo: mattermost/mattermost\n  - repo: mattermost/docs\n"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, write_config) -> Iterator[FakeGitHub]:
    with serve(FakeGitHub()) as running:
        monkeypatch.setenv("GITHUB_API_URL", running.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("CMTRIAGE_NOW", NOW)
        monkeypatch.setattr(source, "sleep", lambda seconds: None)
        write_config(repos=REPOS)
        running.add_repo(MM)
        running.add_repo(DOCS)
        running.add_issue(MM, 1, "Crash", author="alice", created="2026-11-01T10:00:00Z")
        running.add_issue(DOCS, 2, "Typo", author="bob", created="2026-11-02T10:00:00Z")
        yield running


def items(out: str) -> list[tuple[str, int]]:
    return [(i["repo"], i["number"]) for i in json.loads(out)["items"]]


def errors(out: str) -> list[str]:
    return [f"{e['source']}: {e['message']}" for e in json.loads(out)["errors"]]


def on_issues_of(fake: FakeGitHub, repo: str, change):
    """A tamper hook passing the open-item pages of `repo` through `change(params, status, headers, body)`."""
    paths = (f"/repos/{repo}/issues", f"/repositories/{fake.repo(repo).id}/issues")

    def tamper(path: str, params: dict, status: int, headers: dict, body):
        if path in paths:
            return change(params, status, headers, body)
        return status, headers, body

    return tamper


def field(key: str, value):
    def change(params, status, headers, body):
        return status, headers, [{**item, key: value} for item in body]

    return change


@pytest.mark.parametrize(("key", "value", "message"), [
    ("created_at", "yesterday", "#2: created_at is not a time: 'yesterday'"),
    ("created_at", None, "#2: created_at is not a time: None"),
    ("comments", "5", "#2: comments is not a count: '5'"),
    ("number", "2", "number is not a number: '2'"),
    ("labels", [{"name": 5}], "#2: labels is not a list of text: [5]"),
    ("user", "bob", None),  # a user that is not an object is a ghost, not a failure
])
def test_a_malformed_field_fails_its_repo_by_name_and_the_others_are_listed(fake: FakeGitHub, run_cli,
                                                                            key, value, message):
    fake.tamper = on_issues_of(fake, DOCS, field(key, value))
    code, out, err = run_cli("stale", "-f", "json")
    if message is None:
        assert (code, err) == (0, "") and items(out) == [(MM, 1), (DOCS, 2)]
        return
    expected = f"github: {DOCS}: unexpected answer from GitHub: {message}"
    assert (code, items(out), errors(out)) == (1, [(MM, 1)], [expected])
    assert err == f"cmtriage: error: {expected}\n"


def test_a_repo_whose_full_name_is_not_text_fails_by_its_name(fake: FakeGitHub, run_cli):
    fake.tamper = lambda path, params, status, headers, body: (
        (status, headers, {**body, "full_name": 5}) if path == f"/repos/{DOCS}" else (status, headers, body))
    code, out, _ = run_cli("stale", "-f", "json")
    assert (code, items(out), errors(out)) == (1, [(MM, 1)], [
        f"github: {DOCS}: unexpected answer from GitHub: full_name is not owner/name: 5"])


def _paged(fake: FakeGitHub, count: int) -> None:
    for number in range(10, 10 + count):
        fake.add_issue(DOCS, number, f"Issue {number}", author="bob", created="2026-11-03T10:00:00Z")


def link(fake: FakeGitHub, page: str, rel: str = "last") -> str:
    path = f"/repositories/{fake.repo(DOCS).id}/issues"
    return f'<{fake.url}{path}?state=open&per_page=100&page={page}>; rel="{rel}"'


@pytest.mark.parametrize(("header", "message"), [
    ("page=x", "the Link header names no page number: "),
    ("garbage", "the Link header is not one: 'garbage'"),
])
def test_a_garbage_link_on_the_first_page_fails_the_repo_rather_than_cut_the_list(fake: FakeGitHub, run_cli,
                                                                                  header, message):
    def change(params, status, headers, body):
        value = "garbage" if header == "garbage" else f"{link(fake, '2', 'next')}, {link(fake, 'x')}"
        return status, {**headers, "Link": value}, body

    fake.tamper = on_issues_of(fake, DOCS, change)
    code, out, _ = run_cli("stale", "-f", "json")
    assert (code, items(out)) == (1, [(MM, 1)])
    [error] = errors(out)
    assert error.startswith(f"github: {DOCS}: unexpected answer from GitHub: {message}")


def test_an_absurd_last_page_is_bounded_by_the_repos_count(fake: FakeGitHub, run_cli):
    _paged(fake, 150)  # two pages

    def change(params, status, headers, body):
        if params.get("page", "1") == "1":
            headers = {**headers, "Link": f"{link(fake, '2', 'next')}, {link(fake, '100000')}"}
        return status, headers, body

    fake.tamper = on_issues_of(fake, DOCS, change)
    code, out, _ = run_cli("stale", "-f", "json")
    assert (code, errors(out)) == (1, [
        f"github: {DOCS}: unexpected answer from GitHub: the open items: the Link header names 100,000 "
        "pages for 151 items, more than 3; stopped"])
    assert [r.path for r in fake.requests if r.path.endswith("/issues") and MM not in r.path] == [
        f"/repos/{DOCS}/issues"]


def test_an_empty_page_in_the_middle_marks_the_list_incomplete(fake: FakeGitHub, run_cli):
    _paged(fake, 250)  # three pages

    def change(params, status, headers, body):
        return status, headers, [] if params.get("page") == "2" else body

    fake.tamper = on_issues_of(fake, DOCS, change)
    code, out, _ = run_cli("stale", "-f", "json")
    assert code == 1 and (MM, 1) in items(out)
    assert errors(out) == [f"github: {DOCS}: unexpected answer from GitHub: the open items: page 2 of 3 is "
                           "empty; stopped"]


def test_a_repeated_page_marks_the_list_incomplete(fake: FakeGitHub, run_cli):
    _paged(fake, 250)
    first: list = []

    def change(params, status, headers, body):
        if params.get("page", "1") == "1":
            first[:] = body
        return status, headers, first if params.get("page") == "2" else body

    fake.tamper = on_issues_of(fake, DOCS, change)
    code, out, _ = run_cli("stale", "-f", "json")
    assert code == 1
    assert errors(out) == [f"github: {DOCS}: unexpected answer from GitHub: the open items: page 2 repeats "
                           "page 1; stopped"]


def test_a_next_link_back_to_a_page_already_read_stops(fake: FakeGitHub, run_cli):
    """`stale --activity updated` follows rel=next page by page: a next that loops ends the paging."""
    _paged(fake, 150)

    def change(params, status, headers, body):
        return status, {**headers, "Link": link(fake, "2", "next")}, body

    fake.tamper = on_issues_of(fake, DOCS, change)
    code, out, _ = run_cli("stale", "-f", "json", "--activity", "updated", "--days", "1")
    assert code == 1
    assert errors(out) == [f"github: {DOCS}: unexpected answer from GitHub: the open items: the Link header "
                           "leads to a page it read before; stopped"]
    assert [r.params.get("page") for r in fake.requests
            if r.path.endswith("/issues") and MM not in r.path] == [None, "2"]


def test_an_absurd_comment_count_fails_that_item_without_asking_for_a_billion_pages(fake: FakeGitHub,
                                                                                    run_cli):
    fake.tamper = on_issues_of(fake, DOCS, field("comments", 1_000_000_000))
    code, out, _ = run_cli("stale", "-f", "json")
    assert code == 1
    assert errors(out) == [f"github: {DOCS}#2: unexpected answer from GitHub: #2 has 1,000,000,000 comments, "
                           "more than cmtriage reads (10,000)"]
    assert fake.count(f"/repos/{DOCS}/issues/2/comments") == 0


def test_a_comment_count_the_pages_do_not_hold_fails_that_item(fake: FakeGitHub, run_cli):
    fake.tamper = on_issues_of(fake, DOCS, field("comments", 450))
    code, out, _ = run_cli("stale", "-f", "json")
    assert code == 1
    assert errors(out) == [f"github: {DOCS}#2: unexpected answer from GitHub: #2 has 450 comments, but their "
                           "page 4 is empty"]
    assert fake.count(f"/repos/{DOCS}/issues/2/comments") == 2  # pages 5 (the top may have lost some), 4


def test_a_cache_entry_of_the_wrong_shape_is_a_miss(fake: FakeGitHub, run_cli, isolated_env: Path):
    code, first, _ = run_cli("stale", "-f", "json")
    assert code == 0
    [cache] = (isolated_env / "cache").rglob("github-*.json")
    data = json.loads(cache.read_text())
    for number, entry in enumerate(data["entries"].values()):
        entry["value"] = [{"data": "garbage", "etag": 5},
                          {"etag": "x", "data": [{"number": "1"}], "links": {}},
                          {"etag": "x", "data": {"full_name": None}, "links": {}}, "nonsense"][number % 4]
    cache.write_text(json.dumps(data))
    assert run_cli("stale", "-f", "json") == (0, first, "")

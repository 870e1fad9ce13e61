"""`cmtriage jira ticket URL [--create]` against a fake GitHub, a fake forum and a fake Jira: the draft,
creating once, finding the earlier ticket by its exact link (never by words alone), Data Center."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from cmtriage.sources import http
from fakes import Asked, json_handler, listening
from fakes.github import TOKEN as GITHUB_TOKEN
from fakes.github import FakeGitHub
from fakes.github import serve as serve_github
from fakes.jira import DC_TOKEN, EMAIL, TOKEN, FakeJira, issue
from fakes.jira import serve as serve_jira

ISSUE = "https://github.com/mattermost/mattermost/issues/12"


def adf(*nodes: dict) -> dict:
    return {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": list(nodes)}]}


def text(value: str, href: str | None = None) -> dict:
    node: dict[str, Any] = {"type": "text", "text": value}
    if href:
        node["marks"] = [{"type": "link", "attrs": {"href": href}}]
    return node


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    add_report(fake)
    with serve_github(fake) as running:
        yield running


def add_report(fake: FakeGitHub) -> None:
    """The GitHub issue these tests file (the README's jira sample files it too)."""
    fake.add_repo("mattermost/mattermost")
    fake.add_issue(
        "mattermost/mattermost",
        12,
        "Push fails after upgrade | @all [x](https://evil.example)",
        author="dana",
        created="2026-11-20T10:00:00Z",
        body="Steps:\n1. Upgrade to 11.1\n2. Send a message\n\nNo push arrives.",
    )


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    fake = FakeJira()
    add_near_misses(fake)
    with serve_jira(fake) as running:
        yield running


def add_near_misses(fake: FakeJira) -> None:
    """Tickets Jira's word search finds for ISSUE that do not hold its address."""
    fake.add(
        # Jira's text search finds these by the words of the address; neither holds the address itself.
        issue(
            "MM-40",
            summary="Mobile push",
            description=adf(text("See https://github.com/mattermost/mattermost-mobile/issues/12")),
        ),
        issue(
            "MM-41",
            summary="Twelve",
            description=adf(text("github.com/mattermost/mattermost/issues/120 and 12 more")),
        ),
    )


@pytest.fixture
def configured(github, jira, write_config, monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    monkeypatch.setenv("JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    write_config(repos=f"jira: {{url: '{jira.url}', project: MM, labels: [community, Triage Needed]}}\n")
    return jira


def test_the_draft_quotes_the_report_and_creates_nothing(configured, run_cli):
    code, out, err = run_cli("jira", "ticket", ISSUE)
    assert (code, err) == (0, "")
    assert out == (
        f"Jira ticket for {ISSUE} (not created: add --create):\n"
        "  project: MM\n"
        "  summary: Push fails after upgrade | @all [x](https://evil.example)\n"
        "  labels: community, Triage Needed\n"
        "  description:\n"
        f"    Reported by dana in a GitHub issue: {ISSUE}\n"
        "    > Steps:\n"
        "    > 1. Upgrade to 11.1\n"
        "    > 2. Send a message\n"
        "    >\n"
        "    > No push arrives.\n"
    )
    assert configured.count("/rest/api/3/issue") == 0
    [search] = configured.searches
    assert search.params["jql"] == (
        'project = MM AND text ~ "\\"github com mattermost mattermost issues 12\\"" ORDER BY created ASC'
    )
    assert search.params["fields"] == "summary,description"


def test_create_twice_makes_one_ticket(configured, run_cli):
    code, out, err = run_cli("jira", "ticket", ISSUE, "--create")
    link = f"{configured.url}/browse/MM-501"
    assert (code, err) == (0, "")
    assert out == (
        f"Created MM-501: {link}\n"
        "Reply for the reporter:\n"
        f"  Thanks @dana for the report! I reproduced it and opened {link} to track the fix.\n"
    )
    [created] = [r for r in configured.requests if r.method == "POST"]
    fields = created.body["fields"]
    assert {k: fields[k] for k in ("project", "summary", "issuetype", "labels")} == {
        "project": {"key": "MM"},
        "summary": "Push fails after upgrade | @all [x](https://evil.example)",
        "issuetype": {"name": "Bug"},
        "labels": ["community", "Triage-Needed"],
    }
    assert fields["description"]["content"][0] == {
        "type": "paragraph",
        "content": [
            {"type": "text", "text": "Reported by dana in a GitHub issue: "},
            {"type": "text", "text": ISSUE, "marks": [{"type": "link", "attrs": {"href": ISSUE}}]},
        ],
    }
    assert fields["description"]["content"][1]["type"] == "blockquote"

    code, out, err = run_cli("jira", "ticket", ISSUE, "--create")
    assert (code, err) == (0, "")
    assert out == (
        f"Already in Jira: MM-501 {link} holds {ISSUE}; nothing created.\n"
        "  summary: Push fails after upgrade | @all [x](https://evil.example)\n"
        "Reply for the reporter:\n"
        f"  Thanks @dana for the report! It is tracked in {link}.\n"
    )
    assert sum(1 for r in configured.requests if r.method == "POST") == 1


def test_an_earlier_ticket_holding_the_link_only_in_a_link_mark_is_found(configured, run_cli):
    configured.add(
        issue(
            "MM-77",
            summary="Push broken",
            description=adf(text("Reported "), text("on GitHub", href=ISSUE + "#issuecomment-1")),
        )
    )
    code, out, _ = run_cli("jira", "ticket", ISSUE, "--create")
    assert code == 0
    assert out.startswith(
        f"Already in Jira: MM-77 {configured.url}/browse/MM-77 holds {ISSUE}; nothing created.\n"
    )
    assert configured.count("/rest/api/3/issue") == 0


def test_datacenter_creates_with_wiki_text_and_a_bearer_token(github, write_config, monkeypatch, run_cli):
    fake = FakeJira(cloud=False)
    with serve_jira(fake):
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        monkeypatch.setenv("JIRA_TOKEN", DC_TOKEN)
        write_config(repos=f"jira: {{url: '{fake.url}', project: MM, flavor: datacenter}}\n")
        code, out, err = run_cli("jira", "ticket", ISSUE, "--create")
    assert (code, err) == (0, "")
    assert out.startswith(f"Created MM-501: {fake.url}/browse/MM-501\n")
    assert [r.path for r in fake.requests] == ["/rest/api/2/search", "/rest/api/2/issue"]
    assert fake.requests[1].body["fields"]["description"] == (
        f"Reported by dana in a GitHub issue: {ISSUE}\n\n{{noformat}}\nSteps:\n1. Upgrade to 11.1\n"
        "2. Send a message\n\nNo push arrives.\n{noformat}"
    )
    assert "labels" not in fake.requests[1].body["fields"]


def forum_handler(requests: list[str]) -> type[BaseHTTPRequestHandler]:
    def answer(asked: Asked) -> tuple[int, dict[str, str], Any]:
        requests.append(asked.target)
        if asked.target != "/t/4512.json":
            return 404, {}, {"errors": ["not found"]}
        return 200, {}, {
            "id": 4512,
            "title": "Push fails on iOS",
            "slug": "push-fails-on-ios",
            "post_stream": {
                "posts": [
                    {
                        "post_number": 1,
                        "username": "lee",
                        "cooked": "<p>It fails.</p><p>Every time.</p>",
                    }
                ],
                "stream": [1],
            },
        }

    return json_handler(answer, content_type="application/json")


def test_a_forum_topic_is_drafted_from_its_first_post(jira, write_config, monkeypatch, run_cli):
    requests: list[str] = []
    with listening(forum_handler(requests)) as forum:
        monkeypatch.setenv("JIRA_EMAIL", EMAIL)
        monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)
        write_config(repos=f"forum: {{url: '{forum}'}}\njira: {{url: '{jira.url}', project: MM}}\n")
        code, out, err = run_cli("jira", "ticket", f"{forum}/t/push-fails-on-ios/4512/3")
    assert (code, err) == (0, "")
    assert requests == ["/t/4512.json"]
    assert out == (
        f"Jira ticket for {forum}/t/push-fails-on-ios/4512 (not created: add --create):\n"
        "  project: MM\n  summary: Push fails on iOS\n  labels: (none)\n  description:\n"
        f"    Reported by lee in a forum topic: {forum}/t/push-fails-on-ios/4512\n"
        "    > It fails.\n    >\n    > Every time.\n"
    )


@pytest.mark.parametrize(
    ("repos", "message"),
    [
        ("jira: {url: 'https://x.atlassian.net'}\n", "jira ticket needs jira: {url, project}"),
    ],
)
def test_usage_errors_exit_2(write_config, run_cli, monkeypatch, repos, message):
    write_config(repos=repos)
    code, out, err = run_cli("jira", "ticket", ISSUE)
    assert (code, out) == (2, "")
    assert message in err


def test_an_address_that_is_no_report_exit_2(configured, run_cli):
    code, out, err = run_cli("jira", "ticket", "https://example.com/whatever")
    assert (code, out) == (2, "")
    assert err == (
        "cmtriage: error: expected a GitHub issue address like https://github.com/OWNER/REPO/issues/123 "
        "(or a forum topic, with forum.url in repos.yaml), got 'https://example.com/whatever'\n"
    )
    assert configured.requests == []


def test_missing_jira_credentials_exit_2(github, jira, write_config, run_cli):
    write_config(repos=f"jira: {{url: '{jira.url}', project: MM}}\n")
    code, _, err = run_cli("jira", "ticket", ISSUE)
    assert code == 2
    assert err.startswith("cmtriage: error: JIRA_EMAIL and JIRA_API_TOKEN not set:")

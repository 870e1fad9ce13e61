"""`cmtriage zendesk` against a fake Zendesk on 127.0.0.1: rows, JSON, cost, retries, credentials, snoozes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cmtriage.cli import main
from cmtriage.config import Zendesk
from cmtriage.errors import SourceFailure
from cmtriage.sources import http
from cmtriage.sources import zendesk as source
from fakes.zendesk import EMAIL, TOKEN, FakeZendesk, serve, ticket, user

NOW = "2026-11-24T15:00:00Z"  # Tuesday 10:00 in Toronto, in Eric's week (the 46th from 2026-01-12)
QUERY = "type:ticket status<solved tags:community"
ROTATION_YAML = """\
timezone: America/Toronto
start: 2026-01-12
members:
  - name: Eric
    mention: eric.s
  - name: Jason
  - name: Lindsay
handoffs: {zendesk: Hanna}
"""
ZWSP = "\u200b"


def tickets() -> list[dict]:
    return [
        ticket(4470, "Push notifications stop after an hour", requester_id=103,
               created_at="2026-11-02T16:00:00Z", updated_at="2026-11-20T10:00:00Z", status="new",
               priority=None),
        ticket(4512, "SAML with Okta on Enterprise?", requester_id=101, created_at="2026-11-23T09:00:00Z",
               updated_at="2026-11-24T08:00:00Z", tags=("community", "saml")),
        ticket(4498, "Upgrade fails | @all please [help](https://evil.example)", requester_id=102,
               created_at="2026-11-17T12:30:00Z", updated_at="2026-11-19T12:30:00Z", status="pending",
               priority="high", tags=("community", "upgrade")),
    ]


USERS = [user(101, "Dana Rivera"), user(102, "Lee Chen"), user(103, "Sam O'Neil")]


@pytest.fixture
def fake() -> Iterator[FakeZendesk]:
    with serve(FakeZendesk(tickets=tickets(), users=list(USERS))) as running:
        yield running


@pytest.fixture
def configured(fake: FakeZendesk, write_config, monkeypatch: pytest.MonkeyPatch, sleeps):
    monkeypatch.setenv("ZENDESK_EMAIL", EMAIL)
    monkeypatch.setenv("ZENDESK_API_TOKEN", TOKEN)
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    write_config(repos=f'zendesk: {{url: "{fake.url}/", query: "{QUERY}"}}\n', rotation=ROTATION_YAML)
    return fake


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["zendesk", *args])
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def test_markdown_rows_newest_first_with_the_pm_and_the_handoff(configured: FakeZendesk, capsys):
    code, out, err = run(capsys, "--format", "markdown")
    agent = f"{configured.url}/agent/tickets"
    assert (code, err) == (0, "")
    assert out == (
        "#### @eric.s: 3 Zendesk tickets flagged for the community PM\n"
        "Answer in the Mattermost thread (with dev help if needed), then mention @hanna to reply in "
        "Zendesk.\n"
        "\n"
        "| Subject | Requester | Status | Age (days) | Tags |\n"
        "| --- | --- | --- | ---: | --- |\n"
        f"| [SAML with Okta on Enterprise?]({agent}/4512) | Dana Rivera | open | 1 | community, saml |\n"
        f"| [Upgrade fails \\| @{ZWSP}all please \\[help\\](https://evil.example)]({agent}/4498)"
        " | Lee Chen | pending | 7 | community, upgrade |\n"
        f"| [Push notifications stop after an hour]({agent}/4470) | Sam O'Neil | new | 21 | community |\n"
    )


def test_one_search_request_asks_what_the_user_configured(configured: FakeZendesk, capsys):
    run(capsys, "--format", "json")
    assert [r.path for r in configured.requests] == ["/api/v2/search.json"]
    assert configured.requests[0].params == {
        "query": QUERY, "sort_by": "created_at", "sort_order": "desc", "per_page": "100",
        "include": "tickets(users)",
    }


def test_json(configured: FakeZendesk, capsys):
    code, out, _ = run(capsys, "--format", "json")
    agent = f"{configured.url}/agent/tickets"
    assert code == 0
    assert json.loads(out) == {
        "report": "zendesk",
        "generated_at": "2026-11-24T15:00:00Z",
        "items": [
            {"source": "zendesk", "url": f"{agent}/4512", "title": "SAML with Okta on Enterprise?",
             "author": "Dana Rivera", "created_at": "2026-11-23T09:00:00Z",
             "last_activity_at": "2026-11-24T08:00:00Z", "days_idle": 0, "reason": "open: needs an answer",
             "ticket_id": 4512, "status": "open", "priority": "normal", "tags": ["community", "saml"],
             "age_days": 1},
            {"source": "zendesk", "url": f"{agent}/4498",
             "title": "Upgrade fails | @all please [help](https://evil.example)",
             "author": "Lee Chen", "created_at": "2026-11-17T12:30:00Z",
             "last_activity_at": "2026-11-19T12:30:00Z", "days_idle": 5,
             "reason": "pending: waiting on the customer", "ticket_id": 4498, "status": "pending",
             "priority": "high", "tags": ["community", "upgrade"], "age_days": 7},
            {"source": "zendesk", "url": f"{agent}/4470", "title": "Push notifications stop after an hour",
             "author": "Sam O'Neil", "created_at": "2026-11-02T16:00:00Z",
             "last_activity_at": "2026-11-20T10:00:00Z", "days_idle": 4,
             "reason": "new: needs a first answer", "ticket_id": 4470, "status": "new", "priority": None,
             "tags": ["community"], "age_days": 21},
        ],
        "errors": [],
    }


def many(count: int, requesters: int) -> list[dict]:
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    return [ticket(n, f"Ticket {n}", requester_id=1000 + n % requesters,
                   created_at=datetime.fromtimestamp(start + n * 3600, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
            for n in range(1, count + 1)]


def cost(fake: FakeZendesk) -> tuple[int, int]:
    """(search requests, users/show_many requests)."""
    return fake.count("/api/v2/search.json"), fake.count("/api/v2/users/show_many.json")


def test_pages_cost_one_request_each_and_names_come_side_loaded(configured: FakeZendesk, capsys):
    configured.tickets = many(250, requesters=150)
    configured.users = [user(1000 + n, f"Customer {n}") for n in range(150)]
    code, out, _ = run(capsys, "--format", "json")
    items = json.loads(out)["items"]
    assert code == 0
    assert len(items) == 250
    assert [i["ticket_id"] for i in items[:3]] == [250, 249, 248]
    assert items[0]["author"] == "Customer 100"
    assert cost(configured) == (3, 0)
    assert [r.params.get("page") for r in configured.requests] == [None, "2", "3"]


def test_without_side_loading_names_cost_one_call_per_100_requesters(configured: FakeZendesk, capsys):
    configured.tickets = many(250, requesters=150)
    configured.users = [user(1000 + n, f"Customer {n}") for n in range(150)]
    configured.sideload = False
    code, out, _ = run(capsys, "--format", "json")
    assert code == 0
    assert json.loads(out)["items"][0]["author"] == "Customer 100"
    assert cost(configured) == (3, 2)
    asked = [r.params["ids"].split(",") for r in configured.requests if r.path.endswith("show_many.json")]
    assert [len(ids) for ids in asked] == [100, 50]


def test_zendesk_returns_at_most_1000_and_the_report_says_so(configured: FakeZendesk, capsys):
    configured.tickets = many(1234, requesters=10)
    configured.users = [user(1000 + n, f"Customer {n}") for n in range(10)]
    code, out, err = run(capsys, "--format", "markdown")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[2] == ("Showing the newest 1,000 of 1,234 matching tickets: Zendesk search returns at most "
                        "1,000. Narrow zendesk.query in repos.yaml to see the rest.")
    assert sum(1 for line in lines if line.startswith("| [Ticket ")) == 1000
    assert configured.count("/api/v2/search.json") == 10  # never asks for page 11, which is a 422


def test_429_waits_retry_after_then_succeeds(configured: FakeZendesk, capsys, sleeps: list[float]):
    configured.throttle(2, retry_after="7")
    code, out, err = run(capsys, "--format", "json")
    assert (code, err) == (0, "")
    assert len(json.loads(out)["items"]) == 3
    assert sleeps == [7.0, 7.0]
    assert configured.count("/api/v2/search.json") == 3


def test_a_retry_after_beyond_the_cap_fails_at_once_saying_when(configured: FakeZendesk, capsys,
                                                                sleeps: list[float], monkeypatch):
    class Clock(datetime):  # "try again after" is wall-clock time, not --now: fix the wall clock
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 24, 15, 0, tzinfo=UTC)

    monkeypatch.setattr(http, "datetime", Clock)
    configured.throttle(1, retry_after="3600")
    code, out, err = run(capsys, "--format", "json")
    assert code == 1
    assert err == (f"cmtriage: error: zendesk: {configured.url}: HTTP 429: the server asks to wait 3600 s, "
                   "longer than cmtriage waits (60 s); try again after 2026-11-24 16:00 UTC\n")
    assert json.loads(out)["items"] == []
    assert (configured.count("/api/v2/search.json"), sleeps) == (1, [])


@pytest.mark.parametrize("retry_after", ["inf", "1e12"])
def test_a_retry_after_past_any_sensible_time_is_the_reports_error(configured: FakeZendesk, capsys,
                                                                   sleeps: list[float], retry_after: str):
    configured.throttle(1, retry_after=retry_after)
    code, out, err = run(capsys, "--format", "json")
    failure = (f"{configured.url}: HTTP 429: the server asks to wait more than a year, longer than cmtriage "
               "waits (60 s); try again later")
    assert (code, err) == (1, f"cmtriage: error: zendesk: {failure}\n")
    assert json.loads(out)["errors"] == [{"source": "zendesk", "message": failure}]
    assert (configured.count("/api/v2/search.json"), sleeps) == (1, [])


def test_wait_bounds_the_run_s_waiting_in_all(configured: FakeZendesk, capsys, sleeps: list[float]):
    configured.throttle(2, retry_after="7")
    code, _, err = run(capsys, "--format", "json", "--wait", "10s")
    assert code == 1
    assert err.startswith(f"cmtriage: error: zendesk: {configured.url}: HTTP 429: the server asks to wait "
                          "7 s, longer than cmtriage waits (3 s); try again after ")
    assert sleeps == [7.0]  # the first wait fitted; the second would have passed --wait


def test_429_every_time_gives_up_after_the_bounded_tries(configured: FakeZendesk, capsys,
                                                         sleeps: list[float]):
    configured.throttle(10, retry_after="2")
    code, _, err = run(capsys, "--format", "json")
    assert code == 1
    assert err == (f"cmtriage: error: zendesk: {configured.url}: HTTP 429 Too Many Requests"
                   " after 4 tries; try again later\n")
    assert (configured.count("/api/v2/search.json"), sleeps) == (4, [2.0, 2.0, 2.0])


def test_a_429_on_a_later_page_waits_and_loses_nothing(configured: FakeZendesk, capsys, sleeps):
    configured.tickets = many(250, requesters=3)
    configured.users = [user(1000 + n, f"Customer {n}") for n in range(3)]
    configured.throttle(1, retry_after="5", after=1)  # the second page's first try
    code, out, _ = run(capsys, "--format", "json")
    assert code == 0
    assert [i["ticket_id"] for i in json.loads(out)["items"]] == list(range(250, 0, -1))
    assert ([r.params.get("page") for r in configured.requests], sleeps) == ([None, "2", "2", "3"], [5.0])


def test_one_ticket_titles_in_the_singular(configured: FakeZendesk, capsys):
    configured.tickets = tickets()[:1]
    code, out, _ = run(capsys, "--format", "markdown")
    assert (code, out.splitlines()[0]) == (0, "#### @eric.s: 1 Zendesk ticket flagged for the community PM")


def test_no_tickets_titles_zero(configured: FakeZendesk, capsys):
    configured.tickets = []
    code, out, _ = run(capsys, "--format", "markdown")
    assert code == 0
    assert out.splitlines()[0] == "#### @eric.s: 0 Zendesk tickets flagged for the community PM"
    assert out.splitlines()[-1] == "No Zendesk tickets are waiting for the community PM."


def test_bad_credentials_exit_1_with_a_clear_message_and_no_secret(configured: FakeZendesk, capsys,
                                                                   monkeypatch: pytest.MonkeyPatch):
    wrong = "zd-wrong-token-8c2e77"
    monkeypatch.setenv("ZENDESK_API_TOKEN", wrong)
    code, out, err = run(capsys, "--format", "markdown")
    message = (f"{configured.url}: HTTP 401: Zendesk refused the credentials (Couldn't authenticate you); "
               "check ZENDESK_EMAIL and ZENDESK_API_TOKEN")
    assert code == 1
    assert err == f"cmtriage: error: zendesk: {message}\n"
    # no count in the title (nothing was counted) and no "no tickets" sentence: it says it could not list
    assert out.startswith("#### @eric.s: Zendesk tickets for the community PM: not listed\n")
    assert "No Zendesk tickets" not in out and "could not be listed" not in out
    assert configured.count("/api/v2/search.json") == 1  # a 401 is not retried
    for text in (out, err):
        assert wrong not in text and TOKEN not in text


def test_bad_credentials_in_json(configured: FakeZendesk, capsys, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ZENDESK_EMAIL", "someone@else.example")
    code, out, _ = run(capsys, "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["items"] == []
    assert document["errors"] == [{"source": "zendesk", "message": (
        f"{configured.url}: HTTP 401: Zendesk refused the credentials (Couldn't authenticate you); "
        "check ZENDESK_EMAIL and ZENDESK_API_TOKEN")}]


@pytest.mark.parametrize(("unset", "named"), [
    (("ZENDESK_EMAIL",), "ZENDESK_EMAIL not set"),
    (("ZENDESK_API_TOKEN",), "ZENDESK_API_TOKEN not set"),
    (("ZENDESK_EMAIL", "ZENDESK_API_TOKEN"), "ZENDESK_EMAIL and ZENDESK_API_TOKEN not set"),
])
def test_missing_credentials_exit_2(configured: FakeZendesk, capsys, monkeypatch, unset, named):
    for name in unset:
        monkeypatch.delenv(name)
    code, out, err = run(capsys)
    assert (code, out) == (2, "")
    assert err == (f"cmtriage: error: {named}: the zendesk report signs in as an agent with an API token "
                   "(Zendesk Admin Center > Apps and integrations > Zendesk API)\n")
    assert configured.requests == []


def test_no_zendesk_section_exit_2(write_config, capsys, monkeypatch):
    folder = write_config(repos="jira: {url: https://example.atlassian.net}\n")
    code, out, err = run(capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"cmtriage: error: {folder / 'repos.yaml'}: no zendesk: section; add one like")


def test_snoozed_tickets_are_hidden(configured: FakeZendesk, capsys):
    with pytest.raises(SystemExit):
        main(["snooze", f"{configured.url}/agent/tickets/4498/", "--until", "2026-12-01"])
    capsys.readouterr()
    code, out, _ = run(capsys, "--format", "json")
    assert (code, [i["ticket_id"] for i in json.loads(out)["items"]]) == (0, [4512, 4470])
    code, out, _ = run(capsys, "--format", "markdown")
    lines = out.splitlines()
    assert (code, lines[0]) == (0, "#### @eric.s: 2 Zendesk tickets flagged for the community PM")  # as shown
    assert lines[2:4] == ["1 snoozed item hidden (cmtriage snoozed lists them).", ""]  # said once
    assert "4498" not in out
    code, out, _ = run(capsys, "--format", "json", "--now", "2026-12-01T05:00:00Z")  # Dec 1 in Toronto
    assert (code, [i["ticket_id"] for i in json.loads(out)["items"]]) == (0, [4512, 4498, 4470])


def test_without_rotation_yaml_no_one_is_mentioned(configured: FakeZendesk, capsys, isolated_env):
    (isolated_env / "config" / "rotation.yaml").unlink()
    code, out, _ = run(capsys, "--format", "markdown")
    assert code == 0
    assert out.splitlines()[:2] == [
        "#### 3 Zendesk tickets flagged for the community PM",
        "Answer in the Mattermost thread (with dev help if needed), then ask a Zendesk agent to reply.",
    ]


@pytest.mark.parametrize(("handoff", "then"), [
    ("Hanna", "mention @hanna to reply in Zendesk"),
    ("'@dana.r'", "mention @dana.r to reply in Zendesk"),
    ("'@hereford'", "mention @hereford to reply in Zendesk"),  # a username that only starts like one
    ("Dana Rivera", "mention Dana Rivera to reply in Zendesk"),
    ("here", "ask a Zendesk agent to reply"),
    ("'@here.'", "ask a Zendesk agent to reply"),
    ("'@ALL'", "ask a Zendesk agent to reply"),
    ("'@channel_'", "ask a Zendesk agent to reply"),
    ("Sales team (@channel)", "mention Sales team (channel) to reply in Zendesk"),
    ("'@Here, @all! or @all-hands'", "mention Here, all! or all-hands to reply in Zendesk"),
    ("'@here.foo'", "mention here.foo to reply in Zendesk"),
    ("Sales (sales@here.example)", "mention Sales (sales@here.example) to reply in Zendesk"),
])
def test_a_handoff_never_notifies_a_whole_channel(configured: FakeZendesk, write_config, capsys,
                                                  handoff: str, then: str):
    write_config(rotation=ROTATION_YAML.replace("{zendesk: Hanna}", f"{{zendesk: {handoff}}}"))
    code, out, _ = run(capsys, "--format", "markdown")
    assert (code, out.splitlines()[1]) == (
        0, f"Answer in the Mattermost thread (with dev help if needed), then {then}.")


def test_a_next_page_on_another_host_is_not_followed(configured: FakeZendesk):
    configured.tickets = many(150, requesters=5)
    configured.users = [user(1000 + n, f"Customer {n}") for n in range(5)]
    configured.next_page_base = "http://elsewhere.example"
    with pytest.raises(SourceFailure) as failed:
        source.fetch(Zendesk(url=configured.url, query=QUERY), EMAIL, TOKEN)
    assert str(failed.value) == f"zendesk: {configured.url}: next_page points to another host; stopped"
    assert configured.count("/api/v2/search.json") == 1


# --- answers Zendesk should never give: the report's error, never a crash ------------------------------
def test_a_time_without_a_zone_is_utc(configured: FakeZendesk, capsys):
    configured.tickets = [ticket(4600, "Naive", requester_id=101, created_at="2026-11-01T00:00:00",
                                 updated_at="2026-11-20T10:00:00")]
    code, out, err = run(capsys, "--format", "json")
    assert (code, err) == (0, "")
    [item] = json.loads(out)["items"]
    assert (item["created_at"], item["last_activity_at"], item["days_idle"], item["age_days"]) == (
        "2026-11-01T00:00:00Z", "2026-11-20T10:00:00Z", 4, 23)


def odd_ticket(**fields) -> dict:
    return {**ticket(4600, "Odd", requester_id=101, created_at="2026-11-01T00:00:00Z"), **fields}


@pytest.mark.parametrize(("answer", "message"), [
    ({"results": {"id": 4600}}, "results is not a list of objects: {'id': 4600}"),
    ({"results": ["x"]}, "results is not a list of objects: ['x']"),
    ({"results": [odd_ticket(created_at=1762000000)]}, "ticket 4600: created_at is not a time: 1762000000"),
    ({"results": [odd_ticket(created_at="yesterday")]}, "ticket 4600: created_at is not a time: 'yesterday'"),
    ({"results": [odd_ticket(updated_at=["2026-11-01"])]},
     "ticket 4600: updated_at is not a time: ['2026-11-01']"),
    ({"results": [odd_ticket(id="4600")]}, "a ticket's id is not an id: '4600'"),
    ({"results": [odd_ticket(requester_id=[101])]}, "ticket 4600: requester_id is not an id: [101]"),
    ({"results": [odd_ticket(subject={"text": "Odd"})]}, "ticket 4600: subject is not text: {'text': 'Odd'}"),
    ({"results": [odd_ticket(tags="community")]}, "ticket 4600: tags is not a list of text: 'community'"),
    ({"users": {"101": "Dana"}}, "users is not a list of objects: {'101': 'Dana'}"),
    ({"users": [{"id": 101, "name": 7}]}, "a user's name is not text: 7"),
    ({"count": "3"}, "count is not a number: '3'"),
    ({"next_page": 2}, "next_page is not an address: 2"),
    ({"next_page": "::::"}, "next_page is not an address: '::::'"),
    ({"results": [odd_ticket(subject="x" * 60, created_at="x" * 60)]},
     f"ticket 4600: created_at is not a time: '{'x' * 38}…"),
])
def test_an_odd_answer_is_the_reports_error(configured: FakeZendesk, capsys, answer: dict, message: str):
    configured.odd = answer
    code, out, err = run(capsys, "--format", "json")
    failure = f"{configured.url}: unexpected answer: {message}"
    assert (code, err) == (1, f"cmtriage: error: zendesk: {failure}\n")
    assert json.loads(out) == {"report": "zendesk", "generated_at": "2026-11-24T15:00:00Z", "items": [],
                               "errors": [{"source": "zendesk", "message": failure}]}


def test_an_odd_answer_leaves_the_rest_of_the_digest_listed(configured: FakeZendesk, write_config,
                                                             monkeypatch: pytest.MonkeyPatch, capsys):
    from cmtriage.sources import github as github_source
    from fakes.github import TOKEN as GITHUB_TOKEN
    from fakes.github import FakeGitHub
    from fakes.github import serve as serve_github

    configured.odd = {"results": ["x"]}
    with serve_github(FakeGitHub()) as github:
        monkeypatch.setenv("GITHUB_API_URL", github.url)
        monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
        monkeypatch.setattr(github_source, "sleep", github.advance)
        github.add_repo("mattermost/docs")
        github.add_issue("mattermost/docs", 7, "Broken link", author="dave", created="2026-10-01T10:00:00Z")
        write_config(repos=f"""\
            github: [{{repo: mattermost/docs}}]
            zendesk: {{url: "{configured.url}", query: "{QUERY}"}}
            """)
        with pytest.raises(SystemExit) as exited:
            main(["digest", "--format", "json"])
    out, err = capsys.readouterr()
    failure = f"{configured.url}: unexpected answer: results is not a list of objects: ['x']"
    assert (exited.value.code, err) == (1, f"cmtriage: error: zendesk: {failure}\n")
    document = json.loads(out)
    assert [(i["section"], i["url"]) for i in document["items"]] == [
        ("stale", "https://github.com/mattermost/docs/issues/7")]
    assert document["errors"] == [{"source": "zendesk", "message": failure}]
    assert [(s["report"], s["count"], s["errors"]) for s in document["sections"]] == [
        ("stale", 1, []), ("new", 0, []), ("zendesk", 0, [{"source": "zendesk", "message": failure}])]

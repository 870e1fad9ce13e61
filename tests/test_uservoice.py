"""`cmtriage uservoice` against a fake UserVoice and a fake Jira on 127.0.0.1: the four lists, every
status rule, cost, token refresh, paging, 429s, exports, thank-yous, the Enterprise sheet, a failing Jira."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fakes.jira import DC_TOKEN, EMAIL, TOKEN, FakeJira, issue
from fakes.jira import serve as serve_jira
from fakes.uservoice import CLIENT_ID, CLIENT_SECRET, FakeUserVoice, comment, note, suggestion, user
from fakes.uservoice import serve as serve_uservoice
from test_render import parse

NOW = "2026-11-24T15:00:00Z"
ZWSP = "\u200b"
HOSTILE = "@all [Bob](https://evil.example) | <!here> `x` *y*"
ROTATION_YAML = """\
timezone: America/Toronto
start: 2026-01-12
members:
  - name: Eric
    mention: eric.s
  - name: Jason
  - name: Lindsay
release_managers:
  - version: "11.2"
    who: Jason
    date: 2026-11-16
"""
LONG = (
    "Our support team works in many channels every day, and we need a way to see at a glance which "
    "threads are waiting on us, because today we scroll through each channel by hand and miss replies."
)


def tickets() -> list[dict]:
    return [
        issue(
            "MM-1",
            status="In Progress",
            category="indeterminate",
            sprints=(("Sprint 41", "closed"), ("Sprint 42", "active")),
        ),
        issue(
            "MM-2",
            status="Done",
            category="done",
            resolution="Done",
            fix_versions=(("v11.2", True, "2026-11-16"),),
        ),
        issue("MM-3", status="Closed", category="done", resolution="Won't Do"),
        issue("MM-4", status="Open", labels=("Help Wanted", "area/mobile")),
        issue("MM-5", status="Open", fix_versions=(("11.3", False, "2026-12-16"),)),
        issue("MM-6", status="Open"),
        issue("MM-7", status="Open", labels=("spec-done",)),
        issue("MM-8", status="Open"),
        issue(
            "MM-10",
            status="Done",
            category="done",
            resolution="Fixed",
            fix_versions=(("11.1", True, "2026-10-16"),),
        ),
        issue(
            "MM-12",
            status="Done",
            category="done",
            resolution="Done",
            labels=("Enterprise",),
            fix_versions=(("11.2", True, "2026-11-16"),),
        ),
        issue(
            "MM-13",
            status="Done",
            category="done",
            resolution="Done",
            fix_versions=(("11.2", True, "2026-11-16"),),
        ),
        issue("MM-14", status="Open", labels=("enterprise",), fix_versions=(("11.3", False, None),)),
    ]


def suggestions(jira_url: str) -> tuple[list[dict], list[dict], list[dict]]:
    """(suggestions, comments, notes)."""
    s = [
        suggestion(
            1,
            "Dark mode for mobile",
            body=f"Tracked in MM-1. {LONG}",
            creator=101,
            status="Under Review",
            votes=120,
        ),
        suggestion(2, "Pin messages", body=f"MM-2 {LONG}", creator=103, status="Planned", votes=90),
        suggestion(3, "Blockchain chat", body=f"MM-3 {LONG}", creator=104, status="Under Review", votes=2),
        suggestion(
            4,
            "Better emoji picker",
            body=f"See {jira_url}/browse/MM-4 — {LONG}",
            creator=102,
            status="Under Review",
            votes=40,
        ),
        suggestion(5, "Export channel to PDF", body=LONG, creator=104, status="Under Review", votes=30),
        suggestion(6, "Custom sounds", body=f"MM-6 {LONG}", creator=104, status=None, votes=20),
        suggestion(7, "Read receipts", body=f"MM-7 {LONG}", creator=104, status="Planned", votes=15),
        suggestion(
            8,
            "Threads in sidebar",
            body=f"MM-8, MM-9 and MM-10. {LONG}",
            creator=104,
            status="Started",
            votes=14,
        ),
        suggestion(9, "Polls", body=f"MM-99 {LONG}", creator=104, status="Under Review", votes=13),
        suggestion(10, "Add emoji", body="pls", creator=104, votes=3),
        suggestion(
            11,
            "Calendar integration",
            body=f"{LONG} I can submit a PR for the server side.",
            creator=102,
            votes=8,
        ),
        suggestion(
            12,
            "SAML group sync",
            body=f"MM-12 {LONG}",
            creator=101,
            status="Completed",
            state="closed",
            votes=60,
        ),
        suggestion(
            13,
            "Message reminders",
            body=f"MM-13 {LONG}",
            creator=101,
            status="Completed",
            state="closed",
            votes=50,
        ),
        suggestion(14, "Audit log export", body=f"MM-14 {LONG}", creator=102, status="Planned", votes=5),
        suggestion(
            15,
            "Voice notes",
            body="Record voice notes in a channel on mobile and desktop apps, with "
            "a waveform preview and a transcript for everyone reading later on.",
            creator=102,
            votes=4,
        ),
    ]
    comments = [
        comment(1, 11, "Happy to contribute the webapp part too.", creator=104),
        comment(
            2,
            15,
            "Which platforms matter most to you?",
            creator=900,
            admin=True,
            created_at="2026-10-01T10:00:00Z",
        ),
        comment(3, 1, "I'd like to work on this", creator=102),  # idea 1 is not closed: listed
    ]
    notes = [note(1, 5, "Spec in MM-5, see the design doc.")]
    return s, comments, notes


USERS = [
    user(101, "Dana Rivera"),
    user(102, "Lee Chen"),
    user(103, HOSTILE),
    user(104, "Sam O'Neil"),
    user(900, "Team PM"),
]


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    fake = FakeJira()
    fake.add(*tickets())
    with serve_jira(fake) as running:
        yield running


@pytest.fixture
def uv(jira: FakeJira) -> Iterator[FakeUserVoice]:
    found, comments, notes = suggestions(jira.url)
    with serve_uservoice(
        FakeUserVoice(suggestions=found, comments=comments, notes=notes, users=list(USERS))
    ) as running:
        yield running


def repos_yaml(uv_url: str | None, jira_url: str | None, extra: str = "") -> str:
    lines = []
    if uv_url:
        lines.append(f"uservoice: {{url: '{uv_url}'{extra}}}")
    if jira_url:
        lines.append(
            f"jira: {{url: '{jira_url}', project: MM, help_wanted_label: Help Wanted, "
            "enterprise_label: Enterprise}"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture
def configured(uv: FakeUserVoice, jira: FakeJira, write_config, monkeypatch, sleeps):
    for name, value in (
        ("USERVOICE_CLIENT_ID", CLIENT_ID),
        ("USERVOICE_CLIENT_SECRET", CLIENT_SECRET),
        ("JIRA_EMAIL", EMAIL),
        ("JIRA_API_TOKEN", TOKEN),
        ("CMTRIAGE_NOW", NOW),
    ):
        monkeypatch.setenv(name, value)
    write_config(repos=repos_yaml(uv.url, jira.url), rotation=ROTATION_YAML)
    return uv, jira


def items(out: str, which: str | None = None) -> list[dict]:
    found = json.loads(out)["items"]
    return [i for i in found if which is None or i["list"] == which]


def test_every_status_rule_several_tickets_and_a_missing_key(configured, run_cli):
    code, out, err = run_cli("uservoice", "--format", "json")
    assert (code, err) == (0, "")
    rows = [
        (i["suggestion_id"], i["status"], i["implied_status"], i["tickets"], i["reason"])
        for i in items(out, "status")
    ]
    assert rows == [
        (
            1,
            "Under Review",
            "Started",
            ["MM-1"],
            "Under Review -> Started: MM-1 is in the active sprint Sprint 42",
        ),
        (2, "Planned", "Completed", ["MM-2"], "Planned -> Completed: MM-2 resolved as Done"),
        (
            4,
            "Under Review",
            "Help Wanted",
            ["MM-4"],
            "Under Review -> Help Wanted: MM-4 is marked Help Wanted",
        ),
        (5, "Under Review", "Planned", ["MM-5"], "Under Review -> Planned: MM-5 has the fix version 11.3"),
        (6, "", "Under Review", ["MM-6"], "no status -> Under Review: MM-6 exists (Open), no plan yet"),
        (
            8,
            "Started",
            "Completed",
            ["MM-8", "MM-9 not found", "MM-10"],
            "Started -> Completed: MM-10 resolved as Fixed; MM-9 not found",
        ),
        (9, "Under Review", None, ["MM-99 not found"], "MM-99 not found: check the link"),
        (3, "Under Review", "Declined", ["MM-3"], "Under Review -> Declined: MM-3 resolved as Won't Do"),
    ]
    # 7 (Planned, spec-done), 12 and 13 (Completed), 14 (Planned, fix version) agree with their tickets.


def test_question_volunteer_and_completed_lists(configured, run_cli):
    code, out, _ = run_cli("uservoice", "--format", "json")
    assert code == 0
    assert [(i["suggestion_id"], i["reason"]) for i in items(out, "question")] == [
        (15, "no use case or steps; the team's question of 2026-10-01 is unanswered"),
        (10, "only 3 words"),
    ]
    assert [
        (i["suggestion_id"], i["author"], i["matched"], i["reason"]) for i in items(out, "volunteer")
    ] == [
        (
            1,
            "Lee Chen",
            ["I'd like to work on this"],
            'Lee Chen offers to build it: "I\'d like to work on this"',
        ),
        (11, "Lee Chen", ["I can submit a PR"], 'Lee Chen offers to build it: "I can submit a PR"'),
        (11, "Sam O'Neil", ["Happy to contribute"], 'Sam O\'Neil offers to build it: "Happy to contribute"'),
    ]
    # The latest released version is 11.2 (the released one with the latest date); MM-10's 11.1 is older.
    completed = items(out, "completed")
    assert [(i["suggestion_id"], i["ticket"], i["fix_version"], i["reason"]) for i in completed] == [
        (2, "MM-2", "v11.2", "MM-2 fixed in v11.2, released 2026-11-16"),
        (12, "MM-12", "11.2", "MM-12 fixed in 11.2, released 2026-11-16"),
        (13, "MM-13", "11.2", "MM-13 fixed in 11.2, released 2026-11-16"),
    ]
    first = items(out)[0]
    assert {k: first[k] for k in ("source", "url", "title", "author", "votes", "list", "created_at")} == {
        "source": "uservoice",
        "url": "https://example.uservoice.com/forums/1-general/suggestions/1-idea",
        "title": "Dark mode for mobile",
        "author": "Dana Rivera",
        "votes": 120,
        "list": "status",
        "created_at": "2026-06-01T10:00:00Z",
    }


def test_cost_is_the_pages_and_one_search_per_50_keys(configured, run_cli):
    uv, jira = configured
    code, _, _ = run_cli("uservoice", "--format", "json")
    assert code == 0
    assert uv.count("/api/v2/oauth/token") == 1
    assert [r.path for r in uv.requests[1:]] == [
        "/api/v2/admin/suggestions",
        "/api/v2/admin/comments",
        "/api/v2/admin/notes",
        "/api/v2/admin/status_updates",
    ]
    assert uv.requests[1].params == {
        "includes": "statuses,users",
        "sort": "id",
        "per_page": "100",
        "page": "1",
    }
    # One search; Jira refuses it for MM-9 and MM-99, so it is asked again without them.
    assert [r.params["jql"] for r in jira.searches] == [
        "key in (MM-1, MM-2, MM-3, MM-4, MM-5, MM-6, MM-7, MM-8, MM-9, MM-10, MM-99, MM-12, MM-13, MM-14) "
        "ORDER BY key",
        "key in (MM-1, MM-2, MM-3, MM-4, MM-5, MM-6, MM-7, MM-8, MM-10, MM-12, MM-13, MM-14) ORDER BY key",
    ]
    assert (
        jira.searches[0].params["fields"]
        == "summary,status,resolution,labels,fixVersions,updated,customfield_10020"
    )
    assert jira.count("/rest/api/3/field") == 1


def test_many_keys_are_asked_50_at_a_time_following_next_page_tokens(
    uv, jira, write_config, monkeypatch, sleeps, run_cli
):
    jira.page_size = 20
    jira.add(*(issue(f"MM-{n}") for n in range(100, 220)))
    uv.suggestions.append(
        suggestion(99, "Many", body=" ".join(f"MM-{n}" for n in range(100, 220)), creator=101)
    )
    for name, value in (
        ("USERVOICE_CLIENT_ID", CLIENT_ID),
        ("USERVOICE_CLIENT_SECRET", CLIENT_SECRET),
        ("JIRA_EMAIL", EMAIL),
        ("JIRA_API_TOKEN", TOKEN),
        ("CMTRIAGE_NOW", NOW),
    ):
        monkeypatch.setenv(name, value)
    write_config(repos=repos_yaml(uv.url, jira.url))
    code, out, _ = run_cli("uservoice", "--format", "json", "--no-cache")
    assert code == 0
    searched = [(r.params["jql"].count("MM-"), r.params.get("nextPageToken")) for r in jira.searches]
    # 134 keys: 50 + 50 + 34, a page holds 20: each search follows its nextPageToken. The first batch
    # holds MM-9 and MM-99, which Jira refuses: it is asked again without them.
    assert searched == [
        (50, None),
        (48, None),
        (48, "tok1"),
        (48, "tok2"),
        (50, None),
        (50, "tok3"),
        (50, "tok4"),
        (34, None),
        (34, "tok5"),
    ]
    assert all(r.params["maxResults"] == "50" for r in jira.searches)
    [many] = [i for i in items(out, "status") if i["suggestion_id"] == 99]
    assert (len(many["tickets"]), many["implied_status"]) == (120, "Under Review")


def test_paging_by_page_number_and_by_cursor_give_the_same_ideas(
    jira, write_config, monkeypatch, sleeps, run_cli
):
    many = [suggestion(n, f"Idea {n}", body="pls", creator=101, votes=n) for n in range(1, 251)]
    outputs = []
    for paging in ("pages", "cursor"):
        with serve_uservoice(FakeUserVoice(suggestions=list(many), users=list(USERS), paging=paging)) as fake:
            for name, value in (
                ("USERVOICE_CLIENT_ID", CLIENT_ID),
                ("USERVOICE_CLIENT_SECRET", CLIENT_SECRET),
                ("CMTRIAGE_NOW", NOW),
            ):
                monkeypatch.setenv(name, value)
            write_config(repos=repos_yaml(fake.url, None))
            code, out, _ = run_cli("uservoice", "--format", "json")
            assert code == 0
            asked = [r.params for r in fake.requests if r.path == "/api/v2/admin/suggestions"]
            outputs.append(sorted(i["suggestion_id"] for i in items(out, "question")))
            if paging == "pages":
                assert [p["page"] for p in asked] == ["1", "2", "3"]
            else:
                assert [p.get("cursor") for p in asked] == [None, "c2", "c3"]
    assert outputs[0] == outputs[1] == list(range(1, 251))


def test_an_expired_token_is_renewed_once(configured, run_cli):
    uv, _ = configured
    uv.expire_after = 2  # the third listing meets a 401
    code, out, err = run_cli("uservoice", "--format", "json")
    assert (code, err) == (0, "")
    assert uv.count("/api/v2/oauth/token") == 2
    assert len(items(out, "status")) == 8


def test_a_refused_api_key_fails_the_report_exit_1(configured, run_cli, monkeypatch):
    monkeypatch.setenv("USERVOICE_CLIENT_SECRET", "wrong-secret")
    uv, _ = configured
    code, out, err = run_cli("uservoice", "--format", "json")
    assert code == 1
    assert json.loads(out)["errors"] == [
        {
            "source": "uservoice",
            "message": f"{uv.url}: HTTP 401: UserVoice "
            "refused the API key; check USERVOICE_CLIENT_ID and "
            "USERVOICE_CLIENT_SECRET",
        }
    ]
    assert "wrong-secret" not in out + err


def test_429_waits_retry_after_in_seconds_and_as_an_epoch_time(configured, run_cli, sleeps):
    uv, _ = configured
    uv.throttle(1, "2")
    uv.throttle(1, str(int(time.time()) + 30))
    code, _, err = run_cli("uservoice", "--format", "json")
    assert (code, err) == (0, "")
    assert sleeps[0] == 2.0
    assert 25 <= sleeps[1] <= 31


def test_missing_credentials_exit_2(uv, jira, write_config, run_cli):
    write_config(repos=repos_yaml(uv.url, jira.url))
    code, out, err = run_cli("uservoice")
    assert (code, out) == (2, "")
    assert err.startswith("cmtriage: error: USERVOICE_CLIENT_ID and USERVOICE_CLIENT_SECRET not set:")
    assert uv.requests == []


def test_missing_jira_credentials_keep_the_uservoice_lists(configured, run_cli, monkeypatch):
    _, jira = configured
    monkeypatch.delenv("JIRA_API_TOKEN")
    code, out, err = run_cli("uservoice", "--format", "json")
    assert code == 1
    assert err.startswith(
        "cmtriage: error: jira: JIRA_API_TOKEN not set: Jira Cloud takes your email and an API"
    )
    assert {i["list"] for i in items(out)} == {"question", "volunteer"}
    assert jira.requests == []


def test_a_failing_jira_keeps_the_uservoice_lists(configured, run_cli):
    _, jira = configured
    jira.down = True
    code, out, err = run_cli("uservoice", "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["errors"] == [
        {"source": "jira", "message": f"{jira.url}: HTTP 503 Service Unavailable"
                                       " after 4 tries; try again later"}
    ]
    assert err == (f"cmtriage: error: jira: {jira.url}: HTTP 503 Service Unavailable"
                   " after 4 tries; try again later\n")
    assert {i["list"] for i in document["items"]} == {"question", "volunteer"}
    code, out, _ = run_cli("uservoice", "--format", "markdown")
    assert "The status and completed lists are incomplete: Jira could not be asked." in out


def datacenter(repos: str) -> str:
    return repos.replace("enterprise_label: Enterprise", "enterprise_label: Enterprise, flavor: datacenter")


def test_the_removed_search_endpoint_answers_410_and_the_message_says_use_cloud(
    configured, write_config, run_cli, monkeypatch
):
    uv, jira = configured
    jira.bearer_too = True
    monkeypatch.setenv("JIRA_TOKEN", DC_TOKEN)
    write_config(repos=datacenter(repos_yaml(uv.url, jira.url)))
    code, out, _ = run_cli("uservoice", "--format", "json")
    assert code == 1
    assert json.loads(out)["errors"] == [
        {
            "source": "jira",
            "message": f"{jira.url}: HTTP 410: this site has no "
            "/rest/api/2/search (Jira Cloud removed it in August 2025); set "
            "jira.flavor: cloud in repos.yaml",
        }
    ]
    assert jira.count("/rest/api/2/search") == 1
    assert {i["list"] for i in items(out)} == {"question", "volunteer"}  # UserVoice's lists stay


def test_a_refused_jira_token_names_the_variable(configured, write_config, run_cli, monkeypatch):
    uv, jira = configured
    monkeypatch.setenv("JIRA_TOKEN", "a-pat-1234")
    write_config(repos=datacenter(repos_yaml(uv.url, jira.url)))
    code, out, err = run_cli("uservoice", "--format", "json")
    assert code == 1
    assert (
        err
        == f"cmtriage: error: jira: {jira.url}: HTTP 401: Jira refused the credentials; check JIRA_TOKEN\n"
    )
    assert "a-pat-1234" not in out + err


def test_datacenter_pages_with_start_at_and_a_bearer_token(uv, write_config, monkeypatch, sleeps, run_cli):
    fake = FakeJira(cloud=False, page_size=4)
    fake.add(*tickets())
    with serve_jira(fake):
        found, comments, notes = suggestions(fake.url)
        uv.suggestions[:] = found
        uv.comments[:] = comments
        uv.notes[:] = notes
        for name, value in (
            ("USERVOICE_CLIENT_ID", CLIENT_ID),
            ("USERVOICE_CLIENT_SECRET", CLIENT_SECRET),
            ("JIRA_TOKEN", DC_TOKEN),
            ("CMTRIAGE_NOW", NOW),
        ):
            monkeypatch.setenv(name, value)
        write_config(repos=datacenter(repos_yaml(uv.url, fake.url)))
        code, out, err = run_cli("uservoice", "--format", "json")
    assert (code, err) == (0, "")
    # The first search is refused for MM-9 and MM-99; the 12 tickets left come 4 a page.
    assert [r.params.get("startAt") for r in fake.searches] == ["0", "0", "4", "8"]
    assert [r.path for r in fake.searches] == ["/rest/api/2/search"] * 4
    assert fake.count("/rest/api/2/field") == 1
    assert len(items(out, "status")) == 8


def test_a_warm_run_asks_only_for_what_changed(configured, run_cli):
    uv, jira = configured
    code, cold, _ = run_cli("uservoice", "--format", "json")
    jira.requests.clear()
    uv.requests.clear()
    code, warm, _ = run_cli("uservoice", "--format", "json")
    assert code == 0 and json.loads(warm)["items"] == json.loads(cold)["items"]
    assert jira.count("/rest/api/3/field") == 0  # the sprint field comes from the cache
    # MM-9 and MM-99 are not cached (they do not exist): asked for whole, refused, and left out again.
    assert [r.params["jql"] for r in jira.searches] == [
        "key in (MM-9, MM-99) OR (key in (MM-1, MM-2, MM-3, MM-4, MM-5, MM-6, MM-7, MM-8, MM-10, MM-12, "
        'MM-13, MM-14) AND updated >= "2026-11-23") ORDER BY key',
        "key in (MM-1, MM-2, MM-3, MM-4, MM-5, MM-6, MM-7, MM-8, MM-10, MM-12, MM-13, MM-14) AND updated >= "
        '"2026-11-23" ORDER BY key',
    ]
    listings = [r for r in uv.requests if r.path.startswith("/api/v2/admin/")]
    assert len(listings) == 4 and all("updated_after" in r.params for r in listings)
    # A comment made since is seen on the next warm run.
    moment = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    uv.comments.append(comment(9, 6, "I can submit a PR next week", creator=101, created_at=moment))
    code, warm, _ = run_cli("uservoice", "--format", "json")
    assert [(i["suggestion_id"], i["author"]) for i in items(warm, "volunteer")] == [
        (1, "Lee Chen"),
        (6, "Dana Rivera"),
        (11, "Lee Chen"),
        (11, "Sam O'Neil"),
    ]
    jira.issues["MM-6"]["fields"].update(
        status={"name": "Done", "statusCategory": {"key": "done"}},
        resolution={"name": "Won't Fix"},
        updated="2026-11-24T09:00:00.000+0000",
    )
    code, warm, _ = run_cli("uservoice", "--format", "json")
    assert [i["implied_status"] for i in items(warm, "status") if i["suggestion_id"] == 6] == ["Declined"]


def test_status_names_and_signs_from_repos_yaml(configured, write_config, run_cli):
    uv, jira = configured
    write_config(
        repos=repos_yaml(
            uv.url, jira.url, extra=", statuses: {Started: {name: In Progress}, Planned: {labels: [roadmap]}}"
        )
    )
    jira.issues["MM-6"]["fields"]["labels"] = ["Roadmap"]
    code, out, _ = run_cli("uservoice", "--format", "json")
    rows = {i["suggestion_id"]: i["implied_status"] for i in items(out, "status")}
    assert code == 0
    # Started is called "In Progress" on this site; spec-done is no longer a sign of Planned, roadmap is.
    assert (rows[1], rows[6], rows[7]) == ("In Progress", "Planned", "Under Review")


def test_statuses_config_errors(write_config, run_cli):
    folder = write_config(
        repos="""\
uservoice:
  url: https://x.uservoice.com
  statuses:
    Started: {resolutions: [Done]}
"""
    )
    code, _, err = run_cli("config", "check")
    assert (code, err) == (
        2,
        f"cmtriage: error: {folder / 'repos.yaml'}:4: uservoice.statuses.Started."
        "resolutions: only Completed and Declined are implied by a resolution\n",
    )
    write_config(repos="uservoice: {url: https://x.uservoice.com, statuses: {Started: {name: Planned}}}\n")
    code, _, err = run_cli("config", "check")
    assert (code, err) == (
        2,
        f"cmtriage: error: {folder / 'repos.yaml'}:1: uservoice.statuses: Started and "
        'Planned are both named "Planned"; each needs its own UserVoice status\n',
    )
    write_config(repos="uservoice: {statuses: {}}\n")
    code, _, err = run_cli("config", "check")
    assert (code, err) == (
        2,
        f"cmtriage: error: {folder / 'repos.yaml'}:1: uservoice.url: missing; expected "
        "the UserVoice site's URL (or export: a suggestions export file)\n",
    )


# --- exports ---------------------------------------------------------------------------------------------
CSV = """\
Idea ID,Idea Title,Idea Description,Status,Votes,Created At,Creator Name,URL,Admin Notes
1,Dark mode for mobile,"Long text,
on two lines: MM-1",Under Review,"1,204",11/02/2026 3:04 PM,Dana Rivera,https://example.uservoice.com/s/1,
2,=Add emoji,pls,,3,2026-10-01,=HYPERLINK(1),https://example.uservoice.com/s/2,
3,Pin messages,I would love to build this,Planned,9,2026-09-01T10:00:00Z,Lee Chen,https://example.uservoice.com/s/3,MM-2
"""


def test_a_csv_export_is_read_without_uservoice(jira, write_config, monkeypatch, sleeps, run_cli, tmp_path):
    monkeypatch.setenv("JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    export = tmp_path / "ideas.csv"
    export.write_text(CSV, encoding="utf-8")
    write_config(repos=repos_yaml(None, jira.url))
    code, out, err = run_cli("uservoice", "--from-file", str(export), "--format", "json")
    assert (code, err) == (0, "")
    found = items(out)
    assert [(i["list"], i["suggestion_id"], i["votes"], i["author"], i["created_at"]) for i in found] == [
        ("status", 1, 1204, "Dana Rivera", "2026-11-02T15:04:00Z"),
        ("status", 3, 9, "Lee Chen", "2026-09-01T10:00:00Z"),
        ("question", 2, 3, "=HYPERLINK(1)", "2026-10-01T00:00:00Z"),
        ("volunteer", 3, 9, "Lee Chen", "2026-09-01T10:00:00Z"),
        ("completed", 3, 9, "Lee Chen", "2026-09-01T10:00:00Z"),
    ]
    code, out, _ = run_cli("uservoice", "--from-file", str(export), "--format", "csv")
    assert out.splitlines()[:4] == [
        "title,status,implied_status,tickets,votes,reason,url",
        "Dark mode for mobile,Under Review,Started,MM-1,1204,Under Review -> Started: MM-1 is in the active "
        "sprint Sprint 42,https://example.uservoice.com/s/1",
        "Pin messages,Planned,Completed,MM-2,9,Planned -> Completed: MM-2 resolved as Done,"
        "https://example.uservoice.com/s/3",
        "'=Add emoji,,,,3,only 3 words,https://example.uservoice.com/s/2",
    ]


def test_uservoice_export_in_repos_yaml_and_a_saved_json_answer(
    jira, write_config, monkeypatch, sleeps, run_cli
):
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    found, comments, notes = suggestions(jira.url)
    page = {
        "suggestions": found,
        "comments": comments,
        "notes": notes,
        "statuses": [
            {"id": 1, "name": "Under Review"},
            {"id": 2, "name": "Planned"},
            {"id": 3, "name": "Started"},
            {"id": 5, "name": "Completed"},
        ],
        "users": USERS,
    }
    folder = write_config(repos="uservoice: {export: saved.json}\n")
    (folder / "saved.json").write_text(json.dumps([page]), encoding="utf-8")
    code, out, err = run_cli("uservoice", "--format", "json")
    assert (code, err) == (0, "")
    assert [i["suggestion_id"] for i in items(out, "question")] == [15, 10]
    assert [(i["suggestion_id"], i["author"]) for i in items(out, "volunteer")] == [
        (1, "Lee Chen"),
        (11, "Lee Chen"),
        (11, "Sam O'Neil"),
    ]


def test_an_export_missing_a_column_is_a_usage_error(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    export = tmp_path / "bad.csv"
    export.write_text("Title,Votes\nx,1\n", encoding="utf-8")
    code, out, err = run_cli("uservoice", "--from-file", str(export))
    assert (code, out) == (2, "")
    assert err == (
        f"cmtriage: error: {export}: the CSV header lacks a column for id: one of id, suggestion id, "
        "idea id; created_at: one of created at, created, date created, creation date\n"
    )


# --- after a release -------------------------------------------------------------------------------------
TWEET = "https://x.com/mattermost/status/1860000000000000000"


def test_thank_you_mentions_only_the_release_manager_and_names_each_nominator_once(configured, run_cli):
    code, out, err = run_cli(
        "uservoice", "--thank-you", "--version", "11.2", "--tweet", TWEET, "--format", "json"
    )
    assert (code, err) == (0, "")
    rows = [(i["nominator"], i["message"], i["tickets"]) for i in items(out)]
    assert rows == [
        (
            HOSTILE,
            f"Thank you {HOSTILE} for nominating the feature! It is available in Mattermost 11.2. "
            f"Would anyone like to help re-tweet the announcement? {TWEET}",
            ["MM-2"],
        ),
        (
            "Dana Rivera",
            "Thank you Dana Rivera for nominating the features! It is available in Mattermost "
            f"11.2. Would anyone like to help re-tweet the announcement? {TWEET}",
            ["MM-12", "MM-13"],
        ),
    ]
    code, out, _ = run_cli(
        "uservoice", "--thank-you", "--version", "11.2", "--tweet", TWEET, "--format", "markdown"
    )
    lines = out.splitlines()
    assert lines[0] == "#### @jason: Thank the nominators of 3 ideas completed in Mattermost 11.2"
    assert out.count("@") == 1 + out.count("@" + ZWSP)  # the manager's mention is the only live one
    assert out.count("Dana Rivera") == 1
    parsed = parse(out)
    assert parsed["intruders"] == []
    [table] = parsed["tables"]
    assert table["header"] == 2 and [r["cells"] for r in table["rows"]] == [2, 2]
    # Each row links to its nominator's (first) idea and nowhere else: not to the stranger's link.
    assert [r["hrefs"] for r in table["rows"]] == [
        ["https://example.uservoice.com/forums/1-general/suggestions/2-idea"],
        ["https://example.uservoice.com/forums/1-general/suggestions/12-idea"],
    ]
    assert [t for t in parsed["texts"] if re.search(r"@\w|<!", t) and t != lines[0][5:]] == []
    hostile_row = next(line for line in lines if "Bob" in line)
    assert TWEET in hostile_row  # our link stays whole inside the message


def test_thank_you_leaves_out_earlier_releases(configured, run_cli):
    code, out, _ = run_cli(
        "uservoice", "--thank-you", "--version", "11.1", "--tweet", TWEET, "--format", "json"
    )
    assert code == 0
    assert [(i["nominator"], i["tickets"]) for i in items(out)] == [("Sam O'Neil", ["MM-10"])]


def test_thank_you_needs_version_and_tweet(configured, run_cli):
    assert run_cli("uservoice", "--thank-you", "--tweet", TWEET)[2] == (
        "cmtriage: error: --thank-you needs --version X.Y (the release to thank for)\n"
    )
    assert run_cli("uservoice", "--thank-you", "--version", "11.2")[2] == (
        "cmtriage: error: --thank-you needs --tweet URL (the announcement to re-tweet)\n"
    )
    assert run_cli("uservoice", "--thank-you", "--version", "11.2", "--tweet", "javascript:x")[2] == (
        "cmtriage: error: --tweet: expected an http(s) URL, got 'javascript:x'\n"
    )


def test_enterprise_csv_is_the_sales_spreadsheet(configured, run_cli):
    code, out, err = run_cli("uservoice", "--enterprise", "--format", "csv")
    assert (code, err) == (0, "")
    assert out == (
        "title,status,votes,ticket,fix_version,release_date,url\n"
        "SAML group sync,Completed,60,MM-12,11.2,2026-11-16,"
        "https://example.uservoice.com/forums/1-general/suggestions/12-idea\n"
        "Audit log export,Planned,5,MM-14,11.3,,https://example.uservoice.com/forums/1-general/suggestions/14-idea\n"
    )


def test_enterprise_without_jira_says_what_to_add(configured, run_cli, write_config):
    uv, _ = configured
    folder = write_config(repos=repos_yaml(uv.url, None), rotation=ROTATION_YAML)
    assert run_cli("uservoice", "--enterprise", "--format", "csv") == (
        2, "", f"cmtriage: error: {folder}/repos.yaml: --enterprise needs jira: (the Enterprise label is on "
               "the ideas' tickets); add one like `jira: {url: https://example.atlassian.net}`\n")


def test_digest_gets_a_uservoice_section(configured, run_cli):
    code, out, err = run_cli("digest", "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert [s["report"] for s in document["sections"]] == ["uservoice"]
    assert document["sections"][0]["count"] == len(document["items"]) == 16


def test_digest_without_credentials_keeps_the_section_error(uv, jira, write_config, run_cli, monkeypatch):
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    write_config(repos=repos_yaml(uv.url, jira.url))
    code, out, _ = run_cli("digest", "--format", "json")
    assert code == 1
    assert json.loads(out)["errors"][0]["message"].startswith(
        "USERVOICE_CLIENT_ID and USERVOICE_CLIENT_SECRET not set"
    )


def test_help_has_an_example(run_cli):
    code, out, _ = run_cli("uservoice", "--help")
    assert code == 0 and "Example:" in out and "--thank-you" in out


def test_the_readme_repos_example_sets_up_uservoice_and_jira(write_config):
    from cmtriage.config import StatusRule, load_repos

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("### repos.yaml — where to look\n")[1].split("```yaml\n")[1].split("```")[0]
    repos = load_repos(write_config(repos=example))
    assert (repos.uservoice.url, repos.uservoice.export) == (
        "https://mattermost.uservoice.com",
        "suggestions.csv",
    )
    assert repos.uservoice.rule("Started") == StatusRule(
        "In Progress", jira_statuses=("In Progress", "In Review")
    )
    assert repos.uservoice.rule("Declined").resolutions == ("Won't Do", "Won't Fix", "Duplicate")
    assert repos.uservoice.rule("Completed").name == "Completed"  # not given: the default
    assert (repos.jira.project, repos.jira.labels, repos.jira.flavor) == ("MM", ("community",), "cloud")


def _ticket(**fields):
    from cmtriage.sources.jira import Sprint, Ticket, Version

    values = {
        "key": "MM-1",
        "summary": "",
        "status": "Open",
        "category": "new",
        "resolution": None,
        "labels": (),
        "fix_versions": (),
        "sprints": (),
        "updated": datetime(2026, 11, 1, tzinfo=UTC),
        "url": "https://x/browse/MM-1",
    }
    values.update(fields)
    values["fix_versions"] = tuple(Version(n, r, None) for n, r in values["fix_versions"])
    values["sprints"] = tuple(Sprint(n, s) for n, s in values["sprints"])
    return Ticket(**values)


@pytest.mark.parametrize(
    ("fields", "implied"),
    [
        ({}, ("Under Review", "MM-1 exists (Open), no plan yet")),
        ({"fix_versions": [("11.3", False)]}, ("Planned", "MM-1 has the fix version 11.3")),
        ({"labels": ("Spec-Done",)}, ("Planned", "MM-1 is labelled Spec-Done")),
        ({"status": "Spec Done"}, ("Planned", "MM-1 is Spec Done")),
        ({"labels": ("help wanted",)}, ("Help Wanted", "MM-1 is marked help wanted")),
        ({"fix_versions": [("Help Wanted", False)]}, ("Help Wanted", "MM-1 is marked Help Wanted")),
        (
            {"sprints": [("Sprint 41", "closed")], "fix_versions": [("11.3", False)]},
            ("Planned", "MM-1 has the fix version 11.3"),
        ),
        (
            {"sprints": [("Sprint 42", "active")], "labels": ("Help Wanted",)},
            ("Started", "MM-1 is in the active sprint Sprint 42"),
        ),
        ({"status": "In Review", "category": "indeterminate"}, ("Started", "MM-1 is In Review")),
        (
            {"status": "Done", "category": "done", "resolution": "Done"},
            ("Completed", "MM-1 resolved as Done"),
        ),
        (
            {"status": "Closed", "category": "done", "resolution": "Shipped"},
            ("Completed", "MM-1 resolved as Shipped (taken as done)"),
        ),
        ({"status": "Done", "category": "done"}, ("Completed", "MM-1 resolved as Done")),
        (
            {"status": "Closed", "category": "done", "resolution": "won't fix"},
            ("Declined", "MM-1 resolved as won't fix"),
        ),
        (
            {"status": "Closed", "category": "done", "resolution": "Duplicate", "sprints": [("S", "active")]},
            ("Declined", "MM-1 resolved as Duplicate"),
        ),
    ],
)
def test_the_status_a_ticket_implies(fields, implied):
    from cmtriage.config import Jira, UserVoice
    from cmtriage.reports.uservoice import ticket_status

    assert ticket_status(_ticket(**fields), UserVoice(), Jira(url="https://x")) == implied


def test_the_most_advanced_ticket_decides_and_declined_ranks_last():
    from cmtriage.config import Jira, UserVoice
    from cmtriage.reports.uservoice import judge
    from cmtriage.sources.jira import Tickets
    from cmtriage.sources.uservoice import Suggestion

    declined = _ticket(key="MM-1", status="Closed", category="done", resolution="Won't Do")
    planned = _ticket(key="MM-2", fix_versions=[("11.3", False)])
    idea = Suggestion(
        1,
        "t",
        "MM-1 and MM-2 and MM-3",
        "open",
        "",
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
        1,
        "https://u/1",
        "Dana",
    )
    judged = judge(
        idea,
        Tickets(found={"MM-1": declined, "MM-2": planned}, missing=frozenset({"MM-3"})),
        UserVoice(),
        Jira(url="https://x", project="MM"),
    )
    assert (judged.implied, judged.ticket.key, judged.listed) == (
        "Planned",
        "MM-2",
        ["MM-1", "MM-2", "MM-3 not found"],
    )

"""`cmtriage digest` against fake GitHub, Zendesk and Mattermost servers: one post of every section, the
counts, the PM's mention, a failing source kept in its place, snoozes, splitting and --only-changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from markdown_it import MarkdownIt

from cmtriage.sources import github as github_source
from cmtriage.sources import http
from fakes.github import TOKEN as GITHUB_TOKEN
from fakes.github import FakeGitHub
from fakes.github import serve as serve_github
from fakes.mattermost import FakeMattermost, running
from fakes.zendesk import EMAIL, FakeZendesk, ticket, user
from fakes.zendesk import TOKEN as ZENDESK_TOKEN
from fakes.zendesk import serve as serve_zendesk

NOW = "2026-11-26T14:00:00Z"  # Thursday 09:00 in Toronto, in Jason's week
MM, DOCS = "mattermost/mattermost", "mattermost/docs"
ZWSP = "\u200b"
ROTATION = """\
    timezone: America/Toronto
    start: 2026-01-05
    members:
      - name: Eric
      - name: Jason
      - name: Lindsay
    handoffs: {zendesk: Hanna}
    """
GITHUB_REPOS = """\
    staff: {logins: [hanna]}
    bots: [mattermod]
    github:
      - repo: mattermost/mattermost
      - repo: mattermost/docs
        watch: pulls
    """


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with serve_github(FakeGitHub()) as fake:
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
        monkeypatch.setattr(github_source, "sleep", lambda seconds: fake.advance(seconds))
        fake.add_repo(MM)
        fake.add_repo(DOCS)
        fake.add_issue(
            MM, 101, "Desktop app crashes on start", author="alice", created="2026-11-01T09:00:00Z"
        )
        fake.add_issue(MM, 102, "Search misses @all | results", author="bob", created="2026-11-10T10:00:00Z")
        fake.add_issue(MM, 110, "How do I set up SAML?", author="carol", created="2026-11-26T08:00:00Z")
        fake.add_issue(DOCS, 7, "Fix a typo", author="dave", created="2026-10-01T10:00:00Z", pull=True)
        yield fake


@pytest.fixture
def zendesk(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeZendesk]:
    monkeypatch.setenv("ZENDESK_EMAIL", EMAIL)
    monkeypatch.setenv("ZENDESK_API_TOKEN", ZENDESK_TOKEN)
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    tickets = [ticket(4512, "SAML with Okta?", requester_id=101, created_at="2026-11-25T09:00:00Z")]
    with serve_zendesk(FakeZendesk(tickets=tickets, users=[user(101, "Dana Rivera")])) as fake:
        yield fake


@pytest.fixture
def configured(github: FakeGitHub, zendesk: FakeZendesk, write_config, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    write_config(
        repos=f'    zendesk: {{url: "{zendesk.url}", query: "tags:community"}}\n' + GITHUB_REPOS,
        rotation=ROTATION,
    )
    return github, zendesk


@pytest.fixture
def mattermost(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMattermost]:
    with running() as server:
        monkeypatch.setenv("MATTERMOST_WEBHOOK_URL", server.url())
        yield server


STALE_TABLE = """\
| Repo | # | Kind | Title | Author | Days idle | Waiting on | Labels |
| --- | ---: | --- | --- | --- | ---: | --- | --- |"""
NEW_TABLE = """\
| Repo | # | Title | Author | Type | Why | Reply |
| --- | ---: | --- | --- | --- | --- | --- |"""
GH = "https://github.com"


def expected_markdown(zendesk_url: str) -> str:
    return f"""\
#### @jason: Community triage for Thu 2026-11-26: 3 stale, 1 new, 1 Zendesk

##### 3 GitHub issues and pulls with no activity for 7+ days

**mattermost/docs**

{STALE_TABLE}
| mattermost/docs | 7 | pull | [Fix a typo]({GH}/mattermost/docs/pull/7) | dave | 56 | us |  |

**mattermost/mattermost**

{STALE_TABLE}
| {MM} | 101 | issue | [Desktop app crashes on start]({GH}/{MM}/issues/101) | alice | 25 | us |  |
| {MM} | 102 | issue | [Search misses @{ZWSP}all \\| results]({GH}/{MM}/issues/102) | bob | 16 | us |  |

##### 1 new GitHub issue since 2026-11-25 14:00 UTC

**mattermost/mattermost**

{NEW_TABLE}
| {MM} | 110 | [How do I set up SAML?]({GH}/{MM}/issues/110) | carol | Developer/Product Question \
| words "how do i" and a question mark in title | `Thanks for the question, @carol! \
The documentation at https://docs.mattermost.com may already cover it; if not, please ask at \
https://forum.mattermost.com, where the team and the community can help.` |

##### 1 Zendesk ticket flagged for the community PM
Answer in the Mattermost thread (with dev help if needed), then mention @hanna to reply in Zendesk.

| Subject | Requester | Status | Age (days) | Tags |
| --- | --- | --- | ---: | --- |
| [SAML with Okta?]({zendesk_url}/agent/tickets/4512) | Dana Rivera | open | 1 | community |
"""


def test_one_post_of_every_section_under_the_pm_with_counts(configured, run_cli):
    _, zendesk = configured
    code, out, err = run_cli("digest", "--format", "markdown")
    assert (code, err) == (0, "")
    assert out == expected_markdown(zendesk.url)


def test_json_has_every_item_tagged_with_its_section_and_the_sections_counted(configured, run_cli):
    code, out, _ = run_cli("digest", "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert (document["report"], document["generated_at"], document["errors"]) == (
        "digest",
        "2026-11-26T14:00:00Z",
        [],
    )
    assert [(i["section"], i["url"].rsplit("/", 1)[1]) for i in document["items"]] == [
        ("stale", "7"),
        ("stale", "101"),
        ("stale", "102"),
        ("new", "110"),
        ("zendesk", "4512"),
    ]
    assert document["sections"] == [
        {
            "report": "stale",
            "title": "3 GitHub issues and pulls with no activity for 7+ days",
            "count": 3,
            "errors": [],
        },
        {"report": "new", "title": "1 new GitHub issue since 2026-11-25 14:00 UTC", "count": 1, "errors": []},
        {
            "report": "zendesk",
            "title": "1 Zendesk ticket flagged for the community PM",
            "count": 1,
            "errors": [],
        },
    ]


def test_csv_is_one_table_with_the_section_first(configured, run_cli):
    code, out, _ = run_cli("digest", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == "section,title,author,days_idle,reason,url"  # the JSON keys
    assert out.splitlines()[1] == f"stale,Fix a typo,dave,56,no replies,{GH}/mattermost/docs/pull/7"
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ["stale"] * 3 + ["new", "zendesk"]


def test_table_shows_each_section_title_under_the_heading(configured, run_cli):
    code, out, _ = run_cli("digest", "--format", "table")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "@jason: Community triage for Thu 2026-11-26: 3 stale, 1 new, 1 Zendesk"
    assert [line for line in lines if line.startswith(("3 GitHub", "1 new", "1 Zendesk"))] == [
        "3 GitHub issues and pulls with no activity for 7+ days",
        "1 new GitHub issue since 2026-11-25 14:00 UTC",
        "1 Zendesk ticket flagged for the community PM",
    ]


def test_github_is_asked_once_for_both_github_sections(configured, run_cli):
    github, _ = configured
    run_cli("stale", "--no-cache", "--format", "json")
    alone = len(github.requests)
    run_cli("new", "--no-cache", "--format", "json")
    both_alone = len(github.requests)
    run_cli("digest", "--no-cache", "--format", "json")
    together = len(github.requests) - both_alone
    repo_lookups = 1  # only mattermost/mattermost watches issues, so `new` looks up one repo
    assert together == both_alone - repo_lookups
    assert alone < together


def test_a_failing_source_shows_its_error_in_place_and_the_rest_is_listed(configured, run_cli, monkeypatch):
    monkeypatch.setenv("ZENDESK_API_TOKEN", "wrong")
    code, out, err = run_cli("digest", "--format", "markdown")
    assert code == 1
    assert out.startswith(
        "#### @jason: Community triage for Thu 2026-11-26: 3 stale, 1 new, Zendesk failed\n"
    )
    zendesk_section = out[out.index("##### Zendesk tickets for the community PM: not listed\n") :]
    assert "could not be listed" not in zendesk_section and "No Zendesk tickets" not in zendesk_section
    assert zendesk_section.splitlines()[1:] == [
        "Answer in the Mattermost thread (with dev help if needed), then mention @hanna to reply in Zendesk.",
        "",
        f"- :warning: zendesk: {err.split('zendesk: ', 1)[1].strip().replace('://', ZWSP + '://')}",
    ]
    assert "HTTP 401: Zendesk refused the credentials" in err
    assert "wrong" not in out + err
    assert out.count("| mattermost/") == 4  # the GitHub rows are all there


def test_missing_credentials_fail_only_their_section(configured, run_cli, monkeypatch):
    monkeypatch.delenv("ZENDESK_EMAIL")
    code, out, err = run_cli("digest", "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert document["sections"][2]["title"] == "Zendesk tickets: not listed"
    assert document["errors"] == [
        {"source": "zendesk", "message": document["sections"][2]["errors"][0]["message"]}
    ]
    assert document["errors"][0]["message"].startswith("ZENDESK_EMAIL not set: ")
    assert len(document["items"]) == 4
    assert err.startswith("cmtriage: error: zendesk: ZENDESK_EMAIL not set: ")


def test_github_failing_as_a_whole_keeps_both_sections_in_place(configured, run_cli, write_config):
    _, zendesk = configured
    repos = GITHUB_REPOS.replace("staff: {logins: [hanna]}", "staff: {orgs: [nosuchorg]}")
    write_config(repos=f'    zendesk: {{url: "{zendesk.url}", query: "tags:community"}}\n' + repos)
    code, out, err = run_cli("digest", "--format", "markdown")
    assert code == 1
    assert out.startswith(
        "#### @jason: Community triage for Thu 2026-11-26: stale failed, new failed, 1 Zendesk\n"
    )
    headings = [line for line in out.splitlines() if line.startswith("#####")]
    assert headings == [
        "##### Stale GitHub issues and pulls: not listed",
        "##### New GitHub issues: not listed",
        "##### 1 Zendesk ticket flagged for the community PM",
    ]
    assert out.count("- :warning: github: cannot list the members of staff org nosuchorg") == 2
    assert err.count("cannot list the members of staff org nosuchorg") == 1  # said once on stderr
    assert "| [SAML with Okta?]" in out


def test_snoozed_items_are_not_counted(configured, run_cli):
    assert run_cli("snooze", f"{GH}/{MM}/issues/101", "--until", "2026-12-01")[0] == 0
    code, out, _ = run_cli("digest", "--format", "markdown")
    assert code == 0
    assert out.startswith("#### @jason: Community triage for Thu 2026-11-26: 2 stale, 1 new, 1 Zendesk\n")
    assert "##### 2 GitHub issues and pulls with no activity for 7+ days\n" in out
    assert "1 snoozed item hidden (cmtriage snoozed lists them)." in out
    assert "/issues/101)" not in out


def test_nothing_set_up_is_a_usage_error(write_config, run_cli, isolated_env):
    write_config(repos="mattermost: {channel: town-square}\n")
    code, out, err = run_cli("digest")
    assert (code, out) == (2, "")
    assert err.endswith(
        "repos.yaml: sets up nothing for the digest; add one of github:, zendesk:, helpwanted:, uservoice:, "
        "forum:, stackoverflow:, gitlab:\n"
    )


# --- posting ----------------------------------------------------------------------------------------------
def test_posted_once_then_not_again_while_nothing_changed(configured, mattermost, run_cli, isolated_env):
    _, zendesk = configured
    assert run_cli("digest", "--post", "--only-changes") == (0, "", "posted 1 part to Mattermost\n")
    assert mattermost.texts() == [expected_markdown(zendesk.url).rstrip("\n")]
    code, out, err = run_cli("digest", "--post", "--only-changes")
    assert (code, out, len(mattermost.requests)) == (0, "", 1)
    assert err == (
        "digest: same items as the last post to Mattermost on 2026-11-26 14:00 UTC; posted nothing\n"
    )


def test_a_failing_section_still_posts_the_rest(configured, mattermost, run_cli, monkeypatch):
    monkeypatch.delenv("ZENDESK_API_TOKEN")
    code, _, err = run_cli("digest", "--post")
    [text] = mattermost.texts()
    assert code == 1
    assert text.startswith(
        "#### @jason: Community triage for Thu 2026-11-26: 3 stale, 1 new, Zendesk failed\n"
    )
    assert "##### Zendesk tickets: not listed\n\n- :warning: zendesk: ZENDESK_API_TOKEN not set: " in text
    assert err.endswith("posted 1 part to Mattermost\n")


# --- splitting ---------------------------------------------------------------------------------------------
def _section(name: str, count: int):
    from cmtriage.models import Column, Item, Report

    when = datetime(2026, 11, 1, tzinfo=UTC)
    items = tuple(
        Item(
            source="github",
            url=f"https://example.com/{name}/{n}",
            title=f"{name} item {n} " * 8,
            author="someone",
            created_at=when,
            last_activity_at=when,
            days_idle=25,
            reason="no replies",
        )
        for n in range(count)
    )
    return Report(
        name=name,
        title=f"{count} {name} items",
        columns=(Column("title", "Title", link="url"), Column("author", "Author")),
        items=items,
        generated_at=when,
    )


def test_a_long_digest_splits_between_rows_and_each_part_says_where_it_is():
    from cmtriage.render import markdown_parts
    from cmtriage.reports import digest

    built = digest.build(
        [_section("stale", 40), _section("new", 40)],
        now=datetime(2026, 11, 26, tzinfo=UTC),
        local_day="Thu 2026-11-26",
        mention="jason",
    )
    parts = markdown_parts(built, limit=4000)
    assert len(parts) > 3 and all(len(part) <= 4000 for part in parts)
    assert parts[0].startswith(
        f"#### @jason: Community triage for Thu 2026-11-26: 40 stale, 40 new (part 1/{len(parts)})\n"
    )
    for number, part in enumerate(parts[1:], 2):
        first, second, third = part.splitlines()[:3]
        assert (
            first
            == f"#### Community triage for Thu 2026-11-26: 40 stale, 40 new (part {number}/{len(parts)})"
        )
        assert second == ""
        assert third in ("##### 40 stale items", "##### 40 new items")  # a continued section says which
    rows = [
        token.content
        for part in parts
        for token in MarkdownIt("commonmark").enable("table").parse(part)
        if token.type == "inline" and "item" in token.content and "](" in token.content
    ]
    assert len(rows) == 80 and len(set(rows)) == 80  # nothing lost, nothing repeated


def test_one_repo_failing_marks_its_section_incomplete(configured, run_cli):
    github, _ = configured
    github.fail(times=100, status=500, where=f"/repos/{DOCS}/issues")
    code, out, err = run_cli("digest", "--format", "markdown")
    assert code == 1
    assert out.startswith(
        "#### @jason: Community triage for Thu 2026-11-26: 2 stale (incomplete), 1 new, 1 Zendesk\n"
    )
    stale_section = out[: out.index("##### 1 new")]
    assert stale_section.endswith(
        "\n- :warning: github: mattermost/docs: GitHub answered 500 4 times; try again later\n\n"
    )
    assert err == "cmtriage: error: github: mattermost/docs: GitHub answered 500 4 times; try again later\n"


def test_post_without_a_webhook_fails_before_asking_anything(configured, run_cli):
    github, zendesk = configured
    code, out, err = run_cli("digest", "--post")
    assert (code, out, github.requests, zendesk.requests) == (2, "", [], [])
    assert err.startswith("cmtriage: error: MATTERMOST_WEBHOOK_URL is not set: ")


def test_each_config_file_is_read_once_a_run(configured, run_cli, monkeypatch):
    from cmtriage import config, rotationfile

    reads: list[str] = []
    def counting(module, name: str):
        real = getattr(module, name)

        def counted(folder):
            reads.append(name)
            return real(folder)

        return counted

    for module, name in ((config, "load_repos"), (rotationfile, "load_rotation")):
        monkeypatch.setattr(module, name, counting(module, name))
    assert run_cli("digest", "--format", "payload")[0] == 0
    assert sorted(reads) == ["load_repos", "load_rotation"]


def test_zendesk_waits_draw_on_the_digests_wait_like_every_source(configured, run_cli, monkeypatch):
    class Clock(datetime):  # "try again after" is wall-clock time, not --now: fix the wall clock
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 26, 14, 0, tzinfo=UTC)

    monkeypatch.setattr(http, "datetime", Clock)
    _, zendesk = configured
    zendesk.throttle(1, "30")  # within a wait's own bound (60 s), past this digest's --wait
    code, out, err = run_cli("digest", "--wait", "10s", "--format", "json")
    assert code == 1
    assert err == (f"cmtriage: error: zendesk: {zendesk.url}: HTTP 429: the server asks to wait 30 s, longer "
                   "than cmtriage waits (10 s); try again after 2026-11-26 14:00 UTC\n")
    assert len(json.loads(out)["items"]) == 4  # the GitHub sections are all there

# ruff: noqa: F811 (fixtures imported from test_digest are used as arguments)
"""--changes over three simulated mornings against the fake Mattermost: new, gone and still-waiting items
with their day counts, the memory a post leaves, --only-changes unchanged; and the digest's summaries."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import click
import pytest

from cmtriage import cli
from cmtriage.changes import LastPost, marked, remember
from cmtriage.commands._common import emit, report_options
from cmtriage.models import Column, Item, Report
from cmtriage.sources import http
from fakes.mattermost import FakeMattermost, running
from test_digest import configured, github, zendesk  # noqa: F401

MONDAY = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)
COLUMNS = (Column("title", "Title", link="url"), Column("days_idle", "Days idle", numeric=True))
DEMO: dict[str, Callable[[datetime], Report]] = {}


@click.command()
@report_options
def morning(env, output) -> None:
    """Print DEMO["report"](now) (tests only)."""
    raise SystemExit(emit(DEMO["report"](env.now), output, env))


def item(number: int, now: datetime, *, since: datetime = MONDAY - timedelta(days=10)) -> Item:
    return Item(source="github", url=f"https://github.com/o/r/issues/{number}", title=f"Issue {number}",
                author=f"user{number}", created_at=since, last_activity_at=since,
                days_idle=(now - since).days, reason="no replies",
                extra={"repo": "o/r", "number": number, "kind": "issue", "waiting_on": "us"})


def listing(*numbers: int) -> Callable[[datetime], Report]:
    def build(now: datetime) -> Report:
        items = tuple(item(n, now) for n in numbers)
        return Report(name="stale", title=f"{len(items)} stale", columns=COLUMNS, items=items,
                      generated_at=now, titled=lambda shown: f"{len(shown)} stale")

    return build


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMattermost]:
    monkeypatch.setitem(cli.COMMANDS, "morning", (f"{__name__}:morning", "Test report."))
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    with running() as server:
        monkeypatch.setenv("MATTERMOST_WEBHOOK_URL", server.url())
        yield server


def on(run_cli, day: int, build, *args: str) -> tuple[int, str, str]:
    DEMO["report"] = build
    return run_cli("morning", "--now", (MONDAY + timedelta(days=day)).isoformat(), *args)


def changes(out: str) -> list[tuple[int, str, int]]:
    return [(i["number"], i["change"], i["mornings"]) for i in json.loads(out)["items"]]


def test_three_mornings_new_gone_and_still_waiting_with_day_counts(hook: FakeMattermost, run_cli):
    # Monday: nothing was posted before, so everything is new
    code, out, err = on(run_cli, 0, listing(1, 2), "--post", "--changes", "--format", "json")
    assert (code, err) == (0, "posted 1 part to Mattermost\n")
    assert changes(out) == [(1, "new", 1), (2, "new", 1)]
    assert hook.posts[0].text.splitlines()[:2] == [
        "#### 2 stale", "No earlier post to compare with: every item is new."]

    # Tuesday: 1 was answered, 3 is new, 2 still waits (2nd morning)
    code, out, err = on(run_cli, 1, listing(2, 3), "--post", "--changes", "--format", "json")
    assert (code, err) == (0, "posted 1 part to Mattermost\n")
    assert changes(out) == [(2, "waiting", 2), (3, "new", 1), (1, "gone", 1)]
    assert hook.posts[1].text == (
        "#### 2 stale\n"
        "Since the last post on 2026-11-16: 1 new, 1 gone, 1 still waiting "
        "(the longest for the 2nd morning).\n"
        "\n"
        "| Title | Days idle | Change | Mornings |\n"
        "| --- | ---: | --- | ---: |\n"
        "| [Issue 2](https://github.com/o/r/issues/2) | 11 | waiting | 2 |\n"
        "| [Issue 3](https://github.com/o/r/issues/3) | 11 | new | 1 |\n"
        "| [Issue 1](https://github.com/o/r/issues/1) | 10 | gone | 1 |"
    )

    # Wednesday: the same two, a day older: --only-changes still posts nothing...
    code, out, err = on(run_cli, 2, listing(2, 3), "--post", "--only-changes")
    assert (code, out, err) == (0, "", "stale: same items as the last post to Mattermost on 2026-11-17 14:00 "
                                       "UTC; posted nothing\n")
    assert len(hook.posts) == 2
    # ...and --changes counts the mornings from the day each was first listed
    code, out, err = on(run_cli, 2, listing(2, 3), "--changes", "--format", "json")
    assert (code, err) == (0, "")
    assert changes(out) == [(2, "waiting", 3), (3, "waiting", 2)]
    assert json.loads(out)["items"][0] == {
        "source": "github", "url": "https://github.com/o/r/issues/2", "title": "Issue 2", "author": "user2",
        "created_at": "2026-11-06T14:00:00Z", "last_activity_at": "2026-11-06T14:00:00Z", "days_idle": 12,
        "reason": "no replies", "repo": "o/r", "number": 2, "kind": "issue", "waiting_on": "us",
        "change": "waiting", "mornings": 3,
    }
    code, out, _ = on(run_cli, 2, listing(2, 3), "--changes", "--format", "markdown")
    assert out.splitlines()[1] == ("Since the last post on 2026-11-17: 0 new, 0 gone, 2 still waiting "
                                   "(the longest for the 3rd morning).")


def test_changes_without_the_webhook_compare_with_the_latest_post(hook: FakeMattermost, run_cli, monkeypatch):
    assert on(run_cli, 0, listing(1, 2), "--post")[0] == 0
    assert on(run_cli, 1, listing(1), "--post", "--channel", "off-topic")[0] == 0
    monkeypatch.delenv("MATTERMOST_WEBHOOK_URL")
    code, out, err = on(run_cli, 3, listing(1, 4), "--changes", "--format", "json")
    assert (code, err) == (0, "")
    # against Tuesday's post to ~off-topic (where 1 was first listed, and 2 was not)
    assert changes(out) == [(1, "waiting", 3), (4, "new", 1)]


def test_a_snoozed_item_is_gone_and_a_limit_keeps_the_gone_ones(hook: FakeMattermost, run_cli):
    assert on(run_cli, 0, listing(1, 2, 3), "--post")[0] == 0
    assert run_cli("snooze", "https://github.com/o/r/issues/2", "--until", "3d",
                   "--now", (MONDAY + timedelta(days=1)).isoformat())[0] == 0
    code, out, err = on(run_cli, 1, listing(1, 2, 3, 4), "--changes", "--limit", "1", "--format", "json")
    assert (code, err) == (0, "")
    assert changes(out) == [(1, "waiting", 2), (2, "gone", 1)]
    code, out, err = on(run_cli, 1, listing(1, 2, 3, 4), "--changes", "--limit", "1", "--format", "markdown")
    assert out.splitlines()[:4] == [
        "#### 3 stale",
        "1 snoozed item hidden (cmtriage snoozed lists them).",
        "Since the last post on 2026-11-16: 1 new, 1 gone, 2 still waiting "
        "(the longest for the 2nd morning).",
        "… and 2 more: `cmtriage stale` lists them all.",
    ]


def test_a_short_post_remembers_the_whole_list(hook: FakeMattermost, run_cli):
    assert on(run_cli, 0, listing(1, 2, 3), "--post", "--summary")[0] == 0
    assert on(run_cli, 1, listing(1, 2, 3), "--post", "--limit", "1", "--only-changes")[2].endswith(
        "posted nothing\n")  # the same whole list: the rows shown (3, then 1) do not count
    code, out, _ = on(run_cli, 1, listing(1, 2, 3, 4), "--changes", "--format", "json")
    assert code == 0
    assert changes(out) == [(1, "waiting", 2), (2, "waiting", 2), (3, "waiting", 2), (4, "new", 1)]


def test_no_earlier_post_marks_everything_new(run_cli, monkeypatch):
    monkeypatch.setitem(cli.COMMANDS, "morning", (f"{__name__}:morning", "Test report."))
    code, out, err = on(run_cli, 0, listing(1), "--changes", "--format", "json")
    assert (code, err, changes(out)) == (0, "", [(1, "new", 1)])


def test_the_memory_carries_the_first_day_over_and_drops_the_gone():
    last = LastPost(({"key": "stale https://github.com/o/r/issues/2", "section": "stale",
                      "first_listed": "2026-11-10"},), MONDAY)
    report = marked(listing(2, 3)(MONDAY), last, now=MONDAY)
    memory = remember(report.items, "stale", last, now=MONDAY, tz=UTC)
    assert [(e["url"], e["first_listed"]) for e in memory] == [
        ("https://github.com/o/r/issues/2", "2026-11-10"), ("https://github.com/o/r/issues/3", "2026-11-16")]


# --- the digest --------------------------------------------------------------------------------------------
def test_digest_summarises_the_sections_longer_than_the_limit(configured, run_cli):
    code, out, err = run_cli("digest", "--format", "markdown", "--limit", "1")
    assert (code, err) == (0, "")
    assert out.split("\n\n**mattermost/mattermost**")[0] == (
        "#### @jason: Community triage for Thu 2026-11-26: 3 stale, 1 new, 1 Zendesk\n"
        "\n"
        "##### 3 GitHub issues and pulls with no activity for 7+ days\n"
        "Per repo: `mattermost/mattermost` 2 (2 waiting on us), `mattermost/docs` 1 (1 waiting on us).\n"
        "In all: 3 waiting on us.\n"
        "Below, the 1 item waiting longest; `cmtriage stale` prints the whole list.\n"
        "\n"
        "**mattermost/docs**\n"
        "\n"
        "| Repo | # | Kind | Title | Author | Days idle | Waiting on | Labels |\n"
        "| --- | ---: | --- | --- | --- | ---: | --- | --- |\n"
        "| mattermost/docs | 7 | pull | [Fix a typo](https://github.com/mattermost/docs/pull/7) | dave | 56"
        " | us |  |\n"
        "\n"
        "##### 1 new GitHub issue since 2026-11-25 14:00 UTC"
    )


def test_digest_limit_from_repos_yaml(configured, run_cli, write_config):
    _, zendesk = configured
    write_config(repos=f'zendesk: {{url: "{zendesk.url}", query: "tags:community"}}\n'
                       "github: [{repo: mattermost/mattermost}, {repo: mattermost/docs, watch: pulls}]\n"
                       "reports: {digest: {limit: 2}, new: {limit: 1}}\n")
    found = json.loads(run_cli("digest", "--format", "json")[1])
    assert [(i["section"], i.get("number")) for i in found["items"]] == [
        ("stale", 7), ("stale", 101), ("new", 110), ("zendesk", None)]
    assert found["sections"][0]["title"] == "3 GitHub issues and pulls with no activity for 7+ days"


def test_digest_applies_each_sections_own_defaults(configured, run_cli, write_config):
    github, zendesk = configured
    github.repo("mattermost/mattermost").issues[101].labels = ("Lifecycle/frozen",)
    write_config(repos=f'zendesk: {{url: "{zendesk.url}", query: "tags:community"}}\n'
                       "staff: {logins: [hanna]}\n"
                       "github: [{repo: mattermost/mattermost}, {repo: mattermost/docs, watch: pulls}]\n"
                       "reports:\n  stale: {exclude_labels: [lifecycle/frozen]}\n"
                       "  zendesk: {labels: [vip]}\n")
    code, out, err = run_cli("digest", "--format", "json")
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert [(i["section"], i["title"]) for i in found["items"]] == [
        ("stale", "Fix a typo"), ("stale", "Search misses @all | results"),
        ("new", "How do I set up SAML?")]
    assert [(s["report"], s["count"]) for s in found["sections"]] == [
        ("stale", 2), ("new", 1), ("zendesk", 0)]

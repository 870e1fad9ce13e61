# ruff: noqa: F811 (the fixtures imported from test_stale are used as arguments)
"""The filters, --limit and --summary on `cmtriage stale` against the fake GitHub, with repos.yaml
`reports:` defaults; the pure functions on their own below."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cmtriage.filters import Filters, filtered, keeps, limited, whole_list
from cmtriage.models import Item
from fakes.github import FakeGitHub
from test_stale import ANDROID, DOCS, MM, REPOS, ROTATION, fake, seeded, stale  # noqa: F401 (fixtures)


def numbers(out: str) -> list[tuple[str, int]]:
    return [(i["repo"], i["number"]) for i in json.loads(out)["items"]]


@pytest.fixture
def labelled(seeded: FakeGitHub) -> FakeGitHub:
    seeded.repo(MM).issues[101].labels = ("Lifecycle/frozen",)
    seeded.repo(MM).issues[104].labels = ("Type/Bug", "Area/LDAP")
    seeded.repo(MM).issues[103].assignees = ("lee",)
    seeded.repo(DOCS).issues[5].assignees = ("Mo", "lee")
    return seeded


ALL = [(ANDROID, 7), (MM, 109), (MM, 101), (MM, 104), (MM, 103), (DOCS, 5), (MM, 102)]


@pytest.mark.parametrize(("args", "expected"), [
    ((), ALL),
    (("--waiting-on", "author"), [(MM, 103)]),
    (("--waiting-on", "us"), [(ANDROID, 7), (MM, 109), (MM, 101), (MM, 104), (DOCS, 5), (MM, 102)]),
    (("--label", "type/bug"), [(MM, 104), (MM, 102)]),
    (("--label", "TYPE/BUG", "--label", "area/ldap"), [(MM, 104)]),
    (("--exclude-label", "lifecycle/FROZEN", "--exclude-label", "Area/Search"),
     [(ANDROID, 7), (MM, 109), (MM, 104), (MM, 103), (DOCS, 5)]),
    (("--assignee", "LEE"), [(MM, 103), (DOCS, 5)]),
    (("--assignee", "@mo"), [(DOCS, 5)]),
    (("--no-assignee",), [(ANDROID, 7), (MM, 109), (MM, 101), (MM, 104), (MM, 102)]),
    (("--waiting-on", "us", "--label", "Type/Bug", "--no-assignee"), [(MM, 104), (MM, 102)]),
], ids=["none", "author", "us", "label", "two-labels", "exclude", "assignee", "assignee-at", "no-assignee",
        "combined"])
def test_each_filter_keeps_exactly_its_items(labelled: FakeGitHub, stale, args, expected):
    assert numbers(stale("--format", "json", *args)) == expected


def test_json_items_carry_their_assignees(labelled: FakeGitHub, stale):
    found = {(i["repo"], i["number"]): i["assignees"] for i in json.loads(stale("--format", "json"))["items"]}
    assert found[(DOCS, 5)] == ["Mo", "lee"] and found[(MM, 103)] == ["lee"] and found[(MM, 101)] == []


def test_markdown_counts_what_the_filters_kept_and_says_what_they_left_out(labelled: FakeGitHub, stale):
    out = stale("--format", "markdown", "--waiting-on", "author")
    assert out.splitlines()[:3] == [
        "#### @jason: 1 GitHub issue with no activity for 7+ days",
        "Thresholds of their own: mattermost/android pulls 30+ days.",
        "6 items left out by `--waiting-on author`.",
    ]


def test_repos_yaml_defaults_and_options_over_them(labelled: FakeGitHub, write_config, stale):
    write_config(repos=REPOS.rstrip(" ") + """\
    reports:
      stale:
        waiting_on: us
        exclude_labels: [lifecycle/frozen]
      new:
        limit: 3
    """)
    assert numbers(stale("--format", "json")) == [(ANDROID, 7), (MM, 109), (MM, 104), (DOCS, 5), (MM, 102)]
    # an option wins over its default; excluded labels add up; a label asked for is never excluded
    assert numbers(stale("--format", "json", "--waiting-on", "any")) == [
        (ANDROID, 7), (MM, 109), (MM, 104), (MM, 103), (DOCS, 5), (MM, 102)]
    assert numbers(stale("--format", "json", "--exclude-label", "Type/Bug")) == [
        (ANDROID, 7), (MM, 109), (DOCS, 5)]
    assert numbers(stale("--format", "json", "--label", "Lifecycle/Frozen")) == [(MM, 101)]


@pytest.mark.parametrize(("yaml", "message"), [
    ("reports:\n  stale:\n    waiting_on: nobody\n",
     'repos.yaml:3: reports.stale.waiting_on: expected one of us | author, got "nobody"'),
    ("reports:\n  stael: {limit: 3}\n",
     "repos.yaml:2: reports.stael: unknown key (known keys: stale, new, zendesk, helpwanted, uservoice, "
     "forum, metrics, digest, snoozed)"),
    ("reports:\n  stale: {limit: 0}\n",
     "repos.yaml:2: reports.stale.limit: expected a whole number of at least 1, got 0"),
    ("reports:\n  stale: {labels: yes}\n",
     "repos.yaml:2: reports.stale.labels: expected a string, got yes (YAML reads it as true or false: "
     "quote it)"),
    ("reports:\n  stale: {assignees: lee}\n",
     "repos.yaml:2: reports.stale.assignees: unknown key (known keys: waiting_on, labels, exclude_labels, "
     "assignee, limit)"),
], ids=["waiting", "report-name", "limit", "labels", "key"])
def test_a_mistake_in_reports_is_one_exact_line(write_config, run_cli, yaml, message):
    folder = write_config(repos=yaml)
    assert run_cli("config", "check") == (2, "", f"cmtriage: error: {folder}/{message}\n")


def test_assignee_and_no_assignee_together_are_a_usage_error(labelled: FakeGitHub, run_cli):
    assert run_cli("stale", "--assignee", "lee", "--no-assignee") == (
        2, "", "cmtriage: error: --assignee and --no-assignee exclude each other\n")
    assert labelled.requests == []


# --- --limit and --summary ---------------------------------------------------------------------------
def test_limit_shows_the_longest_waiting_and_where_to_see_the_rest(labelled: FakeGitHub, stale):
    out = stale("--format", "markdown", "--limit", "2", "--waiting-on", "us")
    assert out == (
        "#### @jason: 6 GitHub issues and pulls with no activity for 7+ days\n"
        "Thresholds of their own: mattermost/android pulls 30+ days.\n"
        "1 item left out by `--waiting-on us`.\n"
        "… and 4 more: `cmtriage stale --waiting-on us` lists them all.\n"
        "\n**mattermost/android**\n\n"
        "| Repo | # | Kind | Title | Author | Days idle | Waiting on | Labels |\n"
        "| --- | ---: | --- | --- | --- | ---: | --- | --- |\n"
        "| mattermost/android | 7 | pull | [Fix crash on rotate](https://github.com/mattermost/android/pull/7)"
        " | gina | 54 | us |  |\n"
        "\n**mattermost/mattermost**\n\n"
        "| Repo | # | Kind | Title | Author | Days idle | Waiting on | Labels |\n"
        "| --- | ---: | --- | --- | --- | ---: | --- | --- |\n"
        "| mattermost/mattermost | 109 | issue | [Author pinged again]"
        "(https://github.com/mattermost/mattermost/issues/109) | kim | 25 | us |  |\n"
    )
    assert numbers(stale("--format", "json", "--limit", "7")) == ALL  # not longer than the limit: all


def test_summary_counts_match_the_full_list(labelled: FakeGitHub, stale):
    full = json.loads(stale("--format", "json"))["items"]
    out = stale("--format", "markdown", "--summary")
    per_repo = {}
    for item in full:
        per_repo.setdefault(item["repo"], []).append(item["waiting_on"])
    assert {repo: (len(w), w.count("us"), w.count("author")) for repo, w in per_repo.items()} == {
        MM: (5, 4, 1), DOCS: (1, 1, 0), ANDROID: (1, 1, 0)}
    assert out.splitlines()[:5] == [
        "#### @jason: 7 GitHub issues and pulls with no activity for 7+ days",
        "Thresholds of their own: mattermost/android pulls 30+ days.",
        "Per repo: `mattermost/mattermost` 5 (4 waiting on us, 1 on the author), "
        "`mattermost/android` 1 (1 waiting on us), `mattermost/docs` 1 (1 waiting on us).",
        "In all: 6 waiting on us, 1 on the author.",
        "Below, the 3 items waiting longest; `cmtriage stale` prints the whole list.",
    ]
    shown = json.loads(stale("--format", "json", "--summary"))["items"]
    assert [(i["repo"], i["number"], i["days_idle"]) for i in shown] == [
        (ANDROID, 7, 54), (MM, 109, 25), (MM, 101, 23)]
    assert [(i["repo"], i["number"], i["days_idle"]) for i in full][:3] == [
        (ANDROID, 7, 54), (MM, 109, 25), (MM, 101, 23)]


def test_summary_of_a_filtered_list_names_the_filters_in_its_command(labelled: FakeGitHub, stale):
    out = stale("--format", "markdown", "--summary", "--label", "Type/Bug", "--exclude-label", "it's @all`")
    # the backtick cannot end the code span early (a longer fence holds it, so the command copies
    # exactly); inside one Mattermost notifies nobody
    assert out.splitlines()[2:6] == [
        "5 items left out by ``--label Type/Bug --exclude-label 'it'\"'\"'s @all`'``.",
        "Per repo: `mattermost/mattermost` 2 (2 waiting on us).",
        "In all: 2 waiting on us.",
        "Below, the 2 items waiting longest; ``cmtriage stale --label Type/Bug --exclude-label "
        "'it'\"'\"'s @all`'`` prints the whole list.",
    ]


# --- the pure functions --------------------------------------------------------------------------------
NOW = datetime(2026, 11, 24, tzinfo=UTC)


def ticket(**extra) -> Item:
    return Item(source="zendesk", url="https://x.zendesk.com/agent/tickets/1", title="T", author="a",
                created_at=NOW, last_activity_at=NOW, days_idle=1, reason="open", extra=extra)


def test_a_filter_on_a_field_an_item_lacks_lets_it_pass():
    assert keeps(ticket(tags=["community"]), Filters(waiting_on="us", assignee="lee"))
    assert keeps(ticket(tags=["Community"]), Filters(labels=("COMMUNITY",)))
    assert not keeps(ticket(tags=["community"]), Filters(exclude_labels=("community",)))


def test_defaults_under_options():
    defaults = Filters(waiting_on="us", exclude_labels=("a", "b"), assignee="lee", limit=5)
    assert Filters(labels=("B",), no_assignee=True).over(defaults) == Filters(
        waiting_on="us", labels=("B",), exclude_labels=("a",), no_assignee=True, limit=5)
    assert whole_list("stale", Filters(labels=("x y",), no_assignee=True)) == \
        "cmtriage stale --label 'x y' --no-assignee"


def test_no_filters_leave_the_same_report():
    from cmtriage.models import Report

    report = Report(name="zendesk", title="t", columns=(), items=(ticket(),), generated_at=NOW)
    assert limited(filtered(report, Filters()), Filters()) is report


def test_hostile_names_in_a_summary_stay_inline_code():
    from markdown_it import MarkdownIt

    from cmtriage.models import Column, Report
    from cmtriage.render import markdown
    from cmtriage.summary import summarise
    from test_render import HOSTILE

    items = tuple(Item(source="github", url=f"https://github.com/o/r/issues/{n}", title="t", author="a",
                       created_at=NOW, last_activity_at=NOW, days_idle=n, reason="r",
                       extra={"repo": text, "waiting_on": "us"})
                  for n, text in enumerate(HOSTILE.values(), 1))
    report = Report(name="stale", title="Stale", columns=(Column("title", "Title", link="url"),), items=items,
                    generated_at=NOW)
    text = markdown(summarise(report, Filters(labels=("<!here> `x`",))))
    notes = text.split("\n\n")[0].splitlines()[1:]
    assert notes[0].startswith("Per repo: `") and len(notes) == 3
    for token in MarkdownIt("commonmark").parse("\n\n".join(notes)):
        if token.type == "inline":
            kinds = {child.type for child in token.children}
            assert kinds <= {"text", "code_inline", "softbreak"}, kinds
            assert not any("@" in c.content or "<" in c.content or "://" in c.content
                           for c in token.children if c.type == "text")
    assert "``cmtriage stale --label '<!here> `x`'`` prints the whole list." in notes[2]

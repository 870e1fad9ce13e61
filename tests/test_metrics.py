"""`cmtriage metrics` against the fake GitHub: known response times per rotation week (a DST change and an
override week among them), what one run costs, the chart, the sparkline in Markdown, the digest's
hand-off-day section."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from cmtriage.models import Comment, Issue
from cmtriage.render import markdown
from cmtriage.reports import metrics as report
from cmtriage.sources import github as source
from cmtriage.sources.github import Activity, People, Repo
from fakes.github import TOKEN, FakeGitHub, serve
from test_render import FOREIGN_MENTION, parse

NOW = "2026-11-25T14:00:00Z"  # a Wednesday, 09:00 in Toronto: Jason's week
MM, DOCS = "mattermost/mattermost", "mattermost/docs"
ROTATION = """\
    timezone: America/Toronto
    start: 2026-01-05
    members:
      - name: Eric
      - name: Jason
      - name: Lindsay
    overrides:
      - week: 2026-11-11
        who: Eric
        reason: Lindsay at a conference
    """
REPOS = """\
    staff:
      orgs: [mattermost]
      logins: [Hanna]
    bots: [mattermod]
    github:
      - repo: mattermost/mattermost
      - repo: mattermost/docs
    """


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with serve(FakeGitHub()) as running:
        monkeypatch.setenv("GITHUB_API_URL", running.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("CMTRIAGE_NOW", NOW)
        monkeypatch.setattr(source, "sleep", lambda seconds: running.advance(seconds))
        yield running


def answered(fake: FakeGitHub, repo: str, number: int, created: str, after_hours: float, *,
             by: str = "hanna", association: str = "NONE", **options) -> None:
    """An item by a community member that `by` answered `after_hours` after it was opened."""
    fake.add_issue(repo, number, f"Item {number}", author=f"user{number}", created=created, **options)
    moment = datetime.fromisoformat(created.replace("Z", "+00:00")) + timedelta(hours=after_hours)
    fake.add_comment(repo, number, author=by, association=association, created=moment)


@pytest.fixture
def seeded(fake: FakeGitHub, write_config) -> FakeGitHub:
    write_config(repos=REPOS, rotation=ROTATION)
    return seed(fake)


def seed(fake: FakeGitHub) -> FakeGitHub:
    """Community items across five rotation weeks (the README's metrics sample reads them too)."""
    fake.add_repo(MM)
    fake.add_repo(DOCS)
    fake.orgs["mattermost"] = {"lee": True}
    # Before the window: updated inside it, so listed, but not counted.
    answered(fake, MM, 100, "2026-09-01T10:00:00Z", 1900)
    # Lindsay's week of Oct 19: 23:30 on Sunday Oct 25 in Toronto (EDT), closed after the week.
    fake.add_issue(MM, 400, "Late on Sunday", author="user400", created="2026-10-26T03:30:00Z",
                   closed="2026-10-27T12:00:00Z")
    # Eric's week of Oct 26 ends at local midnight, which is 05:00 UTC now that DST is over.
    answered(fake, MM, 401, "2026-11-02T04:30:00Z", 5, by="lee")  # Sunday 23:30 EST
    answered(fake, MM, 402, "2026-11-02T05:30:00Z", 7)  # Monday 00:30 EST: Jason's week
    # Lindsay's week of Nov 9, covered by Eric.
    answered(fake, MM, 301, "2026-11-10T15:00:00Z", 6, by="zed", association="MEMBER")
    answered(fake, MM, 302, "2026-11-12T15:00:00Z", 2)
    # Eric's week of Nov 16.
    answered(fake, MM, 201, "2026-11-16T10:00:00Z", 1, by="lee")
    fake.add_issue(MM, 202, "Bot first", author="user202", created="2026-11-17T10:00:00Z")
    fake.add_comment(MM, 202, author="mattermod", created="2026-11-17T10:30:00Z")
    fake.add_comment(MM, 202, author="hanna", created="2026-11-17T12:00:00Z")
    fake.add_issue(MM, 203, "Community first", author="user203", created="2026-11-18T10:00:00Z",
                   closed="2026-11-19T10:00:00Z")
    fake.add_comment(MM, 203, author="carol", created="2026-11-18T11:00:00Z")
    fake.add_comment(MM, 203, author="user203", created="2026-11-18T12:00:00Z")
    fake.add_comment(MM, 203, author="zed", association="MEMBER", created="2026-11-18T14:00:00Z")
    answered(fake, MM, 204, "2026-11-19T10:00:00Z", 8)
    fake.add_comment(MM, 204, author="user204", created="2026-11-19T19:00:00Z")  # waits on us again
    fake.add_issue(MM, 205, "Nobody answered", author="user205", created="2026-11-20T10:00:00Z")
    answered(fake, MM, 206, "2026-11-21T10:00:00Z", 72)  # after the week: answered, and waiting at its end
    fake.add_issue(MM, 207, "By staff", author="hanna", created="2026-11-18T10:00:00Z")
    fake.add_issue(MM, 208, "By a bot", author="dependabot[bot]", author_type="Bot",
                   created="2026-11-18T10:00:00Z")
    fake.add_issue(MM, 209, "A pull in a repo watched for issues", author="user209",
                   created="2026-11-18T10:00:00Z", pull=True)
    answered(fake, DOCS, 11, "2026-11-20T12:00:00Z", 3, by="lee")
    fake.add_issue(DOCS, 12, "Only the community", author="user12", created="2026-11-22T12:00:00Z",
                   closed="2026-11-24T10:00:00Z")
    fake.add_comment(DOCS, 12, author="carol", created="2026-11-22T13:00:00Z")
    # Jason's week of Nov 23, in progress.
    fake.add_issue(MM, 501, "This week", author="user501", created="2026-11-24T10:00:00Z")
    return fake


def rows(out: str) -> list[tuple]:
    return [(i["week"], i["on_duty"], i["repo"].removeprefix("mattermost/"), i["opened"], i["answered"],
             i["closed"], i["first_response_median_hours"], i["first_response_p90_hours"],
             i["waiting_at_end"]) for i in json.loads(out)["items"]]


def zeros(week: str, who: str, repo: str) -> tuple:
    return (week, who, repo, 0, 0, 0, None, None, 0)


def test_json_has_each_week_s_figures_per_repo_and_for_all(seeded: FakeGitHub, run_cli):
    code, out, err = run_cli("metrics", "--weeks", "6", "--format", "json")
    assert (code, err) == (0, "")
    assert rows(out) == [
        ("2026-10-19", "Lindsay", "mattermost", 1, 0, 1, None, None, 1),
        zeros("2026-10-19", "Lindsay", "docs"),
        ("2026-10-19", "Lindsay", "all", 1, 0, 1, None, None, 1),
        # opened 23:30 EST, in the week's extra hour, answered after its end: waiting then
        ("2026-10-26", "Eric", "mattermost", 1, 1, 0, 5.0, 5.0, 1),
        zeros("2026-10-26", "Eric", "docs"),
        ("2026-10-26", "Eric", "all", 1, 1, 0, 5.0, 5.0, 1),
        ("2026-11-02", "Jason", "mattermost", 1, 1, 0, 7.0, 7.0, 0),
        zeros("2026-11-02", "Jason", "docs"),
        ("2026-11-02", "Jason", "all", 1, 1, 0, 7.0, 7.0, 0),
        ("2026-11-09", "Eric", "mattermost", 2, 2, 0, 4.0, 6.0, 0),  # the override's person
        zeros("2026-11-09", "Eric", "docs"),
        ("2026-11-09", "Eric", "all", 2, 2, 0, 4.0, 6.0, 0),
        ("2026-11-16", "Eric", "mattermost", 6, 5, 1, 4.0, 72.0, 3),  # 1, 2, 4, 8, 72 hours
        ("2026-11-16", "Eric", "docs", 2, 1, 1, 3.0, 3.0, 1),
        ("2026-11-16", "Eric", "all", 8, 6, 2, 3.5, 72.0, 4),  # 1, 2, 3, 4, 8, 72 hours
        ("2026-11-23", "Jason", "mattermost", 1, 0, 0, None, None, 1),
        zeros("2026-11-23", "Jason", "docs"),
        ("2026-11-23", "Jason", "all", 1, 0, 0, None, None, 1),
    ]
    assert json.loads(out)["items"][12] == {
        "source": "github", "url": "", "title": "Week of 2026-11-16 (Eric)", "author": "Eric",
        "created_at": "2026-11-16T05:00:00Z", "last_activity_at": "2026-11-23T05:00:00Z", "days_idle": 0,
        "reason": "6 opened, 5 answered (median first response 4.0 h), 1 closed, 3 waiting at the end",
        "week": "2026-11-16", "on_duty": "Eric", "repo": MM, "opened": 6, "answered": 5, "closed": 1,
        "first_response_median_hours": 4.0, "first_response_p90_hours": 72.0, "waiting_at_end": 3,
        "trend": "·▆█▅▅",  # the medians of weeks 1 to 5 against the slowest (7 h)
    }


def test_one_listing_of_items_and_one_of_comments_per_repo_and_a_warm_run_costs_nothing(
        seeded: FakeGitHub, run_cli):
    assert run_cli("metrics", "--format", "json")[0] == 0
    asked = sorted((r.path, tuple(sorted(r.params.items()))) for r in seeded.requests)
    window = ("since", "2026-10-05T00:00:00Z")  # 8 weeks: from Monday Oct 5, midnight UTC that day
    assert asked == sorted([
        (f"/repos/{DOCS}", ()), (f"/repos/{MM}", ()), ("/orgs/mattermost/members", (("per_page", "100"),)),
        *((f"/repos/{repo}/issues", (("direction", "asc"), ("per_page", "100"), window, ("sort", "created"),
                                     ("state", "all"))) for repo in (MM, DOCS)),
        *((f"/repos/{repo}/issues/comments", (("direction", "asc"), ("per_page", "100"), window,
                                              ("sort", "created"))) for repo in (MM, DOCS)),
    ])
    seeded.reset_log()
    assert run_cli("metrics", "--format", "json")[0] == 0
    assert (len(seeded.requests), seeded.billed()) == (7, 0)  # every one answered 304


def test_markdown_is_one_table_with_a_sparkline_and_mentions_the_pm(seeded: FakeGitHub, run_cli):
    code, out, err = run_cli("metrics", "--weeks", "2", "--repo", MM, "--format", "markdown")
    assert (code, err) == (0, "")
    assert out == (
        "#### @jason: Community response by rotation week, 2026-11-16 – 2026-11-29 (2 weeks)\n"
        "Weeks turn over at local midnight (America/Toronto); items count in the week they were opened. "
        "Answered: by a first comment from staff, not a bot's or the author's, whenever it came (pull "
        "reviews are not read). Median h and P90 h (nearest rank): hours to that answer. Waiting: still "
        "waiting on the team at the week's end. Trend: the repo's weekly medians so far.\n"
        "\n"
        "| Week | On duty | Repo | Opened | Answered | Closed | Median h | P90 h | Waiting | Trend |\n"
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n"
        "| 2026-11-16 | Eric | mattermost/mattermost | 6 | 5 | 1 | 4.0 | 72.0 | 3 | █ |\n"
        "| 2026-11-16 | Eric | all | 6 | 5 | 1 | 4.0 | 72.0 | 3 | █ |\n"
        "| 2026-11-23 | Jason | mattermost/mattermost | 1 | 0 | 0 |  |  | 1 | █· |\n"
        "| 2026-11-23 | Jason | all | 1 | 0 | 0 |  |  | 1 | █· |\n"
    )


def test_csv_rows_say_their_week_and_person(seeded: FakeGitHub, run_cli):
    code, out, err = run_cli("metrics", "--weeks", "1", "--repo", MM, "--format", "csv")
    assert (code, err) == (0, "")
    assert out == ("week,on_duty,repo,opened,answered,closed,first_response_median_hours,"
                   "first_response_p90_hours,waiting_at_end,trend,url\n"
                   "2026-11-23,Jason,mattermost/mattermost,1,0,0,,,1,·,\n"
                   "2026-11-23,Jason,all,1,0,0,,,1,·,\n")


def hostile_report(name: str = "Eve | @channel **x**") -> report.Report:
    """Three weeks of one repo, its name and the week's person a stranger's."""
    hostile_repo = "o/r | @all [x](https://evil.example) <!here>"
    start = datetime(2026, 11, 2, 5, tzinfo=UTC)
    weeks = [report.Week(date(2026, 11, 2) + timedelta(days=7 * n), start + timedelta(days=7 * n),
                         start + timedelta(days=7 * n + 7), name) for n in range(3)]
    issues = [Issue(repo=hostile_repo, number=n, kind="issue", title="t", body="", url="u", author="a",
                    author_type="User", association="NONE", labels=(), comments=1,
                    created_at=weeks[n].begins + timedelta(hours=1), updated_at=weeks[n].begins)
              for n in range(3)]
    comments = {n: (Comment("hanna", "User", "MEMBER", issues[n].created_at + timedelta(hours=n + 1)),)
                for n in range(3)}
    activity = Activity(Repo(hostile_repo, hostile_repo), tuple(issues), comments=comments)
    return report.build([activity], weeks=weeks, kinds={hostile_repo: frozenset({"issue"})},
                        people=People(), now=datetime(2026, 12, 1, tzinfo=UTC))


def test_the_sparkline_and_strangers_names_stay_safe_in_markdown():
    built = hostile_report()
    text = markdown(built)
    parsed = parse(text)
    assert parsed["intruders"] == []
    [table] = parsed["tables"]
    assert (table["header"], [r["cells"] for r in table["rows"]]) == (10, [10] * 6)
    assert [r["texts"][-1] for r in table["rows"]] == ["▃", "▃", "▃▆", "▃▆", "▃▆█", "▃▆█"]
    assert [t for t in parsed["texts"] if FOREIGN_MENTION.search(t)] == []
    assert "| ▃▆█ |" in text  # blocks need no escaping


def test_chart_svg_is_written_and_reads_back_with_the_weeks_and_names(seeded: FakeGitHub, run_cli, tmp_path):
    chart = tmp_path / "response.svg"
    code, _, err = run_cli("metrics", "--weeks", "6", "--format", "json", "--chart", str(chart))
    assert (code, err) == (0, "")
    root = ElementTree.parse(chart).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = " ".join("".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text"))
    for word in ("Oct 19", "Lindsay", "Nov 23", "Jason", "mattermost/docs", "all: median", "hours"):
        assert word in texts
    assert not list(tmp_path.glob(".*.tmp"))


def test_chart_text_is_drawn_literally_and_the_svg_stays_well_formed(tmp_path):
    from cmtriage.chart import draw

    name = "Eve <b>$x^2$</b> & \"co\""
    built = hostile_report(name)
    draw(built.items, tmp_path / "c.svg", built.title)
    root = ElementTree.parse(tmp_path / "c.svg").getroot()
    texts = ["".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(name in text for text in texts)  # no mathtext, no markup
    assert not list(root.iter("{http://www.w3.org/2000/svg}b"))


def test_a_listing_of_several_pages_is_still_one_listing_per_repo(fake: FakeGitHub, run_cli, write_config):
    write_config(repos=REPOS, rotation=ROTATION)
    fake.add_repo(MM)
    fake.add_repo(DOCS)
    fake.orgs["mattermost"] = {}
    for number in range(1, 251):  # 250 items, each answered by staff after `number % 10 + 1` hours
        answered(fake, MM, number, f"2026-11-24T{number % 10:02d}:00:00Z", number % 10 + 1,
                 by="zed", association="MEMBER")
    code, out, err = run_cli("metrics", "--weeks", "1", "--format", "json")
    assert (code, err) == (0, "")
    assert rows(out)[0] == ("2026-11-23", "Jason", "mattermost", 250, 250, 0, 5.5, 9.0, 0)
    assert [fake.count(f"/repos/{MM}/issues"), fake.count("/repositories/1000/issues")] == [2, 4]
    assert fake.count(f"/repos/{MM}/issues/") == 1  # the comments' first page; no item's own


def test_closed_items_are_not_bounded_by_the_open_count(fake: FakeGitHub, run_cli, write_config):
    # The repo's open_issues_count bounds a listing of open items; metrics lists closed ones too, here
    # 250 items on 3 pages with 1 open (a bound of 2 pages stopped it: "the Link header names 3 pages").
    write_config(repos=REPOS, rotation=ROTATION)
    fake.add_repo(MM)
    fake.add_repo(DOCS)
    fake.orgs["mattermost"] = {}
    for number in range(1, 251):
        fake.add_issue(MM, number, f"Item {number}", author=f"user{number}",
                       created=f"2026-11-24T{number % 10:02d}:00:00Z",
                       closed=None if number == 1 else "2026-11-24T12:00:00Z")
    code, out, err = run_cli("metrics", "--weeks", "1", "--format", "json")
    assert (code, err) == (0, "")
    assert rows(out)[0] == ("2026-11-23", "Jason", "mattermost", 250, 0, 249, None, None, 1)


def test_chart_is_written_like_an_output_file_through_a_symlink_and_names_a_failed_write(
        seeded: FakeGitHub, run_cli, tmp_path):
    target = tmp_path / "team" / "response.svg"
    target.parent.mkdir()
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "response.svg"
    link.symlink_to(target)
    assert run_cli("metrics", "--format", "json", "--chart", str(link))[0] == 0
    assert link.is_symlink() and target.stat().st_mode & 0o777 == 0o640
    assert ElementTree.parse(target).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    assert not list(target.parent.glob(".*.tmp"))
    missing = tmp_path / "nowhere" / "c.svg"
    code, _, err = run_cli("metrics", "--format", "json", "--chart", str(missing))
    assert (code, err) == (2, f"cmtriage: error: cannot write {missing}: No such file or directory\n")


def test_chart_png_is_written_and_readable(seeded: FakeGitHub, run_cli, tmp_path):
    from matplotlib.image import imread

    chart = tmp_path / "response.PNG"
    assert run_cli("metrics", "--format", "json", "--chart", str(chart))[0] == 0
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = imread(chart, format="png").shape
    assert width > 400 and height > 400


def test_chart_without_matplotlib_says_how_to_install_it_before_asking_github(seeded: FakeGitHub, run_cli,
                                                                             monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    code, out, err = run_cli("metrics", "--chart", str(tmp_path / "c.svg"))
    assert (code, out, err) == (
        2, "", "cmtriage: error: --chart needs matplotlib, which is not installed: "
               "pip install 'matplotlib>=3.8' (cmtriage's extra 'chart')\n")
    assert seeded.requests == [] and not (tmp_path / "c.svg").exists()


def test_chart_of_another_format_is_a_usage_error(seeded: FakeGitHub, run_cli, tmp_path):
    code, out, err = run_cli("metrics", "--chart", str(tmp_path / "c.pdf"))
    assert (code, out, err) == (
        2, "", "cmtriage: error: --chart: expected a file ending in .svg or .png, got 'c.pdf'\n")


def test_matplotlib_is_imported_only_for_a_chart(seeded: FakeGitHub, run_cli, monkeypatch):
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    assert run_cli("metrics", "--format", "markdown")[0] == 0
    assert [n for n in sys.modules if n.startswith("matplotlib")] == []


def test_a_repo_that_fails_is_named_and_the_others_are_counted(seeded: FakeGitHub, run_cli):
    seeded.fail(times=4, status=500, where=DOCS)
    code, out, err = run_cli("metrics", "--weeks", "1", "--format", "json")
    assert code == 1
    assert err == "cmtriage: error: github: mattermost/docs: GitHub answered 500 4 times; try again later\n"
    assert rows(out) == [("2026-11-23", "Jason", "mattermost", 1, 0, 0, None, None, 1),
                         ("2026-11-23", "Jason", "all", 1, 0, 0, None, None, 1)]
    assert json.loads(out)["errors"] == [
        {"source": "github", "message": "mattermost/docs: GitHub answered 500 4 times; try again later"}]


def test_weeks_out_of_range_is_a_usage_error(seeded: FakeGitHub, run_cli):
    code, out, err = run_cli("metrics", "--weeks", "0")
    assert (code, out) == (2, "")
    assert err.endswith("Error: Invalid value for '--weeks': 0 is not in the range 1<=x<=521.\n")
    assert seeded.requests == []


# --- the digest ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("now", "shown"), [
    ("2026-11-30T14:00:00Z", True),  # Monday 09:00 in Toronto: the hand-off day
    ("2026-11-30T03:00:00Z", False),  # Sunday 22:00 in Toronto, though Monday in UTC
    ("2026-12-01T14:00:00Z", False),  # Tuesday
])
def test_the_digest_carries_the_week_just_ended_on_the_hand_off_day_only(seeded: FakeGitHub, run_cli, now,
                                                                         shown):
    code, out, err = run_cli("digest", "--now", now, "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    sections = [s["report"] for s in document["sections"]]
    assert ("metrics" in sections) is shown
    if shown:
        section = document["sections"][sections.index("metrics")]
        assert section == {"report": "metrics", "title": "Jason's week of 2026-11-23 – 2026-11-29: "
                                                         "1 opened, 0 answered", "count": 3, "errors": []}
        metrics_rows = [i for i in document["items"] if i["section"] == "metrics"]
        assert [(i["repo"], i["week"], i["on_duty"], i["opened"], i["waiting_at_end"], i["trend"])
                for i in metrics_rows] == [(MM, "2026-11-23", "Jason", 1, 1, "···▆█▅▅·"),  # 8 weeks' trend
                                           (DOCS, "2026-11-23", "Jason", 0, 0, "······█·"),
                                           ("all", "2026-11-23", "Jason", 1, 1, "···▆█▅▄·")]

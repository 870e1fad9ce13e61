"""`cmtriage stale` against the fake GitHub: what is listed, why, in what order, and at what cost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from fakes.github import FakeGitHub, point_at, serve

NOW = "2026-11-24T14:00:00Z"  # a Tuesday: Jason's week
MM, DOCS, ANDROID = "mattermost/mattermost", "mattermost/docs", "mattermost/android"
ZWSP = "\u200b"
ROTATION = """\
    timezone: America/Toronto
    start: 2026-01-05
    members:
      - name: Eric
      - name: Jason
      - name: Lindsay
    """
REPOS = """\
    staff:
      orgs: [mattermost]
      logins: [Hanna]
    bots: [mattermod]
    github:
      - repo: mattermost/mattermost
      - repo: mattermost/docs
      - repo: mattermost/android
        watch: pulls
        stale_days: 30
    """


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with serve(FakeGitHub()) as running:
        point_at(running, monkeypatch, NOW)
        yield running


@pytest.fixture
def seeded(fake: FakeGitHub, write_config) -> FakeGitHub:
    """Three repos: one item of each case the report tells apart."""
    write_config(repos=REPOS, rotation=ROTATION)
    for name in (MM, DOCS, ANDROID):
        fake.add_repo(name)
    fake.orgs["mattermost"] = {"jesse": False, "lee": True}  # jesse's membership is private
    fake.add_issue(MM, 101, "Desktop app crashes on start", author="alice", created="2026-11-01T09:00:00Z")
    fake.add_issue(MM, 102, "Search misses | @all [see](https://evil.example)", author="bob",
                   created="2026-11-05T10:00:00Z", labels=("Type/Bug", "Area/Search"))
    fake.add_comment(MM, 102, author="carol", created="2026-11-10T12:00:00Z")
    fake.add_issue(MM, 103, "Push notifications delayed", author="dana", created="2026-11-02T10:00:00Z")
    fake.add_comment(MM, 103, author="jesse", association="CONTRIBUTOR", created="2026-11-04T08:00:00Z")
    fake.add_issue(MM, 104, "LDAP sync fails", author="erin", created="2026-11-03T10:00:00Z")
    fake.add_comment(MM, 104, author="mattermod", created="2026-11-22T10:00:00Z")  # a bot's bump
    fake.add_issue(MM, 105, "Answered lately", author="frank", created="2026-10-01T10:00:00Z")
    fake.add_comment(MM, 105, author="gus", created="2026-11-20T10:00:00Z")
    fake.add_issue(MM, 106, "Staff wrote this", author="hanna", created="2026-10-01T10:00:00Z")
    fake.add_issue(MM, 107, "A pull in an issues repo", author="ivan", created="2026-10-01T10:00:00Z",
                   pull=True)
    fake.add_issue(MM, 108, "Too new", author="julia", created="2026-11-18T10:00:00Z")
    fake.add_issue(MM, 109, "Author pinged again", author="kim", created="2026-10-20T10:00:00Z")
    fake.add_comment(MM, 109, author="lee", association="MEMBER", created="2026-10-25T10:00:00Z")
    fake.add_comment(MM, 109, author="kim", created="2026-10-30T14:00:00Z")
    fake.add_issue(DOCS, 5, "Typo in the install guide", author="mo", created="2026-11-10T14:00:00Z")
    fake.add_issue(ANDROID, 7, "Fix crash on rotate", author="gina", created="2026-10-01T10:00:00Z",
                   pull=True)
    fake.add_issue(ANDROID, 8, "Recent pull", author="nils", created="2026-11-01T10:00:00Z", pull=True)
    fake.add_issue(ANDROID, 9, "An issue in a pulls repo", author="otto", created="2026-09-01T10:00:00Z")
    return fake


def items(out: str) -> list[tuple]:
    return [(i["repo"], i["number"], i["days_idle"], i["waiting_on"], i["reason"])
            for i in json.loads(out)["items"]]


@pytest.fixture
def stale(run_cli):
    """`stale(*args)`: the report `cmtriage stale` printed, having checked it succeeded quietly."""

    def run(*args: str) -> str:
        code, out, err = run_cli("stale", *args)
        assert (code, err) == (0, "")
        return out

    return run


def test_markdown_groups_by_repo_longest_idle_first_and_mentions_the_pm(seeded: FakeGitHub, stale):
    out = stale("--format", "markdown")
    gh = "https://github.com/mattermost"
    header = ("| Repo | # | Kind | Title | Author | Days idle | Waiting on | Labels |\n"
              "| --- | ---: | --- | --- | --- | ---: | --- | --- |\n")
    assert out == (
        "#### @jason: 7 GitHub issues and pulls with no activity for 7+ days\n"
        "Thresholds of their own: mattermost/android pulls 30+ days.\n"
        "\n**mattermost/android**\n\n" + header +
        f"| mattermost/android | 7 | pull | [Fix crash on rotate]({gh}/android/pull/7) | gina | 54 | us"
        " |  |\n"
        "\n**mattermost/mattermost**\n\n" + header +
        f"| mattermost/mattermost | 109 | issue | [Author pinged again]({gh}/mattermost/issues/109)"
        " | kim | 25 | us |  |\n"
        f"| mattermost/mattermost | 101 | issue | [Desktop app crashes on start]({gh}/mattermost/issues/101)"
        " | alice | 23 | us |  |\n"
        f"| mattermost/mattermost | 104 | issue | [LDAP sync fails]({gh}/mattermost/issues/104) | erin | 21"
        " | us |  |\n"
        f"| mattermost/mattermost | 103 | issue | [Push notifications delayed]({gh}/mattermost/issues/103)"
        " | dana | 20 | author |  |\n"
        f"| mattermost/mattermost | 102 | issue | [Search misses \\| @{ZWSP}all \\[see\\](https://evil.example)]"
        f"({gh}/mattermost/issues/102) | bob | 14 | us | Type/Bug, Area/Search |\n"
        "\n**mattermost/docs**\n\n" + header +
        f"| mattermost/docs | 5 | issue | [Typo in the install guide]({gh}/docs/issues/5) | mo | 14 | us"
        " |  |\n"
    )


def test_json_says_who_the_item_waits_on_and_why(seeded: FakeGitHub, stale):
    out = stale("--format", "json")
    assert items(out) == [
        (ANDROID, 7, 54, "us", "no replies"),
        (MM, 109, 25, "us", "the author wrote last"),
        (MM, 101, 23, "us", "no replies"),
        (MM, 104, 21, "us", "only bots replied"),
        (MM, 103, 20, "author", "the team replied last"),
        (DOCS, 5, 14, "us", "no replies"),
        (MM, 102, 14, "us", "the community replied last"),
    ]
    first = json.loads(out)["items"][4]
    assert first == {
        "source": "github", "url": "https://github.com/mattermost/mattermost/issues/103",
        "title": "Push notifications delayed", "author": "dana", "created_at": "2026-11-02T10:00:00Z",
        "last_activity_at": "2026-11-04T08:00:00Z", "days_idle": 20, "reason": "the team replied last",
        "repo": MM, "number": 103, "kind": "issue", "labels": [], "waiting_on": "author",
        "assignees": [],
    }


def test_a_cold_run_costs_the_lower_bound_plus_one_request_per_repo_and_org(seeded: FakeGitHub, run_cli):
    run_cli("stale", "--format", "json")
    paths = sorted((r.path, r.params.get("page")) for r in seeded.requests)
    assert paths == sorted([
        ("/orgs/mattermost/members", None),
        *((f"/repos/{name}", None) for name in (MM, DOCS, ANDROID)),
        *((f"/repos/{name}/issues", None) for name in (MM, DOCS, ANDROID)),
        *((f"/repos/{name}/issues/comments", None) for name in (MM, DOCS, ANDROID)),
        # the three listed items whose last human comment came before the window, one page each
        *((f"/repos/{MM}/issues/{n}/comments", "1") for n in (102, 103, 109)),
    ])
    window = {r.path: r.params for r in seeded.requests if r.path.endswith("/issues/comments")}
    assert window[f"/repos/{MM}/issues/comments"]["since"] == "2026-11-17T00:00:00Z"  # 7 days, from midnight
    assert window[f"/repos/{ANDROID}/issues/comments"]["since"] == "2026-10-25T00:00:00Z"  # 30 days


def test_a_second_run_the_same_day_fetches_nothing_again(seeded: FakeGitHub, run_cli):
    first = run_cli("stale", "--format", "json")
    seeded.reset_log()
    second = run_cli("stale", "--format", "json")
    assert second == first
    assert seeded.billed() == 0
    assert {r.status for r in seeded.requests} == {304}
    assert not [r for r in seeded.requests if "/issues/1" in r.path]  # item comments reused without asking
    assert len(seeded.requests) == 10


def test_a_new_comment_refetches_only_what_it_changed(seeded: FakeGitHub, run_cli, stale):
    run_cli("stale", "--format", "json")
    seeded.add_comment(MM, 109, author="lee", association="MEMBER", created="2026-11-24T12:00:00Z")
    seeded.reset_log()
    out = stale("--format", "json")
    assert 109 not in [number for _, number, *_ in items(out)]
    changed = sorted(r.path for r in seeded.requests if r.status == 200)
    assert changed == [f"/repos/{MM}/issues", f"/repos/{MM}/issues/comments"]


def test_no_cache_asks_for_everything_without_conditions(seeded: FakeGitHub, run_cli, isolated_env):
    run_cli("stale", "--format", "json")
    seeded.reset_log()
    run_cli("stale", "--format", "json", "--no-cache")
    assert {r.status for r in seeded.requests} == {200}
    assert all(r.etag is None for r in seeded.requests)


def test_days_and_a_repos_own_threshold(seeded: FakeGitHub, stale):
    out = stale("--format", "json", "--days", "21")
    assert [(repo, n) for repo, n, *_ in items(out)] == [(ANDROID, 7), (MM, 109), (MM, 101), (MM, 104)]
    assert json.loads(out)["items"][0]["days_idle"] == 54  # android keeps its 30 days


def test_repo_option_limits_the_run_to_that_repo(seeded: FakeGitHub, stale):
    out = stale("--format", "json", "--repo", DOCS)
    assert items(out) == [(DOCS, 5, 14, "us", "no replies")]
    assert not [r for r in seeded.requests if MM in r.path or ANDROID in r.path]


def test_a_bad_repo_option_is_a_usage_error(seeded: FakeGitHub, run_cli):
    assert run_cli("stale", "--repo", "not-a-repo") == (
        2, "", "cmtriage: error: --repo: expected OWNER/NAME, got 'not-a-repo'\n")


def test_without_rotation_yaml_the_heading_mentions_nobody(fake: FakeGitHub, write_config, stale):
    write_config(repos="github: [{repo: mattermost/docs}]\n")
    fake.add_repo(DOCS)
    out = stale("--format", "markdown")
    assert out == ("#### 0 GitHub issues with no activity for 7+ days\n\n"
                   "Nothing has waited 7+ days for a reply.\n")


# --- staff and bots, through each route ----------------------------------------------------------------
@pytest.mark.parametrize(("login", "association"), [
    ("owner1", "OWNER"), ("member1", "MEMBER"), ("HANNA", "NONE"), ("jesse", "CONTRIBUTOR")])
def test_staff_items_are_never_listed_and_staff_replies_wait_on_the_author(
        seeded: FakeGitHub, stale, login: str, association: str):
    seeded.add_issue(DOCS, 20, "By staff", author=login, association=association,
                     created="2026-09-01T10:00:00Z")
    seeded.add_issue(DOCS, 21, "Answered by staff", author="zed", created="2026-09-01T10:00:00Z")
    seeded.add_comment(DOCS, 21, author=login, association=association, created="2026-09-02T10:00:00Z")
    out = stale("--format", "json", "--repo", DOCS)
    assert [(n, waiting) for _, n, _, waiting, _ in items(out)] == [(21, "author"), (5, "us")]


def test_a_private_org_member_is_staff_only_for_a_token_that_sees_them(
        seeded: FakeGitHub, run_cli, monkeypatch: pytest.MonkeyPatch):
    seeded.add_issue(DOCS, 20, "By a private member", author="jesse", created="2026-09-01T10:00:00Z")
    monkeypatch.delenv("GITHUB_TOKEN")
    _, out, err = run_cli("stale", "--format", "json", "--repo", DOCS)
    assert [n for _, n, *_ in items(out)] == [20, 5]
    # ...and says so, rather than silently
    assert err.splitlines()[1] == ("cmtriage: warning: staff: public members of mattermost only (no "
                                   "GITHUB_TOKEN or GH_TOKEN): their private members count as community here")


@pytest.mark.parametrize(("login", "kind"), [("renovate[bot]", "Bot"), ("dependabot[bot]", "User"),
                                             ("MatterMod", "User")])
def test_bots_neither_count_as_community_nor_as_activity(seeded: FakeGitHub, stale, login: str, kind: str):
    seeded.add_issue(DOCS, 20, "By a bot", author=login, author_type=kind, created="2026-09-01T10:00:00Z")
    seeded.add_issue(DOCS, 21, "Bumped by a bot", author="zed", created="2026-09-01T10:00:00Z")
    seeded.add_comment(DOCS, 21, author=login, author_type=kind, created="2026-11-23T10:00:00Z")
    out = stale("--format", "json", "--repo", DOCS)
    assert [(n, days, reason) for _, n, days, _, reason in items(out)] == [
        (21, 84, "only bots replied"), (5, 14, "no replies")]


def test_a_label_change_does_not_hide_an_item(seeded: FakeGitHub, stale):
    seeded.touch(DOCS, 5, "2026-11-24T09:00:00Z")
    out = stale("--format", "json", "--repo", DOCS)
    assert items(out) == [
        (DOCS, 5, 14, "us", "no replies (updated since, but by no human comment or review)")]


# --- --activity updated --------------------------------------------------------------------------------
def test_activity_updated_trusts_updated_at_and_says_so(seeded: FakeGitHub, stale):
    out = stale("--format", "markdown", "--activity", "updated", "--repo", MM)
    assert "erin" not in out  # bumped by mattermod two days ago
    assert "Activity is GitHub's updated_at here: a bot's comment or a label change counts too.\n" in out
    out = stale("--format", "json", "--activity", "updated", "--repo", MM)
    assert items(out) == [
        (MM, 109, 25, "us", "the author wrote last"),
        (MM, 101, 23, "us", "no replies"),
        (MM, 103, 20, "author", "the team replied last"),
        (MM, 102, 14, "us", "the community replied last"),
    ]


def test_activity_updated_stops_paging_at_the_cutoff(fake: FakeGitHub, write_config, stale):
    write_config(repos="github: [{repo: mattermost/docs}]\n")
    fake.add_repo(DOCS)
    for number in range(1, 351):  # 30 stale, then 320 updated this week
        day = "2026-10-01" if number <= 30 else "2026-11-23"
        fake.add_issue(DOCS, number, f"Item {number}", author="zed", created=f"{day}T10:00:00Z")
    out = stale("--format", "json", "--activity", "updated")
    assert len(json.loads(out)["items"]) == 30
    assert fake.count(f"/repos/{DOCS}/issues") == 1  # one page of 100 reaches the cutoff
    assert fake.count(f"/repos/{DOCS}/issues/comments") == 0
    assert fake.requests[-1].params == {"state": "open", "sort": "updated", "direction": "asc",
                                        "per_page": "100"}


# --- size, renames, archived ---------------------------------------------------------------------------
def test_more_than_100_items_and_comments_are_paged_concurrently_and_all_read(
        fake: FakeGitHub, write_config, stale):
    write_config(repos="github: [{repo: mattermost/docs}]\n")
    fake.add_repo(DOCS)
    for number in range(1, 251):
        fake.add_issue(DOCS, number, f"Item {number}", author="zed", created="2026-10-01T10:00:00Z")
    for number in range(1, 151):  # 150 bot comments in the window: all known without per-item pages
        fake.add_comment(DOCS, number, author="ci[bot]", author_type="Bot", created="2026-11-20T10:00:00Z")
    out = stale("--format", "json")
    assert len(json.loads(out)["items"]) == 250
    pages = sorted((r.path, r.params.get("page", "1")) for r in fake.requests if "issues" in r.path)
    assert pages == [  # pages 2 and on where GitHub's Link points: under the repo's id
        ("/repos/mattermost/docs/issues", "1"), ("/repos/mattermost/docs/issues/comments", "1"),
        ("/repositories/1000/issues", "2"), ("/repositories/1000/issues", "3"),
        ("/repositories/1000/issues/comments", "2")]


def test_an_item_with_more_than_100_comments_is_read_from_its_last_page_back(
        fake: FakeGitHub, write_config, stale):
    write_config(repos="github: [{repo: mattermost/docs}]\n")
    fake.add_repo(DOCS)
    fake.add_issue(DOCS, 1, "Long thread", author="zed", created="2026-09-01T10:00:00Z")
    for minute in range(150):  # one staff reply on the first page, then a bot's 109 comments
        author, association = ("lee", "MEMBER") if minute == 40 else ("ci[bot]", "NONE")
        fake.add_comment(DOCS, 1, author=author, association=association,
                         created=datetime(2026, 10, 1, 10, tzinfo=UTC) + timedelta(minutes=minute))
    out = stale("--format", "json")
    assert items(out) == [(DOCS, 1, 54, "author", "the team replied last")]
    assert [r.params.get("page") for r in fake.requests if r.path.endswith("/1/comments")] == ["2", "1"]


def test_a_renamed_repo_is_followed_with_one_warning(seeded: FakeGitHub, run_cli, write_config):
    seeded.rename(MM, "mattermost/mattermost-server")
    code, out, err = run_cli("stale", "--format", "json")
    assert code == 0
    config = write_config()
    assert err == (f"cmtriage: warning: {config / 'repos.yaml'}:6: mattermost/mattermost was renamed to "
                   "mattermost/mattermost-server on GitHub; put mattermost/mattermost-server in repos.yaml\n")
    assert {i["repo"] for i in json.loads(out)["items"]} == {"mattermost/mattermost-server", DOCS, ANDROID}
    old = [r.path for r in seeded.requests if r.path == f"/repos/{MM}" or r.path.startswith(f"/repos/{MM}/")]
    assert old == [f"/repos/{MM}"]  # only the repo itself goes through the old name


def test_an_archived_repo_says_so_and_costs_one_request(seeded: FakeGitHub, stale):
    seeded.repo(DOCS).archived = True
    out = stale("--format", "markdown")
    assert "mattermost/docs is archived on GitHub: nothing there can be answered; take it out of " \
           "repos.yaml.\n" in out
    assert [r.path for r in seeded.requests if DOCS in r.path] == [f"/repos/{DOCS}"]


# --- pull reviews ----------------------------------------------------------------------------------------
STAFF_BOT = "copilot-pull-request-reviewer[bot]"


@pytest.fixture
def reviewed(seeded: FakeGitHub) -> FakeGitHub:
    """Android pulls (30 days) with reviews: one case each, all created before the window."""
    add = seeded.add_issue
    add(ANDROID, 10, "Reviewed by staff lately", author="pia", created="2026-09-01T10:00:00Z", pull=True)
    seeded.add_review(ANDROID, 10, author="lee", association="MEMBER", submitted="2026-11-22T10:00:00Z")
    add(ANDROID, 11, "Reviewed, then the author wrote", author="quinn", created="2026-08-01T10:00:00Z",
        pull=True)
    seeded.add_review(ANDROID, 11, author="jesse", association="CONTRIBUTOR", state="CHANGES_REQUESTED",
                      lines=2, submitted="2026-09-01T10:00:00Z")  # jesse: a private member of the staff org
    seeded.add_comment(ANDROID, 11, author="quinn", created="2026-09-10T10:00:00Z")
    add(ANDROID, 12, "Only a community review", author="rita", created="2026-09-01T10:00:00Z", pull=True)
    seeded.add_review(ANDROID, 12, author="sam", state="COMMENTED", lines=1, submitted="2026-10-01T10:00:00Z")
    add(ANDROID, 13, "A draft review and a bot", author="tess", created="2026-09-01T10:00:00Z", pull=True)
    seeded.add_review(ANDROID, 13, author="lee", association="MEMBER", lines=3, submitted=None)
    seeded.add_comment(ANDROID, 13, author="mattermod", created="2026-11-23T10:00:00Z")
    add(ANDROID, 14, "A bot's review", author="uma", created="2026-09-01T10:00:00Z", pull=True)
    seeded.add_review(ANDROID, 14, author=STAFF_BOT, author_type="Bot", state="COMMENTED", lines=1,
                      submitted="2026-11-23T10:00:00Z")
    add(ANDROID, 15, "Approved long ago", author="vic", created="2026-08-01T10:00:00Z", pull=True)
    seeded.add_review(ANDROID, 15, author="Hanna", submitted="2026-09-01T10:00:00Z")
    return seeded


def test_reviews_count_as_activity_and_staff_reviews_wait_on_the_author(reviewed: FakeGitHub, stale):
    out = stale("--format", "json", "--repo", ANDROID)
    assert items(out) == [
        (ANDROID, 13, 84, "us", "only bots replied"),  # the pending review is a draft nobody else sees
        (ANDROID, 14, 84, "us", "no replies (updated since, but by no human comment or review)"),
        (ANDROID, 15, 84, "author", "the team reviewed last"),
        (ANDROID, 11, 75, "us", "the author wrote last"),
        (ANDROID, 7, 54, "us", "no replies"),
        (ANDROID, 12, 54, "us", "the community reviewed last"),
    ]  # 10, which staff approved two days ago, is not listed
    assert json.loads(out)["items"][2]["last_activity_at"] == "2026-09-01T10:00:00Z"


def test_only_pulls_past_their_threshold_and_touched_since_cost_a_reviews_page(reviewed: FakeGitHub, run_cli):
    run_cli("stale", "--format", "json", "--repo", ANDROID)
    paths = sorted((r.path, r.params.get("page")) for r in reviewed.requests)
    assert paths == sorted([
        ("/orgs/mattermost/members", None), (f"/repos/{ANDROID}", None), (f"/repos/{ANDROID}/issues", None),
        (f"/repos/{ANDROID}/issues/comments", None),
        (f"/repos/{ANDROID}/issues/11/comments", "1"),  # its comments came before the window
        # not 7 (untouched since it was opened), 8 (opened within 30 days) nor 11 (untouched since its
        # author's comment, its last human activity, so no review came later)
        *((f"/repos/{ANDROID}/pulls/{n}/reviews", None) for n in (10, 12, 13, 14, 15)),
    ])


def test_repos_that_watch_only_issues_read_no_reviews(reviewed: FakeGitHub, run_cli):
    reviewed.add_review(MM, 107, author="lee", association="MEMBER", submitted="2026-11-23T10:00:00Z")
    code, out, _ = run_cli("stale", "--format", "json", "--repo", MM)
    assert code == 0 and 107 not in [n for _, n, *_ in items(out)]  # a pull, in a repo that watches issues
    assert sorted((r.path, r.params.get("page")) for r in reviewed.requests) == sorted([
        ("/orgs/mattermost/members", None), (f"/repos/{MM}", None), (f"/repos/{MM}/issues", None),
        (f"/repos/{MM}/issues/comments", None),
        *((f"/repos/{MM}/issues/{n}/comments", "1") for n in (102, 103, 109)),
    ])


def test_a_second_run_reads_no_reviews_again_and_a_new_review_only_its_own(reviewed: FakeGitHub, run_cli,
                                                                           stale):
    first = run_cli("stale", "--format", "json")
    reviewed.reset_log()
    assert run_cli("stale", "--format", "json") == first
    assert (len(reviewed.requests), reviewed.billed()) == (10, 0)  # as without reviews: nothing reread
    reviewed.add_review(ANDROID, 12, author="lee", association="MEMBER", submitted="2026-11-24T12:00:00Z")
    reviewed.reset_log()
    out = stale("--format", "json")
    assert 12 not in [n for repo, n, *_ in items(out) if repo == ANDROID]
    assert sorted(r.path for r in reviewed.requests if r.status == 200) == [
        f"/repos/{ANDROID}/issues", f"/repos/{ANDROID}/pulls/12/reviews"]


def test_activity_updated_reads_no_reviews(reviewed: FakeGitHub, stale):
    out = stale("--format", "json", "--activity", "updated", "--repo", ANDROID)
    assert [n for _, n, *_ in items(out)] == [15, 11, 7, 12]  # 13, 14 and 10 were updated lately
    assert not [r for r in reviewed.requests if "/pulls/" in r.path]


def test_a_pull_with_more_than_100_reviews_is_read_from_its_last_page_back(fake: FakeGitHub, write_config,
                                                                           stale):
    write_config(repos="github: [{repo: mattermost/android, watch: pulls}]\n")
    fake.add_repo(ANDROID)
    fake.add_issue(ANDROID, 1, "Long review", author="zed", created="2026-09-01T10:00:00Z", pull=True)
    for minute in range(150):  # one staff review on the first page, then 109 by a bot
        author, kind, association = ("lee", "User", "MEMBER") if minute == 40 else ("ci[bot]", "Bot", "NONE")
        fake.add_review(ANDROID, 1, author=author, author_type=kind, association=association,
                        state="COMMENTED",
                        submitted=datetime(2026, 10, 1, 10, tzinfo=UTC) + timedelta(minutes=minute))
    out = stale("--format", "json")
    assert items(out) == [(ANDROID, 1, 54, "author", "the team reviewed last")]
    assert [(r.path, r.params.get("page")) for r in fake.requests if r.path.endswith("/reviews")] == [
        (f"/repos/{ANDROID}/pulls/1/reviews", None), ("/repositories/1000/pulls/1/reviews", "2")]


def test_days_longer_than_a_repos_own_threshold_is_the_one_the_title_names(seeded: FakeGitHub, stale):
    out = stale("--days", "40", "--format", "markdown")
    assert out.splitlines()[:2] == [
        "#### @jason: 1 GitHub pull with no activity for 40+ days",
        "Thresholds of their own: mattermost/android pulls 30+ days.",
    ]


def test_github_refusing_the_token_still_prints_a_report_that_says_so(seeded: FakeGitHub, run_cli,
                                                                        monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_revokedToken000")
    code, out, err = run_cli("stale", "--format", "markdown")
    message = ("GitHub refused the token in GITHUB_TOKEN (401 Bad credentials): it may have expired or been "
               "revoked")
    assert (code, err) == (1, f"cmtriage: error: github: {message}\n")
    assert out == f"#### Stale GitHub issues and pulls: not listed\n\n- :warning: github: {message}\n"
    code, out, _ = run_cli("new", "--format", "markdown")
    assert (code, out) == (1, f"#### New GitHub issues: not listed\n\n- :warning: github: {message}\n")


def test_unread_comments_count_the_other_items_of_their_repo():
    from cmtriage.collect.github import unread_errors
    from cmtriage.errors import SourceFailure

    failure = SourceFailure("github", "mattermost/mattermost#1: GitHub answered 502 4 times; try again later")
    one_more = unread_errors({("mattermost/mattermost", 1): failure, ("mattermost/mattermost", 2): failure})
    two_more = unread_errors({("m/m", n): failure for n in (1, 2, 3)})
    assert [e.message for e in one_more + two_more] == [
        f"{failure.detail} (and 1 more item)", f"{failure.detail} (and 2 more items)"]

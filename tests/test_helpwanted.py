"""`cmtriage helpwanted` against the fake GitHub: the three lists from real-looking Help Wanted issues (the
current template and the old one), --apply and its limits, a read-only token, the cost, and the digest."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator

import pytest

from cmtriage.sources import github as source
from fakes.github import FakeGitHub, point_at, serve

NOW = "2026-11-26T14:00:00Z"
MM, FOCAL = "mattermost/mattermost", "mattermost/focalboard"
ZWSP = "\u200b"
CURRENT = (
    "Help Wanted",
    "Up For Grabs",
    "Good First Issue",
    "Difficulty/1:Easy",
    "Difficulty/2:Medium",
    "Difficulty/3:Hard",
    "Tech/Go",
    "Tech/ReactJS",
    "Tech/TypeScript",
    "Area/Plugins",
    "Type/Bug",
    "PR Submitted",
)
OLD = (
    "help wanted",
    "up for grabs",
    "Difficulty: Introductory",
    "Difficulty: Intermediate",
    "Go",
    "ReactJS",
    "Redux",
)
REPOS = """\
    staff: {orgs: [mattermost], logins: [hanna]}
    bots: [mattermod]
    helpwanted:
      label: Help Wanted
      repos: [mattermost/mattermost, mattermost/focalboard]
    """
FOOTER = (
    '\n\n----\nIf you\'re interested please comment here and come [join our "Contributors" community '
    "channel](https://community.mattermost.com/core/channels/tickets) on our daily build server, where you "
    "can discuss questions with community members and the Mattermost core team. For technical advice or "
    "questions, "
    'please  [join our "Developers" community channel](https://community.mattermost.com/core/channels/'
    "developers).\n\nNew contributors please see our [Developer's Guide](https://developers.mattermost.com/"
    "contribute/getting-started/).\n\nJIRA: https://mattermost.atlassian.net/browse/MM-{key}"
)
CURRENT_BODY = (
    "#### Summary\nThe channel header does not render emoji shortcodes.\n\n#### Steps to reproduce\n1. Set a "
    "header with :smile:\n\n**Difficulty:** 1:Easy\n**Language:** Go, Python" + FOOTER.format(key=61001)
)
OLD_BODY = (
    'If you\'re interested please comment here and come join our "Contributors" community channel on our '
    "daily build server, where you can discuss questions with community members and the Mattermost core team."
    "\n\nNew contributors please see our Developer's Guide.\n\n----\n\n**Notes**: [Jira ticket]"
    "(https://mattermost.atlassian.net/browse/MM-12466)\n\nAdd a board template for sprints.\n\n"
    "Difficulty: Introductory\nLanguages: Golang, React"
)
DONE = ("Help Wanted", "Difficulty/2:Medium", "Tech/ReactJS")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, write_config) -> Iterator[FakeGitHub]:
    with serve(FakeGitHub()) as running:
        setup(running, monkeypatch, write_config)
        yield running


def setup(running: FakeGitHub, monkeypatch: pytest.MonkeyPatch, write_config, repos: str = REPOS) -> None:
    point_at(running, monkeypatch, NOW)
    write_config(repos=repos)
    seed(running)


def seed(running: FakeGitHub) -> None:
    """The Help Wanted issues of both repos (the README's helpwanted sample reads them too)."""
    running.orgs["mattermost"] = {"jesse": False, "mattermod": True}
    running.add_repo(MM, labels=CURRENT)
    running.add_repo(FOCAL, labels=OLD)
    add, comment = running.add_issue, running.add_comment
    bot = {"author": "mattermod", "association": "MEMBER"}
    add(
        MM,
        501,
        "Channel header: render emoji shortcodes",
        created="2026-11-25T09:00:00Z",
        labels=("Help Wanted", "Up For Grabs"),
        body=CURRENT_BODY,
        **bot,
    )
    add(
        MM,
        509,
        "Typed API client for plugins",
        created="2026-11-26T08:00:00Z",
        labels=("Help Wanted", "Up For Grabs"),
        body="Difficulty: Hard\nTech: TypeScript" + FOOTER.format(key=7),
        **bot,
    )
    add(
        MM,
        502,
        "Websocket reconnect backoff",
        created="2026-11-24T09:00:00Z",
        labels=DONE,
        body="Difficulty: Medium" + FOOTER.format(key=2),
        **bot,
    )
    comment(MM, 502, author="dev2", created="2026-11-25T10:00:00Z", body="Where is the websocket code? @all")
    add(
        MM,
        503,
        "Sort the emoji picker",
        created="2026-10-01T09:00:00Z",
        labels=(*DONE, "Up For Grabs"),
        body=FOOTER.format(key=3),
        **bot,
    )
    comment(MM, 503, author="dev3", created="2026-10-02T09:00:00Z", body="Hi, I'd like to work on this!")
    comment(
        MM,
        503,
        author="hanna",
        created="2026-10-03T09:00:00Z",
        body="Sure, go ahead!",
        association="CONTRIBUTOR",
    )
    add(
        MM,
        504,
        "Export channel members",
        created="2026-09-01T09:00:00Z",
        labels=DONE,
        body=FOOTER.format(key=4),
        assignees=("dev4",),
        **bot,
    )
    add(
        MM,
        505,
        "Mute a thread from the email",
        created="2026-09-01T09:00:00Z",
        labels=DONE,
        body=FOOTER.format(key=5),
        **bot,
    )
    comment(
        MM,
        505,
        author="jesse",
        created="2026-10-10T09:00:00Z",
        body="Any update on your PR?",
        association="MEMBER",
    )
    add(
        MM,
        600,
        "Mute threads from emails (fixes #505)",
        author="dev5",
        created="2026-10-05T09:00:00Z",
        pull=True,
        association="CONTRIBUTOR",
    )
    running.cross_reference(MM, 505, source=(MM, 600), created="2026-10-05T09:00:00Z")
    add(
        MM,
        506,
        "Keyboard shortcut for threads",
        created="2026-09-01T09:00:00Z",
        labels=DONE,
        body=FOOTER.format(key=6),
        **bot,
    )
    comment(MM, 506, author="dev6", created="2026-11-01T09:00:00Z", body="Can I take this one?")
    comment(
        MM,
        506,
        author="mattermod",
        created="2026-11-02T09:00:00Z",
        body="Reminder: this is Help Wanted",
        author_type="Bot",
    )
    add(
        MM,
        507,
        "A pull that carries the label",
        author="dev7",
        created="2026-11-25T09:00:00Z",
        pull=True,
        labels=("Help Wanted",),
    )
    add(
        MM,
        508,
        "Docs for the new API",
        created="2026-09-01T09:00:00Z",
        labels=DONE,
        body=FOOTER.format(key=8),
        **bot,
    )
    comment(
        MM,
        508,
        author="hanna",
        created="2026-09-02T09:00:00Z",
        body="Anyone who'd like to work on this, comment here!",
    )
    add(MM, 510, "Not Help Wanted", author="dev8", created="2026-11-01T09:00:00Z")
    add(
        FOCAL,
        11,
        "[Help Wanted] [MM-12466] Add a board template",
        created="2026-11-23T09:00:00Z",
        labels=("help wanted", "up for grabs"),
        body=OLD_BODY,
        **bot,
    )


def run_json(run_cli, *args: str) -> list[dict]:
    code, out, err = run_cli("helpwanted", "--format", "json", *args)
    assert (code, err) == (0, "")
    return json.loads(out)["items"]


def rows(items: list[dict]) -> list[tuple]:
    return [
        (i["list"], i["repo"], i["number"], i["waiting_on"], i["contributor"], i["reason"]) for i in items
    ]


def test_the_three_lists(fake: FakeGitHub, run_cli):
    items = run_json(run_cli)
    assert rows(items) == [
        (
            "labels",
            FOCAL,
            11,
            "us",
            None,
            "no difficulty or technology label: add Difficulty: Introductory, Go, ReactJS",
        ),
        (
            "labels",
            MM,
            501,
            "us",
            None,
            "no difficulty or technology label: add Difficulty/1:Easy, Tech/Go; "
            f'technology "Python": {MM} has no label for it',
        ),
        (
            "labels",
            MM,
            509,
            "us",
            None,
            "no difficulty or technology label: add Difficulty/3:Hard, Tech/TypeScript",
        ),
        ("questions", MM, 506, "us", "dev6", "dev6 offered to take it; nobody from the team has replied"),
        ("questions", MM, 502, "us", "dev2", "dev2 asked; nobody from the team has replied"),
        (
            "follow_up",
            MM,
            504,
            "author",
            "dev4",
            "dev4 claimed it (assigned); not a word on the issue for 86 days",
        ),
        (
            "follow_up",
            MM,
            503,
            "author",
            "dev3",
            "dev3 claimed it (a comment); the team spoke last, 54 days ago; "
            "still Up For Grabs though dev3 claimed it (a comment)",
        ),
        (
            "follow_up",
            MM,
            505,
            "author",
            "dev5",
            "dev5 claimed it (an open pull); the team spoke last, 47 days ago",
        ),
        (
            "follow_up",
            MM,
            506,
            "us",
            "dev6",
            "dev6 spoke last, 25 days ago, and nobody from the team answered",
        ),
    ]
    assert items[1] == {
        "source": "github",
        "url": f"https://github.com/{MM}/issues/501",
        "title": "Channel header: render emoji shortcodes",
        "author": "mattermod",
        "created_at": "2026-11-25T09:00:00Z",
        "last_activity_at": "2026-11-25T09:00:00Z",
        "days_idle": 1,
        "reason": rows(items)[1][5],
        "repo": MM,
        "number": 501,
        "kind": "issue",
        "labels": ["Help Wanted", "Up For Grabs"],
        "waiting_on": "us",
        "list": "labels",
        "add_labels": ["Difficulty/1:Easy", "Tech/Go"],
        "problems": [f'technology "Python": {MM} has no label for it'],
        "contributor": None,
        "assignees": [],
    }
    question = items[4]
    assert question["url"].startswith(f"https://github.com/{MM}/issues/502#issuecomment-")
    assert (question["created_at"], question["last_activity_at"]) == (
        "2026-11-24T09:00:00Z",
        "2026-11-25T10:00:00Z",
    )
    assert [r.method for r in fake.requests if r.method != "GET"] == []  # without --apply, nothing is written


def test_since_and_follow_up_days_narrow_the_lists(fake: FakeGitHub, run_cli):
    items = run_json(run_cli, "--since", "2026-11-25", "--follow-up-days", "50", "--repo", MM)
    assert [(i["list"], i["number"]) for i in items] == [
        ("labels", 501),
        ("labels", 509),
        ("questions", 506),
        ("questions", 502),
        ("follow_up", 504),
        ("follow_up", 503),
    ]


def test_repos_yaml_sets_the_threshold_and_maps_words(fake: FakeGitHub, run_cli, write_config):
    write_config(repos=REPOS.rstrip(" ") + "      follow_up_days: 60\n      label_map: {python: Type/Bug}\n")
    items = run_json(run_cli)
    assert items[1]["add_labels"] == ["Difficulty/1:Easy", "Tech/Go", "Type/Bug"]
    assert [i["number"] for i in items if i["list"] == "follow_up"] == [504, 503]


def test_apply_adds_only_the_repo_s_labels_once(fake: FakeGitHub, run_cli):
    before = {name: list(fake.repo(name).labels) for name in (MM, FOCAL)}
    code, out, err = run_cli("helpwanted", "--apply", "--format", "json")
    assert code == 0
    assert err.splitlines() == [
        f"{FOCAL}#11: added Difficulty: Introductory, Go, ReactJS",
        f"{MM}#501: added Difficulty/1:Easy, Tech/Go",
        f"{MM}#509: added Difficulty/3:Hard, Tech/TypeScript",
    ]
    posts = [(r.path) for r in fake.requests if r.method == "POST"]
    assert sorted(posts) == [
        f"/repos/{FOCAL}/issues/11/labels",
        f"/repos/{MM}/issues/501/labels",
        f"/repos/{MM}/issues/509/labels",
    ]
    assert {name: fake.repo(name).labels for name in (MM, FOCAL)} == before  # nothing made up
    assert fake.repo(MM).issues[501].labels == ("Help Wanted", "Up For Grabs", "Difficulty/1:Easy", "Tech/Go")
    items = json.loads(out)["items"]
    assert [(i["number"], i["applied"]) for i in items[:3]] == [
        (11, ["Difficulty: Introductory", "Go", "ReactJS"]),
        (501, ["Difficulty/1:Easy", "Tech/Go"]),
        (509, ["Difficulty/3:Hard", "Tech/TypeScript"]),
    ]
    assert items[1]["labels"] == ["Help Wanted", "Up For Grabs", "Difficulty/1:Easy", "Tech/Go"]
    assert all(i["applied"] == [] for i in items[3:])

    fake.reset_log()
    code, out, err = run_cli("helpwanted", "--apply", "--format", "json")
    assert (code, err) == (
        0,
        "--apply: nothing to add; every listed issue already carries the labels its text "
        "names (or names none this repo has)\n",
    )
    assert [r for r in fake.requests if r.method == "POST"] == []
    assert [i["list"] for i in json.loads(out)["items"]].count("labels") == 0


def test_apply_leaves_alone_what_either_snooze_file_hides(fake: FakeGitHub, run_cli, write_config):
    assert run_cli("snooze", f"https://github.com/{FOCAL}/issues/11", "--until", "3d")[0] == 0  # local
    (write_config() / "snoozes.yaml").write_text(  # the team's file
        f'- url: "https://github.com/{MM}/issues/501"\n  until: 2026-12-31\n  by: ""\n  reason: ""\n')
    code, out, err = run_cli("helpwanted", "--apply", "--format", "json")
    assert (code, err.splitlines()) == (0, [f"{MM}#509: added Difficulty/3:Hard, Tech/TypeScript"])
    assert [r.path for r in fake.requests if r.method == "POST"] == [f"/repos/{MM}/issues/509/labels"]
    assert [i["number"] for i in json.loads(out)["items"] if i["applied"]] == [509]


def test_apply_asks_at_the_keyboard_and_no_changes_nothing(fake: FakeGitHub, run_cli, monkeypatch):
    class Keyboard(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Keyboard("n\n"))
    code, _, err = run_cli("helpwanted", "--apply", "--format", "json")
    assert code == 0
    assert err == (
        f"{FOCAL}#11: add Difficulty: Introductory, Go, ReactJS\n{MM}#501: add Difficulty/1:Easy, "
        f"Tech/Go\n{MM}#509: add Difficulty/3:Hard, Tech/TypeScript\nAdd these labels to 3 issues? "
        "[y/N]: --apply: nothing added\n"
    )
    assert [r for r in fake.requests if r.method == "POST"] == []
    monkeypatch.setattr(sys, "stdin", Keyboard("y\n"))
    code, _out, err = run_cli("helpwanted", "--apply", "--format", "json")
    assert code == 0 and err.endswith(f"{MM}#509: added Difficulty/3:Hard, Tech/TypeScript\n")


def test_a_token_that_may_not_write_gets_one_line_per_repo(fake: FakeGitHub, run_cli):
    fake.read_only = True
    code, out, err = run_cli("helpwanted", "--apply", "--yes", "--format", "json")
    assert code == 1
    assert err.splitlines() == [
        f"cmtriage: error: github: cannot add labels to {FOCAL}: this token may not write to it",
        f"cmtriage: error: github: cannot add labels to {MM}: this token may not write to it",
    ]
    report = json.loads(out)
    assert len(report["items"]) == 9 and all(i["applied"] == [] for i in report["items"])
    assert report["errors"] == [
        {"source": "github", "message": f"cannot add labels to {FOCAL}: this token may not write to it"},
        {"source": "github", "message": f"cannot add labels to {MM}: this token may not write to it"},
    ]
    # the first refusal in a repo is the last try there
    assert sorted(r.path for r in fake.requests if r.method == "POST") == [
        f"/repos/{FOCAL}/issues/11/labels",
        f"/repos/{MM}/issues/501/labels",
    ]
    assert fake.repo(MM).issues[501].labels == ("Help Wanted", "Up For Grabs")


def test_without_a_token_apply_says_what_to_set(fake: FakeGitHub, run_cli, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN")
    code, _out, err = run_cli("helpwanted", "--apply", "--yes", "--repo", FOCAL, "--format", "json")
    assert code == 1
    assert err == (
        f"cmtriage: error: github: cannot add labels to {FOCAL}: no token; set GITHUB_TOKEN (or "
        "GH_TOKEN) to a token that may write to it\n"
    )


def test_the_cost_cold_and_warm(fake: FakeGitHub, run_cli):
    run_json(run_cli)
    asked = sorted(r.path for r in fake.requests)
    assert asked == sorted(
        [
            f"/repos/{MM}",
            f"/repos/{FOCAL}",
            "/orgs/mattermost/members",
            f"/repos/{MM}/issues",
            f"/repos/{FOCAL}/issues",
            f"/repos/{MM}/labels",
            f"/repos/{FOCAL}/labels",
            # comments of the issues that have any
            *(f"/repos/{MM}/issues/{n}/comments" for n in (502, 503, 505, 506, 508)),
            # timelines where a pull could change the answer: unclaimed and Up For Grabs or quiet
            *(f"/repos/{MM}/issues/{n}/timeline" for n in (501, 505, 508, 509)),
            f"/repos/{FOCAL}/issues/11/timeline",
        ]
    )
    fake.reset_log()
    run_json(run_cli)  # the same day, nothing moved: only conditional requests for lists, all unchanged
    assert sorted(r.path for r in fake.requests) == sorted(
        [
            f"/repos/{MM}",
            f"/repos/{FOCAL}",
            "/orgs/mattermost/members",
            f"/repos/{MM}/issues",
            f"/repos/{FOCAL}/issues",
            f"/repos/{MM}/labels",
            f"/repos/{FOCAL}/labels",
        ]
    )
    assert fake.billed() == 0


def test_a_new_comment_costs_its_issue_s_pages_only(fake: FakeGitHub, run_cli):
    run_json(run_cli)
    fake.add_comment(MM, 502, author="hanna", created="2026-11-26T12:00:00Z", body="In server/ws.go")
    fake.reset_log()
    items = run_json(run_cli)
    assert [i["number"] for i in items if i["list"] == "questions"] == [506]
    assert fake.billed() == 2  # the changed list page and 502's comments
    assert fake.count(f"/repos/{MM}/issues/502/comments") == 1


def test_a_renamed_repo_is_followed_with_a_warning(run_cli, monkeypatch, write_config):
    with serve(FakeGitHub()) as running:
        setup(
            running,
            monkeypatch,
            write_config,
            REPOS.replace("mattermost/mattermost,", "mattermost/mattermost-server,"),
        )
        running.rename(MM, MM)  # keep the data under the new name
        running.old_names["mattermost/mattermost-server"] = running.repo(MM).id
        code, out, err = run_cli("helpwanted", "--format", "json")
    assert code == 0
    assert err.endswith(
        "repos.yaml: helpwanted.repos: mattermost/mattermost-server was renamed to "
        "mattermost/mattermost on GitHub; put mattermost/mattermost in repos.yaml\n"
    )
    assert [i["repo"] for i in json.loads(out)["items"]].count(MM) == 8


def test_markdown_groups_the_lists_and_keeps_strangers_text_inert(fake: FakeGitHub, run_cli):
    fake.repo(MM).issues[502].title = "Reconnect @all | <b>now</b>"
    code, out, err = run_cli("helpwanted", "--format", "markdown")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "#### Help Wanted: 3 to label (opened since 2026-11-19), 2 questions, 4 to follow up"
    assert [line for line in lines if line.startswith("**")] == [
        "**labels**",
        "**questions**",
        "**follow_up**",
    ]
    row = next(line for line in lines if "/issues/502#" in line)
    assert (
        f"[Reconnect @{ZWSP}all \\| &lt;{ZWSP}b>now&lt;{ZWSP}/b>](https://github.com/{MM}/issues/502#" in row
    )


@pytest.mark.parametrize(
    ("args", "repos", "message"),
    [
        (("--yes",), REPOS, "cmtriage: error: --yes goes with --apply\n"),
        (("--repo", "nope"), REPOS, "cmtriage: error: --repo: expected OWNER/NAME, got 'nope'\n"),
        (
            (),
            "github: [{repo: mattermost/mattermost}]\n",
            "no helpwanted: repos to look at; add helpwanted: "
            "{repos: [OWNER/NAME]}, or pass --repo OWNER/NAME\n",
        ),
    ],
)
def test_usage_errors(run_cli, write_config, args, repos, message):
    write_config(repos=repos)
    code, out, err = run_cli("helpwanted", *args)
    assert (code, out) == (2, "") and err.endswith(message)


def test_the_digest_has_a_help_wanted_section_sharing_the_client(fake: FakeGitHub, run_cli, write_config):
    write_config(repos=REPOS.rstrip(" ") + "    github:\n      - repo: mattermost/mattermost\n")
    code, out, err = run_cli("digest", "--format", "json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    sections = [i["section"] for i in report["items"]]
    assert sections.count("helpwanted") == 9 and "stale" in sections
    assert fake.count(f"/repos/{MM}", status=200) - fake.count(f"/repos/{MM}/", status=200) == 1
    assert fake.count("/orgs/mattermost/members") == 1


def test_the_readme_s_helpwanted_example_is_valid_config(write_config):
    from pathlib import Path

    from cmtriage.config import load_repos

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("### cmtriage helpwanted\n")[1].split("```yaml\n")[1].split("```")[0]
    settings = load_repos(write_config(repos=example)).helpwanted
    assert (settings.label, settings.repos, settings.follow_up_days, settings.label_map) == (
        "Help Wanted",
        ("mattermost/mattermost",),
        14,
        (("Webapp", "Tech/ReactJS"), ("Beginner friendly", "Good First Issue")),
    )


# --- faults, paging, config -------------------------------------------------------------------------------
@pytest.fixture
def sleeps(fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        fake.advance(seconds)

    monkeypatch.setattr(source, "sleep", sleep)
    return waited


def test_apply_waits_out_a_secondary_limit_and_resends(fake: FakeGitHub, run_cli, sleeps):
    fake.secondary_limit(times=1, retry_after=3, where=f"/repos/{MM}/issues/501/labels")
    code, _, err = run_cli("helpwanted", "--apply", "--yes", "--repo", MM, "--format", "json")
    assert (code, sleeps) == (0, [3])
    assert err.splitlines() == [
        f"{MM}#501: added Difficulty/1:Easy, Tech/Go",
        f"{MM}#509: added Difficulty/3:Hard, Tech/TypeScript",
    ]
    assert [r.status for r in fake.requests if r.method == "POST"] == [403, 200, 200]


def test_apply_resends_after_a_5xx_and_names_the_issue_when_it_keeps_failing(
    fake: FakeGitHub, run_cli, sleeps
):
    fake.fail(times=4, status=502, where=f"/repos/{MM}/issues/501/labels")
    code, out, err = run_cli("helpwanted", "--apply", "--yes", "--repo", MM, "--format", "json")
    assert code == 1
    assert err.splitlines() == [
        f"{MM}#509: added Difficulty/3:Hard, Tech/TypeScript",
        f"cmtriage: error: github: {MM}#501: GitHub answered 502 4 times; try again later",
    ]
    assert sleeps == [0.5, 1.0, 2.0]
    items = json.loads(out)["items"]
    assert [(i["number"], i["applied"]) for i in items[:2]] == [
        (501, []),
        (509, ["Difficulty/3:Hard", "Tech/TypeScript"]),
    ]


def test_a_timeline_that_cannot_be_read_is_an_error_and_the_rest_is_listed(fake: FakeGitHub, run_cli, sleeps):
    fake.fail(times=4, status=502, where=f"/repos/{MM}/issues/505/timeline")
    code, out, err = run_cli("helpwanted", "--format", "json")
    assert code == 1
    assert err == f"cmtriage: error: github: {MM}#505: GitHub answered 502 4 times; try again later\n"
    items = json.loads(out)["items"]
    assert len(items) == 8 and 505 not in [i["number"] for i in items if i["list"] == "follow_up"]


def test_pages_of_labels_comments_and_timeline_are_all_read(fake: FakeGitHub, run_cli):
    repo = fake.repo(MM)
    repo.labels[:0] = [f"Area/Thing {n:03}" for n in range(150)]  # Tech/Go and the rest on page 2
    for n in range(120):
        fake.add_comment(
            MM,
            508,
            author="hanna" if n % 2 else "dev8",
            created=f"2026-10-01T{n // 60:02}:{n % 60:02}:00Z",
            body="more",
        )
    fake.add_comment(
        MM, 508, author="dev8", created="2026-11-20T09:00:00Z", body="Is there a design for this?"
    )
    for n in range(105):
        fake.add_issue(
            MM,
            700 + n,
            f"Mentions #508 ({n})",
            author="dev9",
            created="2026-10-01T09:00:00Z",
            pull=True,
            state="closed",
        )
        fake.cross_reference(MM, 508, source=(MM, 700 + n), created="2026-10-01T09:00:00Z")
    fake.add_issue(MM, 900, "Takes #508", author="dev8", created="2026-11-21T09:00:00Z", pull=True)
    fake.cross_reference(MM, 508, source=(MM, 900), created="2026-11-21T09:00:00Z")
    items = run_json(run_cli, "--follow-up-days", "3")
    assert items[1]["add_labels"] == ["Difficulty/1:Easy", "Tech/Go"]
    assert [(i["list"], i["contributor"], i["reason"]) for i in items if i["number"] == 508] == [
        ("questions", "dev8", "dev8 asked; no staff reply since"),
        ("follow_up", "dev8", "dev8 spoke last, 6 days ago, and nobody from the team answered"),
    ]
    assert fake.count(f"/repos/{MM}/issues/508/comments") == 2
    assert fake.count(f"/repositories/{repo.id}/issues/508/timeline") == 2  # pages 2 and 3, by their Links
    assert fake.count(f"/repositories/{repo.id}/labels") == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "label_map: {Webapp: Tech/ReactJS, webapp: Tech/Go}",
            'repos.yaml:3: helpwanted.label_map.webapp: "Webapp" is mapped already '
            "(keys are compared in any case)",
        ),
        (
            'label_map: {Webapp: " "}',
            'repos.yaml:3: helpwanted.label_map.Webapp: expected a non-empty string, got " "',
        ),
        ("label_map: [Tech/Go]", "repos.yaml:3: helpwanted.label_map: expected a mapping, got a list"),
    ],
)
def test_label_map_mistakes_are_config_errors(write_config, run_cli, text, message):
    write_config(repos=f"helpwanted:\n  repos: [mattermost/mattermost]\n  {text}\n")
    code, out, err = run_cli("config", "check")
    assert (code, out) == (2, "") and err.endswith(f"{message}\n"), err


def test_a_refused_token_fails_the_report_and_apply_sends_nothing(fake: FakeGitHub, run_cli, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_revoked")
    code, out, err = run_cli("helpwanted", "--apply", "--yes", "--format", "json")
    assert code == 1
    assert err == (
        "cmtriage: error: github: GitHub refused the token in GITHUB_TOKEN (401 Bad credentials): it may "
        "have expired or been revoked\n"
    )
    assert json.loads(out)["items"] == []
    assert [r for r in fake.requests if r.method == "POST"] == []

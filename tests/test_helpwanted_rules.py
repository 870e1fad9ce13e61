"""reports/helpwanted.py's rules over plain data: what a description names, the labels a repo has for it,
claims and thank-yous, and the three lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cmtriage.models import Comment, Issue
from cmtriage.reports import helpwanted as rules
from cmtriage.reports.helpwanted import LabelMap, Named
from cmtriage.sources.github import CrossReference, People

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
MM = "mattermost/mattermost"
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
)
OLD = (
    "Help Wanted",
    "Up for Grabs",
    "Difficulty: Introductory",
    "Difficulty: Intermediate",
    "Go",
    "ReactJS",
    "Redux",
)
LOWER = ("help wanted", "difficulty/1:easy", "difficulty/2:medium", "tech/go", "tech/reactjs")
PEOPLE = People.of(["hanna"], ["jesse"], ["mattermod"])


def names(body: str, repo_labels=CURRENT, label_map: LabelMap | None = None) -> tuple[list[str], list[str]]:
    mapped = rules.map_labels(rules.parse(body), MM, repo_labels, label_map or LabelMap())
    return list(mapped.add), list(mapped.problems)


NO_LABEL = f"{MM} has no label for it"
DESCRIPTIONS = [  # (id, body, repo labels, label_map, labels to add, problems)
    ("plain", "Difficulty: Easy\nLanguage: Go", CURRENT, (), ["Difficulty/1:Easy", "Tech/Go"], []),
    (
        "bold with the number",
        "**Difficulty:** 2:Medium\n**Language:** Go, React",
        CURRENT,
        (),
        ["Difficulty/2:Medium", "Tech/Go", "Tech/ReactJS"],
        [],
    ),
    (
        "any case",
        "difficulty: HARD\ntech: typescript",
        CURRENT,
        (),
        ["Difficulty/3:Hard", "Tech/TypeScript"],
        [],
    ),
    ("tech only", "Tech: TypeScript", CURRENT, (), ["Tech/TypeScript"], []),
    (
        "dashes and synonyms",
        "Difficulty - Intermediate\nLanguages - Golang",
        CURRENT,
        (),
        ["Difficulty/2:Medium", "Tech/Go"],
        [],
    ),
    (
        "table",
        "| Difficulty | Easy |\n| --- | --- |\n| Language | ReactJS |",
        CURRENT,
        (),
        ["Difficulty/1:Easy", "Tech/ReactJS"],
        [],
    ),
    (
        "headings, JS has no label",
        "### Difficulty\n\nBeginner\n\n### Language\n\nJS",
        CURRENT,
        (),
        ["Difficulty/1:Easy"],
        [f'technology "JS": {NO_LABEL}'],
    ),
    (
        "jira emphasis, parentheses",
        "*Difficulty:* 1:Easy\n*Tech:* Go (server), React (webapp)",
        CURRENT,
        (),
        ["Difficulty/1:Easy", "Tech/Go", "Tech/ReactJS"],
        [],
    ),
    (
        "two levels",
        "Difficulty: Easy/Medium\nLanguage: Go",
        CURRENT,
        (),
        ["Tech/Go"],
        ['difficulty "Easy/Medium" names more than one level (Easy, Medium, Hard)'],
    ),
    ("placeholders name nothing", "Difficulty: N/A\nLanguage: TBD", CURRENT, (), [], []),
    ("empty body", "", CURRENT, (), [], []),
    (
        "a language the repo lacks",
        "Difficulty: Easy\nLanguage: Python",
        CURRENT,
        (),
        ["Difficulty/1:Easy"],
        [f'technology "Python": {NO_LABEL}'],
    ),
    (
        "an unknown level",
        "Difficulty: Tricky",
        CURRENT,
        (),
        [],
        ['difficulty "Tricky" names no level (Easy, Medium, Hard)'],
    ),
    (
        "quoted, Redux on a current repo",
        "> **Difficulty**: Medium\n> **Technology**: Redux",
        CURRENT,
        (),
        ["Difficulty/2:Medium"],
        [f'technology "Redux": {NO_LABEL}'],
    ),
    (
        "quoted, Redux on an old repo",
        "> **Difficulty**: Medium\n> **Technology**: Redux",
        OLD,
        (),
        ["Difficulty: Intermediate", "Redux"],
        [],
    ),
    (
        "label names written out",
        "Difficulty: Difficulty/1:Easy\nTech: Tech/Go",
        CURRENT,
        (),
        ["Difficulty/1:Easy", "Tech/Go"],
        [],
    ),
    (
        "level and stack",
        "Difficulty level: Advanced\nTech stack: Golang and TypeScript",
        CURRENT,
        (),
        ["Difficulty/3:Hard", "Tech/Go", "Tech/TypeScript"],
        [],
    ),
    (
        "jira headings",
        "h3. Difficulty\nEasy\nh3. Language\nReact.js",
        CURRENT,
        (),
        ["Difficulty/1:Easy", "Tech/ReactJS"],
        [],
    ),
    (
        "list with a digit and code",
        "- Difficulty: 3\n- Language: `Go`",
        CURRENT,
        (),
        ["Difficulty/3:Hard", "Tech/Go"],
        [],
    ),
    ("prose names nothing", "The difficulty of this is easy and it uses Go.", CURRENT, (), [], []),
    (
        "slashes",
        "Difficulty: Easy\n\nLanguage: React/Redux/TypeScript",
        CURRENT,
        (),
        ["Difficulty/1:Easy", "Tech/ReactJS", "Tech/TypeScript"],
        [f'technology "Redux": {NO_LABEL}'],
    ),
    (
        "shouting old words",
        "DIFFICULTY: introductory\nLANGUAGE: GOLANG",
        CURRENT,
        (),
        ["Difficulty/1:Easy", "Tech/Go"],
        [],
    ),
    ("no spaces", "Difficulty:Easy\nLanguage:Go", CURRENT, (), ["Difficulty/1:Easy", "Tech/Go"], []),
    ("pipes between names", "Tech: Go | React", CURRENT, (), ["Tech/Go", "Tech/ReactJS"], []),
    (
        "remarks after the level",
        "**Difficulty**: Easy (a good first issue)\n**Languages**: JavaScript, TypeScript",
        CURRENT,
        (),
        ["Difficulty/1:Easy", "Tech/TypeScript"],
        [f'technology "JavaScript": {NO_LABEL}'],
    ),
    (
        "label_map",
        "Difficulty: Beginner friendly\nTech: Webapp",
        CURRENT,
        (("WEBAPP", "Tech/ReactJS"),),
        ["Difficulty/1:Easy", "Tech/ReactJS"],
        [],
    ),
    (
        "label_map to a label the repo lacks",
        "Tech: Webapp",
        CURRENT,
        (("webapp", "Tech/Web"),),
        [],
        [f'label_map gives "Tech/Web" for "Webapp": {MM} has no such label'],
    ),
    (
        "label_map for a level",
        "Difficulty: Starter-ish",
        CURRENT,
        (("starter-ish", "Good First Issue"),),
        ["Good First Issue"],
        [],
    ),
    (
        "old label names",
        "Difficulty: Easy\nLanguage: Go, React",
        OLD,
        (),
        ["Difficulty: Introductory", "Go", "ReactJS"],
        [],
    ),
    (
        "current names before old ones",
        "Difficulty: Easy\nLanguage: Go",
        (*OLD, *CURRENT),
        (),
        ["Difficulty/1:Easy", "Tech/Go"],
        [],
    ),
    (
        "the repo's own spelling",
        "Difficulty: Medium\nLanguage: ReactJS",
        LOWER,
        (),
        ["difficulty/2:medium", "tech/reactjs"],
        [],
    ),
    ("a level the repo lacks", "Difficulty: Hard", LOWER, (), [], [f'difficulty "Hard": {NO_LABEL}']),
]


@pytest.mark.parametrize(
    ("body", "repo_labels", "label_map", "add", "problems"),
    [d[1:] for d in DESCRIPTIONS],
    ids=[d[0] for d in DESCRIPTIONS],
)
def test_a_description_maps_onto_the_repo_s_own_labels(body, repo_labels, label_map, add, problems):
    assert names(body, repo_labels, LabelMap(label_map)) == (add, problems)
    assert set(add) <= set(repo_labels)  # never a label the repo lacks


def test_parse_keeps_what_was_written():
    assert rules.parse("**Difficulty:** 2:Medium\n**Language:** Go, React") == Named(
        ("2:Medium",), ("Go", "React")
    )
    assert rules.parse("Language: Go\nTech: Go, TypeScript") == Named((), ("Go", "TypeScript"))


@pytest.mark.parametrize(
    ("label", "level", "tech"),
    [
        ("Difficulty/1:Easy", 1, None),
        ("Difficulty/2:medium", 2, None),
        ("Difficulty: Introductory", 1, None),
        ("Difficulty: Intermediate", 2, None),
        ("Difficulty/3:Hard", 3, None),
        ("Tech/Go", None, "go"),
        ("Tech/ReactJS", None, "reactjs"),
        ("Go", None, "go"),
        ("ReactJS", None, "reactjs"),
        ("Redux", None, "redux"),
        ("Help Wanted", None, None),
        ("Good First Issue", None, None),
        ("Area/Go Server", None, None),
    ],
)
def test_which_labels_are_difficulty_and_technology_labels(label, level, tech):
    assert (rules.label_level(label), rules.label_tech(label)) == (level, tech)


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        (
            "text\n\n----\nIf you're interested please comment here and come "
            '[join our "Contributors" community channel]'
            "(https://community.mattermost.com/core/channels/tickets)\n\nJIRA: "
            "https://mattermost.atlassian.net/browse/MM-12345",
            [],
        ),
        (
            "If you’re interested please comment here and come join\n\n----\n\n**Notes**: [Jira ticket]"
            "(https://mattermost.atlassian.net/browse/MM-12466)",
            [],
        ),
        ("Only a description.", ["no Jira link", "no contributors' block"]),
        ("JIRA: https://mattermost.atlassian.net/browse/MM-1", ["no contributors' block"]),
    ],
)
def test_body_problems(body, problems):
    assert rules.problems_in(body) == problems


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("I'd like to work on this", True),
        ("Hi! Can I take this one?", True),
        ("could i work on this issue", True),
        ("I would love to tackle this.", True),
        ("Please assign this to me", True),
        ("assign me please", True),
        ("I’ll pick this up", True),
        ("I'm working on it, PR soon", True),
        ("I am interested in working on this", True),
        ("Let me give it a try", True),
        ("Is anyone working on this?", False),
        ("Where is the code for this?", False),
        ("Anyone who'd like to work on this, comment here", False),
        ("Thanks!", False),
    ],
)
def test_claims(text, claim):
    assert rules.is_claim(text) is claim


@pytest.mark.parametrize(
    ("text", "thanks"),
    [
        ("Thanks!", True),
        ("Thank you @hanna, that helps", True),
        ("thx", True),
        ("Got it, thanks 🙏", True),
        ("Thanks, but where is the test file?", False),
        ("Thanks! Can I take this one?", False),
        ("I still get the error after that change, thanks for looking", False),
        ("Where?", False),
        ("", False),
    ],
)
def test_bare_thank_yous(text, thanks):
    assert rules.is_thanks(text) is thanks


# --- the lists -------------------------------------------------------------------------------------------
FOOTER = (
    '\n\n----\nIf you\'re interested please comment here and come [join our "Contributors" community '
    "channel](https://community.mattermost.com/core/channels/tickets).\n\nJIRA: "
    "https://mattermost.atlassian.net/browse/MM-{n}"
)


def issue(
    number: int,
    *,
    created: datetime,
    labels=("Help Wanted", "Up For Grabs"),
    body: str | None = None,
    comments: int = 0,
    assignees=(),
    kind: str = "issue",
) -> Issue:
    return Issue(
        repo=MM,
        number=number,
        kind=kind,
        title=f"Issue {number}",
        body=body if body is not None else "Difficulty: Easy\nLanguage: Go" + FOOTER.format(n=number),
        url=f"https://github.com/{MM}/issues/{number}",
        author="mattermod",
        author_type="User",
        association="MEMBER",
        labels=tuple(labels),
        comments=comments,
        created_at=created,
        updated_at=created,
        assignees=tuple(assignees),
    )


def said(author: str, when: datetime, body: str = "a comment", *, staff: bool = False) -> Comment:
    return Comment(
        author=author,
        author_type="User",
        association="MEMBER" if staff else "NONE",
        created_at=when,
        body=body,
        url=f"https://github.com/{MM}/issues/1#issuecomment-{int(when.timestamp())}",
    )


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def build(issues, comments=None, references=None, *, repo_labels=CURRENT, follow_up_days=14):
    return rules.build(
        issues,
        comments=comments or {},
        references=references or {},
        repo_labels={MM: repo_labels},
        people=PEOPLE,
        now=NOW,
        since=days_ago(7),
        follow_up_days=follow_up_days,
    )


def rows(report):
    return [
        (i.extra["list"], i.extra["number"], i.extra["waiting_on"], i.extra["contributor"], i.reason)
        for i in report.items
    ]


def test_labels_lists_new_issues_lacking_labels_or_template_parts():
    report = build(
        [
            issue(1, created=days_ago(1)),
            issue(2, created=days_ago(2), labels=("Help Wanted", "Difficulty/1:Easy", "Tech/Go")),  # done
            issue(3, created=days_ago(3), labels=("Help Wanted", "Difficulty/1:Easy")),
            issue(4, created=days_ago(4), labels=("Help Wanted", "Difficulty/1:Easy", "Go"), body="Fix it."),
            issue(5, created=days_ago(8)),  # before --since
            issue(6, created=days_ago(1), kind="pull"),  # a pull is no Help Wanted issue
            issue(7, created=days_ago(2), body="Difficulty: Easy\nLanguage: Python" + FOOTER.format(n=7)),
        ]
    )
    assert rows(report) == [
        ("labels", 4, "us", None, "no Jira link; no contributors' block"),
        ("labels", 3, "us", None, "no technology label: add Tech/Go"),
        (
            "labels",
            7,
            "us",
            None,
            f'no difficulty or technology label: add Difficulty/1:Easy; technology "Python": {NO_LABEL}',
        ),
        ("labels", 1, "us", None, "no difficulty or technology label: add Difficulty/1:Easy, Tech/Go"),
    ]
    first = report.items[-1]
    assert (first.extra["add_labels"], first.extra["problems"]) == (["Difficulty/1:Easy", "Tech/Go"], [])
    assert report.title == "Help Wanted: 4 to label (opened since 2026-11-19), 0 questions, 0 to follow up"


def test_a_repo_whose_labels_could_not_be_read_gets_no_labels_proposed():
    report = rules.build(
        [issue(1, created=days_ago(1))],
        comments={},
        references={},
        repo_labels={},
        people=PEOPLE,
        now=NOW,
        since=days_ago(7),
        follow_up_days=14,
    )
    assert [(i.extra["add_labels"], i.reason) for i in report.items] == [
        ([], "no difficulty or technology label")
    ]


def test_questions_are_community_comments_after_the_team_s_last_word_oldest_first():
    old = days_ago(30)
    issues = [issue(n, created=old, comments=1) for n in range(1, 8)]
    comments = {
        (MM, 1): [said("dev1", days_ago(2), "Where is the config read?")],
        (MM, 2): [
            said("dev2", days_ago(5), "How do I test this?"),
            said("hanna", days_ago(4), "With make test."),
        ],
        (MM, 3): [
            said("dev3", days_ago(6), "Which file?"),
            said("jesse", days_ago(5), "server/app.go", staff=True),
            said("dev3", days_ago(4), "Thanks!"),
        ],
        (MM, 4): [said("dev4", days_ago(9), "Can I take this?"), said("mattermod", days_ago(8), "Assigned.")],
        (MM, 5): [
            said("dev5", days_ago(7), "Which file?"),
            said("hanna", days_ago(6), "app.go"),
            said("dev5", days_ago(3), "Thanks, and where are the tests?"),
            said("dev6", days_ago(1), "+1"),
        ],
        (MM, 6): [said("hanna", days_ago(3), "Anyone who'd like to work on this, comment here")],
        (MM, 7): [said("dev7", days_ago(1), "Thanks!")],  # no answer before it: a thank-you for what?
    }
    report = build(issues, comments)
    assert [r for r in rows(report) if r[0] == "questions"] == [
        ("questions", 4, "us", "dev4", "dev4 offered to take it; nobody from the team has replied"),
        ("questions", 5, "us", "dev5", "dev5 asked (2 comments); no staff reply since"),
        ("questions", 1, "us", "dev1", "dev1 asked; nobody from the team has replied"),
        ("questions", 7, "us", "dev7", "dev7 asked; nobody from the team has replied"),
    ]
    question = next(i for i in report.items if i.extra["number"] == 5)
    assert (question.url, question.last_activity_at, question.days_idle) == (
        comments[(MM, 5)][2].url,
        days_ago(1),
        1,
    )


def test_follow_up_both_ways_by_comment_assignee_and_pull():
    old = days_ago(60)
    pull = CrossReference(
        url="https://github.com/mattermost/mattermost/pull/900",
        author="dev3",
        author_type="User",
        association="CONTRIBUTOR",
        state="open",
        created_at=days_ago(40),
    )
    closed = CrossReference(
        url="https://github.com/mattermost/mattermost/pull/901",
        author="dev9",
        author_type="User",
        association="CONTRIBUTOR",
        state="closed",
        created_at=days_ago(40),
    )
    staff_pull = CrossReference(
        url="https://github.com/mattermost/mattermost/pull/902",
        author="jesse",
        author_type="User",
        association="MEMBER",
        state="open",
        created_at=days_ago(40),
    )
    issues = [
        issue(1, created=old, comments=2, labels=("Help Wanted",)),
        issue(2, created=old, comments=1, labels=("Help Wanted",)),
        issue(3, created=old, comments=1, labels=("Help Wanted",)),
        issue(4, created=old, labels=("Help Wanted",), assignees=("dev4",)),
        issue(5, created=old, labels=("Help Wanted",), assignees=("hanna",)),  # staff: no claim
        issue(6, created=old, labels=("Help Wanted", "Up For Grabs"), comments=2),
        issue(7, created=old, labels=("Help Wanted",)),
        issue(8, created=old, labels=("Help Wanted",)),
        issue(9, created=old, comments=2, labels=("Help Wanted",)),
    ]
    comments = {
        (MM, 1): [
            said("dev1", days_ago(30), "I'd like to work on this"),
            said("hanna", days_ago(20), "Go ahead!"),
        ],
        (MM, 2): [said("dev2", days_ago(20), "Can I take this? I'm stuck on the test")],
        (MM, 3): [said("hanna", days_ago(16), "How is it going?")],
        (MM, 6): [
            said("dev6", days_ago(3), "I'll take this"),
            said("hanna", days_ago(2), "Thanks, assigned"),
        ],
        (MM, 9): [
            said("dev9", days_ago(20), "I'd like to work on this"),
            said("hanna", days_ago(10), "Sure"),
        ],
    }
    references = {(MM, 3): [pull], (MM, 7): [closed], (MM, 8): [staff_pull]}
    report = build(issues, comments, references)
    assert [r for r in rows(report) if r[0] == "follow_up"] == [
        ("follow_up", 4, "author", "dev4", "dev4 claimed it (assigned); not a word on the issue for 60 days"),
        ("follow_up", 1, "author", "dev1", "dev1 claimed it (a comment); the team spoke last, 20 days ago"),
        ("follow_up", 2, "us", "dev2", "dev2 spoke last, 20 days ago, and nobody from the team answered"),
        (
            "follow_up",
            3,
            "author",
            "dev3",
            "dev3 claimed it (an open pull); the team spoke last, 16 days ago",
        ),
        ("follow_up", 6, "us", "dev6", "still Up For Grabs though dev6 claimed it (a comment)"),
    ]
    assert [r[1] for r in rows(report) if r[0] == "questions"] == [2]  # in both lists


def test_follow_up_is_more_than_the_threshold_exactly():
    issues = [issue(1, created=days_ago(60), comments=2, labels=("Help Wanted",))]
    for quiet, listed in ((timedelta(days=14), False), (timedelta(days=14, seconds=1), True)):
        comments = {
            (MM, 1): [said("dev1", days_ago(30), "can I work on this?"), said("hanna", NOW - quiet, "ok")]
        }
        assert bool(build(issues, comments).items) is listed


def test_an_issue_whose_comments_could_not_be_read_is_only_checked_for_labels():
    report = build([issue(1, created=days_ago(1), comments=3)], comments={})
    assert [r[0] for r in rows(report)] == ["labels"]


@pytest.mark.parametrize(
    ("labels", "last", "needed"),
    [
        (("Help Wanted", "Up For Grabs"), None, True),  # a pull would make it claimed: flag Up For Grabs
        (("Help Wanted",), None, True),  # quiet since it was opened 60 days ago
        (("Help Wanted",), ("hanna", 3), False),  # the team spoke 3 days ago: nothing a pull could change
        (("Help Wanted",), ("hanna", 20), True),
    ],
)
def test_the_timeline_is_read_only_where_a_pull_could_change_the_answer(labels, last, needed):
    item = issue(1, created=days_ago(60), labels=labels, comments=1 if last else 0)
    comments = [said(last[0], days_ago(last[1]), "hello")] if last else []
    assert rules.timeline_needed(item, comments, PEOPLE, now=NOW, follow_up_days=14) is needed
    claimed = [*comments, said("dev1", days_ago(50), "I'd like to work on this")]
    assert rules.timeline_needed(item, claimed, PEOPLE, now=NOW, follow_up_days=14) is False


def test_apply_sends_only_the_repo_s_labels_the_issue_lacks():
    report = build(
        [
            issue(1, created=days_ago(1), labels=("Help Wanted", "tech/go")),
            issue(
                2,
                created=days_ago(1),
                labels=("Help Wanted", "Difficulty/1:Easy", "Tech/Go"),
                body="no template",
            ),
        ]
    )
    assert rules.to_add(report.items, {MM: CURRENT}) == [(MM, 1, ["Difficulty/1:Easy"])]
    assert rules.to_add(report.items, {MM: ("Tech/Go",)}) == []  # the repo lost the label meanwhile
    done = rules.applied(report, {(MM, 1): ("Help Wanted", "tech/go", "Difficulty/1:Easy")})
    assert [(i.extra["applied"], i.extra["labels"]) for i in done.items] == [
        (["Difficulty/1:Easy"], ["Help Wanted", "tech/go", "Difficulty/1:Easy"]),
        ([], ["Help Wanted", "Difficulty/1:Easy", "Tech/Go"]),
    ]

"""reports/_issues.py: the row, order and notes that stale, new and helpwanted share."""

from __future__ import annotations

from datetime import UTC, datetime

from cmtriage.models import Issue, Item
from cmtriage.reports import helpwanted, new, stale
from cmtriage.reports._issues import DAY, NUMBER, REPO, TITLE, archived_notes, issue_item, repo_order

CREATED = datetime(2026, 11, 1, 9, tzinfo=UTC)
LAST = datetime(2026, 11, 10, 9, tzinfo=UTC)


def make(repo: str = "mattermost/mattermost", number: int = 7) -> Issue:
    return Issue(repo=repo, number=number, kind="issue", title="Push <b>fails</b>", body="", author="dana",
                 url=f"https://github.com/{repo}/issues/{number}", author_type="User",
                 association="NONE", labels=("Bug", "Help Wanted"), comments=2, created_at=CREATED,
                 updated_at=LAST)


def test_an_issue_row_with_the_report_keys_after_the_shared_ones_then_its_assignees() -> None:
    item = issue_item(make(), last=LAST, days_idle=3, reason="quiet", waiting_on="us",
                      post_type="bug", reply=None)
    assert item == Item(source="github", url="https://github.com/mattermost/mattermost/issues/7",
                        title="Push <b>fails</b>", author="dana", created_at=CREATED, last_activity_at=LAST,
                        days_idle=3, reason="quiet",
                        extra={"repo": "mattermost/mattermost", "number": 7, "kind": "issue",
                               "labels": ["Bug", "Help Wanted"], "waiting_on": "us", "post_type": "bug",
                               "reply": None, "assignees": []})
    assert list(item.extra) == ["repo", "number", "kind", "labels", "waiting_on", "post_type", "reply",
                                "assignees"]


def test_a_row_may_link_elsewhere_than_the_issue() -> None:
    comment = "https://github.com/mattermost/mattermost/issues/7#issuecomment-1"
    assert issue_item(make(), last=LAST, days_idle=0, reason="", waiting_on="us", url=comment).url == comment
    assert issue_item(make(), last=LAST, days_idle=0, reason="", waiting_on="us", url=None).url == \
        "https://github.com/mattermost/mattermost/issues/7"


def test_rows_of_one_moment_go_by_repo_case_aside_then_number() -> None:
    rows = [issue_item(make(repo, number), last=LAST, days_idle=0, reason="", waiting_on="us")
            for repo, number in (("b/x", 2), ("A/x", 10), ("a/x", 9), ("b/x", 1))]
    assert [(r.extra["repo"], r.extra["number"]) for r in sorted(rows, key=repo_order)] == \
        [("a/x", 9), ("A/x", 10), ("b/x", 1), ("b/x", 2)]


def test_the_github_reports_start_their_rows_alike() -> None:
    assert stale.COLUMNS[:2] == new.COLUMNS[:2] == helpwanted.COLUMNS[:2] == (REPO, NUMBER)
    assert TITLE in stale.COLUMNS and new.COLUMNS[2] == helpwanted.COLUMNS[2] == TITLE
    assert (TITLE.key, TITLE.header, TITLE.link) == ("title", "Title", "url")
    assert DAY.total_seconds() == 86400


def test_archived_notes() -> None:
    assert archived_notes(["mattermost/old"]) == (
        "mattermost/old is archived on GitHub: nothing there can be answered; take it out of repos.yaml.",)
    assert archived_notes([]) == ()


def test_counted_nouns_in_our_titles() -> None:
    from cmtriage.models import counted

    assert [counted(n, "forum question") for n in (0, 1, 2)] == \
        ["0 forum questions", "1 forum question", "2 forum questions"]
    assert counted(1000, "Zendesk ticket") == "1000 Zendesk tickets"  # no thousands separator: as before

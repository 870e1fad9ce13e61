"""What the reports on GitHub issues (stale, new, helpwanted, metrics) share: whose items they list, a
row's first columns, the row itself, the order of rows within a time, and the note on archived repos.
Not a report of its own."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cmtriage.models import Column, Issue, Item

if TYPE_CHECKING:
    from cmtriage.sources.github import People

DAY = timedelta(days=1)
REPO = Column("repo", "Repo")
NUMBER = Column("number", "#", numeric=True)
TITLE = Column("title", "Title", link="url")


def issue_item(issue: Issue, *, last: datetime, days_idle: int, reason: str, waiting_on: str,
               url: str | None = None, **extra: Any) -> Item:
    """An issue's row: its repo, number, kind, labels and who it waits on, the report's own `extra` keys,
    and its assignees (for --assignee); `last` is its last activity as the report counts it."""
    return Item(
        source="github", url=url or issue.url, title=issue.title, author=issue.author,
        created_at=issue.created_at, last_activity_at=last, days_idle=days_idle, reason=reason,
        extra={"repo": issue.repo, "number": issue.number, "kind": issue.kind, "labels": list(issue.labels),
               "waiting_on": waiting_on, **extra, "assignees": list(issue.assignees)},
    )


def is_community(issue: Issue, people: People) -> bool:
    """Whether the issue's author is of the community: neither staff nor a bot."""
    return not (people.is_staff(issue.author, issue.association)
                or people.is_bot(issue.author, issue.author_type))


def repo_order(item: Item) -> tuple[str, int]:
    """Rows of the same moment: by repo (case aside), then by number."""
    return item.extra["repo"].lower(), item.extra["number"]


def archived_notes(repos: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"{repo} is archived on GitHub: nothing there can be answered; take it out of repos.yaml."
                 for repo in repos)

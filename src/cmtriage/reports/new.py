"""The new-issues report: every issue the community opened in a window, with its post type and a reply.

The seed's channel 1: ops review each new issue and answer it by type. A bug report is reproduced, a
troubleshooting post is asked to move to the forum, a feature proposal to the feature-idea forum, a
question is answered. `classify` guesses the type (and says why), with the learned model when there is
one; the reply is that type's template from repos.yaml `replies:`, else the package default, addressed to
the issue's author.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from cmtriage.classify import BUG, FEATURE, QUESTION, TROUBLESHOOTING, Types, classify, reply_for
from cmtriage.clock import local_text
from cmtriage.models import Column, Issue, Item, Report, SourceError, counted
from cmtriage.reports._issues import (
    DAY,
    NUMBER,
    REPO,
    TITLE,
    archived_notes,
    is_community,
    issue_item,
    repo_order,
)
from cmtriage.reports.stale import last_human, last_human_activity, waiting_on
from cmtriage.sources.github import Activity, People

if TYPE_CHECKING:
    from cmtriage.learned import Model

NAME = "new"
COLUMNS = (
    REPO,
    NUMBER,
    TITLE,
    Column("author", "Author"),
    Column("post_type", "Type"),
    Column("type_reason", "Why"),
    Column("reply", "Reply", copy=True),
)
ACTIONS = {  # what the seed asks for each type
    BUG: "try to reproduce it, or ask a teammate to",
    TROUBLESHOOTING: "ask them to move it to the forum",
    FEATURE: "ask them to post it as a feature idea",
    QUESTION: "answer it, with a link to the docs",
}


def is_new(issue: Issue, people: People, since: datetime) -> bool:
    """An issue (not a pull) opened since `since` by someone who is neither staff nor a bot."""
    return issue.kind == "issue" and issue.created_at >= since and is_community(issue, people)


def needs_comments(activity: Activity, people: People, since: datetime) -> bool:
    """Whether a new issue of this repo has comments, whose authors decide `waiting_on`."""
    return any(is_new(issue, people, since) and issue.comments for issue in activity.issues)


def build(activities: Sequence[Activity], *, people: People, now: datetime, since: datetime,
          templates: Iterable[tuple[str, str]] = (), forum_url: str | None = None, mention: str | None = None,
          archived: Sequence[str] = (), errors: Sequence[SourceError] = (), types: Types | None = None,
          model: Model | None = None) -> Report:
    """Oldest first, so the list is answered in the order people asked. `types`: repos.yaml's post type ->
    label names; `model`: the learned one, when there is one (see classify)."""
    templates = tuple(templates)
    items = []
    for activity in activities:
        for issue in activity.issues:
            if not is_new(issue, people, since):
                continue
            last = last_human(activity.comments.get(issue.number, ()), people)
            # An issue with comments when none were asked for (since is None): who spoke last is unknown.
            unread = last is None and issue.comments and activity.since is None
            waiting = "unknown" if unread else waiting_on(last, people)
            last_activity = last_human_activity(issue.created_at, last)
            guess = classify(issue.title, issue.body, issue.labels, types=types, model=model)
            items.append(issue_item(
                issue, last=last_activity, days_idle=(now - last_activity) // DAY,
                reason=f"{guess.post_type}: {ACTIONS[guess.post_type]}", waiting_on=waiting,
                post_type=guess.post_type, type_reason=guess.reason,
                reply=reply_for(guess.post_type, templates, author=issue.author, forum_url=forum_url),
            ))
    items.sort(key=lambda item: (item.created_at, *repo_order(item)))

    def titled(shown: Sequence[Item]) -> str:
        return f"{counted(len(shown), 'new GitHub issue')} since {local_text(since)}"

    return Report(
        name=NAME,
        title=titled(items),
        titled=titled,
        columns=COLUMNS,
        items=tuple(items),
        generated_at=now,
        errors=tuple(errors),
        mention=mention,
        group_by="repo",
        notes=archived_notes(archived),
        empty_message="No new community issues.",
    )

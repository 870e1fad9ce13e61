"""The stale report: community issues and pulls nobody has answered for a while (the seed's channel 3).

An open item of a watched kind is listed when its author is not staff or a bot and its last human
activity is older than its repo's threshold. Last human activity is the latest of its creation and its
comments by accounts that are not bots: a bot's comment or a label change moves GitHub's `updated_at`
but must not hide an item. (`activity="updated"` takes `updated_at` instead: cheaper, coarser.)

What each item needs, cheapest first (sources/github.py fetches only what `history_needed` names):
- no comments at all: nothing more; nobody has replied;
- a human comment among those made in the window (the repo-wide `comments?since=` list): that is the last
  human comment, since every older comment came before it;
- every comment in the window and all of them bots': nobody has replied;
- otherwise, if it was created inside the threshold it is not stale whatever came before; if not, only
  its own comments say who spoke last and when: `history_needed` lists it.

`waiting_on` is `author` when staff spoke last, else `us` (nobody replied, or the community spoke last),
`unknown` when the item's comments could not be read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cmtriage.models import Column, Comment, Issue, Item, Report, SourceError
from cmtriage.sources.github import Activity, People

NAME = "stale"
HUMAN, UPDATED = "human", "updated"
ACTIVITIES = (HUMAN, UPDATED)
COLUMNS = (
    Column("repo", "Repo"),
    Column("number", "#", numeric=True),
    Column("kind", "Kind"),
    Column("title", "Title", link="url"),
    Column("author", "Author"),
    Column("days_idle", "Days idle", numeric=True),
    Column("waiting_on", "Waiting on"),
    Column("labels", "Labels"),
)
_DAY = timedelta(days=1)

# (canonical repo, kind) -> days without human activity after which an item is listed
Thresholds = Mapping[tuple[str, str], int]


@dataclass(frozen=True)
class _Unread:
    """An item whose own comments are needed and not at hand (not fetched, or failed to)."""


def _candidates(activities: Sequence[Activity], people: People, thresholds: Thresholds
                ) -> Iterator[tuple[Activity, Issue, timedelta]]:
    """Watched community items, each with its repo's threshold."""
    for activity in activities:
        for issue in activity.issues:
            days = thresholds.get((activity.repo.name, issue.kind))
            if days is None or people.is_staff(issue.author, issue.association) \
                    or people.is_bot(issue.author, issue.author_type):
                continue
            yield activity, issue, timedelta(days=days)


def _last_human(activity: Activity, issue: Issue, people: People, mode: str,
                history: Mapping[tuple[str, int], Comment | Exception | None]) -> Comment | _Unread | None:
    if issue.comments == 0:
        return None
    if mode == HUMAN and activity.since is not None:
        recent = activity.comments.get(issue.number, ())
        humans = [c for c in recent if people.is_human(c)]
        if humans:
            return humans[-1]
        if len(recent) >= issue.comments:
            return None
    key = (issue.repo, issue.number)
    if key not in history:
        return _Unread()
    found = history[key]
    return _Unread() if isinstance(found, Exception) else found


def _last_activity(activity: Activity, issue: Issue, last: Comment | _Unread | None, mode: str) -> datetime:
    if mode == UPDATED:
        return issue.updated_at
    if isinstance(last, _Unread):
        # No human comment in the window, the rest unread: the last human activity came before both
        # updated_at and the window's start, so the days idle shown are a floor.
        bound = min(issue.updated_at, activity.since) if activity.since else issue.updated_at
        return max(issue.created_at, bound)
    return max(issue.created_at, last.created_at) if last else issue.created_at


def history_needed(activities: Sequence[Activity], *, people: People, now: datetime, thresholds: Thresholds,
                   activity: str = HUMAN) -> list[Issue]:
    """The items whose own comments the report needs: stale ones whose last human comment is not known."""
    wanted = []
    for found, issue, threshold in _candidates(activities, people, thresholds):
        last = _last_human(found, issue, people, activity, {})
        if not isinstance(last, _Unread):
            continue
        start = issue.updated_at if activity == UPDATED else issue.created_at
        if start < now - threshold:
            wanted.append(issue)
    return wanted


def _reason(issue: Issue, last: Comment | _Unread | None, people: People, bumped: bool) -> tuple[str, str]:
    """(waiting_on, reason)."""
    if isinstance(last, _Unread):
        return "unknown", "its comments could not be read"
    if last is None:
        waiting, reason = "us", "only bots replied" if issue.comments else "no replies"
    elif people.is_staff(last.author, last.association):
        waiting, reason = "author", "the team replied last"
    elif last.author.lower() == issue.author.lower():
        waiting, reason = "us", "the author wrote last"
    else:
        waiting, reason = "us", "the community replied last"
    if bumped and not (last is None and issue.comments):  # "only bots replied" says it already
        reason += " (since then: bots or label changes only)"
    return waiting, reason


def build(activities: Sequence[Activity], history: Mapping[tuple[str, int], Comment | Exception | None], *,
          people: People, now: datetime, thresholds: Thresholds, activity: str = HUMAN,
          mention: str | None = None, archived: Sequence[str] = (), errors: Sequence[SourceError] = (),
          days: int = 7) -> Report:
    """The report from what the source fetched; `history` holds the last human comment (or the failure
    to read it) of each item `history_needed` named. `days` is the threshold to name when no repo
    could be read."""
    items = []
    for found, issue, threshold in _candidates(activities, people, thresholds):
        last = _last_human(found, issue, people, activity, history)
        last_activity = _last_activity(found, issue, last, activity)
        if last_activity >= now - threshold:
            continue
        bumped = activity == HUMAN and issue.updated_at >= now - threshold
        waiting_on, reason = _reason(issue, last, people, bumped)
        items.append(Item(
            source="github", url=issue.url, title=issue.title, author=issue.author,
            created_at=issue.created_at, last_activity_at=last_activity,
            days_idle=(now - last_activity) // _DAY, reason=reason,
            extra={"repo": issue.repo, "number": issue.number, "kind": issue.kind,
                   "labels": list(issue.labels), "waiting_on": waiting_on},
        ))
    items.sort(key=lambda item: (-item.days_idle, item.extra["repo"].lower(), item.extra["number"]))
    days = min(thresholds.values(), default=days)
    kinds = {kind for _, kind in thresholds}
    return Report(
        name=NAME,
        title=_title(items, kinds, days),
        titled=lambda shown: _title(shown, kinds, days),
        columns=COLUMNS,
        items=tuple(items),
        generated_at=now,
        errors=tuple(errors),
        mention=mention,
        group_by="repo",
        notes=_notes(thresholds, days, activity, archived),
        empty_message=f"Nothing has waited {days}+ days for a reply.",
    )


def _title(items: Sequence[Item], kinds: set[str], days: int) -> str:
    count = len(items)
    if count == 1:
        noun = "issue" if items[0].extra["kind"] == "issue" else "pull"
    else:
        noun = {frozenset({"issue"}): "issues", frozenset({"pull"}): "pulls"}.get(frozenset(kinds),
                                                                               "issues and pulls")
    return f"{count} GitHub {noun} with no activity for {days}+ days"


def _notes(thresholds: Thresholds, days: int, activity: str, archived: Sequence[str]) -> tuple[str, ...]:
    notes = []
    own = [f"{repo} {kind}s {limit}+ days" for (repo, kind), limit in thresholds.items() if limit != days]
    if own:
        notes.append("Thresholds of their own: " + ", ".join(own) + ".")
    if activity == UPDATED:
        notes.append("Activity is GitHub's updated_at here: a bot's comment or a label change counts too.")
    return (*notes, *archived_notes(archived))


def archived_notes(repos: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"{repo} is archived on GitHub: nothing there can be answered; take it out of repos.yaml."
                 for repo in repos)

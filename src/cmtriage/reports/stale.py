"""The stale report: community issues and pulls nobody has answered for a while (the seed's channel 3).

An open item of a watched kind is listed when its author is not staff or a bot and its last human
activity is older than its repo's threshold. Last human activity is the latest of its creation, its
comments and, on a pull, its submitted reviews (approvals, changes requested, review comments; not
PENDING drafts), by accounts that are not bots: a bot's comment or review or a label change moves
GitHub's `updated_at` but must not hide an item. (`measure="updated"`, from `--activity updated`, takes
`updated_at` instead: cheaper, coarser; it reads no reviews, and its `waiting_on` goes by comments alone.)

The rule itself is four small functions on plain data (`last_human`, `last_human_activity`, `is_stale`,
`waiting_on`); the rest is what it costs to know an item's last human comment. What each item needs,
cheapest first (`plan` decides it once per item; sources/github.py fetches only what it names):
- no comments at all: nothing more; nobody has replied;
- a human comment among those made in the window (the repo-wide `comments?since=` list): that is the last
  human comment, since every older comment came before it;
- every comment in the window and all of them bots': nobody has replied;
- otherwise, if it was created inside the threshold it is not stale whatever came before; if not, only
  its own comments say who spoke last and when: `plan` names it.
A pull whose creation and comments leave it past its threshold also needs its reviews (a review without
line comments shows nowhere else), unless its `updated_at` is no later than that last known activity: a
review would have moved it. So issues, and pulls that are answered or untouched, cost nothing more.

`waiting_on` is `author` when staff spoke or reviewed last, else `us` (nobody replied, or the community
spoke last: a review by a community member is no answer from the team), `unknown` when the item's
comments or reviews could not be read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cmtriage.models import Column, Comment, Issue, Item, Report, SourceError
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
from cmtriage.sources.github import Activity, Needed, People

NAME = "stale"
HUMAN, UPDATED = "human", "updated"
COLUMNS = (
    REPO,
    NUMBER,
    Column("kind", "Kind"),
    TITLE,
    Column("author", "Author"),
    Column("days_idle", "Days idle", numeric=True),
    Column("waiting_on", "Waiting on"),
    Column("labels", "Labels"),
)
# (canonical repo, kind) -> days without human activity after which an item is listed
Thresholds = Mapping[tuple[str, str], int]


@dataclass(frozen=True)
class _Unread:
    """An item whose own comments are needed and not at hand (not fetched, or failed to)."""


# --- the rule, on plain data ---------------------------------------------------------------------------
def last_human(events: Sequence[Comment], people: People) -> Comment | None:
    """The last comment or review, in time order, written by someone who is not a bot."""
    return next((event for event in reversed(events) if people.is_human(event)), None)


def last_human_activity(created_at: datetime, last: Comment | None) -> datetime:
    """When a human last acted on an item: its creation, or its last human comment or review."""
    return max(created_at, last.created_at) if last else created_at


def is_stale(last_activity: datetime, *, now: datetime, threshold: timedelta) -> bool:
    return last_activity < now - threshold


def waiting_on(last: Comment | None, people: People) -> str:
    """`author` when the team spoke last, else `us` (nobody but bots replied, or the author or another
    community member wrote last: a community member's review is no answer from the team)."""
    if last is not None and people.is_staff(last.author, last.association):
        return "author"
    return "us"


# --- what each item needs read, decided once per item ---------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A watched community item, what the repo's listings tell of its last human comment, and what more
    must be read to be sure (None: nothing)."""

    activity: Activity
    issue: Issue
    threshold: timedelta
    known: Comment | _Unread | None
    needed: Needed | None


@dataclass(frozen=True)
class Plan:
    candidates: tuple[Candidate, ...]
    measure: str  # HUMAN or UPDATED

    @property
    def needed(self) -> list[Needed]:
        """What sources/github.py must read before `build`."""
        return [c.needed for c in self.candidates if c.needed]


def _known(activity: Activity, issue: Issue, people: People, measure: str) -> Comment | _Unread | None:
    """The last human comment as far as the repo's listings tell."""
    if issue.comments == 0:
        return None
    if measure == HUMAN and activity.since is not None:
        recent = activity.comments.get(issue.number, ())
        found = last_human(recent, people)
        if found:
            return found
        if len(recent) >= issue.comments:
            return None
    return _Unread()


def _needed(issue: Issue, known: Comment | _Unread | None, measure: str, now: datetime,
            threshold: timedelta) -> Needed | None:
    """What more the item needs read, when it may be stale and the listings do not say for sure."""
    if measure == UPDATED:
        stale = is_stale(issue.updated_at, now=now, threshold=threshold)
        return Needed(issue) if stale and isinstance(known, _Unread) else None
    last = known.created_at if isinstance(known, Comment) else issue.created_at
    if not is_stale(last, now=now, threshold=threshold):
        return None
    reviews = issue.kind == "pull" and issue.updated_at > last
    comments = isinstance(known, _Unread)
    return Needed(issue, comments=comments, reviews=reviews) if comments or reviews else None


def plan(activities: Sequence[Activity], *, people: People, now: datetime, thresholds: Thresholds,
         measure: str = HUMAN) -> Plan:
    """Every watched community item with what the report needs read of it: the comments of those whose
    last human comment is not known, the reviews of pulls that something happened to since their last
    known human activity."""
    candidates = []
    for activity in activities:
        for issue in activity.issues:
            days = thresholds.get((activity.repo.name, issue.kind))
            if days is None or not is_community(issue, people):
                continue
            threshold = timedelta(days=days)
            known = _known(activity, issue, people, measure)
            candidates.append(Candidate(activity, issue, threshold, known,
                                        _needed(issue, known, measure, now, threshold)))
    return Plan(tuple(candidates), measure)


def _last_human(candidate: Candidate, history: Mapping[tuple[str, int], Comment | Exception | None]
                ) -> Comment | _Unread | None:
    known, needed, issue = candidate.known, candidate.needed, candidate.issue
    if needed is None:
        return known
    found = history.get((issue.repo, issue.number), _Unread())
    if isinstance(found, Exception | _Unread):
        return _Unread()
    if needed.comments:  # its own comments, read, supersede the window's
        return found
    if found is None or (known is not None and known.created_at > found.created_at):
        return known
    return found


def _last_activity(candidate: Candidate, last: Comment | _Unread | None, measure: str) -> datetime:
    issue, needed, since = candidate.issue, candidate.needed, candidate.activity.since
    if measure == UPDATED:
        return issue.updated_at
    if isinstance(last, _Unread):
        # No human comment in the window, the rest unread: the last human activity came before both
        # updated_at and the window's start, so the days idle shown are a floor. Unread reviews may be
        # as late as updated_at.
        window = since and not (needed and needed.reviews)
        bound = min(issue.updated_at, since) if window else issue.updated_at
        return max(issue.created_at, bound)
    return last_human_activity(issue.created_at, last)


def _reason(issue: Issue, last: Comment | _Unread | None, people: People, bumped: bool) -> tuple[str, str]:
    """(waiting_on, reason)."""
    if isinstance(last, _Unread):
        return "unknown", "its comments or reviews could not be read" if issue.kind == "pull" \
            else "its comments could not be read"
    replied = "reviewed" if last and last.review else "replied"
    waiting = waiting_on(last, people)
    if last is None:
        reason = "only bots replied" if issue.comments else "no replies"
    elif waiting == "author":
        reason = f"the team {replied} last"
    elif last.author.lower() == issue.author.lower():
        reason = "the author wrote last"
    else:
        reason = f"the community {replied} last"
    if bumped and not (last is None and issue.comments):  # "only bots replied" says it already
        reason += " (updated since, but by no human comment or review)"
    return waiting, reason


def build(planned: Plan, history: Mapping[tuple[str, int], Comment | Exception | None], *,
          people: People, now: datetime, thresholds: Thresholds, mention: str | None = None,
          archived: Sequence[str] = (), errors: Sequence[SourceError] = (), days: int = 7) -> Report:
    """The report from what the source fetched; `history` holds the last human comment or review (or the
    failure to read them) of each item the plan said was needed. `days` is --days: the title names it
    and the notes name the repos with a threshold of their own (the title names the shortest of those
    when every repo has its own)."""
    items = []
    measure = planned.measure
    for candidate in planned.candidates:
        issue, threshold = candidate.issue, candidate.threshold
        last = _last_human(candidate, history)
        last_activity = _last_activity(candidate, last, measure)
        if not is_stale(last_activity, now=now, threshold=threshold):
            continue
        bumped = measure == HUMAN and not is_stale(issue.updated_at, now=now, threshold=threshold)
        waiting, reason = _reason(issue, last, people, bumped)
        items.append(issue_item(issue, last=last_activity, days_idle=(now - last_activity) // DAY,
                                reason=reason, waiting_on=waiting))
    items.sort(key=lambda item: (-item.days_idle, *repo_order(item)))
    if days not in thresholds.values():  # every repo has its own: the title names the shortest
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
        notes=_notes(thresholds, days, measure, archived),
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


def _notes(thresholds: Thresholds, days: int, measure: str, archived: Sequence[str]) -> tuple[str, ...]:
    notes = []
    own = [f"{repo} {kind}s {limit}+ days" for (repo, kind), limit in thresholds.items() if limit != days]
    if own:
        notes.append("Thresholds of their own: " + ", ".join(own) + ".")
    if measure == UPDATED:
        notes.append("Activity is GitHub's updated_at here: a bot's comment or a label change counts too.")
    return (*notes, *archived_notes(archived))

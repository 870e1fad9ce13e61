"""The metrics report: how each rotation week went, per repo: community items opened, answered by the
team, closed, how long the team took to answer first, and how many were still waiting when it ended.

Weeks are the rotation's (rotation.yaml): seven local dates from its `week_starts` day, turning over at
local midnight in its time zone, so a DST week is 167 or 169 hours long; the week's person is who covered
it, an override's included. Without rotation.yaml weeks are Monday to Sunday in UTC and name nobody.

An item counts in the week it was opened (a cohort): of the community items (neither staff nor a bot
wrote them, of the kinds the repo is watched for) opened that week,
- `answered`: those the team has answered, whenever that came; the answer is the first comment by staff
  (as `stale` counts staff: OWNER, MEMBER, staff.logins, members of staff.orgs) that is neither a bot's
  nor the author's own; a community member's reply is no answer from the team. Pull reviews are not
  read: a pull answered by a review alone counts as unanswered;
- `closed`: those closed since, whenever;
- `first_response_median_hours` / `first_response_p90_hours`: hours from opening to that answer, over the
  answered ones (None when none was): the median (the mean of the two middle values of an even count)
  and the 90th percentile by the nearest-rank method (the smallest value at least 90% of them do not
  exceed: the ceil(0.9 n)-th smallest);
- `waiting_at_end`: those open at the week's end (now, for the week in progress) whose last human
  comment by then was not the team's (stale's `waiting_on` is `us`).
Each week has a row per repo and one for them all (`repo: "all"`), which pools the repos' items.

The trend column ("Trend") is a sparkline of the repo's weekly medians from the window's first week to
the row's, scaled to the repo's slowest week: the row of the last week shows the whole window.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from cmtriage.models import Column, Comment, Issue, Item, Report, SourceError
from cmtriage.reports._issues import archived_notes, is_community
from cmtriage.reports.stale import last_human, waiting_on
from cmtriage.sources.github import Activity, People

NAME = "metrics"
ALL = "all"
PERCENTILE = 90
BLOCKS = "▁▂▃▄▅▆▇█"
NO_ANSWER = "·"  # a week in which nothing was answered
COLUMNS = (  # one flat table, so that every CSV row says its week
    Column("week", "Week"),
    Column("on_duty", "On duty"),
    Column("repo", "Repo"),
    Column("opened", "Opened", numeric=True),
    Column("answered", "Answered", numeric=True),
    Column("closed", "Closed", numeric=True),
    Column("first_response_median_hours", "Median h", numeric=True),
    Column("first_response_p90_hours", "P90 h", numeric=True),
    Column("waiting_at_end", "Waiting", numeric=True),
    Column("trend", "Trend"),
)
_HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Week:
    start: dt.date  # its first local date
    begins: dt.datetime  # the instant it begins (local midnight)
    ends: dt.datetime  # the instant the next one begins
    on_duty: str | None  # who covered it (an override's person), by name


# --- the weeks -----------------------------------------------------------------------------------------
def weeks(rotation, now: dt.datetime, count: int, *, current: bool = True) -> list[Week]:
    """The `count` weeks up to the one holding `now` (included when `current`, else up to the one before
    it), oldest first; `rotation` is a RotationConfig, or None for Monday-to-Sunday UTC weeks."""
    from cmtriage import rotation as schedule
    from cmtriage.rotationfile import week_start

    zone = rotation.timezone if rotation else dt.UTC
    week_starts = rotation.week_starts if rotation else 0
    last = week_start(now.astimezone(zone).date(), week_starts) - dt.timedelta(days=0 if current else 7)
    starts = [last - dt.timedelta(days=7 * back) for back in range(count - 1, -1, -1)]
    people: dict[dt.date, str | None] = {}
    if rotation is not None:
        first = schedule.first_week(rotation)
        walked = schedule.weeks(rotation, max(starts[0], first)) if starts[-1] >= first else iter(())
        for week in walked:
            if week.start > starts[-1]:
                break
            people[week.start] = week.on_duty.name if week.on_duty else None

    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)

    return [Week(start, midnight(start), midnight(start + dt.timedelta(days=7)), people.get(start))
            for start in starts]


# --- the rule, on plain data ---------------------------------------------------------------------------
def first_response(author: str, comments: Sequence[Comment], people: People) -> Comment | None:
    """The team's first answer: the earliest comment by staff that is neither a bot's nor the author's."""
    return next((c for c in sorted(comments, key=lambda c: c.created_at)
                 if people.is_human(c) and people.is_staff(c.author, c.association)
                 and c.author.lower() != author.lower()), None)


def hours(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start) / _HOUR


def percentile(values: Sequence[float], percent: float = PERCENTILE) -> float | None:
    """Nearest rank: the ceil(percent/100 * n)-th smallest value (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]


def middle(values: Sequence[float]) -> float | None:
    """The median: the middle value, or the mean of the two middle ones (None for no values)."""
    return median(values) if values else None


def waiting_at(issue: Issue, comments: Sequence[Comment], people: People, moment: dt.datetime) -> bool:
    """Whether the item, open at `moment`, waited on the team then (stale's rule on the comments so far)."""
    if issue.created_at > moment or (issue.closed_at is not None and issue.closed_at <= moment):
        return False
    so_far = sorted((c for c in comments if c.created_at <= moment), key=lambda c: c.created_at)
    return waiting_on(last_human(so_far, people), people) == "us"


def sparkline(values: Sequence[float | None], top: float | None = None) -> str:
    """One block per value, its height in eighths of `top` (default: the largest); None is a dot."""
    known = [v for v in values if v is not None]
    top = top if top is not None else max(known, default=0.0)
    if top <= 0:
        return "".join(NO_ANSWER if v is None else BLOCKS[0] for v in values)
    return "".join(NO_ANSWER if v is None else
                   BLOCKS[min(len(BLOCKS) - 1, max(0, math.ceil(v / top * len(BLOCKS)) - 1))]
                   for v in values)


@dataclass(frozen=True)
class Tally:
    opened: int
    answered: int
    closed: int
    responses: tuple[float, ...]  # hours to the team's first answer, of the answered ones
    waiting_at_end: int

    @property
    def median(self) -> float | None:
        return _round(middle(self.responses))

    @property
    def p90(self) -> float | None:
        return _round(percentile(self.responses))


def tally(items: Sequence[tuple[Issue, Sequence[Comment]]], people: People, week: Week,
          now: dt.datetime) -> Tally:
    """The figures of one week for the community items (with their comments) given."""
    opened = [(i, c) for i, c in items if week.begins <= i.created_at < week.ends]
    responses = []
    for issue, comments in opened:
        answer = first_response(issue.author, comments, people)
        if answer is not None:
            responses.append(hours(issue.created_at, answer.created_at))
    end = min(week.ends, now)
    return Tally(
        opened=len(opened), answered=len(responses),
        closed=sum(1 for i, _ in opened if i.closed_at is not None),
        responses=tuple(responses),
        waiting_at_end=sum(1 for i, c in opened if waiting_at(i, c, people, end)),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- the report ----------------------------------------------------------------------------------------
def build(activities: Sequence[Activity], *, weeks: Sequence[Week], kinds: Mapping[str, frozenset[str]],
          people: People, now: dt.datetime, mention: str | None = None, shown: int | None = None,
          archived: Sequence[str] = (), errors: Sequence[SourceError] = (), zone: str = "UTC") -> Report:
    """Rows for every week and repo of `activities` (each repo's items since the first week began, with
    their comments since then), counting the kinds `kinds` names per canonical repo. `shown`: only the
    last that many weeks get rows (their trend still starts at the first week). `zone` names the
    weeks' time zone in the notes."""
    community: dict[str, list[tuple[Issue, Sequence[Comment]]]] = {}
    for activity in activities:
        wanted = kinds.get(activity.repo.name, frozenset())
        community[activity.repo.name] = [
            (issue, activity.comments.get(issue.number, ())) for issue in activity.issues
            if issue.kind in wanted and is_community(issue, people)]
    pooled = [pair for pairs in community.values() for pair in pairs]
    names = [*community, ALL]
    tallies = {(name, week.start): tally(pooled if name == ALL else community[name], people, week, now)
               for name in names for week in weeks}
    rows = []
    for position, week in enumerate(weeks):
        if shown is not None and position < len(weeks) - shown:
            continue
        for name in names:
            medians = [tallies[name, w.start].median for w in weeks]
            rows.append(_item(name, week, tallies[name, week.start], now,
                              sparkline(medians[:position + 1], max((m for m in medians if m), default=0))))
    shown_weeks = list(weeks[-shown:] if shown else weeks)
    return Report(
        name=NAME,
        title=_title(shown_weeks, tallies),
        columns=COLUMNS,
        items=tuple(rows),
        generated_at=now,
        errors=tuple(errors),
        mention=mention,
        notes=(f"Weeks turn over at local midnight ({zone}); items count in the week they were opened. "
               "Answered: by a first comment from staff, not a bot's or the author's, whenever it came "
               "(pull reviews are not read). Median h and P90 h (nearest rank): hours to that answer. "
               "Waiting: still waiting on the team at the week's end. Trend: the repo's weekly medians "
               "so far.", *archived_notes(archived)),
        empty_message="No repos to measure.",
    )


def _week_title(week: Week, now: dt.datetime) -> str:
    who = week.on_duty or "nobody on duty"
    return f"Week of {week.start} ({who}{', in progress' if week.ends > now else ''})"


def _item(repo: str, week: Week, figures: Tally, now: dt.datetime, trend: str) -> Item:
    median_text = "no answers" if figures.median is None else f"median first response {figures.median} h"
    reason = (f"{figures.opened} opened, {figures.answered} answered ({median_text}), {figures.closed} "
              f"closed, {figures.waiting_at_end} waiting at the end")
    return Item(
        source="github", url="", title=_week_title(week, now), author=week.on_duty or "",
        created_at=week.begins, last_activity_at=min(week.ends, now), days_idle=0, reason=reason,
        extra={"week": week.start, "on_duty": week.on_duty, "repo": repo, "opened": figures.opened,
               "answered": figures.answered, "closed": figures.closed,
               "first_response_median_hours": figures.median, "first_response_p90_hours": figures.p90,
               "waiting_at_end": figures.waiting_at_end, "trend": trend})


def _title(shown: Sequence[Week], tallies: Mapping[tuple[str, dt.date], Tally]) -> str:
    if not shown:
        return "Community response by rotation week"
    if len(shown) == 1:
        week = shown[0]
        figures = tallies.get((ALL, week.start))
        who = f"{week.on_duty}'s week" if week.on_duty else "The week"
        end = week.start + dt.timedelta(days=6)
        summary = ""
        if figures is not None:
            median_text = "" if figures.median is None else f", median first response {figures.median} h"
            summary = f": {figures.opened} opened, {figures.answered} answered{median_text}"
        return f"{who} of {week.start} – {end}{summary}"
    end = shown[-1].start + dt.timedelta(days=6)
    return f"Community response by rotation week, {shown[0].start} – {end} ({len(shown)} weeks)"

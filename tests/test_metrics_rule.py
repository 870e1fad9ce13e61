"""The metrics on plain data, one table per function: the median and the nearest-rank percentile, the
team's first response, waiting at a moment, the sparkline, a week's tally, and the rotation's weeks
(local midnights across DST, overrides)."""

from __future__ import annotations

import itertools
import textwrap
from datetime import UTC, date, datetime, timedelta

import pytest

from cmtriage.models import Comment, Issue
from cmtriage.reports.metrics import (
    Week,
    first_response,
    middle,
    percentile,
    sparkline,
    tally,
    waiting_at,
    weeks,
)
from cmtriage.rotationfile import load_rotation
from cmtriage.sources.github import People
from test_metrics import ROTATION  # the rotation the command's tests run on: one override, a DST week

T0 = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
PEOPLE = People.of(logins=["hanna"], members=["jason"], bots=["mattermod"])


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def said(author: str, hours: float, *, kind: str = "User", association: str = "NONE") -> Comment:
    return Comment(author, kind, association, h(hours))


def issue(number: int = 1, *, author: str = "alice", opened: float = 0, closed: float | None = None) -> Issue:
    return Issue(repo="o/r", number=number, kind="issue", title="t", body="", url="u", author=author,
                 author_type="User", association="NONE", labels=(), comments=0, created_at=h(opened),
                 updated_at=h(opened), closed_at=None if closed is None else h(closed))


@pytest.mark.parametrize(("values", "expected"), [
    ([], None),
    ([5.0], 5.0),
    ([1.0, 3.0], 2.0),  # even count: the mean of the two middle values
    ([4.0, 1.0, 2.0], 2.0),  # any order
    ([1.0, 2.0, 4.0, 8.0], 3.0),
    ([1.0, 2.0, 4.0, 8.0, 72.0], 4.0),
])
def test_median(values, expected):
    assert middle(values) == expected


@pytest.mark.parametrize(("values", "expected"), [
    ([], None),
    ([7.0], 7.0),
    ([1.0, 2.0], 2.0),  # ceil(1.8) = 2nd
    (list(map(float, range(1, 11))), 9.0),  # ceil(9.0) = 9th of 10: exactly 90% do not exceed it
    (list(map(float, range(1, 12))), 10.0),  # ceil(9.9) = 10th of 11
    ([10.0, 1.0, 2.0, 4.0, 8.0], 10.0),  # ceil(4.5) = 5th: the largest
    ([3.0] * 20 + [100.0], 3.0),  # ceil(18.9) = 19th of 21
])
def test_percentile_is_nearest_rank(values, expected):
    assert percentile(values) == expected


@pytest.mark.parametrize(("comments", "expected"), [
    ([], None),
    ([said("bob", 1)], None),  # a community member's reply is no answer from the team
    ([said("alice", 1, association="MEMBER")], None),  # the author's own comment, whatever its association
    ([said("mattermod", 1), said("hanna", 3)], 3),  # a bot named in repos.yaml
    ([said("ci", 1, kind="Bot", association="MEMBER"), said("jason", 2)], 2),  # a Bot, though a member
    ([said("bob", 1), said("zed", 4, association="MEMBER"), said("hanna", 5)], 4),
    ([said("zed", 6, association="OWNER"), said("Jason", 2)], 2),  # the earliest, in any order; any case
    ([said("zed", 1, association="CONTRIBUTOR")], None),
])
def test_first_response(comments, expected):
    found = first_response("alice", comments, PEOPLE)
    assert (found.created_at if found else None) == (None if expected is None else h(expected))


@pytest.mark.parametrize(("item", "comments", "moment", "expected"), [
    (issue(), [], 1, True),  # nobody replied
    (issue(opened=5), [], 1, False),  # not opened yet
    (issue(closed=2), [], 3, False),  # closed by then
    (issue(closed=4), [], 3, True),  # closed only later
    (issue(), [said("hanna", 1)], 3, False),  # the team spoke last
    (issue(), [said("hanna", 5)], 3, True),  # the team's answer came later
    (issue(), [said("hanna", 1), said("alice", 2)], 3, True),  # the author wrote again
    (issue(), [said("hanna", 1), said("mattermod", 2)], 3, False),  # a bot after the team changes nothing
    (issue(), [said("bob", 1)], 3, True),
])
def test_waiting_at(item, comments, moment, expected):
    assert waiting_at(item, comments, PEOPLE, h(moment)) is expected


@pytest.mark.parametrize(("values", "top", "expected"), [
    ([], None, ""),
    ([None, None], None, "··"),
    ([0.0, None], None, "▁·"),
    ([1.0, 2.0, 4.0, 8.0], None, "▁▂▄█"),
    ([8.0, 4.0], 16.0, "▄▂"),
    ([0.5, 100.0], None, "▁█"),
])
def test_sparkline(values, top, expected):
    assert sparkline(values, top) == expected


def test_a_week_tally_counts_the_items_opened_in_it_and_their_answers_whenever_they_came():
    week = Week(date(2026, 11, 16), h(-10), h(158), "Eric")
    items = [
        (issue(1, opened=-11), [said("hanna", -10.5)]),  # the week before
        (issue(2, opened=0), [said("hanna", 1)]),
        (issue(3, opened=10, closed=20), [said("bob", 11), said("hanna", 14)]),
        (issue(4, opened=20), [said("hanna", 28), said("alice", 29)]),  # waiting again at the end
        (issue(5, opened=30), []),
        (issue(6, opened=100), [said("hanna", 172)]),  # answered after the week: waiting at its end
        (issue(7, opened=158), []),  # the next week's first instant
    ]
    figures = tally(items, PEOPLE, week, now=h(500))
    assert (figures.opened, figures.answered, figures.closed, figures.waiting_at_end) == (5, 4, 1, 3)
    assert sorted(figures.responses) == [1.0, 4.0, 8.0, 72.0]
    assert (figures.median, figures.p90) == (6.0, 72.0)
    in_progress = tally(items, PEOPLE, week, now=h(25))  # before 4's answer and 5's opening
    assert (in_progress.opened, in_progress.waiting_at_end) == (5, 1)


@pytest.fixture
def rotation(tmp_path):
    (tmp_path / "rotation.yaml").write_text(textwrap.dedent(ROTATION), encoding="utf-8")
    return load_rotation(tmp_path)


def test_weeks_turn_over_at_local_midnight_across_dst_and_name_who_covered_them(rotation):
    now = datetime(2026, 11, 25, 14, tzinfo=UTC)
    found = weeks(rotation, now, 6)
    assert [(w.start.isoformat(), w.on_duty) for w in found] == [
        ("2026-10-19", "Lindsay"), ("2026-10-26", "Eric"), ("2026-11-02", "Jason"),
        ("2026-11-09", "Eric"),  # Lindsay's week, covered by Eric
        ("2026-11-16", "Eric"), ("2026-11-23", "Jason")]
    assert [f"{w.begins:%m-%dT%H:%M}" for w in found] == [
        "10-19T04:00", "10-26T04:00", "11-02T05:00", "11-09T05:00", "11-16T05:00", "11-23T05:00"]
    assert [(w.ends - w.begins) / timedelta(hours=1) for w in found] == [168, 169, 168, 168, 168, 168]
    assert all(a.ends == b.begins for a, b in itertools.pairwise(found))
    before = weeks(rotation, now, 2, current=False)
    assert [w.start for w in before] == [date(2026, 11, 9), date(2026, 11, 16)]


def test_weeks_before_the_rotation_and_without_one_name_nobody(rotation):
    found = weeks(rotation, datetime(2026, 1, 6, tzinfo=UTC), 2)
    assert [(w.start.isoformat(), w.on_duty) for w in found] == [("2025-12-29", None), ("2026-01-05", "Eric")]
    plain = weeks(None, datetime(2026, 11, 25, 14, tzinfo=UTC), 1)
    assert plain == [Week(date(2026, 11, 23), datetime(2026, 11, 23, tzinfo=UTC),
                          datetime(2026, 11, 30, tzinfo=UTC), None)]

"""The rotation's schedule logic (cmtriage.rotation), on RotationConfig values built in the test."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cmtriage import rotation
from cmtriage.config import Member, Override, RotationConfig
from cmtriage.errors import UsageError

MONDAY, WEDNESDAY, SUNDAY = 0, 2, 6


def member(name: str, joins: date | None = None, leaves: date | None = None) -> Member:
    return Member(name=name, mention=name.lower(), joins=joins, leaves=leaves)


TEAM = (member("Eric"), member("Jason"), member("Lindsay"))


def config(members=TEAM, *, start=date(2026, 1, 5), week_starts=MONDAY, overrides=(),
           timezone="America/Toronto") -> RotationConfig:
    return RotationConfig(timezone=ZoneInfo(timezone), week_starts=week_starts, start=start,
                          members=tuple(members), overrides=tuple(overrides))


def on_duty(weeks) -> list[tuple[str, str | None]]:
    return [(w.start.isoformat(), w.on_duty.name if w.on_duty else None) for w in weeks]


def scheduled(weeks) -> list[tuple[str, str | None]]:
    return [(w.start.isoformat(), w.scheduled.name if w.scheduled else None) for w in weeks]


# --- weeks on local dates ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("instant", "week"),
    [
        # Spring forward: Sunday 2026-03-08 02:00 EST -> 03:00 EDT. Monday 00:30 EDT is 04:30Z; under
        # the old offset (UTC-5) it would still read as Sunday 23:30 and land in the old week.
        ("2026-03-09T04:30:00Z", "2026-03-09"),
        ("2026-03-09T03:59:00Z", "2026-03-02"),  # Sunday 23:59 EDT
        # Fall back: Sunday 2026-11-01 02:00 EDT -> 01:00 EST. Monday 00:30 EST is 05:30Z; Sunday 23:30
        # EST is 04:30Z, which under the old offset (UTC-4) would wrongly read as Monday 00:30.
        ("2026-11-02T05:30:00Z", "2026-11-02"),
        ("2026-11-02T04:30:00Z", "2026-10-26"),
    ],
)
def test_a_week_turns_over_at_local_midnight_across_dst(instant, week):
    rota = config()
    now = datetime.fromisoformat(instant)
    assert rotation.week_of(rota, rotation.local_date(rota, now)).start == date.fromisoformat(week)


def test_weeks_spanning_dst_changes_are_seven_local_dates_and_the_queue_does_not_skip():
    weeks = rotation.schedule(config(), date(2026, 2, 23), 3)  # holds the week of 2026-03-08
    assert [(w.start, w.end) for w in weeks] == [
        (date(2026, 2, 23), date(2026, 3, 1)), (date(2026, 3, 2), date(2026, 3, 8)),
        (date(2026, 3, 9), date(2026, 3, 15)),
    ]
    # 2026-02-23 is week 7 from 2026-01-05: 7 % 3 = 1 -> Jason.
    assert on_duty(weeks) == [("2026-02-23", "Jason"), ("2026-03-02", "Lindsay"), ("2026-03-09", "Eric")]


def test_the_week_spanning_new_year_in_an_iso_53_week_year():
    rota = config()
    assert date(2026, 12, 28).isocalendar().week == 53  # the test means what it says
    week = rotation.week_of(rota, date(2027, 1, 1))
    assert (week.start, week.end) == (date(2026, 12, 28), date(2027, 1, 3))
    for day in (date(2026, 12, 28), date(2026, 12, 31), date(2027, 1, 3)):
        assert rotation.week_of(rota, day) == week
    # 2026-12-28 is week 51 from 2026-01-05: 51 % 3 = 0 -> Eric; then on without a gap.
    assert on_duty(rotation.schedule(rota, date(2026, 12, 24), 3)) == [
        ("2026-12-21", "Lindsay"), ("2026-12-28", "Eric"), ("2027-01-04", "Jason"),
    ]


def test_weeks_starting_on_sunday_across_new_year():
    rota = config(week_starts=SUNDAY, start=date(2026, 1, 4))
    week = rotation.week_of(rota, date(2027, 1, 1))
    assert (week.start, week.end) == (date(2026, 12, 27), date(2027, 1, 2))
    assert rotation.week_of(rota, date(2027, 1, 3)).start == date(2027, 1, 3)


def test_weeks_starting_on_wednesday_and_the_first_week_holds_start():
    # start is a Monday: the week holding it began the Wednesday before, and that is the first week.
    rota = config(week_starts=WEDNESDAY, start=date(2026, 1, 5))
    assert on_duty(rotation.schedule(rota, date(2025, 12, 31), 3)) == [
        ("2025-12-31", "Eric"), ("2026-01-07", "Jason"), ("2026-01-14", "Lindsay"),
    ]
    assert rotation.week_of(rota, date(2026, 1, 6)).start == date(2025, 12, 31)  # Tuesday
    # Toronto, Tuesday 23:30 EST = Wednesday 04:30Z: still Tuesday's week; Wednesday 00:30 is the next.
    assert rotation.week_of(rota, rotation.local_date(rota, datetime(2026, 1, 14, 4, 30, tzinfo=UTC))).start \
        == date(2026, 1, 7)
    assert rotation.week_of(rota, rotation.local_date(rota, datetime(2026, 1, 14, 5, 30, tzinfo=UTC))).start \
        == date(2026, 1, 14)


def test_before_the_first_week_is_a_usage_error():
    rota = config(start=date(2026, 1, 7))  # a Wednesday: the first week starts Monday 2026-01-05
    assert rotation.week_of(rota, date(2026, 1, 5)).on_duty.name == "Eric"
    with pytest.raises(UsageError) as error:
        rotation.week_of(rota, date(2026, 1, 4))
    assert str(error.value) == ("2026-01-04 is before the rotation starts: its first week is "
                                "2026-01-05 – 2026-01-11 (start: 2026-01-07 in rotation.yaml)")
    assert error.value.exit_code == 2


# --- the queue --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("listed", list(itertools.permutations(TEAM)))
def test_the_queue_is_alphabetical_whatever_the_listed_order(listed):
    assert [name for _, name in on_duty(rotation.schedule(config(listed), date(2026, 1, 5), 4))] == [
        "Eric", "Jason", "Lindsay", "Eric",
    ]


def test_alphabetical_order_ignores_case():
    rota = config([member("carol"), member("Bob"), member("alice")])
    names = [name for _, name in on_duty(rotation.schedule(rota, date(2026, 1, 5), 3))]
    assert names == ["alice", "Bob", "carol"]


def test_a_steady_team_cycles_for_years():
    rota = config()
    names = [name for _, name in on_duty(rotation.schedule(rota, date(2026, 1, 5), 520))]
    assert names == [("Eric", "Jason", "Lindsay")[k % 3] for k in range(520)]


def test_a_schedule_walks_the_weeks_once(monkeypatch):
    calls = []
    real = rotation.is_active
    monkeypatch.setattr(rotation, "is_active", lambda m, start: calls.append(start) or real(m, start))
    weeks = rotation.schedule(config(), date(2036, 1, 1), 52)  # ten years after start
    walked = (weeks[-1].start - date(2026, 1, 5)).days // 7 + 1
    assert len(weeks) == 52
    assert len(calls) == walked * len(TEAM)  # not once per week asked for, from start each time
    assert weeks[0].start == date(2035, 12, 31)


def test_a_member_who_joins_changes_no_past_week():
    joining = config([*TEAM, member("Ada", joins=date(2026, 12, 7))])
    before = rotation.schedule(config(), date(2026, 1, 5), 48)  # up to the week of 2026-11-30
    assert before[-1].start == date(2026, 11, 30)
    assert on_duty(rotation.schedule(joining, date(2026, 1, 5), 48)) == on_duty(before)
    # 2026-11-30 is week 47: Lindsay. Ada sorts first and is next after Lindsay (wrapping round).
    assert on_duty(rotation.schedule(joining, date(2026, 11, 30), 6)) == [
        ("2026-11-30", "Lindsay"), ("2026-12-07", "Ada"), ("2026-12-14", "Eric"), ("2026-12-21", "Jason"),
        ("2026-12-28", "Lindsay"), ("2027-01-04", "Ada"),
    ]


def test_a_member_who_joins_mid_week_is_on_the_queue_that_week():
    # 2026-01-21 is a Wednesday of week 2 (2026-01-19), whose person is the next after Jason.
    rota = config([*TEAM, member("Karl", joins=date(2026, 1, 21))])
    assert on_duty(rotation.schedule(rota, date(2026, 1, 5), 4)) == [
        ("2026-01-05", "Eric"), ("2026-01-12", "Jason"), ("2026-01-19", "Karl"), ("2026-01-26", "Lindsay"),
    ]


def test_a_member_who_leaves_changes_no_past_week_and_the_queue_closes_up():
    # Jason's last day is a Wednesday: the week holding it is still his to be scheduled in.
    leaving = config([member("Eric"), member("Jason", leaves=date(2026, 2, 4)), member("Lindsay")])
    assert on_duty(rotation.schedule(leaving, date(2026, 1, 5), 5)) == on_duty(
        rotation.schedule(config(), date(2026, 1, 5), 5))
    assert on_duty(rotation.schedule(leaving, date(2026, 1, 5), 8)) == [
        ("2026-01-05", "Eric"), ("2026-01-12", "Jason"), ("2026-01-19", "Lindsay"), ("2026-01-26", "Eric"),
        ("2026-02-02", "Jason"), ("2026-02-09", "Lindsay"), ("2026-02-16", "Eric"), ("2026-02-23", "Lindsay"),
    ]


def test_is_active_is_an_overlap_of_the_week_and_from_until_inclusive():
    week = date(2026, 1, 12)  # Monday to Sunday 2026-01-18
    assert rotation.is_active(member("A", joins=date(2026, 1, 18)), week)
    assert not rotation.is_active(member("A", joins=date(2026, 1, 19)), week)
    assert rotation.is_active(member("A", leaves=date(2026, 1, 12)), week)
    assert not rotation.is_active(member("A", leaves=date(2026, 1, 11)), week)
    assert rotation.is_active(member("A", joins=date(2026, 1, 14), leaves=date(2026, 1, 14)), week)


def test_weeks_with_nobody_active_keep_the_queue_in_place():
    back = date(2026, 1, 26)
    rota = config([member("Ada", joins=back), member("Eric", leaves=date(2026, 1, 11)),
                   member("Jason", joins=back), member("Lindsay", joins=back)])
    weeks = rotation.schedule(rota, date(2026, 1, 5), 6)
    # After the empty weeks the queue goes on after Eric, not from the top (Ada).
    assert on_duty(weeks) == [("2026-01-05", "Eric"), ("2026-01-12", None), ("2026-01-19", None),
                              ("2026-01-26", "Jason"), ("2026-02-02", "Lindsay"), ("2026-02-09", "Ada")]
    assert weeks[1].to_json() == {"who": None, "mention": None, "week_start": "2026-01-12",
                                  "week_end": "2026-01-18", "override": None}


def test_the_first_week_has_the_first_active_member():
    rota = config([member("Ada", joins=date(2026, 3, 1)), *TEAM])
    assert rotation.week_of(rota, date(2026, 1, 5)).on_duty.name == "Eric"


# --- overrides --------------------------------------------------------------------------------------------
def test_an_override_changes_only_its_week_and_not_the_queue():
    # Any date inside the week names it: Thursday of week 46 (2026-11-23), scheduled Jason.
    overridden = config(overrides=[Override(week=date(2026, 11, 26), who="Lindsay", reason="Jason on leave")])
    plain = rotation.schedule(config(), date(2026, 1, 5), 60)
    weeks = rotation.schedule(overridden, date(2026, 1, 5), 60)
    assert scheduled(weeks) == scheduled(plain)
    changed = [(a, b) for a, b in zip(on_duty(plain), on_duty(weeks), strict=True) if a != b]
    assert changed == [(("2026-11-23", "Jason"), ("2026-11-23", "Lindsay"))]
    week = weeks[46]
    assert week.to_json() == {
        "who": "Lindsay", "mention": "@lindsay", "week_start": "2026-11-23", "week_end": "2026-11-29",
        "override": {"scheduled": "Jason", "reason": "Jason on leave"},
    }
    assert on_duty(weeks[45:49]) == [("2026-11-16", "Eric"), ("2026-11-23", "Lindsay"),
                                     ("2026-11-30", "Lindsay"), ("2026-12-07", "Eric")]


def test_an_override_naming_the_scheduled_person_is_no_override():
    rota = config(overrides=[Override(week=date(2026, 1, 5), who="Eric", reason="swap undone")])
    week = rotation.week_of(rota, date(2026, 1, 5))
    assert (week.on_duty.name, week.override) == ("Eric", None)


def test_an_override_without_a_reason_and_one_for_a_week_with_nobody():
    rota = config([member("Eric", leaves=date(2026, 1, 11)), member("Jason", joins=date(2026, 2, 1))],
                  overrides=[Override(week=date(2026, 1, 12), who="Eric")])
    assert rotation.week_of(rota, date(2026, 1, 12)).to_json() == {
        "who": "Eric", "mention": "@eric", "week_start": "2026-01-12", "week_end": "2026-01-18",
        "override": {"scheduled": None, "reason": None},
    }


def test_the_end_of_the_calendar_is_an_error_not_a_crash():
    rota = config()
    with pytest.raises(UsageError, match="too far in the future"):
        rotation.week_of(rota, date.max - timedelta(days=3))

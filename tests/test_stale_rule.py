"""The stale rule on plain data, one table per function (as github/issue-metrics tests its measures):
who acted last, when, whether that is too long ago, and whom the item waits on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cmtriage.models import Comment
from cmtriage.reports.stale import is_stale, last_human, last_human_activity, waiting_on
from cmtriage.sources.github import People

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
PEOPLE = People.of(logins=["hanna"], members=["jason"], bots=["mattermod"])


def at(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


def said(author: str, days_ago: float, *, kind: str = "User", association: str = "NONE",
         review: bool = False) -> Comment:
    return Comment(author, kind, association, at(days_ago), review=review)


@pytest.mark.parametrize(("events", "expected"), [
    ([], None),
    ([said("alice", 3)], "alice"),
    ([said("alice", 5), said("mattermod", 1)], "alice"),  # a bot named in repos.yaml
    ([said("alice", 5), said("dependabot[bot]", 1)], "alice"),
    ([said("alice", 5), said("ci", 1, kind="Bot")], "alice"),
    ([said("mattermod", 2), said("MatterMod", 1)], None),  # logins compare in any case
    ([said("alice", 5), said("jason", 2, review=True)], "jason"),  # a review counts as a reply
    ([said("alice", 5), said("bob", 4), said("alice", 3)], "alice"),
], ids=["nothing", "one", "a listed bot after", "a [bot] after", "a Bot type after", "only bots",
        "a review", "the last of several"])
def test_last_human(events, expected):
    found = last_human(events, PEOPLE)
    assert (found.author if found else None) == expected


@pytest.mark.parametrize(("created", "last", "expected"), [
    (10, None, 10),
    (10, said("bob", 4), 4),
    (10, said("bob", 12), 10),  # a comment dated before creation (an imported item) cannot age it
])
def test_last_human_activity(created, last, expected):
    assert last_human_activity(at(created), last) == at(expected)


@pytest.mark.parametrize(("idle_days", "threshold_days", "expected"), [
    (8, 7, True),
    (7, 7, False),  # exactly the threshold: not yet
    (7.001, 7, True),
    (0, 1, False),
    (31, 30, True),
])
def test_is_stale(idle_days, threshold_days, expected):
    assert is_stale(at(idle_days), now=NOW, threshold=timedelta(days=threshold_days)) is expected


@pytest.mark.parametrize(("last", "expected"), [
    (None, "us"),  # nobody, or only bots, replied
    (said("alice", 1), "us"),  # the author wrote last
    (said("bob", 1), "us"),  # another community member
    (said("bob", 1, review=True), "us"),  # a community review is no answer from the team
    (said("jason", 1), "author"),  # a member of staff.orgs
    (said("Hanna", 1), "author"),  # staff.logins, any case
    (said("zed", 1, association="MEMBER"), "author"),
    (said("zed", 1, association="OWNER"), "author"),
    (said("zed", 1, association="CONTRIBUTOR"), "us"),
])
def test_waiting_on(last, expected):
    assert waiting_on(last, PEOPLE) == expected

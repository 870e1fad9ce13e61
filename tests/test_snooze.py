"""Snoozes: parsing --until, the SQLite file, hiding items from reports, and the three commands."""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from cmtriage import snooze
from cmtriage.cli import cli
from cmtriage.errors import UsageError
from cmtriage.models import Column, Item, Report

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # a Tuesday
ISSUE = "https://github.com/mattermost/mattermost/issues/101"
TICKET = "https://mattermost.zendesk.com/agent/tickets/4512"
EXPECTED = "expected the web address of an item, like https://github.com/OWNER/REPO/issues/N"


@pytest.fixture(autouse=True)
def isolated(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """conftest's isolation (state under tmp_path), a fixed clock and user, an empty config folder."""
    monkeypatch.setenv("CMTRIAGE_NOW", "2026-11-24T14:00:00Z")
    monkeypatch.setenv("USER", "hanna")
    (isolated_env / "config").mkdir()
    return isolated_env


@pytest.fixture
def db(isolated: Path) -> Path:
    return isolated / "state" / "cmtriage" / "snoozes.sqlite3"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def item(url: str, title: str) -> Item:
    return Item(source="github", url=url, title=title, author="someone", created_at=NOW, last_activity_at=NOW,
                days_idle=0, reason="no reply")


def report_of(*items: Item) -> Report:
    return Report(name="stale", title="Stale", columns=(Column("title", "Title"),), items=items,
                  generated_at=NOW)


# --- --until -------------------------------------------------------------------------------------------
def test_a_date_means_back_on_the_list_when_that_day_begins():
    assert snooze.parse_until("2026-12-01", NOW) == datetime(2026, 12, 1, tzinfo=UTC)


def test_a_date_begins_in_the_given_time_zone():
    from zoneinfo import ZoneInfo

    toronto = snooze.parse_until("2026-12-01", NOW, ZoneInfo("America/Toronto"))
    assert toronto == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("3d", datetime(2026, 11, 27, 14, 0, tzinfo=UTC)),
    ("2w", datetime(2026, 12, 8, 14, 0, tzinfo=UTC)),
    ("12h", datetime(2026, 11, 25, 2, 0, tzinfo=UTC)),
    ("2026-11-30T09:30:00-05:00", datetime(2026, 11, 30, 14, 30, tzinfo=UTC)),
])
def test_durations_and_times(text: str, expected: datetime):
    assert snooze.parse_until(text, NOW) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("next week", "--until: expected a date like 2026-12-01 or a duration like 3d or 2w, got 'next week'"),
    ("2026-11-24", "--until: 2026-11-24 00:00 UTC is not after now (2026-11-24 14:00 UTC)"),
    ("0d", "--until: 2026-11-24 14:00 UTC is not after now (2026-11-24 14:00 UTC)"),
])
def test_bad_until(text: str, message: str):
    with pytest.raises(UsageError) as caught:
        snooze.parse_until(text, NOW)
    assert str(caught.value) == message


@pytest.mark.parametrize(("text", "tz", "message"), [
    ("999999999d", "UTC", "--until: too far in the future"),  # a timedelta, but past the year 9999
    ("9999-12-31T23:00:00Z", "Asia/Tokyo", "--until: too far in the future"),  # 10000-01-01 in Tokyo
    ("99999999999999w", "UTC", "--until: 99999999999999w is longer than cmtriage can count"),
])
def test_until_past_the_calendar(text: str, tz: str, message: str):
    from zoneinfo import ZoneInfo

    with pytest.raises(UsageError) as caught:
        snooze.parse_until(text, NOW, ZoneInfo(tz))
    assert str(caught.value) == message


def test_the_last_moment_the_calendar_holds_is_an_end():
    assert snooze.parse_until("9999-12-31T23:00:00Z", NOW) == datetime(9999, 12, 31, 23, 0, tzinfo=UTC)


def test_urls_are_keyed_without_fragment_trailing_slash_or_host_case():
    messy = " HTTPS://GitHub.com/mattermost/mattermost/issues/101/#issuecomment-9 "
    assert snooze.normalise_url(messy) == ISSUE
    assert snooze.normalise_url("https://forum.example.com/t/x/5?page=2") == "https://forum.example.com/t/x/5?page=2"


# --- the file --------------------------------------------------------------------------------------------
def test_reading_never_creates_the_file(db: Path):
    assert snooze.active(NOW) == []
    assert snooze.hide_snoozed(report_of(item(ISSUE, "a")), NOW) == report_of(item(ISSUE, "a"))
    assert not run("snoozed", "--format", "json").exit_code
    assert not db.exists()
    assert not db.parent.exists()


def test_the_file_is_private(db: Path):
    snooze.add(ISSUE, datetime(2026, 12, 1, tzinfo=UTC), reason="", who="hanna", now=NOW)
    assert db.stat().st_mode & 0o777 == 0o600
    assert db.parent.stat().st_mode & 0o777 == 0o700


def test_snoozing_again_replaces_and_expired_ones_are_ignored_then_pruned(db: Path):
    snooze.add(ISSUE, datetime(2026, 12, 1, tzinfo=UTC), reason="first", who="hanna", now=NOW)
    snooze.add(ISSUE + "/", datetime(2026, 12, 8, tzinfo=UTC), reason="second", who="eric", now=NOW)
    snooze.add(TICKET, datetime(2026, 11, 25, tzinfo=UTC), reason="", who="hanna", now=NOW)
    later = datetime(2026, 11, 26, tzinfo=UTC)
    assert [(s.url, s.reason, s.who) for s in snooze.active(later)] == [(ISSUE, "second", "eric")]
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM snoozes").fetchone() == (2,)  # reading does not prune
    snooze.add("https://example.com/x", datetime(2026, 12, 1, tzinfo=UTC), reason="", who="", now=later)
    with closing(sqlite3.connect(db)) as conn:
        urls = sorted(r[0] for r in conn.execute("SELECT url FROM snoozes"))
    assert urls == ["https://example.com/x", ISSUE]


def test_two_writers_at_once_lose_nothing(db: Path):
    """Two runs snoozing at the same moment, each with its own connection: every write lands."""
    snooze.add(ISSUE, datetime(2026, 12, 1, tzinfo=UTC), reason="", who="", now=NOW)  # the file exists
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(name: str) -> None:
        start.wait()
        try:
            for n in range(100):
                snooze.add(f"https://example.com/{name}/{n}", datetime(2026, 12, 1, tzinfo=UTC), reason=name,
                           who=name, now=NOW)
                if n % 10 == 0:
                    snooze.active(NOW)
        except BaseException as exc:  # the assertion below reports it
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(snooze.active(NOW)) == 201


def test_a_writer_waits_for_another_runs_transaction(db: Path):
    snooze.add(ISSUE, datetime(2026, 12, 1, tzinfo=UTC), reason="", who="", now=NOW)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("DELETE FROM snoozes")
    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (snooze.add(TICKET, datetime(2026, 12, 1, tzinfo=UTC), reason="", who="", now=NOW),
                        done.set()))
    thread.start()
    assert not done.wait(0.1)  # blocked on the other run's write lock, not failed
    other.execute("COMMIT")
    thread.join(5)
    assert done.is_set()
    assert [s.url for s in snooze.active(NOW)] == [TICKET]


def test_an_unreadable_file_hides_nothing_and_is_an_error(db: Path):
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    result = snooze.hide_snoozed(report_of(item(ISSUE, "a")), NOW)
    assert result.items == (item(ISSUE, "a"),)
    assert [e.source for e in result.errors] == ["snoozes"]
    assert "file is not a database" in result.errors[0].message
    assert snooze.hide_snoozed(result, NOW) == result  # a report hidden twice says it once


def test_hiding_twice_is_hiding_once():
    snooze.add(ISSUE, datetime(2026, 12, 1, tzinfo=UTC), reason="", who="", now=NOW)
    once = snooze.hide_snoozed(report_of(item(ISSUE, "a"), item(TICKET, "b")), NOW)
    assert snooze.hide_snoozed(once, NOW) == once
    assert (len(once.items), once.notes) == (1, ("1 snoozed item hidden (cmtriage snoozed lists them).",))


# --- hiding ---------------------------------------------------------------------------------------------
def test_hide_snoozed_drops_snoozed_items_and_says_so():
    snooze.add(ISSUE + "#top", datetime(2026, 12, 1, tzinfo=UTC), reason="", who="", now=NOW)
    snooze.add(TICKET, datetime(2026, 12, 1, tzinfo=UTC), reason="", who="", now=NOW)
    other = "https://github.com/mattermost/mattermost/issues/102"
    shown = snooze.hide_snoozed(report_of(item(ISSUE + "/", "a"), item(other, "b")), NOW)
    assert [i.url for i in shown.items] == [other]
    assert shown.notes == ("1 snoozed item hidden (cmtriage snoozed lists them).",)
    dec1 = datetime(2026, 12, 1, tzinfo=UTC)
    back = snooze.hide_snoozed(report_of(item(ISSUE, "a"), item(other, "b")), dec1)
    assert [i.url for i in back.items] == [ISSUE, other]
    assert back.notes == ()


def test_an_item_whose_address_is_not_one_is_compared_as_it_is():
    snooze.add(ISSUE, datetime(2026, 12, 1, tzinfo=UTC), reason="", who="", now=NOW)
    shown = snooze.hide_snoozed(report_of(item("https://[x", "odd"), item(ISSUE, "a")), NOW)
    assert [i.url for i in shown.items] == ["https://[x"]


# --- the commands ---------------------------------------------------------------------------------------
def test_snooze_snoozed_unsnooze(isolated: Path):
    first = run("snooze", ISSUE + "/", "--until", "2026-12-01", "--reason", "desktop team has it")
    assert (first.exit_code, first.output) == (0, f"Snoozed {ISSUE} until 2026-12-01 00:00 UTC.\n")
    second = run("snooze", TICKET, "--until", "3d", "--now", "2026-11-25T09:00:00Z")
    assert (second.exit_code, second.output) == (0, f"Snoozed {TICKET} until 2026-11-28 09:00 UTC.\n")

    listed = run("snoozed", "--format", "markdown")
    assert listed.exit_code == 0
    assert listed.output == (
        "#### Snoozed items (2)\n"
        "\n"
        "| Item | Until | Reason | By | Snoozed |\n"
        "| --- | --- | --- | --- | --- |\n"
        f"| [{TICKET}]({TICKET}) | 2026-11-28 09:00 UTC |  | hanna | 2026-11-25 |\n"
        f"| [{ISSUE}]({ISSUE}) | 2026-12-01 | desktop team has it | hanna | 2026-11-24 |\n"
    )
    as_json = json.loads(run("snoozed", "--format", "json").output)
    assert as_json == {
        "report": "snoozed",
        "generated_at": "2026-11-24T14:00:00Z",
        "items": [
            {"source": "snooze", "url": TICKET, "title": TICKET, "author": "hanna",
             "created_at": "2026-11-25T09:00:00Z", "last_activity_at": "2026-11-25T09:00:00Z", "days_idle": 0,
             "reason": "", "until": "2026-11-28T09:00:00Z", "until_local": "2026-11-28 09:00 UTC"},
            {"source": "snooze", "url": ISSUE, "title": ISSUE, "author": "hanna",
             "created_at": "2026-11-24T14:00:00Z", "last_activity_at": "2026-11-24T14:00:00Z", "days_idle": 0,
             "reason": "desktop team has it", "until": "2026-12-01T00:00:00Z", "until_local": "2026-12-01"},
        ],
        "errors": [],
    }
    assert run("snoozed", "--format", "csv").output == (
        "title,until_local,reason,author,created_at,url\n"
        f"{TICKET},2026-11-28 09:00 UTC,,hanna,2026-11-25,{TICKET}\n"
        f"{ISSUE},2026-12-01,desktop team has it,hanna,2026-11-24,{ISSUE}\n"
    )
    # Once the ticket's snooze has ended it is not listed.
    later = json.loads(run("snoozed", "-f", "json", "--now", "2026-11-29").output)
    assert [i["url"] for i in later["items"]] == [ISSUE]

    gone = run("unsnooze", ISSUE + "#issuecomment-1")
    assert (gone.exit_code, gone.output) == (0, f"Unsnoozed {ISSUE}.\n")
    assert [i["url"] for i in json.loads(run("snoozed", "--format", "json").output)["items"]] == [TICKET]


def test_snoozed_when_nothing_is(isolated: Path):
    result = run("snoozed", "--format", "markdown")
    assert (result.exit_code, result.output) == (0, "#### Snoozed items (0)\n\nNothing is snoozed.\n")


def test_a_date_begins_in_the_rotation_time_zone(isolated: Path):
    (isolated / "config" / "rotation.yaml").write_text(
        "timezone: America/Toronto\nstart: 2026-01-05\nmembers: [{name: Eric}]\n")
    result = run("snooze", ISSUE, "--until", "2026-12-01")
    assert (result.exit_code, result.output) == (0, f"Snoozed {ISSUE} until 2026-12-01 00:00 EST.\n")
    assert snooze.active(NOW)[0].until == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def test_snoozed_shows_the_date_given_not_the_utc_date_it_begins_at(isolated: Path):
    # 2026-12-01 begins in Tokyo at 2026-11-30 15:00 UTC: the listing still says the day the user said.
    (isolated / "config" / "rotation.yaml").write_text(
        "timezone: Asia/Tokyo\nstart: 2026-01-05\nmembers: [{name: Eric}]\n")
    result = run("snooze", ISSUE, "--until", "2026-12-01", "--reason", "r")
    assert (result.exit_code, result.output) == (0, f"Snoozed {ISSUE} until 2026-12-01 00:00 JST.\n")
    assert run("snooze", TICKET, "--until", "3d").exit_code == 0  # a duration: the local date and time
    listed = run("snoozed", "--format", "markdown")
    assert listed.output.splitlines()[4:] == [
        f"| [{TICKET}]({TICKET}) | 2026-11-27 23:00 JST |  | hanna | 2026-11-24 |",
        f"| [{ISSUE}]({ISSUE}) | 2026-12-01 | r | hanna | 2026-11-24 |",
    ]
    assert snooze.active(NOW)[1].until == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    as_json = json.loads(run("snoozed", "--format", "json").output)
    assert [(i["until"], i["until_local"]) for i in as_json["items"]] == [
        ("2026-11-27T14:00:00Z", "2026-11-27 23:00 JST"), ("2026-11-30T15:00:00Z", "2026-12-01")]


def test_a_file_from_before_until_local_is_read_and_then_upgraded(db: Path):
    db.parent.mkdir(parents=True)
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE snoozes (url TEXT PRIMARY KEY, until TEXT NOT NULL, reason TEXT NOT NULL, "
                     "who TEXT NOT NULL, created_at TEXT NOT NULL)")
        conn.execute("INSERT INTO snoozes VALUES (?, '2026-12-01T05:00:00Z', 'old', 'eric', "
                     "'2026-11-20T10:00:00Z')", (ISSUE,))
        conn.commit()
    assert [s.until_local for s in snooze.active(NOW)] == ["2026-12-01 05:00 UTC"]
    snooze.add(TICKET, datetime(2026, 12, 8, tzinfo=UTC), reason="", who="", now=NOW,
               until_local="2026-12-08")
    assert [(s.url, s.until_local) for s in snooze.active(NOW)] == [
        (ISSUE, "2026-12-01 05:00 UTC"), (TICKET, "2026-12-08")]


@pytest.mark.parametrize(("text", "until", "expected"), [
    (" 2026-12-01 ", datetime(2026, 11, 30, 15, 0, tzinfo=UTC), "2026-12-01"),
    ("3d", datetime(2026, 11, 27, 14, 0, tzinfo=UTC), "2026-11-27 23:00 JST"),
    ("2026-11-30T09:30:00-05:00", datetime(2026, 11, 30, 14, 30, tzinfo=UTC), "2026-11-30 23:30 JST"),
])
def test_describe_until(text: str, until: datetime, expected: str):
    from zoneinfo import ZoneInfo

    assert snooze.describe_until(text, until, ZoneInfo("Asia/Tokyo")) == expected


@pytest.mark.parametrize(("args", "message"), [
    (("snooze", ISSUE, "--until", "soon"),
     "cmtriage: error: --until: expected a date like 2026-12-01 or a duration like 3d or 2w, got 'soon'\n"),
    (("snooze", "https://[x", "--until", "3d"),
     "cmtriage: error: expected the web address of an item, like https://github.com/OWNER/REPO/issues/N, "
     "got 'https://[x'\n"),
    *[((command, address, *until), f"cmtriage: error: {EXPECTED}, got {shown!r}\n")
      for command, until in (("snooze", ("--until", "3d")), ("unsnooze", ()))
      for address, shown in (("mattermost#101", "mattermost#101"), ("https://[x", "https://[x"),
                             ("https://", "https://"), ("https://x y", "https://x y"),
                             ("https://x\ty", "https://x y"), ("https://x:99999", "https://x:99999"),
                             ("ftp://example.com/x", "ftp://example.com/x"), ("https:///x", "https:///x"))],
    (("snooze", "https://x", "--until", "999999999d"), "cmtriage: error: --until: too far in the future\n"),
    (("snooze", "https://x", "--until", "99999999999999w"),
     "cmtriage: error: --until: 99999999999999w is longer than cmtriage can count\n"),
    (("unsnooze", ISSUE),
     f"cmtriage: error: {ISSUE} is not snoozed (cmtriage snoozed lists what is)\n"),
])
def test_usage_errors_exit_2_with_one_line(args: tuple[str, ...], message: str, capsys):
    from cmtriage.cli import main

    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    assert (exited.value.code, captured.out, captured.err) == (2, "", message)


def test_snooze_without_until_is_a_usage_error():
    result = run("snooze", ISSUE)
    assert result.exit_code == 2
    assert "Missing option '--until'" in result.output


def test_every_command_has_help_with_an_example():
    for name in ("snooze", "unsnooze", "snoozed"):
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.output

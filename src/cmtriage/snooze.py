"""Snoozes: items someone has routed and wants off every report until a given time.

They live in one small SQLite file in the user state directory, keyed by the item's URL. Two runs
at once (a cron job posting while someone snoozes) are safe: WAL journal, a busy timeout, and each
write in its own IMMEDIATE transaction. Reading never creates the file, so a team that never snoozes
pays one `stat` per report.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from cmtriage.clock import local_text, utc_text
from cmtriage.errors import UsageError
from cmtriage.models import Column, Item, Report, SourceError, counted

if TYPE_CHECKING:
    from cmtriage.env import Env

DB_FILE = "snoozes.sqlite3"
EXPECTED_ADDRESS = "expected the web address of an item, like https://github.com/OWNER/REPO/issues/N"
REPORT_NAME = "snoozed"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS snoozes (
    url TEXT PRIMARY KEY,      -- normalised with normalise_url()
    until TEXT NOT NULL,       -- UTC, fixed-width ISO 8601, so text order is time order
    until_local TEXT NOT NULL DEFAULT '',  -- the end as the user gave it: see describe_until()
    reason TEXT NOT NULL,
    who TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Snooze:
    url: str
    until: datetime
    reason: str
    who: str
    created_at: datetime
    until_local: str = ""  # "2026-12-01" as given, or "2026-11-28 04:00 EST"; "" in files from before


def default_path() -> Path:
    from cmtriage.state import state_dir

    return state_dir() / DB_FILE


def normalise_url(url: str) -> str:
    """The key an item is snoozed under: no surrounding space, no #fragment, no trailing slash,
    scheme and host lower-cased (the rest of a URL is case-sensitive)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "https://[x": a report's odd item is compared as it is, never a crash
        return url.strip()
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, ""))


def web_address(url: str) -> str:
    """`url` as `snooze` and `unsnooze` take it: an http(s) address with a host, and no space inside;
    anything else is a usage error."""
    from cmtriage.urls import http_url

    text = url.strip()
    if http_url(text) is None:
        from cmtriage.text import clean

        raise UsageError(f"{EXPECTED_ADDRESS}, got {clean(url)!r}")
    return text


def parse_until(text: str, now: datetime, tz: tzinfo = UTC) -> datetime:
    """When a snooze ends. A date means the item is back on the list when that date begins in `tz`
    ("--until 2026-12-01": hidden through Nov 30, listed again on Dec 1); a duration (12h, 3d, 2w)
    counts from now; an ISO 8601 date-time is taken as it is."""
    from cmtriage.clock import parse_duration, parse_instant

    duration = parse_duration(text, what="--until")
    try:
        if duration is not None:
            until = now + duration
        else:
            until = parse_instant(text, what="--until", tz=tz,
                                  expected="a date like 2026-12-01 or a duration like 3d or 2w")
        until.astimezone(tz)  # the end is shown in the team's time zone
    except OverflowError:  # past the year 9999, in UTC or in the team's time zone
        raise UsageError("--until: too far in the future") from None
    if until <= now:
        raise UsageError(f"--until: {local_text(until)} is not after now ({local_text(now)})")
    return until


def describe_until(text: str, until: datetime, tz: tzinfo = UTC) -> str:
    """The end of a snooze as `snoozed` shows it: the date the user gave (in the team's time zone a date
    begins at a UTC time whose date may be the day before), else the local date and time."""
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        return local_text(until, tz)


def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _row(row: tuple) -> Snooze | None:
    """A stored snooze, or None for a row no version of cmtriage could have written (a hand-edited file,
    a year written unpadded by an older version)."""
    url, until, reason, who, created, shown = row
    try:
        if not all(isinstance(value, str) for value in row):
            return None
        return Snooze(url, _moment(until), reason, who, _moment(created),
                      shown or f"{_moment(until):%Y-%m-%d %H:%M} UTC")
    except ValueError:
        return None


def _connect(path: Path) -> sqlite3.Connection:
    # autocommit mode: transactions are opened explicitly below, never implicitly by the driver
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


@contextmanager
def _writing(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection inside one IMMEDIATE transaction: the write lock is taken up front, so two
    writers queue on the busy timeout instead of failing halfway."""
    from cmtriage.state import ensure_dir, private

    ensure_dir(path.parent)
    try:
        if not path.exists():
            # Reasons may name customers: the file is the user's alone (SQLite gives -wal/-shm the same mode).
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        private(path, 0o600)  # a file left 0666 by hand or by an old version
    except OSError as exc:
        raise UsageError(f"cannot use {path}: {exc.strerror}") from None
    with closing(_connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(_SCHEMA)
            if "until_local" not in _columns(conn):  # a file written before the column existed
                conn.execute("ALTER TABLE snoozes ADD COLUMN until_local TEXT NOT NULL DEFAULT ''")
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _columns(conn: sqlite3.Connection) -> set[str]:
    return {row[1] for row in conn.execute("PRAGMA table_info(snoozes)")}


def _prune(conn: sqlite3.Connection, now: datetime) -> None:
    conn.execute("DELETE FROM snoozes WHERE until <= ?", (utc_text(now),))


def add(url: str, until: datetime, *, reason: str, who: str, now: datetime, until_local: str = "",
        path: Path | None = None) -> Snooze:
    """Snooze `url` (again: a second snooze replaces the first) and drop the expired ones.
    `until_local` is what `snoozed` shows (describe_until); without it, the UTC date and time."""
    until_local = until_local or local_text(until)
    snooze = Snooze(normalise_url(url), until, reason, who, now, until_local)
    with _writing(path or default_path()) as conn:
        _prune(conn, now)
        conn.execute(
            "INSERT OR REPLACE INTO snoozes (url, until, until_local, reason, who, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (snooze.url, utc_text(until), until_local, reason, who, utc_text(now)),
        )
    return snooze


def remove(url: str, *, now: datetime, path: Path | None = None) -> bool:
    """Unsnooze `url`; False when it was not snoozed (or its snooze had already ended)."""
    path = path or default_path()
    if not path.exists():
        return False
    with _writing(path) as conn:
        _prune(conn, now)
        return conn.execute("DELETE FROM snoozes WHERE url = ?", (normalise_url(url),)).rowcount > 0


def active(now: datetime, path: Path | None = None) -> list[Snooze]:
    """The snoozes still running at `now`, soonest to end first. Never creates the file."""
    path = path or default_path()
    if not path.exists():
        return []
    with closing(_connect(path)) as conn:
        # A file from before until_local existed is only changed by the next write, not by reading.
        local = "until_local" if "until_local" in _columns(conn) else "''"
        try:
            rows = conn.execute(
                f"SELECT url, until, reason, who, created_at, {local} FROM snoozes WHERE until > ? "
                "ORDER BY until, url",
                (utc_text(now),),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):  # created by a run that had not finished its first write
                return []
            raise
    snoozes = [_row(row) for row in rows]
    if None in snoozes:
        from cmtriage.terminal import terminal

        skipped = snoozes.count(None)
        terminal().warn(f"{path}: skipped {counted(skipped, 'snooze')} that cannot be read "
                        "(cmtriage unsnooze ADDRESS, or snooze it again, replaces one)")
    return [snooze for snooze in snoozes if snooze is not None]


def hide_snoozed(report: Report, now: datetime, path: Path | None = None, shared: frozenset[str] = frozenset()
                 ) -> Report:
    """The report without the items snoozed at `now`, saying how many it hid; `shared` holds the keys
    (sharedsnoozes.item_key) of snoozes.yaml's. A snooze file that cannot be read hides nothing and
    becomes one of the report's errors."""
    return hider(now, path, shared)(report)


def hider(now: datetime, path: Path | None = None, shared: frozenset[str] = frozenset()
          ) -> Callable[[Report], Report]:
    """`hide_snoozed` for every report it is given (a digest's sections), the file read once, when the
    first report with items needs it."""
    from cmtriage.sharedsnoozes import item_key

    path = path or default_path()

    @functools.cache
    def snoozed() -> frozenset[str] | SourceError:
        try:
            return frozenset(item_key(s.url) for s in active(now, path)) | shared
        except sqlite3.Error as exc:
            return SourceError("snoozes", f"cannot read {path}: {exc}")

    def hide(report: Report) -> Report:
        said = any(e.source == "snoozes" for e in report.errors)
        if report.name == REPORT_NAME or not report.items or said:
            return report  # an unreadable file already said so: hiding twice is the same as once
        keys = snoozed()
        if isinstance(keys, SourceError):
            return replace(report, errors=(*report.errors, keys))
        if not keys:
            return report
        kept = tuple(item for item in report.items if item_key(item.url) not in keys)
        hidden = len(report.items) - len(kept)
        if not hidden:
            return report
        note = f"{counted(hidden, 'snoozed item')} hidden (cmtriage snoozed lists them)."
        return replace(report.keeping(kept), notes=(*report.notes, note))

    return hide


def hider_in(env: Env) -> Callable[[Report], Report]:
    """What every report of a run hides: the local snoozes and those of snoozes.yaml beside repos.yaml,
    each file read once. A snoozes.yaml that cannot be read (a merge left conflict markers in it) hides
    nothing, like an unreadable local file, and becomes an error of every report (exit 1)."""
    from cmtriage.errors import ConfigError
    from cmtriage.sharedsnoozes import active as shared_active
    from cmtriage.sharedsnoozes import item_key, path_in

    team_file = path_in(env.config_dir)
    shared: frozenset[str] = frozenset()
    unreadable = None
    if team_file.exists():
        try:
            running = shared_active(team_file, env.now, env.team_timezone())
            shared = frozenset(item_key(e.url) for e in running)
        except ConfigError as exc:
            unreadable = SourceError("snoozes", str(exc))
    hide = hider(env.now, shared=shared)
    if unreadable is None:
        return hide

    def hide_and_say(report: Report) -> Report:
        hidden = hide(report)
        return replace(hidden, errors=(*hidden.errors, unreadable))

    return hide_and_say


def listing(snoozes: list[Snooze], *, now: datetime) -> Report:
    """The `snoozed` listing: what is hidden, until when, why, and who hid it."""
    items = tuple(
        Item(source="snooze", url=s.url, title=s.url, author=s.who, created_at=s.created_at,
             last_activity_at=s.created_at, days_idle=max(0, (now - s.created_at).days), reason=s.reason,
             extra={"until": s.until, "until_local": s.until_local})
        for s in snoozes
    )
    columns = (
        Column("title", "Item", link="url"),
        Column("until_local", "Until"),
        Column("reason", "Reason"),
        Column("author", "By"),
        Column("created_at", "Snoozed"),
    )
    return Report(name=REPORT_NAME, title=f"Snoozed items ({len(items)})", columns=columns, items=items,
                  generated_at=now, empty_message="Nothing is snoozed.")

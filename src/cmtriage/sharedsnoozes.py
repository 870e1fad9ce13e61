"""snoozes.yaml: the snoozes a whole team shares, in a file beside repos.yaml that the team keeps in git,
so the cron job and the PM's laptop hide the same items.

Human-readable and merge-friendly: a list of `{url, until, by, reason}`, one entry of four lines per
item, sorted by url, written the same way every time (so two people snoozing different items change
different lines, and git merges them). `until` is a date (`2026-12-01`: the item is back when that day
begins in the rotation's time zone) or a UTC time (`"2026-12-03T14:00:00Z"`). Once the file exists,
`snooze` and `unsnooze` write it instead of the local SQLite file (`cmtriage share-snoozes` moves the
local ones in); every report hides what either holds. Ended snoozes are dropped at the next write.

An item's key is its normalised URL with a pull's `/pull/N` read as `/issues/N` (GitHub's one number for
both), so `owner/repo#N`, an issue address and a pull address name the same item.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path

from cmtriage.clock import local_text, utc_text
from cmtriage.errors import UsageError

FILE = "snoozes.yaml"
KEYS = ("url", "until", "by", "reason")
HEADER = (
    "# Snoozed items, shared by the team: keep this file in git beside repos.yaml.\n"
    "# `cmtriage snooze` and `unsnooze` write it (sorted by url, ended snoozes dropped); edit it by hand\n"
    "# if you like. until: a date (the item is back when that day begins) or a UTC time.\n"
)
_SHORT = re.compile(r"^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#([0-9]+)$")
_ITEM_PATH = re.compile(r"^(/[^/]+/[^/]+)/(?:issues|pull|pulls)/([0-9]+)$")


@dataclass(frozen=True)
class Shared:
    url: str
    until: str  # as written: "2026-12-01" or "2026-12-03T14:00:00Z"
    by: str
    reason: str

    def ends(self, tz: tzinfo) -> datetime:
        return until_moment(self.until, tz)


def item_key(url: str) -> str:
    """What a snooze is matched by: the normalised URL, a pull's address read as its issue's."""
    from urllib.parse import urlsplit, urlunsplit

    from cmtriage.snooze import normalise_url

    normal = normalise_url(url)
    try:
        parts = urlsplit(normal)
    except ValueError:
        return normal
    match = _ITEM_PATH.match(parts.path)
    if not match:
        return normal
    return urlunsplit((parts.scheme, parts.netloc, f"{match[1]}/issues/{match[2]}", parts.query, ""))


def github_web_root() -> str:
    """github.com's web address for the API GITHUB_API_URL names (Enterprise: its host without /api/v3)."""
    api = (os.environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/")
    if api.lower() in ("https://api.github.com", "http://api.github.com"):
        return "https://github.com"
    return re.sub(r"/api/v3$", "", api)


def address(text: str) -> str:
    """`owner/repo#N` as its GitHub address; an http(s) address as it is; anything else a usage error."""
    from cmtriage.snooze import web_address

    short = _SHORT.match(text.strip())
    if short:
        return f"{github_web_root()}/{short[1]}/issues/{short[2]}"
    return web_address(text)


def until_moment(text: str, tz: tzinfo = UTC) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), time(), tzinfo=tz).astimezone(UTC)
    except ValueError:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def until_text(given: str, until: datetime) -> str:
    """How `until` is written: the date as given, else the UTC time."""
    try:
        return date.fromisoformat(given.strip()).isoformat()
    except ValueError:
        return utc_text(until)


def path_in(config_dir: Path) -> Path:
    return config_dir / FILE


def read(path: Path) -> list[Shared]:
    """Every entry of the file, ended or not ([] when there is no file); a mistake is a ConfigError
    naming its line."""
    if not path.exists():
        return []
    from cmtriage.urls import http_url
    from cmtriage.yamlnodes import load, required

    root = load(path)
    if root.describe() in ("nothing", "an empty file"):  # no snoozes yet: the header alone
        return []
    entries = []
    for node in root.items():
        keys = node.mapping(KEYS)
        url_node = required(keys, node, "url", "the item's address")
        url = url_node.string()
        if not _SHORT.match(url) and http_url(url) is None:
            url_node.expected("an address like https://github.com/OWNER/REPO/issues/N or OWNER/REPO#N")
        until_node = required(keys, node, "until", "a date like 2026-12-01 or a time like 2026-12-03T14:00Z")
        try:
            written = until_node.date().isoformat()
        except UsageError:
            written = until_node.string()
            try:
                until_moment(written)
            except ValueError:
                until_node.expected('a date like 2026-12-01 or a time like "2026-12-03T14:00:00Z"')
        entries.append(Shared(url=address(url), until=written, by=_optional(keys, "by"),
                              reason=_optional(keys, "reason")))
    return entries


def _optional(keys: dict, name: str) -> str:
    """An optional text: missing, empty (`""`) or nothing at all is ""."""
    if name not in keys or keys[name].describe() in ("nothing", '""'):
        return ""
    return keys[name].string()


def active(path: Path, now: datetime, tz: tzinfo = UTC) -> list[Shared]:
    return [entry for entry in read(path) if entry.ends(tz) > now]


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def dump(entries: Iterable[Shared]) -> str:
    """The file's text: the header, then the entries sorted by url, four lines each."""
    lines = [HEADER.rstrip("\n")]
    for entry in sorted(entries, key=lambda e: (item_key(e.url), e.url)):
        until = entry.until if re.match(r"^\d{4}-\d{2}-\d{2}$", entry.until) else _quoted(entry.until)
        lines += [f"- url: {_quoted(entry.url)}", f"  until: {until}", f"  by: {_quoted(entry.by)}",
                  f"  reason: {_quoted(entry.reason)}"]
    return "\n".join(lines) + "\n"


def write(path: Path, entries: Sequence[Shared]) -> None:
    """Replace the file whole (a crash leaves the old one, two runs at once never share a temporary
    file); it is the team's, so it keeps its mode, or a new one gets the umask's."""
    from cmtriage.files import write_file

    write_file(path, dump(entries))


def add(path: Path, entry: Shared, *, now: datetime, tz: tzinfo = UTC) -> None:
    """Snooze `entry.url` (again: the new snooze replaces the old), dropping the ended ones."""
    key = item_key(entry.url)
    kept = [e for e in active(path, now, tz) if item_key(e.url) != key]
    write(path, [*kept, entry])


def remove(path: Path, url: str, *, now: datetime, tz: tzinfo = UTC) -> bool:
    """Unsnooze `url`; False when the file does not hold it (or its snooze has ended)."""
    if not path.exists():
        return False
    key = item_key(url)
    running = active(path, now, tz)
    kept = [e for e in running if item_key(e.url) != key]
    if len(kept) == len(running):
        return False
    write(path, kept)
    return True


def move_local(path: Path, *, now: datetime, tz: tzinfo = UTC, local: Path | None = None) -> int:
    """Move the running snoozes of the local SQLite file into the shared file (a local one replaces a
    shared one of the same item only when it ends later), then empty the local file. How many moved."""
    from cmtriage import snooze as local_snoozes

    moving = local_snoozes.active(now, local)
    if not moving:
        return 0
    entries = {item_key(e.url): e for e in active(path, now, tz)}
    for snooze in moving:
        key = item_key(snooze.url)
        written = snooze.until_local if re.match(r"^\d{4}-\d{2}-\d{2}$", snooze.until_local) and \
            until_moment(snooze.until_local, tz) == snooze.until else until_text("", snooze.until)
        if key not in entries or entries[key].ends(tz) < snooze.until:
            entries[key] = Shared(url=snooze.url, until=written, by=snooze.who, reason=snooze.reason)
    write(path, list(entries.values()))
    for snooze in moving:
        local_snoozes.remove(snooze.url, now=now, path=local)
    return len(moving)


def listing(local: Sequence, shared: Sequence[Shared], *, now: datetime, tz: tzinfo = UTC,
            titles: dict[str, str] | None = None):
    """`snoozed`: the local snoozes (snooze.listing) and the shared ones, soonest to end first, each under
    its title when a post listed it (else its address). A shared snooze has no `created_at` (the file
    does not keep it; git does) and says `shared: true`."""
    from dataclasses import replace

    from cmtriage.models import Item
    from cmtriage.snooze import listing as local_listing

    report = local_listing(list(local), now=now)
    items = list(report.items)
    for entry in shared:
        ends = entry.ends(tz)
        shown = entry.until if re.match(r"^\d{4}-\d{2}-\d{2}$", entry.until) else local_text(ends, tz)
        items.append(Item(source="snooze", url=entry.url, title=entry.url, author=entry.by, created_at=now,
                          last_activity_at=now, days_idle=0, reason=entry.reason,
                          extra={"until": ends, "until_local": shown, "created_at": None, "shared": True}))
    titles = titles or {}
    items = [replace(item, title=titles.get(item_key(item.url)) or item.url) for item in items]
    items.sort(key=lambda item: (item.extra["until"], item.url))
    return replace(report, items=tuple(items), title=f"Snoozed items ({len(items)})")

"""--post: send a report to Mattermost in row-split parts, and remember it for --only-changes.

What counts as "the same items" for --only-changes: the same set of (source, url, reason, waiting_on),
the same person mentioned, and the same sources failing. So a quiet day, when every item only grew a
day older (days_idle, last activity) or gained a vote or a retitle, posts nothing; a new item, an item
gone, an item whose reason changed (a ticket reopened, a reply now awaited from us rather than from the
author), a new person on duty, or a source failing or recovering posts the whole list again.

The memory is one small JSON file per report and place in the user state directory, named after the
report and a hash of the webhook URL and channel: it holds a digest of the items, never the URL. It is
written only after every part was posted, and deleted when a post fails, so a failed post (with
--only-changes or without) is tried again next time.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cmtriage.clock import local_text
from cmtriage.errors import SourceFailure, UsageError
from cmtriage.models import Digest, Report, counted
from cmtriage.state import read_json, state_dir, write_json

MEMORY_DIR = "posted"


def fingerprint(report: Report | Digest) -> str:
    """A digest of what --only-changes compares (see the module's docstring)."""
    from cmtriage.snooze import normalise_url

    items = sorted([item.source, normalise_url(item.url), item.reason, str(item.get("waiting_on") or "")]
                   for item in listed_items(report))
    failing = sorted({error.source for error in report.errors})
    document = json.dumps({"items": items, "failing": failing, "mention": report.mention}, sort_keys=True)
    return hashlib.sha256(document.encode()).hexdigest()


def memory_path(report_name: str, webhook_url: str, channel: str | None) -> Path:
    place = hashlib.sha256(f"{webhook_url}\n{channel or ''}".encode()).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", report_name)
    return state_dir() / MEMORY_DIR / f"{name}-{place}.json"


def target(env, given: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """channel, username and icon_url for the webhook body: the options `given`, else repos.yaml's
    `mattermost:` (when there is a repos.yaml), else nothing and the hook's own settings apply."""
    from cmtriage.config import REPOS_FILE, MattermostTarget

    configured = env.repos().mattermost if (env.config_dir / REPOS_FILE).is_file() else MattermostTarget()
    given = given or {}
    return {key: given.get(key) or getattr(configured, key) for key in ("channel", "username", "icon_url")}


def _forget(memory: Path) -> None:
    import contextlib

    with contextlib.suppress(OSError):
        memory.unlink(missing_ok=True)


def _when(memory: dict) -> str:
    try:
        posted = datetime.fromisoformat(memory["posted_at"])
    except (KeyError, TypeError, ValueError):
        return ""
    return f" on {local_text(posted)}"


@dataclass(frozen=True)
class Posted:
    """What a post did, for the command to say: one line, and warnings."""

    said: str
    warnings: tuple[str, ...] = ()


def post_report(report: Report | Digest, *, env, only_changes: bool, place: Mapping[str, str] | None = None
                ) -> Posted:
    """Post `report` to MATTERMOST_WEBHOOK_URL, one webhook post per part, in order."""
    from cmtriage.render import payloads
    from cmtriage.sources import mattermost

    url = mattermost.webhook_url()
    place = target(env, place)
    where = "Mattermost" + (f" (~{place['channel']})" if place["channel"] else "")
    memory = memory_path(report.name, url, place["channel"])
    digest = fingerprint(report)
    last = read_json(memory)
    if only_changes and isinstance(last, dict) and last.get("digest") == digest:
        return Posted(f"{report.name}: same items as the last post to {where}{_when(last)}; posted nothing")
    bodies = payloads(report, place)
    with mattermost.client() as http:
        for number, body in enumerate(bodies, 1):
            try:
                mattermost.post(http, url, body)
            except SourceFailure as exc:
                done = f"parts 1-{number - 1} were posted" if number > 2 else (
                    "part 1 was posted" if number == 2 else "nothing was posted")
                if exc.may_have_arrived and number == 1:
                    done = "it may have been posted"
                failed = f"part {number} of {len(bodies)} failed" if len(bodies) > 1 else "the post failed"
                # The channel no longer shows what the memory says was posted: the next --only-changes
                # must post, whether this run asked for --only-changes or not.
                _forget(memory)
                raise SourceFailure(mattermost.SOURCE, f"{failed} ({done}): {exc.detail}") from None
    warnings: tuple[str, ...] = ()
    try:
        from cmtriage.changes import remember

        everything = listed_items(report)
        listing = remember(everything, report.name, _last_post(last), now=env.now, tz=env.team_timezone())
        write_json(memory, {"report": report.name, "digest": digest, "items": len(everything),
                            "parts": len(bodies), "posted_at": env.now.isoformat(), "listed": listing})
    except UsageError as exc:
        warnings = (f"posted, but {exc}; --only-changes will post it again next time",)
    return Posted(f"posted {counted(len(bodies), 'part')} to {where}", warnings)


# --- what the last post listed, for --changes -----------------------------------------------------------
def listed_items(report: Report | Digest) -> list:
    """Every item on the list: those shown and those --limit or --summary left out (`rest`), not the
    gone ones of --changes; a digest's tagged with their section."""
    from dataclasses import replace

    from cmtriage.changes import listed

    if not hasattr(report, "sections"):
        return list(listed((*report.items, *report.rest)))
    return [replace(item, extra={**item.extra, "section": section.name}) for section in report.sections
            for item in listed((*section.items, *section.rest))]


def _last_post(memory: object):
    """The memory file's listing as changes.LastPost; None when there is no usable one."""
    from cmtriage.changes import LastPost

    if not isinstance(memory, dict) or not isinstance(memory.get("listed"), list):
        return None
    try:
        posted_at = datetime.fromisoformat(str(memory.get("posted_at")))
    except ValueError:
        posted_at = None
    return LastPost(tuple(entry for entry in memory["listed"] if isinstance(entry, dict)), posted_at)


def last_listed(report_name: str, *, env, place: Mapping[str, str] | None = None):
    """What the last post of `report_name` listed: the post to MATTERMOST_WEBHOOK_URL (and the channel)
    when it is set, else the latest post of that report anywhere; None when nothing was posted yet."""
    import os

    from cmtriage.sources.mattermost import URL_VARIABLE

    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        return _last_post(read_json(memory_path(report_name, url, target(env, place)["channel"])))
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", report_name)
    found = [_last_post(read_json(path)) for path in (state_dir() / MEMORY_DIR).glob(f"{name}-*.json")]
    found = [post for post in found if post is not None]
    return max(found, key=lambda post: post.posted_at or datetime.min.replace(tzinfo=UTC), default=None)


def known_titles() -> dict[str, str]:
    """Item key (sharedsnoozes.item_key) -> title, from what the posts remember listing: how `snoozed`
    names the items it can, without asking any source."""
    from cmtriage.sharedsnoozes import item_key

    titles: dict[str, str] = {}
    for path in sorted((state_dir() / MEMORY_DIR).glob("*.json")):
        post = _last_post(read_json(path))
        for entry in post.entries if post else ():
            if entry.get("url") and entry.get("title"):
                titles[item_key(str(entry["url"]))] = str(entry["title"])
    return titles

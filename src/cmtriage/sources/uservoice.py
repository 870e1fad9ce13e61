"""UserVoice: the feature ideas (suggestions), from the Admin API v2 or from an export file.

API: a token by client credentials (`POST /api/v2/oauth/token`, asked again once when an answer is a
401: tokens expire), then `admin/suggestions` with `includes=statuses,users` (status names and
creators' names side-loaded), and the same paging for `admin/comments`, `admin/notes` and
`admin/status_updates`, so Jira keys in admin notes and status notes count, and volunteers in comments
are seen. Each listing follows `pagination.cursor` when the account pages by cursor, else `page` up to
`total_pages`: 100 a page, never a request per suggestion. A 429's `Retry-After` may be seconds or an
epoch time (HttpClient reads both).

Export: many teams have left UserVoice, so `read_export(path)` reads a suggestions export instead: a CSV
with a header row (columns matched by name, see CSV_COLUMNS) or the API's JSON saved to a file (one
answer, or a list of page answers). Same records, no network.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmtriage.errors import SourceFailure, UsageError, required
from cmtriage.sources import shapes
from cmtriage.sources.shapes import Unexpected, count, identifier, objects, text, whole

if TYPE_CHECKING:
    from cmtriage.cache import Cache
    from cmtriage.sources.http import HttpClient

SOURCE = "uservoice"
PAGE_SIZE = 100
ID_VARIABLE = "USERVOICE_CLIENT_ID"
SECRET_VARIABLE = "USERVOICE_CLIENT_SECRET"
MAX_PAGES = 1000  # 100,000 records: a server that never says "last page" cannot keep a run going forever
CLOSED_STATES = ("closed",)


@dataclass(frozen=True)
class Comment:
    author: str
    body: str
    created_at: datetime
    admin: bool  # written by the team (an admin comment)


@dataclass(frozen=True)
class Suggestion:
    id: int
    title: str
    body: str
    state: str  # "open" | "closed" (UserVoice's own); "" when an export does not say
    status: str  # the status's name on the site; "" when it has none
    created_at: datetime
    updated_at: datetime
    votes: int | None  # votes_count, else supporters_count; None when neither is given
    url: str  # the portal page a person opens
    creator: str  # the nominator's name
    notes: tuple[str, ...] = ()  # admin notes and the status note: where the team writes Jira keys
    comments: tuple[Comment, ...] = ()

    @property
    def open(self) -> bool:
        return self.state.casefold() not in CLOSED_STATES


def credentials() -> tuple[str, str]:
    """(client id, client secret) from the environment; exit 2 naming whichever is missing."""
    client_id, secret = required(
        ID_VARIABLE, SECRET_VARIABLE, why="the uservoice report signs in with a trusted API key (UserVoice "
        "Admin > Settings > Integrations > UserVoice API keys), or reads an export: --from-file FILE or "
        "uservoice.export in repos.yaml")
    return client_id, secret


# --- reading answers -------------------------------------------------------------------------------------
def _parsed(value: str) -> datetime:
    from dateutil import parser

    return parser.parse(value.strip())


def instant(value: Any, what: str) -> datetime:
    """A UserVoice time: ISO 8601 from the API; an export's local forms ("11/24/2026 3:04 PM") too.
    One without an offset is taken as UTC."""
    return shapes.instant(value, what, _parsed)


def _id(value: Any, what: str) -> int:
    return identifier(value, what, digits=True)


def _link(raw: dict[str, Any], name: str) -> int | None:
    links = raw.get("links")
    if not isinstance(links, dict):
        return None
    value = links.get(name)
    return value if whole(value) else None


@dataclass
class _Collected:
    """The raw records of every listing, joined into Suggestions at the end."""

    suggestions: list[dict[str, Any]]
    statuses: dict[int, str]
    users: dict[int, str]
    comments: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    status_updates: list[dict[str, Any]]

    @classmethod
    def empty(cls) -> _Collected:
        return cls([], {}, {}, [], [], [])

    def add(self, key: str, page: dict[str, Any]) -> None:
        self.add_names(page)
        getattr(self, key).extend(objects(page, key))

    def add_names(self, page: dict[str, Any]) -> None:
        """The status and user names a page side-loads."""
        for status in objects(page, "statuses"):
            name = text(status.get("name"), "a status's name")
            self.statuses[_id(status.get("id"), "a status's id")] = name
        for user in objects(page, "users"):
            self.users[_id(user.get("id"), "a user's id")] = text(user.get("name"), "a user's name")

    def joined(self) -> list[Suggestion]:
        notes: dict[int, list[str]] = {}
        for note in [*self.notes, *self.status_updates]:
            suggestion = _link(note, "suggestion")
            if suggestion is not None:
                notes.setdefault(suggestion, []).append(text(note.get("body"), "a note's body"))
        comments: dict[int, list[Comment]] = {}
        for raw in self.comments:
            suggestion = _link(raw, "suggestion")
            if suggestion is None or raw.get("state") in ("deleted", "spam"):
                continue
            author = _link(raw, "created_by")
            comments.setdefault(suggestion, []).append(Comment(
                author=self.users.get(author, f"user {author}" if author else ""),
                body=text(raw.get("body"), "a comment's body"),
                created_at=instant(raw.get("created_at"), "a comment's created_at"),
                admin=raw.get("is_admin_comment") is True,
            ))
        found: dict[int, Suggestion] = {}
        for raw in self.suggestions:
            id = _id(raw.get("id"), "a suggestion's id")
            status = _link(raw, "status")
            creator = _link(raw, "created_by")
            created = instant(raw.get("created_at"), f"suggestion {id}: created_at")
            updated = raw.get("updated_at")
            votes = count(raw.get("votes_count"), f"suggestion {id}: votes_count")
            if votes is None:
                votes = count(raw.get("supporters_count"), f"suggestion {id}: supporters_count")
            found.setdefault(id, Suggestion(
                id=id,
                title=text(raw.get("title"), f"suggestion {id}: title"),
                body=text(raw.get("body"), f"suggestion {id}: body"),
                state=text(raw.get("state"), f"suggestion {id}: state"),
                status=self.statuses.get(status, "") if status is not None else "",
                created_at=created,
                updated_at=instant(updated, f"suggestion {id}: updated_at") if updated else created,
                votes=votes,
                url=text(raw.get("portal_url"), f"suggestion {id}: portal_url"),
                creator=self.users.get(creator, f"user {creator}" if creator else ""),
                notes=tuple(notes.get(id, ())),
                comments=tuple(sorted(comments.get(id, ()), key=lambda c: c.created_at)),
            ))
        return list(found.values())


# --- the API ---------------------------------------------------------------------------------------------
class _Session:
    """A bearer token that is asked for again once when the server says it expired (a 401)."""

    def __init__(self, http: HttpClient, client_id: str, secret: str):
        self.http, self._client_id, self._secret = http, client_id, secret
        self._token: str | None = None

    def _sign_in(self) -> str:
        response = self.http.request("POST", "/api/v2/oauth/token", data={
            "grant_type": "client_credentials", "client_id": self._client_id, "client_secret": self._secret})
        if response.status_code in (400, 401, 403):
            raise self.http.fail(response.request.url, f"HTTP {response.status_code}: UserVoice refused the "
                                 f"API key; check {ID_VARIABLE} and {SECRET_VARIABLE}")
        if not response.is_success:
            raise self.http.fail(response.request.url,
                                 f"HTTP {response.status_code} {response.reason_phrase}")
        token = shapes.body(response).get("access_token")
        if not isinstance(token, str) or not token:
            raise self.http.fail(response.request.url, "the token answer holds no access_token")
        return token

    def get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        renewed = False
        while True:
            if self._token is None:
                self._token = self._sign_in()
            response = self.http.request("GET", path, params=params,
                                         headers={"Authorization": f"Bearer {self._token}"})
            if response.status_code == 401 and not renewed:  # expired: one new token, then ask again
                self._token, renewed = None, True
                continue
            if not response.is_success:
                detail = " (a new token was refused too)" if response.status_code == 401 else ""
                raise self.http.fail(response.request.url,
                                     f"HTTP {response.status_code} {response.reason_phrase}{detail}")
            return shapes.decoded_object(self.http, response)


def _pages(session: _Session, path: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Every page of a listing: by cursor when the server gives one, else by page number."""
    page, cursor = 1, None
    for _ in range(MAX_PAGES):
        asked = {**params, "per_page": str(PAGE_SIZE)}
        asked.update({"cursor": cursor} if cursor else {"page": str(page)})
        body = session.get(path, asked)
        yield body
        pagination = body.get("pagination")
        if not isinstance(pagination, dict):
            return
        following = pagination.get("cursor") or pagination.get("next_cursor")
        if isinstance(following, str) and following:
            if following == cursor:
                raise Unexpected(f"{path}: the cursor did not move")
            cursor = following
            continue
        if cursor:  # paging by cursor, and no further cursor: done
            return
        total = pagination.get("total_pages")
        if not isinstance(total, int) or page >= total:
            return
        page += 1
    raise Unexpected(f"{path}: more than {MAX_PAGES} pages")


LISTINGS = (
    ("suggestions", "/api/v2/admin/suggestions", {"includes": "statuses,users", "sort": "id"}),
    ("comments", "/api/v2/admin/comments", {"includes": "users", "sort": "id"}),
    ("notes", "/api/v2/admin/notes", {"sort": "id"}),
    ("status_updates", "/api/v2/admin/status_updates", {"sort": "id"}),
)


# What the cache keeps of each record: the fields the report reads, and the links it joins on.
KEPT = {
    "suggestions": ("id", "title", "body", "state", "created_at", "updated_at", "votes_count",
                    "supporters_count", "portal_url"),
    "comments": ("id", "body", "state", "is_admin_comment", "created_at", "updated_at"),
    "notes": ("id", "body", "created_at", "updated_at"),
    "status_updates": ("id", "body", "created_at", "updated_at"),
}
KEPT_LINKS = ("status", "created_by", "suggestion")
FULL_EVERY = timedelta(days=7)  # a full listing at least this often: the only way to see deletions
MARGIN = timedelta(hours=1)  # asked again from this long before the last listing (clocks differ)


def _slim(raw: dict[str, Any], key: str) -> dict[str, Any]:
    links = raw.get("links") if isinstance(raw.get("links"), dict) else {}
    return {**{name: raw[name] for name in KEPT[key] if name in raw},
            "links": {name: links[name] for name in KEPT_LINKS if name in links}}


def _since(entry: Any, now: datetime) -> datetime | None:
    """When the cached listing was made (minus the margin), if it can be brought up to date."""
    if not isinstance(entry, dict) or not isinstance(entry.get("records"), dict):
        return None
    try:
        at, full = datetime.fromisoformat(entry["at"]), datetime.fromisoformat(entry["full"])
    except (KeyError, TypeError, ValueError):
        return None
    return at - MARGIN if now - full < FULL_EVERY else None


def fetch(url: str, client_id: str, secret: str, *, http: HttpClient | None = None,
          budget: Any = None, cache: Cache | None = None) -> list[Suggestion]:
    """Every suggestion of the site with its status, creator, notes and comments. With a cache, a
    listing made in the last week is brought up to date with `updated_after` (one page, usually)
    instead of being read whole. Raises SourceFailure."""
    from cmtriage.sources.http import HttpClient

    base = url.rstrip("/")
    own = http is None
    http = http or HttpClient(SOURCE, base, budget=budget)
    now = datetime.now(UTC)
    try:
        session = _Session(http, client_id, secret)
        collected = _Collected.empty()
        names = cache.get("names") if cache else None
        if isinstance(names, dict):
            for kind in ("statuses", "users"):
                getattr(collected, kind).update({int(k): v for k, v in (names.get(kind) or {}).items()
                                                 if str(k).isdigit() and isinstance(v, str)})
        for key, path, params in LISTINGS:
            entry = cache.get(f"listing:{key}") if cache else None
            since = _since(entry, now)
            records: dict[str, dict[str, Any]] = dict(entry["records"]) if since else {}
            asked = {**params, **({"updated_after": since.strftime("%Y-%m-%dT%H:%M:%SZ")} if since else {})}
            for page in _pages(session, f"{base}{path}", asked):
                collected.add_names(page)  # the records themselves are kept by id, below
                for raw in objects(page, key):
                    records[str(_id(raw.get("id"), f"a record of {key}"))] = _slim(raw, key)
            setattr(collected, key, list(records.values()))
            if cache:
                cache.put(f"listing:{key}", {"at": now.isoformat(), "records": records,
                                             "full": entry["full"] if since else now.isoformat()})
        if cache:
            cache.put("names", {kind: {str(k): v for k, v in getattr(collected, kind).items()}
                                for kind in ("statuses", "users")})
        return collected.joined()
    except Unexpected as exc:
        raise shapes.unexpected(http, base, exc) from None
    finally:
        if own:
            http.close()


# --- an export -------------------------------------------------------------------------------------------
# A CSV's columns, matched by header case-insensitively, spaces and underscores alike; the first of
# each list that is present is read. id, title and a creation time are required.
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "suggestion id", "idea id"),
    "title": ("title", "suggestion title", "idea title", "suggestion", "idea"),
    "body": ("body", "text", "description", "suggestion text", "idea description", "details"),
    "state": ("state",),
    "status": ("status", "status name"),
    "votes": ("votes", "votes count", "vote count", "supporters", "supporters count"),
    "created_at": ("created at", "created", "date created", "creation date"),
    "updated_at": ("updated at", "updated", "last updated"),
    "creator": ("creator", "creator name", "created by", "user name", "submitter"),
    "url": ("url", "portal url", "link", "public url"),
    "notes": ("admin notes", "notes", "status note", "status message", "admin response", "response"),
    "comments": ("comments",),
}


def _key(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).casefold()


def _from_csv(text: str) -> list[Suggestion]:
    rows = csv.reader(io.StringIO(text, newline=""))  # a quoted cell may hold newlines
    header = next(rows, None)
    if not header:
        raise Unexpected("the CSV has no header row")
    at = {_key(name): index for index, name in reversed(list(enumerate(header)))}
    columns = {field: next((at[name] for name in names if name in at), None)
               for field, names in CSV_COLUMNS.items()}
    lacking = [field for field in ("id", "title", "created_at") if columns[field] is None]
    if lacking:
        wanted = "; ".join(f"{field}: one of {', '.join(CSV_COLUMNS[field])}" for field in lacking)
        raise Unexpected(f"the CSV header lacks a column for {wanted}")
    found: dict[int, Suggestion] = {}
    for number, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row: list[str] = row) -> str:
            index = columns[field]
            return row[index].strip() if index is not None and index < len(row) else ""

        where = f"row {number}"
        id = _id(cell("id"), f"{where}: id")
        created = instant(cell("created_at"), f"{where}: created_at")
        status = cell("status")
        state = cell("state") or ("closed" if status.casefold() in ("completed", "declined") else "open")
        comments = cell("comments")
        found.setdefault(id, Suggestion(
            id=id, title=cell("title"), body=cell("body"), state=state, status=status, created_at=created,
            updated_at=instant(cell("updated_at"), f"{where}: updated_at") if cell("updated_at") else created,
            votes=count(cell("votes"), f"{where}: votes"), url=cell("url"), creator=cell("creator"),
            notes=tuple(n for n in (cell("notes"),) if n),
            # An export's comments are one cell: kept as one comment of unknown authorship.
            comments=(Comment("", comments, created, admin=False),) if comments and not comments.isdigit()
            else (),
        ))
    return list(found.values())


def _from_json(data: Any) -> list[Suggestion]:
    pages = data if isinstance(data, list) else [data]
    if not pages or not all(isinstance(page, dict) for page in pages):
        raise Unexpected("expected the API's answer (an object with suggestions) or a list of them")
    collected = _Collected.empty()
    for page in pages:
        for key in ("suggestions", "comments", "notes", "status_updates"):
            collected.add(key, page)
    return collected.joined()


def read_export(path: Path) -> list[Suggestion]:
    """The suggestions of an export file; a file that cannot be read or understood is a UsageError
    naming it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read the UserVoice export {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text (save the export as UTF-8 CSV or JSON)") from None
    try:
        if text.lstrip().startswith(("{", "[")):
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise Unexpected(f"not valid JSON ({exc})") from None
            return _from_json(data)
        return _from_csv(text)
    except Unexpected as exc:
        raise UsageError(f"{path}: {exc}") from None


__all__ = ["Comment", "SourceFailure", "Suggestion", "credentials", "fetch", "read_export"]

"""A fake UserVoice Admin API v2 on 127.0.0.1, shaped after ../shared/api-notes.md (UserVoice API v2):

- `POST /api/v2/oauth/token` (form `grant_type=client_credentials`, `client_id`, `client_secret`) answers
  `{"access_token", "token_type": "bearer"}`; bad credentials a 401 `{"error": "invalid_client"}`;
- `GET /api/v2/admin/{suggestions,comments,notes,status_updates}?page=N&per_page=M` with
  `Authorization: Bearer`: `{KEY: [...], "links": {...type map...}, "pagination": {page, per_page,
  total_pages, total_records}}`; with `paging="cursor"` the pagination carries a `cursor` for the next
  page instead (null on the last), and `?cursor=` asks for it;
- `includes=statuses,users` side-loads `statuses[{id, name, ...}]` and `users[{id, name}]` for the page;
  each record's `links` holds integer ids;
- `expire()` makes every token issued so far answer 401 (as an expired token does);
- `throttle(n, retry_after)` answers the next n admin requests 429 with that `Retry-After` (seconds, or
  an epoch time: UserVoice documents the latter);
- `updated_after=ISO` keeps the records updated at or after that time (the Airbyte and singer taps' filter);
- `latency` seconds before each answer (the benchmark's 100 ms).
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from fakes import Asked, json_handler, served

CLIENT_ID = "uv-client-1f2e"
CLIENT_SECRET = "uv-secret-9a8b7c6d"
STATUSES = [
    {"id": 1, "name": "Under Review"},
    {"id": 2, "name": "Planned"},
    {"id": 3, "name": "Started"},
    {"id": 4, "name": "Help Wanted"},
    {"id": 5, "name": "Completed"},
    {"id": 6, "name": "Declined"},
]
STATUS_IDS = {s["name"]: s["id"] for s in STATUSES}
LISTINGS = ("suggestions", "comments", "notes", "status_updates")


def suggestion(
    id: int,
    title: str,
    *,
    body: str = "",
    creator: int,
    status: str | None = None,
    state: str = "open",
    created_at: str = "2026-06-01T10:00:00Z",
    updated_at: str | None = None,
    votes: int | None = 10,
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": id,
        "title": title,
        "body": body,
        "body_mime_type": "text/plain",
        "state": state,
        "created_at": created_at,
        "updated_at": updated_at or created_at,
        "closed_at": None,
        "comments_count": 0,
        "notes_count": 0,
        "requests_count": 0,
        "supporters_count": votes or 0,
        "portal_url": f"https://example.uservoice.com/forums/1-general/suggestions/{id}-idea",
        "admin_url": f"https://example.uservoice.com/admin/v3/ideas/{id}",
        "links": {
            "forum": 1,
            "category": None,
            "status": STATUS_IDS[status] if status else None,
            "created_by": creator,
            "labels": [],
            "last_status_update": None,
        },
    }
    if votes is not None:
        raw["votes_count"] = votes
    return raw


def comment(
    id: int,
    suggestion: int,
    body: str,
    *,
    creator: int,
    admin: bool = False,
    created_at: str = "2026-07-01T10:00:00Z",
) -> dict[str, Any]:
    return {
        "id": id,
        "body": body,
        "state": "approved",
        "channel": "web",
        "is_admin_comment": admin,
        "created_at": created_at,
        "updated_at": created_at,
        "links": {"created_by": creator, "suggestion": suggestion},
    }


def note(id: int, suggestion: int, body: str, *, creator: int = 900) -> dict[str, Any]:
    return {
        "id": id,
        "body": body,
        "created_at": "2026-07-02T10:00:00Z",
        "links": {"created_by": creator, "suggestion": suggestion, "mentions": []},
    }


def user(id: int, name: str) -> dict[str, Any]:
    return {"id": id, "name": name, "email_address": f"user{id}@example.com"}


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    authorization: str | None


@dataclass
class FakeUserVoice:
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    status_updates: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=lambda: list(STATUSES))
    paging: str = "pages"  # "pages" | "cursor"
    expire_after: int | None = None  # tokens expire once, after this many admin requests
    latency: float = 0.0
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    _tokens: set[str] = field(default_factory=set)
    _issued: int = 0
    _throttled: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def expire(self) -> None:
        self._tokens.clear()

    def throttle(self, times: int, retry_after: str) -> None:
        self._throttled.extend([retry_after] * times)

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def answer(
        self, method: str, path: str, params: dict[str, str], form: dict[str, str], authorization: str | None
    ) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            self.requests.append(Request(method, path, params, authorization))
            if method == "POST" and path == "/api/v2/oauth/token":
                if (
                    form.get("grant_type") != "client_credentials"
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                ):
                    return 401, {}, {"error": "invalid_client"}
                self._issued += 1
                token = f"uv-token-{self._issued}"
                self._tokens.add(token)
                return 200, {}, {"access_token": token, "token_type": "bearer", "created_at": 0}
            if self._throttled:
                return 429, {"Retry-After": self._throttled.pop(0)}, {"errors": {"message": "rate limited"}}
            if (
                self.expire_after is not None
                and sum(r.path != "/api/v2/oauth/token" for r in self.requests) > self.expire_after
            ):
                self.expire_after = None
                self._tokens.clear()
            scheme, _, token = (authorization or "").partition(" ")
            if scheme != "Bearer" or token not in self._tokens:
                return 401, {}, {"errors": {"message": "unauthorized", "code": "unauthorized"}}
        key = path.removeprefix("/api/v2/admin/")
        if method != "GET" or key not in LISTINGS:
            return 404, {}, {"errors": {"message": "not found"}}
        return 200, {}, self._page(key, params)

    def _page(self, key: str, params: dict[str, str]) -> dict[str, Any]:
        records = sorted(getattr(self, key), key=lambda r: r["id"])
        if params.get("updated_after"):
            records = [r for r in records if r.get("updated_at", r["created_at"]) >= params["updated_after"]]
        per_page = min(int(params.get("per_page", "20")), 100)
        if self.paging == "cursor" and params.get("cursor"):
            page = int(params["cursor"].removeprefix("c"))
        else:
            page = int(params.get("page", "1"))
        shown = records[(page - 1) * per_page : page * per_page]
        total_pages = max(1, -(-len(records) // per_page))
        body: dict[str, Any] = {key: shown, "links": {f"{key}.created_by": {"type": "users"}}}
        if self.paging == "cursor":
            body["pagination"] = {
                "per_page": per_page,
                "total_records": len(records),
                "cursor": f"c{page + 1}" if page < total_pages else None,
            }
        else:
            body["pagination"] = {
                "page": page,
                "per_page": per_page,
                "total_pages": total_pages,
                "total_records": len(records),
            }
        includes = params.get("includes", "").split(",")
        if "statuses" in includes:
            body["statuses"] = self.statuses
        if "users" in includes:
            wanted = {r["links"].get("created_by") for r in shown}
            body["users"] = [u for u in self.users if u["id"] in wanted]
        return body


def _handler(fake: FakeUserVoice) -> type[BaseHTTPRequestHandler]:
    def answer(asked: Asked) -> tuple[int, dict[str, str], Any]:
        return fake.answer(asked.method, asked.path, asked.params, asked.form(),
                           asked.header("Authorization"))

    return json_handler(answer, methods=("GET", "POST"), latency=lambda: fake.latency)


def serve(fake: FakeUserVoice) -> AbstractContextManager[FakeUserVoice]:
    return served(fake, _handler(fake))

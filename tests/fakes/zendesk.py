"""A fake Zendesk Support API on 127.0.0.1: search with offset pagination, users/show_many, token auth.

Shaped after developer.zendesk.com's Search and Users references:
- `GET /api/v2/search.json?query=...&sort_by=created_at&sort_order=desc&per_page=100&include=tickets(users)`
  answers `{"results": [...], "count": N, "next_page": absolute URL or null, "previous_page", "facets"}`,
  at most 100 a page and 1,000 in all: a page past the 1,000th result is a 422, while `count` keeps the
  real total and the 10th page still offers a `next_page`;
- `include=tickets(users)` side-loads `users[]` for the page's tickets;
- `GET /api/v2/users/show_many.json?ids=1,2` answers `{"users": [...]}` (at most 100 ids);
- Basic auth `{email}/token:{api_token}`; anything else is a 401 `{"error": "Couldn't authenticate you"}`;
- `throttle(n, retry_after, after=k)` answers the n requests after the next k with a 429 and
  `Retry-After`, as Zendesk does;
- `odd` replaces keys of every search answer, for answers Zendesk should never give
  (`odd={"results": {"id": 1}}`).

The fake does not parse Zendesk's query language: every ticket matches, and tests read `requests` to see
what was asked.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlencode

from fakes import Asked, json_handler, served

MAX_RESULTS = 1000
MAX_PAGE = 100
EMAIL = "pm@example.com"
TOKEN = "zd-fake-token-5d1f0c"


def ticket(id: int, subject: str, *, requester_id: int, created_at: str, updated_at: str | None = None,
           status: str = "open", priority: str | None = "normal", tags: tuple[str, ...] = ("community",),
           ) -> dict[str, Any]:
    """A ticket as search returns it (the fields a search result carries; `url` is the API address)."""
    return {
        "result_type": "ticket",
        "id": id,
        "url": f"https://example.zendesk.com/api/v2/tickets/{id}.json",
        "subject": subject,
        "raw_subject": subject,
        "description": f"Ticket {id}",
        "status": status,
        "priority": priority,
        "type": "question",
        "requester_id": requester_id,
        "submitter_id": requester_id,
        "assignee_id": 9000,
        "tags": list(tags),
        "created_at": created_at,
        "updated_at": updated_at or created_at,
    }


def user(id: int, name: str) -> dict[str, Any]:
    return {"id": id, "name": name, "email": f"user{id}@example.com", "role": "end-user",
            "url": f"https://example.zendesk.com/api/v2/users/{id}.json"}


@dataclass
class Request:
    path: str
    params: dict[str, str]
    authorization: str | None


@dataclass
class FakeZendesk:
    tickets: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    sideload: bool = True  # honour include=tickets(users)
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    next_page_base: str | None = None  # where next_page points, when not at the fake itself
    odd: dict[str, Any] = field(default_factory=dict)  # replaces keys of every search answer
    # tamper(path, params, authorization, (status, headers, body)) -> (status, headers, body)
    tamper: Callable[..., tuple[int, dict, Any]] | None = None
    _throttled: list[str | None] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def throttle(self, times: int, retry_after: str = "0", *, after: int = 0) -> None:
        self._throttled.extend([None] * after + [retry_after] * times)

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    # --- answers -------------------------------------------------------------------------------------
    def answer(self, path: str, params: dict[str, str], authorization: str | None) -> tuple[int, dict, Any]:
        found = self._answer(path, params, authorization)
        return self.tamper(path, params, authorization, found) if self.tamper else found

    def _answer(self, path: str, params: dict[str, str], authorization: str | None) -> tuple[int, dict, Any]:
        with self._lock:
            self.requests.append(Request(path, params, authorization))
            wait = self._throttled.pop(0) if self._throttled else None
            if wait is not None:
                return 429, {"Retry-After": wait}, {
                    "error": "APIRateLimitExceeded",
                    "description": "Number of allowed API requests per minute exceeded"}
        expected = "Basic " + base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
        if authorization != expected:
            return 401, {}, {"error": "Couldn't authenticate you"}
        if path == "/api/v2/search.json":
            return self._search(params)
        if path == "/api/v2/users/show_many.json":
            ids = [int(i) for i in params.get("ids", "").split(",") if i]
            if len(ids) > 100:
                return 400, {}, {"error": "InvalidValue", "description": "Too many ids (max 100)"}
            return 200, {}, {"users": [u for u in self.users if u["id"] in ids]}
        return 404, {}, {"error": "InvalidEndpoint", "description": "Not found"}

    def _search(self, params: dict[str, str]) -> tuple[int, dict, Any]:
        if not params.get("query"):
            return 400, {}, {"error": "invalid", "description": "Missing query"}
        page = int(params.get("page", "1"))
        per_page = min(int(params.get("per_page", str(MAX_PAGE))), MAX_PAGE)
        found = list(self.tickets)
        if params.get("sort_by") == "created_at":
            found.sort(key=lambda t: t["created_at"], reverse=params.get("sort_order", "desc") == "desc")
        start = (page - 1) * per_page
        if start + per_page > MAX_RESULTS:
            return 422, {}, {"error": "invalid",
                             "description": "Invalid search: Requested response size was greater than "
                                            "Search Response Limits"}
        results = found[start:start + per_page]
        body: dict[str, Any] = {
            "results": results,
            "count": len(found),
            "facets": None,
            "next_page": self._page_url(params, page + 1) if start + per_page < len(found) else None,
            "previous_page": self._page_url(params, page - 1) if page > 1 else None,
        }
        if self.sideload and params.get("include") == "tickets(users)":
            wanted = {t["requester_id"] for t in results} | {t["submitter_id"] for t in results}
            body["users"] = [u for u in self.users if u["id"] in wanted]
        return 200, {}, {**body, **self.odd}

    def _page_url(self, params: dict[str, str], page: int) -> str:
        base = self.next_page_base or self.url
        return f"{base}/api/v2/search.json?" + urlencode({**params, "page": str(page)})


def _handler(fake: FakeZendesk) -> type[BaseHTTPRequestHandler]:
    def answer(asked: Asked) -> tuple[int, dict, Any]:
        return fake.answer(asked.path, asked.params, asked.header("Authorization"))

    return json_handler(answer)


def serve(fake: FakeZendesk) -> AbstractContextManager[FakeZendesk]:
    return served(fake, _handler(fake))

"""Zendesk Support: the tickets a search query finds, with their requesters' names.

One search, newest first, 100 a page, following `next_page` up to Zendesk's cap of 1,000 results;
requesters come side-loaded with each page (`include=tickets(users)`), and any the side-load missed in
one `users/show_many` call per 100. So a run costs (pages + rarely one) requests, never one per ticket.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cmtriage.config import Zendesk
from cmtriage.errors import SourceFailure, UsageError

if TYPE_CHECKING:
    import httpx

    from cmtriage.sources.http import HttpClient

SOURCE = "zendesk"
MAX_RESULTS = 1000  # Zendesk search answers a page past the 1,000th result with a 422
PAGE_SIZE = 100
EMAIL_VARIABLE = "ZENDESK_EMAIL"
TOKEN_VARIABLE = "ZENDESK_API_TOKEN"


@dataclass(frozen=True)
class Ticket:
    id: int
    subject: str
    status: str
    priority: str | None
    requester: str
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    url: str  # the agent's page: {zendesk url}/agent/tickets/{id}


@dataclass(frozen=True)
class Found:
    tickets: tuple[Ticket, ...]
    total: int  # Zendesk's count of matches: more than len(tickets) when the 1,000 cap cut the list


def credentials() -> tuple[str, str]:
    """(email, API token) from the environment; exit 2 naming whichever is missing."""
    email, token = os.environ.get(EMAIL_VARIABLE, "").strip(), os.environ.get(TOKEN_VARIABLE, "").strip()
    missing = [name for name, value in ((EMAIL_VARIABLE, email), (TOKEN_VARIABLE, token)) if not value]
    if missing:
        raise UsageError(
            f"{' and '.join(missing)} not set: the zendesk report signs in as an agent with an API token "
            f"(Zendesk Admin Center > Apps and integrations > Zendesk API)"
        )
    return email, token


def _origin(url: str) -> tuple[str, str]:
    import httpx

    parsed = httpx.URL(url)
    return parsed.scheme, parsed.netloc.decode()


def _failure(http: HttpClient, response: httpx.Response) -> SourceFailure:
    """What a non-2xx answer means, in words a user can act on (never the credentials)."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # some endpoints nest it: {"error": {"title", "message"}}
            error = error.get("message") or error.get("title")
        detail = str(body.get("description") or error or "")
    if status == 401:
        message = (f"HTTP 401: Zendesk refused the credentials ({detail or 'unauthorized'}); check "
                   f"{EMAIL_VARIABLE} and {TOKEN_VARIABLE}")
    elif status == 403:
        message = f"HTTP 403: {detail or 'forbidden'} (the search needs an agent's API token)"
    else:
        message = f"HTTP {status} {response.reason_phrase}" + (f": {detail}" if detail else "")
    return http.fail(response.request.url, message)


def _get(http: HttpClient, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    response = http.request("GET", url, params=params)
    if not response.is_success:
        raise _failure(http, response)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise http.fail(response.request.url, "the answer is not a JSON object")
    return body


def _instant(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _ticket(raw: dict[str, Any], requester: str, base: str) -> Ticket:
    return Ticket(
        id=int(raw["id"]),
        subject=str(raw.get("subject") or raw.get("raw_subject") or ""),
        status=str(raw.get("status") or ""),
        priority=raw.get("priority"),
        requester=requester,
        tags=tuple(str(tag) for tag in raw.get("tags") or ()),
        created_at=_instant(raw["created_at"]),
        updated_at=_instant(raw.get("updated_at") or raw["created_at"]),
        url=f"{base}/agent/tickets/{int(raw['id'])}",
    )


def fetch(config: Zendesk, email: str, token: str, *, http: HttpClient | None = None) -> Found:
    """The tickets `config.query` finds, newest first, at most 1,000. Raises SourceFailure."""
    from cmtriage.sources.http import HttpClient

    base = config.url.rstrip("/")
    own = http is None
    http = http or HttpClient(SOURCE, base, auth=(f"{email}/token", token))
    try:
        return _fetch(http, base, config.query)
    finally:
        if own:
            http.close()


def _fetch(http: HttpClient, base: str, query: str) -> Found:
    results: dict[int, dict[str, Any]] = {}  # by id: offset pages may repeat a ticket
    names: dict[int, str] = {}
    total = received = 0
    url: str | None = f"{base}/api/v2/search.json"
    params: dict[str, str] | None = {"query": query, "sort_by": "created_at", "sort_order": "desc",
                                     "per_page": str(PAGE_SIZE), "include": "tickets(users)"}
    try:
        while url and received < MAX_RESULTS:
            # The credentials go with every request: never follow a next_page to another host.
            if _origin(url) != _origin(base):
                raise http.fail(base, "next_page points to another host; stopped")
            page = _get(http, url, params)
            params = None  # next_page carries them
            received += len(page.get("results") or ())
            for raw in page.get("results") or ():
                if raw.get("result_type", "ticket") == "ticket":
                    results.setdefault(int(raw["id"]), raw)
            names.update({int(u["id"]): str(u.get("name") or "") for u in page.get("users") or ()})
            total = max(total, int(page.get("count") or 0))
            url = page.get("next_page")
        kept = list(results.values())[:MAX_RESULTS]
        missing = sorted({int(r["requester_id"]) for r in kept if r.get("requester_id")} - names.keys())
        for start in range(0, len(missing), PAGE_SIZE):
            ids = ",".join(str(i) for i in missing[start:start + PAGE_SIZE])
            answer = _get(http, f"{base}/api/v2/users/show_many.json", {"ids": ids})
            names.update({int(u["id"]): str(u.get("name") or "") for u in answer.get("users") or ()})
        tickets = []
        for raw in kept:
            requester_id = raw.get("requester_id")
            requester = names.get(int(requester_id)) if requester_id else None
            tickets.append(_ticket(raw, requester or (f"user {requester_id}" if requester_id else ""), base))
    except (KeyError, TypeError, ValueError) as exc:
        raise http.fail(base, f"unexpected answer ({exc.__class__.__name__}: {exc})") from None
    return Found(tickets=tuple(tickets), total=max(total, len(tickets)))

"""Zendesk Support: the tickets a search query finds, with their requesters' names.

One search, newest first, 100 a page, following `next_page` up to Zendesk's cap of 1,000 results;
requesters come side-loaded with each page (`include=tickets(users)`), and any the side-load missed in
one `users/show_many` call per 100. So a run costs (pages + rarely one) requests, never one per ticket.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cmtriage.errors import SourceFailure, required
from cmtriage.sources import shapes
from cmtriage.sources.shapes import Unexpected, identifier, instant, number, objects, shown, text, texts

if TYPE_CHECKING:
    import httpx

    from cmtriage.config import Zendesk
    from cmtriage.sources.budget import WaitBudget
    from cmtriage.sources.http import HttpClient

SOURCE = "zendesk"
MAX_RESULTS = 1000  # Zendesk search answers a page past the 1,000th result with a 422
PAGE_SIZE = 100
MAX_PAGES = MAX_RESULTS // PAGE_SIZE + 1  # one of slack: tickets come and go while the pages are read
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
    incomplete: str | None = None  # why paging broke off before the end (the list is short), secret-free


def credentials() -> tuple[str, str]:
    """(email, API token) from the environment; exit 2 naming whichever is missing."""
    email, token = required(EMAIL_VARIABLE, TOKEN_VARIABLE,
                            why="the zendesk report signs in as an agent with an API token (Zendesk Admin "
                                "Center > Apps and integrations > Zendesk API)")
    return email, token


def _failure(http: HttpClient, response: httpx.Response) -> SourceFailure:
    """What a non-2xx answer means, in words a user can act on (never the credentials)."""
    status = response.status_code
    body = shapes.body(response)
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
    return shapes.decoded_object(http, response)


def _origin(url: str) -> tuple[str, str]:
    import httpx

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise Unexpected(f"next_page is not an address: {shown(url)}") from None
    return parsed.scheme, parsed.netloc.decode()


def _names(users: list[dict[str, Any]]) -> dict[int, str]:
    return {identifier(u.get("id"), "a user's id"): text(u.get("name"), "a user's name") for u in users}


def _ticket(raw: dict[str, Any], requester: str, base: str) -> Ticket:
    id = identifier(raw.get("id"), "a ticket's id")
    tags = texts(raw.get("tags"), f"ticket {id}: tags")
    created_at = instant(raw.get("created_at"), f"ticket {id}: created_at")
    updated = raw.get("updated_at")
    return Ticket(
        id=id,
        subject=text(raw.get("subject"), f"ticket {id}: subject") or text(raw.get("raw_subject"),
                                                                            f"ticket {id}: raw_subject"),
        status=text(raw.get("status"), f"ticket {id}: status"),
        priority=text(raw.get("priority"), f"ticket {id}: priority") or None,
        requester=requester,
        tags=tags,
        created_at=created_at,
        updated_at=instant(updated, f"ticket {id}: updated_at") if updated is not None else created_at,
        url=f"{base}/agent/tickets/{id}",
    )


def fetch(config: Zendesk, email: str, token: str, *, http: HttpClient | None = None,
          budget: WaitBudget | None = None) -> Found:
    """The tickets `config.query` finds, newest first, at most 1,000; a 429's wait draws on `budget` (a
    digest's --wait) when given. Raises SourceFailure."""
    from cmtriage.sources.http import HttpClient

    base = config.url.rstrip("/")
    own = http is None
    http = http or HttpClient(SOURCE, base, auth=(f"{email}/token", token), budget=budget)
    try:
        return _fetch(http, base, config.query)
    finally:
        if own:
            http.close()


def _fetch(http: HttpClient, base: str, query: str) -> Found:
    results: dict[int, dict[str, Any]] = {}  # by id: offset pages may repeat a ticket
    names: dict[int, str] = {}
    total = received = pages = 0
    incomplete: str | None = None
    seen: set[str] = set()
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
            pages += 1
            seen.add(url)
            found = objects(page, "results")
            received += len(found)
            for raw in found:
                if raw.get("result_type", "ticket") == "ticket":
                    results.setdefault(identifier(raw.get("id"), "a ticket's id"), raw)
            names.update(_names(objects(page, "users")))
            count = number(page.get("count"), "count")
            total = max(total, count or 0)
            url = page.get("next_page")
            if url is not None and not isinstance(url, str):
                raise Unexpected(f"next_page is not an address: {shown(url)}")
            # Paging that would not end: stop, and say the list is short.
            expected = math.ceil(min(total, MAX_RESULTS) / PAGE_SIZE) + 1 if count is not None else MAX_PAGES
            if url and not found:
                incomplete = f"page {pages} of the search is empty but names a next one"
            elif url and url in seen:
                incomplete = f"page {pages} of the search names a page it read before as the next one"
            elif url and pages >= min(MAX_PAGES, expected):
                incomplete = f"the search names more pages than its {total:,} tickets fill ({pages} read)"
            if incomplete:
                url = None
        kept = list(results.values())[:MAX_RESULTS]
        requesters = {identifier(r["requester_id"], f"ticket {r['id']}: requester_id")
                      for r in kept if r.get("requester_id") is not None}
        missing = sorted(requesters - names.keys())
        for start in range(0, len(missing), PAGE_SIZE):
            ids = ",".join(str(i) for i in missing[start:start + PAGE_SIZE])
            answer = _get(http, f"{base}/api/v2/users/show_many.json", {"ids": ids})
            names.update(_names(objects(answer, "users")))
        tickets = []
        for raw in kept:
            requester_id = raw.get("requester_id")
            requester = names.get(requester_id) or (f"user {requester_id}" if requester_id else "")
            tickets.append(_ticket(raw, requester, base))
    except Unexpected as exc:
        raise shapes.unexpected(http, base, exc) from None
    return Found(tickets=tuple(tickets), total=max(total, len(tickets)),
                 incomplete=f"{http.fail(base, incomplete).detail}; the list may be short" if incomplete
                 else None)

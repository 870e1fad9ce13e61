"""A fake Jira (Cloud, or Data Center with `cloud=False`) on 127.0.0.1, shaped after
../shared/api-notes.md (Jira Cloud):

- Cloud: `GET /rest/api/3/search/jql?jql=&fields=&maxResults=&nextPageToken=` answers `{"issues",
  "nextPageToken"?, "isLast"}`, no `total`, no `startAt`; only the listed fields come back (none listed:
  `id` only). The removed `/rest/api/2/search` and `/rest/api/3/search` answer 410 with Atlassian's real
  body. Auth: Basic `EMAIL:TOKEN`.
- Data Center: `GET /rest/api/2/search?jql=&startAt=&maxResults=` answers `{"startAt", "maxResults",
  "total", "issues"}`; `/search/jql` does not exist (404). Auth: `Bearer DC_TOKEN`.
- `GET /rest/api/{2,3}/field`: the field list, with a sprint field (`schema.custom`
  `com.pyxis.greenhopper.jira:gh-sprint`) whose id is `SPRINT_FIELD`.
- JQL: the fake understands what cmtriage sends: `key in (A, B)`, optionally `AND updated >= "DAY"`,
  joined by OR; `project = P AND text ~ "\"words\""` (matches an issue of P whose summary and description
  hold every word, in any order: Jira's text search matches words, not an address); `ORDER BY` is read
  as key order. An unbounded JQL is a 400, and so is a key that does not exist:
  `An issue with key 'MM-9' does not exist for field 'key'.` for each.
- `POST /rest/api/3/issue` (ADF description) or `/rest/api/2/issue` (wiki text) creates an issue:
  201 `{"id", "key", "self"}`.
- `down` answers every request 503; `throttle(n, retry_after)` answers the next n with 429.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from fakes import Asked, json_handler, served

EMAIL = "pm@example.com"
TOKEN = "jira-fake-token-77c1"
DC_TOKEN = "jira-dc-pat-0b3e9f"
SPRINT_FIELD = "customfield_10020"
REMOVED = {
    "errorMessages": [
        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql "
        "API. A full migration guideline is available at "
        "https://developer.atlassian.com/changelog/#CHANGE-2046"
    ],
    "errors": {},
}
CATEGORIES = {"new": (2, "To Do"), "indeterminate": (4, "In Progress"), "done": (3, "Done")}


def issue(
    key: str,
    *,
    status: str = "Open",
    category: str = "new",
    resolution: str | None = None,
    labels: tuple[str, ...] = (),
    fix_versions: tuple[tuple[str, bool, str | None], ...] = (),
    sprints: tuple[tuple[str, str], ...] = (),
    updated: str = "2026-11-01T10:00:00.000+0000",
    summary: str | None = None,
    description: Any = None,
) -> dict[str, Any]:
    """An issue as search returns it with every field; `fix_versions` are (name, released, releaseDate),
    `sprints` (name, state)."""
    number = int(key.rsplit("-", 1)[1])
    cat_id, cat_name = CATEGORIES[category]
    return {
        "id": str(10000 + number),
        "key": key,
        "self": f"https://example.atlassian.net/rest/api/3/issue/{number}",
        "fields": {
            "summary": summary or f"Ticket {key}",
            "status": {
                "name": status,
                "id": "1",
                "statusCategory": {"id": cat_id, "key": category, "name": cat_name, "colorName": "x"},
            },
            "resolution": {"id": "1", "name": resolution, "description": ""} if resolution else None,
            "labels": list(labels),
            "fixVersions": [
                {
                    "self": "x",
                    "id": str(i),
                    "name": name,
                    "released": released,
                    "archived": False,
                    **({"releaseDate": day} if day else {}),
                }
                for i, (name, released, day) in enumerate(fix_versions)
            ],
            "issuelinks": [],
            "updated": updated,
            "description": description,
            SPRINT_FIELD: [
                {"id": i, "name": name, "state": state, "boardId": 1}
                for i, (name, state) in enumerate(sprints)
            ]
            or None,
        },
    }


def _words(value: Any) -> set[str]:
    text = json.dumps(value) if not isinstance(value, str) else value
    return {w.lower() for w in re.findall(r"[0-9A-Za-z]+", text)}


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    body: Any


@dataclass
class FakeJira:
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    cloud: bool = True
    page_size: int = 50  # at most this many issues a page, whatever maxResults asks
    latency: float = 0.0
    down: bool = False
    bearer_too: bool = False  # a Cloud site also takes the Data Center token (as an OAuth bearer token)
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    next_number: int = 500
    _throttled: list[str] = field(default_factory=list)
    _tokens: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *issues: dict[str, Any]) -> None:
        for raw in issues:
            self.issues[raw["key"]] = raw

    def throttle(self, times: int, retry_after: str) -> None:
        self._throttled.extend([retry_after] * times)

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    @property
    def searches(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith(("/search/jql", "/search"))]

    def answer(
        self, method: str, path: str, params: dict[str, str], body: Any, authorization: str | None
    ) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            self.requests.append(Request(method, path, params, body))
            if self.down:
                return 503, {}, {"errorMessages": ["Service Unavailable"]}
            if self._throttled:
                return (
                    429,
                    {"Retry-After": self._throttled.pop(0)},
                    {"errorMessages": ["Rate limit exceeded."]},
                )
        if self.cloud:
            expected = "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
        else:
            expected = f"Bearer {DC_TOKEN}"
        if authorization != expected and not (self.bearer_too and authorization == f"Bearer {DC_TOKEN}"):
            return (
                401,
                {},
                {
                    "errorMessages": [
                        "You are not authenticated. Authentication required to perform this operation."
                    ],
                    "errors": {},
                },
            )
        if path in ("/rest/api/2/field", "/rest/api/3/field") and method == "GET":
            return (
                200,
                {},
                [
                    {"id": "summary", "name": "Summary", "custom": False, "schema": {"type": "string"}},
                    {
                        "id": "customfield_10010",
                        "name": "Rank",
                        "custom": True,
                        "schema": {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-lexo-rank"},
                    },
                    {
                        "id": SPRINT_FIELD,
                        "name": "Sprint",
                        "custom": True,
                        "schema": {
                            "type": "array",
                            "items": "json",
                            "custom": "com.pyxis.greenhopper.jira:gh-sprint",
                        },
                    },
                ],
            )
        if self.cloud:
            if path in ("/rest/api/2/search", "/rest/api/3/search"):
                return 410, {}, REMOVED
            if path == "/rest/api/3/search/jql" and method == "GET":
                return self._search(params, cloud=True)
        elif path == "/rest/api/2/search" and method == "GET":
            return self._search(params, cloud=False)
        if path in ("/rest/api/3/issue", "/rest/api/2/issue") and method == "POST":
            return self._create(body)
        return 404, {}, {"errorMessages": ["Not found"]}

    def _matching(self, jql: str) -> tuple[list[str], list[str]]:
        """(the keys the JQL finds, error messages)."""
        jql = re.sub(r"\s+ORDER BY .*$", "", jql, flags=re.IGNORECASE)
        text = re.match(r'^project = (\w+) AND text ~ "(.*)"$', jql)
        if text:
            words = _words(text.group(2).replace('\\"', ""))
            return [
                key
                for key, raw in self.issues.items()
                if key.startswith(text.group(1) + "-")
                and words <= _words(raw["fields"]["summary"]) | _words(raw["fields"]["description"])
            ], []
        groups = re.findall(r'key in \(([^)]*)\)(?: AND updated >= "([^"]*)")?', jql)
        if not groups:
            return [], ["The JQL query is unbounded: add a restriction."]
        found, errors = [], []
        for keys, since in groups:
            for key in (k.strip() for k in keys.split(",") if k.strip()):
                if key not in self.issues:
                    errors.append(f"An issue with key '{key}' does not exist for field 'key'.")
                elif not since or self.issues[key]["fields"]["updated"][:10] >= since:
                    found.append(key)
        return sorted(set(found), key=lambda k: (k.split("-")[0], int(k.split("-")[1]))), errors

    def _search(self, params: dict[str, str], *, cloud: bool) -> tuple[int, dict[str, str], Any]:
        keys, errors = self._matching(params.get("jql", ""))
        if errors:
            return 400, {}, {"errorMessages": errors, "warningMessages": []}
        size = min(int(params.get("maxResults", "50")), self.page_size)
        if cloud:
            start = self._tokens.get(params.get("nextPageToken", ""), 0) if params.get("nextPageToken") else 0
        else:
            start = int(params.get("startAt", "0"))
        wanted = [f for f in params.get("fields", "").split(",") if f]
        shown = []
        for key in keys[start : start + size]:
            raw = self.issues[key]
            shown.append(
                {
                    "id": raw["id"],
                    "key": key,
                    "self": raw["self"],
                    "fields": {f: raw["fields"][f] for f in wanted if f in raw["fields"]},
                }
                if wanted
                else {"id": raw["id"]}
            )
        if not cloud:
            return 200, {}, {"startAt": start, "maxResults": size, "total": len(keys), "issues": shown}
        body: dict[str, Any] = {"issues": shown, "isLast": start + size >= len(keys)}
        if start + size < len(keys):
            token = f"tok{len(self._tokens) + 1}"
            self._tokens[token] = start + size
            body["nextPageToken"] = token
        return 200, {}, body

    def _create(self, body: Any) -> tuple[int, dict[str, str], Any]:
        fields = body.get("fields", {}) if isinstance(body, dict) else {}
        if not fields.get("summary") or not fields.get("project", {}).get("key"):
            return 400, {}, {"errorMessages": [], "errors": {"summary": "You must specify a summary."}}
        if self.cloud and isinstance(fields.get("description"), str):
            return (
                400,
                {},
                {
                    "errorMessages": [],
                    "errors": {"description": "Operation value must be an Atlassian Document"},
                },
            )
        with self._lock:
            self.next_number += 1
            key = f"{fields['project']['key']}-{self.next_number}"
        raw = issue(
            key,
            summary=fields["summary"],
            labels=tuple(fields.get("labels", ())),
            description=fields.get("description"),
        )
        self.issues[key] = raw
        return 201, {}, {"id": raw["id"], "key": key, "self": raw["self"]}


def _handler(fake: FakeJira) -> type[BaseHTTPRequestHandler]:
    def answer(asked: Asked) -> tuple[int, dict[str, str], Any]:
        return fake.answer(asked.method, asked.path, asked.params, asked.json(),
                           asked.header("Authorization"))

    return json_handler(answer, methods=("GET", "POST"), content_type="application/json;charset=UTF-8",
                        latency=lambda: fake.latency)


def serve(fake: FakeJira) -> AbstractContextManager[FakeJira]:
    return served(fake, _handler(fake))

"""A fake GitLab REST v4 on 127.0.0.1, after shared/api-notes.md and reference/api-facts.md §3:

- `GET /api/v4/projects/{group%2Fproject}/issues?state=&labels=a,b&created_after=&created_before=&per_page=
  &page=`: issues (`iid`, `web_url`, `title`, `author.username`, `user_notes_count`, `labels`, `created_at`,
  `updated_at`), `labels` an AND; the project path must come URL-encoded (`%2F`), as GitLab wants it;
- `GET /api/v4/projects/{id}/issues/{iid}/notes?sort=asc&per_page=`: notes with `system` true for events;
- offset paging headers `X-Page`, `X-Per-Page`, `X-Next-Page` (empty on the last page), `X-Total`, and
  `Link` with rel next/first/last; per_page 20 by default, 100 at most;
- `PRIVATE-TOKEN`: when `token` is set, any other is a 401 `{"message": "401 Unauthorized"}`; an unknown
  project is a 404 `{"message": "404 Project Not Found"}`;
- faults for the next matching requests: `limit(seconds)` (429, plain text `Retry later`, with
  `RateLimit-Reset` as Unix time, `RateLimit-ResetTime` and `Retry-After`), `fail(status)`.

`requests` records each request (raw path, params, token); `latency` delays each answer.
"""

from __future__ import annotations

import email.utils
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlencode

from fakes import Asked, json_handler, served


@dataclass
class FakeNote:
    author: str
    created_at: str
    system: bool = False
    body: str = "A note."


@dataclass
class FakeIssue:
    iid: int
    title: str
    author: str
    created_at: str
    labels: tuple[str, ...] = ()
    notes: list[FakeNote] = field(default_factory=list)
    state: str = "opened"


@dataclass
class Request:
    raw_path: str
    params: dict[str, str]
    token: str | None


@dataclass
class FakeGitLab:
    projects: dict[str, list[FakeIssue]] = field(default_factory=dict)
    token: str | None = None
    next_header: bool = True  # False: page by Link alone, as some proxies leave X-Next-Page out
    latency: float = 0.0
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    _faults: list[tuple[str | None, tuple]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def limit(self, seconds: int = 5, times: int = 1, where: str | None = None) -> None:
        self._faults += [(where, ("limit", seconds))] * times

    def fail(self, status: int = 500, times: int = 1, where: str | None = None) -> None:
        self._faults += [(where, ("fail", status))] * times

    def answer(self, raw_path: str, params: dict[str, str], token: str | None
               ) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            self.requests.append(Request(raw_path, params, token))
            fault = next((f for f in self._faults if f[0] is None or f[0] in unquote(raw_path)), None)
            if fault:
                self._faults.remove(fault)
        if fault and fault[1][0] == "limit":
            reset = time.time() + fault[1][1]
            return 429, {"RateLimit-Reset": str(int(reset)), "Retry-After": str(fault[1][1]),
                         "RateLimit-ResetTime": email.utils.formatdate(reset, usegmt=True),
                         "Content-Type": "text/plain"}, "Retry later\n"
        if fault:
            return fault[1][1], {}, {"message": f"{fault[1][1]} Server Error"}
        if self.token is not None and token != self.token:
            return 401, {}, {"message": "401 Unauthorized"}
        parts = raw_path.split("/")  # /api/v4/projects/{id}/issues[/{iid}/notes]
        if len(parts) < 6 or parts[1:4] != ["api", "v4", "projects"] or "/" in parts[4]:
            return 404, {}, {"error": "404 Not Found"}
        issues = self.projects.get(unquote(parts[4]))
        if issues is None:
            return 404, {}, {"message": "404 Project Not Found"}
        project = unquote(parts[4])
        if parts[5:] == ["issues"]:
            found = [self._issue(project, i) for i in self._issues(issues, params)]
            return self._page(raw_path, params, found)
        if len(parts) == 8 and parts[5] == "issues" and parts[7] == "notes":
            issue = next((i for i in issues if str(i.iid) == parts[6]), None)
            if issue is None:
                return 404, {}, {"message": "404 Not found"}
            newest_first = params.get("sort", "desc") == "desc"
            notes = sorted(issue.notes, key=lambda n: n.created_at, reverse=newest_first)
            return self._page(raw_path, params, [self._note(issue, n, k) for k, n in enumerate(notes, 1)])
        return 404, {}, {"error": "404 Not Found"}

    @staticmethod
    def _issues(issues: list[FakeIssue], params: dict[str, str]) -> list[FakeIssue]:
        wanted = [label for label in params.get("labels", "").split(",") if label]
        found = [i for i in issues if (params.get("state", "all") in ("all", i.state))
                 and all(label in i.labels for label in wanted)
                 and i.created_at >= params.get("created_after", "")
                 and i.created_at <= params.get("created_before", "9999")]
        return sorted(found, key=lambda i: i.created_at, reverse=params.get("sort", "desc") == "desc")

    def _issue(self, project: str, i: FakeIssue) -> dict[str, Any]:
        return {"id": 50000 + i.iid, "iid": i.iid, "project_id": 77, "title": i.title, "description": "",
                "state": i.state, "author": {"id": len(i.author), "username": i.author, "name": i.author},
                "assignees": [], "labels": list(i.labels),
                "user_notes_count": sum(1 for n in i.notes if not n.system),
                "web_url": f"https://gitlab.example.com/{project}/-/issues/{i.iid}",
                "created_at": i.created_at,
                "updated_at": max([i.created_at, *(n.created_at for n in i.notes)]),
                "closed_at": None}

    @staticmethod
    def _note(issue: FakeIssue, n: FakeNote, k: int) -> dict[str, Any]:
        return {"id": issue.iid * 1000 + k, "body": n.body, "author": {"username": n.author},
                "created_at": n.created_at, "updated_at": n.created_at, "system": n.system,
                "noteable_id": 50000 + issue.iid, "noteable_type": "Issue", "noteable_iid": issue.iid}

    def _page(self, raw_path: str, params: dict[str, str], items: list[Any]
              ) -> tuple[int, dict[str, str], Any]:
        per_page = min(int(params.get("per_page", "20")), 100)
        page = int(params.get("page", "1"))
        pages = max(1, -(-len(items) // per_page))
        shown = items[(page - 1) * per_page:page * per_page]

        def link(number: int) -> str:
            return f"{self.url}{raw_path}?" + urlencode({**params, "page": str(number)})

        links = [f'<{link(page + 1)}>; rel="next"'] if page < pages else []
        links += [f'<{link(1)}>; rel="first"', f'<{link(pages)}>; rel="last"']
        headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Total": str(len(items)),
                   "X-Total-Pages": str(pages), "X-Next-Page": str(page + 1) if page < pages else "",
                   "Link": ", ".join(links)}
        if not self.next_header:
            del headers["X-Next-Page"]
        return 200, headers, shown


def _handler(fake: FakeGitLab) -> type[BaseHTTPRequestHandler]:
    def answer(asked: Asked) -> tuple[int, dict[str, str], Any]:
        return fake.answer(asked.path, asked.params, asked.header("PRIVATE-TOKEN"))

    return json_handler(answer, content_type="application/json", latency=lambda: fake.latency)


def serve(fake: FakeGitLab) -> AbstractContextManager[FakeGitLab]:
    return served(fake, _handler(fake))

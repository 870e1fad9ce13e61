"""A fake GitHub REST API on 127.0.0.1, shaped after the recorded traffic in shared/reference/github/.

It serves what cmtriage and a plain PyGithub loop ask for:
- `GET /repos/{o}/{r}` (id, full_name, archived, open_issues_count, ...); an old name of a renamed repo
  answers `301` with `Location: {root}/repositories/{id}{rest}` as GitHub does, and every repo-scoped path
  also works under `/repositories/{id}`;
- `GET .../issues` (pulls included) with state, labels, sort, direction, since, creator, per_page, page;
- `GET .../issues/{n}` and `GET .../issues/{n}/comments` (since, per_page, page; oldest first);
- `GET .../issues/comments`: every issue's and pull's comments, with since, sort, direction;
- `GET .../pulls/{n}` (a pull's own payload, what PyGithub's `as_pull_request()` asks),
  `GET .../pulls/{n}/reviews` (chronological, PENDING ones without `submitted_at`) and
  `GET .../pulls/comments`, every pull's review comments (line comments), with since, sort, direction;
- `GET /search/issues` with `repo:`, `is:`, `state:`, `label:`, `author:`, `-author:`, `created:`,
  `updated:`, `comments:` and free words; `422` for a repo that does not exist (an old name included),
  at most 1,000 results;
- `GET /orgs/{org}`, `GET /orgs/{org}/members` (private members only for the right token), `GET /rate_limit`;
- `GET .../labels` (the repo's labels, paged) and `POST .../issues/{n}/labels` (`{"labels": [...]}` or a
  bare array), which adds the labels and, like GitHub, CREATES any the repo lacks (grey, `ededed`), moves
  the issue's `updated_at` and answers the issue's labels; a `read_only` token is refused with GitHub's
  403 "Must have admin rights to Repository.", no token with 401 "Requires authentication";
- `GET .../issues/{n}/timeline`: `commented`, `labeled` and `cross-referenced` events (the last without
  `id`, their `source.issue` a pull's issue payload, in any repo), oldest first. A cross-reference moves
  nothing on the issue, as on GitHub.

Lists carry GitHub's `Link` header (first/prev/next/last, absolute URLs under `/repositories/{id}` for
repo-scoped lists, as recorded), `per_page` defaults to 30 and stops at 100. Every 200 carries an `ETag`;
a matching `If-None-Match` answers `304` and, as on GitHub, costs no rate limit.

Faults, each for the next `times` matching requests: `fail()` (5xx; a 502 is GitHub's HTML page),
`hang()` (answers late, for client timeouts), `drop()` (closes the connection unanswered),
`secondary_limit()` (403/429 with GitHub's message, `Retry-After` when given, and the rate headers with
requests remaining, as GitHub sends them), and `exhaust()`, which uses up the primary rate limit until
`reset_in` seconds from the fake's clock (403 or 429 with `x-ratelimit-remaining: 0`). The fake's clock
is real time, or the fixed `now` it was made with, plus `advance()`, so a test's fake sleep can move it
past a reset (and a test that gives cmtriage the same clock sees the same minutes every run).

`requests` records every request (method, path, params, If-None-Match, status, when), so tests assert
what a run cost; `latency` delays every answer, for benchmarks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fakes import served

TOKEN = "ghp_fakeToken0123456789abcdefABCDEF0123"
MAX_PER_PAGE = 100
SEARCH_LIMIT = 1000
RATE_LIMIT = 5000
DOCS = "https://docs.github.com/rest"
BAD_GATEWAY_PAGE = (
    "<html><body><h1>502 Bad Gateway</h1>\n"
    "<p>We couldn't respond to your request in time. Sorry about that. Please try resubmitting your "
    "request and contact us if the problem persists.</p></body></html>"
)
PRIMARY_LIMIT_MESSAGE = (
    "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include "
    "the request ID 0000:0000:0000000:0000000:00000000."
)
SECONDARY_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you "
    "reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000."
)


def stamp(value: str | datetime) -> str:
    """GitHub's time format (UTC, seconds, Z) from a datetime or an ISO 8601 string."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _user_id(login: str) -> int:
    return int(hashlib.sha1(login.lower().encode()).hexdigest()[:7], 16)


def user(login: str, kind: str = "User", *, root: str = "https://api.github.com") -> dict[str, Any]:
    """A user object as lists embed it (`kind` is GitHub's `type`: User, Bot, Organization)."""
    api = f"{root}/users/{login}"
    return {
        "login": login, "id": _user_id(login), "node_id": f"MDQ6VXNlcj{_user_id(login)}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{_user_id(login)}?v=4", "gravatar_id": "",
        "url": api, "html_url": f"https://github.com/{login}", "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}", "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}", "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs", "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}", "received_events_url": f"{api}/received_events",
        "type": kind, "user_view_type": "public", "site_admin": False,
    }


@dataclass
class FakeIssue:
    number: int
    title: str
    author: str
    created_at: str
    updated_at: str
    author_type: str = "User"
    association: str = "NONE"
    labels: tuple[str, ...] = ()
    pull: bool = False
    body: str = ""
    state: str = "open"
    comments: int = 0
    assignees: tuple[str, ...] = ()
    closed_at: str | None = None


@dataclass
class FakeComment:
    id: int
    number: int  # the issue's
    author: str
    created_at: str
    updated_at: str
    author_type: str = "User"
    association: str = "NONE"
    body: str = ""


@dataclass
class FakeReview:
    id: int
    number: int  # the pull's
    author: str
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
    submitted_at: str | None  # None while PENDING
    author_type: str = "User"
    association: str = "NONE"
    body: str = ""


@dataclass
class FakeReviewComment:
    id: int
    review: int  # the review's id
    number: int  # the pull's
    author: str
    created_at: str
    updated_at: str
    author_type: str = "User"
    association: str = "NONE"


@dataclass
class FakeRepo:
    id: int
    full_name: str
    archived: bool = False
    private: bool = False
    issues: dict[int, FakeIssue] = field(default_factory=dict)
    comments: list[FakeComment] = field(default_factory=list)
    reviews: list[FakeReview] = field(default_factory=list)
    review_comments: list[FakeReviewComment] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # the repo's labels
    events: list[FakeEvent] = field(default_factory=list)  # timeline events other than comments


@dataclass
class FakeEvent:
    number: int  # the issue's
    event: str  # "cross-referenced" | "labeled"
    created_at: str
    actor: str
    source: tuple[str, int] | None = None  # (repo, number) of the pull (or issue) that mentions it
    label: str | None = None


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    etag: str | None  # the If-None-Match sent
    authorization: str | None
    status: int = 0
    at: float = 0.0  # the fake's clock when it came


@dataclass
class _Fault:
    kind: str  # "status" | "hang" | "drop" | "secondary" | "truncate"
    times: int
    status: int = 502
    seconds: float = 0.0
    where: str | None = None  # only requests about this repo (full name) or with this path prefix


class FakeGitHub:
    """The data and behaviour of one fake GitHub; `serve()` puts it on a port."""

    def __init__(self, *, token: str | None = TOKEN, latency: float = 0.0, now: float | None = None,
                 read_only: bool = False):
        self.token = token
        self.read_only = read_only  # the token may read but not write (POSTs answer 403)
        self.latency = latency
        # tamper(path, params, status, headers, body) -> (status, headers, body): a test's own answer
        self.tamper: Callable[..., tuple[int, dict[str, str], Any]] | None = None
        self.start = now  # None: the clock is real time
        self.url = ""
        self.repos: dict[int, FakeRepo] = {}
        self.old_names: dict[str, int] = {}  # lower-cased old full name -> repo id
        self.orgs: dict[str, dict[str, bool]] = {}  # org -> login -> public membership
        self.requests: list[Request] = []
        self.scopes: str | None = None  # a classic token's X-OAuth-Scopes ("repo, read:org"); None: not sent
        self.remaining = RATE_LIMIT
        self.offset = 0.0
        self.reset_at = int(self.now()) + 3600
        self._faults: list[_Fault] = []
        self._limit_status = 403
        self._next_comment = 9000
        self._lock = threading.Lock()

    # --- data ----------------------------------------------------------------------------------------
    def add_repo(self, full_name: str, *, archived: bool = False, private: bool = False,
                 labels: tuple[str, ...] = ()) -> FakeRepo:
        repo = FakeRepo(id=1000 + len(self.repos), full_name=full_name, archived=archived, private=private,
                        labels=list(labels))
        self.repos[repo.id] = repo
        return repo

    def rename(self, old: str, new: str) -> None:
        repo = self.repo(old)
        self.old_names[old.lower()] = repo.id
        repo.full_name = new

    def repo(self, full_name: str) -> FakeRepo:
        return next(r for r in self.repos.values() if r.full_name.lower() == full_name.lower())

    def add_issue(self, repo: str, number: int, title: str, *, author: str, created: str | datetime,
                  updated: str | datetime | None = None, author_type: str = "User", association: str = "NONE",
                  labels: tuple[str, ...] = (), pull: bool = False, body: str = "",
                  state: str = "open", assignees: tuple[str, ...] = (),
                  closed: str | datetime | None = None) -> FakeIssue:
        """An item; `closed` closes it then (state closed, closed_at, and updated_at no earlier)."""
        created = stamp(created)
        issue = FakeIssue(number=number, title=title, author=author, created_at=created,
                          updated_at=stamp(updated) if updated else created, author_type=author_type,
                          association=association, labels=tuple(labels), pull=pull, body=body, state=state,
                          assignees=tuple(assignees))
        if closed:
            issue.state, issue.closed_at = "closed", stamp(closed)
            issue.updated_at = max(issue.updated_at, issue.closed_at)
        self.repo(repo).issues[number] = issue
        return issue

    def add_comment(self, repo: str, number: int, *, author: str, created: str | datetime,
                    author_type: str = "User", association: str = "NONE", body: str = "") -> FakeComment:
        """A comment, which bumps its issue's `comments` and `updated_at` as GitHub does."""
        fake_repo = self.repo(repo)
        self._next_comment += 1
        created = stamp(created)
        comment = FakeComment(id=self._next_comment, number=number, author=author, created_at=created,
                              updated_at=created, author_type=author_type, association=association, body=body)
        fake_repo.comments.append(comment)
        issue = fake_repo.issues[number]
        issue.comments += 1
        issue.updated_at = max(issue.updated_at, created)
        return comment

    def add_review(self, repo: str, number: int, *, author: str, submitted: str | datetime | None,
                   state: str = "APPROVED", author_type: str = "User", association: str = "NONE",
                   lines: int = 0, body: str = "") -> FakeReview:
        """A review of a pull with `lines` line comments; a submitted one bumps the pull's `updated_at`
        as GitHub does (not its `comments`, which counts issue comments). `submitted=None`: PENDING."""
        fake_repo = self.repo(repo)
        self._next_comment += 1
        when = stamp(submitted) if submitted else None
        review = FakeReview(id=self._next_comment, number=number, author=author,
                            state=state if when else "PENDING", submitted_at=when, author_type=author_type,
                            association=association, body=body)
        fake_repo.reviews.append(review)
        for _ in range(lines):
            self._next_comment += 1
            created = when or stamp(datetime.now(UTC))
            fake_repo.review_comments.append(FakeReviewComment(
                id=self._next_comment, review=review.id, number=number, author=author, created_at=created,
                updated_at=created, author_type=author_type, association=association))
        if when:
            self.touch(repo, number, when)
        return review

    def cross_reference(self, repo: str, number: int, *, source: tuple[str, int], created: str | datetime,
                        actor: str | None = None) -> FakeEvent:
        """`source` (a pull or issue, in any fake repo) mentions issue `number`: a timeline event only,
        nothing on the issue moves (GitHub leaves its `updated_at` alone)."""
        pull = self.repo(source[0]).issues[source[1]]
        event = FakeEvent(number=number, event="cross-referenced", created_at=stamp(created),
                          actor=actor or pull.author, source=(self.repo(source[0]).full_name, source[1]))
        self.repo(repo).events.append(event)
        return event

    def touch(self, repo: str, number: int, when: str | datetime) -> None:
        """A change that is no comment (a label, a bot's edit): only `updated_at` moves."""
        issue = self.repo(repo).issues[number]
        issue.updated_at = max(issue.updated_at, stamp(when))

    # --- faults and limits -------------------------------------------------------------------------------
    def fail(self, times: int = 1, status: int = 502, where: str | None = None) -> None:
        self._faults.append(_Fault("status", times, status=status, where=where))

    def hang(self, times: int = 1, seconds: float = 2.0, where: str | None = None) -> None:
        self._faults.append(_Fault("hang", times, seconds=seconds, where=where))

    def drop(self, times: int = 1, where: str | None = None) -> None:
        self._faults.append(_Fault("drop", times, where=where))

    def truncate(self, times: int = 1, where: str | None = None) -> None:
        """A 200 whose body breaks off before its Content-Length: a connection reset mid-answer."""
        self._faults.append(_Fault("truncate", times, where=where))

    def secondary_limit(self, times: int = 1, retry_after: int | None = 3, status: int = 403,
                        where: str | None = None) -> None:
        self._faults.append(_Fault("secondary", times, status=status, seconds=retry_after or 0, where=where))

    def exhaust(self, reset_in: float, status: int = 403) -> None:
        """Use up the primary rate limit until `reset_in` seconds from the fake's clock."""
        self.remaining = 0
        self.reset_at = int(self.now() + reset_in)
        self._limit_status = status

    def now(self) -> float:
        return (time.time() if self.start is None else self.start) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    # --- what was asked ----------------------------------------------------------------------------------
    def count(self, path: str | None = None, *, status: int | None = None) -> int:
        return sum(1 for r in self.requests
                   if (path is None or r.path.startswith(path)) and (status is None or r.status == status))

    def billed(self) -> int:
        """Requests that cost rate limit: everything but 304s and /rate_limit."""
        return sum(1 for r in self.requests if r.status != 304 and r.path != "/rate_limit")

    def reset_log(self) -> None:
        self.requests.clear()

    # --- answers -----------------------------------------------------------------------------------------
    def answer(self, method: str, target: str, headers: dict[str, str], payload: Any = None
               ) -> tuple[int, dict[str, str], Any, float]:
        """(status, headers, body, delay) for one request: body is JSON data, text, or None; status 0
        means drop the connection; `delay` is how long to hold the answer back."""
        parts = urlsplit(target)
        params = dict(parse_qsl(parts.query))
        request = Request(method, parts.path, params, headers.get("if-none-match"),
                          headers.get("authorization"), at=self.now())
        with self._lock:
            self.requests.append(request)
            fault = self._take_fault(parts.path)
        delay = 0.0
        if fault is not None and fault.kind == "hang":
            delay = fault.seconds
        elif fault is not None:
            request.status, extra, body = self._fault_answer(fault)
            if fault.kind == "secondary":
                with self._lock:
                    extra.update(self._rate_headers())
            return request.status, extra, body, 0.0
        if method == "POST":
            status, extra, body = self._write(parts.path, payload, request.authorization)
        else:
            status, extra, body = self._route(method, parts.path, params, request.authorization)
        if status == 200 and method == "GET":
            etag = 'W/"' + hashlib.sha256(json.dumps([body, extra.get("Link")]).encode()).hexdigest() + '"'
            extra["ETag"] = etag
            if request.etag == etag:
                status, body = 304, None
        with self._lock:
            if status != 304 and parts.path != "/rate_limit" and status < 500:
                if self.now() >= self.reset_at:
                    self.remaining, self.reset_at = RATE_LIMIT, int(self.now()) + 3600
                if self.remaining <= 0:
                    status, extra = self._limit_status, {}
                    body = {"message": PRIMARY_LIMIT_MESSAGE,
                            "documentation_url": f"{DOCS}/overview/rate-limits"}
                else:
                    self.remaining -= 1
            extra.update(self._rate_headers())
            if self.scopes is not None and self._authorized(request.authorization):
                extra["X-OAuth-Scopes"] = self.scopes
        if self.tamper is not None:  # a test's malformed or odd answer in place of the real one
            status, extra, body = self.tamper(parts.path, params, status, extra, body)
        request.status = status
        return status, extra, body, delay

    def _rate_headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(RATE_LIMIT), "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Used": str(RATE_LIMIT - self.remaining), "X-RateLimit-Reset": str(self.reset_at),
                "X-RateLimit-Resource": "core"}

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.times > 0 and (not fault.where or self._about(path, fault.where)):
                fault.times -= 1
                return fault
        return None

    @staticmethod
    def _fault_answer(fault: _Fault) -> tuple[int, dict[str, str], Any]:
        if fault.kind == "drop":
            return 0, {}, None
        if fault.kind == "truncate":
            return -1, {}, None
        if fault.kind == "secondary":
            extra = {"Retry-After": str(int(fault.seconds))} if fault.seconds else {}
            return fault.status, extra, {"message": SECONDARY_LIMIT_MESSAGE,
                                         "documentation_url": f"{DOCS}/overview/rate-limits"}
        if fault.status == 502:
            return 502, {"Content-Type": "text/html"}, BAD_GATEWAY_PAGE
        return fault.status, {}, {"message": "Server Error"}

    def _about(self, path: str, where: str) -> bool:
        if path.startswith(where):
            return True
        found = self._repo_of(path)
        return found is not None and found[0].full_name.lower() == where.lower()

    def _repo_of(self, path: str) -> tuple[FakeRepo, str] | None:
        """(repo, rest of the path) for /repos/{o}/{r}... and /repositories/{id}..., current names only."""
        match = re.match(r"^/repositories/(\d+)(/.*)?$", path)
        if match and int(match.group(1)) in self.repos:
            return self.repos[int(match.group(1))], match.group(2) or ""
        match = re.match(r"^/repos/([^/]+/[^/]+)(/.*)?$", path)
        if match:
            found = [r for r in self.repos.values() if r.full_name.lower() == match.group(1).lower()]
            if found:
                return found[0], match.group(2) or ""
        return None

    def _authorized(self, authorization: str | None) -> bool | None:
        """True for the token, False for anonymous, None for a wrong token."""
        if not authorization:
            return False
        scheme, _, value = authorization.partition(" ")
        return True if scheme.lower() in ("token", "bearer") and value == self.token else None

    def _route(self, method: str, path: str, params: dict[str, str], authorization: str | None
               ) -> tuple[int, dict[str, str], Any]:
        who = self._authorized(authorization)
        if who is None:
            return 401, {}, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}
        if method != "GET":
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
        if path == "/rate_limit":
            core = {"limit": RATE_LIMIT, "used": RATE_LIMIT - self.remaining, "remaining": self.remaining,
                    "reset": self.reset_at}
            return 200, {}, {"resources": {"core": core, "search": {"limit": 30, "used": 0, "remaining": 30,
                                                                     "reset": self.reset_at}}, "rate": core}
        if path == "/search/issues":
            return self._search(params)
        match = re.match(r"^/orgs/([^/]+)$", path)
        if match and match.group(1).lower() in self.orgs:
            org = match.group(1).lower()
            return 200, {}, {**user(org, "Organization", root=self.url), "url": f"{self.url}/orgs/{org}",
                             "members_url": f"{self.url}/orgs/{org}/members{{/member}}"}
        match = re.match(r"^/orgs/([^/]+)/members$", path)
        if match:
            members = self.orgs.get(match.group(1).lower())
            if members is None:
                return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
            # private members only for a token that may see them (a classic token needs an org scope)
            sees = who and (self.scopes is None or any(f"{s}:org" in self.scopes for s in ("read", "write",
                                                                                           "admin")))
            logins = sorted((m for m, public in members.items() if public or sees), key=str.lower)
            return self._page(path, params, [user(m, root=self.url) for m in logins])
        found = self._repo_of(path)
        if found is None:
            match = re.match(r"^/repos/([^/]+/[^/]+)(/.*)?$", path)
            if match and match.group(1).lower() in self.old_names:
                rest = match.group(2) or ""
                location = f"{self.url}/repositories/{self.old_names[match.group(1).lower()]}{rest}"
                query = urlencode(params)
                return 301, {"Location": location + (f"?{query}" if query else "")}, {
                    "message": "Moved Permanently", "url": location, "documentation_url": DOCS}
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}
        repo, rest = found
        if repo.private and not who:
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}
        if rest == "":
            return 200, {}, self.repo_payload(repo)
        if rest == "/issues":
            return self._page(path, params, self._issues(repo, params), repo,
                              render=lambda issue: self.issue_payload(repo, issue))
        if rest == "/labels":
            return self._page(path, params, list(repo.labels), repo,
                              render=lambda name: self.label_payload(repo, name))
        match = re.match(r"^/issues/(\d+)/timeline$", rest)
        if match and int(match.group(1)) in repo.issues:
            return self._page(path, params, self._timeline(repo, repo.issues[int(match.group(1))]), repo)
        if rest == "/issues/comments":
            return self._page(path, params, self._repo_comments(repo, params), repo,
                              render=lambda comment: self.comment_payload(repo, comment))
        if rest == "/pulls/comments":
            return self._page(path, params, self._sorted(repo.review_comments, params), repo,
                              render=lambda comment: self.review_comment_payload(repo, comment))
        match = re.match(r"^/pulls/(\d+)(/reviews)?$", rest)
        if match and int(match.group(1)) in repo.issues and repo.issues[int(match.group(1))].pull:
            issue = repo.issues[int(match.group(1))]
            if not match.group(2):
                return 200, {}, self.pull_payload(repo, issue)
            reviews = [r for r in repo.reviews if r.number == issue.number]
            return self._page(path, params, reviews, repo,
                              render=lambda review: self.review_payload(repo, review))
        match = re.match(r"^/issues/(\d+)(/comments)?$", rest)
        if match and int(match.group(1)) in repo.issues:
            issue = repo.issues[int(match.group(1))]
            if not match.group(2):
                return 200, {}, self.issue_payload(repo, issue)
            since = params.get("since")
            comments = [c for c in repo.comments
                        if c.number == issue.number and (not since or c.updated_at >= stamp(since))]
            return self._page(path, params, comments, repo,
                              render=lambda comment: self.comment_payload(repo, comment))
        return 404, {}, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}

    def _write(self, path: str, payload: Any, authorization: str | None) -> tuple[int, dict[str, str], Any]:
        """POST .../issues/{n}/labels, the one write the fake knows."""
        who = self._authorized(authorization)
        if who is None:
            return 401, {}, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}
        found = self._repo_of(path)
        match = re.match(r"^/issues/(\d+)/labels$", found[1]) if found else None
        if not found or not match or int(match.group(1)) not in found[0].issues:
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}
        if not who:
            return 401, {}, {"message": "Requires authentication", "documentation_url": DOCS, "status": "401"}
        if self.read_only:
            return 403, {}, {"message": "Must have admin rights to Repository.", "documentation_url": DOCS,
                             "status": "403"}
        names = payload.get("labels") if isinstance(payload, dict) else payload
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            return 422, {}, {"message": "Invalid request.", "documentation_url": DOCS, "status": "422"}
        repo, issue = found[0], found[0].issues[int(match.group(1))]
        with self._lock:
            for name in names:
                own = next((label for label in repo.labels if label.lower() == name.lower()), None)
                if own is None:  # GitHub makes the label up, grey
                    repo.labels.append(name)
                    own = name
                if own.lower() not in {label.lower() for label in issue.labels}:
                    issue.labels = (*issue.labels, own)
                    repo.events.append(FakeEvent(number=issue.number, event="labeled",
                                                 created_at=stamp(datetime.fromtimestamp(self.now(), UTC)),
                                                 actor="token-owner", label=own))
                    issue.updated_at = max(issue.updated_at, stamp(datetime.fromtimestamp(self.now(), UTC)))
        return 200, {}, [self.label_payload(repo, name) for name in issue.labels]

    def _timeline(self, repo: FakeRepo, issue: FakeIssue) -> list[dict[str, Any]]:
        events = [(c.created_at, 0, c.id, self.comment_payload(repo, c) | {
            "event": "commented", "actor": user(c.author, c.author_type, root=self.url)})
            for c in repo.comments if c.number == issue.number]
        for index, e in enumerate(ev for ev in repo.events if ev.number == issue.number):
            payload: dict[str, Any] = {"event": e.event, "actor": user(e.actor, root=self.url),
                                       "created_at": e.created_at, "updated_at": e.created_at}
            if e.event == "labeled":
                payload |= {"id": 7_000_000 + index, "label": {"name": e.label, "color": "ededed"}}
            if e.source is not None:
                source_repo = self.repo(e.source[0])
                payload["source"] = {"type": "issue", "issue": {
                    **self.issue_payload(source_repo, source_repo.issues[e.source[1]]),
                    "repository": self.repo_payload(source_repo)}}
            events.append((e.created_at, 1, index, payload))
        return [payload for *_, payload in sorted(events, key=lambda e: e[:3])]

    # --- payloads ----------------------------------------------------------------------------------------
    def label_payload(self, repo: FakeRepo, name: str) -> dict[str, Any]:
        return {"id": _user_id(name), "node_id": f"LA_{_user_id(name)}",
                "url": f"{self.url}/repos/{repo.full_name}/labels/{name.replace(' ', '%20')}", "name": name,
                "color": "ededed", "default": False, "description": None}

    def repo_payload(self, repo: FakeRepo) -> dict[str, Any]:
        owner, name = repo.full_name.split("/")
        api = f"{self.url}/repos/{repo.full_name}"
        return {
            "id": repo.id, "node_id": f"MDEwOlJlcG9zaXRvcnk{repo.id}", "name": name,
            "full_name": repo.full_name,
            "private": repo.private, "owner": user(owner, "Organization", root=self.url),
            "html_url": f"https://github.com/{repo.full_name}", "description": f"{name}", "fork": False,
            "url": api, "issues_url": f"{api}/issues{{/number}}", "pulls_url": f"{api}/pulls{{/number}}",
            "created_at": "2015-06-01T00:00:00Z", "updated_at": "2026-11-20T00:00:00Z",
            "pushed_at": "2026-11-20T00:00:00Z", "has_issues": True, "archived": repo.archived,
            "disabled": False, "visibility": "private" if repo.private else "public",
            "open_issues_count": sum(1 for i in repo.issues.values() if i.state == "open"),
            "default_branch": "master",
        }

    def issue_payload(self, repo: FakeRepo, issue: FakeIssue) -> dict[str, Any]:
        api = f"{self.url}/repos/{repo.full_name}/issues/{issue.number}"
        web = f"https://github.com/{repo.full_name}/{'pull' if issue.pull else 'issues'}/{issue.number}"
        labels = [{"id": _user_id(name), "node_id": f"LA_{_user_id(name)}",
                   "url": f"{self.url}/repos/{repo.full_name}/labels/{name.replace(' ', '%20')}",
                   "name": name,
                   "color": "ededed", "default": False, "description": None} for name in issue.labels]
        payload: dict[str, Any] = {
            "url": api, "repository_url": f"{self.url}/repos/{repo.full_name}",
            "labels_url": f"{api}/labels{{/name}}", "comments_url": f"{api}/comments",
            "events_url": f"{api}/events", "html_url": web, "id": 2_000_000 + issue.number,
            "node_id": f"I_kwDOA{issue.number}", "number": issue.number, "title": issue.title,
            "user": user(issue.author, issue.author_type, root=self.url), "labels": labels,
            "state": issue.state, "locked": False,
            "assignee": user(issue.assignees[0], root=self.url) if issue.assignees else None,
            "assignees": [user(login, root=self.url) for login in issue.assignees], "milestone": None,
            "comments": issue.comments, "created_at": issue.created_at, "updated_at": issue.updated_at,
            "closed_at": issue.closed_at, "author_association": issue.association, "active_lock_reason": None,
            "body": issue.body or None, "closed_by": None,
            "reactions": {"url": f"{api}/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
                          "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
            "timeline_url": f"{api}/timeline", "performed_via_github_app": None, "state_reason": None,
        }
        if issue.pull:
            pulls = f"{self.url}/repos/{repo.full_name}/pulls/{issue.number}"
            payload["draft"] = False
            payload["pull_request"] = {"url": pulls, "html_url": web, "diff_url": f"{web}.diff",
                                       "patch_url": f"{web}.patch", "merged_at": None}
        return payload

    def comment_payload(self, repo: FakeRepo, comment: FakeComment) -> dict[str, Any]:
        api = f"{self.url}/repos/{repo.full_name}/issues"
        kind = "pull" if repo.issues[comment.number].pull else "issues"
        return {
            "url": f"{api}/comments/{comment.id}",
            "html_url": f"https://github.com/{repo.full_name}/{kind}/{comment.number}#issuecomment-{comment.id}",
            "issue_url": f"{api}/{comment.number}", "id": comment.id, "node_id": f"IC_kwDOA{comment.id}",
            "user": user(comment.author, comment.author_type, root=self.url),
            "created_at": comment.created_at,
            "updated_at": comment.updated_at, "author_association": comment.association,
            "body": comment.body or "+1", "performed_via_github_app": None,
        }

    def pull_payload(self, repo: FakeRepo, issue: FakeIssue) -> dict[str, Any]:
        """The fields of a pull's own payload that its issue payload lacks, besides the issue's."""
        api = f"{self.url}/repos/{repo.full_name}/pulls/{issue.number}"
        branch = {"label": f"{repo.full_name.split('/')[0]}:master", "ref": "master", "sha": "0" * 40}
        payload = {k: v for k, v in self.issue_payload(repo, issue).items()
                   if k not in ("pull_request", "comments", "reactions", "timeline_url", "repository_url")}
        return {**payload, "url": api, "id": 3_000_000 + issue.number,
                "diff_url": f"{payload['html_url']}.diff", "patch_url": f"{payload['html_url']}.patch",
                "issue_url": f"{self.url}/repos/{repo.full_name}/issues/{issue.number}",
                "commits_url": f"{api}/commits", "review_comments_url": f"{api}/comments",
                "review_comment_url": f"{self.url}/repos/{repo.full_name}/pulls/comments{{/number}}",
                "statuses_url": f"{self.url}/repos/{repo.full_name}/statuses/{'0' * 40}",
                "merged_at": None, "merge_commit_sha": None, "requested_reviewers": [], "requested_teams": [],
                "head": branch, "base": branch, "draft": False, "merged": False, "mergeable": None,
                "review_comments": sum(1 for c in repo.review_comments if c.number == issue.number)}

    def review_payload(self, repo: FakeRepo, review: FakeReview) -> dict[str, Any]:
        web = f"https://github.com/{repo.full_name}/pull/{review.number}#pullrequestreview-{review.id}"
        pull = f"{self.url}/repos/{repo.full_name}/pulls/{review.number}"
        payload = {
            "id": review.id, "node_id": f"PRR_kwDOA{review.id}",
            "user": user(review.author, review.author_type, root=self.url), "body": review.body,
            "state": review.state, "html_url": web, "pull_request_url": pull,
            "author_association": review.association,
            "_links": {"html": {"href": web}, "pull_request": {"href": pull}},
            "commit_id": "0" * 40,
        }
        if review.submitted_at:  # GitHub leaves it out of a PENDING review
            payload["submitted_at"] = review.submitted_at
        return payload

    def review_comment_payload(self, repo: FakeRepo, comment: FakeReviewComment) -> dict[str, Any]:
        api = f"{self.url}/repos/{repo.full_name}/pulls/comments/{comment.id}"
        web = f"https://github.com/{repo.full_name}/pull/{comment.number}#discussion_r{comment.id}"
        pull = f"{self.url}/repos/{repo.full_name}/pulls/{comment.number}"
        return {
            "url": api, "pull_request_review_id": comment.review, "id": comment.id,
            "node_id": f"PRRC_kwDOA{comment.id}", "diff_hunk": "@@ -1,3 +1,4 @@\n line\n+added",
            "path": "README.md", "position": 2, "original_position": 2, "commit_id": "0" * 40,
            "original_commit_id": "0" * 40, "user": user(comment.author, comment.author_type, root=self.url),
            "body": "nit", "created_at": comment.created_at, "updated_at": comment.updated_at,
            "html_url": web, "pull_request_url": pull, "author_association": comment.association,
            "_links": {"self": {"href": api}, "html": {"href": web}, "pull_request": {"href": pull}},
            "start_line": None, "original_start_line": None, "start_side": None, "line": 2,
            "original_line": 2, "side": "RIGHT", "subject_type": "line",
        }

    # --- lists -------------------------------------------------------------------------------------------
    def _issues(self, repo: FakeRepo, params: dict[str, str]) -> list[FakeIssue]:
        state = params.get("state", "open")
        wanted = {name.strip().lower() for name in params.get("labels", "").split(",") if name.strip()}
        since = stamp(params["since"]) if params.get("since") else None
        found = [i for i in repo.issues.values()
                 if (state == "all" or i.state == state)
                 and wanted <= {name.lower() for name in i.labels}
                 and (since is None or i.updated_at >= since)
                 and (not params.get("creator") or i.author.lower() == params["creator"].lower())]
        key = {"created": lambda i: (i.created_at, i.number), "updated": lambda i: (i.updated_at, i.number),
               "comments": lambda i: (i.comments, i.number)}[params.get("sort", "created")]
        found.sort(key=key, reverse=params.get("direction", "desc") == "desc")
        return found

    def _repo_comments(self, repo: FakeRepo, params: dict[str, str]) -> list[FakeComment]:
        return self._sorted(repo.comments, params)

    @staticmethod
    def _sorted(comments: list[Any], params: dict[str, str]) -> list[Any]:
        """Comments updated at or after `since`, in the order `sort` and `direction` ask (else by id)."""
        since = stamp(params["since"]) if params.get("since") else None
        found = [c for c in comments if since is None or c.updated_at >= since]
        if "sort" in params:
            attribute = "created_at" if params["sort"] == "created" else "updated_at"
            found.sort(key=lambda c: (getattr(c, attribute), c.id), reverse=params.get("direction") == "desc")
        else:
            found.sort(key=lambda c: c.id)
        return found

    def _page(self, path: str, params: dict[str, str], items: list[Any], repo: FakeRepo | None = None,
              *, render: Callable[[Any], Any] | None = None, wrap: Callable[[list[Any]], Any] | None = None,
              cap: int | None = None) -> tuple[int, dict[str, str], Any]:
        """One page of `items` (payloads made by `render` for that page only) with GitHub's Link."""
        try:
            per_page = max(1, min(int(params.get("per_page", "30")), MAX_PER_PAGE))
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            return 400, {}, {"message": "Invalid pagination", "documentation_url": DOCS}
        total = len(items) if cap is None else min(len(items), cap)
        last = max(1, -(-total // per_page))
        chunk = items[(page - 1) * per_page: min(page * per_page, total)]
        if render:
            chunk = [render(item) for item in chunk]
        if repo is not None:  # GitHub's links for repo-scoped lists use the repo's id
            path = re.sub(r"^/repos/[^/]+/[^/]+", f"/repositories/{repo.id}", path)

        def link(number: int) -> str:
            query = {**params, "page": str(number)}
            return f"{self.url}{path}?{urlencode(query)}"

        rels = []
        if page > 1:
            rels += [(link(page - 1), "prev"), (link(1), "first")]
        if page < last:
            rels += [(link(page + 1), "next"), (link(last), "last")]
        extra = {"Link": ", ".join(f'<{url}>; rel="{rel}"' for url, rel in rels)} if rels else {}
        return 200, extra, wrap(chunk) if wrap else chunk

    def _search(self, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        query = params.get("q", "")
        if not query.strip() or len(query) > 256:
            return 422, {}, {"message": "Validation Failed", "errors": [
                {"resource": "Search", "field": "q", "code": "invalid"}], "documentation_url": DOCS}
        tokens = re.findall(r'-?[\w.]+:(?:"[^"]*"|\S+)|"[^"]*"|\S+', query)
        filters: list[Callable[[FakeRepo, FakeIssue], bool]] = []
        repos: list[FakeRepo] = []
        for token in tokens:
            negate = token.startswith("-")
            name, colon, value = token.lstrip("-").partition(":")
            value = value.strip('"')
            if not colon:
                words = token.strip('"').lower()
                filters.append(lambda r, i, w=words: w in f"{i.title} {i.body}".lower())
                continue
            if name == "repo":
                matching = [r for r in self.repos.values() if r.full_name.lower() == value.lower()]
                if not matching:
                    return 422, {}, {
                        "message": "Validation Failed",
                        "errors": [{"message": "The listed users and repositories cannot be searched either "
                                               "because the resources do not exist or you do not have "
                                               "permission to view them.",
                                    "resource": "Search", "field": "q", "code": "invalid"}],
                        "documentation_url": f"{DOCS}/search/search#search-issues-and-pull-requests"}
                repos += matching
                continue
            test = self._qualifier(name, value)
            if test is None:
                continue
            filters.append((lambda r, i, t=test: not t(r, i)) if negate else test)
        pool = [(r, i) for r in (repos or list(self.repos.values())) for i in r.issues.values()]
        found = [(r, i) for r, i in pool if all(f(r, i) for f in filters)]
        sort = params.get("sort")
        if sort in ("created", "updated", "comments"):
            attribute = {"created": "created_at", "updated": "updated_at", "comments": "comments"}[sort]
            found.sort(key=lambda pair: getattr(pair[1], attribute),
                       reverse=params.get("order", "desc") == "desc")
        else:
            found.sort(key=lambda pair: pair[1].number, reverse=True)
        per_page = max(1, min(int(params.get("per_page", "30")), MAX_PER_PAGE))
        if (int(params.get("page", "1")) - 1) * per_page >= SEARCH_LIMIT:
            return 422, {}, {"message": "Only the first 1000 search results are available",
                             "documentation_url": f"{DOCS}/search/search"}
        return self._page("/search/issues", params, found, cap=SEARCH_LIMIT,
                          render=lambda pair: {**self.issue_payload(*pair), "score": 1.0},
                          wrap=lambda chunk: {"total_count": len(found), "incomplete_results": False,
                                              "items": chunk})

    @staticmethod
    def _qualifier(name: str, value: str) -> Callable[[FakeRepo, FakeIssue], bool] | None:
        if name == "is" and value in ("open", "closed"):
            return lambda r, i: i.state == value
        if name == "state":
            return lambda r, i: i.state == value
        if name == "is" and value in ("issue", "pr"):
            return lambda r, i: i.pull == (value == "pr")
        if name == "label":
            return lambda r, i: value.lower() in {n.lower() for n in i.labels}
        if name == "author":
            return lambda r, i: i.author.lower() == value.lower()
        if name == "comments":
            match = re.match(r"^(>=|<=|>|<)?(\d+)$", value)
            if match:
                op, number = match.group(1) or "=", int(match.group(2))
                return lambda r, i: _compare(i.comments, op, number)
        if name in ("created", "updated"):
            match = re.match(r"^(>=|<=|>|<)?(.+)$", value)
            if match:
                op, when = match.group(1) or "=", stamp(match.group(2))
                attribute = f"{name}_at"
                return lambda r, i: _compare(getattr(i, attribute), op, when)
        return None


def _compare(left: Any, op: str, right: Any) -> bool:
    return {"=": left == right, ">": left > right, "<": left < right, ">=": left >= right,
            "<=": left <= right}[op]


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

        def do_GET(self) -> None:
            if fake.latency:
                time.sleep(fake.latency)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, body, delay = fake.answer("GET", self.path, headers)
            if status == 0:  # drop: close without a word
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(2)
                return
            if delay:  # hang: the client gives up before this answer
                time.sleep(delay)
            if status == -1:  # truncate: headers promise more than the body brings, then the line drops
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(b'[{"number": 1')
                    self.wfile.flush()
                    self.connection.shutdown(2)
                self.close_connection = True
                return
            data = b"" if body is None else (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            extra.setdefault("Content-Type", "application/json; charset=utf-8")
            for name, value in extra.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if status != 304:
                with contextlib.suppress(OSError):
                    self.wfile.write(data)

        def do_POST(self) -> None:
            if fake.latency:
                time.sleep(fake.latency)
            headers = {k.lower(): v for k, v in self.headers.items()}
            raw = self.rfile.read(int(headers.get("content-length") or 0))
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = None
            status, extra, body, _ = fake.answer("POST", self.path, headers, payload)
            data = b"" if body is None else (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            extra.setdefault("Content-Type", "application/json; charset=utf-8")
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def serve(fake: FakeGitHub) -> contextlib.AbstractContextManager[FakeGitHub]:
    return served(fake, _handler(fake))


def point_at(fake: FakeGitHub, monkeypatch: Any, now: str) -> None:
    """Send cmtriage's GitHub requests to the serving `fake` with its token, take `now` as the time, and
    let the source's waits pass on the fake's clock instead of sleeping (`monkeypatch`: pytest's)."""
    from cmtriage.sources import github

    monkeypatch.setenv("GITHUB_API_URL", fake.url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("CMTRIAGE_NOW", now)
    monkeypatch.setattr(github, "sleep", fake.advance)

"""GitHub, through PyGithub: repos, their open issues and pulls, comments, reviews, and staff org members.

It asks for the fewest pages that give an exact answer (reports/stale.py says which answers it needs):
- `GET /repos/{o}/{r}` once per repo: its canonical name (PyGithub follows a rename's 301 to
  `/repositories/{id}`, whose `full_name` is the new name) and whether it is archived. Every later request
  uses the canonical name, because PyGithub follows a 301 by path only and would drop a list's query.
- the open items, 100 a page, in a `Query`'s order (`every_open_item` lists them oldest first: a new
  comment then changes one page, not every page after the item, so the next run's ETags still match);
  `every_item_since` lists closed ones too, those touched since a day (what `metrics` counts);
- `GET /repos/{o}/{r}/issues/comments?since=`: every comment made in a window, one paged call per repo.
  `since` is rounded down to midnight UTC, so the URL (and its ETag) stays the same all day;
- an item's own comments only when asked, from its last page back (the page number comes from the
  item's `comments` count), stopping at the first page that holds a human comment;
- a pull's reviews (`GET /repos/{o}/{r}/pulls/{n}/reviews`, oldest first) only when asked, from the
  last page back to the first that holds a submitted human review. A review moves the pull's
  `updated_at`, which lets the report ask only where something happened, and spares them when the
  pull's own comments (read first, when asked too) end with a human one no older than that update.
  The repo-wide review-comments listing (`/pulls/comments?since=`) is not read: it misses reviews
  without line comments, so a pull that may be listed needs its reviews anyway; it would spare only
  pulls with a line comment inside their threshold, for a request per repo on every run, warm ones
  too, where review pages cost none.
Pages after the first are fetched concurrently once the first page's `Link` names the last one.

For `helpwanted` (reports/helpwanted.py), besides the above:
- the open items carrying one label (`labelled`): one listing per repo, oldest first, with bodies;
- a repo's labels (`GET /repos/{o}/{r}/labels`), all pages, to add only labels that exist;
- an issue's comments with what they say (`issue_comments`), every page, reused without a request
  while its `updated_at` and comment count are what they were;
- an issue's timeline (`cross_references`: the pulls that mention it). A cross-reference does not move
  the issue's `updated_at`, so only a day and an unmoved issue let a page be reused without asking;
- adding labels to an issue (`add_labels`, `POST .../issues/{n}/labels`): only names the caller took
  from the repo's own labels, since GitHub creates any label it does not know on that call.

Nothing is fetched twice while it has not changed: every GET is conditional on the cached ETag (a 304
costs no rate limit), and an item's comment pages are reused without any request while the item's
`updated_at` and comment count are what they were (a new comment moves both); a pull's review pages
likewise while its `updated_at` is.

Transport is PyGithub's Requester (auth, 301s, rate-limit headers) with a urllib3 Retry, set on purpose:
- ATTEMPTS tries for a 5xx, a timeout or a dropped connection, with exponential backoff (0, 1, 2 s);
- a rate limit (a 403 or 429 that says so) is no business of the Retry, which sees one request: the
  workers share one pause for it (_Limits), as GitHub advises. A primary limit (`x-ratelimit-remaining:
  0`) waits for `x-ratelimit-reset`; a secondary one (GitHub's message, a `Retry-After`, or any other 429)
  waits its `Retry-After`, else a minute, doubled each time it is met again. All the pauses of a run
  together stay within `max_wait` (MAX_WAIT, `--wait`); one that would not fails the run at once, saying
  which limit and when to run again, and no request is sent after it;
- TIMEOUT seconds per request; WORKERS requests at a time at most, and at most REQUESTS_PER_MINUTE
  started in any minute: GitHub's secondary limits are 100 concurrent requests and 900 REST points (GETs)
  a minute. PyGithub's own throttle (`seconds_between_requests`) is off on purpose: it spaces every
  request, which would hold a 300-request run to 15 a second for nothing, and its threads race past it.
Every wait goes through this module's `sleep`, and the limits read the time from its `clock`: tests
replace both.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as day_time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from cmtriage import __version__
from cmtriage.cache import Cache
from cmtriage.clock import utc_text
from cmtriage.errors import SourceFailure, UsageError, redact
from cmtriage.models import Comment, Issue
from cmtriage.sources.budget import WaitBudget
from cmtriage.sources.shapes import shown, whole

SOURCE = "github"
DEFAULT_API_ROOT = "https://api.github.com"
PER_PAGE = 100
WORKERS = 4
TIMEOUT = 10  # seconds, whole (PyGithub's type); GitHub answers a page of 100 in well under that
ATTEMPTS = 4  # one try and three retries
BACKOFF = 0.5
MAX_WAIT = 60.0  # the most a run spends waiting for rate limits unless --wait allows more
SECONDARY_WAIT = 60.0  # GitHub's advice for a secondary limit without Retry-After: a minute at least
REQUESTS_PER_MINUTE = 900  # GitHub's secondary limit for REST: 900 points a minute, one per GET
STAFF_ASSOCIATIONS = frozenset({"OWNER", "MEMBER"})
ORG_SCOPES = frozenset({"read:org", "write:org", "admin:org"})  # any lets a token see private members
BODY_LIMIT = 20_000  # what classify reads of a body; the cache keeps no more
NOTICE_AFTER = 5.0  # waits at least this long are announced through `notify`
# Paging stops here whatever a Link header or a count says: 100,000 items of one listing, 10,000
# comments or reviews of one item (GitHub shows an item's first 2,500 comments at most).
MAX_PAGES = 1000
MAX_ITEM_PAGES = 100
sleep: Callable[[float], None] = time.sleep  # looked up at call time, so tests can patch it
clock: Callable[[], float] = time.time  # likewise; seconds since the epoch, as x-ratelimit-reset counts


# --- records ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class People:
    """Who counts as staff and what counts as a bot (logins compared case-insensitively)."""

    staff: frozenset[str] = frozenset()  # staff.logins and the members of staff.orgs, lower-cased
    bots: frozenset[str] = frozenset()  # repos.yaml `bots:`, lower-cased

    @classmethod
    def of(cls, logins: Sequence[str], members: Sequence[str], bots: Sequence[str]) -> People:
        return cls(frozenset(n.lower() for n in (*logins, *members)), frozenset(n.lower() for n in bots))

    def is_bot(self, login: str, user_type: str) -> bool:
        login = login.lower()
        return user_type == "Bot" or login.endswith("[bot]") or login in self.bots

    def is_staff(self, login: str, association: str) -> bool:
        return association in STAFF_ASSOCIATIONS or login.lower() in self.staff

    def is_human(self, comment: Comment) -> bool:
        return not self.is_bot(comment.author, comment.author_type)


@dataclass(frozen=True)
class Repo:
    requested: str  # as repos.yaml or --repo wrote it
    name: str  # GitHub's canonical owner/name, after any rename
    archived: bool = False
    open_items: int | None = None  # open issues and pulls, GitHub's count: bounds the listing's pages

    @property
    def renamed(self) -> bool:
        return self.name.lower() != self.requested.lower()


@dataclass(frozen=True)
class Activity:
    """One repo's open items and the comments made on them since `since` (when asked for)."""

    repo: Repo
    issues: tuple[Issue, ...]
    since: datetime | None = None
    comments: Mapping[int, tuple[Comment, ...]] = field(default_factory=dict)  # by number, oldest first


@dataclass(frozen=True)
class Needed:
    """What the report needs of one item beyond the listings: its last human comment, its last human
    review (pulls only), or both."""

    issue: Issue
    comments: bool = True
    reviews: bool = False


@dataclass(frozen=True)
class Query:
    """Which open items to list and where to stop; build one with the functions below."""

    params: tuple[tuple[str, str], ...]
    stop: Callable[[Issue], bool] | None = None  # no more pages after one whose last item says True
    with_body: bool = False

    @property
    def open_only(self) -> bool:
        """Whether it lists open items only: then the repo's open count bounds its pages (metrics' listing
        of closed items too can be many times longer)."""
        return ("state", "all") not in self.params


def every_open_item() -> Query:
    return Query((("state", "open"), ("sort", "created"), ("direction", "asc")))


def open_items_updated_before(cutoff: datetime) -> Query:
    """Open items least recently updated first, up to the first updated at or after `cutoff` (give or
    take a page): all `--activity updated` needs."""
    return Query((("state", "open"), ("sort", "updated"), ("direction", "asc")),
                 stop=lambda issue: issue.updated_at >= cutoff)


def labelled(label: str) -> Query:
    """Every open item carrying `label` (issues and pulls: GitHub lists both), oldest first, with bodies:
    a comment on one then changes one page, not every page after it."""
    return Query((("state", "open"), ("labels", label), ("sort", "created"), ("direction", "asc")),
                 with_body=True)


def opened_since(since: datetime) -> Query:
    """Open items created at or after `since`, newest first, with their bodies. GitHub's `since` is on
    updated_at, which is never before created_at, so it only trims; midnight keeps the URL all day."""
    params = (("state", "open"), ("sort", "created"), ("direction", "desc"),
              ("since", utc_text(_midnight(since))))
    return Query(params, stop=lambda issue: issue.created_at < since, with_body=True)


def every_item_since(since: datetime) -> Query:
    """Every item, open or closed, updated at or after midnight UTC of `since`'s day (so every item
    created since then), oldest first, with when it was closed: what `metrics` counts. All pages are
    read concurrently; midnight keeps the URL, and so its ETag, all day."""
    return Query((("state", "all"), ("sort", "created"), ("direction", "asc"),
                  ("since", utc_text(_midnight(since)))))


@dataclass(frozen=True)
class Plan:
    """What to fetch from one repo: its open items per `query` (none when None) and, when `comments_since`
    is given, every comment made since midnight UTC of that day (a URL that stays the same all day)."""

    repo: Repo
    query: Query | None
    comments_since: datetime | None = None

    @property
    def since(self) -> datetime | None:
        return _midnight(self.comments_since) if self.comments_since else None


@dataclass(frozen=True)
class CrossReference:
    """A pull (in any repo) that mentions an issue, from the issue's timeline."""

    url: str  # the pull's web page
    author: str
    author_type: str
    association: str  # in the pull's own repo
    state: str  # the pull's state now: open | closed
    created_at: datetime  # when it mentioned the issue


@dataclass
class Stats:
    requests: int = 0  # sent by cmtriage (PyGithub's retries inside one are not counted again)
    not_modified: int = 0  # of them, answered 304 (no rate limit spent)
    reused: int = 0  # pages taken from the cache without asking
    rate_remaining: int | None = None
    rate_limit: int | None = None
    scopes: frozenset[str] | None = None  # a classic token's scopes (X-OAuth-Scopes); None: not told


# --- settings from the environment ------------------------------------------------------------------------
def api_root() -> str:
    """GITHUB_API_URL (GitHub Enterprise: https://HOST/api/v3), else api.github.com; a value that is no
    http(s) URL with a host (and a port that is one), or that holds a user name or password, is a usage
    error naming the variable."""
    from cmtriage.urls import http_url

    given = os.environ.get("GITHUB_API_URL", "").strip()
    if not given:
        return DEFAULT_API_ROOT
    parts = http_url(given)
    if parts is None or parts.username or parts.password:
        from cmtriage.text import clean

        raise UsageError(f"GITHUB_API_URL: expected an http(s) address like {DEFAULT_API_ROOT} (or "
                         f"https://HOST/api/v3 for GitHub Enterprise), got {clean(given)!r}")
    return given.rstrip("/")


def token() -> tuple[str | None, str | None]:
    """(token, the variable it came from): GITHUB_TOKEN, else GH_TOKEN, else none."""
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        value = os.environ.get(name, "").strip()
        if value:
            return value, name
    return None, None


# --- the client --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Page:
    data: Any
    links: Mapping[str, str]


class GitHub:
    """A PyGithub Requester with the retry policy above, a small thread pool and the cache."""

    def __init__(self, root: str, token: str | None = None, *, token_name: str | None = None,
                 cache: Cache | None = None, max_wait: float = MAX_WAIT, timeout: int | None = None,
                 budget: WaitBudget | None = None,
                 workers: int = WORKERS, notify: Callable[[str], None] | None = None,
                 on_request: Callable[[Stats], None] | None = None,
                 on_retry: Callable[[str], None] | None = None):
        import logging

        from github import Auth, Github

        # PyGithub gives its logger a stderr handler at INFO (every redirect and retry); cmtriage says
        # itself what a user needs to know.
        logging.getLogger("github").setLevel(logging.WARNING)
        self.root = root.rstrip("/")
        self.timeout = timeout or TIMEOUT
        self.stats = Stats()
        self._token_name = token_name or "GITHUB_TOKEN"
        self._cache = cache or Cache(None, datetime.now(UTC).date())
        self._notify = notify or (lambda message: None)
        self._on_request = on_request
        self._on_retry = on_retry or (lambda message: None)
        self._retries_said: set[str] = set()
        self._github = Github(
            auth=Auth.Token(token) if token else None, base_url=self.root, timeout=self.timeout,
            user_agent=f"cmtriage/{__version__} (PyGithub)", per_page=PER_PAGE,
            retry=_retry(self._wait, self._retrying), pool_size=workers,
            seconds_between_requests=None, seconds_between_writes=None,  # see _Window
        )
        self._requester = self._github.requester
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="github")
        self._lock = threading.Lock()
        self._announced: set[str] = set()
        self._window = _Window(REQUESTS_PER_MINUTE, 60.0)
        self._limits = _Limits(budget or WaitBudget(max_wait), authenticated=bool(token), notify=self._notify)

    @classmethod
    def from_env(cls, *, cache: Cache | None = None, **options: Any) -> GitHub:
        value, name = token()
        return cls(api_root(), value, token_name=name, cache=cache, **options)

    @property
    def authenticated(self) -> bool:
        return bool(self._requester.auth)

    def sees_private_members(self) -> bool | None:
        """Whether org member lists include private members: not without a token, not with a classic
        token lacking read:org; None when GitHub does not say (a fine-grained token)."""
        if not self.authenticated:
            return False
        if self.stats.scopes is None:
            return None
        return bool(self.stats.scopes & ORG_SCOPES)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._github.close()

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # --- what commands ask -------------------------------------------------------------------------------
    def resolve(self, names: Sequence[str], staff_orgs: Sequence[str] = ()
                ) -> tuple[dict[str, Repo | SourceFailure], frozenset[str]]:
        """Each repo's canonical name and archived flag, and the logins of the staff orgs' members,
        in one concurrent round. A staff org that cannot be listed fails the run (SourceFailure): without
        it, staff would be reported as community."""
        jobs: list[Callable[[], Any]] = [lambda name=name: self._repo(name) for name in names]
        jobs += [lambda org=org: self._members(org) for org in staff_orgs]
        results = self._run(jobs)
        if results and all(isinstance(r, Exception) and _nobody_answered(r) for r in results):
            raise SourceFailure(SOURCE, self._explain(results[0])) from None  # once, not once a repo
        repos = {name: self._failure(result, name) if isinstance(result, Exception) else result
                 for name, result in zip(names, results[:len(names)], strict=True)}
        members: set[str] = set()
        for org, result in zip(staff_orgs, results[len(names):], strict=True):
            if isinstance(result, _RateLimited):  # the limit's fault, not the org's
                raise SourceFailure(SOURCE, f"{result.what} (while listing the members of staff org {org}); "
                                            f"{result.advice}") from None
            if isinstance(result, Exception):
                problem = self._explain(result)
                if _nobody_answered(result):  # GitHub, not the org: say only what could not be reached
                    raise SourceFailure(SOURCE, problem) from None
                raise SourceFailure(SOURCE, f"cannot list the members of staff org {org}: {problem}"
                                    ) from None
            members.update(result)
        return repos, frozenset(members)

    def fetch(self, plans: Sequence[Plan]) -> dict[str, Activity | SourceFailure]:
        """What each plan asks of its repo, all in one concurrent run, by canonical name."""
        listings: list[tuple[Plan, str, _Listing]] = []
        for plan in plans:
            name, query = plan.repo.name, plan.query
            if query is not None:
                listings.append((plan, "issues", _Listing(
                    f"/repos/{name}/issues", (*query.params, ("per_page", str(PER_PAGE))),
                    slim=_slim_issues(query.with_body),
                    stop=(lambda data, stop=query.stop, name=name: stop(_issue(name, data[-1])))
                    if query.stop else None, what="the open items" if query.open_only else "the items",
                    count=plan.repo.open_items if query.open_only else None)))
            if plan.since is not None:
                listings.append((plan, "comments", _Listing(
                    f"/repos/{name}/issues/comments",
                    (("since", utc_text(plan.since)), ("sort", "created"), ("direction", "asc"),
                     ("per_page", str(PER_PAGE))),
                    slim=_slim_comments, what="the comments")))
        results = self._list_all([listing for _, _, listing in listings])
        found: dict[str, dict[str, Any]] = {plan.repo.name: {} for plan in plans}
        for (plan, part, _), result in zip(listings, results, strict=True):
            failed = isinstance(result, Exception)
            found[plan.repo.name][part] = self._failure(result, plan.repo.name) if failed else result
        activities: dict[str, Activity | SourceFailure] = {}
        for plan in plans:
            parts = found[plan.repo.name]
            failure = next((p for p in parts.values() if isinstance(p, SourceFailure)), None)
            if failure:
                activities[plan.repo.name] = failure
                continue
            # by number: an item that moved between two pages while they were read comes twice
            issues = {d["number"]: _issue(plan.repo.name, d) for d in parts.get("issues", [])}
            comments: dict[int, list[Comment]] = {}
            for data in parts.get("comments", []):
                comment = _comment(data)
                if plan.since is None or comment.created_at >= plan.since:
                    comments.setdefault(data["issue"], []).append(comment)
            activities[plan.repo.name] = Activity(
                repo=plan.repo, issues=tuple(issues.values()), since=plan.since,
                comments={n: tuple(sorted(c, key=lambda c: c.created_at)) for n, c in comments.items()})
        return activities

    def last_human_activity(self, needed: Sequence[Needed], people: People
                            ) -> dict[tuple[str, int], Comment | SourceFailure | None]:
        """For each item, the latest of what `needed` names (its comments, its reviews) by someone who is
        not a bot (None: there is none), or why it could not be read."""
        results = self._run([lambda need=need: self._last_human_activity(need, people) for need in needed])
        return {(n.issue.repo, n.issue.number): self._failure(result, f"{n.issue.repo}#{n.issue.number}")
                if isinstance(result, Exception) else result
                for n, result in zip(needed, results, strict=True)}

    def labels(self, repos: Sequence[Repo]) -> dict[str, tuple[str, ...] | SourceFailure]:
        """Each repo's label names (every page), by canonical name."""
        listings = [_Listing(f"/repos/{repo.name}/labels", (("per_page", str(PER_PAGE)),),
                             slim=lambda data: [label["name"] for label in data]) for repo in repos]
        results = self._list_all(listings)
        return {repo.name: self._failure(found, repo.name) if isinstance(found, Exception) else tuple(found)
                for repo, found in zip(repos, results, strict=True)}

    def issue_comments(self, issues: Sequence[Issue]
                       ) -> dict[tuple[str, int], tuple[Comment, ...] | SourceFailure]:
        """Every comment of each issue, oldest first, with its text (the first BODY_LIMIT characters);
        pages are reused without a request while the issue's `updated_at` and comment count stand."""
        return self._per_issue(issues, self._issue_comments)

    def cross_references(self, issues: Sequence[Issue], day: date
                         ) -> dict[tuple[str, int], tuple[CrossReference, ...] | SourceFailure]:
        """The pulls that mention each issue, from its timeline. A mention moves nothing on the issue, so
        a timeline read on `day` is reused that day while the issue has not moved; else asked again
        (conditionally: an unchanged timeline answers 304, which costs no rate limit)."""
        return self._per_issue(issues, lambda issue: self._cross_references(issue, day))

    def _per_issue(self, issues: Sequence[Issue], job: Callable[[Issue], Any]) -> dict[tuple[str, int], Any]:
        results = self._run([lambda issue=issue: job(issue) for issue in issues])
        return {(i.repo, i.number): self._failure(r, f"{i.repo}#{i.number}")
                if isinstance(r, Exception) else r for i, r in zip(issues, results, strict=True)}

    def add_labels(self, changes: Sequence[tuple[str, int, Sequence[str]]]
                   ) -> dict[tuple[str, int], tuple[str, ...] | SourceFailure]:
        """Add labels to issues, each given as (canonical repo, number, names); never removes one. Each
        answer is the labels the issue now carries. The names must be the repo's own: GitHub creates a
        label it does not know. One repo's issues go one after the other, and once GitHub refuses to let
        this token write there, the rest of that repo get the same failure without being sent."""
        by_repo: dict[str, list[tuple[int, Sequence[str]]]] = {}
        for repo, number, names in changes:
            by_repo.setdefault(repo, []).append((number, names))

        def repo_job(repo: str, todo: list[tuple[int, Sequence[str]]]) -> dict[tuple[str, int], Any]:
            done: dict[tuple[str, int], Any] = {}
            refused: SourceFailure | None = None
            for number, names in todo:
                if refused is not None:
                    done[(repo, number)] = refused
                    continue
                try:
                    data = self._post(f"/repos/{repo}/issues/{number}/labels", {"labels": list(names)})
                    done[(repo, number)] = tuple(label["name"] for label in data)
                except Exception as exc:
                    failure, refusal = self._write_failure(exc, repo, number)
                    refused = failure if refusal else None
                    done[(repo, number)] = failure
            return done

        results = self._run([lambda repo=repo, todo=todo: repo_job(repo, todo)
                             for repo, todo in by_repo.items()])
        found: dict[tuple[str, int], tuple[str, ...] | SourceFailure] = {}
        for (repo, todo), result in zip(by_repo.items(), results, strict=True):
            if isinstance(result, Exception):
                failure, _ = self._write_failure(result, repo, None)
                found.update({(repo, number): failure for number, _ in todo})
            else:
                found.update(result)
        return found

    def labelled_issues(self, repos: Sequence[Repo], labels: Sequence[str], limit: int
                        ) -> dict[tuple[str, str], list[Issue] | SourceFailure]:
        """For each repo and label, the issues (open and closed, never pulls) that carry the label, with
        their bodies, newest first, up to `limit`: one paged list call per label and repo (`labels=` is an
        AND, so one label a call), pages one after the other until `limit` issues, all calls at once.
        A label the repo lacks lists nothing. Keyed by (canonical repo name, label as given)."""
        keys = [(repo.name, label) for repo in repos for label in labels]

        def listed(name: str, label: str) -> list[Issue]:
            found: list[Issue] = []
            params = (("state", "all"), ("labels", label), ("sort", "created"), ("direction", "desc"),
                      ("per_page", str(PER_PAGE)))
            page = self._get(f"/repos/{name}/issues", params, slim=_slim_issues(True))
            while True:
                found += [_issue(name, d) for d in page.data if not d["pull"]]
                if len(found) >= limit or "next" not in page.links or not page.data:
                    return found[:limit]
                page = self._get(page.links["next"], slim=_slim_issues(True))

        results = self._run([lambda key=key: listed(*key) for key in keys])
        return {key: self._failure(result, f"{key[0]} (label {key[1]!r})") if isinstance(result, Exception)
                else result for key, result in zip(keys, results, strict=True)}

    # --- requests ----------------------------------------------------------------------------------------
    def _issue_comments(self, issue: Issue) -> tuple[Comment, ...]:
        version = f"{utc_text(issue.updated_at)}|{issue.comments}"
        found: list[Comment] = []
        for page in range(1, max(1, math.ceil(issue.comments / PER_PAGE)) + 1):
            data = self._get(f"/repos/{issue.repo}/issues/{issue.number}/comments",
                             (("per_page", str(PER_PAGE)), ("page", str(page))),
                             slim=_slim_said, version=version, shape="said").data
            found += map(_said, data)
        return tuple(sorted(found, key=lambda c: c.created_at))

    def _cross_references(self, issue: Issue, day: date) -> tuple[CrossReference, ...]:
        version = f"{day.isoformat()}|{utc_text(issue.updated_at)}|{issue.comments}"
        page = self._get(f"/repos/{issue.repo}/issues/{issue.number}/timeline",
                         (("per_page", str(PER_PAGE)),), slim=_slim_timeline, version=version)
        events = list(page.data)
        while "next" in page.links:  # a page may hold no cross-reference and still not be the last
            page = self._get(page.links["next"], slim=_slim_timeline, version=version)
            events += page.data
        return tuple(_cross_reference(d) for d in events)

    def _post(self, url: str, payload: Any) -> Any:
        """One POST through the same limits as a GET, not cached. urllib3's Retry resends no POST on a
        5xx; this one may be resent (adding labels twice adds them once), ATTEMPTS tries in all with the
        same backoff."""
        from github.Requester import Requester

        tries = 1
        while True:
            pause = self._limits.hold()
            delay = self._window.reserve()
            if delay > 0:
                self._wait(delay, f"at most {REQUESTS_PER_MINUTE} requests a minute")
            status, response_headers, body = self._requester.requestJson("POST", url, input=payload)
            self._count(status, response_headers)
            data = _json(body)
            kind = _limit(status, response_headers, data)
            if kind is not None:
                self._limits.met(pause, kind, response_headers)
                continue
            self._limits.passed(pause)
            if status < 500 or tries == ATTEMPTS:
                break
            self._wait(BACKOFF * 2 ** (tries - 1), "backoff")
            tries += 1
        if not 200 <= status < 300:
            raise Requester.createException(status, response_headers, data)
        return data

    def _write_failure(self, exc: Exception, repo: str, number: int | None) -> tuple[SourceFailure, bool]:
        """(the failure, whether it is a refusal to write). A refusal (a 403 that is no rate limit, a 404
        on an issue just listed, a 401 without a token) says so in one line a person can act on, the same
        for every issue of the repo; other faults name the issue."""
        from github.GithubException import BadCredentialsException, GithubException

        if isinstance(exc, SourceFailure):
            return exc, False
        if (isinstance(exc, GithubException) and not isinstance(exc, BadCredentialsException | _RateLimited)
                and exc.status in (401, 403, 404)):
            if not self._requester.auth:
                return SourceFailure(SOURCE, f"cannot add labels to {repo}: no token; set GITHUB_TOKEN "
                                             "(or GH_TOKEN) to a token that may write to it"), True
            return SourceFailure(SOURCE, f"cannot add labels to {repo}: this token may not write to it"), True
        return self._failure(exc, f"{repo}#{number}" if number is not None else repo), False

    def _repo(self, name: str) -> Repo:
        page = self._get(f"/repos/{name}", slim=_slim_repo)
        return Repo(requested=name, name=page.data["full_name"], archived=page.data["archived"],
                    open_items=page.data.get("open_items"))

    def _members(self, org: str) -> list[str]:
        listing = _Listing(f"/orgs/{org}/members", (("per_page", str(PER_PAGE)),), slim=_slim_logins,
                           what=f"the members of {org}")
        return [login for page in self._follow(listing, None) for login in page]

    def _last_human(self, issue: Issue, people: People) -> Comment | None:
        version = f"{utc_text(issue.updated_at)}|{issue.comments}"
        last = max(1, math.ceil(issue.comments / PER_PAGE))
        if last > MAX_ITEM_PAGES:
            raise _Unexpected(f"#{issue.number} has {issue.comments:,} comments, more than cmtriage reads "
                              f"({MAX_ITEM_PAGES * PER_PAGE:,})")
        for page in range(last, 0, -1):
            data = self._get(f"/repos/{issue.repo}/issues/{issue.number}/comments",
                             (("per_page", str(PER_PAGE)), ("page", str(page))),
                             slim=_slim_comments, version=version).data
            # The count said this page holds comments: the top one may have lost some since, no other one.
            if not data and issue.comments and page < last:
                raise _Unexpected(f"#{issue.number} has {issue.comments:,} comments, but their page {page} "
                                  "is empty")
            humans = [c for c in map(_comment, data) if people.is_human(c)]
            if humans:
                return max(humans, key=lambda c: c.created_at)
        return None

    def _last_human_activity(self, need: Needed, people: People) -> Comment | None:
        issue = need.issue
        comment = self._last_human(issue, people) if need.comments else None
        # a review moves updated_at: none came after a comment made at or after the last update
        if not need.reviews or (comment and comment.created_at >= issue.updated_at):
            return comment
        review = self._last_human_review(issue, people)
        return max((c for c in (comment, review) if c), key=lambda c: c.created_at, default=None)

    def _last_human_review(self, issue: Issue, people: People) -> Comment | None:
        version = utc_text(issue.updated_at)  # a review moves updated_at
        first = self._get(f"/repos/{issue.repo}/pulls/{issue.number}/reviews", (("per_page", str(PER_PAGE)),),
                          slim=_slim_reviews, version=version)
        last = _page_number(first.links["last"]) if "last" in first.links else 1
        if last > MAX_ITEM_PAGES:
            raise _Unexpected(f"#{issue.number}'s reviews: the Link header names {last:,} pages, more than "
                              f"cmtriage reads ({MAX_ITEM_PAGES})")
        for number in range(last, 0, -1):
            data = first.data if number == 1 else self._get(
                _with_page(first.links["last"], number), slim=_slim_reviews, version=version).data
            humans = [r for r in map(_review, data) if people.is_human(r)]
            if humans:
                return max(humans, key=lambda r: r.created_at)
        return None

    def _list_all(self, listings: Sequence[_Listing]) -> list[list[Any] | Exception]:
        """Every page of each listing: the first pages in one concurrent round, then the rest (each page
        on its own when the Link names the last page; one after the other for a listing that stops).
        A listing whose paging breaks off (a last page past what its count allows, an empty or repeated
        page before the end) is an _Unexpected failure: a short list must not pass for the whole one."""
        firsts = self._run([lambda listing=listing: self._get(listing.path, listing.params, slim=listing.slim)
                            for listing in listings])
        jobs: list[tuple[int, Callable[[], list[Any]]]] = []
        for index, (listing, first) in enumerate(zip(listings, firsts, strict=True)):
            if isinstance(first, Exception) or "next" not in first.links:
                continue
            if not first.data:
                firsts[index] = _Unexpected(f"{listing.what}: the first page is empty but names a next one")
            elif listing.stop is not None:
                if not listing.stop(first.data):
                    jobs.append((index, lambda lst=listing, first=first: self._follow(lst, first)[1:]))
            elif "last" in first.links:
                try:
                    last = self._last_page(listing, first)
                except _Unexpected as exc:
                    firsts[index] = exc
                    continue
                for number in range(2, last + 1):
                    url = _with_page(first.links["last"], number)
                    jobs.append((index, lambda lst=listing, url=url: [self._get(url, slim=lst.slim).data]))
            else:
                jobs.append((index, lambda lst=listing, first=first: self._follow(lst, first)[1:]))
        pages: list[list[Any] | Exception] = [
            first if isinstance(first, Exception) else [first.data] for first in firsts]
        for (index, _), result in zip(jobs, self._run([job for _, job in jobs]), strict=True):
            if isinstance(pages[index], Exception):
                continue
            pages[index] = result if isinstance(result, Exception) else [*pages[index], *result]
        for index, (listing, found) in enumerate(zip(listings, pages, strict=True)):
            if not isinstance(found, Exception):
                try:
                    _check_pages(listing, found)
                except _Unexpected as exc:
                    pages[index] = exc
        return [p if isinstance(p, Exception) else [item for page in p for item in page] for p in pages]

    @staticmethod
    def _last_page(listing: _Listing, first: _Page) -> int:
        """The Link's last page, if the listing's count (when it has one) and MAX_PAGES allow it."""
        last = _page_number(first.links["last"])
        bound = MAX_PAGES
        if listing.count is not None:  # items may be opened while the pages are read: one page of slack
            bound = min(bound, math.ceil(listing.count / PER_PAGE) + 1)
        if last > bound:
            counted = f" for {listing.count:,} items" if listing.count is not None else ""
            raise _Unexpected(f"{listing.what}: the Link header names {last:,} pages{counted}, more than "
                              f"{bound:,}; stopped")
        return last

    def _follow(self, listing: _Listing, first: _Page | None) -> list[Any]:
        """A listing's pages one after the other from `first` (fetched when None), by Link rel=next; an
        empty page with a next one, a next page seen before, or more than MAX_PAGES break off paging."""
        page = first or self._get(listing.path, listing.params, slim=listing.slim)
        pages = [page.data]
        seen: set[str] = set()
        while "next" in page.links and not (listing.stop and page.data and listing.stop(page.data)):
            url = page.links["next"]
            if not page.data:
                raise _Unexpected(f"{listing.what}: page {len(pages)} is empty but names a next one")
            if url in seen or len(pages) >= MAX_PAGES:
                why = "a page it read before" if url in seen else f"more than {MAX_PAGES:,} pages"
                raise _Unexpected(f"{listing.what}: the Link header leads to {why}; stopped")
            seen.add(url)
            page = self._get(url, slim=listing.slim)
            pages.append(page.data)
        return pages

    def _get(self, url: str, params: Sequence[tuple[str, str]] = (), *, slim: Callable[[Any], Any],
             version: str | None = None, shape: str | None = None) -> _Page:
        """One conditional GET, through the cache. `version`: the entry is reused without a request
        while the caller's version of what it depends on is unchanged. `shape` names a slimming that
        keeps other fields than the usual one for that URL: its entry (and ETag) is kept apart."""
        from github.Requester import Requester

        key = _cache_key(url, params) + (f" #{shape}" if shape else "")
        cached = _usable(self._cache.get(key), slim)
        if cached and version is not None and cached.get("version") == version:
            with self._lock:
                self.stats.reused += 1
            return _Page(cached["data"], cached["links"])
        headers = {"If-None-Match": cached["etag"]} if cached else None
        while True:
            pause = self._limits.hold()
            delay = self._window.reserve()
            if delay > 0:
                self._wait(delay, f"at most {REQUESTS_PER_MINUTE} requests a minute")
            status, response_headers, body = self._request(url, params, headers)
            self._count(status, response_headers)
            data = _json(body)
            kind = _limit(status, response_headers, data)
            if kind is None:
                self._limits.passed(pause)
                break
            self._limits.met(pause, kind, response_headers)
        if _not_an_api(status, body):
            raise _NotAnApi(status, body)
        if status == 304 and cached:
            if version is not None:
                self._cache.put(key, {**cached, "version": version})
            return _Page(cached["data"], cached["links"])
        if not 200 <= status < 300:
            raise Requester.createException(status, response_headers, data)
        page = _Page(slim(data), _links(response_headers.get("link", "")))
        if response_headers.get("etag"):
            self._cache.put(key, {"etag": response_headers["etag"], "data": page.data, "links": page.links,
                                  "version": version})
        return page

    def _request(self, url: str, params: Sequence[tuple[str, str]], headers: dict[str, str] | None
                 ) -> tuple[int, dict[str, Any], str]:
        """One GET through PyGithub. An answer cut off mid-body (urllib3's Retry never sees one: the
        status had arrived) is asked again like a dropped connection, ATTEMPTS times in all; rate-limit
        headers PyGithub cannot read are an _Unexpected answer, not a ValueError."""
        import requests

        for attempt in range(ATTEMPTS):
            try:
                return self._requester.requestJson("GET", url, parameters=dict(params) or None,
                                                   headers=headers)
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
                if attempt == ATTEMPTS - 1:
                    raise
                self._wait(min(8.0, BACKOFF * 2 ** attempt), "backoff")
            except ValueError:  # PyGithub's int(float(x-ratelimit-*)) on every answer
                raise _Unexpected("the rate-limit headers (x-ratelimit-remaining, -limit, -reset) are not "
                                  "numbers") from None
        raise AssertionError("unreachable")

    def _count(self, status: int, headers: Mapping[str, Any]) -> None:
        remaining, limit = _header(headers, "x-ratelimit-remaining"), _header(headers, "x-ratelimit-limit")
        scopes = _header(headers, "x-oauth-scopes")
        with self._lock:
            self.stats.requests += 1
            self.stats.not_modified += status == 304
            if scopes is not None:
                self.stats.scopes = frozenset(s.strip() for s in str(scopes).split(",") if s.strip())
            if str(remaining).isdigit() and str(limit).isdigit():
                # answers arrive in any order: the least remaining is the latest
                known = self.stats.rate_remaining
                self.stats.rate_remaining = int(remaining) if known is None else min(known, int(remaining))
                self.stats.rate_limit = int(limit)
        if self._on_request:
            self._on_request(self.stats)

    def _run(self, jobs: Sequence[Callable[[], Any]]) -> list[Any]:
        """Each job's result or exception, run on the pool; a refused token stops the run at once."""
        from github.GithubException import BadCredentialsException

        def attempt(job: Callable[[], Any]) -> Any:
            try:
                return job()
            except Exception as exc:
                return exc

        results = list(self._pool.map(attempt, jobs))
        for result in results:
            if isinstance(result, BadCredentialsException):
                raise SourceFailure(SOURCE, self._explain(result)) from None
        return results

    def _retrying(self, attempt: int, reason: str) -> None:
        """A request is tried again: said once per attempt and reason, however many workers meet it."""
        what = f"GitHub {reason}" if reason.startswith("answered") else f"cannot reach {self.root} ({reason})"
        message = f"{what}; trying again ({attempt + 1} of {ATTEMPTS})"
        with self._lock:
            if message in self._retries_said:
                return
            self._retries_said.add(message)
        self._on_retry(message)

    def _wait(self, seconds: float, why: str) -> None:
        with self._lock:  # workers that hit the same limit together wait together: say it once
            announce = seconds >= NOTICE_AFTER and why not in self._announced
            self._announced.add(why)
        if announce:
            self._notify(f"waiting {seconds:.0f} s for GitHub ({why})")
        sleep(seconds)

    # --- errors --------------------------------------------------------------------------------------------
    def _failure(self, exc: Exception, what: str) -> SourceFailure:
        return SourceFailure(SOURCE, f"{what}: {self._explain(exc)}")

    def _explain(self, exc: Exception) -> str:
        """One line a person can act on; never the token (PyGithub's messages carry no header, and
        redact() catches any that would)."""
        import requests
        from github.GithubException import (
            BadCredentialsException,
            GithubException,
            UnknownObjectException,
        )

        if isinstance(exc, BadCredentialsException):
            who = f"the token in {self._token_name}" if self._requester.auth else "the request"
            return f"GitHub refused {who} (401 Bad credentials): it may have expired or been revoked"
        if isinstance(exc, _RateLimited):
            return str(exc)
        if isinstance(exc, _NotAnApi):
            what = "a web page" if exc.html else ("no JSON" if 200 <= exc.status < 300 else f"{exc.status}")
            return (f"{self.root} answered {what}, not as a GitHub API does; check GITHUB_API_URL "
                    f"({DEFAULT_API_ROOT}, or https://HOST/api/v3 for GitHub Enterprise)")
        if isinstance(exc, _Unexpected):
            return f"unexpected answer from GitHub: {redact(str(exc))}"
        if isinstance(exc, UnknownObjectException):
            return "not found on GitHub (or this token cannot see it)"
        if isinstance(exc, GithubException):
            message = exc.message or (exc.data.get("message") if isinstance(exc.data, dict) else None)
            if exc.status >= 500:
                return f"GitHub answered {exc.status} {ATTEMPTS} times; try again later"
            return f"GitHub answered {exc.status}" + (f": {redact(str(message))}" if message else "")
        broken = requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
        if isinstance(exc, broken):
            return f"GitHub's answers broke off before their end ({ATTEMPTS} tries)"
        if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc).lower():
            return f"GitHub did not answer within {self.timeout} s ({ATTEMPTS} tries)"
        if isinstance(exc, requests.exceptions.ConnectionError):
            if "RemoteDisconnected" in str(exc) or "aborted" in str(exc):
                return f"GitHub closed the connection without answering ({ATTEMPTS} tries)"
            parts = urlsplit(self.root)
            return (f"cannot reach {parts.scheme}://{parts.netloc} ({_unreachable(exc)}; {ATTEMPTS} tries); "
                    f"{UNREACHABLE_ADVICE}")
        return f"{exc.__class__.__name__}: {redact(str(exc))}"


class _Window:
    """At most `limit` request starts in any `seconds`: each caller reserves a start time, the earliest
    that keeps the window, and waits until then. Reservations never move back in time, so a caller
    whose sleep is cut short (a test's) still gets the right spacing."""

    def __init__(self, limit: int, seconds: float):
        self.seconds = seconds
        self._starts: deque[float] = deque(maxlen=limit)  # the last `limit` starts, oldest first
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Seconds to wait before starting a request."""
        with self._lock:
            now = time.monotonic()
            full = len(self._starts) == self._starts.maxlen
            start = max(now, self._starts[0] + self.seconds) if full else now
            self._starts.append(start)
            return start - now


# --- rate limits and retries -----------------------------------------------------------------------------
class _RateLimited(Exception):
    """GitHub's rate limit stopped the run: `what` happened and the `advice`, apart, so that a caller can
    say between them what it was doing."""

    def __init__(self, what: str, advice: str):
        super().__init__(f"{what}; {advice}")
        self.what, self.advice = what, advice


class _Limits:
    """GitHub's rate limits, met by any worker, as one pause for all of them.

    A 403 or 429 that says a limit was met pauses every worker: the worker whose answer came first sleeps
    the pause; the others wait for its end, those whose requests went out before it began (their answers
    belong to the same limit) and those about to send one. So a pause costs its length once, however many
    workers met the limit, and it is charged once against `budget` (`--wait`); one that would pass it stops
    the run instead, and every later request fails at once with the same message rather than being sent
    to a GitHub that has said no. A pause lasts, as GitHub advises:
    - primary limit (`x-ratelimit-remaining: 0`): until `x-ratelimit-reset`, and a second;
    - secondary limit: its `Retry-After`; without one a minute, doubled for each one met again before a
      request gets through."""

    def __init__(self, budget: WaitBudget, authenticated: bool, notify: Callable[[str], None]):
        self.budget = budget  # seconds of pausing the run may still spend, shared with other sources
        self.waited = 0.0
        self._authenticated = authenticated
        self._notify = notify
        self._epoch = 0  # counts the pauses; a request remembers the one it was sent after
        self._paused = False
        self._strikes = 0  # secondary limits met since a request last got through
        self._stopped: tuple[str, str] | None = None
        self._changed = threading.Condition()

    def hold(self) -> int:
        """Before a request: wait for a pause to end; the pause the request is sent after."""
        with self._changed:
            self._wait_out()
            return self._epoch

    def met(self, sent: int, kind: str, headers: Mapping[str, Any]) -> None:
        """A request sent after pause `sent` met a `kind` limit: pause all workers, unless another one
        has paused for it since. Raises _RateLimited past the budget."""
        with self._changed:
            self._raise_if_stopped()
            if sent != self._epoch:  # another worker has paused for this limit already: hold() waits
                return
            wait = self._pause_for(kind, headers)
            if not self.budget.take(wait):
                self._stopped = self._stop_message(kind, wait, headers)
                self._changed.notify_all()
                self._raise_if_stopped()
            self.waited += wait
            self._epoch += 1
            self._paused = True
        try:
            if wait >= NOTICE_AFTER:
                self._notify(f"waiting {wait:.0f} s for GitHub "
                             f"({'rate limit reset' if kind == 'primary' else 'secondary rate limit'})")
            sleep(wait)
        finally:
            with self._changed:
                self._paused = False
                self._changed.notify_all()

    def passed(self, sent: int) -> None:
        """A request sent after pause `sent` got through: a secondary limit met later starts a new backoff."""
        if self._strikes and sent == self._epoch:
            with self._changed:
                self._strikes = 0

    def _wait_out(self) -> None:
        while self._paused:
            self._changed.wait()
        self._raise_if_stopped()

    def _pause_for(self, kind: str, headers: Mapping[str, Any]) -> float:
        retry_after = _header(headers, "retry-after")
        # A Retry-After past a year is held to one: past the budget either way, and still a time to print.
        asked = min(float(retry_after), 366 * 86400.0) if str(retry_after).isdigit() else None
        if kind == "primary":
            reset = _reset(headers)
            until_reset = reset - clock() + 1 if reset is not None else SECONDARY_WAIT
            return max(1.0, until_reset, asked or 0.0)
        self._strikes += 1
        return max(1.0, asked) if asked is not None else SECONDARY_WAIT * 2 ** (self._strikes - 1)

    def _stop_message(self, kind: str, wait: float, headers: Mapping[str, Any]) -> tuple[str, str]:
        reset = _reset(headers)
        if kind == "primary" and reset is not None:
            at = datetime.fromtimestamp(reset, UTC)
            minutes = max(1, math.ceil((reset - clock()) / 60))
            if not self._authenticated:
                return (f"GitHub allows 60 requests an hour without a token, and they are used up until "
                        f"{at:%H:%M} UTC", f"set GITHUB_TOKEN (or GH_TOKEN) to a GitHub token, or run again "
                        f"then (in {minutes} min)")
            return (f"GitHub's rate limit for this token is used up until {at:%H:%M} UTC",
                    f"run again then (in {minutes} min), or let cmtriage wait with --wait {minutes + 1}m")
        again = datetime.fromtimestamp(math.ceil((clock() + wait) / 60) * 60, UTC)
        name = "rate limit" if kind == "primary" else "secondary rate limit"
        what = (f"GitHub's {name} still holds after {self.waited:.0f} s of waiting" if self.waited else
                f"GitHub's {name} asks to wait {wait:.0f} s, more than --wait allows")
        return what, f"run again after {again:%H:%M} UTC"

    def _raise_if_stopped(self) -> None:
        if self._stopped:
            raise _RateLimited(*self._stopped)


def _limit(status: int, headers: Mapping[str, Any], data: Any) -> str | None:
    """The rate limit a 403 or 429 says was met ("primary" or "secondary"), else None."""
    from github.Requester import Requester

    if status not in (403, 429):
        return None
    message = str(data.get("message") or "") if isinstance(data, dict) else ""
    if _limited(headers) or Requester.isPrimaryRateLimitError(message):
        return "primary"
    if (status == 429 or _header(headers, "retry-after") is not None
            or Requester.isSecondaryRateLimitError(message)):
        return "secondary"
    return None  # a plain refusal


def _retry(wait: Callable[[float, str], None], retrying: Callable[[int, str], None] | None = None) -> Any:
    """urllib3's Retry for what another try can mend (a 5xx, a timeout, a dropped connection), its
    backoff through `wait`, each new try told to `retrying(attempt, reason)`. A 403 or 429 is not retried
    here: it goes back to GitHub._get, as a rate limit needs what one request's retries cannot see (the
    other workers, the run's --wait)."""
    from urllib3 import Retry

    class _Retry(Retry):
        def increment(self, method: Any = None, url: Any = None, response: Any = None, error: Any = None,
                      _pool: Any = None, _stacktrace: Any = None) -> Any:
            new = super().increment(method, url, response, error, _pool, _stacktrace)  # raises at the end
            if retrying is not None:
                reason = f"answered {response.status}" if response is not None and error is None else (
                    _unreachable(error) if error is not None else "no answer")
                retrying(len(new.history), reason)
            return new

        def sleep(self, response: Any = None) -> None:
            seconds = self.get_backoff_time()
            if seconds > 0:
                wait(seconds, "backoff")

    return _Retry(
        total=ATTEMPTS - 1, backoff_factor=BACKOFF, backoff_max=8, backoff_jitter=0.25,
        status_forcelist=[500, 502, 503, 504],
        raise_on_status=False,  # the last 5xx reaches PyGithub, which raises it with its status
        respect_retry_after_header=False,  # a 5xx is retried within seconds, whatever it asks
    )


UNREACHABLE_ADVICE = "check the network, HTTPS_PROXY (if you need a proxy) and GITHUB_API_URL"


def _unreachable(error: Any) -> str:
    """Why a connection failed, in a few words (the exception chain's names, not its long text)."""
    seen: list[str] = []
    while error is not None and len(seen) < 8:
        seen.append(error.__class__.__name__)
        text = str(error)
        if "NameResolution" in error.__class__.__name__ or "Name or service not known" in text \
                or "nodename nor servname" in text or "getaddrinfo" in text:
            return "the name does not resolve"
        if isinstance(error, ConnectionRefusedError) or "Connection refused" in text:
            return "connection refused"
        if "ProxyError" in error.__class__.__name__:
            return "the proxy failed"
        if isinstance(error, TimeoutError) or "timed out" in text.lower():
            return "no answer in time"
        if "SSL" in error.__class__.__name__ or "CERTIFICATE" in text:
            return "TLS failed"
        error = getattr(error, "reason", None) or error.__cause__ or error.__context__ or (
            error.args[0] if getattr(error, "args", None) and isinstance(error.args[0], BaseException)
            else None)
    return "cannot connect"


def _nobody_answered(exc: Exception) -> bool:
    """The failure is GitHub's address's, not any one request's: unreachable, or no GitHub API there."""
    import requests

    return isinstance(exc, _NotAnApi | requests.exceptions.ConnectionError) and not isinstance(
        exc, requests.exceptions.Timeout)


def _not_an_api(status: int, body: str) -> bool:
    """An answer no GitHub API gives: a 501, an HTML page where JSON belongs (GitHub's own 5xx pages
    aside: those are retried and said as such), or a 2xx that is no JSON."""
    if status == 501:
        return True
    text = (body or "").lstrip()[:100].lower()
    if status < 500 and text.startswith(("<!doctype", "<html", "<?xml", "<head", "<body")):
        return True
    if 200 <= status < 300 and text:
        try:
            json.loads(body)
        except ValueError:
            return True
    return False


class _NotAnApi(Exception):
    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}")
        self.status = status
        self.html = (body or "").lstrip()[:1] == "<"


def _reset(headers: Mapping[str, Any]) -> int | None:
    """x-ratelimit-reset as epoch seconds, when it is a time within a year from now (a reset of
    99999999999999 is no time to wait for, nor to print)."""
    reset = str(_header(headers, "x-ratelimit-reset"))
    if not (reset.isdigit() and reset.isascii() and len(reset) < 15):
        return None
    return int(reset) if int(reset) - clock() < 366 * 86400 else None


def _limited(headers: Mapping[str, Any]) -> bool:
    return str(_header(headers, "x-ratelimit-remaining")) == "0"


def _header(headers: Mapping[str, Any] | None, name: str) -> Any:
    return next((v for k, v in (headers or {}).items() if k.lower() == name), None)


# --- payloads -> records --------------------------------------------------------------------------------
class _Unexpected(Exception):
    """An answer that is not what GitHub documents (a field of the wrong type, paging that breaks off):
    the repo or item fails with this message, and the rest of the run goes on."""


@dataclass(frozen=True)
class _Listing:
    path: str
    params: Sequence[tuple[str, str]]
    slim: Callable[[Any], Any]
    stop: Callable[[list[Any]], bool] | None = None
    what: str = "the list"  # for messages: "the open items"
    count: int | None = None  # how many items the listing holds, when GitHub says


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_count(value: Any) -> bool:
    return whole(value) and 0 <= value < 2**53


def _is_number(value: Any) -> bool:
    return _is_count(value) and value > 0


def _is_time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        _time(value)
    except (ValueError, OverflowError):
        return False
    return True


def _is_texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_flag(value: Any) -> bool:
    return isinstance(value, bool)


def _is_repo_name(value: Any) -> bool:
    from cmtriage.config import REPO_NAME

    return isinstance(value, str) and bool(REPO_NAME.match(value))


_WHAT = {_is_text: "text", _is_count: "a count", _is_number: "a number", _is_time: "a time",
         _is_texts: "a list of text", _is_flag: "true or false", _is_repo_name: "owner/name"}
_ISSUE = {"number": _is_number, "title": _is_text, "url": _is_text, "author": _is_text,
          "author_type": _is_text, "association": _is_text, "labels": _is_texts, "comments": _is_count,
          "created_at": _is_time, "updated_at": _is_time, "pull": _is_flag, "body": _is_text}
_COMMENT = {"issue": _is_number, "author": _is_text, "author_type": _is_text, "association": _is_text,
            "created_at": _is_time}
_REVIEW = {"author": _is_text, "author_type": _is_text, "association": _is_text, "submitted_at": _is_time}
_REPO = {"full_name": _is_repo_name, "archived": _is_flag}


def _checked(rows: Any, fields: Mapping[str, Callable[[Any], bool]], what: str) -> Any:
    """`rows` (a list of records, or one record), each field as `fields` wants it; else _Unexpected."""
    for row in rows if isinstance(rows, list) else [rows]:
        if not isinstance(row, dict):
            raise _Unexpected(f"{what} is not an object: {shown(row)}")
        for key, fits in fields.items():
            if not fits(row.get(key)):
                number = row.get("number")
                whose = f"#{number}: " if _is_number(number) else ""
                raise _Unexpected(f"{whose}{key} is not {_WHAT[fits]}: {shown(row.get(key))}")
    return rows


def _objects(data: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise _Unexpected(f"{what} is not a list of objects: {shown(data)}")
    return data


def _user(d: Mapping[str, Any]) -> Mapping[str, Any]:
    user = d.get("user")
    return user if isinstance(user, dict) else {}


def _with_check(slim: Callable[[Any], Any], check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`slim` carrying `check`, which _get runs over a cached copy of its output (a cache entry of the
    wrong shape is a miss, not a crash)."""
    slim.check = check  # type: ignore[attr-defined]
    return slim


def _slim_issues(with_body: bool) -> Callable[[Any], list[dict[str, Any]]]:
    """The fields reports use (the cache keeps nothing else)."""

    def slim(data: Any) -> list[dict[str, Any]]:
        rows = []
        for d in _objects(data, "the open items"):
            body = d.get("body") or ""
            labels = d.get("labels", [])
            rows.append({
                "number": d.get("number"), "title": d.get("title") or "", "url": d.get("html_url"),
                "author": _user(d).get("login", "ghost"), "author_type": _user(d).get("type", "User"),
                "association": d.get("author_association", "NONE"),
                "labels": [label.get("name") if isinstance(label, dict) else label
                           for label in labels] if isinstance(labels, list) else labels,
                "comments": d.get("comments", 0), "created_at": d.get("created_at"),
                "updated_at": d.get("updated_at"), "pull": "pull_request" in d,
                "closed_at": d.get("closed_at"),
                "assignees": [a["login"] for a in d.get("assignees") or []
                              if isinstance(a, dict) and isinstance(a.get("login"), str)],
                "body": (body[:BODY_LIMIT] if isinstance(body, str) else body) if with_body else "",
            })
        return _checked(rows, _ISSUE, "an item")

    return _with_check(slim, lambda rows: _checked(_objects(rows, "items"), _ISSUE, "an item"))


def _issue_number(d: Mapping[str, Any]) -> Any:
    url = d.get("issue_url")
    if not isinstance(url, str):
        return url
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() and tail.isascii() else url


def _slim_said(data: Any) -> list[dict[str, Any]]:
    """Comments with what they say (cut to BODY_LIMIT) and where they are."""
    return [{**slim, "body": (d.get("body") or "")[:BODY_LIMIT], "url": d.get("html_url") or ""}
            for d, slim in zip(data, _slim_comments(data), strict=True)]


def _slim_timeline(data: Any) -> list[dict[str, Any]]:
    """Only the events that say a pull mentioned the issue (`cross-referenced`, its source a pull)."""
    found = []
    for d in data:
        source = (d.get("source") or {}).get("issue") or {}
        if d.get("event") != "cross-referenced" or "pull_request" not in source:
            continue
        found.append({
            "url": source.get("html_url") or "",
            "author": (source.get("user") or {}).get("login", "ghost"),
            "author_type": (source.get("user") or {}).get("type", "User"),
            "association": source.get("author_association", "NONE"),
            "state": source.get("state", "open"),
            "created_at": d.get("created_at") or source.get("created_at"),
        })
    return found


def _slim_comments_of(data: Any) -> list[dict[str, Any]]:
    return _checked([{
        "issue": _issue_number(d),
        "author": _user(d).get("login", "ghost"), "author_type": _user(d).get("type", "User"),
        "association": d.get("author_association", "NONE"), "created_at": d.get("created_at"),
    } for d in _objects(data, "the comments")], _COMMENT, "a comment")


_slim_comments = _with_check(_slim_comments_of, lambda rows: _checked(_objects(rows, "comments"), _COMMENT,
                                                                      "a comment"))


def _slim_reviews_of(data: Any) -> list[dict[str, Any]]:
    """Submitted reviews only: a PENDING one (no submitted_at) is a draft only its author sees."""
    return _checked([{
        "author": _user(d).get("login", "ghost"), "author_type": _user(d).get("type", "User"),
        "association": d.get("author_association", "NONE"), "submitted_at": d.get("submitted_at"),
    } for d in _objects(data, "the reviews") if d.get("state") != "PENDING" and d.get("submitted_at")],
        _REVIEW, "a review")


_slim_reviews = _with_check(_slim_reviews_of, lambda rows: _checked(_objects(rows, "reviews"), _REVIEW,
                                                                    "a review"))


def _slim_repo_of(d: Any) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise _Unexpected(f"the repo is not an object: {shown(d)}")
    count = d.get("open_issues_count")
    return _checked({"full_name": d.get("full_name"), "archived": bool(d.get("archived")),
                     "open_items": count if _is_count(count) else None}, _REPO, "the repo")


_slim_repo = _with_check(_slim_repo_of, lambda row: _checked(row, _REPO, "the repo"))


def _slim_logins_of(data: Any) -> list[str]:
    logins = [d.get("login") for d in _objects(data, "the members")]
    if not _is_texts(logins):
        raise _Unexpected(f"a member's login is not text: {shown(logins)}")
    return logins


def _check_logins(rows: Any) -> None:
    if not _is_texts(rows):
        raise _Unexpected(f"the members are not a list of logins: {shown(rows)}")


_slim_logins = _with_check(_slim_logins_of, _check_logins)


def _check_pages(listing: _Listing, pages: Sequence[Any]) -> None:
    """Pages read by number: one empty before the last, or one the same as the page before, means the
    paging broke off (the list would be short, or wrong)."""
    for number, (previous, page) in enumerate(itertools.pairwise(pages), 2):
        if not previous:
            raise _Unexpected(f"{listing.what}: page {number - 1} of {len(pages)} is empty; stopped")
        if page and page == previous:
            raise _Unexpected(f"{listing.what}: page {number} repeats page {number - 1}; stopped")


def _issue(repo: str, d: Mapping[str, Any]) -> Issue:
    return Issue(repo=repo, number=d["number"], kind="pull" if d["pull"] else "issue", title=d["title"],
                 body=d["body"], url=d["url"], author=d["author"], author_type=d["author_type"],
                 association=d["association"], labels=tuple(d["labels"]), comments=d["comments"],
                 created_at=_time(d["created_at"]), updated_at=_time(d["updated_at"]),
                 assignees=tuple(d.get("assignees", ())),
                 closed_at=_time(d["closed_at"]) if d.get("closed_at") else None)


def _comment(d: Mapping[str, Any]) -> Comment:
    return Comment(author=d["author"], author_type=d["author_type"], association=d["association"],
                   created_at=_time(d["created_at"]))


def _said(d: Mapping[str, Any]) -> Comment:
    return Comment(author=d["author"], author_type=d["author_type"], association=d["association"],
                   created_at=_time(d["created_at"]), body=d["body"], url=d["url"])


def _cross_reference(d: Mapping[str, Any]) -> CrossReference:
    return CrossReference(url=d["url"], author=d["author"], author_type=d["author_type"],
                          association=d["association"], state=d["state"], created_at=_time(d["created_at"]))


def _review(d: Mapping[str, Any]) -> Comment:
    return Comment(author=d["author"], author_type=d["author_type"], association=d["association"],
                   created_at=_time(d["submitted_at"]), review=True)


# --- small helpers ----------------------------------------------------------------------------------------
def _usable(cached: Any, slim: Callable[[Any], Any]) -> dict[str, Any] | None:
    """A cache entry of the shape _get writes, its data as `slim` makes it; anything else (a file edited
    by hand, written by another version) is a miss."""
    if not (isinstance(cached, dict) and isinstance(cached.get("etag"), str) and "data" in cached
            and isinstance(cached.get("links"), dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in cached["links"].items())):
        return None
    try:
        getattr(slim, "check", lambda data: None)(cached["data"])
    except _Unexpected:
        return None
    return cached


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _midnight(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date(), day_time(), tzinfo=UTC)


def _json(body: str) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return {"message": body[:200]}


def _links(header: str) -> dict[str, str]:
    """A Link header's URLs by rel; one that names none is garbage (_Unexpected), not a last page."""
    from requests.utils import parse_header_links

    if not header:
        return {}
    links = {link["rel"]: link["url"] for link in parse_header_links(header) if "rel" in link and link["url"]}
    if not links:
        raise _Unexpected(f"the Link header is not one: {shown(header)}")
    return links


def _cache_key(url: str, params: Sequence[tuple[str, str]]) -> str:
    """The request without scheme and host: `GET /repos/o/r/issues?state=open&...`."""
    parts = urlsplit(url)
    query = parts.query or urlencode(list(params))
    return f"GET {parts.path}" + (f"?{query}" if query else "")


def _page_number(url: str) -> int:
    """The page a Link header's URL names; _Unexpected when it names none that is a number."""
    try:
        text = dict(parse_qsl(urlsplit(url).query)).get("page", "1")
    except ValueError:
        text = None
    if not (isinstance(text, str) and text.isdigit() and text.isascii() and 0 < len(text) < 10):
        raise _Unexpected(f"the Link header names no page number: {shown(url)}")
    return int(text)


def _with_page(url: str, number: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page"] + [("page", str(number))]
    return parts._replace(query=urlencode(query)).geturl()


__all__ = [
    "Activity", "CrossReference", "GitHub", "Needed", "People", "Plan", "Query", "Repo", "Stats",
    "every_item_since", "every_open_item", "labelled", "open_items_updated_before", "opened_since",
]

"""GitLab REST v4: the open issues of repos.yaml `gitlab.projects` (with any of `gitlab.labels`) as
`models.Thread`s, with their notes when they have any.

Per project, one query per label (GitLab's `labels=a,b` means all of them; none: every issue),
`GET /api/v4/projects/{group%2Fproject}/issues?state=opened&created_after=&created_before=&per_page=100`,
paged by `X-Next-Page` (else `Link: rel="next"`); an issue found under two labels counts once. Notes
(`/issues/{iid}/notes?sort=asc&per_page=100`) only for issues whose `user_notes_count` is above 0;
system notes ("added ~label", "mentioned in ...") are events, not answers. A 429 waits until
`RateLimit-Reset` (else `Retry-After`) within --wait. `GITLAB_TOKEN` (optional) goes in `PRIVATE-TOKEN`.
A project or an issue that cannot be read is a failure handed back; the others are still listed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cmtriage.clock import utc_text
from cmtriage.errors import SourceFailure
from cmtriage.models import Post, Thread
from cmtriage.sources import shapes
from cmtriage.sources.shapes import iso_time

if TYPE_CHECKING:
    import httpx

    from cmtriage.config import GitLab
    from cmtriage.sources.http import HttpClient

SOURCE = "gitlab"
TOKEN_VARIABLE = "GITLAB_TOKEN"
PER_PAGE = 100
MAX_PAGES = 50
WORKERS = 4


def wait_hint(response: httpx.Response) -> float | None:
    """On a 429: the seconds until `RateLimit-Reset` (Unix time)."""
    if response.status_code != 429:
        return None
    try:
        reset = float(response.headers.get("ratelimit-reset", ""))
    except ValueError:
        return None
    return max(0.0, reset - time.time())


def _time(value: Any) -> datetime:
    return iso_time(str(value))


class _Client:
    def __init__(self, http: HttpClient, base: str):
        self.http, self.base = http, base

    def pages(self, path: str, params: dict[str, str]) -> list[Any]:
        """Every item of an offset-paged list."""
        found: list[Any] = []
        url: str | None = f"{self.base}/api/v4{path}"
        query: dict[str, str] | None = {**params, "per_page": str(PER_PAGE)}
        for _ in range(MAX_PAGES):
            if url is None:
                break
            response = self.http.request("GET", url, params=query)
            if not response.is_success:
                raise self._failure(response, path)
            data = shapes.decoded(self.http, response)
            if not isinstance(data, list):
                raise self.http.fail(response.request.url, "the answer is not a list")
            found += data
            following = response.headers.get("x-next-page", "").strip()
            if following:
                query = {**(query or {}), "page": following}
            elif "next" in response.links:
                url, query = response.links["next"]["url"], None
                continue
            else:
                url = None
        if url is not None:  # a list would be short, and look whole: the source fails instead
            from cmtriage.models import counted

            raise self.http.fail(url, f"{path} names more than {counted(MAX_PAGES, 'page')}; stopped")
        return found

    def _failure(self, response: httpx.Response, path: str) -> SourceFailure:
        status = response.status_code
        if status == 401:
            message = f"HTTP 401: GitLab refused the token; check {TOKEN_VARIABLE}"
        elif status == 404:
            project = path.split("/")[2].replace("%2F", "/")
            message = (f"HTTP 404: no project {project} (or it is private: set {TOKEN_VARIABLE})"
                       if path.startswith("/projects/") else "HTTP 404 Not Found")
        else:
            message = f"HTTP {status} {response.reason_phrase}"
        return self.http.fail(response.request.url, message)


def fetch(config: GitLab, *, oldest: datetime, newest: datetime, bots: Iterable[str] = (),
          budget: Any = None, http: HttpClient | None = None) -> tuple[list[Thread], list[SourceFailure]]:
    """The open issues created between `oldest` and `newest`, with their posts; and what failed."""
    from cmtriage.sources.http import HttpClient

    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    own = http is None
    http = http or HttpClient(SOURCE, config.url, headers={"PRIVATE-TOKEN": token} if token else None,
                              budget=budget, wait_hint=wait_hint)
    client = _Client(http, config.url.rstrip("/"))
    bots = {b.lower() for b in bots}
    failures: list[SourceFailure] = []
    issues: dict[tuple[str, int], dict[str, Any]] = {}
    try:
        for project in config.projects:
            path = f"/projects/{quote(project, safe='')}/issues"
            try:
                for label in config.labels or (None,):
                    params = {"state": "opened", "created_after": utc_text(oldest),
                              "created_before": utc_text(newest), "order_by": "created_at", "sort": "asc"}
                    if label:
                        params["labels"] = label
                    for raw in client.pages(path, params):
                        issues.setdefault((project, int(raw["iid"])), raw)
            except SourceFailure as failure:
                failures.append(failure)
            except (KeyError, TypeError, ValueError) as exc:
                failures.append(shapes.unexpected(http, config.url, exc))
        with ThreadPoolExecutor(WORKERS, thread_name_prefix="gitlab") as pool:
            results = list(pool.map(lambda item: _thread(client, *item, bots), issues.items()))
    finally:
        if own:
            http.close()
    threads = [r for r in results if isinstance(r, Thread)]
    return threads, failures + [r for r in results if isinstance(r, SourceFailure)]


def _thread(client: _Client, where: tuple[str, int], raw: dict[str, Any], bots: set[str]
            ) -> Thread | SourceFailure:
    project, iid = where
    try:
        author = str((raw.get("author") or {}).get("username") or "")
        created = _time(raw["created_at"])
        posts = [Post(author, created, bot=author.lower() in bots)]
        if int(raw.get("user_notes_count") or 0) > 0:
            notes = client.pages(f"/projects/{quote(project, safe='')}/issues/{iid}/notes",
                                 {"sort": "asc", "order_by": "created_at"})
            for note in sorted(notes, key=lambda n: str(n["created_at"])):
                if note.get("system"):  # an event ("added ~label", "mentioned in"), not a post
                    continue
                name = str((note.get("author") or {}).get("username") or "")
                posts.append(Post(name, _time(note["created_at"]), bot=name.lower() in bots))
        last = max(p.created_at for p in posts if not p.bot or p is posts[0])
        return Thread(source=SOURCE, key=f"{project}#{iid}", url=str(raw["web_url"]),
                      title=str(raw.get("title") or ""), author=author, created_at=created,
                      last_activity_at=last, author_bot=posts[0].bot,
                      tags=tuple(str(label) for label in raw.get("labels") or ()), posts=tuple(posts),
                      posts_count=len(posts))
    except SourceFailure as failure:
        return failure
    except (KeyError, TypeError, ValueError) as exc:
        return shapes.unexpected(client.http, client.base, exc)

"""A Discourse forum: its recent topics as `models.Thread`s, opened only where a rule needs the posts.

What a run asks:
- `/latest.json?order=created&per_page=100&page=N` from page 0, newest first, until a page's oldest
  (unpinned) topic is older than the window, a page comes back short or empty, or `more_topics_url` is
  gone (its value has no `.json`, so the next request is built here);
- `/categories.json?include_subcategories=true` once, for category names;
- `/groups/{name}/members.json?offset=&limit=50` for each of forum.staff_groups;
- `/t/{id}.json` for the topics a rule cannot settle from the list (reports/forum.py `needs_posts`), and
  `/t/{id}/posts.json?post_ids[]=...` for the posts past its first chunk of 20. A topic's posts are
  cached keyed on (id, last_posted_at): the next day's run opens only the topics that moved.
Topics are opened WORKERS at a time, and no faster than Discourse's default limits allow: 50 requests in
any 10 s and 200 in any minute per IP, or 60 a minute with an admin API key (PUBLIC_LIMITS, KEY_LIMITS),
so a first run over a busy forum takes minutes instead of meeting 429s; these pauses are ours and do not
draw on --wait. Should a 429 come anyway, it waits `extras.wait_seconds` (application limits, JSON) or
`Retry-After` (per-IP limits, plain text), within the run's --wait budget.

Staff: a post's `staff`/`admin`/`moderator` flag, members of forum.staff_groups, forum.staff_usernames.
Bots: any user id at or below 0 (`system` -1, `discobot` -2) and repos.yaml `bots`; small-action and
moderator-action posts (pinned, closed, ...) are the system's. A bot is never staff. Whispers are skipped.
"""

from __future__ import annotations

import html
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cmtriage.errors import SourceFailure
from cmtriage.models import Post, Poster, Thread
from cmtriage.sources import shapes
from cmtriage.sources.shapes import iso_time

if TYPE_CHECKING:
    import httpx

    from cmtriage.cache import Cache
    from cmtriage.sources.http import HttpClient

SOURCE = "forum"
KEY_VARIABLE = "DISCOURSE_API_KEY"
USERNAME_VARIABLE = "DISCOURSE_API_USERNAME"
PER_PAGE = 100
CHUNK = 20  # posts a topic answers with, and how many more we ask for at a time
GROUP_PAGE = 50
MAX_PAGES = 200  # 20,000 topics: a forum past that in the window is a loop, not a forum
WORKERS = 4
TEXT_LIMIT = 20_000  # what the word match reads of a first post; the cache keeps no more
PUBLIC_LIMITS = ((50, 10.0), (200, 60.0))  # Discourse's defaults per IP: (requests, in seconds)
KEY_LIMITS = ((60, 60.0),)  # every admin API key of a site shares one bucket of 60 a minute
_SYSTEM_POSTS = (2, 3)  # moderator_action, small_action: "closed", "pinned", ... by the system
_WHISPER = 4
_QUOTED = re.compile(r"<(aside|blockquote|pre|code)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def headers() -> dict[str, str]:
    """The API key headers when DISCOURSE_API_KEY is set (public forums need none)."""
    key = os.environ.get(KEY_VARIABLE, "").strip()
    if not key:
        return {}
    return {"Api-Key": key, "Api-Username": os.environ.get(USERNAME_VARIABLE, "").strip() or "system"}


def wait_hint(response: httpx.Response) -> float | None:
    """An application limit's `extras.wait_seconds` (a per-IP 429 is plain text: Retry-After says)."""
    if response.status_code != 429:
        return None
    extras = shapes.body(response).get("extras")
    return shapes.seconds(extras.get("wait_seconds")) if isinstance(extras, dict) else None


def plain(cooked: str) -> str:
    """A post's HTML as text."""
    return html.unescape(_TAG.sub(" ", cooked or ""))


def asks(cooked: str) -> bool:
    """Whether a post asks something: a question mark outside quotes, code and web addresses."""
    return "?" in _ADDRESS.sub(" ", plain(_QUOTED.sub(" ", cooked or "")))


def _tags(raw: Any) -> tuple[str, ...]:
    """Strings in older versions, {id, name, slug} objects since early 2026."""
    return tuple(str(t.get("name") or t.get("slug") or "") if isinstance(t, dict) else str(t)
                 for t in raw or ())


class Pace:
    """At most `limit` requests started in any `seconds`, for each (limit, seconds) given; shared by the
    workers. `delay()` books the next start and says how long to wait for it."""

    def __init__(self, limits: Sequence[tuple[int, float]], clock: Callable[[], float] = time.monotonic):
        self.limits = tuple(limits)
        self._clock = clock
        self._starts: deque[float] = deque(maxlen=max((n for n, _ in self.limits), default=1))
        self._lock = threading.Lock()

    def delay(self) -> float:
        with self._lock:
            now = self._clock()
            start = now
            for limit, seconds in self.limits:
                if len(self._starts) >= limit:
                    start = max(start, self._starts[-limit] + seconds)
            self._starts.append(start)
            return start - now


class Discourse:
    """One forum, through an HttpClient; `staff` and `bots` are lower-cased usernames."""

    def __init__(self, http: HttpClient, base: str, *, bots: Iterable[str] = (),
                 staff_usernames: Iterable[str] = (), cache: Cache | None = None, workers: int | None = None,
                 limits: Sequence[tuple[int, float]] | None = None):
        self.http = http
        self.base = base.rstrip("/")
        self.bots = {b.lower() for b in bots}
        self.staff = {s.lower() for s in staff_usernames}
        self.cache = cache
        self.workers = workers or WORKERS  # read at call time, so a test can open topics one at a time
        self.opened = 0  # topics opened by request (not from the cache)
        self.paused = 0.0  # seconds spent keeping to the forum's limits
        self._pace = Pace(limits if limits is not None else KEY_LIMITS if headers() else PUBLIC_LIMITS)

    # --- requests ----------------------------------------------------------------------------------
    def _get(self, path: str, params: Any = None) -> Any:
        from cmtriage.sources import http

        wait = self._pace.delay()
        if wait > 0:
            self.paused += wait
            http.sleep(wait)
        response = self.http.request("GET", f"{self.base}{path}", params=params)
        if not response.is_success:
            raise self._failure(response)
        return shapes.decoded(self.http, response)

    def _failure(self, response: httpx.Response) -> SourceFailure:
        status = response.status_code
        body = shapes.body(response)
        kind, errors = body.get("error_type"), body.get("errors")
        detail = str(errors[0]) if isinstance(errors, list) and errors else ""
        if status == 403 and kind == "invalid_access":
            message = (f"HTTP 403: the forum refused the API key ({detail or kind}); check {KEY_VARIABLE} "
                       f"and {USERNAME_VARIABLE}")
        else:
            message = f"HTTP {status} {response.reason_phrase}" + (f": {detail}" if detail else "")
        return self.http.fail(response.request.url, message)

    def _unexpected(self, what: str, exc: Exception) -> SourceFailure:
        return shapes.unexpected(self.http, self.base, exc, part=what)

    # --- what the report needs -----------------------------------------------------------------------
    def staff_members(self, groups: Sequence[str]) -> set[str]:
        """The usernames of the groups' members, lower-cased, added to the run's staff."""
        for group in groups:
            offset = 0
            while True:
                try:
                    page = self._get(f"/groups/{group}/members.json",
                                     {"offset": str(offset), "limit": str(GROUP_PAGE)})
                except SourceFailure as failure:
                    raise SourceFailure(SOURCE, f"cannot list staff group {group}: {failure.detail}"
                                        ) from None
                try:
                    members = page["members"]
                    self.staff.update(m["username"].lower() for m in members)
                    total = int(page.get("meta", {}).get("total", 0))
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    raise self._unexpected(f"group {group}", exc) from None
                offset += len(members)
                if not members or offset >= total:
                    break
        return self.staff

    def categories(self) -> dict[int, str]:
        """Category id -> name, subcategories included."""
        body = self._get("/categories.json", {"include_subcategories": "true"})
        names: dict[int, str] = {}
        try:
            for category in body["category_list"]["categories"]:
                names[int(category["id"])] = str(category["name"])
                for sub in category.get("subcategory_list") or ():
                    names[int(sub["id"])] = str(sub["name"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self._unexpected("/categories.json", exc) from None
        return names

    def latest(self, oldest: datetime, categories: dict[int, str] | None = None) -> list[Thread]:
        """The topics created at or after `oldest` (and the pinned ones), as the list tells them."""
        threads: dict[int, Thread] = {}
        for page in range(MAX_PAGES):
            body = self._get("/latest.json",
                             {"order": "created", "per_page": str(PER_PAGE), "page": str(page)})
            try:
                listing = body["topic_list"]
                topics = listing.get("topics") or []
                users = {int(u["id"]): str(u["username"]) for u in body.get("users") or ()}
                for raw in topics:
                    thread = self._listed(raw, users, categories or {})
                    if thread.created_at >= oldest:  # by id: a topic may move between two pages
                        threads.setdefault(int(raw["id"]), thread)
                unpinned = [iso_time(t["created_at"]) for t in topics if not t.get("pinned")]
                size = int(listing.get("per_page") or PER_PAGE)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise self._unexpected("/latest.json", exc) from None
            if (not topics or len(topics) < size or not listing.get("more_topics_url")
                    or (unpinned and min(unpinned) < oldest)):
                break
        return list(threads.values())

    def _is_bot(self, user_id: Any, username: str) -> bool:
        return (isinstance(user_id, int) and user_id <= 0) or username.lower() in self.bots

    def _poster(self, user_id: Any, username: str) -> Poster:
        bot = self._is_bot(user_id, username)
        return Poster(username, staff=not bot and username.lower() in self.staff, bot=bot)

    def _listed(self, raw: dict[str, Any], users: dict[int, str], categories: dict[int, str]) -> Thread:
        id = int(raw["id"])
        posters = [p for p in raw.get("posters") or () if isinstance(p, dict)]
        ids = [p.get("user_id") for p in posters]
        author_id = ids[0] if ids else None
        author = users.get(author_id, "") if author_id is not None else ""
        others = [self._poster(uid, users.get(uid, f"user {uid}")) for uid in dict.fromkeys(ids[1:])
                  if uid != author_id]
        last = raw.get("last_poster_username")
        last_id = next((uid for uid, name in users.items() if name == last), None)
        created = iso_time(raw["created_at"])
        return Thread(
            source=SOURCE, key=str(id), url=f"{self.base}/t/{raw.get('slug') or 'topic'}/{id}",
            title=str(raw.get("title") or ""), author=author, created_at=created,
            last_activity_at=iso_time(raw["last_posted_at"]) if raw.get("last_posted_at") else created,
            open=not (raw.get("closed") or raw.get("archived") or raw.get("pinned")
                      or raw.get("pinned_globally") or raw.get("visible") is False),
            accepted=bool(raw.get("has_accepted_answer")),
            author_staff=author.lower() in self.staff and not self._is_bot(author_id, author),
            author_bot=self._is_bot(author_id, author),
            category=categories.get(raw.get("category_id")), tags=_tags(raw.get("tags")),
            posts_count=int(raw.get("posts_count") or 1), posters=tuple(others),
            last_poster=self._poster(last_id, last) if last else None,
        )

    # --- opening topics ------------------------------------------------------------------------------
    def open_topics(self, threads: Sequence[Thread]) -> tuple[list[Thread], list[SourceFailure]]:
        """The threads with their posts read (from the cache while a topic has not moved); a topic that
        could not be read keeps what the list said, and its failure is returned. After the first failure
        (a wait longer than --wait, a server in trouble) no more topics are asked for: each left is
        returned with that failure."""
        self._failed: SourceFailure | None = None
        with ThreadPoolExecutor(self.workers, thread_name_prefix="discourse") as pool:
            results = list(pool.map(self._open_one, threads))
        opened = [r if isinstance(r, Thread) else t for t, r in zip(threads, results, strict=True)]
        return opened, [r for r in results if isinstance(r, SourceFailure)]

    def _open_one(self, thread: Thread) -> Thread | SourceFailure:
        if self._failed is not None:
            return self._failed
        try:
            return self._with_posts(thread, self._topic(thread))
        except SourceFailure as failure:
            self._failed = self._failed or failure
            return failure
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return self._unexpected(f"topic {thread.key}", exc)

    def _topic(self, thread: Thread) -> dict[str, Any]:
        """{"posts": [slim post], "text": first post's text, "accepted": bool}, cached by last post time."""
        key = f"topic:{thread.key}"
        version = thread.last_activity_at.isoformat()
        cached = self.cache.get(key) if self.cache else None
        if isinstance(cached, dict) and cached.get("version") == version:
            return cached
        body = self._get(f"/t/{thread.key}.json")
        stream = body["post_stream"]
        posts = {int(p["id"]): p for p in stream.get("posts") or ()}
        missing = [int(i) for i in stream.get("stream") or () if int(i) not in posts]
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start:start + CHUNK]
            more = self._get(f"/t/{thread.key}/posts.json", [("post_ids[]", str(i)) for i in chunk])
            posts.update({int(p["id"]): p for p in more["post_stream"]["posts"]})
        order = [int(i) for i in stream.get("stream") or ()] or sorted(posts)
        ordered = sorted((posts[i] for i in order if i in posts),
                         key=lambda p: int(p.get("post_number") or 0))
        slim = [{"username": str(p.get("username") or ""), "user_id": p.get("user_id"),
                 "created_at": str(p["created_at"]), "post_type": int(p.get("post_type") or 1),
                 "staff": bool(p.get("staff") or p.get("admin") or p.get("moderator")),
                 "asks": asks(str(p.get("cooked") or ""))} for p in ordered]
        first = plain(str(ordered[0].get("cooked") or ""))[:TEXT_LIMIT] if ordered else ""
        value = {"version": version, "posts": slim, "text": first,
                 "accepted": bool(body.get("accepted_answer") or body.get("has_accepted_answer"))}
        self.opened += 1
        if self.cache:
            self.cache.put(key, value)
        return value

    def _with_posts(self, thread: Thread, topic: dict[str, Any]) -> Thread:
        from dataclasses import replace

        posts = []
        for p in topic["posts"]:
            if p["post_type"] == _WHISPER:
                continue
            bot = self._is_bot(p["user_id"], p["username"]) or p["post_type"] in _SYSTEM_POSTS
            staff = not bot and (p["staff"] or p["username"].lower() in self.staff)
            posts.append(Post(p["username"], iso_time(p["created_at"]), staff=staff, bot=bot,
                              asks=p["asks"] and not bot))
        author_staff = thread.author_staff or bool(posts and posts[0].staff)
        author = thread.author or (posts[0].author if posts else "")
        return replace(thread, posts=tuple(posts), text=topic["text"], author=author,
                       author_staff=author_staff, accepted=thread.accepted or topic["accepted"])


def client(base: str, *, budget: Any = None, sleep: Callable[[float], None] | None = None) -> HttpClient:
    from cmtriage.sources.http import HttpClient

    return HttpClient(SOURCE, base, headers={"Accept": "application/json", **headers()}, budget=budget,
                      wait_hint=wait_hint, sleep=sleep)

"""A fake Discourse forum on 127.0.0.1, shaped after shared/reference/discourse/ (discourse_api_docs'
rswag responses) and shared/api-notes.md:

- `GET /latest.json?order=created|activity&page=N&per_page=K`: `users[]` and `topic_list{per_page, topics[],
  more_topics_url?}`; `per_page` 30 by default, 400 above 100; pinned topics first on page 0; the topics'
  `posters[]` as Discourse builds them (the original poster first, then the most recent poster, then the
  most frequent, five at most) with `extras`/`description`; `tags` as strings or `{id, name, slug}`
  objects (`tag_objects`); `more_topics_url` only on a full page and without `.json`
  (`/latest?no_definitions=true&page=1`);
- `GET /t/{id}.json`: `post_stream{posts (the first 20), stream (every id)}`, `accepted_answer` when solved,
  and the topic's fields; `GET /t/{id}/posts.json?post_ids[]=...`: `{"post_stream": {"posts"}, "id"}`;
- `GET /groups/{name}/members.json?offset=&limit=` (50 by default): `members[]`, `owners[]`,
  `meta{total, limit, offset}`; 404 for an unknown group;
- `GET /categories.json`: `category_list.categories[]` with `subcategory_list` when
  `include_subcategories=true`;
- `Api-Key` + `Api-Username`: when `key` is set, any other key is a 403 `invalid_access`;
- faults for the next matching requests: `throttle(times, wait, form="plain"|"json")` (a per-IP 429 in
  plain text with `Retry-After`, or an application 429 in JSON with `extras.wait_seconds`), `fail(times,
  status)`, `garble(times)` (a 200 that is not JSON).

`requests` records every request (path, params with lists for `post_ids[]`); `latency` delays each answer.
"""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from fakes import Asked, json_handler, served

KEY = "discourse-fake-key-8c41"
CHUNK = 20


@dataclass
class FakePost:
    username: str
    created_at: str
    cooked: str = "<p>A post.</p>"
    user_id: int | None = None  # derived from the username when None (system -1, discobot -2)
    staff: bool = False
    admin: bool = False
    moderator: bool = False
    post_type: int = 1
    id: int = 0
    post_number: int = 0


@dataclass
class FakeTopic:
    id: int
    title: str
    posts: list[FakePost]
    category_id: int = 1
    tags: tuple[str, ...] = ()
    closed: bool = False
    archived: bool = False
    pinned: bool = False
    visible: bool = True
    accepted: int | None = None  # the accepted answer's post number

    @property
    def created_at(self) -> str:
        return self.posts[0].created_at


@dataclass
class Request:
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]


USER_IDS = {"system": -1, "discobot": -2}


def user_id(username: str) -> int:
    """The same id for the same username in every fake (system -1, discobot -2, others from 100)."""
    if username not in USER_IDS:
        USER_IDS[username] = 100 + len([i for i in USER_IDS.values() if i > 0])
    return USER_IDS[username]


def topic(id: int, title: str, *posts: tuple, **fields: Any) -> FakeTopic:
    """A topic from (username, created_at[, cooked[, flags dict]]) tuples, the first the opening post."""
    made = []
    for post in posts:
        username, created = post[0], post[1]
        cooked = post[2] if len(post) > 2 else f"<p>Post by {username}.</p>"
        flags = post[3] if len(post) > 3 else {}
        made.append(FakePost(username, created, cooked, **flags))
    return FakeTopic(id, title, made, **fields)


@dataclass
class FakeDiscourse:
    topics: list[FakeTopic] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=dict)
    categories: list[dict[str, Any]] = field(default_factory=lambda: [
        {"id": 1, "name": "Troubleshooting", "subcategories": [{"id": 11, "name": "Installation"}]},
        {"id": 2, "name": "Feature Requests", "subcategories": []}])
    tag_objects: bool = False
    key: str | None = None
    latency: float = 0.0
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    _faults: list[tuple[str | None, tuple]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for t in self.topics:
            self._number(t)

    def add(self, *topics: FakeTopic) -> None:
        for t in topics:
            self._number(t)
            self.topics.append(t)

    @staticmethod
    def _number(t: FakeTopic) -> None:
        for n, post in enumerate(t.posts, 1):
            post.post_number = n
            post.id = t.id * 1000 + n
            if post.user_id is None:
                post.user_id = user_id(post.username)

    # --- faults --------------------------------------------------------------------------------------
    def throttle(self, times: int = 1, wait: int = 3, *, form: str = "plain",
                 where: str | None = None) -> None:
        self._faults += [(where, ("throttle", wait, form))] * times

    def fail(self, times: int = 1, status: int = 502, *, where: str | None = None) -> None:
        self._faults += [(where, ("fail", status))] * times

    def garble(self, times: int = 1, *, where: str | None = None) -> None:
        self._faults += [(where, ("garble",))] * times

    def count(self, path: str | None = None, *, prefix: str | None = None) -> int:
        return sum(1 for r in self.requests if (path is None or r.path == path)
                   and (prefix is None or r.path.startswith(prefix)))

    # --- answers -------------------------------------------------------------------------------------
    def answer(self, path: str, params: dict[str, list[str]], headers: dict[str, str]
               ) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            self.requests.append(Request(path, params, headers))
            fault = next((f for f in self._faults if f[0] is None or f[0] in path), None)
            if fault:
                self._faults.remove(fault)
        if fault:
            kind = fault[1]
            if kind[0] == "throttle":
                _, wait, form = kind
                if form == "json":
                    return 429, {"Retry-After": str(wait), "Discourse-Rate-Limit-Error-Code":
                                 "admin_api_key_rate_limit"}, {
                        "errors": [f"You've performed this action too many times. Please wait {wait} "
                                   "seconds before trying again."],
                        "error_type": "rate_limit",
                        "extras": {"wait_seconds": wait, "time_left": f"{wait} seconds"}}
                return 429, {"Retry-After": str(wait), "Discourse-Rate-Limit-Error-Code": "ip_10_secs_limit",
                             "Content-Type": "text/plain"}, (
                    "Slow down, too many requests from this IP address. Please retry again in "
                    f"{wait} seconds. Error code: ip_10_secs_limit.\n")
            if kind[0] == "fail":
                return kind[1], {"Content-Type": "text/html"}, "<html><body>Bad gateway</body></html>"
            return 200, {}, "<html>not json"
        if self.key is not None and headers.get("api-key") != self.key:
            return 403, {}, {"errors": ["You are not permitted to view the requested resource. The API "
                                        "username or key is invalid."], "error_type": "invalid_access"}
        one = {k: v[-1] for k, v in params.items()}
        if path == "/latest.json":
            return self._latest(one)
        if path == "/categories.json":
            return self._categories(one)
        if path.startswith("/groups/") and path.endswith("/members.json"):
            return self._members(path.split("/")[2], one)
        if path.startswith("/t/"):
            parts = path.split("/")
            found = next((t for t in self.topics if str(t.id) == parts[2].removesuffix(".json")), None)
            if found is None:
                return 404, {}, {"errors": ["The requested URL or resource could not be found."],
                                 "error_type": "not_found"}
            if len(parts) == 4 and parts[3] == "posts.json":
                wanted = {int(i) for i in params.get("post_ids[]", [])}
                posts = [p for p in found.posts if p.id in wanted] if wanted else found.posts[:CHUNK]
                return 200, {}, {"post_stream": {"posts": [self._post(found, p) for p in posts]},
                                 "id": found.id}
            return 200, {}, self._topic(found)
        return 404, {}, {"errors": ["The requested URL or resource could not be found."],
                         "error_type": "not_found"}

    def _tags(self, t: FakeTopic) -> list[Any]:
        if self.tag_objects:
            return [{"id": n, "name": name, "slug": name.lower()} for n, name in enumerate(t.tags, 1)]
        return list(t.tags)

    def _posters(self, t: FakeTopic) -> list[dict[str, Any]]:
        op, last = t.posts[0].user_id, t.posts[-1].user_id
        counts = Counter(p.user_id for p in t.posts)
        order = [op, last, *(uid for uid, _ in counts.most_common())]
        ids = list(dict.fromkeys(order))[:5]
        posters = []
        for uid in ids:
            words = []
            if uid == op:
                words.append("Original Poster")
            if uid == last:
                words.append("Most Recent Poster")
            if uid not in (op, last):
                words.append("Frequent Poster")
            extras = ("latest single" if len(ids) == 1 else "latest") if uid == last else None
            posters.append({"extras": extras, "description": ", ".join(words), "user_id": uid,
                            "primary_group_id": None})
        return posters

    def _summary(self, t: FakeTopic) -> dict[str, Any]:
        last = t.posts[-1]
        return {
            "id": t.id, "title": t.title, "fancy_title": t.title.replace("&", "&amp;"),
            "slug": f"topic-{t.id}",
            "posts_count": len(t.posts),
            "reply_count": 0, "highest_post_number": len(t.posts), "image_url": None,
            "created_at": t.created_at, "last_posted_at": last.created_at, "bumped": True,
            "bumped_at": last.created_at, "archetype": "regular", "unseen": False, "pinned": t.pinned,
            "unpinned": None, "visible": t.visible, "closed": t.closed, "archived": t.archived,
            "bookmarked": None, "liked": None, "views": 10, "like_count": 0, "has_summary": False,
            "last_poster_username": last.username, "category_id": t.category_id, "pinned_globally": False,
            "featured_link": None, "has_accepted_answer": t.accepted is not None, "can_have_answer": True,
            "tags": self._tags(t), "posters": self._posters(t),
        }

    def _latest(self, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        per_page = int(params.get("per_page", "30"))
        if not 1 <= per_page <= 100:
            return 400, {}, {"errors": ["per_page is invalid"], "error_type": "invalid_parameters"}
        page = int(params.get("page", "0"))
        created = params.get("order") == "created"
        ordered = sorted(self.topics, key=lambda t: t.created_at if created else t.posts[-1].created_at,
                         reverse=params.get("ascending") != "true")
        ordered = [t for t in ordered if t.pinned] + [t for t in ordered if not t.pinned]
        shown = ordered[page * per_page:(page + 1) * per_page]
        users = {p.user_id: p.username for t in shown for p in t.posts}
        listing: dict[str, Any] = {"can_create_topic": False, "per_page": per_page,
                                   "topics": [self._summary(t) for t in shown]}
        if len(shown) == per_page:
            listing["more_topics_url"] = f"/latest?no_definitions=true&order=created&page={page + 1}"
        return 200, {}, {"users": [{"id": uid, "username": name, "name": None,
                                    "avatar_template": "/letter_avatar_proxy/v4/letter/x/{size}.png"}
                                   for uid, name in users.items()],
                         "primary_groups": [], "flair_groups": [], "topic_list": listing}

    def _post(self, t: FakeTopic, p: FakePost) -> dict[str, Any]:
        return {
            "id": p.id, "name": "", "username": p.username, "avatar_template": "", "created_at": p.created_at,
            "cooked": p.cooked, "post_number": p.post_number, "post_type": p.post_type,
            "updated_at": p.created_at, "reply_count": 0, "reply_to_post_number": None, "quote_count": 0,
            "topic_id": t.id, "topic_slug": f"topic-{t.id}", "display_username": "",
            "primary_group_name": None, "version": 1, "user_title": None, "moderator": p.moderator,
            "admin": p.admin, "staff": p.staff or p.admin or p.moderator, "user_id": p.user_id,
            "hidden": False, "trust_level": 1, "deleted_at": None, "user_deleted": False, "wiki": False,
            "accepted_answer": t.accepted == p.post_number,
            "topic_accepted_answer": True if t.accepted is not None else None,
        }

    def _topic(self, t: FakeTopic) -> dict[str, Any]:
        body = {
            "post_stream": {"posts": [self._post(t, p) for p in t.posts[:CHUNK]],
                            "stream": [p.id for p in t.posts]},
            "timeline_lookup": [[1, 0]], "id": t.id, "title": t.title, "fancy_title": t.title,
            "posts_count": len(t.posts), "created_at": t.created_at, "views": 10, "reply_count": 0,
            "participant_count": len({p.user_id for p in t.posts}), "like_count": 0,
            "last_posted_at": t.posts[-1].created_at, "visible": t.visible, "closed": t.closed,
            "archived": t.archived, "archetype": "regular", "slug": f"topic-{t.id}",
            "category_id": t.category_id, "user_id": t.posts[0].user_id, "pinned": t.pinned,
            "tags": self._tags(t), "chunk_size": CHUNK,
        }
        if t.accepted is not None:
            answer = t.posts[t.accepted - 1]
            body["accepted_answer"] = {"post_number": t.accepted, "username": answer.username,
                                       "name": None, "excerpt": "..."}
        return body

    def _members(self, name: str, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if name not in self.groups:
            return 404, {}, {"errors": ["The requested URL or resource could not be found."],
                             "error_type": "not_found"}
        offset, limit = int(params.get("offset", "0")), int(params.get("limit", "50"))
        members = self.groups[name]
        return 200, {}, {
            "members": [{"id": user_id(m), "username": m, "name": None, "avatar_template": "",
                         "title": None, "last_posted_at": None, "last_seen_at": None}
                        for m in members[offset:offset + limit]],
            "owners": [], "meta": {"total": len(members), "limit": limit, "offset": offset}}

    def _categories(self, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        listed = []
        for c in self.categories:
            entry = {"id": c["id"], "name": c["name"], "slug": c["name"].lower(), "topic_count": 1,
                     "subcategory_ids": [s["id"] for s in c["subcategories"]]}
            if params.get("include_subcategories") == "true":
                entry["subcategory_list"] = [{"id": s["id"], "name": s["name"], "slug": s["name"].lower()}
                                             for s in c["subcategories"]]
            listed.append(entry)
        return 200, {}, {"category_list": {"can_create_category": False, "categories": listed}}


def _handler(fake: FakeDiscourse) -> type[BaseHTTPRequestHandler]:
    def answer(asked: Asked) -> tuple[int, dict[str, str], Any]:
        return fake.answer(asked.path, asked.query, asked.headers)

    return json_handler(answer, latency=lambda: fake.latency)


def serve(fake: FakeDiscourse) -> AbstractContextManager[FakeDiscourse]:
    return served(fake, _handler(fake))

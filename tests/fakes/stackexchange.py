"""A fake Stack Exchange API 2.3 on 127.0.0.1, after shared/api-notes.md and reference/api-facts.md §2:

- `GET /2.3/questions/no-answers?site=&tagged=&sort=creation&order=desc&fromdate=&pagesize=&page=`:
  the wrapper `{items, has_more, quota_max, quota_remaining, backoff?}`, questions with
  `answer_count` 0 only; `tagged` is `;`-separated AND; `page` from 1; titles HTML-encoded;
- every answer gzip-compressed (`Content-Encoding: gzip`), as Stack Exchange always does;
- `quota_max` 300 (10,000 with a `key`), `quota_remaining` falling by one a request;
- faults for the next requests: `backoff(seconds)` (a `backoff` field in the answer), `throttle()` (HTTP 400
  `{"error_id": 502, "error_name": "throttle_violation", "error_message": "too many requests from this IP,
  more requests available in N seconds"}`), `error(id, name, message)`, `fail(status)` (an uncompressed
  front-end page), `garble()` (not JSON).

`requests` records each request's params; `latency` delays each answer.
"""

from __future__ import annotations

import gzip
import json
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from fakes import Asked, json_handler, served


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def question(id: int, title: str, *, owner: str, created: str, tags: tuple[str, ...] = ("mattermost",),
             answers: int = 0, closed: str | None = None, activity: str | None = None) -> dict[str, Any]:
    q = {"tags": list(tags), "owner": {"account_id": id * 7, "reputation": 11, "user_id": id * 3,
                                       "user_type": "registered", "display_name": owner,
                                       "link": f"https://stackoverflow.com/users/{id * 3}/x"},
         "is_answered": False, "view_count": 12, "answer_count": answers, "score": 0,
         "last_activity_date": epoch(activity or created), "creation_date": epoch(created),
         "question_id": id, "content_license": "CC BY-SA 4.0",
         "link": f"https://stackoverflow.com/questions/{id}/q-{id}", "title": title}
    if closed:
        q["closed_date"] = epoch(closed)
        q["closed_reason"] = "Duplicate"
    return q


@dataclass
class FakeStackExchange:
    questions: list[dict[str, Any]] = field(default_factory=list)
    quota_remaining: int = 300
    latency: float = 0.0
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    _faults: list[tuple] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def backoff(self, seconds: int, times: int = 1) -> None:
        self._faults += [("backoff", seconds)] * times

    def throttle(self, seconds: int = 80411, times: int = 1) -> None:
        message = f"too many requests from this IP, more requests available in {seconds} seconds"
        self._faults += [("error", 502, "throttle_violation", message)] * times

    def error(self, id: int, name: str, message: str, times: int = 1) -> None:
        self._faults += [("error", id, name, message)] * times

    def fail(self, status: int = 503, times: int = 1) -> None:
        self._faults += [("fail", status)] * times

    def garble(self, times: int = 1) -> None:
        self._faults += [("garble",)] * times

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, bytes, bool]:
        """(status, body, gzipped)."""
        with self._lock:
            self.requests.append(params)
            fault = self._faults.pop(0) if self._faults else None
            self.quota_remaining -= 1
            quota_max = 10000 if params.get("key") else 300
        if fault and fault[0] == "fail":
            return fault[1], b"<html><body>Service Unavailable</body></html>", False
        if fault and fault[0] == "garble":
            return 200, b"<html>not json", True
        if fault and fault[0] == "error":
            return 400, json.dumps({"error_id": fault[1], "error_name": fault[2],
                                    "error_message": fault[3]}).encode(), True
        if path != "/2.3/questions/no-answers":
            return 400, json.dumps({"error_id": 404, "error_name": "no_method",
                                    "error_message": "no method found with this name"}).encode(), True
        wanted = [t for t in params.get("tagged", "").split(";") if t]
        found = [q for q in self.questions if q["answer_count"] == 0 and all(t in q["tags"] for t in wanted)
                 and q["creation_date"] >= int(params.get("fromdate", "0"))]
        found.sort(key=lambda q: q["creation_date"], reverse=params.get("order", "desc") == "desc")
        size, page = int(params.get("pagesize", "30")), int(params.get("page", "1"))
        shown = found[(page - 1) * size:page * size]
        body: dict[str, Any] = {
            "items": [{**q, "title": q["title"].replace("&", "&amp;").replace("'", "&#39;")
                       .replace("<", "&lt;").replace(">", "&gt;")} for q in shown],
            "has_more": page * size < len(found), "quota_max": quota_max,
            "quota_remaining": self.quota_remaining}
        if fault and fault[0] == "backoff":
            body["backoff"] = fault[1]
        return 200, json.dumps(body).encode(), True


def _handler(fake: FakeStackExchange) -> type[BaseHTTPRequestHandler]:
    def answer(asked: Asked) -> tuple[int, dict[str, str], bytes]:
        status, data, zipped = fake.answer(asked.path, asked.params)
        if not zipped:  # a front end's page, as Stack Exchange's own are
            return status, {"Content-Type": "text/html"}, data
        return (status, {"Content-Type": "application/json; charset=utf-8", "Content-Encoding": "gzip"},
                gzip.compress(data))

    return json_handler(answer, latency=lambda: fake.latency)


def serve(fake: FakeStackExchange) -> AbstractContextManager[FakeStackExchange]:
    return served(fake, _handler(fake))

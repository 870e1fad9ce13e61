"""Stack Overflow through the Stack Exchange API 2.3: the questions of repos.yaml `stackoverflow.tagged`
that have no answer, as `models.Thread`s.

One query per tag (`tagged` lists alternatives, and the API's `tagged=a;b` means all of them), each
`GET /2.3/questions/no-answers?site=stackoverflow&tagged=T&sort=creation&order=desc&fromdate=...`, 100 a
page while `has_more`; questions found under two tags count once. Answers are gzip (httpx decodes them).
A `backoff` in an answer is honoured before the next request (HttpClient's wait hint, within --wait).
An error answer (`error_id`, `error_name`, `error_message`) becomes the source's error; a
`throttle_violation` (502) is waited out once when --wait allows, else says when to try again.
`STACKEXCHANGE_KEY` (optional) raises the day's quota from 300 to 10,000 requests; `quota_remaining` is
handed back so the collector can warn when it is low.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cmtriage.errors import SourceFailure
from cmtriage.models import Post, Thread
from cmtriage.sources import shapes

if TYPE_CHECKING:
    import httpx

    from cmtriage.config import StackOverflow
    from cmtriage.sources.http import HttpClient

SOURCE = "stackoverflow"
KEY_VARIABLE = "STACKEXCHANGE_KEY"
SITE = "stackoverflow"
PAGE_SIZE = 100
MAX_PAGES = 25  # 2,500 unanswered questions on one tag in the window is past what anyone reads
LOW_QUOTA = 0.1  # warn below this share of the day's quota
_SECONDS = re.compile(r"(\d+)\s+seconds?")


@dataclass(frozen=True)
class Found:
    threads: tuple[Thread, ...]
    quota_remaining: int | None = None
    quota_max: int | None = None

    @property
    def quota_low(self) -> bool:
        return bool(self.quota_max and self.quota_remaining is not None
                    and self.quota_remaining < self.quota_max * LOW_QUOTA)


def wait_hint(response: httpx.Response) -> float | None:
    """The `backoff` seconds an answer asks for before the next call."""
    return shapes.seconds(shapes.body(response).get("backoff"))


def _asked(body: dict[str, Any]) -> int | None:
    """The seconds an error message asks to wait ("more requests available in 80411 seconds")."""
    seconds = _SECONDS.search(str(body.get("error_message") or ""))
    return int(seconds.group(1)) if seconds else None


def _throttled(response: httpx.Response) -> float | None:
    """The seconds a throttle_violation asks for."""
    body = shapes.body(response)
    seconds = _asked(body) if body.get("error_id") == 502 else None
    return float(seconds) if seconds is not None else None


def _failure(http: HttpClient, response: httpx.Response) -> SourceFailure:
    body = shapes.body(response)
    if "error_id" not in body:
        return http.fail(response.request.url, f"HTTP {response.status_code} {response.reason_phrase}")
    message = f"error {body.get('error_id')} {body.get('error_name')}: {body.get('error_message')}"
    if body.get("error_name") == "throttle_violation" or body.get("error_id") == 502:
        seconds = _asked(body)
        if seconds is not None:
            again = datetime.now(UTC) + timedelta(seconds=seconds)
            message += f"; try again after {again:%Y-%m-%d %H:%M} UTC"
    return http.fail(response.request.url, message)


def _sleep(seconds: float) -> None:
    from cmtriage.sources import http

    http.sleep(seconds)


def _time(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def _thread(raw: dict[str, Any]) -> Thread:
    owner = raw.get("owner") or {}
    author = html.unescape(str(owner.get("display_name") or "(deleted user)"))
    created = _time(raw["creation_date"])
    answers = int(raw.get("answer_count") or 0)
    posts = (Post(author, created), *(Post("(an answer)", created) for _ in range(answers)))
    return Thread(
        source=SOURCE, key=str(int(raw["question_id"])), url=str(raw["link"]),
        title=html.unescape(str(raw.get("title") or "")), author=author, created_at=created,
        last_activity_at=_time(raw.get("last_activity_date") or raw["creation_date"]),
        open=raw.get("closed_date") is None, accepted=raw.get("accepted_answer_id") is not None,
        tags=tuple(str(t) for t in raw.get("tags") or ()), posts=posts, posts_count=len(posts))


def fetch(config: StackOverflow, *, oldest: datetime, budget: Any = None, http: HttpClient | None = None
          ) -> Found:
    """The unanswered questions of each tag created at or after `oldest`. Raises SourceFailure."""
    from cmtriage.sources.http import HttpClient

    own = http is None
    http = http or HttpClient(SOURCE, config.url, budget=budget, wait_hint=wait_hint)
    key = os.environ.get(KEY_VARIABLE, "").strip()
    threads: dict[str, Thread] = {}
    remaining = quota = None
    try:
        for tag in config.tagged:
            for page in range(1, MAX_PAGES + 1):
                params = {"site": SITE, "tagged": tag, "sort": "creation", "order": "desc",
                          "fromdate": str(int(oldest.timestamp())), "pagesize": str(PAGE_SIZE),
                          "page": str(page)}
                if key:
                    params["key"] = key
                response = http.request("GET", f"{config.url}/2.3/questions/no-answers", params=params)
                wait = _throttled(response)
                if wait is not None and http.budget is not None and http.budget.take(wait):
                    _sleep(wait)  # within --wait: once, then ask again
                    response = http.request("GET", f"{config.url}/2.3/questions/no-answers", params=params)
                body = shapes.json_or_none(response)
                if not response.is_success or (isinstance(body, dict) and "error_id" in body):
                    raise _failure(http, response)
                if not isinstance(body, dict):
                    raise http.fail(response.request.url, "the answer is not JSON")
                try:
                    for raw in body.get("items") or ():
                        thread = _thread(raw)
                        threads.setdefault(thread.key, thread)
                    remaining = body.get("quota_remaining", remaining)
                    quota = body.get("quota_max", quota)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    raise shapes.unexpected(http, config.url, exc) from None
                if not body.get("has_more"):
                    break
    finally:
        if own:
            http.close()
    return Found(tuple(threads.values()), remaining, quota)

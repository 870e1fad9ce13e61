"""The one httpx client every non-GitHub adapter talks through (Zendesk, Discourse, UserVoice, Jira,
Stack Exchange, GitLab, Mattermost, and origin.py's one read of a ticket's report): chosen timeouts, a
cmtriage User-Agent, bounded retries, and errors that never carry a secret.

Retried, with exponential backoff and jitter: 5xx answers (but 501 and 505, which say "never"), timeouts
and connection errors; a POST only when it cannot have been acted on (see `request`). A 429 (or a
503 that says when) waits the server's `Retry-After`, in seconds or as an HTTP date, when that is at most
`max_wait`; longer, the run fails at once with a message saying when to try again. Every other answer is
handed back to the adapter, which knows what its 4xx bodies mean; `get_json` is the short path for
adapters that treat any non-2xx as a failure.

Error messages name the source and the host only: never a path or a query (a Mattermost webhook's path
*is* its secret, and some APIs take keys in the query), and never an auth header.

Example (an adapter; pagination stays in the adapter)::

    from cmtriage.sources.http import HttpClient

    with HttpClient("zendesk", "https://example.zendesk.com",
                    auth=(f"{email}/token", api_token)) as http:
        page = http.get_json("/api/v2/search.json", params={"query": query, "per_page": 100})
        while page.get("next_page"):
            page = http.get_json(page["next_page"])  # an absolute URL wins over the base URL

A source whose server says "wait" its own way passes `wait_hint(response) -> seconds | None`
(Discourse's `extras.wait_seconds`, GitLab's `RateLimit-Reset`); a hint on a 2xx answer (Stack Exchange's
`backoff` field) is honoured before the next request. With a shared `budget` (`--wait`), every wait
draws on it; without one, a single wait longer than `max_wait` fails at once.

Tests make backoff free with `HttpClient(..., sleep=fake_sleep)`, or for a whole CLI run by
monkeypatching this module's `sleep`.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from cmtriage import __version__
from cmtriage.errors import SourceFailure, redact
from cmtriage.sources import shapes
from cmtriage.sources.budget import WaitBudget

if TYPE_CHECKING:
    from cmtriage.cache import Cache

USER_AGENT = f"cmtriage/{__version__}"
# Connecting should be quick or not at all; a search over many tickets may take a while to answer.
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
ATTEMPTS = 4  # one try and three retries: about 0.5 + 1 + 2 s of backoff before giving up
BACKOFF = 0.5
PERMANENT_5XX = (501, 505)  # Not Implemented, HTTP Version Not Supported: asking again cannot help
MAX_WAIT = 60.0  # the longest Retry-After we sit through; a cron run should not hang for an hour
# Beyond this a Retry-After is no time to tell a user ("try again after 33658-09-27"), or to compute.
LONGEST_SAID = timedelta(days=366).total_seconds()
sleep: Callable[[float], None] = time.sleep  # looked up at call time, so tests can patch it
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})  # twice does what once does
# Failures before there was a connection to send on: the server cannot have seen the request.
UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

# httpx logs every request's full URL at INFO level once anyone configures logging; that URL may be
# a Mattermost webhook, whose path is the secret.
logging.getLogger("httpx").setLevel(logging.WARNING)


def where(url: str | httpx.URL) -> str:
    """The part of a URL that is safe to print: scheme and host, never path or query."""
    parts = urlsplit(str(url))
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{parts.hostname}{port}"


EPOCH_AFTER = 1_000_000_000  # a "Retry-After" this large is a moment (UserVoice sends epoch seconds)


def retry_after(response: httpx.Response, now: datetime) -> float | None:
    """Seconds the server asks us to wait, from `Retry-After` as seconds, as epoch seconds, or as an
    HTTP date; infinite for "inf" and "nan", which ask for a wait no one can honour."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if math.isnan(seconds):
            return math.inf
        if EPOCH_AFTER <= seconds < 1e11:
            return max(0.0, seconds - now.timestamp())
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class HttpClient:
    """An httpx.Client with cmtriage's defaults, for one source (its name starts every error)."""

    def __init__(self, source: str, base_url: str = "", *, auth: httpx.Auth | tuple[str, str] | None = None,
                 headers: dict[str, str] | None = None, timeout: httpx.Timeout = TIMEOUT,
                 attempts: int = ATTEMPTS, max_wait: float = MAX_WAIT,
                 sleep: Callable[[float], None] | None = None, rng: random.Random | None = None,
                 clock: Callable[[], datetime] | None = None, budget: WaitBudget | None = None,
                 wait_hint: Callable[[httpx.Response], float | None] | None = None):
        self.source = source
        self.attempts = attempts
        self.max_wait = max_wait
        self.budget = budget
        self._wait_hint = wait_hint
        self._not_before = 0.0  # a wait a server asked for on a good answer, kept before the next request
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock or (lambda: datetime.now(UTC))
        self.client = httpx.Client(base_url=base_url, auth=auth, timeout=timeout,
                                   headers={"User-Agent": USER_AGENT, **(headers or {})})

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def fail(self, url: str | httpx.URL, message: str, *, may_have_arrived: bool = False) -> SourceFailure:
        return SourceFailure(self.source, redact(f"{where(url)}: {message}"),
                             may_have_arrived=may_have_arrived)

    def _pause(self, seconds: float) -> None:
        (self._sleep or sleep)(seconds)

    def _backoff(self, attempt: int) -> float:
        """Exponential, with "equal jitter": half fixed, half random, so runs started together by cron
        do not retry in step."""
        delay = BACKOFF * 2**attempt
        return delay / 2 + self._rng.uniform(0, delay / 2)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request, retrying what is worth retrying, and return the answer (any status but 429
        and the retried 5xx); raise SourceFailure when the retries run out or the server asks for too
        long a wait."""
        full = self.client.base_url.join(url)
        # A POST (a Mattermost post) goes again only when it cannot have arrived: no connection was made,
        # or the answer (a 5xx other than 504) says it was not taken. After a read timeout, a dropped
        # connection or a proxy's 504 the server may still have posted it, and a second try could post
        # it twice: a duplicate in a channel cannot be taken back, while a failure tells the user to look.
        repeatable = method.upper() in IDEMPOTENT
        if self._not_before:
            self._wait(full, self._not_before, 200)
            self._not_before = 0.0
        for attempt in range(self.attempts):
            last = attempt == self.attempts - 1
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.TransportError as exc:  # refused, DNS, TLS, reset, timed out
                timed_out = isinstance(exc, httpx.TimeoutException)
                reason = str(exc) or exc.__class__.__name__
                if not repeatable and not isinstance(exc, UNSENT):
                    what = "timed out waiting for the answer" if timed_out else f"connection lost ({reason})"
                    raise self.fail(full, f"{what}; not sent again, as it may have arrived "
                                          "(check before trying again)", may_have_arrived=True) from None
                if last and timed_out:
                    raise self.fail(full, f"no answer after {self.attempts} tries (timed out); try again "
                                          "later") from None
                if last:
                    advice = "check the network, HTTPS_PROXY (if you need a proxy) and the address"
                    raise self.fail(full, f"cannot connect after {self.attempts} tries ({reason}); {advice}"
                                    ) from None
                self._pause(self._backoff(attempt))
                continue
            status = response.status_code
            hint = self._wait_hint(response) if self._wait_hint else None
            if status != 429 and (status < 500 or status in PERMANENT_5XX):
                if hint and response.is_success:
                    self._not_before = hint
                return response
            if status == 504 and not repeatable:
                raise self.fail(full, "HTTP 504 Gateway Timeout; not sent again, as it may have arrived "
                                      "(check before trying again)", may_have_arrived=True)
            wait = hint if hint is not None else (
                retry_after(response, self._clock()) if status in (429, 503) else None)
            if wait is not None and not last:
                self._wait(full, wait, status)
                continue
            if wait is not None:
                self._check_wait(full, wait, status)
            if last:
                raise self.fail(full, f"HTTP {status} {response.reason_phrase} after {self.attempts} tries; "
                                      "try again later")
            self._pause(self._backoff(attempt))
        raise AssertionError("unreachable")

    def _wait(self, full: httpx.URL | str, wait: float, status: int) -> None:
        """Sit through a wait the server asked for, within the budget; past it, fail saying when to try."""
        self._check_wait(full, wait, status)
        if self.budget is not None and not self.budget.take(wait):
            self._check_wait(full, wait, status, spent=True)
        self._pause(wait)

    def _check_wait(self, full: httpx.URL | str, wait: float, status: int, *, spent: bool = False) -> None:
        allowed = self.budget.left if self.budget is not None else self.max_wait
        if wait > LONGEST_SAID:
            raise self.fail(full, f"HTTP {status}: the server asks to wait more than a year, longer than "
                                  f"cmtriage waits ({allowed:.0f} s); try again later")
        if spent or wait > allowed:
            again = (self._clock() + timedelta(seconds=wait)).strftime("%Y-%m-%d %H:%M UTC")
            raise self.fail(full, f"HTTP {status}: the server asks to wait {wait:.0f} s, longer than "
                                  f"cmtriage waits ({allowed:.0f} s); try again after {again}")

    def get_json(self, url: str, *, cache: Cache | None = None, **kwargs: Any) -> Any:
        """GET and decode JSON; any answer but 2xx is a SourceFailure naming the status.

        With a `cache`, the GET is conditional on what the server said last time (`If-None-Match` with its
        ETag, else `If-Modified-Since`): a 304 hands back the cached JSON, and a changed answer that
        carries a validator is kept for the next run. Answers without one are not kept."""
        key = entry = None
        headers = dict(kwargs.pop("headers", None) or {})
        if cache is not None:
            key = "GET " + str(self.client.base_url.join(url).copy_merge_params(kwargs.get("params") or {}))
            entry = cache.get(key)
            if isinstance(entry, dict) and "body" in entry:
                if entry.get("etag"):
                    headers["If-None-Match"] = entry["etag"]
                elif entry.get("last_modified"):
                    headers["If-Modified-Since"] = entry["last_modified"]
            else:
                entry = None
        response = self.request("GET", url, headers=headers or None, **kwargs)
        if response.status_code == 304 and entry is not None:
            return entry["body"]
        if not response.is_success:
            raise self.fail(response.request.url, f"HTTP {response.status_code} {response.reason_phrase}")
        body = shapes.decoded(self, response)
        validators = {"etag": response.headers.get("etag"),
                      "last_modified": response.headers.get("last-modified")}
        if cache is not None and key is not None and any(validators.values()):
            cache.put(key, {**validators, "body": body})
        return body

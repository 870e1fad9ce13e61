"""sources/http.py against a real local server that answers from a script: retries, backoff, Retry-After."""

from __future__ import annotations

import contextlib
import random
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from cmtriage import __version__
from cmtriage.errors import SourceFailure
from cmtriage.sources import http
from cmtriage.sources.http import HttpClient
from fakes import listening

NOW = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
DROP = 0  # a scripted "status" that closes the connection without answering


class Script:
    """Answers requests in order from `answers` (status, headers, body, delay); the last one repeats,
    and with none scripted every request gets 200 {"ok": true}."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], str, float]] = []
        self.requests: list[dict] = []

    def next_answer(self) -> tuple[int, dict[str, str], str, float]:
        if not self.answers:
            return 200, {}, '{"ok": true}', 0.0
        return self.answers[min(len(self.requests), len(self.answers)) - 1]

    def answer(self, status: int, body: str = "{}", headers: dict[str, str] | None = None,
               delay: float = 0.0) -> Script:
        self.answers.append((status, headers or {}, body, delay))
        return self


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            script.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                    "body": self.rfile.read(length)})
            status, headers, body, delay = script.next_answer()
            if delay:
                time.sleep(delay)
            if status == DROP:  # read the request, then hang up without a word
                self.close_connection = True
                return
            data = body.encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    with listening(Handler) as url:
        yield url, script


@pytest.fixture
def sleeps() -> list[float]:
    return []


def client(base: str, sleeps: list[float], **kwargs) -> HttpClient:
    return HttpClient("Example", base, sleep=sleeps.append, rng=random.Random(7), clock=lambda: NOW, **kwargs)


def test_sends_user_agent_auth_and_returns_json(server, sleeps):
    base, script = server
    with client(base, sleeps, auth=("me@example.com/token", "s3cret"), headers={"Api-Key": "k"}) as http_:
        assert http_.get_json("/api/v2/search.json", params={"query": "type:ticket"}) == {"ok": True}
    [request] = script.requests
    assert request["path"] == "/api/v2/search.json?query=type%3Aticket"
    assert request["headers"]["User-Agent"] == f"cmtriage/{__version__}"
    assert request["headers"]["Authorization"].startswith("Basic ")
    assert request["headers"]["Api-Key"] == "k"
    assert sleeps == []


def test_retries_5xx_with_growing_jittered_backoff_then_succeeds(server, sleeps):
    base, script = server
    script.answer(502).answer(503).answer(500).answer(200, '{"page": 1}')
    assert client(base, sleeps).get_json("/x") == {"page": 1}
    assert len(script.requests) == 4
    # equal jitter: attempt n waits between half and all of 0.5 * 2**n
    assert [0.25 <= sleeps[0] <= 0.5, 0.5 <= sleeps[1] <= 1.0, 1.0 <= sleeps[2] <= 2.0] == [True] * 3


def test_gives_up_after_the_bounded_attempts_naming_host_not_path(server, sleeps):
    base, script = server
    script.answer(502)
    with pytest.raises(SourceFailure) as caught:
        client(base, sleeps).get_json("/hooks/secret-id?api_key=hush")
    assert str(caught.value) == f"Example: {base}: HTTP 502 Bad Gateway after 4 tries; try again later"
    assert len(script.requests) == 4 and len(sleeps) == 3


def test_4xx_is_returned_to_the_adapter_without_retry(server, sleeps):
    base, script = server
    script.answer(404, '{"error": "nope"}')
    response = client(base, sleeps).request("GET", "/missing")
    assert response.status_code == 404 and response.json() == {"error": "nope"}
    assert len(script.requests) == 1 and sleeps == []


def test_get_json_turns_4xx_into_source_failure(server, sleeps):
    base, script = server
    script.answer(401, '{"error": "Couldn\'t authenticate you"}')
    with pytest.raises(SourceFailure, match=r"^Example: http://127\.0\.0\.1:\d+: HTTP 401 Unauthorized$"):
        client(base, sleeps).get_json("/api/v2/search.json")


def test_get_json_rejects_a_body_that_is_not_json(server, sleeps):
    base, script = server
    script.answer(200, "<html>login</html>")
    with pytest.raises(SourceFailure, match=r"the answer is not JSON$"):
        client(base, sleeps).get_json("/x")


def test_429_waits_retry_after_seconds(server, sleeps):
    base, script = server
    script.answer(429, headers={"Retry-After": "7"}).answer(200)
    assert client(base, sleeps).get_json("/x") == {}
    assert sleeps == [7.0] and len(script.requests) == 2


def test_429_waits_retry_after_http_date(server, sleeps):
    base, script = server
    script.answer(429, headers={"Retry-After": format_datetime(NOW + timedelta(seconds=42), usegmt=True)})
    script.answer(200)
    client(base, sleeps).get_json("/x")
    assert sleeps == [42.0]


def test_503_with_retry_after_is_honoured_too(server, sleeps):
    base, script = server
    script.answer(503, headers={"Retry-After": "3"}).answer(200)
    client(base, sleeps).get_json("/x")
    assert sleeps == [3.0]


def test_429_without_retry_after_backs_off(server, sleeps):
    base, script = server
    script.answer(429).answer(200)
    client(base, sleeps).get_json("/x")
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5


def test_retry_after_beyond_the_cap_fails_at_once_saying_when(server, sleeps):
    base, script = server
    script.answer(429, headers={"Retry-After": "3600"})
    with pytest.raises(SourceFailure) as caught:
        client(base, sleeps).get_json("/x")
    assert str(caught.value) == (
        f"Example: {base}: HTTP 429: the server asks to wait 3600 s, longer than cmtriage waits (60 s); "
        "try again after 2026-11-17 15:00 UTC")
    assert len(script.requests) == 1 and sleeps == []


def test_retry_after_in_the_past_retries_at_once(server, sleeps):
    base, script = server
    script.answer(429, headers={"Retry-After": format_datetime(NOW - timedelta(hours=1), usegmt=True)})
    script.answer(200)
    client(base, sleeps).get_json("/x")
    assert sleeps == [0.0]


def test_timeouts_are_retried_then_named(server, sleeps):
    base, script = server
    script.answer(200, delay=0.3)
    with pytest.raises(SourceFailure) as caught:
        client(base, sleeps, timeout=httpx.Timeout(0.05), attempts=2).get_json("/slow")
    assert str(caught.value) == f"Example: {base}: no answer after 2 tries (timed out); try again later"
    assert len(script.requests) == 2 and len(sleeps) == 1


def test_a_slow_answer_then_a_quick_one_succeeds(server, sleeps):
    base, script = server
    script.answer(200, '{"late": true}', delay=0.3).answer(200, '{"fast": true}')
    assert client(base, sleeps, timeout=httpx.Timeout(0.05)).get_json("/x") == {"fast": True}


def test_connection_refused_is_retried_then_named(sleeps):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceFailure) as caught:
        client(f"http://127.0.0.1:{port}", sleeps).get_json("/hooks/the-secret")
    message = str(caught.value)
    assert message.startswith(f"Example: http://127.0.0.1:{port}: cannot connect after 4 tries (")
    assert message.endswith("); check the network, HTTPS_PROXY (if you need a proxy) and the address")
    assert "the-secret" not in message and len(sleeps) == 3
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_module_sleep_can_be_patched_for_a_whole_run(server, monkeypatch):
    base, script = server
    script.answer(500).answer(200)
    slept: list[float] = []
    monkeypatch.setattr(http, "sleep", slept.append)
    HttpClient("Example", base).get_json("/x")
    assert len(slept) == 1


def test_secret_from_the_environment_is_redacted_from_messages(server, sleeps, monkeypatch):
    base, script = server
    monkeypatch.setenv("ZENDESK_API_TOKEN", "127.0.0.1")  # absurd, but shows redact runs on every message
    script.answer(500)
    with pytest.raises(SourceFailure) as caught:
        client(base, sleeps, attempts=1).get_json("/x")
    assert "127.0.0.1" not in str(caught.value) and "<ZENDESK_API_TOKEN>" in str(caught.value)


def test_501_is_not_retried(server, sleeps):
    base, script = server
    script.answer(501)
    assert client(base, sleeps).request("GET", "/x").status_code == 501
    assert len(script.requests) == 1 and sleeps == []


# --- POST: sent again only when it cannot have arrived --------------------------------------------------
MAY_HAVE_ARRIVED = "not sent again, as it may have arrived (check before trying again)"


def test_a_post_that_timed_out_is_not_sent_again(server, sleeps):
    base, script = server
    script.answer(200, delay=0.3)
    with pytest.raises(SourceFailure) as caught:
        client(base, sleeps, timeout=httpx.Timeout(0.05)).request("POST", "/hooks/abc", json={"text": "hi"})
    assert str(caught.value) == f"Example: {base}: timed out waiting for the answer; {MAY_HAVE_ARRIVED}"
    assert [r["method"] for r in script.requests] == ["POST"] and sleeps == []


def test_a_post_whose_connection_drops_before_the_answer_is_not_sent_again(server, sleeps):
    base, script = server
    script.answer(DROP)
    with pytest.raises(SourceFailure) as caught:
        client(base, sleeps).request("POST", "/hooks/abc", json={"text": "hi"})
    assert str(caught.value) == (f"Example: {base}: connection lost (Server disconnected without sending a "
                                 f"response.); {MAY_HAVE_ARRIVED}")
    assert len(script.requests) == 1 and script.requests[0]["body"] == b'{"text":"hi"}' and sleeps == []


def test_a_get_whose_connection_drops_is_retried(server, sleeps):
    base, script = server
    script.answer(DROP).answer(200, '{"again": true}')
    assert client(base, sleeps).get_json("/x") == {"again": True}
    assert len(script.requests) == 2 and len(sleeps) == 1


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_504_is_retried_for_a_get_but_not_for_a_post(server, sleeps, method):
    base, script = server
    script.answer(504).answer(200)
    if method == "GET":
        assert client(base, sleeps).request(method, "/x").status_code == 200
        assert len(script.requests) == 2 and len(sleeps) == 1
        return
    with pytest.raises(SourceFailure) as caught:
        client(base, sleeps).request(method, "/x", json={})
    assert str(caught.value) == f"Example: {base}: HTTP 504 Gateway Timeout; {MAY_HAVE_ARRIVED}"
    assert len(script.requests) == 1 and sleeps == []


def test_a_post_answered_502_or_503_is_sent_again(server, sleeps):
    """A proxy's 502 or a 503 says the request was not taken: safe to send again."""
    base, script = server
    script.answer(502).answer(503).answer(200, "ok")
    assert client(base, sleeps).request("POST", "/hooks/abc", json={"text": "hi"}).text == "ok"
    assert [r["method"] for r in script.requests] == ["POST"] * 3 and len(sleeps) == 2


def test_a_post_that_cannot_connect_is_tried_again(sleeps):
    with socket.socket() as sock:  # a port nobody listens on: the request never left
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceFailure) as caught:
        client(f"http://127.0.0.1:{port}", sleeps).request("POST", "/hooks/the-secret", json={"text": "hi"})
    assert str(caught.value).startswith(f"Example: http://127.0.0.1:{port}: cannot connect after 4 tries (")
    assert len(sleeps) == 3 and "the-secret" not in str(caught.value)


def test_a_redirect_is_handed_back_not_followed(server, sleeps):
    base, script = server
    script.answer(301, "", headers={"Location": f"{base}/elsewhere"})
    response = client(base, sleeps).request("POST", "/hooks/abc", json={"text": "hi"})
    assert (response.status_code, len(script.requests), sleeps) == (301, 1, [])


@pytest.mark.parametrize("value", ["inf", "Infinity", "nan", "1e12", "1e400", "31622401",
                                   "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_a_retry_after_past_any_sensible_time_fails_at_once_without_a_date(server, sleeps, value):
    base, script = server
    script.answer(429, headers={"Retry-After": value})
    with pytest.raises(SourceFailure) as caught:
        client(base, sleeps).get_json("/x")
    assert str(caught.value) == (
        f"Example: {base}: HTTP 429: the server asks to wait more than a year, longer than cmtriage waits "
        "(60 s); try again later")
    assert len(script.requests) == 1 and sleeps == []


def test_a_retry_after_of_a_year_still_says_when(server, sleeps):
    base, script = server
    script.answer(503, headers={"Retry-After": "31622400"})  # 366 days
    with pytest.raises(SourceFailure) as caught:
        client(base, sleeps).get_json("/x")
    assert str(caught.value) == (
        f"Example: {base}: HTTP 503: the server asks to wait 31622400 s, longer than cmtriage waits (60 s); "
        "try again after 2027-11-18 14:00 UTC")


@pytest.mark.parametrize("value", ["-inf", "-1e12"])
def test_a_retry_after_below_zero_retries_at_once(server, sleeps, value):
    base, script = server
    script.answer(429, headers={"Retry-After": value}).answer(200)
    client(base, sleeps).get_json("/x")
    assert sleeps == [0.0]


def test_a_cached_get_is_conditional_and_a_304_gives_the_kept_answer(server, sleeps, tmp_path):
    from datetime import date

    from cmtriage.cache import Cache

    base, script = server
    script.answer(200, '{"topics": [1, 2]}', {"ETag": '"v1"'}).answer(304, "")
    cache = Cache(tmp_path / "c.json", date(2026, 11, 17))
    with client(base, sleeps) as http_:
        first = http_.get_json("/latest.json", params={"page": "1"}, cache=cache)
        second = http_.get_json("/latest.json", params={"page": "1"}, cache=cache)
    assert first == second == {"topics": [1, 2]}
    assert "If-None-Match" not in script.requests[0]["headers"]
    assert script.requests[1]["headers"]["If-None-Match"] == '"v1"'


def test_an_answer_without_a_validator_is_not_kept(server, sleeps, tmp_path):
    from datetime import date

    from cmtriage.cache import Cache

    base, script = server
    script.answer(200, '{"n": 1}').answer(200, '{"n": 2}')
    cache = Cache(tmp_path / "c.json", date(2026, 11, 17))
    with client(base, sleeps) as http_:
        assert http_.get_json("/x", cache=cache) == {"n": 1}
        assert http_.get_json("/x", cache=cache) == {"n": 2}
    assert "If-None-Match" not in script.requests[1]["headers"]
    assert "If-Modified-Since" not in script.requests[1]["headers"]


def _discourse_wait(response):
    """Discourse's way: a 429 whose JSON body says `extras.wait_seconds`."""
    if response.status_code == 429:
        return float(response.json()["extras"]["wait_seconds"])
    return None


def _stack_exchange_backoff(response):
    """Stack Exchange's way: a good answer whose body asks for `backoff` seconds before the next call."""
    return float(response.json().get("backoff") or 0) or None


def test_a_source_says_how_long_to_wait_its_own_way(server, sleeps):
    base, script = server
    script.answer(429, '{"extras": {"wait_seconds": 7}}').answer(200, '{"ok": true}')
    with client(base, sleeps, wait_hint=_discourse_wait) as http_:
        assert http_.get_json("/latest.json") == {"ok": True}
    assert sleeps == [7.0]


def test_a_backoff_on_a_good_answer_is_kept_before_the_next_request(server, sleeps):
    base, script = server
    script.answer(200, '{"items": [], "backoff": 10}').answer(200, '{"items": [1]}')
    with client(base, sleeps, wait_hint=_stack_exchange_backoff) as http_:
        assert http_.get_json("/2.3/questions") == {"items": [], "backoff": 10}
        assert sleeps == []  # nothing to wait for until there is a next request
        assert http_.get_json("/2.3/questions") == {"items": [1]}
    assert sleeps == [10.0]


def test_every_source_draws_on_one_wait_budget(server, sleeps):
    from cmtriage.errors import SourceFailure
    from cmtriage.sources.budget import WaitBudget

    base, script = server
    script.answer(429, "{}", {"Retry-After": "40"}).answer(200).answer(429, "{}", {"Retry-After": "40"})
    budget = WaitBudget(60)
    with client(base, sleeps, budget=budget) as first, client(base, sleeps, budget=budget) as second:
        assert first.get_json("/a") == {}
        with pytest.raises(SourceFailure) as failure:
            second.get_json("/b")
    assert sleeps == [40.0]
    assert str(failure.value) == (f"Example: {base}: HTTP 429: the server asks to wait 40 s, longer "
                                  "than cmtriage waits (20 s); try again after 2026-11-17 14:00 UTC")


def test_an_epoch_retry_after_is_a_moment(server, sleeps):
    base, script = server
    script.answer(429, "{}", {"Retry-After": str(int(NOW.timestamp()) + 12)}).answer(200)
    with client(base, sleeps) as http_:
        http_.get_json("/suggestions")
    assert sleeps == [12.0]

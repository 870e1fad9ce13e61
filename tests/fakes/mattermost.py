"""A fake Mattermost incoming-webhook receiver on 127.0.0.1, answering as the server's
`HandleIncomingWebhook` does (mattermost/server channels/app/webhook.go), in the same order of checks:

- webhooks disabled: 501 `web.incoming_webhook.disabled.app_error`;
- a body that is not JSON (or a form without `payload=`): 400 `web.incoming_webhook.parse.app_error`;
- empty `text` and no attachments: 400 `web.incoming_webhook.text.app_error`;
- unknown hook id: 400 `web.incoming_webhook.invalid.app_error` (its `detailed_error` quotes the id, as
  the real server's wrapped store error does: a client must not print it);
- `channel` naming no channel of the hook's team: 404 `web.incoming_webhook.channel.app_error`;
- a hook locked to its channel asked to post elsewhere: 403 `web.incoming_webhook.channel_locked.app_error`;
- success: 200, body `ok`; a text longer than 16,383 runes is stored as several posts cut at exactly
  that rune, as the server's webhook post splitting does.

Errors are JSON `{"id", "message", "detailed_error", "request_id", "status_code"}`. Tests can make the
next requests fail with a proxy's 502 (`fail_next`), get any other answer from what stands in front of
the server (`answer_next`: a redirect to https, a login page), or answer late (`slow_next`), and read
`posts` (what the channel shows) and `requests` (every request, for counting a run's cost).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from fakes import listening

POST_LIMIT = 16383  # model.PostMessageMaxRunesV2
HOOK_ID = "q7xkb3m9ffgz5rjwy1dn8hteuc"  # 26 characters, like every Mattermost id

ERRORS = {
    "disabled": (501, "web.incoming_webhook.disabled.app_error",
                 "Incoming webhooks have been disabled by the system admin."),
    "parse": (400, "web.incoming_webhook.parse.app_error", "Unable to parse incoming data."),
    "text": (400, "web.incoming_webhook.text.app_error", "No text specified."),
    "invalid": (400, "web.incoming_webhook.invalid.app_error", "Invalid webhook."),
    "channel": (404, "web.incoming_webhook.channel.app_error", "Couldn't find the channel."),
    "locked": (403, "web.incoming_webhook.channel_locked.app_error",
               "This webhook is not permitted to post to the requested channel."),
}


@dataclass(frozen=True)
class Hook:
    channel: str  # the hook's own channel, where a post without `channel` goes
    locked: bool = False


@dataclass(frozen=True)
class Post:
    hook_id: str
    channel: str
    text: str
    username: str | None
    icon_url: str | None


@dataclass
class FakeMattermost:
    base_url: str = ""
    enabled: bool = True
    hooks: dict[str, Hook] = field(default_factory=lambda: {HOOK_ID: Hook("town-square")})
    channels: set[str] = field(default_factory=lambda: {"town-square", "community-heartbeat", "off-topic"})
    posts: list[Post] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    _scripted: list[tuple[int, dict[str, str], str] | None] = field(default_factory=list)
    _delays: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, hook_id: str = HOOK_ID) -> str:
        return f"{self.base_url}/hooks/{hook_id}"

    def fail_next(self, count: int = 1, status: int = 502, *, after: int = 0) -> None:
        """After `after` requests answered as usual, the next `count` get `status` from "the proxy"
        and post nothing."""
        page = f"<html><body><h1>{status} Bad Gateway</h1></body></html>"
        self.answer_next(status, page, count=count, after=after)

    def answer_next(self, status: int, body: str = "", *, headers: dict[str, str] | None = None,
                    count: int = 1, after: int = 0) -> None:
        """After `after` requests answered as usual, the next `count` get this answer (HTML unless
        `headers` say otherwise) instead of the server's, and post nothing."""
        answer = (status, {"Content-Type": "text/html", **(headers or {})}, body)
        self._scripted.extend([None] * after + [answer] * count)

    def slow_next(self, count: int = 1, seconds: float = 0.5) -> None:
        """The next `count` requests are answered (and posted) only after `seconds`."""
        self._delays.extend([seconds] * count)

    def texts(self) -> list[str]:
        return [post.text for post in self.posts]

    # --- the server's side ------------------------------------------------------------------------------
    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], str]:
        """(status, headers, body) for one POST."""
        with self._lock:
            self.requests.append({"path": path, "headers": headers, "body": body})
            delay = self._delays.pop(0) if self._delays else 0.0
            scripted = self._scripted.pop(0) if self._scripted else None
        if delay:
            time.sleep(delay)
        if scripted:
            return scripted
        hook_id = path.removeprefix("/hooks/")
        if not path.startswith("/hooks/") or not hook_id:
            return 404, {"Content-Type": "text/plain"}, "404 page not found"
        if not self.enabled:
            return self._error("disabled")
        request = self._parse(headers.get("content-type", ""), body)
        if request is None:
            return self._error("parse")
        text = request.get("text") or ""
        if not text and not request.get("attachments"):
            return self._error("text")
        hook = self.hooks.get(hook_id)
        if hook is None:
            return self._error("invalid", f"failed to find IncomingWebhook with id={hook_id}")
        channel = (request.get("channel") or "").removeprefix("#") or hook.channel
        if channel not in self.channels:
            return self._error("channel")
        if hook.locked and channel != hook.channel:
            return self._error("locked")
        with self._lock:
            for start in range(0, max(len(text), 1), POST_LIMIT):
                self.posts.append(Post(hook_id, channel, text[start:start + POST_LIMIT],
                                       request.get("username"), request.get("icon_url")))
        return 200, {"Content-Type": "text/plain"}, "ok"

    @staticmethod
    def _parse(content_type: str, body: bytes) -> dict[str, Any] | None:
        if content_type.startswith("application/x-www-form-urlencoded"):
            payload = parse_qs(body.decode("utf-8", "replace")).get("payload", [""])[0]
        else:
            payload = body.decode("utf-8", "replace")
        try:
            request = json.loads(payload)
        except ValueError:
            return None
        return request if isinstance(request, dict) else None

    @staticmethod
    def _error(kind: str, detailed: str = "") -> tuple[int, dict[str, str], str]:
        status, error_id, message = ERRORS[kind]
        body = {"id": error_id, "message": message, "detailed_error": detailed,
                "request_id": secrets.token_hex(13), "status_code": status}
        return status, {"Content-Type": "application/json"}, json.dumps(body)


@contextmanager
def running(**settings: Any) -> Iterator[FakeMattermost]:
    """A FakeMattermost serving on a free port of 127.0.0.1 for the block's duration."""
    fake = FakeMattermost(**settings)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, answer_headers, text = fake.handle(self.path, headers, body)
            data = text.encode()
            self.send_response(status)
            for name, value in answer_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    with listening(Handler) as url:
        fake.base_url = url
        yield fake

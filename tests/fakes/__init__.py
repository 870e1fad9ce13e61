"""Fake servers of the outside APIs, on 127.0.0.1, for the tests and the benchmarks.

`listening(handler)` serves any request handler. Most fakes answer JSON and need no handler of their own:
a fake's `answer(asked) -> (status, headers, body)` goes to `json_handler`, which reads the request
(`Asked`), writes the answer and keeps the server quiet, and `served(fake, handler)` sets `fake.url` for
the block.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qs, urlsplit


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and left is no news


@contextmanager
def listening(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free port of 127.0.0.1 for the block; yields the base URL."""
    server = _Server(("127.0.0.1", 0), handler)
    # A short poll interval: shutdown() waits for the loop to look, and tests start many servers.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass(frozen=True)
class Asked:
    """One request as a fake sees it."""

    method: str
    target: str  # the request line's target: the path and its query, as sent
    path: str  # the path alone, percent-escapes kept (GitLab's `group%2Fproject`)
    query: dict[str, list[str]]  # every value of each parameter, blank ones kept
    headers: dict[str, str]  # names lower-cased
    body: bytes

    @property
    def params(self) -> dict[str, str]:
        """The last value of each parameter."""
        return {name: values[-1] for name, values in self.query.items()}

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def form(self) -> dict[str, str]:
        """A form-encoded body's fields (last value of each; blank ones left out)."""
        return {name: values[-1] for name, values in parse_qs(self.body.decode()).items()}

    def json(self) -> Any:
        """A JSON body, or None when there is none or it is not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


Answer = tuple[int, dict[str, str], Any]  # status, headers, body


def json_handler(answer: Callable[[Asked], Answer], *, methods: tuple[str, ...] = ("GET",),
                 content_type: str = "application/json; charset=utf-8",
                 latency: Callable[[], float] = lambda: 0.0) -> type[BaseHTTPRequestHandler]:
    """A handler of `methods` that sleeps `latency()` seconds, then writes what `answer` says: a body of
    bytes as it is, text encoded as UTF-8, anything else as JSON; `Content-Type: content_type` unless the
    answer's headers name one, and `Content-Length`."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            delay = latency()
            if delay:
                time.sleep(delay)
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            asked = Asked(self.command, self.path, parts.path, parse_qs(parts.query, keep_blank_values=True),
                          {name.lower(): value for name, value in self.headers.items()},
                          self.rfile.read(length) if length else b"")
            status, headers, body = answer(asked)
            if isinstance(body, bytes):
                data = body
            else:
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            if "Content-Type" not in headers:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    for method in methods:
        setattr(Handler, f"do_{method}", Handler._serve)
    return Handler


class _Fake(Protocol):
    url: str


Fake = TypeVar("Fake", bound=_Fake)


@contextmanager
def served(fake: Fake, handler: type[BaseHTTPRequestHandler]) -> Iterator[Fake]:
    """Serve `handler` for the block, with `fake.url` set to where it listens; yields the fake."""
    with listening(handler) as url:
        fake.url = url
        yield fake

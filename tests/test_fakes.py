"""tests/fakes/__init__.py: the request reading and JSON answering every fake server shares."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fakes import Asked, json_handler, listening, served


@dataclass
class Recorder:
    answers: list[tuple[int, dict[str, str], Any]]
    url: str = ""

    def __post_init__(self) -> None:
        self.asked: list[Asked] = []

    def answer(self, asked: Asked) -> tuple[int, dict[str, str], Any]:
        self.asked.append(asked)
        return self.answers[min(len(self.asked), len(self.answers)) - 1]


@pytest.fixture
def web() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False) as client:  # no proxy from the environment between us and the fake
        yield client


def test_a_get_is_read_whole_and_answered_as_json_with_its_headers(web: httpx.Client) -> None:
    fake = Recorder([(429, {"Retry-After": "7"}, {"error": "slow down", "n": [1, 2]})])
    with served(fake, json_handler(fake.answer)) as same:
        assert same is fake and fake.url.startswith("http://127.0.0.1:")
        response = web.get(f"{fake.url}/api/v4/projects/a%2Fb/issues?labels=&page=2&id=1&id=3",
                             headers={"PRIVATE-TOKEN": "t0k"})
    assert response.status_code == 429
    assert response.json() == {"error": "slow down", "n": [1, 2]}
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["retry-after"] == "7"
    assert response.headers["content-length"] == str(len(response.content))
    [asked] = fake.asked
    assert (asked.method, asked.path, asked.body) == ("GET", "/api/v4/projects/a%2Fb/issues", b"")
    assert asked.target == "/api/v4/projects/a%2Fb/issues?labels=&page=2&id=1&id=3"
    assert asked.query == {"labels": [""], "page": ["2"], "id": ["1", "3"]}
    assert asked.params == {"labels": "", "page": "2", "id": "3"}
    assert asked.header("Private-Token") == asked.headers["private-token"] == "t0k"
    assert asked.header("Authorization") is None
    assert asked.json() is None and asked.form() == {}


def test_post_bodies_as_a_form_and_as_json(web: httpx.Client) -> None:
    fake = Recorder([(201, {}, {"ok": True})])
    with served(fake, json_handler(fake.answer, methods=("GET", "POST"))):
        web.post(f"{fake.url}/token", data={"grant_type": "client_credentials", "blank": ""})
        web.post(f"{fake.url}/issue", json={"fields": {"summary": "x"}})
        web.post(f"{fake.url}/issue", content=b"{not json")
    form, body, broken = fake.asked
    assert form.method == "POST" and form.form() == {"grant_type": "client_credentials"}
    assert body.json() == {"fields": {"summary": "x"}}
    assert broken.json() is None and broken.body == b"{not json"


def test_a_method_not_listed_is_not_answered_by_the_fake(web: httpx.Client) -> None:
    fake = Recorder([(200, {}, {})])
    with served(fake, json_handler(fake.answer)):
        response = web.post(f"{fake.url}/x", json={})
    assert response.status_code == 501 and fake.asked == []


def test_text_bytes_and_a_content_type_of_the_answer(web: httpx.Client) -> None:
    fake = Recorder([(502, {"Content-Type": "text/html"}, "<html>Bad gateway</html>"),
                     (200, {"Content-Type": "application/json", "Content-Encoding": "gzip"},
                      gzip.compress(b'{"items": []}')),
                     (200, {}, [])])
    handler = json_handler(fake.answer, content_type="application/json;charset=UTF-8")
    with listening(handler) as url:
        page = web.get(f"{url}/a")
        zipped = web.get(f"{url}/b")
        default = web.get(f"{url}/c")
    assert (page.status_code, page.text, page.headers["content-type"]) == \
        (502, "<html>Bad gateway</html>", "text/html")
    assert page.headers.get_list("content-type") == ["text/html"]  # the answer's, not the default too
    assert zipped.json() == {"items": []}
    assert default.headers["content-type"] == "application/json;charset=UTF-8" and default.json() == []


def test_latency_is_asked_for_each_request(web: httpx.Client) -> None:
    calls: list[int] = []

    def latency() -> float:
        calls.append(1)
        return 0.0

    fake = Recorder([(200, {}, {})])
    with served(fake, json_handler(fake.answer, latency=latency)):
        web.get(f"{fake.url}/a")
        web.get(f"{fake.url}/b")
    assert len(calls) == 2

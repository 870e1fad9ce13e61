"""sources/shapes.py: the shape checks every httpx adapter reads its answers with, and their words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from cmtriage.errors import SourceFailure
from cmtriage.sources import shapes
from cmtriage.sources.http import HttpClient
from cmtriage.sources.shapes import Unexpected


def raises(call: Callable[..., object], *args: object, **kwargs: object) -> str:
    with pytest.raises(Unexpected) as caught:
        call(*args, **kwargs)
    return str(caught.value)


def test_shown_cuts_a_long_value_to_forty_characters_with_an_ellipsis() -> None:
    assert shapes.shown("a" * 38) == "'" + "a" * 38 + "'"  # 40 characters: whole
    assert shapes.shown("a" * 39) == "'" + "a" * 38 + "…"  # 41: cut to 39 and the ellipsis
    assert len(shapes.shown(list(range(100)))) == 40
    assert shapes.shown(None) == "None"


def test_identifier_takes_positive_integers_and_digits_only_when_asked() -> None:
    assert shapes.identifier(7, "a user's id") == 7
    assert shapes.identifier(" 12 ", "row 2: id", digits=True) == 12
    assert raises(shapes.identifier, "12", "a user's id") == "a user's id is not an id: '12'"
    assert raises(shapes.identifier, 0, "x") == "x is not an id: 0"
    assert raises(shapes.identifier, True, "x") == "x is not an id: True"
    assert raises(shapes.identifier, "-3", "x", digits=True) == "x is not an id: '-3'"


def test_text_and_texts() -> None:
    assert shapes.text(None, "t") == "" and shapes.text("hi", "t") == "hi"
    assert raises(shapes.text, 5, "ticket 1: subject") == "ticket 1: subject is not text: 5"
    assert shapes.texts(None, "tags") == () and shapes.texts(["a", "b"], "tags") == ("a", "b")
    assert raises(shapes.texts, ["a", 1], "ticket 1: tags") == \
        "ticket 1: tags is not a list of text: ['a', 1]"
    assert raises(shapes.texts, "a", "tags") == "tags is not a list of text: 'a'"


def test_number_and_count() -> None:
    assert shapes.number(None, "count") is None and shapes.number(-2, "count") == -2
    assert raises(shapes.number, "3", "count") == "count is not a number: '3'"
    assert raises(shapes.number, False, "count") == "count is not a number: False"
    assert shapes.count(None, "v") is None and shapes.count("", "v") is None
    assert shapes.count(" 1,204 ", "v") == 1204 and shapes.count(0, "v") == 0
    assert raises(shapes.count, -1, "suggestion 3: votes_count") == \
        "suggestion 3: votes_count is not a count: -1"
    assert raises(shapes.count, "many", "v") == "v is not a count: 'many'"


def test_objects_of_a_body() -> None:
    assert shapes.objects({}, "users") == [] and shapes.objects({"users": None}, "users") == []
    assert shapes.objects({"users": [{"id": 1}]}, "users") == [{"id": 1}]
    assert raises(shapes.objects, {"results": {"id": 1}}, "results") == \
        "results is not a list of objects: {'id': 1}"
    assert raises(shapes.objects, {"users": [1]}, "users") == "users is not a list of objects: [1]"


def test_times_without_an_offset_are_utc() -> None:
    assert shapes.iso_time("2026-11-20T10:00:00Z") == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert shapes.iso_time("2026-11-20T10:00:00") == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert shapes.iso_time("2026-11-20T10:00:00+02:00").utcoffset() == timedelta(hours=2)
    with pytest.raises(ValueError):
        shapes.iso_time("soon")
    assert shapes.instant("2026-11-20T10:00:00", "t") == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert raises(shapes.instant, "soon", "ticket 7: created_at") == \
        "ticket 7: created_at is not a time: 'soon'"
    assert raises(shapes.instant, 1700000000, "t") == "t is not a time: 1700000000"
    assert raises(shapes.instant, None, "t") == "t is not a time: None"


def test_instant_reads_with_the_parser_given_and_turns_its_errors_into_unexpected() -> None:
    east = timezone(timedelta(hours=3))
    assert shapes.instant("x", "t", lambda _: datetime(2026, 1, 1, tzinfo=east)).tzinfo is east
    assert shapes.instant("x", "t", lambda _: datetime(2026, 1, 1)).tzinfo is UTC

    def overflow(_: str) -> datetime:
        raise OverflowError("too far")

    assert raises(shapes.instant, "99999999999", "t", overflow) == "t is not a time: '99999999999'"


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient("zendesk", "http://127.0.0.1:9")
    yield client
    client.close()


def answer(content: bytes) -> httpx.Response:
    return httpx.Response(200, content=content, request=httpx.Request("GET", "http://127.0.0.1:9/api/x.json"))


def test_decoded_answers(http: HttpClient) -> None:
    assert shapes.decoded(http, answer(b"[1, 2]")) == [1, 2]
    assert shapes.decoded_object(http, answer(b'{"a": 1}')) == {"a": 1}
    with pytest.raises(SourceFailure) as caught:
        shapes.decoded(http, answer(b"<html>"))
    assert (caught.value.source, caught.value.detail) == \
        ("zendesk", "http://127.0.0.1:9: the answer is not JSON")  # where(): the origin, never the path
    for content in (b"<html>", b"[1, 2]", b"null"):
        with pytest.raises(SourceFailure) as caught:
            shapes.decoded_object(http, answer(content))
        assert caught.value.detail == "http://127.0.0.1:9: the answer is not a JSON object"


def test_unexpected_names_a_python_error_by_its_class_and_says_an_unexpected_in_its_own_words(
        http: HttpClient) -> None:
    base = "http://127.0.0.1:9"
    assert shapes.unexpected(http, base, Unexpected("count is not a number: '3'")).detail == \
        "http://127.0.0.1:9: unexpected answer: count is not a number: '3'"
    assert shapes.unexpected(http, base, KeyError("iid")).detail == \
        "http://127.0.0.1:9: unexpected answer: KeyError: 'iid'"
    assert shapes.unexpected(http, base, TypeError("bad"), part="/latest.json").detail == \
        "http://127.0.0.1:9: unexpected answer from /latest.json: TypeError: bad"


def test_seconds_a_server_asks_for() -> None:
    assert shapes.seconds(3) == 3.0 and shapes.seconds(0.5) == 0.5
    assert [shapes.seconds(v) for v in (True, "3", None, [3])] == [None, None, None, None]


def test_what_an_answer_says_when_it_may_not_be_json() -> None:
    assert shapes.json_or_none(answer(b"[1]")) == [1]
    assert shapes.json_or_none(answer(b"<html>Bad gateway</html>")) is None
    assert shapes.body(answer(b'{"error_id": 502}')) == {"error_id": 502}
    assert [shapes.body(answer(content)) for content in (b"[1]", b"null", b"<html>", b"")] == [{}, {}, {}, {}]

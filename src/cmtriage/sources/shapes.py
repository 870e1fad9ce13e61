"""Checks on the shape of a JSON answer, shared by the httpx adapters.

A service's answer is outside text: a field may be missing, null, or of another type than its reference
says. The checks here raise `Unexpected` with a short message naming the part (`what`) and showing the
value (`shown`, cut to 40 characters); the adapter catches it once around its whole fetch and turns it
into a SourceFailure with `unexpected()`, so a user reads "unexpected answer: ticket 7: created_at is not
a time: 'soon'" instead of a traceback. Nothing here knows a service: the words are the same for all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from cmtriage.errors import SourceFailure
    from cmtriage.sources.http import HttpClient

SHOWN = 40  # characters of a value shown in a message


class Unexpected(Exception):
    """A part of an answer (or an export) that is not what the service documents."""


def shown(value: Any) -> str:
    """`value` as Python writes it, cut to SHOWN characters with an ellipsis."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


def whole(value: Any) -> bool:
    """A JSON integer (a bool is not one, though Python says it is an int)."""
    return isinstance(value, int) and not isinstance(value, bool)


def identifier(value: Any, what: str, *, digits: bool = False) -> int:
    """A positive integer id; with `digits`, text of digits too (an export's cells are text)."""
    if digits and isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if whole(value) and value > 0:
        return value
    raise Unexpected(f"{what} is not an id: {shown(value)}")


def text(value: Any, what: str) -> str:
    """A string; null is the empty string."""
    if value is None or isinstance(value, str):
        return value or ""
    raise Unexpected(f"{what} is not text: {shown(value)}")


def texts(value: Any, what: str) -> tuple[str, ...]:
    """A list of strings; null is none."""
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise Unexpected(f"{what} is not a list of text: {shown(value)}")


def number(value: Any, what: str) -> int | None:
    """An integer, or None for null."""
    if value is None or whole(value):
        return value
    raise Unexpected(f"{what} is not a number: {shown(value)}")


def seconds(value: Any) -> float | None:
    """A JSON number of seconds (a server's "wait this long"), else None."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def count(value: Any, what: str) -> int | None:
    """A count of things (0 or more), as a number or as text ("1,204"); null or "" is None."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().replace(",", "").isdigit():
        return int(value.strip().replace(",", ""))
    if whole(value) and value >= 0:
        return value
    raise Unexpected(f"{what} is not a count: {shown(value)}")


def objects(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """`body[key]`, a list of JSON objects (absent or null: none)."""
    values = body.get(key)
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(value, dict) for value in values):
        raise Unexpected(f"{key} is not a list of objects: {shown(values)}")
    return values


def iso_time(value: str) -> datetime:
    """An ISO 8601 time as the APIs write it ("...Z" included); one without an offset is taken as UTC.
    Raises ValueError (AttributeError when `value` is not text)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def instant(value: Any, what: str, parse: Callable[[str], datetime] = iso_time) -> datetime:
    """A time given as text, read by `parse` (ISO 8601 by default); one without an offset is UTC."""
    moment = None
    if isinstance(value, str):
        try:
            moment = parse(value)
        except (ValueError, OverflowError):
            moment = None
    if moment is None:
        raise Unexpected(f"{what} is not a time: {shown(value)}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- answers --------------------------------------------------------------------------------------------
def json_or_none(response: httpx.Response) -> Any:
    """An answer's JSON, or None when it is not JSON (an error page, a proxy's HTML)."""
    try:
        return response.json()
    except ValueError:
        return None


def body(response: httpx.Response) -> dict[str, Any]:
    """An answer's JSON object, or {} when it is not one: for reading what an error answer says."""
    value = json_or_none(response)
    return value if isinstance(value, dict) else {}


def decoded(http: HttpClient, response: httpx.Response) -> Any:
    """A 2xx answer's JSON; an answer that is not JSON is a SourceFailure naming the address."""
    try:
        return response.json()
    except ValueError:
        raise http.fail(response.request.url, "the answer is not JSON") from None


def decoded_object(http: HttpClient, response: httpx.Response) -> dict[str, Any]:
    """A 2xx answer's JSON object; anything else is a SourceFailure naming the address."""
    value = json_or_none(response)
    if not isinstance(value, dict):
        raise http.fail(response.request.url, "the answer is not a JSON object")
    return value


def unexpected(http: HttpClient, where: Any, exc: Exception, *, part: str = "") -> SourceFailure:
    """The SourceFailure for an answer whose shape was not as documented: an `Unexpected` says it in its
    own words; a KeyError, TypeError... from reading the answer directly is named by its class."""
    detail = str(exc) if isinstance(exc, Unexpected) else f"{exc.__class__.__name__}: {exc}"
    return http.fail(where, f"unexpected answer{f' from {part}' if part else ''}: {detail}")

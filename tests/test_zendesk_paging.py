"""Zendesk paging that would not end: a next_page that repeats, empty pages, more pages than the count
says. Paging stops, what came is listed, and the report says it is short (exit 1)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from cmtriage.sources import http
from fakes.zendesk import EMAIL, TOKEN, FakeZendesk, serve, ticket, user

NOW = "2026-11-24T15:00:00Z"


@pytest.fixture
def fake(write_config, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ZENDESK_EMAIL", EMAIL)
    monkeypatch.setenv("ZENDESK_API_TOKEN", TOKEN)
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    tickets = [ticket(4000 + n, f"Ticket {n}", requester_id=101, created_at=f"2026-11-{n + 1:02d}T10:00:00Z")
               for n in range(3)]
    with serve(FakeZendesk(tickets=tickets, users=[user(101, "Dana")])) as running:
        write_config(repos=f"zendesk: {{url: '{running.url}'}}\n")
        yield running


def page_url(fake: FakeZendesk, page: int) -> str:
    return f"{fake.url}/api/v2/search.json?" + urlencode({"query": "type:ticket", "page": page})


def listed(run_cli) -> tuple[int, list[int], list[str], str]:
    code, out, err = run_cli("zendesk", "-f", "json")
    document = json.loads(out)
    return (code, [int(i["url"].rsplit("/", 1)[1]) for i in document["items"]],
            [e["message"] for e in document["errors"]], err)


def test_a_next_page_that_repeats_stops_and_says_the_list_is_short(fake: FakeZendesk, run_cli):
    fake.tamper = lambda path, params, auth, found: (
        found[0], found[1], {**found[2], "next_page": page_url(fake, 1)})
    code, numbers, errors, err = listed(run_cli)
    message = (f"{fake.url}: page 2 of the search names a page it read before as the next one; "
               "the list may be short")
    assert (code, numbers, errors) == (1, [4002, 4001, 4000], [message])
    assert err == f"cmtriage: error: zendesk: {message}\n"
    assert fake.count("/api/v2/search.json") == 2


def test_empty_pages_with_a_next_one_stop_at_the_first(fake: FakeZendesk, run_cli):
    def tamper(path, params, auth, found):
        page = int(params.get("page", "1"))
        body = {**found[2], "next_page": page_url(fake, page + 1), "count": 3}
        return found[0], found[1], body if page == 1 else {**body, "results": []}

    fake.tamper = tamper
    code, numbers, errors, _ = listed(run_cli)
    assert (code, numbers, errors) == (1, [4002, 4001, 4000], [
        f"{fake.url}: page 2 of the search is empty but names a next one; the list may be short"])
    assert fake.count("/api/v2/search.json") == 2


def test_more_pages_than_the_count_fills_stop(fake: FakeZendesk, run_cli):
    def tamper(path, params, auth, found):
        page = int(params.get("page", "1"))
        results = [ticket(5000 + page, f"Page {page}", requester_id=101, created_at="2026-11-20T10:00:00Z")]
        return found[0], found[1], {**found[2], "results": results, "count": 150,
                                    "next_page": page_url(fake, page + 1)}

    fake.tamper = tamper
    code, numbers, errors, _ = listed(run_cli)
    assert (code, numbers, errors) == (1, [5003, 5002, 5001], [
        f"{fake.url}: the search names more pages than its 150 tickets fill (3 read); the list may be short"])


def test_without_a_count_paging_stops_at_the_cap(fake: FakeZendesk, run_cli):
    def tamper(path, params, auth, found):
        page = int(params.get("page", "1"))
        results = [ticket(5000 + page, f"Page {page}", requester_id=101, created_at="2026-11-20T10:00:00Z")]
        return 200, found[1], {"results": results, "next_page": page_url(fake, page + 1)}

    fake.tamper = tamper
    code, numbers, errors, _ = listed(run_cli)
    assert code == 1 and len(numbers) == 11 and fake.count("/api/v2/search.json") == 11
    assert errors == [f"{fake.url}: the search names more pages than its 0 tickets fill (11 read); the list "
                      "may be short"]

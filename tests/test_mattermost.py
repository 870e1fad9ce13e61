"""sources/mattermost.py against the fake webhook receiver: success, each server error, retries."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from cmtriage import __version__
from cmtriage.errors import SourceFailure, UsageError
from cmtriage.sources import mattermost
from cmtriage.sources.http import HttpClient
from fakes.mattermost import HOOK_ID, POST_LIMIT, FakeMattermost, Hook, running


@pytest.fixture
def fake() -> Iterator[FakeMattermost]:
    with running() as server:
        yield server


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def http(sleeps: list[float]) -> Iterator[HttpClient]:
    with HttpClient(mattermost.SOURCE, sleep=sleeps.append, timeout=httpx.Timeout(0.1)) as client:
        yield client


def test_a_post_reaches_the_channel_with_its_name_and_icon(fake, http):
    body = {"text": "#### Stale issues\n\nNothing to list.", "channel": "community-heartbeat",
            "username": "cmtriage", "icon_url": "https://example.com/icon.png"}
    mattermost.post(http, fake.url(), body)
    assert [(p.channel, p.text, p.username, p.icon_url) for p in fake.posts] == [
        ("community-heartbeat", body["text"], "cmtriage", "https://example.com/icon.png")]
    [request] = fake.requests
    assert request["headers"]["content-type"] == "application/json"
    assert request["headers"]["user-agent"] == f"cmtriage/{__version__}"


def test_without_channel_the_hook_posts_in_its_own(fake, http):
    mattermost.post(http, fake.url(), {"text": "hello"})
    assert [(p.channel, p.username) for p in fake.posts] == [("town-square", None)]


def test_the_fake_cuts_an_overlong_text_at_exactly_the_limit_as_the_server_does(fake, http):
    text = "é" * (POST_LIMIT + 10)  # runes, not bytes
    mattermost.post(http, fake.url(), {"text": text})
    assert [len(t) for t in fake.texts()] == [POST_LIMIT, 10]


def test_502s_are_retried_then_the_post_goes_through_once(fake, http, sleeps):
    fake.fail_next(2)
    mattermost.post(http, fake.url(), {"text": "hello"})
    assert len(fake.requests) == 3 and fake.texts() == ["hello"] and len(sleeps) == 2


def test_a_slow_answer_is_not_sent_again_as_it_would_post_twice(fake, http, sleeps):
    fake.slow_next(1, seconds=0.3)
    with pytest.raises(SourceFailure) as caught:
        mattermost.post(http, fake.url(), {"text": "hello"})
    assert str(caught.value) == (f"Mattermost: {fake.base_url}: timed out waiting for the answer; not sent "
                                 "again, as it may have arrived (check before trying again)")
    assert len(fake.requests) == 1 and sleeps == []
    deadline = time.monotonic() + 2
    while not fake.posts and time.monotonic() < deadline:  # the server finishes after we gave up
        time.sleep(0.01)
    assert fake.texts() == ["hello"]  # it did arrive: a second try would have posted it twice


def test_a_proxys_504_is_not_sent_again(fake, http, sleeps):
    fake.fail_next(1, status=504)
    with pytest.raises(SourceFailure) as caught:
        mattermost.post(http, fake.url(), {"text": "hello"})
    assert str(caught.value) == (f"Mattermost: {fake.base_url}: HTTP 504 Gateway Timeout; not sent again, "
                                 "as it may have arrived (check before trying again)")
    assert len(fake.requests) == 1 and sleeps == []


def test_502_every_time_fails_after_the_bounded_tries(fake, http):
    fake.fail_next(10)
    with pytest.raises(SourceFailure) as caught:
        mattermost.post(http, fake.url(), {"text": "hello"})
    assert str(caught.value) == (f"Mattermost: {fake.base_url}: HTTP 502 Bad Gateway"
                                 " after 4 tries; try again later")
    assert len(fake.requests) == 4 and fake.posts == []


@pytest.mark.parametrize(("setup", "body", "message"), [
    (lambda f: None, {"text": ""}, "HTTP 400: No text specified."),
    (lambda f: f.hooks.clear(), {"text": "hi"},
     "HTTP 400: Invalid webhook. (check MATTERMOST_WEBHOOK_URL: the hook may have been deleted)"),
    (lambda f: f.hooks.update({HOOK_ID: Hook("town-square", locked=True)}),
     {"text": "hi", "channel": "off-topic"},
     "HTTP 403: This webhook is not permitted to post to the requested channel. (the hook is locked to its "
     "own channel: drop the channel setting or use that channel's hook)"),
    (lambda f: None, {"text": "hi", "channel": "nowhere"},
     "HTTP 404: Couldn't find the channel. (check the channel's name (the URL name, e.g. town-square))"),
    (lambda f: setattr(f, "enabled", False), {"text": "hi"},
     "HTTP 501: Incoming webhooks have been disabled by the system admin. (ask a system admin to enable "
     "incoming webhooks)"),
], ids=["empty-text", "unknown-hook", "locked", "no-channel", "disabled"])
def test_server_errors_show_mattermosts_own_message_without_retry(fake, http, sleeps, setup, body, message):
    setup(fake)
    with pytest.raises(SourceFailure) as caught:
        mattermost.post(http, fake.url(), body)
    assert str(caught.value) == f"Mattermost: {fake.base_url}: {message}"
    assert len(fake.requests) == 1 and sleeps == [] and fake.posts == []
    assert HOOK_ID not in str(caught.value)


def test_the_unknown_hook_error_never_quotes_the_hook_id_from_detailed_error(fake, http):
    missing = "zz9plural00zalpha00000000a"
    with pytest.raises(SourceFailure) as caught:
        mattermost.post(http, fake.url(missing), {"text": "hi"})
    assert missing in fake.requests[0]["path"]  # the fake's detailed_error quotes it, as the server's does
    assert missing not in str(caught.value) and "/hooks/" not in str(caught.value)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_not_followed_and_says_where_without_the_secret(fake, http, sleeps, status):
    # The Location carries the hook's path, as a proxy's http-to-https redirect does. Here it points at
    # the fake's own live hook, so following it would post.
    fake.answer_next(status, headers={"Location": fake.url()})
    with pytest.raises(SourceFailure) as caught:
        mattermost.post(http, f"{fake.base_url}/old/hooks/{HOOK_ID}", {"text": "hi"})
    assert str(caught.value) == (
        f"Mattermost: {fake.base_url}: HTTP {status}: the hook redirects to {fake.base_url}, and cmtriage "
        "does not follow redirects with a post; set MATTERMOST_WEBHOOK_URL to the address it redirects to")
    assert len(fake.requests) == 1 and fake.posts == [] and sleeps == []
    assert HOOK_ID not in str(caught.value) and "/hooks/" not in str(caught.value)


def test_a_relative_redirect_names_the_same_host(fake, http):
    fake.answer_next(301, headers={"Location": f"/mattermost/hooks/{HOOK_ID}"})
    with pytest.raises(SourceFailure) as caught:
        mattermost.post(http, fake.url(), {"text": "hi"})
    assert f"redirects to {fake.base_url}, and" in str(caught.value) and HOOK_ID not in str(caught.value)


def test_a_redirect_to_another_host_names_only_that_host(fake, http):
    fake.answer_next(308, headers={"Location": f"https://chat.example.com:8443/hooks/{HOOK_ID}?x=1"})
    with pytest.raises(SourceFailure) as caught:
        mattermost.post(http, fake.url(), {"text": "hi"})
    assert "redirects to https://chat.example.com:8443, and" in str(caught.value)
    assert HOOK_ID not in str(caught.value)
    assert len(fake.requests) == 1


@pytest.mark.parametrize("body", ["<html><title>Mattermost</title></html>", "", "OK done"])
def test_a_200_without_ok_is_a_failure_asking_about_the_url(fake, http, sleeps, body):
    # what a web app page or a captive portal answers: 200, but not the webhook's `ok`
    fake.answer_next(200, body)
    with pytest.raises(SourceFailure) as caught:
        mattermost.post(http, fake.url(), {"text": "hi"})
    assert str(caught.value) == (f"Mattermost: {fake.base_url}: answered 200 without 'ok': is "
                                 "MATTERMOST_WEBHOOK_URL an incoming-webhook URL?")
    assert len(fake.requests) == 1 and fake.posts == [] and sleeps == []


def test_ok_with_surrounding_whitespace_is_success(fake, http):
    fake.answer_next(200, "ok\n", headers={"Content-Type": "text/plain"})
    mattermost.post(http, fake.url(), {"text": "hi"})
    assert len(fake.requests) == 1


def test_an_answer_that_is_not_mattermost_json_shows_the_status(fake, http):
    # not a /hooks/ path: the server's plain-text 404
    with pytest.raises(SourceFailure, match=r": HTTP 404 Not Found$"):
        mattermost.post(http, f"{fake.base_url}/nothooks", {"text": "hi"})


def test_missing_webhook_url_is_a_usage_error_saying_what_to_set():
    with pytest.raises(UsageError) as caught:
        mattermost.webhook_url()
    assert str(caught.value) == (
        "MATTERMOST_WEBHOOK_URL is not set: set it to the channel's incoming-webhook URL "
        "(Integrations > Incoming Webhooks in Mattermost)")


@pytest.mark.parametrize("url", [
    "chat.example.com/hooks/secret1234", "ftp://chat.example.com/hooks/secret1234", "https:///hooks/secret1234",
    "https://chat.example.com:99999/hooks/secret1234", "https://chat.example.com:x/hooks/secret1234",
    "http://[::1/hooks/secret1234",
])
def test_a_webhook_url_that_is_not_http_is_refused_without_echoing_it(monkeypatch, url):
    monkeypatch.setenv("MATTERMOST_WEBHOOK_URL", url)
    with pytest.raises(UsageError) as caught:
        mattermost.webhook_url()
    assert "secret1234" not in str(caught.value)
    assert str(caught.value).startswith("MATTERMOST_WEBHOOK_URL is not an http(s) URL")

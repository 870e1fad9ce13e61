"""Secrets never leave in a message, in whatever form a request sent them and a server echoes them:
a token with the newline its file had, Zendesk's Basic-auth value, a webhook's hook id, URL-encoded."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from cmtriage.errors import redact
from cmtriage.sources import github as github_source
from cmtriage.sources import http
from fakes.github import TOKEN as GITHUB_TOKEN
from fakes.github import FakeGitHub
from fakes.github import serve as serve_github
from fakes.zendesk import EMAIL, TOKEN, FakeZendesk
from fakes.zendesk import serve as serve_zendesk

HOOK = "https://chat.example.com/hooks/xk3d9q7mbfg1pjwz5ot8yh4a6r"
HOOK_ID = "xk3d9q7mbfg1pjwz5ot8yh4a6r"
NOW = "2026-11-24T14:00:00Z"


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN + "\n")
    monkeypatch.setenv("ZENDESK_EMAIL", EMAIL)
    monkeypatch.setenv("ZENDESK_API_TOKEN", TOKEN + "\n")
    monkeypatch.setenv("MATTERMOST_WEBHOOK_URL", HOOK + "\n")


BASIC = base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()


@pytest.mark.parametrize(("said", "shown"), [
    (f"bad token {GITHUB_TOKEN}.", "bad token <GITHUB_TOKEN>."),
    (f"token={quote(GITHUB_TOKEN + '!')}", "token=<GITHUB_TOKEN>%21"),
    (f"Authorization: Basic {BASIC}", "Authorization: Basic <ZENDESK_API_TOKEN>"),
    (f"login {EMAIL}/token:{TOKEN} refused", "login <ZENDESK_API_TOKEN> refused"),
    (f"token {TOKEN} refused", "token <ZENDESK_API_TOKEN> refused"),
    (f"no hook with id '{HOOK_ID}'", "no hook with id '<MATTERMOST_WEBHOOK_URL>'"),
    (f"hook{HOOK_ID}x", "hook<MATTERMOST_WEBHOOK_URL>x"),
    (f"POST {HOOK} failed", "POST <MATTERMOST_WEBHOOK_URL> failed"),
    (f"POST /hooks/{HOOK_ID} failed", "POST <MATTERMOST_WEBHOOK_URL> failed"),
    (f"url={quote(HOOK, safe='')}", "url=<MATTERMOST_WEBHOOK_URL>"),
    (f"url={quote(HOOK, safe='').lower()}", "url=<MATTERMOST_WEBHOOK_URL>"),
])
def test_every_form_a_request_sends_is_redacted(secrets, said: str, shown: str):
    assert redact(said) == shown


def test_a_short_or_blank_secret_redacts_nothing(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GITHUB_TOKEN", " \n")
    monkeypatch.setenv("GH_TOKEN", "ab\n")
    assert redact("a b ab \n") == "a b ab \n"


def test_a_github_token_with_a_newline_echoed_by_the_server_is_not_printed(secrets, write_config, run_cli,
                                                                           monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(github_source, "sleep", lambda seconds: None)
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    write_config(repos="github:\n  - repo: mattermost/docs\n")
    with serve_github(FakeGitHub()) as fake:
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        fake.add_repo("mattermost/docs")
        fake.tamper = lambda path, params, status, headers, body: (
            (422, {}, {"message": f"token {GITHUB_TOKEN} is not allowed here"}) if path.endswith("/issues")
            else (status, headers, body))
        code, out, err = run_cli("stale", "-f", "json")
    assert code == 1
    assert json.loads(out)["errors"] == [{
        "source": "github",
        "message": "mattermost/docs: GitHub answered 422: token <GITHUB_TOKEN> is not allowed here"}]
    assert GITHUB_TOKEN not in out + err


def test_zendesk_echoing_its_basic_auth_value_is_not_printed(secrets, write_config, run_cli,
                                                             monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    with serve_zendesk(FakeZendesk()) as fake:
        fake.tamper = lambda path, params, authorization, found: (
            400, {}, {"error": "InvalidValue", "description": f"bad header {authorization!r}"})
        write_config(repos=f"zendesk: {{url: '{fake.url}'}}\n")
        code, out, err = run_cli("zendesk", "-f", "json")
    assert code == 1
    assert json.loads(out)["errors"] == [{
        "source": "zendesk",
        "message": f"{fake.url}: HTTP 400 Bad Request: bad header 'Basic <ZENDESK_API_TOKEN>'"}]
    assert BASIC not in out + err

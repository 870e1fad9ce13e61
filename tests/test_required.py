"""errors.required: the sign-in variables of a source, and the words when some are missing."""

from __future__ import annotations

import pytest

from cmtriage.errors import UsageError, required


def test_values_are_stripped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENDESK_EMAIL", " pm@example.com ")
    monkeypatch.setenv("ZENDESK_API_TOKEN", "zd-token\n")
    assert required("ZENDESK_EMAIL", "ZENDESK_API_TOKEN", why="x") == ("pm@example.com", "zd-token")


def test_every_missing_or_blank_one_is_named_then_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_API_TOKEN", "  ")
    with pytest.raises(UsageError) as caught:
        required("JIRA_EMAIL", "JIRA_API_TOKEN", why="Jira Cloud takes your email and an API token")
    assert str(caught.value) == \
        "JIRA_EMAIL and JIRA_API_TOKEN not set: Jira Cloud takes your email and an API token"
    assert caught.value.exit_code == 2
    monkeypatch.setenv("JIRA_EMAIL", "e@example.com")
    with pytest.raises(UsageError, match=r"^JIRA_API_TOKEN not set: why$"):
        required("JIRA_EMAIL", "JIRA_API_TOKEN", why="why")

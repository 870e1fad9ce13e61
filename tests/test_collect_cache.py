"""Env.cache and collect.save_cache: how every collector opens and saves its source's cache."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cmtriage.cache import cache_dir, identity
from cmtriage.collect import save_cache
from cmtriage.env import Env
from cmtriage.errors import UsageError

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
SITE, WHO = "https://example.atlassian.net", "e@example.com:tok"


def test_a_cache_per_source_api_root_and_token(tmp_path: Path) -> None:
    env = Env(config_dir=tmp_path, now=NOW)
    cache = env.cache("jira", SITE, WHO)
    assert cache.path == cache_dir() / f"jira-{identity(SITE, WHO)}.json"
    assert env.cache("jira", SITE, "other:tok").path != cache.path
    cache.put("ticket:MM-1", {"key": "MM-1"})
    cache.save()
    again = Env(config_dir=tmp_path, now=NOW).cache("jira", SITE, WHO)
    assert again.get("ticket:MM-1") == {"key": "MM-1"}


def test_no_cache_reads_and_keeps_nothing(tmp_path: Path) -> None:
    kept = Env(config_dir=tmp_path, now=NOW).cache("github", "https://api.github.com", "t")
    kept.put("k", 1)
    kept.save()
    off = Env(config_dir=tmp_path, now=NOW, use_cache=False).cache("github", "https://api.github.com", "t")
    assert off.path is None and off.get("k") is None


class Unwritable:
    def save(self) -> None:
        raise UsageError("cannot write /x/jira.json: Permission denied")


def test_a_cache_that_cannot_be_saved_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    save_cache(Unwritable(), "the Jira cache")
    save_cache(Unwritable())
    assert capsys.readouterr().err == (
        "cmtriage: warning: the Jira cache was not saved: cannot write /x/jira.json: Permission denied\n"
        "cmtriage: warning: the cache was not saved: cannot write /x/jira.json: Permission denied\n")


def test_many_failures_of_one_kind_are_one_error_counting_the_rest():
    from cmtriage.collect import first_failure
    from cmtriage.errors import SourceFailure
    from cmtriage.models import SourceError

    failures = [SourceFailure("forum", f"topic {n}: HTTP 502") for n in (1, 2, 3)]
    assert [first_failure(failures[:count], "topic").message for count in (1, 2, 3)] == [
        "topic 1: HTTP 502", "topic 1: HTTP 502 (and 1 more topic)", "topic 1: HTTP 502 (and 2 more topics)"]
    assert first_failure(failures, "topic").source == "forum"
    assert isinstance(first_failure(failures, "topic"), SourceError)

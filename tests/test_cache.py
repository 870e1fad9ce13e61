"""The on-disk cache: where it lives, who may read it, what it never holds, and how it forgets."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

from cmtriage.cache import PRUNE_DAYS, Cache, identity, open_cache

TODAY = date(2026, 11, 24)
TOKEN = "ghp_secretToken1234567890"


def test_entries_survive_a_save_and_a_new_run(isolated_env: Path):
    cache = open_cache("github", "https://api.github.com", TOKEN, today=TODAY)
    cache.put("GET /repos/a/b", {"etag": 'W/"1"', "data": [1, 2]})
    cache.save()

    again = open_cache("github", "https://api.github.com", TOKEN, today=TODAY)
    assert again.get("GET /repos/a/b") == {"etag": 'W/"1"', "data": [1, 2]}
    assert again.path.parent == isolated_env / "cache" / "cmtriage"


def test_the_file_is_private_and_never_holds_the_token(isolated_env: Path):
    cache = open_cache("github", "https://api.github.com", TOKEN, today=TODAY)
    cache.put("k", "v")
    cache.save()

    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.path.parent.stat().st_mode) == 0o700
    assert TOKEN not in cache.path.read_text() and TOKEN not in cache.path.name


def test_two_tokens_or_two_hosts_never_share_a_file(isolated_env: Path):
    paths = {
        open_cache("github", "https://api.github.com", TOKEN, today=TODAY).path,
        open_cache("github", "https://api.github.com", "ghp_other", today=TODAY).path,
        open_cache("github", "https://api.github.com", None, today=TODAY).path,
        open_cache("github", "https://ghe.example.com/api/v3", TOKEN, today=TODAY).path,
    }
    assert len(paths) == 4
    assert identity("https://api.github.com/", TOKEN) == identity("https://api.github.com", TOKEN)


def test_no_cache_neither_reads_nor_writes(isolated_env: Path):
    stored = open_cache("github", "https://api.github.com", TOKEN, today=TODAY)
    stored.put("k", "v")
    stored.save()

    off = open_cache("github", "https://api.github.com", TOKEN, today=TODAY, enabled=False)
    assert off.get("k") is None
    off.put("other", "v")
    off.save()
    assert not off.enabled
    assert json.loads(stored.path.read_text())["entries"].keys() == {"k"}


def test_an_entry_unused_for_the_prune_period_is_dropped(tmp_path: Path):
    path = tmp_path / "c.json"
    old = Cache(path, date(2026, 11, 1))
    old.put("old", 1)
    old.put("kept", 2)
    old.save()

    later = Cache(path, date(2026, 11, 2 + PRUNE_DAYS))
    assert later.get("kept") == 2  # read that day: kept
    later.put("new", 3)
    later.save()
    assert Cache(path, TODAY).get("old") is None
    assert Cache(path, TODAY).get("kept") == 2


def test_a_damaged_or_foreign_file_is_an_empty_cache(tmp_path: Path):
    path = tmp_path / "c.json"
    path.write_text("{not json")
    assert Cache(path, TODAY).get("k") is None
    path.write_text(json.dumps({"version": 999, "entries": {"k": {"value": 1, "used": "2026-11-24"}}}))
    assert Cache(path, TODAY).get("k") is None


def test_nothing_is_written_when_nothing_changed(tmp_path: Path):
    path = tmp_path / "c.json"
    Cache(path, TODAY).save()
    assert not path.exists()

"""What an API answered last time, on disk, so the next run fetches again only what has changed.

One JSON file per API root and credential: `<user cache dir>/<namespace>-<hex>.json`, where `hex` is a
SHA-256 over the API root and the SHA-256 of the token. Two tokens (or two GitHub hosts) never share
entries, and the token itself is written nowhere. The user cache dir is platformdirs'
(`$XDG_CACHE_HOME/cmtriage` on Linux); the folder is 0700 and the file 0600, replaced whole.

An entry is whatever JSON a source keeps under a key (GitHub keeps a page's ETag and slimmed records).
An entry no run has read or written for PRUNE_DAYS is dropped when the file is saved. A missing,
unreadable or other-version file is an empty cache: the cache saves requests, it never decides an answer.
"""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

VERSION = 1
PRUNE_DAYS = 14


def cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("cmtriage"))


def identity(api_root: str, token: str | None) -> str:
    """16 hex digits naming an API root and credential pair, from which neither can be recovered."""
    import hashlib  # here: `rotation who` reaches this module for cache_dir alone

    secret = hashlib.sha256(token.encode()).hexdigest() if token else "anonymous"
    return hashlib.sha256(f"{api_root.rstrip('/')}\n{secret}".encode()).hexdigest()[:16]


class Cache:
    """A thread-safe key -> JSON store loaded from `path` (None: a cache that keeps nothing)."""

    def __init__(self, path: Path | None, today: date):
        self.path = path
        self._today = today.isoformat()
        self._lock = threading.Lock()
        self._dirty = False
        self._entries: dict[str, dict[str, Any]] = {}
        if path is not None:
            self._entries = self._read(path)

    @staticmethod
    def _read(path: Path) -> dict[str, dict[str, Any]]:
        from cmtriage.state import read_json

        data = read_json(path)
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def get(self, key: str) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if not isinstance(entry, dict):
                return None
            if entry.get("used") != self._today:
                entry["used"] = self._today
                self._dirty = True
            return entry.get("value")

    def put(self, key: str, value: Any) -> None:
        if self.path is None:
            return
        with self._lock:
            self._entries[key] = {"value": value, "used": self._today}
            self._dirty = True

    def save(self) -> None:
        """Write the file if anything changed; OSError-like failures raise UsageError naming the file."""
        if self.path is None or not self._dirty:
            return
        from cmtriage.state import ensure_dir, write_atomic

        try:
            oldest = (date.fromisoformat(self._today) - timedelta(days=PRUNE_DAYS)).isoformat()
        except OverflowError:  # --now in the first days of the calendar: nothing is that old
            oldest = ""
        with self._lock:
            kept = {k: e for k, e in self._entries.items()
                    if isinstance(e, dict) and str(e.get("used", "")) >= oldest}
            text = json.dumps({"version": VERSION, "entries": kept}, separators=(",", ":"))
            self._dirty = False
        ensure_dir(self.path.parent)
        write_atomic(self.path, text)


def open_cache(namespace: str, api_root: str, token: str | None, *, today: date,
               enabled: bool = True) -> Cache:
    if not enabled:
        return Cache(None, today)
    return Cache(cache_dir() / f"{namespace}-{identity(api_root, token)}.json", today)

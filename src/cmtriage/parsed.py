"""Config files as they were parsed last time, so a command run often (`rotation who`) needs no YAML
parser while its file is unchanged.

One JSON file per config file name in the user cache dir, holding the exact text it was parsed from,
the cmtriage version, and the result as plain data. Any difference in the text or the version is a
miss, and so is an unreadable or odd cache file: the file on disk is always read, only its parse is
skipped, so what the command sees is what the file says.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from cmtriage import __version__

LARGEST = 1 << 20  # a config file larger than this is nobody's rotation: parsed as it comes, never kept


def small_file_text(path: Path) -> str | None:
    """The text of `path` when it is a small, regular, UTF-8 file; None for anything else, which the
    YAML loader then reads and reports on itself (a FIFO is not opened here, so it cannot hang)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > LARGEST:
            return None
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _memo(name: str) -> Path:
    from cmtriage.cache import cache_dir

    return cache_dir() / f"parsed-{name}.json"


def recall(name: str, text: str) -> Any | None:
    """What `remember` kept for this exact text of the file `name`, or None."""
    try:
        memo = json.loads(_memo(name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(memo, dict) or memo.get("version") != __version__ or memo.get("text") != text:
        return None
    return memo.get("parsed")


def remember(name: str, text: str, parsed: Any) -> None:
    """Keep `parsed` as the parse of `text`; a cache that cannot be written is no error."""
    from cmtriage.errors import UsageError
    from cmtriage.state import write_json

    with contextlib.suppress(UsageError):
        write_json(_memo(name), {"version": __version__, "text": text, "parsed": parsed})

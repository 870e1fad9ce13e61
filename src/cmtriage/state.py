"""The user state directory: what cmtriage remembers between runs (snoozes, what was last posted).

`platformdirs.user_state_dir("cmtriage")` (`$XDG_STATE_HOME/cmtriage`, by default
`~/.local/state/cmtriage`, on Linux). The folder is private (0700) and every file 0600, since what a
team snoozes or posts is its own business; files are replaced whole, so a crash or a second run at
the same moment leaves either the old file or the new one, never half of each.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cmtriage.errors import UsageError


def state_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir("cmtriage"))


def ensure_dir(folder: Path) -> Path:
    """Create `folder` and any missing parents as 0700 (mkdir(parents=True) would give the parents the
    umask's mode, leaving the cmtriage folder itself readable by others). An existing folder of ours
    that others may read or write (0777 from an old tool, a careless chmod) is made 0700 again; one that
    is not a folder is a usage error naming it."""
    try:
        for missing in reversed([folder, *folder.parents]):
            if not missing.exists():
                missing.mkdir(mode=0o700, exist_ok=True)
            elif not missing.is_dir():
                raise UsageError(f"cannot use the folder {folder}: {missing} is a file, not a folder; "
                                 "move it away")
        # Ours: the folder, and any folder between it and the `cmtriage` one (state/cmtriage/posted).
        ours = [folder, *folder.parents]
        names = [path.name for path in ours]
        for path in ours[: names.index("cmtriage") + 1] if "cmtriage" in names else [folder]:
            private(path, 0o700)
    except OSError as exc:
        raise UsageError(f"cannot create the state folder {folder}: {exc.strerror}") from None
    return folder


def private(path: Path, mode: int) -> None:
    """Take away what others may do with `path` (a folder or file of ours), down to `mode`; leave alone
    what belongs to someone else (a shared folder root made, say)."""
    found = path.stat()
    if found.st_uid == os.getuid() and found.st_mode & 0o077:
        path.chmod(mode)


def replace_whole(path: Path, text: str | bytes, *, mode: int = 0o600) -> None:
    """Put `text` (UTF-8 when a str) in `path`'s place in one step: it goes to a temporary file with a
    unique name beside `path` (mkstemp: twenty runs at once never share one), which then replaces it, so
    a reader sees the old file or the new one, never half of either. Raises OSError."""
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # made 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8") if isinstance(text, str) else text)
            out.flush()
            os.fsync(out.fileno())
            if mode != 0o600:
                os.fchmod(out.fileno(), mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600, replacing any old file in one step."""
    ensure_dir(path.parent)
    try:
        replace_whole(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def read_json(path: Path) -> Any | None:
    """The file's JSON, or None when it is missing or unreadable (state is a memory, not a contract:
    losing it costs one repeated post, never a failed run)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, data: Any) -> None:
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")

"""Writing what `-o FILE` names, the way a shell's `>` would, but never half a file.

- A regular file (or a new one) is written whole (`state.replace_whole`): the text goes to a temporary
  file beside it, which then replaces the target in one step. A failed run leaves the old file as it
  was. The file keeps its old mode; a new one gets the umask's, as with `>`.
- A symlink is followed: the file it points to is replaced, and the link stays a link.
- What is not a regular file (a FIFO, `/dev/null`, a terminal, `/proc/self/fd/1`, `/dev/stdout`) is
  written through, as `>` would: replacing it would turn a device or a pipe into a plain file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cmtriage.errors import UsageError
from cmtriage.state import replace_whole


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _through(path: Path, text: str | bytes) -> None:
    """Write into what `path` already is (a pipe, a device): no temporary file, no rename."""
    with open(path, "wb") as out:
        out.write(text.encode("utf-8") if isinstance(text, str) else text)


def write_file(path: Path | str, text: str | bytes) -> None:
    """Write `text` to `path` (see the module's docstring); an OSError is a UsageError naming the path."""
    shown = str(path)
    if not shown:
        raise UsageError("-o: expected a file name, got ''")
    path = Path(path)
    try:
        try:
            found = os.stat(path)  # follows symlinks
        except FileNotFoundError:
            found = None
        if found is not None and stat.S_ISDIR(found.st_mode):
            raise UsageError(f"cannot write {shown}: it is a folder")
        real = Path(os.path.realpath(path))
        special = ("/proc/", "/dev/")  # /dev/stdout, /proc/self/fd/1: the caller's own open file
        if found is not None and (not stat.S_ISREG(found.st_mode) or str(real).startswith(special)
                                  or os.path.abspath(path).startswith(special)):
            _through(path, text)
            return
        replace_whole(real, text, mode=stat.S_IMODE(found.st_mode) if found else 0o666 & ~_umask())
    except OSError as exc:
        raise UsageError(f"cannot write {shown}: {exc.strerror or exc}") from None


"""Stranger text made plain: one printable line, nothing a terminal or a reader would act on.

Every module that shows outside text uses these (render for reports, the commands for their own lines,
the Mattermost and snooze modules for messages quoting a server or a stored address); only render
escapes Markdown.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

MAX_CELL = 300  # a title past this says nothing more, and a short row always fits in one post

# ANSI/VT sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (... ST), other
# ESC forms, and their 8-bit C1 twins. The bodies exclude ESC and C1, so an unterminated one costs one
# scan, never one per introducer; what is left of it loses its control characters below.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x80-\x9f]*(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x80-\x9f]*(?:\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
# Cc: C0/C1 controls. Cf: bidi overrides and isolates, zero-width and invisible "tag" characters, which
# can reorder or hide text. Cs: lone surrogates, which cannot even be written out as UTF-8.
_DROPPED_CATEGORIES = ("Cc", "Cf", "Cs")
_KEPT = "\u200d"  # the zero-width joiner holds emoji sequences together
_SPACES = re.compile(r"\s+")
def clean(text: Any) -> str:
    """Plain, one-line, printable text: escapes, control, format and bidi characters gone, white space
    folded to single spaces."""
    text = str(text)
    if not text.isprintable():  # the common case skips the per-character walk
        text = _ESCAPES.sub("", text)
        text = "".join(
            " " if ch.isspace() else ch
            for ch in text
            if ch in _KEPT or ch.isspace() or unicodedata.category(ch) not in _DROPPED_CATEGORIES
        )
    return _SPACES.sub(" ", text).strip()


def shorten(text: str, limit: int = MAX_CELL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

"""The one place that knows what "now" is: --now / CMTRIAGE_NOW, else the real clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from cmtriage.errors import UsageError


def parse_instant(text: str, *, what: str = "time") -> datetime:
    """An ISO 8601 date or date-time; a naive value is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{what}: expected an ISO 8601 time like 2026-11-24T09:00:00Z, got {text!r}"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def now(override: str | None = None) -> datetime:
    text = override or os.environ.get("CMTRIAGE_NOW")
    if text:
        return parse_instant(text, what="--now" if override else "CMTRIAGE_NOW")
    return datetime.now(UTC)

"""The one test of "is this a web address we can ask": for repos.yaml URLs, the webhook, --icon-url,
snooze addresses and GITHUB_API_URL alike."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit


def http_url(text: str) -> SplitResult | None:
    """`text` split, when it is an http(s) address with a host, a valid port and no space or control
    character inside; else None (never an exception: the text is anyone's)."""
    if not text or not text.isprintable() or any(ch.isspace() for ch in text):
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not one
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return parts

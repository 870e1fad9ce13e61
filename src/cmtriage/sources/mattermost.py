"""Mattermost incoming webhooks: post one message body to MATTERMOST_WEBHOOK_URL.

The URL's path is the secret (anyone holding it can post to the channel), so no message here ever
quotes it or its hook id; errors name the server's host and Mattermost's own explanation.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cmtriage.errors import UsageError
from cmtriage.sources.http import HttpClient, where

if TYPE_CHECKING:
    import httpx

SOURCE = "Mattermost"
URL_VARIABLE = "MATTERMOST_WEBHOOK_URL"
# What a user can do about each of Mattermost's webhook errors, by the error's id.
_HINTS = {
    "web.incoming_webhook.invalid.app_error": f"check {URL_VARIABLE}: the hook may have been deleted",
    "web.incoming_webhook.channel_locked.app_error":
        "the hook is locked to its own channel: drop the channel setting or use that channel's hook",
    "web.incoming_webhook.channel.app_error": "check the channel's name (the URL name, e.g. town-square)",
    "web.incoming_webhook.disabled.app_error": "ask a system admin to enable incoming webhooks",
}


def webhook_url() -> str:
    url = os.environ.get(URL_VARIABLE, "").strip()
    if not url:
        raise UsageError(f"{URL_VARIABLE} is not set: set it to the channel's incoming-webhook URL "
                         "(Integrations > Incoming Webhooks in Mattermost)")
    from cmtriage.urls import http_url

    if http_url(url) is None:  # the message does not quote the URL: its path is the secret
        raise UsageError(f"{URL_VARIABLE} is not an http(s) URL (expected https://<server>/hooks/<id>)")
    return url


def client() -> HttpClient:
    return HttpClient(SOURCE)


def post(http: HttpClient, url: str, body: dict[str, Any]) -> None:
    """Send one webhook post; 5xx answers and timeouts are retried by `http`, any other failure raises
    SourceFailure with Mattermost's own message."""
    response = http.request("POST", url, json=body)
    if response.status_code == 200 and response.text.strip() == "ok":
        return
    if response.status_code == 200:
        raise http.fail(url, f"answered 200 without 'ok': is {URL_VARIABLE} an incoming-webhook URL?")
    if response.is_redirect:
        # Not followed: a post re-sent to wherever a Location says could land anywhere. Only the new
        # address's scheme and host are shown; its path holds the secret.
        import httpx

        from cmtriage.text import clean

        try:
            moved = clean(where(response.request.url.join(response.headers["location"])))
        except (httpx.InvalidURL, ValueError):
            moved = "an address that is not a URL"
        raise http.fail(url, f"HTTP {response.status_code}: the hook redirects to {moved}, and "
                             f"cmtriage does not follow redirects with a post; set {URL_VARIABLE} to the "
                             "address it redirects to")
    raise http.fail(url, _explain(response, url))


def _explain(response: httpx.Response, url: str) -> str:
    """Mattermost's `message` (never `detailed_error`, which can quote the hook id) plus what to do."""
    from cmtriage.text import clean, shorten

    try:
        error = response.json()
    except ValueError:
        error = None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return f"HTTP {response.status_code} {response.reason_phrase}"
    hook_id = urlsplit(url).path.rstrip("/").rpartition("/")[2]
    message = shorten(clean(error["message"]), 200)
    if len(hook_id) >= 4:
        message = message.replace(hook_id, "<hook id>")
    hint = _HINTS.get(error.get("id"))
    return f"HTTP {response.status_code}: {message}" + (f" ({hint})" if hint else "")


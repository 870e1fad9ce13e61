"""Typed errors; cli.main turns them into one line on stderr and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2


class CmtriageError(Exception):
    """An error the user can act on: printed as one line, never as a traceback."""

    exit_code = EXIT_PARTIAL


class UsageError(CmtriageError):
    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """A mistake in repos.yaml or rotation.yaml, located by file, line and key path."""

    def __init__(self, file: str, line: int | None, key: str, message: str):
        self.file, self.line, self.key, self.message = file, line, key, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


class SourceFailure(CmtriageError):
    """One outside system failed; the message must already be free of secrets."""

    def __init__(self, source: str, message: str, *, may_have_arrived: bool = False):
        self.source, self.detail = source, message
        self.may_have_arrived = may_have_arrived  # a write that failed after it was sent
        super().__init__(f"{source}: {message}")


SECRET_VARIABLES = (
    "GITHUB_TOKEN", "GH_TOKEN", "DISCOURSE_API_KEY", "USERVOICE_CLIENT_SECRET", "JIRA_API_TOKEN",
    "ZENDESK_API_TOKEN", "MATTERMOST_WEBHOOK_URL", "GITLAB_TOKEN", "STACKEXCHANGE_KEY",
    "JIRA_TOKEN",  # Jira Data Center's personal access token
)


def required(*names: str, why: str) -> tuple[str, ...]:
    """The values (stripped) of the variables a source signs in with; a UsageError naming each one that
    is unset or blank, then `why` (what to set and where to get it)."""
    import os

    values = tuple(os.environ.get(name, "").strip() for name in names)
    missing = [name for name, value in zip(names, values, strict=True) if not value]
    if missing:
        raise UsageError(f"{' and '.join(missing)} not set: {why}")
    return values


MIN_SECRET = 4  # shorter values would blank out ordinary words; no real secret is that short


def _forms(value: str) -> set[str]:
    """`value` as it may be quoted back: as set, stripped (as sent), and URL-encoded either way."""
    from urllib.parse import quote, quote_plus

    forms = {value, value.strip()}
    for form in list(forms):
        encoded = quote(form, safe="")
        forms |= {encoded, encoded.lower(), quote_plus(form), quote(form)}
    return {form for form in forms if len(form) >= MIN_SECRET}


def secret_forms() -> list[tuple[str, str]]:
    """(text, the variable it stands for) for every form of every secret in the environment that a
    request carries, longest first (so a URL goes before its hook id): the value as set and stripped,
    Zendesk's `email/token:TOKEN` and its Basic-auth base64, a webhook URL's path and hook id, each also
    URL-encoded."""
    import base64
    import os
    from urllib.parse import urlsplit

    found: dict[str, str] = {}
    for name in SECRET_VARIABLES:
        value = os.environ.get(name)
        if not value or not value.strip():
            continue
        parts = [value]
        if name == "ZENDESK_API_TOKEN":
            email = os.environ.get("ZENDESK_EMAIL", "").strip()
            login = f"{email}/token:{value.strip()}"
            parts += [login, base64.b64encode(login.encode()).decode()]
        if name == "MATTERMOST_WEBHOOK_URL":
            try:
                path = urlsplit(value.strip()).path
            except ValueError:
                path = ""
            if path.strip("/"):
                parts += [path.rstrip("/"), path.rstrip("/").rpartition("/")[2]]
        for part in parts:
            for form in _forms(part):
                found.setdefault(form, name)
    return sorted(found.items(), key=lambda pair: -len(pair[0]))


def redact(text: str) -> str:
    """Text with every secret from the environment replaced, in every form a request sends it (see
    secret_forms), for messages that quote outside errors."""
    for secret, name in secret_forms():
        text = text.replace(secret, f"<{name}>")
    return text

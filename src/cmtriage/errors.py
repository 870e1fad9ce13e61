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
)


def redact(text: str) -> str:
    """Text with every secret from the environment replaced, for messages that quote outside errors."""
    import os

    for name in SECRET_VARIABLES:
        secret = os.environ.get(name)
        if secret and len(secret) >= 4:
            text = text.replace(secret, f"<{name}>")
    return text

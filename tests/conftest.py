"""Fixtures every test gets: no test reads the developer's environment, config, cache or state."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from cmtriage.errors import SECRET_VARIABLES

# Settings a developer may have exported that would change what a test sees; secrets above all.
CLEARED_VARIABLES = (
    *SECRET_VARIABLES,
    "DISCOURSE_API_USERNAME", "USERVOICE_CLIENT_ID", "JIRA_EMAIL", "ZENDESK_EMAIL",
    "GITHUB_API_URL", "CMTRIAGE_NOW", "CMTRIAGE_FORMAT", "CMTRIAGE_DEBUG", "NO_COLOR",
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Autouse. Clears CLEARED_VARIABLES (tokens, webhook URL, CMTRIAGE_NOW, CMTRIAGE_FORMAT, ...) and
    points XDG_CACHE_HOME, XDG_STATE_HOME and HOME (platformdirs' base on macOS) under `tmp_path`, and
    CMTRIAGE_CONFIG_DIR at `tmp_path / "config"`. Creates none of these folders. Returns `tmp_path`.

    A test that needs a variable sets it itself with `monkeypatch.setenv`."""
    for name in CLEARED_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, folder in (("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state"), ("HOME", "home"),
                         ("CMTRIAGE_CONFIG_DIR", "config")):
        monkeypatch.setenv(name, str(tmp_path / folder))
    return tmp_path


@pytest.fixture
def write_config(isolated_env: Path) -> Callable[..., Path]:
    """`write_config(repos=TEXT, rotation=TEXT)` writes the given files into $CMTRIAGE_CONFIG_DIR and
    returns that folder. TEXT is dedented, so an indented triple-quoted string works: start it with
    `\"\"\"\\` and its first line is line 1 of the file. A file passed as None is not written."""

    def write(*, repos: str | None = None, rotation: str | None = None) -> Path:
        folder = isolated_env / "config"
        folder.mkdir(exist_ok=True)
        for name, text in (("repos.yaml", repos), ("rotation.yaml", rotation)):
            if text is not None:
                (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return folder

    return write


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """`run_cli("config", "check")` runs cmtriage.cli.main as the shell would, error handling included,
    and returns (exit code, stdout, stderr)."""
    from cmtriage.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        out, err = capsys.readouterr()
        return exit_info.value.code, out, err

    return run


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait an HttpClient source sits through (backoff, Retry-After, a server's own hint), recorded
    instead of slept. (A test file whose source sleeps elsewhere defines its own.)"""
    from cmtriage.sources import http

    waited: list[float] = []
    monkeypatch.setattr(http, "sleep", waited.append)
    return waited

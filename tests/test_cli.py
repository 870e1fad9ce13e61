"""The command-line shell: help and version, and how every failure reaches the user."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from cmtriage import __version__, cli
from cmtriage.errors import ConfigError, SourceFailure, UsageError

SECRET = "ghp_s3cretT0kenValue1234567890"


def commands() -> list[tuple[str, ...]]:
    """Every command path the CLI offers, subcommands of groups included: ("rotation", "who"), ..."""
    paths: list[tuple[str, ...]] = []

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        paths.append(path)
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))

    context = click.Context(cli.cli)
    for name in cli.COMMANDS:
        walk(cli.cli.get_command(context, name), (name,))
    return paths


# --- help and version -----------------------------------------------------------------------------------
def test_help_lists_every_command_with_its_line(run_cli):
    code, out, err = run_cli("--help")
    assert (code, err) == (0, "")
    assert out.startswith("Usage: cmtriage [OPTIONS] COMMAND [ARGS]...")
    assert "  Examples:\n    cmtriage rotation who\n" in out
    for name, (_, summary) in cli.COMMANDS.items():
        assert f"  {name}" in out and summary in out
    assert run_cli("-h") == (code, out, err)


def test_version(run_cli):
    assert run_cli("--version") == (0, f"cmtriage, version {__version__}\n", "")


def test_python_dash_m_runs_the_same_cli():
    result = subprocess.run([sys.executable, "-m", "cmtriage", "--help"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: cmtriage [OPTIONS] COMMAND [ARGS]...")


def test_every_command_is_found():
    """The walk below must see the nested commands, or the help test could pass on nothing."""
    paths = commands()
    assert ("config", "check") in paths and ("rotation", "who") in paths
    assert len(paths) >= len(cli.COMMANDS)


@pytest.mark.parametrize("path", commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(run_cli, path):
    code, out, err = run_cli(*path, "--help")
    assert (code, err) == (0, "")
    assert out.startswith(f"Usage: cmtriage {' '.join(path)} ")
    example = out.partition("Example")[2]
    assert example.startswith(("s:\n", ":\n")), f"no Example: block in `cmtriage {' '.join(path)} --help`"
    assert f"cmtriage {path[0]}" in example


def test_an_unknown_command_or_option_is_exit_2(run_cli):
    code, out, err = run_cli("stael")
    assert (code, out) == (2, "")
    assert err.endswith("Error: No such command 'stael'. Did you mean stale?\n")
    assert run_cli("config", "check", "--nope")[0] == 2


# --- failures -------------------------------------------------------------------------------------------
@click.command()
@click.argument("kind")
def boom(kind: str) -> None:
    """Fail in the way KIND says (tests only).

    \b
    Example:
      cmtriage boom usage
    """
    import os

    secret = os.environ.get("GITHUB_TOKEN", "")
    if kind == "usage":
        raise UsageError(f"--days: expected a number, got 'x' (token {secret})")
    if kind == "config":
        raise ConfigError("rotation.yaml", 7, "members[2].from", 'expected a date like 2026-12-07, got "x"')
    if kind == "source":
        raise SourceFailure("github", f"HTTP 401 for Authorization: token {secret}\nsecond line")
    raise RuntimeError(f"unexpected: token={secret}")


@pytest.fixture
def with_boom(monkeypatch):
    monkeypatch.setitem(cli.COMMANDS, "boom", (f"{__name__}:boom", "Fail on purpose (tests only)."))
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)


@pytest.mark.parametrize(
    ("kind", "code", "line"),
    [
        ("usage", 2, "cmtriage: error: --days: expected a number, got 'x' (token <GITHUB_TOKEN>)"),
        ("config", 2,
         'cmtriage: error: rotation.yaml:7: members[2].from: expected a date like 2026-12-07, got "x"'),
        ("source", 1,  # the server's newline folded: still one line
         "cmtriage: error: github: HTTP 401 for Authorization: token <GITHUB_TOKEN> second line"),
        ("crash", 1, "cmtriage: internal error: RuntimeError: unexpected: token=<GITHUB_TOKEN> "
                     "(run with --debug for details)"),
    ],
)
def test_a_failure_is_one_stderr_line_with_its_exit_code_and_no_secret(with_boom, run_cli, kind, code, line):
    assert run_cli("boom", kind) == (code, "", line + "\n")


def test_debug_shows_the_traceback_and_still_hides_the_secret(with_boom, run_cli, monkeypatch):
    code, out, err = run_cli("--debug", "boom", "crash")
    assert (code, out) == (1, "")
    assert err.startswith("Traceback (most recent call last):\n")
    assert err.endswith("RuntimeError: unexpected: token=<GITHUB_TOKEN>\n")
    assert SECRET not in err
    monkeypatch.setenv("CMTRIAGE_DEBUG", "1")
    code, _, err = run_cli("boom", "usage")
    assert (code, SECRET in err) == (2, False)
    assert err.startswith("Traceback") and "cmtriage.errors.UsageError: --days:" in err


def test_without_debug_there_is_no_traceback_in_a_real_process(tmp_path):
    """The same from a shell: a crash in a fresh interpreter prints one line, --debug the traceback."""
    script = ("import sys; from cmtriage import cli; "
              "cli.COMMANDS['crash'] = ('cmtriage.clock:now', ''); "  # not a click command: TypeError
              "cli.main(sys.argv[1:])")
    plain = subprocess.run([sys.executable, "-c", script, "crash"], capture_output=True, text=True,
                           timeout=60, check=False)
    assert plain.returncode == 1 and "Traceback" not in plain.stderr and plain.stderr.count("\n") == 1
    assert plain.stderr.startswith("cmtriage: internal error: ")
    debug = subprocess.run([sys.executable, "-c", script, "--debug", "crash"], capture_output=True, text=True,
                           timeout=60, check=False)
    assert debug.returncode == 1 and debug.stderr.startswith("Traceback (most recent call last):")

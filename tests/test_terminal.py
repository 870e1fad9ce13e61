"""The terminal object: warnings never land on the progress line, and lines from outside are cleaned."""

from __future__ import annotations

import io
import re

from cmtriage.terminal import Terminal


def test_a_warning_during_progress_prints_on_its_own_line_above_the_spinner(monkeypatch):
    from rich.console import Console

    screen = io.StringIO()
    monkeypatch.setattr(Terminal, "stderr_is_terminal", staticmethod(lambda: True))
    monkeypatch.setattr("rich.console.Console", lambda **_: Console(file=screen, force_terminal=True,
                                                                      width=80, color_system=None))
    terminal = Terminal()
    with terminal.progress("Asking GitHub…") as progress:
        progress("Asking GitHub… 11 requests")
        terminal.warn("mattermost/platform was renamed")
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())  # cursor moves, not text
    lines = [line for line in shown.replace("\r", "\n").split("\n") if "warning" in line]
    assert lines, screen.getvalue()
    # The warning is a line of its own, not glued to the spinner's text.
    assert lines == ["cmtriage: warning: mattermost/platform was renamed"]
    assert "Asking GitHub… 11 requests" in shown


def test_without_a_terminal_there_is_no_spinner_and_warnings_go_to_stderr(capsys):
    terminal = Terminal()
    with terminal.progress("Asking GitHub…") as progress:
        assert progress is None
        terminal.warn("bidi \u202eevil\u202c text\x1b[31m")
    assert capsys.readouterr().err == "cmtriage: warning: bidi evil text\n"

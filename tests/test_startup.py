"""`cmtriage --help` and `cmtriage rotation who` start without the heavy libraries.

Run in a fresh interpreter with `-X importtime`, which lists every module the run imported.
The timing itself is measured by bench/startup.py, never asserted here.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HEAVY = ("github", "httpx", "rich.console", "rich.table", "icalendar", "requests")


def imported_modules(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess, set[str]]:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "cmtriage", *args],
                            capture_output=True, text=True, env=env, timeout=60, check=False)
    # Lines look like "import time:       123 |        456 |     package.module".
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    return result, modules


@pytest.fixture
def env(tmp_path):
    rotation = "timezone: America/Toronto\nstart: 2026-01-05\nmembers: [{name: Eric}, {name: Jason}]\n"
    (tmp_path / "rotation.yaml").write_text(rotation, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMTRIAGE_")}
    env.update(CMTRIAGE_CONFIG_DIR=str(tmp_path), CMTRIAGE_NOW="2026-01-13T12:00:00Z")
    return env


@pytest.mark.parametrize("args", [["--help"], ["rotation", "who"]], ids=["help", "rotation who"])
def test_no_heavy_import(env, args):
    result, modules = imported_modules(args, env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "cmtriage.cli" in modules  # the listing works: otherwise the test below could not fail
    heavy = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == []


def test_rotation_who_prints_the_week(env):
    result, _ = imported_modules(["rotation", "who"], env)
    assert result.stdout == "Community PM this week (2026-01-12 – 2026-01-18): @jason (Jason)\n"


def test_an_unchanged_rotation_is_not_parsed_again(env, tmp_path):
    """The second run of an unchanged rotation.yaml needs no YAML parser; a changed file is read anew."""
    env = {**env, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first, first_modules = imported_modules(["rotation", "who"], env)
    second, second_modules = imported_modules(["rotation", "who"], env)
    assert "yaml" in first_modules and "yaml" not in second_modules
    week = "Community PM this week (2026-01-12 – 2026-01-18)"
    assert first.stdout == second.stdout == f"{week}: @jason (Jason)\n"
    memo = tmp_path / "cache" / "cmtriage" / "parsed-rotation.yaml.json"
    assert oct(memo.stat().st_mode & 0o777) == "0o600"

    (tmp_path / "rotation.yaml").write_text(
        "timezone: America/Toronto\nstart: 2026-01-05\nmembers: [{name: Ada}, {name: Eric}]\n",
        encoding="utf-8")
    changed, changed_modules = imported_modules(["rotation", "who"], env)
    assert "yaml" in changed_modules
    assert changed.stdout == "Community PM this week (2026-01-12 – 2026-01-18): @eric (Eric)\n"


def test_a_damaged_memo_is_a_miss(env, tmp_path):
    env = {**env, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    imported_modules(["rotation", "who"], env)
    memo = tmp_path / "cache" / "cmtriage" / "parsed-rotation.yaml.json"
    text = memo.read_text(encoding="utf-8").replace('"America/Toronto"', '"Not/AZone"')
    memo.write_text(text, encoding="utf-8")
    result, modules = imported_modules(["rotation", "who"], env)
    assert "yaml" in modules
    assert result.stdout == "Community PM this week (2026-01-12 – 2026-01-18): @jason (Jason)\n"

"""bench/_common.py: the options, environment and in-process run the benchmarks share."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import click
import pytest

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def common() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench" / "_common.py"
    spec = importlib.util.spec_from_file_location("bench_common", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_fakes_and_the_sources_are_importable(common: ModuleType) -> None:
    assert str(common.ROOT / "src") in sys.path and str(common.ROOT / "tests") in sys.path


def test_stamp_and_arguments(common: ModuleType) -> None:
    assert common.stamp(NOW) == "2026-11-24T14:00:00Z"
    options = common.arguments("What it costs.\n\nMore.").parse_args([])
    assert (options.latency, options.seed) == (0.1, 7)
    parser = common.arguments("x", seed=11)
    parser.add_argument("--topics", type=int, default=3000)
    options = parser.parse_args(["--latency", "0.02", "--topics", "5"])
    assert (options.latency, options.seed, options.topics) == (0.02, 11, 5)
    assert common.arguments("What it costs.\n\nMore.").description == "What it costs."


def test_environment(common: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CMTRIAGE_NOW", "CMTRIAGE_CONFIG_DIR", "XDG_CACHE_HOME", "XDG_STATE_HOME", "GITHUB_TOKEN",
                 "CMTRIAGE_FORMAT"):
        monkeypatch.setenv(name, "before")  # put back after the test
    common.environment(str(tmp_path), NOW, GITHUB_TOKEN="t0k")
    assert {name: os.environ.get(name) for name in ("CMTRIAGE_NOW", "CMTRIAGE_CONFIG_DIR", "XDG_CACHE_HOME",
                                                    "XDG_STATE_HOME", "GITHUB_TOKEN", "CMTRIAGE_FORMAT")} == {
        "CMTRIAGE_NOW": "2026-11-24T14:00:00Z", "CMTRIAGE_CONFIG_DIR": str(tmp_path),
        "XDG_CACHE_HOME": f"{tmp_path}/cache", "XDG_STATE_HOME": f"{tmp_path}/state", "GITHUB_TOKEN": "t0k",
        "CMTRIAGE_FORMAT": None}


def test_run_cmtriage_hands_back_the_json_the_time_stderr_and_the_exit_code(
        common: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    from cmtriage import cli

    asked: list[list[str]] = []

    def main(args: list[str]) -> None:
        asked.append(args)
        click.echo(json.dumps({"items": [1]}))
        click.echo("cmtriage: error: zendesk: down", err=True)
        raise SystemExit(1)

    monkeypatch.setattr(cli, "main", main)
    report, seconds, err, code = common.run_cmtriage("zendesk", "--no-cache")
    assert (report, err, code) == ({"items": [1]}, "cmtriage: error: zendesk: down\n", 1)
    assert seconds >= 0 and asked == [["zendesk", "--format", "json", "--no-cache"]]

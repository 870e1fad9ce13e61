"""What the benchmarks share: the import path to src/ and tests/ (the fakes), the command line (--latency,
--seed), the environment of a run against the fakes, and one in-process cmtriage run.

A benchmark imports it first (`import _common`), as a script's own folder is on the path."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _folder in (ROOT / "tests", ROOT / "src"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def arguments(doc: str, *, seed: int = 7) -> argparse.ArgumentParser:
    """The options every benchmark takes; add its own before parse_args()."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request (default 0.1)")
    parser.add_argument("--seed", type=int, default=seed)
    return parser


def environment(folder: str, now: datetime, **variables: str) -> None:
    """Runs that read their config from `folder`, keep cache and state under it, take `now` as the time
    and print the format they are asked for."""
    os.environ.update(CMTRIAGE_NOW=stamp(now), CMTRIAGE_CONFIG_DIR=folder, XDG_CACHE_HOME=f"{folder}/cache",
                      XDG_STATE_HOME=f"{folder}/state", **variables)
    os.environ.pop("CMTRIAGE_FORMAT", None)


def run_cmtriage(command: str, *args: str) -> tuple[dict, float, str, int]:
    """(the JSON report, wall seconds, stderr, exit code) of one in-process
    `cmtriage COMMAND --format json ARGS`."""
    from cmtriage.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([command, "--format", "json", *args])
        except SystemExit as exc:
            code = exc.code
    return json.loads(out.getvalue()), time.perf_counter() - started, err.getvalue(), code

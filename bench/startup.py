"""How long `cmtriage rotation who` takes to start, beside the floor of any click CLI.

Prints the median wall time of N runs of each command and their ratio (the aim is <= 1.6). Each run is
a fresh interpreter, as when a person types the command. Run by hand or in CI's bench step:

    python bench/startup.py            # 30 runs each
    python bench/startup.py --runs 100
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROTATION_YAML = """\
timezone: America/Toronto
week_starts: monday
start: 2026-01-05
members:
  - {name: Eric, mention: eric.s}
  - {name: Jason}
  - {name: Lindsay}
  - {name: Ada, from: 2026-12-07}
overrides:
  - {week: 2026-11-23, who: Lindsay, reason: Eric at a conference}
"""


def median_seconds(commands: list[list[str]], runs: int, env: dict[str, str]) -> list[float]:
    """The median wall time of each command. Runs alternate between them, so a machine that gets busier
    or quieter meanwhile moves every median alike and leaves their ratio alone."""
    for command in commands:  # a first run fills the OS and .pyc caches
        warm = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if warm.returncode != 0:
            sys.exit(f"{' '.join(command)} failed ({warm.returncode}):\n{warm.stderr}")
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, taken in zip(commands, times, strict=True):
            started = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            taken.append(time.perf_counter() - started)
    return [statistics.median(taken) for taken in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    # The installed console script, as a user runs it; else the module, through this interpreter.
    script = shutil.which("cmtriage", path=str(Path(sys.executable).parent))
    who = [script, "rotation", "who"] if script else [sys.executable, "-m", "cmtriage", "rotation", "who"]
    with tempfile.TemporaryDirectory() as config_dir:
        Path(config_dir, "rotation.yaml").write_text(ROTATION_YAML, encoding="utf-8")
        env = {**os.environ, "CMTRIAGE_CONFIG_DIR": config_dir, "CMTRIAGE_NOW": "2026-11-24T15:00:00Z"}
        # Measure what an installed cmtriage does: its modules compiled once into __pycache__, as
        # click's are. With PYTHONDONTWRITEBYTECODE set every run would compile cmtriage from source.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        floor, ours = median_seconds([[sys.executable, "-c", "import click"], who], args.runs, env)
    print(f"python -c 'import click': {floor * 1000:7.1f} ms (median of {args.runs})")
    print(f"cmtriage rotation who:    {ours * 1000:7.1f} ms (median of {args.runs})")
    print(f"ratio:                    {ours / floor:7.2f} (aim: <= 1.6)")


if __name__ == "__main__":
    main()

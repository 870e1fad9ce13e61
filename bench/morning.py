"""What the short forms make of a busy org's morning list: how many Mattermost posts and how many
bytes `cmtriage stale --post` would send in full, with filters, with --limit and with --summary, and what
each run costs (requests to the fake GitHub, 100 ms each, and wall time; cold, then warm the same day).

The data set is bench/stale.py's: the seed's repos at a realistic size (about 1,000 open items). The
filters run after the fetch, so they cost no request: the figures say what the reader is spared.

    python bench/morning.py                 # 100 ms a request
    python bench/morning.py --latency 0.02  # quicker, same request counts
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from cmtriage.cli import main  # noqa: E402
from fakes.github import TOKEN, FakeGitHub, serve  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_stale", ROOT / "bench" / "stale.py")
stale_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stale_bench)

RUNS = [
    ("full list", ()),
    ("--waiting-on us", ("--waiting-on", "us")),
    ("--exclude-label Bug", ("--exclude-label", "bug")),
    ("--limit 20", ("--limit", "20")),
    ("--summary", ("--summary",)),
]


def payload(*args: str) -> tuple[list[str], float]:
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.suppress(SystemExit):
        main(["stale", "--format", "payload", *args])
    return out.getvalue().splitlines(), time.perf_counter() - started


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1)
    options = parser.parse_args()
    fake = FakeGitHub(latency=options.latency)
    stale_bench.populate(fake, random.Random(14))
    with tempfile.TemporaryDirectory() as home, serve(fake) as running:
        config = Path(home) / "config"
        config.mkdir()
        (config / "repos.yaml").write_text(stale_bench.repos_yaml())
        os.environ.update({"GITHUB_API_URL": running.url, "GITHUB_TOKEN": TOKEN,
                           "CMTRIAGE_CONFIG_DIR": str(config), "XDG_CACHE_HOME": f"{home}/cache",
                           "XDG_STATE_HOME": f"{home}/state",
                           "CMTRIAGE_NOW": stale_bench.NOW.isoformat()})
        open_items = sum(len(r.issues) for r in fake.repos.values())
        latency = f"{options.latency * 1000:.0f} ms a request"
        print(f"{open_items} open items in {len(fake.repos)} repos; {latency}\n")
        print(f"{'run':<28} {'posts':>5} {'bytes':>8} {'requests':>8} {'wall s':>7}")
        for cold in (True, False):
            for name, args in RUNS if not cold else RUNS[:1]:
                fake.reset_log()
                posts, wall = payload(*args)
                label = f"{name} ({'cold' if cold else 'warm'})"
                print(f"{label:<28} {len(posts):>5} {sum(len(p.encode()) for p in posts):>8} "
                      f"{len(fake.requests):>8} {wall:>7.2f}")


if __name__ == "__main__":
    main_bench()

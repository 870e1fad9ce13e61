"""What `cmtriage metrics` costs against GitHub: 8 rotation weeks over 9 repos holding 2,000 community
and staff items opened in those weeks (and some older ones touched since), 100 ms a request.

A fake GitHub (tests/fakes/github.py) holds the items, a third of them closed, each with a few comments
(staff, its author, other community members, a bot), and a staff org of 300 members. The script prints
requests (and how many cost rate limit) and wall time of a cold run and of a warm run the same day,
beside the lower bound: per repo, one page per 100 items touched since the window began and one per 100
comments made since then (one at least each), plus resolving each repo and listing the staff org; and
what asking once per item (as github/issue-metrics does) would send.

    python bench/metrics.py                 # 100 ms a request
    python bench/metrics.py --latency 0.02  # quicker, same request counts
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import random
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from cmtriage.cli import main  # noqa: E402
from fakes.github import TOKEN, FakeGitHub, serve  # noqa: E402

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # a Wednesday: the 8th week is in progress
WINDOW_START = datetime(2026, 10, 5, tzinfo=UTC)  # Monday of the first of the 8 weeks, midnight UTC
ITEMS = 2000
OLD_TOUCHED = 300  # items opened before the window and commented on inside it: listed, not counted
# repo, watch, share of the items
REPOS = [
    ("mattermost/mattermost", "both", 0.45),
    ("mattermost/docs", "issues", 0.15),
    ("mattermost/ios", "both", 0.08),
    ("mattermost/android", "both", 0.08),
    ("mattermost/desktop", "issues", 0.08),
    ("mattermost/push-proxy", "pulls", 0.04),
    ("mattermost/mattermost-docker-preview", "issues", 0.04),
    ("mattermost/mattermost-load-test", "issues", 0.04),
    ("mattermost/mattermost-api-reference", "issues", 0.04),
]
STAFF = [f"staff{n}" for n in range(300)]
ROTATION = """\
timezone: America/Toronto
start: 2026-01-05
members:
  - name: Eric
  - name: Jason
  - name: Lindsay
overrides:
  - week: 2026-11-11
    who: Eric
"""


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def populate(fake: FakeGitHub, rng: random.Random) -> None:
    fake.orgs["mattermost"] = {login: rng.random() < 0.5 for login in STAFF}
    span = NOW - WINDOW_START - timedelta(hours=1)
    numbers = dict.fromkeys((name for name, _, _ in REPOS), 0)
    for name, _, _ in REPOS:
        fake.add_repo(name)
    weights = [share for _, _, share in REPOS]
    for index in range(ITEMS + OLD_TOUCHED):
        name = rng.choices([name for name, _, _ in REPOS], weights)[0]
        numbers[name] += 1
        number = numbers[name]
        old = index >= ITEMS
        created = (NOW - timedelta(days=100 + 300 * rng.random()) if old
                   else WINDOW_START + span * rng.random())
        author, association = ((rng.choice(STAFF), "MEMBER") if rng.random() < 0.2
                               else (f"user{rng.randrange(3000)}", rng.choice(("NONE", "CONTRIBUTOR"))))
        closed = created + (NOW - created) * rng.random() if rng.random() < 0.33 else None
        fake.add_issue(name, number, f"Item {number}", author=author, association=association,
                       created=created, pull=rng.random() < 0.3, closed=closed)
        moments = sorted(created + timedelta(hours=rng.expovariate(1 / 30)) for _ in range(rng.randrange(5)))
        if old:
            moments = [NOW - (NOW - WINDOW_START) * rng.random()]
        for moment in moments:
            if moment >= NOW:
                continue
            roll = rng.random()
            if roll < 0.45:
                fake.add_comment(name, number, author=rng.choice(STAFF), association="MEMBER", created=moment)
            elif roll < 0.85:
                fake.add_comment(name, number, author=rng.choice((author, f"user{rng.randrange(3000)}")),
                                 created=moment)
            else:
                fake.add_comment(name, number, author="mattermod", created=moment)


def repos_yaml() -> str:
    lines = ["staff:", "  orgs: [mattermost]", "bots: [mattermod]", "github:"]
    for name, watch, _ in REPOS:
        lines += [f"  - repo: {name}", f"    watch: {watch}"]
    return "\n".join(lines) + "\n"


def run_cmtriage(*args: str) -> tuple[dict, float, str]:
    """(the JSON report, wall seconds, stderr) of one in-process run."""
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.suppress(SystemExit):
        main(["metrics", "--format", "json", *args])
    return json.loads(out.getvalue()), time.perf_counter() - started, err.getvalue()


def lower_bound(fake: FakeGitHub) -> tuple[int, int]:
    """(listing pages, pages + one comments request per item created in the window), from the fake's data."""
    since = stamp(WINDOW_START)
    pages = per_item = 0
    for repo in fake.repos.values():
        touched = [i for i in repo.issues.values() if i.updated_at >= since]
        comments = sum(1 for c in repo.comments if c.updated_at >= since)
        pages += max(1, math.ceil(len(touched) / 100)) + max(1, math.ceil(comments / 100))
        per_item += max(1, math.ceil(len(touched) / 100)) + sum(1 for i in touched if i.created_at >= since)
    return pages, per_item


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request (default 0.1)")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()

    fake = FakeGitHub(latency=options.latency)
    populate(fake, random.Random(options.seed))
    with tempfile.TemporaryDirectory() as folder, serve(fake):
        (Path(folder) / "repos.yaml").write_text(repos_yaml())
        (Path(folder) / "rotation.yaml").write_text(ROTATION)
        os.environ.update(GITHUB_API_URL=fake.url, GITHUB_TOKEN=TOKEN, CMTRIAGE_NOW=stamp(NOW),
                          CMTRIAGE_CONFIG_DIR=folder, XDG_CACHE_HOME=f"{folder}/cache",
                          XDG_STATE_HOME=f"{folder}/state")
        os.environ.pop("CMTRIAGE_FORMAT", None)
        total = sum(len(r.issues) for r in fake.repos.values())
        print(f"fake GitHub: {len(fake.repos)} repos, {total} items ({ITEMS} opened in the 8 weeks, "
              f"{OLD_TOUCHED} older ones touched since), "
              f"{sum(len(r.comments) for r in fake.repos.values())} comments, "
              f"{options.latency * 1000:.0f} ms a request")
        cold, cold_time, warnings = run_cmtriage()
        cold_requests, cold_billed = len(fake.requests), fake.billed()
        overhead = sum(1 for r in fake.requests if re.match(r"^/(repos/[^/]+/[^/]+|orgs/.*)$", r.path))
        fake.reset_log()
        warm, warm_time, _ = run_cmtriage()
        warm_requests, warm_billed = len(fake.requests), fake.billed()
        bound, per_item = lower_bound(fake)

    every = [i for i in cold["items"] if i["repo"] == "all"]
    print(warnings, end="")
    print(f"rows: {len(cold['items'])} ({len(cold['errors'])} errors); all repos over 8 weeks: "
          f"{sum(i['opened'] for i in every)} community items opened, "
          f"{sum(i['answered'] for i in every)} answered")
    print(f"lower bound: {bound} requests (+ {overhead} to resolve the repos and list the staff org)")
    print(f"cmtriage cold: {cold_requests} requests ({cold_billed} cost rate limit), {cold_time:.2f} s")
    print(f"cmtriage warm: {warm_requests} requests ({warm_billed} cost rate limit), {warm_time:.2f} s"
          f"{'' if warm == cold else '  (DIFFERENT OUTPUT)'}")
    print(f"one comments request per item (issue-metrics' way): {per_item} requests + {overhead}, "
          f"{(per_item + overhead) * options.latency:.0f} s one after the other")


if __name__ == "__main__":
    main_bench()

"""What `cmtriage stale` costs against GitHub, beside the lower bound and a plain PyGithub loop.

A fake GitHub (tests/fakes/github.py) answers every request 100 ms late and holds the seed's repos at a
realistic size: several hundred open items in the main repo (listed under its old name, so the rename is
paid for), a staff org of 300 members, bots bumping items, pulls reviewed by staff, their authors,
the community and bots (some reviews with line comments, a few pending). The script prints:
- requests of a cold run and of a warm run the same day (and how many of them cost rate limit), beside
  the lower bound: a page per 100 open items and per 100 comments made in the window for each repo, plus
  the per-item comment pages that waiting_on needs, plus a reviews page for each watched community pull
  that its creation and comments leave past its threshold and that was touched since;
- wall time of both runs beside a straightforward sequential PyGithub loop over the same data (get_repo,
  get_issues, issue.pull_request, issue.get_comments, and for pulls as_pull_request().get_reviews()),
  and whether both list the same items.

    python bench/stale.py                 # 100 ms a request
    python bench/stale.py --latency 0.02  # quicker, same request counts
"""

from __future__ import annotations

import math
import random
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import arguments, environment, run_cmtriage, stamp

from fakes.github import TOKEN, FakeGitHub, serve

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
BOTS = ("mattermod",)
REVIEW_BOT = "coderabbitai[bot]"
# The seed's channel 3: repo, watch, stale_days, (open issues, open pulls)
SEED = [
    ("mattermost/platform", "issues", None, (460, 140)),
    ("mattermost/docs", "issues", None, (110, 30)),
    ("mattermost/ios", "issues", None, (70, 25)),
    ("mattermost/push-proxy", "pulls", None, (10, 12)),
    ("mattermost/mattermost-docker-preview", "issues", None, (18, 3)),
    ("mattermost/mattermost-bot-sample-golang", "issues", None, (6, 2)),
    ("mattermost/mattermost-load-test", "issues", None, (25, 5)),
    ("mattermost/mattermost-api-reference", "issues", None, (35, 8)),
    ("mattermost/android", "pulls", 30, (50, 20)),
    ("mattermost/ios", "pulls", 30, None),
]
RENAMED = {"mattermost/platform": "mattermost/mattermost"}
STAFF = [f"staff{n}" for n in range(300)]


def populate(fake: FakeGitHub, rng: random.Random) -> None:
    reviews = random.Random(rng.getstate()[1][0])  # its own draws: the issues and comments stay as they were
    fake.orgs["mattermost"] = {login: rng.random() < 0.5 for login in STAFF}
    start = NOW - timedelta(days=730)
    for name, _, _, sizes in SEED:
        if sizes is None:
            continue
        fake.add_repo(name)
        issues, pulls = sizes
        for number in range(1, issues + pulls + 1):
            created = start + (NOW - start - timedelta(hours=1)) * rng.random() ** 0.6
            roll = rng.random()
            if roll < 0.25:
                author, association = rng.choice(STAFF), "MEMBER"
            elif roll < 0.28:
                author, association = "dependabot[bot]", "NONE"
            else:
                author, association = f"user{rng.randrange(2000)}", rng.choice(("NONE", "CONTRIBUTOR"))
            fake.add_issue(name, number, f"Item {number} of {name}", author=author, created=created,
                           author_type="Bot" if author.endswith("[bot]") else "User", association=association,
                           pull=number > issues, labels=rng.choice(((), ("Bug",), ("Help Wanted",))))
            count = min(12, int(rng.expovariate(1 / 3)))
            for moment in sorted(created + (NOW - created) * rng.random() for _ in range(count)):
                roll = rng.random()
                if roll < 0.4:
                    fake.add_comment(name, number, author=rng.choice(STAFF), association="MEMBER",
                                     created=moment)
                elif roll < 0.85:
                    fake.add_comment(name, number, author=rng.choice((author, f"user{rng.randrange(2000)}")),
                                     created=moment)
                else:
                    fake.add_comment(name, number, author="mattermod", created=moment)
            if rng.random() < 0.15:  # a bot's reminder this week
                fake.add_comment(name, number, author="mattermod",
                                 created=NOW - timedelta(days=3) * rng.random())
            if number > issues:
                review(fake, name, number, author, created, reviews)
    for old, new in RENAMED.items():
        fake.rename(old, new)


def review(fake: FakeGitHub, repo: str, number: int, author: str, created: datetime,
           rng: random.Random) -> None:
    """A pull's reviews: mostly staff's, some its author's replies in review threads, a few by the
    community or a bot; a third of them with line comments; now and then a draft still pending."""
    count = min(8, int(rng.expovariate(1 / 2)))
    for moment in sorted(created + (NOW - created) * rng.random() for _ in range(count)):
        roll, state = rng.random(), rng.choice(("APPROVED", "CHANGES_REQUESTED", "COMMENTED"))
        lines = rng.choice((0, 0, 1, 3))
        if roll < 0.55:
            fake.add_review(repo, number, author=rng.choice(STAFF), association="MEMBER", state=state,
                            lines=lines, submitted=moment if rng.random() > 0.05 else None)
        elif roll < 0.75:
            fake.add_review(repo, number, author=author, state="COMMENTED", lines=1, submitted=moment)
        elif roll < 0.9:
            fake.add_review(repo, number, author=f"user{rng.randrange(2000)}", state="COMMENTED",
                            lines=lines, submitted=moment)
        else:
            fake.add_review(repo, number, author=REVIEW_BOT, author_type="Bot", state="COMMENTED",
                            lines=lines, submitted=moment)


def repos_yaml() -> str:
    lines = ["staff:", "  orgs: [mattermost]", f"bots: [{', '.join(BOTS)}]", "github:"]
    for name, watch, days, _ in SEED:
        lines.append(f"  - repo: {name}")
        lines.append(f"    watch: {watch}")
        if days:
            lines.append(f"    stale_days: {days}")
    return "\n".join(lines) + "\n"


def lower_bound(fake: FakeGitHub, listed: list[dict], days_of: dict[str, int]) -> int:
    """Pages of open items and of window comments per repo (one at least: an empty answer is a request),
    plus, for each listed item with comments, the pages from its last back to its last human comment
    when no human comment of the window names it, plus a reviews page for each watched community pull
    whose creation and human comments are older than its threshold and whose updated_at moved after
    them (only /reviews shows a review without line comments). Worked out here from the fake's data,
    apart from cmtriage's own reasoning."""

    def human(comment) -> bool:
        return comment.author not in BOTS and comment.author_type != "Bot"

    def staff(login: str, association: str) -> bool:
        return association in ("OWNER", "MEMBER") or fake.orgs["mattermost"].get(login) is not None

    def window_start(repo: str) -> str:
        return stamp(datetime.combine((NOW - timedelta(days=days_of[repo])).date(), datetime.min.time(),
                                      tzinfo=UTC))

    pages = 0
    for repo in fake.repos.values():
        opened = sum(1 for i in repo.issues.values() if i.state == "open")
        window = sum(1 for c in repo.comments if c.updated_at >= window_start(repo.full_name))
        pages += max(1, math.ceil(opened / 100)) + max(1, math.ceil(window / 100))
    for item in listed:
        comments = [c for c in fake.repo(item["repo"]).comments if c.number == item["number"]]
        recent = [c for c in comments if c.created_at >= window_start(item["repo"])]
        if not comments or any(map(human, recent)) or len(recent) == len(comments):
            continue
        last_human = max((n for n, c in enumerate(comments) if human(c)), default=0)
        pages += math.ceil(len(comments) / 100) - last_human // 100
    for name, watch, days, _ in SEED:
        repo = fake.repo(RENAMED.get(name, name))
        if watch != "pulls":
            continue
        for pull in repo.issues.values():
            if not pull.pull or staff(pull.author, pull.association) or pull.author_type == "Bot":
                continue
            said = [c.created_at for c in repo.comments if c.number == pull.number and human(c)]
            last = max([pull.created_at, *said])
            if last < stamp(NOW - timedelta(days=days or 7)) and pull.updated_at > last:
                pages += 1
    return pages


def plain_pygithub_loop(url: str) -> tuple[set[tuple[str, int]], float]:
    """What one would write first: PyGithub objects all the way, one repo and one item after the other
    (given per_page=100 and no throttle, kinder than PyGithub's defaults of 30 and 0.25 s)."""
    from github import Auth, Github

    started = time.perf_counter()
    gh = Github(auth=Auth.Token(TOKEN), base_url=url, per_page=100, seconds_between_requests=0)
    staff = {m.login.lower() for m in gh.get_organization("mattermost").get_members()}

    def is_bot(user) -> bool:
        return user.type == "Bot" or user.login.endswith("[bot]") or user.login in BOTS

    listed = set()
    for name, watch, days, _ in SEED:
        repo = gh.get_repo(name)
        cutoff = NOW - timedelta(days=days or 7)
        for issue in repo.get_issues(state="open"):
            if issue.author_association in ("OWNER", "MEMBER") or issue.user.login.lower() in staff \
                    or is_bot(issue.user):
                continue
            if (issue.pull_request is not None) != (watch == "pulls"):
                continue
            humans = [c.created_at for c in issue.get_comments() if not is_bot(c.user)]
            if issue.pull_request is not None:
                humans += [r.submitted_at for r in issue.as_pull_request().get_reviews()
                           if r.state != "PENDING" and r.submitted_at and not is_bot(r.user)]
            if max([issue.created_at, *humans]) < cutoff:
                listed.add((repo.full_name, issue.number))
    return listed, time.perf_counter() - started


def main_bench() -> None:
    parser = arguments(__doc__)
    options = parser.parse_args()

    fake = FakeGitHub(latency=options.latency)
    populate(fake, random.Random(options.seed))
    days_of = {RENAMED.get(name, name): max(days or 7, 7) for name, _, days, _ in SEED}
    for name, _, days, _ in SEED:  # a repo watched twice reads the window of its longest threshold
        days_of[RENAMED.get(name, name)] = max(days_of[RENAMED.get(name, name)], days or 7)
    with tempfile.TemporaryDirectory() as folder, serve(fake):
        (Path(folder) / "repos.yaml").write_text(repos_yaml())
        environment(folder, NOW, GITHUB_API_URL=fake.url, GITHUB_TOKEN=TOKEN)
        opened = sum(1 for r in fake.repos.values() for i in r.issues.values())
        print(f"fake GitHub: {len(fake.repos)} repos, {opened} open items "
              f"({len(fake.repo('mattermost/mattermost').issues)} in mattermost/mattermost), "
              f"{sum(len(r.comments) for r in fake.repos.values())} comments, "
              f"{sum(len(r.reviews) for r in fake.repos.values())} reviews, "
              f"{options.latency * 1000:.0f} ms a request")

        cold, cold_time, warnings, _ = run_cmtriage("stale")
        cold_requests, cold_billed = len(fake.requests), fake.billed()
        bound = lower_bound(fake, cold["items"], days_of)
        overhead = sum(1 for r in fake.requests
                       if re.match(r"^/(repos/[^/]+/[^/]+|repositories/\d+|orgs/.*)$", r.path))
        fake.reset_log()
        warm, warm_time, _, _ = run_cmtriage("stale")
        warm_requests, warm_billed = len(fake.requests), fake.billed()
        fake.reset_log()
        updated, updated_time, _, _ = run_cmtriage("stale", "--activity", "updated", "--no-cache")
        updated_requests = len(fake.requests)
        fake.reset_log()
        run_cmtriage("stale", "--no-cache")
        stale_alone = len(fake.requests)
        fake.reset_log()
        run_cmtriage("new", "--no-cache")
        new_alone = len(fake.requests)
        fake.reset_log()
        _, digest_time, _, _ = run_cmtriage("digest", "--no-cache")
        digest_requests = len(fake.requests)
        fake.reset_log()
        mine = {(i["repo"], i["number"]) for i in cold["items"]}
        theirs, loop_time = plain_pygithub_loop(fake.url)
        loop_requests = len(fake.requests)

    print(warnings, end="")
    print(f"listed: {len(cold['items'])} items ({len(cold['errors'])} errors)")
    print(f"lower bound: {bound} requests (+ {overhead} to resolve repos, follow the rename and list the "
          "staff org)")
    print(f"cmtriage cold: {cold_requests} requests ({cold_billed} cost rate limit), {cold_time:.2f} s")
    print(f"cmtriage warm: {warm_requests} requests ({warm_billed} cost rate limit), {warm_time:.2f} s"
          f"{'' if warm == cold else '  (DIFFERENT OUTPUT)'}")
    print(f"cmtriage --activity updated, no cache: {updated_requests} requests, {updated_time:.2f} s, "
          f"{len(updated['items'])} items")
    print(f"cmtriage digest (stale and new in one), no cache: {digest_requests} requests, "
          f"{digest_time:.2f} s; stale and new run apart: {stale_alone} + {new_alone} = "
          f"{stale_alone + new_alone} requests")
    print(f"plain PyGithub loop: {loop_requests} requests, {loop_time:.2f} s "
          f"({loop_time / cold_time:.0f}x the cold run); same items: {'yes' if theirs == mine else 'NO'}")


if __name__ == "__main__":
    main_bench()

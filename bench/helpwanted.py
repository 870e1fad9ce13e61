"""What `cmtriage helpwanted` costs against GitHub: 300 Help Wanted issues over 3 repos, 100 ms a request.

A fake GitHub (tests/fakes/github.py) holds three repos with 100 open Help Wanted issues each (opened by
`mattermod` over two years in the current and the old template, a few new this week), other open items
the label filter leaves out, a staff org of 300 members, comments by staff, contributors (questions,
claims, thank-yous) and the bot, non-staff assignees, and pulls that mention issues (their timelines'
`cross-referenced` events). The script prints, for a cold run and a warm run the same day, the requests
by kind (and how many cost rate limit) and the wall time; then what --apply sends once and again.

    python bench/helpwanted.py                 # 100 ms a request
    python bench/helpwanted.py --latency 0.02  # quicker, same request counts
"""

from __future__ import annotations

import random
import re
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import arguments, environment, run_cmtriage

from fakes.github import TOKEN, FakeGitHub, serve

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
REPOS = ("mattermost/mattermost", "mattermost/mattermost-plugin-jira", "mattermost/focalboard")
PER_REPO = 100
STAFF = [f"staff{n}" for n in range(300)]
CURRENT = ("Help Wanted", "Up For Grabs", "Good First Issue", "Difficulty/1:Easy", "Difficulty/2:Medium",
           "Difficulty/3:Hard", "Tech/Go", "Tech/ReactJS", "Tech/TypeScript", "Area/Plugins", "PR Submitted")
OLD = ("Help Wanted", "Up For Grabs", "Difficulty: Introductory", "Difficulty: Intermediate", "Go", "ReactJS",
       "Redux")
FOOTER = ("\n\n----\nIf you're interested please comment here and come [join our \"Contributors\" community "
          "channel](https://community.mattermost.com/core/channels/tickets).\n\nJIRA: "
          "https://mattermost.atlassian.net/browse/MM-{key}")
OLD_HEADER = ("If you're interested please comment here and come join our \"Contributors\" community channel."
              "\n\n----\n\n**Notes**: [Jira ticket](https://mattermost.atlassian.net/browse/MM-{key})\n\n")
SAYINGS = {
    "question": ("Where is this handled in the code?", "Which version should I test against?"),
    "claim": ("I'd like to work on this", "Can I take this one?", "Please assign this to me"),
    "thanks": ("Thanks!", "Thank you, that helps"),
    "staff": ("Sure, go ahead!", "It is in server/channels/app.", "Any update?"),
}


def body(rng: random.Random, key: int, old: bool) -> str:
    level = rng.choice(("Easy", "**Difficulty:** 2:Medium", "Hard", "Intermediate", ""))
    tech = rng.choice(("Go", "React", "Go, ReactJS", "TypeScript", "Golang / Redux", ""))
    lines = ["Make the thing better.", ""]
    if level:
        lines.append(level if level.startswith("**") else f"Difficulty: {level}")
    if tech:
        lines.append(f"Language: {tech}")
    text = "\n".join(lines)
    if old:
        return OLD_HEADER.format(key=key) + text
    return text + ("" if rng.random() < 0.05 else FOOTER.format(key=key))


def populate(fake: FakeGitHub, rng: random.Random) -> None:
    fake.orgs["mattermost"] = {login: rng.random() < 0.5 for login in STAFF}
    start = NOW - timedelta(days=730)
    for index, name in enumerate(REPOS):
        fake.add_repo(name, labels=OLD if index == 2 else CURRENT)
        number = 0
        for n in range(PER_REPO):
            number += 1
            created = NOW - timedelta(days=6) * rng.random() if n < 8 else \
                start + (NOW - start) * rng.random() ** 0.8
            old = index == 2 or created < NOW - timedelta(days=500)
            labels = ["Help Wanted", "Up For Grabs"] if rng.random() < 0.7 else ["Help Wanted"]
            if n >= 8 and rng.random() < 0.8:
                labels += [rng.choice(("Difficulty/1:Easy", "Difficulty/2:Medium")), "Tech/Go"]
            assignees = (f"user{rng.randrange(500)}",) if rng.random() < 0.08 else ()
            fake.add_issue(name, number, f"Help Wanted {number} of {name}", author="mattermod",
                           association="MEMBER", created=created, labels=tuple(labels),
                           body=body(rng, 10000 + number, old), assignees=assignees)
            count = min(10, int(rng.expovariate(1 / 2)))
            contributor = f"user{rng.randrange(500)}"
            for moment in sorted(created + (NOW - created) * rng.random() for _ in range(count)):
                roll = rng.random()
                if roll < 0.35:
                    fake.add_comment(name, number, author=rng.choice(STAFF), association="MEMBER",
                                     created=moment, body=rng.choice(SAYINGS["staff"]))
                elif roll < 0.85:
                    kind = rng.choice(("question", "claim", "thanks"))
                    fake.add_comment(name, number, author=contributor, created=moment,
                                     body=rng.choice(SAYINGS[kind]))
                else:
                    fake.add_comment(name, number, author="mattermod", created=moment, body="Reminder")
            if rng.random() < 0.1:  # a contributor's pull mentions it
                number += 1
                fake.add_issue(name, number, f"Fix #{number - 1}", author=contributor, created=created,
                               pull=True)
                fake.cross_reference(name, number - 1, source=(name, number), created=created)
        for _ in range(60):  # other open items: the label filter leaves them out
            number += 1
            fake.add_issue(name, number, f"Bug {number}", author=f"user{rng.randrange(500)}",
                           created=start + (NOW - start) * rng.random())


def kinds(fake: FakeGitHub) -> str:
    counted = Counter()
    for request in fake.requests:
        path = re.sub(r"^/repositories/\d+", "/repos/o/r", request.path)
        path = re.sub(r"^/repos/[^/]+/[^/]+", "", path)
        kind = re.sub(r"/\d+", "/{n}", path) or "repo"
        counted[f"{request.method} {kind}"] += 1
    return ", ".join(f"{kind} {count}" for kind, count in sorted(counted.items()))


def main_bench() -> None:
    parser = arguments(__doc__, seed=11)
    options = parser.parse_args()

    fake = FakeGitHub(latency=options.latency)
    populate(fake, random.Random(options.seed))
    with tempfile.TemporaryDirectory() as folder, serve(fake):
        (Path(folder) / "repos.yaml").write_text("staff: {orgs: [mattermost]}\nbots: [mattermod]\n"
                                                 f"helpwanted: {{repos: [{', '.join(REPOS)}]}}\n")
        environment(folder, NOW, GITHUB_API_URL=fake.url, GITHUB_TOKEN=TOKEN)
        wanted = sum(1 for r in fake.repos.values() for i in r.issues.values()
                     if "Help Wanted" in i.labels and not i.pull)
        print(f"fake GitHub: {len(fake.repos)} repos, {wanted} Help Wanted issues, "
              f"{sum(len(r.issues) for r in fake.repos.values())} open items, "
              f"{sum(len(r.comments) for r in fake.repos.values())} comments, "
              f"{sum(len(r.events) for r in fake.repos.values())} linked pulls, "
              f"{options.latency * 1000:.0f} ms a request")

        cold, cold_time, warnings, _ = run_cmtriage("helpwanted")
        cold_requests, cold_billed, cold_kinds = len(fake.requests), fake.billed(), kinds(fake)
        fake.reset_log()
        warm, warm_time, _, _ = run_cmtriage("helpwanted")
        warm_requests, warm_billed, warm_kinds = len(fake.requests), fake.billed(), kinds(fake)
        fake.reset_log()
        applied, apply_time, apply_lines, _ = run_cmtriage("helpwanted", "--apply", "--yes")
        apply_requests = len(fake.requests)
        apply_posts = sum(1 for r in fake.requests if r.method == "POST")
        fake.reset_log()
        _, again_time, again_lines, _ = run_cmtriage("helpwanted", "--apply", "--yes")
        again_requests = len(fake.requests)
        again_posts = sum(1 for r in fake.requests if r.method == "POST")

    print(warnings, end="")
    counts = Counter(i["list"] for i in cold["items"])
    print(f"listed: {counts['labels']} to label, {counts['questions']} questions, {counts['follow_up']} to "
          f"follow up ({len(cold['errors'])} errors)")
    print(f"cold: {cold_requests} requests ({cold_billed} cost rate limit), {cold_time:.2f} s\n"
          f"  {cold_kinds}")
    print(f"warm: {warm_requests} requests ({warm_billed} cost rate limit), {warm_time:.2f} s"
          f"{'' if warm == cold else '  (DIFFERENT OUTPUT)'}\n  {warm_kinds}")
    print(f"--apply: {apply_posts} POSTs in {apply_requests} requests, {apply_time:.2f} s, "
          f"{len(apply_lines.splitlines())} lines; "
          f"{sum(1 for i in applied['items'] if i.get('applied'))} issues labelled")
    print(f"--apply again (labelled issues moved: their pages are asked again): {again_posts} POSTs in "
          f"{again_requests} requests, {again_time:.2f} s: "
          f"{again_lines.strip()}")


if __name__ == "__main__":
    main_bench()

"""What `cmtriage uservoice` costs against UserVoice and Jira: 2,000 suggestions linking 600 tickets.

A fake UserVoice (tests/fakes/uservoice.py) and a fake Jira Cloud (tests/fakes/jira.py) answer every
request 100 ms late. The site holds 2,000 suggestions (a third of them link one to three tickets, by a
bare key, a browse link or an admin note), 3,000 comments, 400 admin notes; Jira holds the 600 tickets
in every state the status table knows. The script prints requests and wall time of a cold run and of a
warm run the same day, beside the lower bound: a page per 100 records of each listing, a token, the
field list and one search per 50 keys.

    python bench/uservoice.py                 # 100 ms a request
    python bench/uservoice.py --latency 0.02  # quicker, same request counts
"""

from __future__ import annotations

import math
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import arguments, environment, run_cmtriage, stamp

from fakes.jira import EMAIL, TOKEN, FakeJira, issue
from fakes.jira import serve as serve_jira
from fakes.uservoice import (
    CLIENT_ID,
    CLIENT_SECRET,
    STATUSES,
    FakeUserVoice,
    comment,
    note,
    suggestion,
    user,
)
from fakes.uservoice import serve as serve_uservoice

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
SUGGESTIONS, TICKETS, COMMENTS, NOTES = 2000, 600, 3000, 400
WORDS = [
    "channel",
    "message",
    "thread",
    "notification",
    "mobile",
    "desktop",
    "search",
    "export",
    "integration",
    "plugin",
    "admin",
    "permission",
    "team",
    "user",
    "status",
    "emoji",
    "file",
    "upload",
    "calendar",
    "reminder",
    "sidebar",
]


def tickets(rng: random.Random) -> list[dict]:
    made = []
    for n in range(1, TICKETS + 1):
        roll = rng.random()
        kind: dict = {}
        if roll < 0.2:
            kind = {
                "status": "Done",
                "category": "done",
                "resolution": "Done",
                "fix_versions": (
                    (
                        rng.choice(("11.0", "11.1", "11.2")),
                        True,
                        rng.choice(("2026-09-16", "2026-10-16", "2026-11-16")),
                    ),
                ),
            }
        elif roll < 0.3:
            kind = {"status": "Closed", "category": "done", "resolution": "Won't Do"}
        elif roll < 0.45:
            kind = {
                "status": "In Progress",
                "category": "indeterminate",
                "sprints": (("Sprint 42", "active"),),
            }
        elif roll < 0.55:
            kind = {"labels": ("Help Wanted",)}
        elif roll < 0.7:
            kind = {"fix_versions": (("11.3", False, "2026-12-16"),)}
        if rng.random() < 0.1:
            kind["labels"] = (*kind.get("labels", ()), "Enterprise")
        made.append(issue(f"MM-{n}", updated=f"2026-{rng.randint(1, 10):02d}-15T10:00:00.000+0000", **kind))
    return made


def populate(rng: random.Random, jira_url: str) -> FakeUserVoice:
    fake = FakeUserVoice(users=[user(n, f"User {n}") for n in range(1, 801)])
    keys = [f"MM-{n}" for n in range(1, TICKETS + 1)]
    rng.shuffle(keys)
    linked = iter(keys)
    for n in range(1, SUGGESTIONS + 1):
        created = NOW - timedelta(days=rng.randint(1, 1500))
        words = " ".join(rng.choice(WORDS) for _ in range(rng.choice((3, 12, 40, 80))))
        body = words
        if n % 3 == 0:
            chosen = [next(linked, None) for _ in range(rng.choice((1, 1, 1, 2)))]
            for key in (k for k in chosen if k):
                body += rng.choice((f" Tracked in {key}.", f" See {jira_url}/browse/{key}"))
        fake.suggestions.append(
            suggestion(
                n,
                f"Idea {n}: {rng.choice(WORDS)} {rng.choice(WORDS)}",
                body=body,
                creator=rng.randint(1, 800),
                status=rng.choice([None, *(s["name"] for s in STATUSES)]),
                created_at=stamp(created),
                updated_at=stamp(created + (NOW - created) * rng.random()),
                votes=int(rng.expovariate(1 / 30)),
            )
        )
    for key in linked:  # the tickets no suggestion text named: named in an admin note instead
        fake.notes.append(note(len(fake.notes) + 1, rng.randint(1, SUGGESTIONS), f"Spec: {key}"))
    while len(fake.notes) < NOTES:
        fake.notes.append(note(len(fake.notes) + 1, rng.randint(1, SUGGESTIONS), "Discussed in triage."))
    for n in range(1, COMMENTS + 1):
        text = rng.choice(
            (
                "+1",
                "We need this too.",
                "Any update?",
                "I can submit a PR for this.",
                "Happy to contribute!",
                "Which platforms matter most to you?",
            )
        )
        fake.comments.append(
            comment(
                n,
                rng.randint(1, SUGGESTIONS),
                text,
                creator=rng.randint(1, 800),
                admin=text.endswith("you?"),
                created_at=stamp(NOW - timedelta(days=n % 400)),
            )
        )
    return fake


def main_bench() -> None:
    parser = arguments(__doc__)
    options = parser.parse_args()
    rng = random.Random(options.seed)

    jira = FakeJira(latency=options.latency)
    jira.add(*tickets(rng))
    with tempfile.TemporaryDirectory() as folder, serve_jira(jira):
        uv = populate(rng, jira.url)
        uv.latency = options.latency
        with serve_uservoice(uv):
            (Path(folder) / "repos.yaml").write_text(
                f"uservoice: {{url: '{uv.url}'}}\njira: {{url: '{jira.url}', project: MM}}\n"
            )
            environment(folder, NOW, USERVOICE_CLIENT_ID=CLIENT_ID, USERVOICE_CLIENT_SECRET=CLIENT_SECRET,
                        JIRA_EMAIL=EMAIL, JIRA_API_TOKEN=TOKEN)
            print(
                f"fake UserVoice: {len(uv.suggestions):,} suggestions, {len(uv.comments):,} comments, "
                f"{len(uv.notes)} notes; fake Jira: {len(jira.issues)} tickets; "
                f"{options.latency * 1000:.0f} ms a request"
            )
            cold, cold_time, warnings, _ = run_cmtriage("uservoice")
            cold_uv, cold_jira = len(uv.requests), len(jira.requests)
            cold_searches = len(jira.searches)
            uv.requests.clear()
            jira.requests.clear()
            warm, warm_time, _, _ = run_cmtriage("uservoice")
            warm_uv, warm_jira, warm_searches = len(uv.requests), len(jira.requests), len(jira.searches)

    pages = sum(
        max(1, math.ceil(len(getattr(uv, key)) / 100))
        for key in ("suggestions", "comments", "notes", "status_updates")
    )
    bound = 1 + pages + 1 + math.ceil(TICKETS / 50)
    lists = {
        name: sum(1 for i in cold["items"] if i["list"] == name)
        for name in ("status", "question", "volunteer", "completed")
    }
    print(warnings, end="")
    print(f"listed: {lists} ({len(cold['errors'])} errors)")
    print(
        f"lower bound: {bound} requests (token, {pages} listing pages, the field list, "
        f"{math.ceil(TICKETS / 50)} searches)"
    )
    print(
        f"cold: {cold_uv + cold_jira} requests (UserVoice {cold_uv}, Jira {cold_jira} of which "
        f"{cold_searches} searches), {cold_time:.2f} s"
    )
    print(
        f"warm: {warm_uv + warm_jira} requests (UserVoice {warm_uv}, Jira {warm_jira} of which "
        f"{warm_searches} searches), {warm_time:.2f} s{'' if warm == cold else '  (DIFFERENT OUTPUT)'}"
    )
    print(
        f"one request per ticket instead of per 50 keys would be {TICKETS} Jira requests "
        f"(~{TICKETS * options.latency:.0f} s)"
    )


if __name__ == "__main__":
    main_bench()

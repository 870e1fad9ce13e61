"""What `cmtriage forum` costs against a Discourse forum and Stack Overflow, beside the lower bound.

A fake Discourse (tests/fakes/discourse.py) holds a few thousand topics over 60 days (half with no reply,
some answered by a staff group's members or by admins outside it, some by bots, a few long threads past
the first chunk of 20 posts, a tenth about upgrades or Enterprise features), and a fake Stack Exchange
a hundred questions; both answer every request 100 ms late. The script prints:
- requests and wall time of a cold run, a warm run the same day (every topic cached) and a run the next
  day after a twentieth of the topics moved;
- how long the cold run's requests take at least at Discourse's default per-IP limits (50 in 10 s, 200
  a minute), which cmtriage keeps to (the runs above do not: the fake has no limits, so they show the
  cost of the requests themselves);
- the lower bound of the cold run: the pages of /latest.json that reach past --max-days, the categories
  and the staff group, the topics that must be opened (worked out here from the fake's data: a topic since
  the release that its title, tags and category do not settle, or that someone else posted in with no
  staff group member among them; a topic someone else posted in within --max-days whose last poster is not
  a staff group member), their chunks of posts past the first 20, and Stack Overflow's pages.

    python bench/forum.py                  # 100 ms a request
    python bench/forum.py --latency 0.02   # quicker, same request counts
"""

from __future__ import annotations

import math
import random
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import arguments, environment, run_cmtriage, stamp

from cmtriage.sources import discourse
from fakes.discourse import FakeDiscourse, FakePost, FakeTopic
from fakes.discourse import serve as serve_forum
from fakes.stackexchange import FakeStackExchange, question
from fakes.stackexchange import serve as serve_stack

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
RELEASE = "2026-11-18"
MAX_DAYS = 30
STAFF = [f"staff{n}" for n in range(20)]
ADMINS = ["admin1", "admin2"]  # staff by their posts' flag only
WORDS = ("upgrade", "SAML", "LDAP", "license", "Elasticsearch", "cluster", "11.1", "migration")
ROTATION = f"""\
timezone: UTC
start: 2026-01-05
members: [{{name: Eric}}]
release_managers: [{{version: "11.1", who: Eric, date: {RELEASE}}}]
"""


def populate(fake: FakeDiscourse, topics: int, rng: random.Random) -> None:
    fake.groups["core"] = list(STAFF)
    for n in range(topics):
        created = NOW - timedelta(days=60) * rng.random()
        author = f"user{rng.randrange(3000)}" if rng.random() > 0.05 else rng.choice(STAFF)
        words = f" after the {rng.choice(WORDS)}" if rng.random() < 0.1 else ""
        body = f"<p>Since updating to v11.1.0 it breaks{'?' if rng.random() < 0.5 else '.'}</p>" \
            if rng.random() < 0.05 else "<p>It breaks. Any idea?</p>"
        posts = [FakePost(author, stamp(created), body)]
        roll = rng.random()
        replies = 0 if roll < 0.5 else rng.randint(1, 6) if roll < 0.97 else rng.randint(21, 45)
        moment = created
        for _ in range(replies):
            moment = min(NOW - timedelta(minutes=1), moment + timedelta(hours=30) * rng.random())
            who = rng.random()
            if who < 0.3:
                posts.append(FakePost(rng.choice(STAFF), stamp(moment), "<p>Which version do you run?</p>",
                                      staff=True))
            elif who < 0.35:
                posts.append(FakePost(rng.choice(ADMINS), stamp(moment), "<p>Can you share logs?</p>",
                                      admin=True))
            elif who < 0.4:
                posts.append(FakePost("system", stamp(moment), "<p>Closing soon?</p>"))
            elif who < 0.7:
                posts.append(FakePost(author, stamp(moment), "<p>Thanks, 11.0.</p>"))
            else:
                posts.append(FakePost(f"user{rng.randrange(3000)}", stamp(moment), "<p>Same here.</p>"))
        solved = 2 if replies and rng.random() < 0.1 else None
        fake.add(FakeTopic(1000 + n, f"Topic {n}{words}", posts, category_id=rng.choice((1, 2, 11)),
                           closed=rng.random() < 0.03, pinned=n < 2, accepted=solved,
                           tags=("upgrade",) if words and rng.random() < 0.5 else ()))


def lower_bound(fake: FakeDiscourse) -> tuple[int, int]:
    """(requests, topics that must be opened), from the fake's data."""
    oldest, release = NOW - timedelta(days=MAX_DAYS), datetime.fromisoformat(f"{RELEASE}T00:00:00+00:00")
    staff = set(STAFF)
    words = re.compile(r"(?<!\w)(upgrade|saml|ldap|license|elasticsearch|cluster|migration"
                       r"|v?\d+\.\d+(\.\d+)?)(?!\w)", re.IGNORECASE)
    in_window = [t for t in fake.topics if t.created_at >= stamp(oldest)]
    pages = math.ceil((len(in_window) + 1) / 100)
    must = chunks = 0
    categories = {1: "Troubleshooting", 2: "Feature Requests", 11: "Installation"}
    for t in in_window:
        if t.closed or t.pinned or t.accepted:
            continue
        op = t.posts[0].username
        others = {p.username for p in t.posts[1:] if p.username != op and p.user_id > 0}
        created = datetime.fromisoformat(t.created_at.replace("Z", "+00:00"))
        text = " ".join([t.title, *t.tags, categories[t.category_id]])
        release_rule = (created >= release and op not in staff and not (others & staff)
                        and (others or not words.search(text)))
        last = t.posts[-1]
        reply_rule = others and last.created_at >= stamp(oldest) and last.username not in staff
        if release_rule or reply_rule:
            must += 1
            chunks += math.ceil(max(0, len(t.posts) - 20) / 20)
    return pages + 2 + must + chunks, must


def paced(requests: int) -> float:
    """Seconds that many requests take at least, sent no faster than Discourse's per-IP defaults."""
    clock = [0.0]
    pace = discourse.Pace(((50, 10.0), (200, 60.0)), clock=lambda: clock[0])
    for _ in range(requests):
        clock[0] += pace.delay()
    return clock[0]


def main_bench() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--topics", type=int, default=3000)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    discourse.PUBLIC_LIMITS = ()  # the fake has no limits: measure the requests, then work out the pacing
    site = FakeDiscourse(latency=options.latency)
    populate(site, options.topics, rng)
    stack = FakeStackExchange(latency=options.latency, questions=[
        question(9000 + n, f"Question {n}", owner=f"so{n}",
                 created=stamp(NOW - timedelta(days=29) * rng.random()),
                 answers=0 if rng.random() < 0.6 else 1) for n in range(100)])
    with tempfile.TemporaryDirectory() as folder, serve_forum(site), serve_stack(stack):
        Path(folder, "repos.yaml").write_text(
            f"forum: {{url: '{site.url}', staff_groups: [core]}}\n"
            f"stackoverflow: {{tagged: [mattermost], url: '{stack.url}'}}\n")
        Path(folder, "rotation.yaml").write_text(ROTATION)
        environment(folder, NOW)
        print(f"fake forum: {len(site.topics)} topics over 60 days, "
              f"{sum(len(t.posts) for t in site.topics)} posts; Stack Overflow: {len(stack.questions)} "
              f"questions; {options.latency * 1000:.0f} ms a request")
        cold, cold_time, err, _ = run_cmtriage("forum")
        cold_requests = len(site.requests) + len(stack.requests)
        bound, must = lower_bound(site)
        bound += max(1, math.ceil(sum(1 for q in stack.questions if q["answer_count"] == 0) / 100))
        opened = site.count(prefix="/t/")
        site_cold = list(site.requests)
        site.requests.clear()
        stack.requests.clear()
        warm, warm_time, _, _ = run_cmtriage("forum")
        warm_requests = len(site.requests) + len(stack.requests)
        moved = rng.sample([t for t in site.topics if t.created_at >= stamp(NOW - timedelta(days=MAX_DAYS))],
                           len(site.topics) // 20)
        for t in moved:
            t.posts.append(FakePost(f"user{rng.randrange(3000)}", stamp(NOW - timedelta(minutes=5)),
                                    "<p>Still broken.</p>"))
            site._number(t)
        site.requests.clear()
        stack.requests.clear()
        _, next_time, _, _ = run_cmtriage("forum")
        next_requests = len(site.requests) + len(stack.requests)
        next_opened = site.count(prefix="/t/")
    lists = {name: sum(1 for i in cold["items"] if i["list"] == name)
             for name in ("unanswered", "after_release", "reply_to_us")}
    print(err, end="")
    print(f"listed: {len(cold['items'])} items {lists} ({len(cold['errors'])} errors)")
    print(f"lower bound: {bound} requests ({must} topics must be opened)")
    print(f"cold: {cold_requests} requests ({opened} of them /t/), {cold_time:.2f} s; at Discourse's default "
          f"per-IP limits at least {paced(len(site_cold)):.0f} s")
    print(f"warm, same day: {warm_requests} requests, {warm_time:.2f} s"
          f"{'' if warm == cold else '  (DIFFERENT OUTPUT)'}")
    print(f"next day, {len(moved)} topics moved: {next_requests} requests ({next_opened} of them /t/), "
          f"{next_time:.2f} s")


if __name__ == "__main__":
    main_bench()

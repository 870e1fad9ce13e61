"""How well `new` guesses post types, by rules alone and with a learned model, and what learning costs.

Builds a labelled set of synthetic issues (SIZE per type, seeded) written the ways community issues are:
Mattermost's and GitHub's templates (filled in, half filled, or used for the wrong kind of post),
"Issue type:" templates, pasted logs and stack traces, config snippets, terse titles with no body,
questions filed as bugs, feature asks phrased as questions, symptoms inside identifiers and URLs. Words
are shared across types on purpose (every type talks about the same product parts), and some issues
carry no telling word at all. Then it prints:
- macro-F1 (and F1 per type) on the held-out part (HOLDOUT of each type) for the rules and for the
  model learned from the rest, and the time to learn (fit plus 5-fold cross-validation) and to classify;
- `cmtriage learn` against a fake GitHub answering 100 ms late, holding the labelled set under
  Mattermost's labels: requests and wall time, cold and warm;
- `cmtriage new` start-up: median wall time of fresh processes with and without a saved model.

    python bench/classify.py                  # 100 ms a request
    python bench/classify.py --latency 0.02   # quicker, same request counts
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from cmtriage import learned  # noqa: E402
from cmtriage.classify import classify  # noqa: E402
from cmtriage.models import BUG, FEATURE, POST_TYPES, QUESTION, TROUBLESHOOTING  # noqa: E402

SIZE = 250  # issues per type
HOLDOUT = 0.3
NOISE = 0.08  # issues labelled with another type than their text's, as people label in a hurry
NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)

PARTS = [
    "sidebar",
    "channel header",
    "thread view",
    "push notifications",
    "search",
    "emoji picker",
    "file upload",
    "mobile app",
    "desktop app",
    "system console",
    "login page",
    "message drafts",
    "link previews",
    "user profile",
    "reactions",
    "marketplace",
    "boards",
    "playbooks",
    "calls",
    "group messages",
    "custom status",
    "channel bookmarks",
    "read receipts",
    "slash commands",
    "outgoing webhooks",
    "bot accounts",
    "data retention",
    "compliance export",
    "team sidebar",
]
THINGS = [
    "unread count",
    "timestamp",
    "avatar",
    "mention badge",
    "scroll position",
    "draft",
    "preview",
    "tooltip",
    "date separator",
    "reply count",
    "user list",
    "status icon",
    "channel name",
]
ACTIONS = [
    "pin a message",
    "mute a channel",
    "export a channel",
    "archive a team",
    "rename a channel",
    "share a file",
    "edit a post",
    "mark as unread",
    "invite a guest",
    "reorder channels",
    "schedule a message",
    "set a reminder",
    "search by date",
    "follow a thread",
    "filter by user",
]
SETUPS = [
    "nginx",
    "docker",
    "docker-compose",
    "kubernetes",
    "helm chart",
    "apache",
    "MySQL",
    "PostgreSQL",
    "LDAP",
    "SAML",
    "GitLab SSO",
    "SMTP",
    "S3 storage",
    "Elasticsearch",
    "reverse proxy",
    "systemd",
]
VERSIONS = ["9.5.2", "9.11.1", "10.0.0", "10.2.1", "8.1.7", "7.8.15"]
ERRORS = [
    "TypeError: Cannot read properties of undefined (reading 'id')",
    "panic: runtime error: invalid memory address or nil pointer dereference",
    'pq: duplicate key value violates unique constraint "idx_posts"',
    "Error 1045: Access denied for user 'mmuser'@'localhost'",
    "x509: certificate signed by unknown authority",
    "websocket: close 1006 (abnormal closure): unexpected EOF",
    "context deadline exceeded",
    "dial tcp 127.0.0.1:8065: connect: connection refused",
    "Uncaught (in promise) Error: Request failed with status code 500",
]

BUG_TEMPLATE = """If you're not sure whether it's a bug, post in the forum first: https://forum.mattermost.com

#### Summary
{summary}

#### Steps to reproduce
Mattermost {version}, {client}
1. {step1}
2. {step2}

#### Expected behavior
{expected}

#### Observed behavior (that appears unintentional)
{observed}

#### Possible fixes
{fixes}
"""
FEATURE_TEMPLATE = """**Is your feature request related to a problem? Please describe.**
{problem}

**Describe the solution you'd like**
{solution}

**Describe alternatives you've considered**
{alternatives}
"""
TYPE_TEMPLATE = """<!-- Please pick one of: Bug, Feature, Support, Question -->
Issue type: {kind}
Version: {version}

{text}
"""
CHECKLIST = """- [ ] I searched the existing issues
- [ ] I read the docs at https://docs.mattermost.com/install/troubleshooting.html
{text}
"""


def log_block(rng: random.Random) -> str:
    lines = [
        f'{{"timestamp":"2026-11-2{rng.randint(0, 9)} 10:1{rng.randint(0, 9)}:00.000 Z","level":'
        f'"{rng.choice(["error", "warn", "info"])}","msg":"{rng.choice(ERRORS)}",'
        f'"caller":"app/{rng.choice(["post", "channel", "web_conn", "server"])}.go:{rng.randint(10, 999)}"}}'
        for _ in range(rng.randint(2, 6))
    ]
    fence = rng.random() < 0.7
    text = "\n".join(lines)
    if rng.random() < 0.3:
        return f"<details><summary>Logs</summary>\n\n```\n{text}\n```\n</details>"
    return f"```\n{text}\n```" if fence else text


def pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


def bug(rng: random.Random) -> tuple[str, str]:
    part, thing, action = rng.choice(PARTS), rng.choice(THINGS), rng.choice(ACTIONS)
    title = pick(
        rng,
        f"{part.capitalize()} crashes when I {action}",
        f"{thing.capitalize()} is wrong in the {part}",
        f"Regression in {part} after upgrading to {rng.choice(VERSIONS)}",
        f"{part.capitalize()} broken",
        f"[Bug] {thing} not updated after {action.split()[0]}ing",
        f"Cannot {action} from the {part}",
        f"{thing.capitalize()} flickers in {part}",
        f"{part}: {thing} disappears",
        f"Wrong {thing}",
        f"Blank screen in {part}",
        f"{thing.capitalize()} shows twice",
        f"Duplicate {thing} in {part}",
        f"{part.capitalize()} freezes after {action.split()[0]}ing",
        f"Typo in {part} tooltip",
        f"Unable to {action} on {rng.choice(['iOS', 'Android', 'Firefox', 'Safari'])}",
        f"{thing.capitalize()} misaligned",
        f"{part} - {thing} resets",
        f"Why is the {thing} wrong?",
        f"{part.capitalize()} not working",
        f"Problem with {part}",
    )
    roll = rng.random()
    if roll < 0.4:
        body = BUG_TEMPLATE.format(
            summary=pick(rng, f"The {thing} in the {part} is wrong.", f"{part} stops responding.", ""),
            version=rng.choice(VERSIONS),
            client=pick(rng, "Chrome 122", "Desktop 5.6", "iOS 17", "Firefox"),
            step1=f"Open the {part}",
            step2=f"Try to {action}",
            expected=pick(rng, f"The {thing} updates", "It works", "No error"),
            observed=pick(
                rng,
                f"The {thing} stays the same",
                "Nothing happens",
                "The page goes blank",
                "An error shows",
                log_block(rng),
            ),
            fixes=pick(rng, "", "Maybe a race in the store", "Revert the last change to the reducer"),
        )
    elif roll < 0.65:
        body = (
            pick(
                rng,
                f"Since {rng.choice(VERSIONS)} the {thing} in the {part} is off by one.",
                f"Steps: {action}, then reload. The {thing} is gone.",
                f"Happens every time I {action}. Console:\n",
                "",
            )
            + "\n"
            + log_block(rng)
        )
    elif roll < 0.8:
        body = TYPE_TEMPLATE.format(
            kind=pick(rng, "Bug", "Bug", "Bug / Feature / Support"),
            version=rng.choice(VERSIONS),
            text=f"When I {action} the {thing} in the {part} is wrong.",
        )
    else:
        body = ""
    return title, body


def feature(rng: random.Random) -> tuple[str, str]:
    part, thing, action = rng.choice(PARTS), rng.choice(THINGS), rng.choice(ACTIONS)
    title = pick(
        rng,
        f"Add a way to {action}",
        f"Support {thing} in the {part}",
        f"Allow admins to {action}",
        f"[Feature] {action} from the {part}",
        f"Option to hide the {thing}",
        f"{part.capitalize()} grouping",
        f"Could we {action} from the {part}?",
        f"Would be great to {action}",
        f"Deprecate the old {part}",
        f"Parallel {part} loading",
        f"Keyboard shortcut to {action}",
        f"{thing.capitalize()} for {part}",
        f"Make {thing} configurable",
        f"Let users {action}",
        f"Bulk {action.split()[0]} in {part}",
        f"Is it possible to add {thing} to the {part}?",
        f"Dark theme for {part}",
        f"Custom {thing}",
        f"Improve {part} performance",
        f"{part.capitalize()} improvements",
        f"Problem with {part}",
    )
    roll = rng.random()
    if roll < 0.35:
        body = FEATURE_TEMPLATE.format(
            problem=pick(rng, f"I can't {action} quickly.", f"The {part} gets crowded.", ""),
            solution=pick(
                rng,
                f"A menu item to {action}.",
                f"Show the {thing} in the {part}.",
                "A setting in the system console.",
            ),
            alternatives=pick(rng, "None", "Doing it by hand", "A plugin"),
        )
    elif roll < 0.6:
        body = pick(
            rng,
            f"It would be useful to {action} without leaving the {part}.",
            f"Other chat tools let you {action}. Please consider it.",
            f"Our team of 300 needs to {action} every day.",
            f"Currently the {part} has no {thing}.",
            "Slack has this.",
            f"This would help when the {part} gets busy.",
        )
    elif roll < 0.7:
        body = TYPE_TEMPLATE.format(
            kind=pick(rng, "Feature", "Feature request", "Bug / Feature / Support"),
            version=rng.choice(VERSIONS),
            text=f"Please let us {action}.",
        )
    elif roll < 0.8:  # a feature ask filed through the bug template
        body = BUG_TEMPLATE.format(
            summary=f"There is no way to {action}.",
            version=rng.choice(VERSIONS),
            client="Chrome",
            step1=f"Open the {part}",
            step2=f"Look for a way to {action}",
            expected=f"A button to {action}",
            observed="There is none",
            fixes="",
        )
    else:
        body = ""
    return title, body


def troubleshooting(rng: random.Random) -> tuple[str, str]:
    setup, part = rng.choice(SETUPS), rng.choice(PARTS)
    title = pick(
        rng,
        f"Can't connect to the server behind {setup}",
        f"Upgrade to {rng.choice(VERSIONS)} failed",
        f"502 Bad Gateway with {setup}",
        f"{setup} setup: websocket keeps reconnecting",
        "Server won't start after install",
        f"Install on {setup} fails",
        f"{setup} login loop",
        f"Error connecting to {setup}",
        "Emails not sent",
        "Mattermost stuck at loading screen",
        f"Certificate problem with {setup}",
        f"{part.capitalize()} not loading on our server",
        f"Migration from {setup} stuck",
        "Service restarts every few minutes",
        f"Help with {setup} config",
        f"Cannot upload files after moving to {setup}",
        f"{part.capitalize()} not working",
        f"Problem with {part}",
        f"Why is the {part} so slow?",
    )
    roll = rng.random()
    config = pick(
        rng,
        '```\n"SiteURL": "https://chat.example.com",\n"ListenAddress": ":8065"\n```',
        "```\nlocation ~ /api/v[0-9]+/(users/)?websocket$ {\n  proxy_pass http://backend;\n}\n```",
        "```yaml\nservices:\n  mattermost:\n    image: mattermost/mattermost-team-edition\n```",
        "",
    )
    if roll < 0.3:
        body = (
            f"I installed Mattermost {rng.choice(VERSIONS)} with {setup} on Ubuntu 22.04.\n{config}\n"
            + log_block(rng)
        )
    elif roll < 0.55:  # through the bug template
        body = BUG_TEMPLATE.format(
            summary=f"Server does not come up with {setup}",
            version=rng.choice(VERSIONS),
            client="self-hosted",
            step1=f"Install with {setup}",
            step2="Start the service",
            expected="It runs",
            observed=log_block(rng),
            fixes="",
        )
    elif roll < 0.7:
        body = TYPE_TEMPLATE.format(
            kind=pick(rng, "Support", "Support", "Bug", "Bug / Feature / Support"),
            version=rng.choice(VERSIONS),
            text=f"Our {setup} in front of it.\n{config}",
        )
    elif roll < 0.85:
        body = CHECKLIST.format(
            text=f"We moved to a new VM with {setup} and now nothing loads. "
            f"Any idea what is wrong with our setup?\n{config}"
        )
    else:
        body = ""
    return title, body


def question(rng: random.Random) -> tuple[str, str]:
    part, thing, action = rng.choice(PARTS), rng.choice(THINGS), rng.choice(ACTIONS)
    title = pick(
        rng,
        f"How do I {action}?",
        f"Is there a way to {action}",
        f"Where is the {thing} stored?",
        f"Question about {part}",
        f"API to {action}?",
        f"Why does the {part} show the {thing}?",
        f"Can a bot {action}?",
        f"What does the {thing} in the {part} mean",
        f"{thing.capitalize()} limits",
        f"Does the {part} support threads?",
        f"Which permission lets users {action}?",
        f"{part} and plugins",
        f"How are {thing}s counted",
        f"Difference between {part} and {rng.choice(PARTS)}",
        f"Is the {part} available in Team Edition?",
        f"Best practice to {action}",
        f"Problem with {part}",
        f"{part.capitalize()} permissions",
    )
    roll = rng.random()
    if roll < 0.3:
        body = pick(
            rng,
            f"I'm writing a plugin and want to {action} from the server side. Which hook?",
            f"The docs at https://developers.mattermost.com/integrate/{part.replace(' ', '-')}/ don't "
            f"say. Is it possible?",
            f"Our users ask how the {thing} works. Thanks!",
            f"Is this documented somewhere? I couldn't find how to {action}.",
        )
    elif roll < 0.5:  # a question filed through the bug template, errors pasted in
        body = BUG_TEMPLATE.format(
            summary=f"How do I {action}?",
            version=rng.choice(VERSIONS),
            client="Chrome",
            step1=f"Open the {part}",
            step2=f"Look for how to {action}",
            expected="Some docs",
            observed=pick(rng, "I get an error", log_block(rng)),
            fixes="",
        )
    elif roll < 0.6:
        body = TYPE_TEMPLATE.format(
            kind=pick(rng, "Question", "Question", "Bug / Feature / Support"),
            version=rng.choice(VERSIONS),
            text=f"Curious how the {thing} works.",
        )
    elif roll < 0.75:
        body = (
            f"Using the `{rng.choice(['mmctl', 'mattermost-plugin-api', 'mattermost-redux'])}` "
            f"client I call `GetPostsForChannel` and want to {action}.\n```go\nposts, _, err := "
            f'client.GetPostsForChannel(ctx, channelID, 0, 60, "", false, false)\n```'
        )
    else:
        body = ""
    return title, body


MAKERS = {BUG: bug, FEATURE: feature, TROUBLESHOOTING: troubleshooting, QUESTION: question}


def dataset(seed: int = 7, size: int = SIZE) -> list[learned.Example]:
    """SIZE issues labelled with each type; for NOISE of them the text was written as another type's."""
    rng = random.Random(seed)
    examples = []
    for post_type in POST_TYPES:
        for _ in range(size):
            written_as = post_type
            if rng.random() < NOISE:
                written_as = rng.choice([t for t in POST_TYPES if t != post_type])
            examples.append(learned.Example(*MAKERS[written_as](rng), post_type))
    rng.shuffle(examples)
    return examples


def split(examples: list[learned.Example]) -> tuple[list[learned.Example], list[learned.Example]]:
    train, test = [], []
    for post_type in POST_TYPES:
        of_type = [e for e in examples if e.post_type == post_type]
        cut = int(len(of_type) * (1 - HOLDOUT))
        train += of_type[:cut]
        test += of_type[cut:]
    return train, test


def per_type_f1(truth: list[str], guessed: list[str]) -> str:
    return ", ".join(f"{t} {learned.macro_f1(truth, guessed, [t]):.2f}" for t in POST_TYPES)


def quality() -> list[learned.Example]:
    examples = dataset()
    train, test = split(examples)
    truth = [e.post_type for e in test]
    started = time.perf_counter()
    ruled = [classify(e.title, e.body).post_type for e in test]
    rules_time = time.perf_counter() - started
    started = time.perf_counter()
    cv = learned.cross_validate(train)
    model = learned.fit(train)
    learn_time = time.perf_counter() - started
    started = time.perf_counter()
    guessed = [classify(e.title, e.body, model=model).post_type for e in test]
    model_time = time.perf_counter() - started
    size = len(learned.Model.to_json(model).__repr__())
    print(
        f"labelled set: {len(examples)} synthetic issues, {SIZE} per type; trained on {len(train)}, "
        f"held out {len(test)}"
    )
    print(
        f"rules:   held-out macro-F1 {learned.macro_f1(truth, ruled):.3f} ({per_type_f1(truth, ruled)}); "
        f"{rules_time / len(test) * 1000:.2f} ms an issue"
    )
    print(
        f"learned: held-out macro-F1 {learned.macro_f1(truth, guessed):.3f} ({per_type_f1(truth, guessed)}); "
        f"{model_time / len(test) * 1000:.2f} ms an issue"
    )
    print(
        f"learn:   fit + 5-fold cross-validation on {len(train)} issues {learn_time:.2f} s "
        f"(cross-validated macro-F1 {cv:.3f}); model about {size / 1024:.0f} KB"
    )
    misses = [(e, r) for e, r in zip(test, ruled, strict=True) if r != e.post_type]
    rng = random.Random(1)
    print("some rule misses:")
    for example, ruled_type in rng.sample(misses, min(6, len(misses))):
        print(f"  {example.post_type} read as {ruled_type}: {example.title!r}")
    return examples


# --- `cmtriage learn` against a fake GitHub --------------------------------------------------------------
LABELS = {
    BUG: ("Type/Bug", "bug"),
    FEATURE: ("Type/Enhancement", "enhancement"),
    QUESTION: ("Type/Question", "question"),
    TROUBLESHOOTING: ("Type/Question",),
}


def run(*args: str) -> tuple[int, str, str]:
    from cmtriage.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exit_:
            return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def learn_command(examples: list[learned.Example], latency: float, folder: Path) -> None:
    from fakes.github import TOKEN, FakeGitHub, serve

    fake = FakeGitHub(latency=latency)
    rng = random.Random(3)
    with serve(fake):
        for repo in ("mattermost/mattermost", "mattermost/desktop"):
            fake.add_repo(repo)
        for number, example in enumerate(examples, start=1):
            repo = "mattermost/mattermost" if rng.random() < 0.8 else "mattermost/desktop"
            label = rng.choice(LABELS[example.post_type])
            created = NOW - timedelta(hours=number)
            fake.add_issue(
                repo,
                number,
                example.title,
                author=f"user{number % 97}",
                created=created,
                body=example.body,
                labels=(label,),
                state=rng.choice(("open", "closed")),
            )
        config = folder / "config"
        config.mkdir()
        (config / "repos.yaml").write_text(
            "github:\n  - repo: mattermost/mattermost\n  - repo: mattermost/desktop\n", encoding="utf-8"
        )
        os.environ.update(
            GITHUB_API_URL=fake.url,
            GITHUB_TOKEN=TOKEN,
            CMTRIAGE_CONFIG_DIR=str(config),
            CMTRIAGE_NOW=NOW.isoformat(),
            XDG_CACHE_HOME=str(folder / "cache"),
            XDG_STATE_HOME=str(folder / "state"),
        )
        for which in ("cold", "warm"):
            fake.reset_log()
            started = time.perf_counter()
            code, out, err = run("learn")
            taken = time.perf_counter() - started
            if code:
                sys.exit(f"learn failed ({code}): {err}")
            billed = fake.billed()
            print(
                f"learn {which}: {len(fake.requests)} requests ({billed} billed), {taken:.2f} s; "
                f"{out.splitlines()[0]}"
            )
        print(
            f"  (lower bound: a page per 100 issues of each label and repo; {latency * 1000:.0f} ms each)"
        )
        new_startup(fake, folder)


def new_startup(fake, folder: Path, runs: int = 15) -> None:
    """`cmtriage new` in fresh processes, with the saved model and without it."""
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT / "src")
    fake.latency = 0.0
    command = [sys.executable, "-m", "cmtriage", "new", "--format", "json"]
    subprocess.run(command, env=env, capture_output=True, check=True)  # fills the cache and .pyc files
    model = Path(folder / "state" / "cmtriage" / learned.MODEL_FILE)
    kept = model.with_suffix(".kept")
    times: dict[str, list[float]] = {"with the model": [], "without": []}
    for _ in range(runs):
        for name in times:
            if name == "without":
                model.rename(kept)
            started = time.perf_counter()
            subprocess.run(command, env=env, capture_output=True, check=True)
            times[name].append(time.perf_counter() - started)
            if name == "without":
                kept.rename(model)
    medians = {name: statistics.median(taken) * 1000 for name, taken in times.items()}
    started = time.perf_counter()
    learned.load(model)
    load_ms = (time.perf_counter() - started) * 1000
    print(
        f"new start-up (median of {runs}, warm cache): with the model {medians['with the model']:.0f} ms, "
        f"without {medians['without']:.0f} ms (+{medians['with the model'] - medians['without']:.0f} ms); "
        f"loading the {model.stat().st_size / 1024:.0f} KB model alone {load_ms:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    examples = quality()
    with tempfile.TemporaryDirectory() as folder:
        learn_command(examples, args.latency, Path(folder))


if __name__ == "__main__":
    main()

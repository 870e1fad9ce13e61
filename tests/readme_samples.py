"""The README's samples and command reference, made by running cmtriage against the fake servers.

README.md holds `[[[cog ... ]]]` blocks that call `sample()` and `reference()`; `cog -r -I tests README.md`
rewrites what they print, and `cog --check -I tests README.md` (run by tests/test_readme.py and .ci/run)
fails when the README no longer says what the program does.

Every sample is one session, as a person would type it: the shipped repos.yaml and rotation.yaml (its
zendesk, forum, stackoverflow and gitlab addresses pointed at fakes), fake GitHub, Zendesk and Mattermost
servers with the data below, a forum, Stack Overflow and GitLab with nothing to answer,
`CMTRIAGE_NOW=2026-11-24T14:00:00Z` (a Tuesday in Jason's week), a terminal 100 columns wide, and cache and
state folders of its own, kept across samples (a snooze made in one sample hides its item from the next
ones). The samples of learn, uservoice, jira, forum, helpwanted and metrics add fakes of their own, seeded
by the feature tests (the `*_sample` functions below), and those tests' config files for their run alone.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import shlex
import shutil
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-24T14:00:00Z"
WIDTH = 100
ZENDESK_URL = "https://mattermost.zendesk.com"  # what the shipped repos.yaml says; the fake stands in
FORUM_URL = "https://forum.mattermost.com"  # likewise
GITLAB_URL = "https://gitlab.com"

_world: dict[str, Any] = {}


def _seed_github(fake: Any) -> None:
    mm, docs = "mattermost/mattermost", "mattermost/docs"
    for name in ("mattermost/mattermost", "mattermost/docs", "mattermost/mattermost-ios-classic",
                 "mattermost/mattermost-push-proxy", "mattermost/mattermost-docker-preview",
                 "mattermost/mattermost-bot-sample-golang", "mattermost/mattermost-load-test",
                 "mattermost/mattermost-api-reference", "mattermost/mattermost-android-classic"):
        fake.add_repo(name)
    fake.orgs["mattermost"] = {"lee": True, "hanna": True}
    add = fake.add_issue
    # stale
    add(mm, 31870, "Desktop app crashes on start after 5.11 update", author="alice",
        created="2026-11-01T09:00:00Z", labels=("Type/Bug",))
    add(mm, 31902, "Push notifications delayed by several minutes", author="dana",
        created="2026-11-02T10:00:00Z")
    fake.add_comment(mm, 31902, author="lee", association="MEMBER", created="2026-11-04T08:00:00Z")
    add(mm, 31944, "LDAP sync fails with nested groups", author="erin", created="2026-11-03T10:00:00Z")
    fake.add_comment(mm, 31944, author="mattermod", created="2026-11-22T10:00:00Z")  # a bot's bump
    add(mm, 31990, "Search misses messages with hyphens", author="bob", created="2026-11-05T10:00:00Z",
        labels=("Area/Search",))
    fake.add_comment(mm, 31990, author="carol", created="2026-11-10T12:00:00Z")
    add(mm, 32001, "Answered last week", author="frank", created="2026-10-20T10:00:00Z")
    fake.add_comment(mm, 32001, author="lee", association="MEMBER", created="2026-11-20T10:00:00Z")
    add("mattermost/mattermost-push-proxy", 412, "Add HTTP proxy support for APNs", author="gina",
        created="2026-11-08T10:00:00Z", pull=True)
    add(docs, 7421, "Typo in the install guide for Ubuntu", author="mo", created="2026-11-10T14:00:00Z")
    # new
    add(mm, 32101, "App crashes when uploading a large file", author="alice", created="2026-11-23T16:00:00Z",
        body="#### Summary\nUpload fails\n\n#### Steps to reproduce\n1. upload a 2 GB file\n\n"
             "#### Expected behavior\nIt uploads")
    add(mm, 32104, "Can't connect behind nginx reverse proxy", author="bob2", created="2026-11-24T08:00:00Z",
        body="I run it in docker behind nginx and the websocket fails.")
    add(mm, 32107, "Please add support for dark mode in the desktop app", author="carol",
        created="2026-11-24T09:30:00Z", labels=("enhancement",))
    add(mm, 32108, "Release checklist for 11.2", author="hanna", created="2026-11-24T10:00:00Z")
    add(docs, 7450, "How do I find the API token?", author="dana", created="2026-11-24T11:00:00Z")


def _seed_zendesk(fake: Any) -> None:
    from fakes.zendesk import ticket, user

    fake.tickets = [
        ticket(4470, "Push notifications stop after an hour", requester_id=103,
               created_at="2026-11-03T16:00:00Z", updated_at="2026-11-20T10:00:00Z", status="new",
               priority=None),
        ticket(4512, "SAML with Okta on Enterprise?", requester_id=101, created_at="2026-11-23T09:00:00Z",
               updated_at="2026-11-24T08:00:00Z", tags=("community", "saml")),
        ticket(4498, "Upgrade to 10.2 fails on PostgreSQL 12", requester_id=102,
               created_at="2026-11-17T12:30:00Z", updated_at="2026-11-19T12:30:00Z", status="pending",
               priority="high", tags=("community", "upgrade")),
    ]
    fake.users = [user(101, "Dana Rivera"), user(102, "Lee Chen"), user(103, "Sam O'Neil")]


def _start() -> dict[str, Any]:
    """The fakes, a config folder, and the environment every sample runs in."""
    if _world:
        return _world
    from datetime import datetime

    from fakes import discourse, github, gitlab, mattermost, stackexchange, zendesk

    stack = ExitStack()
    atexit.register(stack.close)
    home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cmtriage-readme-")))
    at = datetime.fromisoformat(NOW.replace("Z", "+00:00")).timestamp()
    gh = stack.enter_context(github.serve(github.FakeGitHub(now=at)))
    zd = stack.enter_context(zendesk.serve(zendesk.FakeZendesk()))
    chat = stack.enter_context(mattermost.running())
    # The forum's other sources: set up in the shipped repos.yaml, with nothing to answer in the session
    # (the forum sample has a forum of its own), so that no sample asks the real ones.
    forum = stack.enter_context(discourse.serve(discourse.FakeDiscourse()))
    stack_overflow = stack.enter_context(stackexchange.serve(stackexchange.FakeStackExchange()))
    lab = stack.enter_context(gitlab.serve(gitlab.FakeGitLab(projects={"gitlab-org/omnibus-gitlab": []})))
    _seed_github(gh)
    _seed_zendesk(zd)
    config = home / "config"
    config.mkdir()
    shutil.copy(ROOT / "rotation.yaml", config / "rotation.yaml")
    repos = (ROOT / "repos.yaml").read_text(encoding="utf-8")
    for real, fake in ((ZENDESK_URL, zd.url), (FORUM_URL, forum.url), (GITLAB_URL, lab.url),
                       ("stackoverflow: {tagged: [mattermost]}",
                        f"stackoverflow: {{tagged: [mattermost], url: '{stack_overflow.url}'}}")):
        assert real in repos, real
        repos = repos.replace(real, fake)
    (config / "repos.yaml").write_text(repos, encoding="utf-8")
    _world.update(home=home, github=gh, zendesk=zd, chat=chat, config=config, stack=stack, fakes={},
                  forum=forum, real={
                      str(config): "/srv/team-config", str(home / "home"): "/home/hanna",
                      str(home / "learn-home"): "/home/hanna", forum.url: FORUM_URL, lab.url: GITLAB_URL,
                      stack_overflow.url: "https://api.stackexchange.com"}, env={
        "GITHUB_API_URL": gh.url, "GITHUB_TOKEN": github.TOKEN, "CMTRIAGE_NOW": NOW,
        "CMTRIAGE_CONFIG_DIR": None, "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"), "HOME": str(home / "home"), "COLUMNS": str(WIDTH),
        "USER": "hanna", "MATTERMOST_WEBHOOK_URL": chat.url(),
    })
    return _world


def run(command: str, *, env: dict[str, str | None] | None = None, files: dict[str, str] | None = None
        ) -> tuple[int, str, str]:
    """`cmtriage COMMAND` in the session: (exit code, stdout, stderr), fake addresses written as the
    real ones. `env` adds or (None) removes variables; `files` writes config files for this run only."""
    from cmtriage.cli import main
    from cmtriage.errors import SECRET_VARIABLES

    world = _start()
    settings = {name: None for name in (*SECRET_VARIABLES, "ZENDESK_EMAIL", "CMTRIAGE_FORMAT", "NO_COLOR",
                                        "CMTRIAGE_DEBUG")}
    settings.update(world["env"])
    settings.update(env or {})
    saved = {name: os.environ.get(name) for name in settings}
    kept = {name: (world["config"] / name).read_text(encoding="utf-8") for name in files or {}}
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(world["config"])  # as a person runs it: in the folder of repos.yaml and rotation.yaml
        for name, value in settings.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for name, text in (files or {}).items():
            (world["config"] / name).write_text(text, encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(shlex.split(command))
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 0
    finally:
        os.chdir(cwd)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for name, text in kept.items():
            (world["config"] / name).write_text(text, encoding="utf-8")
    return code, _real(out.getvalue()), _real(err.getvalue())


def _real(text: str) -> str:
    world = _world
    pairs = [(world["zendesk"].url, ZENDESK_URL), (world["chat"].base_url, "https://chat.example.com"),
             (world["github"].url, "https://api.github.com"), *world["real"].items()]
    for fake, real in sorted(pairs, key=lambda pair: -len(pair[0])):  # 127.0.0.1:4000 after :40001
        text = text.replace(fake, real)
    return text


def _fake(key: str, make: Any, serve: Any, real: str) -> Any:
    """The fake server `key` of the session, started (from `make()`) the first time a sample asks for it;
    its address is written as `real`."""
    world = _start()
    if key not in world["fakes"]:
        running = world["stack"].enter_context(serve(make()))
        world["fakes"][key] = running
        world["real"][running.url] = real
    return world["fakes"][key]


def _github(key: str, seed: Any) -> Any:
    """A fake GitHub of its own, seeded by a feature test's `seed(fake)`."""
    from fakes import github

    def make() -> Any:
        fake = github.FakeGitHub()
        seed(fake)
        return fake

    return _fake(key, make, github.serve, "https://api.github.com")


def _shipped(*replacements: tuple[str, str]) -> str:
    """The session's repos.yaml (the shipped one pointed at the fakes) with `replacements` (old, new)."""
    text = (_start()["config"] / "repos.yaml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def _tests_yaml(text: str) -> str:
    import textwrap

    return textwrap.dedent(text)


def learn_sample(command: str) -> None:
    """`learn` on tests/test_learn.py's labelled issues and its repos.yaml (`types:`), saving the model in
    a home (and state folder) of its own, so that the other samples' `new` goes on using the rules."""
    import test_learn

    world = _start()
    fake = _github("learn", test_learn.seed)
    sample(command, env={"GITHUB_API_URL": fake.url, "XDG_STATE_HOME": None,
                         "HOME": str(world["home"] / "learn-home")},
           files={"repos.yaml": _tests_yaml(test_learn.TYPES)})


def helpwanted_sample(*commands: str, show: str | None = None) -> None:
    """`helpwanted` on tests/test_helpwanted.py's issues, repos.yaml and time."""
    import test_helpwanted

    fake = _github("helpwanted", test_helpwanted.seed)
    sample(*commands, env={"GITHUB_API_URL": fake.url, "CMTRIAGE_NOW": test_helpwanted.NOW},
           files={"repos.yaml": _tests_yaml(test_helpwanted.REPOS)}, show=show)


def metrics_sample(*commands: str) -> None:
    """`metrics` on tests/test_metrics.py's items, repos.yaml and rotation.yaml (an override included), at
    the session's time (the test's is a day later, in the same week)."""
    import test_metrics

    fake = _github("metrics", test_metrics.seed)
    sample(*commands, env={"GITHUB_API_URL": fake.url},
           files={"repos.yaml": _tests_yaml(test_metrics.REPOS),
                  "rotation.yaml": _tests_yaml(test_metrics.ROTATION)})


def forum_sample(*commands: str) -> None:
    """`forum` on tests/forum_data.py's forum, with the shipped repos.yaml pointed at it and its staff
    group `core` added."""
    import forum_data
    from fakes import discourse

    site = _fake("forum", forum_data.forum, discourse.serve, "https://forum.mattermost.com")
    repos = _shipped((f"url: {_world['forum'].url}\n", f"url: {site.url}\n  staff_groups: [core]\n"))
    sample(*commands, files={"repos.yaml": repos})


def uservoice_sample(*commands: str, show: str | None = None) -> None:
    """`uservoice` on tests/test_uservoice.py's ideas and Jira tickets, repos.yaml and rotation.yaml, at the
    session's time (an hour before the test's)."""
    import test_uservoice
    from fakes import jira, uservoice

    def make_jira() -> Any:
        fake = jira.FakeJira()
        fake.add(*test_uservoice.tickets())
        return fake

    tickets = _fake("uservoice-jira", make_jira, jira.serve, "https://mattermost.atlassian.net")

    def make_uservoice() -> Any:
        found, comments, notes = test_uservoice.suggestions(tickets.url)
        return uservoice.FakeUserVoice(suggestions=found, comments=comments, notes=notes,
                                       users=list(test_uservoice.USERS))

    ideas = _fake("uservoice", make_uservoice, uservoice.serve, "https://mattermost.uservoice.com")
    sample(*commands, show=show, env={
        "USERVOICE_CLIENT_ID": uservoice.CLIENT_ID, "USERVOICE_CLIENT_SECRET": uservoice.CLIENT_SECRET,
        "JIRA_EMAIL": jira.EMAIL, "JIRA_API_TOKEN": jira.TOKEN},
        files={"repos.yaml": test_uservoice.repos_yaml(ideas.url, tickets.url),
               "rotation.yaml": test_uservoice.ROTATION_YAML})


def schedule_sample(*kinds: str) -> None:
    """`schedule KIND` for each of `kinds`: actions and systemd written into the session's folders, cron
    printed, all for the shipped rotation.yaml."""
    units = _start()["home"] / "home" / ".config" / "systemd" / "user"
    sample(*(f"schedule {kind}".replace("{units}", str(units)) for kind in kinds))


def jira_sample(*commands: str, show: str | None = None) -> None:
    """`jira ticket` on tests/test_jira.py's GitHub issue and the tickets Jira's search finds for it, with
    the shipped repos.yaml pointed at the fake Jira."""
    import test_jira
    from fakes import jira

    def make_jira() -> Any:
        fake = jira.FakeJira()
        test_jira.add_near_misses(fake)
        return fake

    tickets = _fake("jira", make_jira, jira.serve, "https://mattermost.atlassian.net")
    fake = _github("jira-github", test_jira.add_report)
    repos = _shipped(("url: https://mattermost.atlassian.net", f"url: '{tickets.url}'"))
    sample(*commands, show=show, env={"GITHUB_API_URL": fake.url, "JIRA_EMAIL": jira.EMAIL,
                                      "JIRA_API_TOKEN": jira.TOKEN}, files={"repos.yaml": repos})


def session(*commands: str, env: dict[str, str | None] | None = None, files: dict[str, str] | None = None,
            show: str | None = None) -> str:
    """A shell transcript of `commands` (stdout and stderr as a terminal shows them), as a code block.
    `show` is how the first command is written when it needs more than the command (variables)."""
    lines = ["```"]
    for number, command in enumerate(commands):
        _, out, err = run(command, env=env, files=files)
        lines.append(_real(f"$ {show if show and number == 0 else 'cmtriage ' + command}"))
        lines.extend((out + err).rstrip("\n").splitlines())  # the report first, then what went wrong
    lines.append("```")
    return "\n".join(lines) + "\n"


def sample(*commands: str, **options: Any) -> None:
    """Print `session(...)` into the README through cog."""
    import cog

    cog.out(session(*commands, **options))


def reference() -> None:
    """Every command's --help, the README's command reference."""
    import cog
    from click.testing import CliRunner

    from cmtriage import cli

    paths: list[tuple[str, ...]] = []
    context = cli.cli.make_context("cmtriage", ["--help"], resilient_parsing=True)
    for name in cli.COMMANDS:
        command = cli.cli.get_command(context, name)
        sub = getattr(command, "commands", None)
        paths.append((name,))
        paths.extend((name, child) for child in sorted(sub or ()))
    parts = []
    for path in [(), *paths]:
        result = CliRunner().invoke(cli.cli, [*path, "--help"], prog_name="cmtriage", terminal_width=WIDTH)
        title = " ".join(("cmtriage", *path))
        parts.append(f"### {title}\n\n```\n{result.output.rstrip()}\n```\n")
    cog.out("\n".join(parts))


__all__ = ["forum_sample", "helpwanted_sample", "jira_sample", "learn_sample", "metrics_sample", "reference",
           "run", "sample", "schedule_sample", "session",
           "uservoice_sample"]

if __name__ == "__main__":  # python tests/readme_samples.py stale --format markdown
    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
    print(session(" ".join(shlex.quote(a) for a in sys.argv[1:])), end="")

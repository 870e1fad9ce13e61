"""--post and --only-changes end to end: a report command run through cmtriage.cli.main, posting to the
fake Mattermost webhook receiver over real HTTP.

A test-only `demo` command (report_options + emit, like every report) prints whatever Report the test
puts in DEMO, so each test chooses its exact rows.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from markdown_it import MarkdownIt

from cmtriage import cli
from cmtriage.commands._common import emit, report_options
from cmtriage.delivery import fingerprint
from cmtriage.models import Column, Item, Report, SourceError
from cmtriage.render import POST_LIMIT, markdown
from cmtriage.sources import http
from fakes.mattermost import HOOK_ID, FakeMattermost, Hook, running

NOW = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
COLUMNS = (
    Column("number", "#", numeric=True, link="url"),
    Column("title", "Title"),
    Column("author", "Author"),
    Column("days_idle", "Days idle", numeric=True),
    Column("reason", "Reason"),
)
DEMO: dict[str, Report] = {}


@click.command()
@report_options
def demo(env, output) -> None:
    """Print DEMO["report"] (tests only)."""
    raise SystemExit(emit(DEMO["report"], output, env))


def item(number: int, *, reason: str = "no reply from us", days: int = 9, title: str | None = None) -> Item:
    return Item(
        source="github", url=f"https://github.com/mattermost/mattermost/issues/{number}",
        title=title or f"Issue {number}", author=f"user{number}", created_at=NOW - timedelta(days=40),
        last_activity_at=NOW - timedelta(days=days), days_idle=days, reason=reason,
        extra={"repo": "mattermost/mattermost", "number": number, "kind": "issue", "waiting_on": "us"},
    )


def report(*items: Item, errors: tuple[SourceError, ...] = (), mention: str | None = None) -> Report:
    return Report(name="stale", title="Stale issues", columns=COLUMNS, items=tuple(items), generated_at=NOW,
                  errors=errors, mention=mention)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMattermost]:
    monkeypatch.setitem(cli.COMMANDS, "demo", (f"{__name__}:demo", "Test report."))
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    monkeypatch.setenv("CMTRIAGE_NOW", "2026-11-17T14:00:00Z")
    with running() as server:
        monkeypatch.setenv("MATTERMOST_WEBHOOK_URL", server.url())
        yield server


def run(run_cli: Callable[..., tuple[int, str, str]], the_report: Report, *args: str) -> tuple[int, str, str]:
    DEMO["report"] = the_report
    return run_cli("demo", *args)


def state_files(root: Path) -> list[Path]:
    return sorted((root / "state" / "cmtriage" / "posted").glob("*.json"))


def tables(text: str) -> list[dict]:
    """Every GFM table in `text`, parsed by markdown-it-py: its header's cell count, and each row's
    cell count and first link."""
    found: list[dict] = []
    cells, link = 0, None
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type == "table_open":
            found.append({"header": None, "rows": []})
        elif token.type == "tr_open":
            cells, link = 0, None
        elif token.type in ("th_open", "td_open"):
            cells += 1
        elif token.type == "inline" and found and link is None:
            link = next((c.attrGet("href") for c in token.children or () if c.type == "link_open"), None)
        elif token.type == "tr_close":
            if found[-1]["header"] is None:
                found[-1]["header"] = cells
            else:
                found[-1]["rows"].append((cells, link))
    return found


LONG = "A long title that says a lot about a crash when the desktop app reconnects after sleep " * 3


# --- splitting --------------------------------------------------------------------------------------------
def test_a_long_report_arrives_as_whole_tables_nothing_lost_repeated_or_cut(fake, run_cli, write_config):
    write_config(repos="mattermost: {channel: community-heartbeat, username: cmtriage}\n")
    # pipes and backslashes in titles: an unescaped one would add a cell and show in the counts below
    items = [item(n, title=f"{LONG} | piped \\| #{n}") for n in range(1, 301)]
    code, out, err = run(run_cli, report(*items), "--post")

    assert (code, out) == (0, "")
    posts = fake.posts
    assert len(posts) >= 3
    assert err == f"posted {len(posts)} parts to Mattermost (~community-heartbeat)\n"
    assert len(fake.requests) == len(posts)  # one request per part: nothing was cut by the server
    assert all(len(p.text) <= POST_LIMIT for p in posts)
    assert {(p.channel, p.username) for p in posts} == {("community-heartbeat", "cmtriage")}
    links = []
    for number, post in enumerate(posts, 1):
        assert f"(part {number}/{len(posts)})" in post.text.splitlines()[0]
        [table] = tables(post.text)
        assert table["header"] == 5
        assert {cells for cells, _ in table["rows"]} == {5}
        links += [link for _, link in table["rows"]]
    assert links == [i.url for i in items]  # every item once, in order


def test_the_fake_server_would_cut_an_unsplit_report_mid_row(fake):
    """Why we split: the same report sent whole is cut by the server at exactly 16,383 runes."""
    import httpx

    text = markdown(report(*[item(n, title=f"{LONG} #{n}") for n in range(1, 301)]))
    httpx.post(fake.url(), json={"text": text}).raise_for_status()
    assert len(fake.posts) > 1 and len(fake.posts[0].text) == POST_LIMIT
    assert not fake.posts[1].text.startswith("|")  # the second post starts mid-row


def test_a_short_report_is_one_post_without_part_numbers(fake, run_cli):
    code, out, err = run(run_cli, report(item(1), item(2)), "--post")
    assert (code, out, err) == (0, "", "posted 1 part to Mattermost\n")
    [post] = fake.posts
    assert post.text.startswith("#### Stale issues\n") and "(part" not in post.text
    assert (post.channel, post.username, post.icon_url) == ("town-square", None, None)  # no repos.yaml


def test_channel_option_wins_over_repos_yaml(fake, run_cli, write_config):
    write_config(repos="mattermost: {channel: community-heartbeat, icon_url: 'https://example.com/i.png'}\n")
    code, _, err = run(run_cli, report(item(1)), "--post", "--channel", "off-topic")
    assert (code, err) == (0, "posted 1 part to Mattermost (~off-topic)\n")
    assert [(p.channel, p.icon_url) for p in fake.posts] == [("off-topic", "https://example.com/i.png")]


# --- stdout with --post -------------------------------------------------------------------------------------
def test_post_with_a_format_also_prints(fake, run_cli):
    code, out, _ = run(run_cli, report(item(1)), "--post", "--format", "markdown")
    assert code == 0 and out == markdown(report(item(1)))
    assert fake.texts() == [out.rstrip("\n")]


def test_post_with_output_file_also_writes_it(fake, run_cli, tmp_path):
    target = tmp_path / "stale.md"
    code, out, _ = run(run_cli, report(item(1)), "--post", "-o", str(target))
    assert (code, out) == (0, "") and target.read_text() == markdown(report(item(1)))


def test_payload_format_carries_the_configured_channel(fake, run_cli, write_config):
    write_config(repos="mattermost: {channel: community-heartbeat, username: cmtriage}\n")
    code, out, _ = run(run_cli, report(item(1)), "--format", "payload")
    assert code == 0 and out.startswith('{"text": "#### Stale issues')
    assert out.rstrip().endswith('"channel": "community-heartbeat", "username": "cmtriage"}')
    assert fake.requests == []


@pytest.mark.parametrize(("flag", "goes_with"), [
    (["--only-changes"], "--post"),
    (["--channel", "x"], "--post or --format payload"),
    (["--username", "bot"], "--post or --format payload"),
    (["--icon-url", "https://example.com/i.png"], "--post or --format payload"),
])
def test_post_only_flags_without_post_are_usage_errors(fake, run_cli, flag, goes_with):
    code, out, err = run(run_cli, report(item(1)), "--format", "markdown", *flag)
    assert (code, out, err) == (2, "", f"cmtriage: error: {flag[0]} goes with {goes_with}\n")


def test_username_and_icon_options_win_over_repos_yaml_in_posts_and_payloads(fake, run_cli, write_config):
    write_config(repos="mattermost: {channel: community-heartbeat, username: cmtriage}\n")
    options = ("--username", "triage-bot", "--icon-url", "https://example.com/bot.png")
    code, out, _ = run(run_cli, report(item(1)), "--format", "payload", *options)
    assert code == 0
    assert json.loads(out) | {"text": ""} == {"text": "", "channel": "community-heartbeat",
                                             "username": "triage-bot", "icon_url": "https://example.com/bot.png"}
    assert run(run_cli, report(item(1)), "--post", *options)[0] == 0
    assert [(p.channel, p.username, p.icon_url) for p in fake.posts] == [
        ("community-heartbeat", "triage-bot", "https://example.com/bot.png")]


def test_an_icon_url_that_is_not_a_web_address_is_a_usage_error(fake, run_cli):
    code, out, err = run(run_cli, report(item(1)), "--post", "--icon-url", "javascript:alert(1)")
    assert (code, out, len(fake.requests)) == (2, "", 0)
    assert err == "cmtriage: error: --icon-url: expected an http(s) URL, got 'javascript:alert(1)'\n"


# --- failures --------------------------------------------------------------------------------
def test_502s_are_retried_and_the_post_goes_through(fake, run_cli):
    fake.fail_next(2)
    code, _, err = run(run_cli, report(item(1)), "--post")
    assert (code, err) == (0, "posted 1 part to Mattermost\n")
    assert len(fake.requests) == 3 and len(fake.posts) == 1


@pytest.mark.parametrize(("setup", "args", "message"), [
    (lambda f: f.hooks.clear(), [],
     "the post failed (nothing was posted): {base}: HTTP 400: Invalid webhook. "
     "(check MATTERMOST_WEBHOOK_URL: the hook may have been deleted)"),
    (lambda f: f.hooks.update({HOOK_ID: Hook("town-square", locked=True)}), ["--channel", "off-topic"],
     "the post failed (nothing was posted): {base}: HTTP 403: This webhook is not permitted to post to the "
     "requested channel. (the hook is locked to its own channel: drop the channel setting or use that "
     "channel's hook)"),
    (lambda f: None, ["--channel", "nowhere"],
     "the post failed (nothing was posted): {base}: HTTP 404: Couldn't find the channel. "
     "(check the channel's name (the URL name, e.g. town-square))"),
    (lambda f: setattr(f, "enabled", False), [],
     "the post failed (nothing was posted): {base}: HTTP 501: Incoming webhooks have been disabled by the "
     "system admin. (ask a system admin to enable incoming webhooks)"),
    (lambda f: f.answer_next(301, headers={"Location": f.url().replace("http:", "https:")}), [],
     "the post failed (nothing was posted): {base}: HTTP 301: the hook redirects to {https}, and cmtriage "
     "does not follow redirects with a post; set MATTERMOST_WEBHOOK_URL to the address it redirects to"),
    (lambda f: f.answer_next(200, "<html><title>Mattermost</title></html>"), [],
     "the post failed (nothing was posted): {base}: answered 200 without 'ok': is MATTERMOST_WEBHOOK_URL an "
     "incoming-webhook URL?"),
], ids=["unknown-hook", "locked", "no-channel", "disabled", "redirect", "200-without-ok"])
def test_each_server_error_is_shown_with_exit_1(fake, run_cli, isolated_env, setup, args, message):
    setup(fake)
    code, out, err = run(run_cli, report(item(1)), "--post", *args)
    assert (code, out) == (1, "")
    https = fake.base_url.replace("http:", "https:")
    assert err == f"cmtriage: error: Mattermost: {message.format(base=fake.base_url, https=https)}\n"
    assert len(fake.requests) == 1 and fake.posts == []
    assert state_files(isolated_env) == []


def test_a_failing_later_part_says_which_parts_were_posted(fake, run_cli, isolated_env):
    fake.fail_next(4, after=1)  # part 1 goes through; part 2 meets four 502s
    code, _, err = run(run_cli, report(*[item(n, title=f"{LONG} #{n}") for n in range(1, 301)]), "--post")
    assert code == 1
    assert err.startswith("cmtriage: error: Mattermost: part 2 of ")
    assert err.endswith(f" failed (part 1 was posted): {fake.base_url}: HTTP 502 Bad Gateway"
                        " after 4 tries; try again later\n")
    assert len(fake.posts) == 1 and len(fake.requests) == 5
    assert state_files(isolated_env) == []


def test_missing_webhook_url_exits_2_saying_to_set_it(fake, run_cli, monkeypatch):
    monkeypatch.delenv("MATTERMOST_WEBHOOK_URL")
    code, out, err = run(run_cli, report(item(1)), "--post")
    assert (code, out) == (2, "")
    assert err == ("cmtriage: error: MATTERMOST_WEBHOOK_URL is not set: set it to the channel's "
                   "incoming-webhook URL (Integrations > Incoming Webhooks in Mattermost)\n")


def test_a_report_with_a_failed_source_is_posted_and_exits_1(fake, run_cli):
    the_report = report(item(1), errors=(SourceError("zendesk", "HTTP 401 Unauthorized"),))
    code, _, err = run(run_cli, the_report, "--post")
    assert code == 1
    assert err == "cmtriage: error: zendesk: HTTP 401 Unauthorized\nposted 1 part to Mattermost\n"
    assert "zendesk: HTTP 401 Unauthorized" in fake.posts[0].text


# --- the secret ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", ["ok", "unknown-hook", "502", "only-changes", "redirect", "debug"])
def test_the_webhook_url_is_never_printed_or_stored(fake, run_cli, isolated_env, monkeypatch, scenario):
    if scenario in ("unknown-hook", "debug"):
        fake.hooks.clear()
    if scenario == "debug":  # the traceback too
        monkeypatch.setenv("CMTRIAGE_DEBUG", "1")
    if scenario == "502":
        fake.fail_next(4)
    if scenario == "redirect":
        fake.answer_next(308, headers={"Location": fake.url()}, count=2)
    args = ["--post", "--format", "json"] + (["--only-changes"] if scenario == "only-changes" else [])
    outputs = [run(run_cli, report(item(1)), *args) for _ in range(2)]
    seen = "".join(out + err for _, out, err in outputs)
    seen += "".join(path.read_text() for path in state_files(isolated_env))
    seen += "".join(path.name for path in state_files(isolated_env))
    assert HOOK_ID not in seen and fake.url() not in seen and "/hooks/" not in seen
    assert ("Traceback" in seen) is (scenario == "debug")  # the debug run did print the traceback


# --- --only-changes --------------------------------------------------------------------------------
def test_only_changes_posts_first_then_nothing_then_again_on_a_change(fake, run_cli, isolated_env):
    first = report(item(1), item(2))
    assert run(run_cli, first, "--post", "--only-changes")[2] == "posted 1 part to Mattermost\n"

    a_day_later = report(item(2, days=10), item(1, days=10))  # older, reordered: the same list
    code, out, err = run(run_cli, a_day_later, "--post", "--only-changes")
    assert (code, out) == (0, "")
    assert err == "stale: same items as the last post to Mattermost on 2026-11-17 14:00 UTC; posted nothing\n"
    assert len(fake.requests) == 1

    changed = report(item(1, reason="waiting on the author"), item(2))
    assert run(run_cli, changed, "--post", "--only-changes")[2] == "posted 1 part to Mattermost\n"
    assert run(run_cli, report(item(1), item(2), item(3)), "--post", "--only-changes")[0] == 0
    assert run(run_cli, report(item(1)), "--post", "--only-changes")[0] == 0
    assert len(fake.requests) == 4 and len(fake.posts) == 4


def test_a_failed_post_does_not_update_the_memory(fake, run_cli, isolated_env):
    assert run(run_cli, report(item(1)), "--post", "--only-changes")[0] == 0
    fake.fail_next(4)
    assert run(run_cli, report(item(1), item(2)), "--post", "--only-changes")[0] == 1
    assert state_files(isolated_env) == []  # forgotten: the channel may no longer show the last post
    # the failed list is posted on the next run, not taken as already seen
    code, _, err = run(run_cli, report(item(1), item(2)), "--post", "--only-changes")
    assert (code, err) == (0, "posted 1 part to Mattermost\n")
    assert len(fake.posts) == 2


def test_a_failed_plain_post_makes_the_next_only_changes_post_the_same_items(fake, run_cli, isolated_env):
    assert run(run_cli, report(item(1)), "--post")[0] == 0
    fake.fail_next(4)
    assert run(run_cli, report(item(1)), "--post")[0] == 1
    code, _, err = run(run_cli, report(item(1)), "--post", "--only-changes")
    assert (code, err) == (0, "posted 1 part to Mattermost\n")
    assert len(fake.posts) == 2


def test_memory_is_per_report_and_per_place(fake, run_cli, isolated_env):
    assert run(run_cli, report(item(1)), "--post", "--only-changes")[0] == 0
    err = run(run_cli, report(item(1)), "--post", "--only-changes", "--channel", "off-topic")[2]
    assert err == "posted 1 part to Mattermost (~off-topic)\n"
    assert len(state_files(isolated_env)) == 2


def test_a_post_without_only_changes_is_remembered_too(fake, run_cli):
    run(run_cli, report(item(1)), "--post")
    assert run(run_cli, report(item(1)), "--post", "--only-changes")[2].endswith("posted nothing\n")
    assert len(fake.posts) == 1


def test_memory_file_is_private_and_holds_a_digest(fake, run_cli, isolated_env):
    run(run_cli, report(item(1)), "--post")
    [path] = state_files(isolated_env)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert {stat.S_IMODE(os.stat(folder).st_mode) for folder in (path.parent, path.parent.parent)} == {0o700}
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    assert path.name.startswith("stale-")
    assert f'"digest": "{fingerprint(report(item(1)))}"' in path.read_text()


@pytest.mark.parametrize(("change", "same"), [
    (lambda: report(item(1, days=30, title="Renamed")), True),
    (lambda: report(item(1, reason="reopened")), False),
    (lambda: report(item(1), item(2)), False),
    (lambda: report(item(1), mention="eric.s"), False),
    (lambda: report(item(1), errors=(SourceError("zendesk", "down"),)), False),
], ids=["older-and-retitled", "reason", "new-item", "new-person-on-duty", "source-failing"])
def test_what_counts_as_a_change(change, same):
    assert (fingerprint(change()) == fingerprint(report(item(1)))) is same


# --- end to end with a real report command ------------------------------------------------------------
def test_zendesk_report_posted_then_skipped_then_posted_again_on_a_new_ticket(fake, run_cli, write_config,
                                                                              monkeypatch):
    from fakes.zendesk import EMAIL, TOKEN, FakeZendesk, serve, ticket, user

    monkeypatch.setenv("ZENDESK_EMAIL", EMAIL)
    monkeypatch.setenv("ZENDESK_API_TOKEN", TOKEN)
    first = ticket(4498, "Upgrade fails @all please", requester_id=102, created_at="2026-11-10T12:30:00Z")
    with serve(FakeZendesk(tickets=[first], users=[user(102, "Lee Chen")])) as zendesk:
        write_config(repos=f"zendesk: {{url: '{zendesk.url}'}}\n"
                           "mattermost: {channel: community-heartbeat, username: cmtriage}\n")
        assert run_cli("zendesk", "--post", "--only-changes") == (
            0, "", "posted 1 part to Mattermost (~community-heartbeat)\n")
        [post] = fake.posts
        assert "Upgrade fails @\u200ball please" in post.text and "@all" not in post.text

        assert run_cli("zendesk", "--post", "--only-changes")[2] == (
            "zendesk: same items as the last post to Mattermost (~community-heartbeat) "
            "on 2026-11-17 14:00 UTC; posted nothing\n")
        zendesk.tickets.append(ticket(4512, "SAML with Okta?", requester_id=102,
                                      created_at="2026-11-16T09:00:00Z"))
        assert run_cli("zendesk", "--post", "--only-changes")[0] == 0
        assert len(fake.posts) == 2 and "SAML with Okta?" in fake.posts[1].text
    assert len(fake.requests) == 2


def test_a_post_that_may_have_arrived_does_not_say_nothing_was_posted(fake, run_cli, isolated_env):
    fake.fail_next(1, status=504)
    code, _, err = run(run_cli, report(item(1)), "--post")
    assert (code, err) == (1, f"cmtriage: error: Mattermost: the post failed (it may have been posted): "
                              f"{fake.base_url}: HTTP 504 Gateway Timeout; not sent again, as it may have "
                              "arrived (check before trying again)\n")
    assert len(fake.requests) == 1
    assert state_files(isolated_env) == []

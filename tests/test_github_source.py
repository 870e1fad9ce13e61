"""The GitHub source under faults: retries, rate limits, bad tokens, partial failures, and secrets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cmtriage.sources import github as source
from fakes.github import TOKEN, FakeGitHub, serve

NOW = "2026-11-24T14:00:00Z"
START = datetime(2026, 11, 24, 14, tzinfo=UTC).timestamp()  # the fake's clock, and cmtriage's, before waits
MM, DOCS = "mattermost/mattermost", "mattermost/docs"
REPOS = """\
    staff:
      logins: [hanna]
    github:
      - repo: mattermost/mattermost
      - repo: mattermost/docs
    """


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the source asks for, recorded (whole seconds) instead of slept."""
    return []


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, write_config, sleeps: list[float]) -> Iterator[FakeGitHub]:
    """Two repos with one stale community issue each; the fake's clock starts at START and is the
    source's too, and waits move it instead of sleeping."""
    with serve(FakeGitHub(now=START)) as running:
        monkeypatch.setenv("GITHUB_API_URL", running.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("CMTRIAGE_NOW", NOW)

        def sleep(seconds: float) -> None:
            sleeps.append(round(seconds))
            running.advance(seconds)

        monkeypatch.setattr(source, "sleep", sleep)
        monkeypatch.setattr(source, "clock", running.now)
        write_config(repos=REPOS)
        running.add_repo(MM)
        running.add_repo(DOCS)
        running.add_issue(MM, 1, "Crash", author="alice", created="2026-11-01T10:00:00Z")
        running.add_issue(DOCS, 2, "Typo", author="bob", created="2026-11-02T10:00:00Z")
        running.add_comment(DOCS, 2, author="hanna", created="2026-11-03T10:00:00Z")
        yield running


def numbers(out: str) -> list[tuple[str, int, str]]:
    return [(i["repo"], i["number"], i["waiting_on"]) for i in json.loads(out)["items"]]


BOTH = [(MM, 1, "us"), (DOCS, 2, "author")]


# --- retried faults --------------------------------------------------------------------------------------
@pytest.mark.parametrize("fault", ["fail", "drop"])
def test_a_5xx_or_a_dropped_connection_is_retried(fake: FakeGitHub, run_cli, sleeps, fault: str):
    getattr(fake, fault)(times=2, where=DOCS)
    code, out, err = run_cli("stale", "--format", "json")
    assert (code, err, numbers(out)) == (0, "", BOTH)
    assert sleeps == [1]  # backoff: none before the first retry, then 1 s (plus jitter under 0.25 s)


def test_a_timeout_is_retried(fake: FakeGitHub, run_cli, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(source, "TIMEOUT", 1)
    fake.hang(times=1, seconds=1.5, where=DOCS)
    code, out, err = run_cli("stale", "--format", "json")
    assert (code, err, numbers(out)) == (0, "", BOTH)


def test_a_repo_that_keeps_failing_is_named_and_the_others_are_printed(fake: FakeGitHub, run_cli, sleeps):
    fake.fail(times=100, where=DOCS)
    code, out, err = run_cli("stale", "--format", "json")
    message = "mattermost/docs: GitHub answered 502 4 times; try again later"
    assert code == 1
    assert numbers(out) == [(MM, 1, "us")]
    assert json.loads(out)["errors"] == [{"source": "github", "message": message}]
    assert err == f"cmtriage: error: github: {message}\n"
    assert fake.count(f"/repos/{DOCS}", status=502) == 4
    assert sleeps == [1, 2]


def test_markdown_names_the_failed_repo_under_the_table(fake: FakeGitHub, run_cli):
    fake.fail(times=100, where=DOCS)
    code, out, _ = run_cli("stale", "--format", "markdown")
    assert code == 1
    assert out.endswith("- :warning: github: mattermost/docs: GitHub answered 502 4 times; try again later\n")


def test_a_dropped_connection_that_persists_says_so(fake: FakeGitHub, run_cli):
    fake.drop(times=100, where=MM)
    code, _, err = run_cli("stale", "--format", "json")
    assert (code, err) == (
        1, "cmtriage: error: github: mattermost/mattermost: GitHub closed the connection without answering "
           "(4 tries)\n")


def test_an_item_whose_comments_cannot_be_read_is_listed_as_unknown(fake: FakeGitHub, run_cli):
    fake.fail(times=100, status=500, where=f"/repos/{DOCS}/issues/2/comments")
    code, out, err = run_cli("stale", "--format", "json")
    assert code == 1
    assert numbers(out) == [(MM, 1, "us"), (DOCS, 2, "unknown")]
    assert json.loads(out)["items"][1]["reason"] == "its comments could not be read"
    assert err == "cmtriage: error: github: mattermost/docs#2: GitHub answered 500 4 times; try again later\n"


def test_a_pull_whose_reviews_cannot_be_read_is_listed_as_unknown_from_its_last_update(
        fake: FakeGitHub, run_cli, write_config):
    write_config(repos=REPOS.rstrip(" ") + "      - {repo: mattermost/docs, watch: pulls}\n")
    fake.add_issue(DOCS, 3, "Fix a link", author="zoe", created="2026-10-01T10:00:00Z", pull=True)
    fake.add_review(DOCS, 3, author="hanna", submitted="2026-10-20T10:00:00Z")
    fake.fail(times=100, status=500, where=f"/repos/{DOCS}/pulls/3/reviews")
    code, out, err = run_cli("stale", "--format", "json")
    assert code == 1
    pull = json.loads(out)["items"][0]
    assert (pull["number"], pull["days_idle"], pull["waiting_on"], pull["reason"]) == (
        3, 35, "unknown", "its comments or reviews could not be read")  # idle at least since its last update
    assert numbers(out)[1:] == BOTH
    assert err == "cmtriage: error: github: mattermost/docs#3: GitHub answered 500 4 times; try again later\n"


# --- rate limits -----------------------------------------------------------------------------------------
STAFF_ORG = REPOS.replace("logins: [hanna]", "orgs: [mattermost]")


def arrivals(fake: FakeGitHub) -> list[float]:
    """When requests came, in seconds after START, each moment once."""
    return sorted({round(r.at - START) for r in fake.requests})


@pytest.mark.parametrize("status", [403, 429])
def test_a_primary_limit_that_resets_within_a_minute_is_waited_for_once(fake: FakeGitHub, run_cli, sleeps,
                                                                          status: int):
    fake.exhaust(reset_in=30, status=status)
    code, out, err = run_cli("stale", "--format", "json")
    assert (code, numbers(out)) == (0, BOTH)
    assert sleeps == [31]  # to the reset and a second, for all the workers that met the limit
    assert err == "cmtriage: warning: waiting 31 s for GitHub (rate limit reset)\n"


@pytest.mark.parametrize("status", [403, 429])
def test_a_primary_limit_far_off_fails_at_once_with_its_reset_time(fake: FakeGitHub, run_cli, sleeps,
                                                                     status: int):
    fake.exhaust(reset_in=3600, status=status)
    code, out, _ = run_cli("stale", "--format", "json")
    message = ("GitHub's rate limit for this token is used up until 15:00 UTC; run again then (in 60 min), "
               "or let cmtriage wait with --wait 61m")
    assert code == 1 and sleeps == []
    errors = json.loads(out)["errors"]
    assert errors == [{"source": "github", "message": f"{name}: {message}"} for name in (MM, DOCS)]
    paths = [r.path for r in fake.requests]
    assert len(paths) == len(set(paths))  # no retry


def test_without_a_token_a_used_up_limit_says_to_set_one(fake: FakeGitHub, run_cli, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN")
    fake.exhaust(reset_in=1800)
    code, out, _ = run_cli("stale", "--format", "json")
    assert code == 1
    assert json.loads(out)["errors"][0]["message"] == (
        "mattermost/mattermost: GitHub allows 60 requests an hour without a token, and they are used up "
        "until 14:30 UTC; set GITHUB_TOKEN (or GH_TOKEN) to a GitHub token, or run again then (in 30 min)")


def test_wait_allows_a_longer_wait_for_the_reset(fake: FakeGitHub, run_cli, sleeps):
    fake.exhaust(reset_in=1800)
    code, out, _ = run_cli("stale", "--format", "json", "--wait", "31m")
    assert (code, numbers(out)) == (0, BOTH)
    assert sleeps == [1801]


def test_a_used_up_limit_while_listing_staff_blames_the_limit_not_the_org(fake: FakeGitHub, run_cli,
                                                                            write_config):
    write_config(repos=STAFF_ORG)
    fake.orgs["mattermost"] = {"hanna": True}
    fake.exhaust(reset_in=3600)
    code, _, err = run_cli("stale", "--format", "json")
    assert code == 1
    assert err.splitlines()[-1] == (
        "cmtriage: error: github: GitHub's rate limit for this token is used up until 15:00 UTC (while "
        "listing the members of staff org mattermost); run again then (in 60 min), or let cmtriage wait with "
        "--wait 61m")


def test_a_secondary_limit_waits_its_retry_after(fake: FakeGitHub, run_cli, sleeps):
    fake.secondary_limit(times=1, retry_after=3)
    code, out, err = run_cli("stale", "--format", "json")
    assert (code, err, numbers(out)) == (0, "", BOTH)
    assert sleeps == [3]
    assert [r.status for r in fake.requests].count(403) == 1


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_limit_without_retry_after_waits_a_minute(fake: FakeGitHub, run_cli, sleeps,
                                                                status: int):
    fake.secondary_limit(times=1, retry_after=None, status=status)
    code, out, err = run_cli("stale", "--format", "json")
    assert (code, numbers(out)) == (0, BOTH)
    assert sleeps == [60]
    assert err == "cmtriage: warning: waiting 60 s for GitHub (secondary rate limit)\n"


def test_a_429_with_requests_remaining_is_a_secondary_limit_whatever_it_says(fake: FakeGitHub, run_cli,
                                                                               sleeps):
    fake.fail(times=1, status=429, where=DOCS)  # {"message": "Server Error"}, no rate headers
    code, out, _ = run_cli("stale", "--format", "json")
    assert (code, numbers(out)) == (0, BOTH)
    assert sleeps == [60]


def test_a_plain_403_is_not_retried(fake: FakeGitHub, run_cli, sleeps):
    fake.fail(times=1, status=403, where=DOCS)
    code, out, _ = run_cli("stale", "--format", "json")
    assert (code, numbers(out), sleeps) == (1, [(MM, 1, "us")], [])
    assert json.loads(out)["errors"][0]["message"] == "mattermost/docs: GitHub answered 403: Server Error"
    assert fake.count(f"/repos/{DOCS}") == 1


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_limit_that_holds_fails_the_run_once_wait_is_spent(fake: FakeGitHub, run_cli, sleeps,
                                                                         write_config, status: int):
    """The reviewer's case: each worker met the limit, yet the run waited one minute, all --wait allows,
    then sent each request once more and gave up, saying which limit and when to run again."""
    write_config(repos=STAFF_ORG)
    fake.orgs["mattermost"] = {"hanna": True}
    fake.secondary_limit(times=20, retry_after=None, status=status)
    code, _, err = run_cli("stale", "--format", "json")
    assert code == 1
    assert err.splitlines()[0] == "cmtriage: warning: waiting 60 s for GitHub (secondary rate limit)"
    assert err.splitlines()[-1] == (
        "cmtriage: error: github: GitHub's secondary rate limit still holds after 60 s of waiting (while "
        "listing the members of staff org mattermost); run again after 14:03 UTC")
    assert sleeps == [60]
    assert arrivals(fake) == [0, 60]  # nothing sent during the pause, nor after the last answer
    assert max(fake.count(path) for path in (f"/repos/{MM}", f"/repos/{DOCS}", "/orgs/")) == 2


def test_a_secondary_limit_backs_off_exponentially_within_wait(fake: FakeGitHub, run_cli, sleeps):
    fake.secondary_limit(times=20, retry_after=None)
    code, out, err = run_cli("stale", "--format", "json", "--wait", "5m")
    assert code == 1 and sleeps == [60, 120]  # 240 more would pass the 300 s --wait allows
    assert arrivals(fake) == [0, 60, 180]
    assert err.splitlines()[:2] == ["cmtriage: warning: waiting 60 s for GitHub (secondary rate limit)",
                                    "cmtriage: warning: waiting 120 s for GitHub (secondary rate limit)"]
    message = "GitHub's secondary rate limit still holds after 180 s of waiting; run again after 14:07 UTC"
    assert json.loads(out)["errors"] == [{"source": "github", "message": f"{name}: {message}"}
                                         for name in (MM, DOCS)]


def test_a_secondary_limit_longer_than_wait_fails_without_waiting(fake: FakeGitHub, run_cli, sleeps):
    fake.secondary_limit(times=1, retry_after=120, status=429)
    code, out, _ = run_cli("stale", "--format", "json")
    assert code == 1 and sleeps == []
    assert json.loads(out)["errors"][0]["message"].endswith(
        "GitHub's secondary rate limit asks to wait 120 s, more than --wait allows; "
        "run again after 14:02 UTC")


def test_a_bad_wait_is_a_usage_error(fake: FakeGitHub, run_cli):
    assert run_cli("stale", "--wait", "soon") == (
        2, "", "cmtriage: error: --wait: expected a duration like 90s, 5m, 1h or 2d, got 'soon'\n")


# --- credentials -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("variable", ["GITHUB_TOKEN", "GH_TOKEN"])
def test_a_refused_token_is_named_once_and_never_printed(fake: FakeGitHub, run_cli, monkeypatch,
                                                         variable: str):
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv(variable, "ghp_revokedToken000")
    code, out, err = run_cli("stale", "--format", "json")
    assert (code, json.loads(out)["items"]) == (1, [])
    assert "ghp_revokedToken000" not in out
    assert err == (f"cmtriage: error: github: GitHub refused the token in {variable} (401 Bad credentials): "
                   "it may have expired or been revoked\n")


def test_the_token_is_sent_but_never_cached(fake: FakeGitHub, run_cli, isolated_env):
    run_cli("stale", "--format", "json")
    assert {r.authorization for r in fake.requests} == {f"token {TOKEN}"}
    files = list((isolated_env / "cache" / "cmtriage").iterdir())
    assert len(files) == 1 and TOKEN not in files[0].read_text()


def test_without_a_token_requests_go_anonymous(fake: FakeGitHub, run_cli, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN")
    code, out, _ = run_cli("stale", "--format", "json")
    assert (code, numbers(out)) == (0, BOTH)
    assert {r.authorization for r in fake.requests} == {None}


def test_an_unknown_repo_is_named(fake: FakeGitHub, run_cli):
    code, out, err = run_cli("stale", "--format", "json", "--repo", "mattermost/nope", "--repo", DOCS)
    assert (code, numbers(out)) == (1, [(DOCS, 2, "author")])
    assert err == ("cmtriage: error: github: mattermost/nope: not found on GitHub "
                   "(or this token cannot see it)\n")


# --- the client on its own ---------------------------------------------------------------------------------
def test_people_tell_staff_and_bots_apart():
    people = source.People.of(["Hanna"], ["jesse"], ["MatterMod"])
    assert people.is_staff("hanna", "NONE") and people.is_staff("JESSE", "CONTRIBUTOR")
    assert people.is_staff("anyone", "OWNER") and people.is_staff("anyone", "MEMBER")
    assert not people.is_staff("anyone", "COLLABORATOR")
    assert people.is_bot("mattermod", "User") and people.is_bot("x", "Bot")
    assert people.is_bot("ci[Bot]", "User")
    assert not people.is_bot("hanna", "User")


def test_no_item_is_completed_lazily(fake: FakeGitHub):
    """Reading the records reads only list payloads: no GET per item, whatever the item lacks."""
    with source.GitHub(fake.url, TOKEN) as client:
        repos, _ = client.resolve([MM, DOCS])
        fetched = client.fetch([source.Plan(repo, source.every_open_item()) for repo in repos.values()])
    assert [(i.kind, i.comments) for a in fetched.values() for i in a.issues] == [("issue", 0), ("issue", 1)]
    assert sorted(r.path for r in fake.requests) == [
        f"/repos/{DOCS}", f"/repos/{DOCS}/issues", f"/repos/{MM}", f"/repos/{MM}/issues"]
    assert client.stats.requests == 4 and client.stats.rate_remaining == 4996


def test_no_more_than_the_per_minute_limit_start_in_any_minute(fake: FakeGitHub, run_cli, sleeps,
                                                               monkeypatch):
    monkeypatch.setattr(source, "REQUESTS_PER_MINUTE", 3)
    code, out, err = run_cli("stale", "--format", "json")
    assert (code, numbers(out)) == (0, BOTH)
    assert len(fake.requests) == 7
    assert sorted(sleeps) == [60, 60, 60, 120]  # requests 4 to 6 a minute after 1 to 3, the 7th after the 4th
    assert err == "cmtriage: warning: waiting 60 s for GitHub (at most 3 requests a minute)\n"

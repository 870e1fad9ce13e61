"""Issue 9: never a false all-clear, errors that say what to do, output a person can copy."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from fakes import mattermost
from fakes.github import FakeGitHub, point_at, serve

NOW = "2026-11-24T14:00:00Z"
MM, DOCS, NOPE = "mattermost/mattermost", "mattermost/docs", "mattermost/nope"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with serve(FakeGitHub()) as running:
        point_at(running, monkeypatch, NOW)
        yield running


@pytest.fixture
def docs(fake: FakeGitHub) -> FakeGitHub:
    fake.add_repo(DOCS)
    fake.add_issue(DOCS, 5, "Typo in the install guide", author="mo", created="2026-11-10T14:00:00Z")
    fake.add_issue(DOCS, 6, "Where is the API token?", author="al", created="2026-11-24T10:00:00Z")
    return fake


# --- a report that could not look must not say all is well ------------------------------------------------
NOT_FOUND = "mattermost/nope: not found on GitHub (or this token cannot see it)"


def test_stale_of_a_repo_that_does_not_exist_is_not_listed_and_says_no_all_clear(fake, run_cli):
    code, out, err = run_cli("stale", "--repo", NOPE, "--format", "markdown")
    assert (code, err) == (1, f"cmtriage: error: github: {NOT_FOUND}\n")
    assert out == f"#### Stale GitHub issues and pulls: not listed\n\n- :warning: github: {NOT_FOUND}\n"


def test_new_of_a_repo_that_does_not_exist_is_not_listed(fake, run_cli):
    code, out, _ = run_cli("new", "--repo", NOPE, "--format", "markdown")
    assert (code, out) == (1, f"#### New GitHub issues: not listed\n\n- :warning: github: {NOT_FOUND}\n")


def test_a_github_that_keeps_failing_is_not_listed(fake, run_cli):
    fake.add_repo(DOCS)
    fake.fail(times=100, status=502, where=f"/repos/{DOCS}/issues")
    code, out, _ = run_cli("stale", "--repo", DOCS, "--format", "markdown")
    assert code == 1
    assert out.startswith("#### Stale GitHub issues and pulls: not listed\n")
    assert "Nothing has waited" not in out


def test_one_repo_of_two_missing_makes_the_title_say_incomplete_and_name_it(docs, run_cli):
    code, out, _ = run_cli("stale", "--repo", DOCS, "--repo", NOPE, "--format", "markdown")
    assert code == 1
    assert out.splitlines()[0] == ("#### 1 GitHub issue with no activity for 7+ days "
                                   "(incomplete: mattermost/nope not read)")
    code, out, _ = run_cli("new", "--repo", DOCS, "--repo", NOPE, "--format", "markdown")
    assert out.splitlines()[0] == ("#### 1 new GitHub issue since 2026-11-23 14:00 UTC "
                                   "(incomplete: mattermost/nope not read)")


def test_an_incomplete_report_with_nothing_found_makes_no_all_clear_sentence(docs, run_cli):
    code, out, _ = run_cli("stale", "--days", "30", "--repo", DOCS, "--repo", NOPE, "--format", "markdown")
    assert code == 1
    assert out == ("#### 0 GitHub issues with no activity for 30+ days (incomplete: mattermost/nope not read)"
                   f"\n\n- :warning: github: {NOT_FOUND}\n")


def test_a_post_of_a_report_that_could_not_look_never_reads_nothing_has_waited(fake, run_cli, monkeypatch):
    with mattermost.running() as chat:
        monkeypatch.setenv("MATTERMOST_WEBHOOK_URL", chat.url())
        code, _, _ = run_cli("stale", "--repo", NOPE, "--post")
        assert code == 1
        [text] = chat.texts()
    assert text.startswith("#### Stale GitHub issues and pulls: not listed\n")
    assert "Nothing has waited" not in text


def test_a_digest_section_whose_repos_all_failed_counts_as_failed(docs, run_cli, write_config):
    write_config(repos=f"github: [{{repo: {NOPE}}}]\n")
    code, out, _ = run_cli("digest", "--format", "markdown")
    assert code == 1
    assert out.splitlines()[0] == "#### Community triage for Tue 2026-11-24: stale failed, new failed"
    assert "##### Stale GitHub issues and pulls: not listed" in out
    assert "##### New GitHub issues: not listed" in out
    assert "Nothing has waited" not in out and "No new community issues" not in out


# --- errors that say what to do ----------------------------------------------------------------------------
def test_debug_works_after_the_command_too(run_cli):
    code, out, err = run_cli("stale", "--repo", "not-a-repo", "--debug")
    assert (code, out) == (2, "")
    assert err.startswith("Traceback (most recent call last):")
    assert err.endswith("cmtriage.errors.UsageError: --repo: expected OWNER/NAME, got 'not-a-repo'\n")
    assert run_cli("stale", "--repo", "not-a-repo") == (
        2, "", "cmtriage: error: --repo: expected OWNER/NAME, got 'not-a-repo'\n")


def test_the_help_documents_cmtriage_debug_and_verbose(run_cli):
    _, out, _ = run_cli("--help")
    assert "--debug" in out and "CMTRIAGE_DEBUG=1" in out
    assert "--verbose" in out


@pytest.mark.parametrize(("typed", "hint"), [
    ("stal", " Did you mean stale?"), ("digets", " Did you mean digest?"), ("snoze", " Did you mean snooze?"),
    ("xyzzy", ""),
])
def test_a_mistyped_command_gets_a_did_you_mean(run_cli, typed, hint):
    code, out, err = run_cli(typed)
    assert (code, out) == (2, "")
    assert err.endswith(f"Error: No such command {typed!r}.{hint}\n")


def test_a_mistyped_subcommand_gets_a_did_you_mean(run_cli):
    code, _, err = run_cli("rotation", "whoo")
    assert code == 2
    assert err.endswith("Error: No such command 'whoo'. Did you mean who?\n")


def test_since_that_is_neither_duration_nor_date_explains_both(run_cli, write_config):
    write_config(repos="github: [{repo: mattermost/docs}]\n")
    assert run_cli("new", "--since", "3x") == (
        2, "", "cmtriage: error: --since: expected a duration like 12h, 1d or 1w, a date like 2026-11-20, "
               "or an ISO 8601 time like 2026-11-24T09:00:00Z, got '3x'\n")


def test_snoozed_offers_no_no_cache(run_cli):
    code, out, _ = run_cli("snoozed", "--help")
    assert code == 0 and "--no-cache" not in out
    assert run_cli("snoozed", "--no-cache")[0] == 2
    assert "--no-cache" not in run_cli("zendesk", "--help")[1]
    for name in ("stale", "new", "digest"):
        assert "--no-cache" in run_cli(name, "--help")[1]


def test_the_cost_line_comes_only_with_verbose(docs, run_cli, monkeypatch):
    monkeypatch.setattr("cmtriage.terminal.Terminal.stderr_is_terminal", staticmethod(lambda: True))
    code, _, err = run_cli("stale", "--repo", DOCS, "--format", "json")
    assert (code, err) == (0, "")
    code, _, err = run_cli("stale", "--repo", DOCS, "--format", "json", "--verbose")
    assert (code, err) == (0, "GitHub: 3 requests, 3 of them unchanged (free), 0 pages reused without "
                              "asking; 4,997 of 5,000 left\n")
    code, _, err = run_cli("--verbose", "stale", "--repo", DOCS, "--format", "json")
    assert err.startswith("GitHub: 3 requests, 3 of them unchanged")


def test_the_progress_line_counts_one_request_in_the_singular(docs, run_cli, monkeypatch):
    from contextlib import contextmanager

    from cmtriage.terminal import Terminal

    shown: list[str] = []

    @contextmanager
    def progress(self, label):
        shown.append(label)
        yield shown.append

    monkeypatch.setattr(Terminal, "progress", progress)
    assert run_cli("stale", "--repo", DOCS, "--format", "json")[0] == 0
    assert shown[:3] == ["Asking GitHub…", "Asking GitHub… 1 request", "Asking GitHub… 2 requests"]


def test_on_a_terminal_an_error_is_printed_once(run_cli, fake, monkeypatch):
    from cmtriage.terminal import Terminal

    for name in ("stdout_is_terminal", "stderr_is_terminal"):
        monkeypatch.setattr(Terminal, name, staticmethod(lambda: True))
    monkeypatch.setattr(Terminal, "progress", _no_progress)
    code, out, err = run_cli("stale", "--repo", NOPE, "--format", "table")
    assert code == 1
    assert out.count("not found on GitHub") == 1
    assert err == ""
    # Piped, or written to a file, the error still goes to stderr.
    monkeypatch.setattr(Terminal, "stdout_is_terminal", staticmethod(lambda: False))
    _, _, err = run_cli("stale", "--repo", NOPE, "--format", "table")
    assert err == f"cmtriage: error: github: {NOT_FOUND}\n"


def _no_progress(self, label):
    from contextlib import nullcontext

    return nullcontext(None)


# --- output a person can copy -------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "starts"), [
    ("out.json", '{\n  "report": "stale"'), ("out.CSV", "repo,number,kind,title,author,days_idle,"),
    ("out.md", "#### 1 GitHub issue"), ("out.txt", "#### 1 GitHub issue"),
])
def test_output_file_extension_picks_the_format(docs, run_cli, tmp_path, name, starts, monkeypatch):
    monkeypatch.setenv("CMTRIAGE_FORMAT", "payload")  # the file's extension is the more specific wish
    path = tmp_path / name
    assert run_cli("stale", "--repo", DOCS, "-o", str(path)) == (0, "", "")
    if name == "out.txt":  # no known extension: CMTRIAGE_FORMAT, as before
        assert json.loads(path.read_text())["text"].startswith(starts)
    else:
        assert path.read_text().startswith(starts)


def test_format_wins_over_the_extension(docs, run_cli, tmp_path):
    path = tmp_path / "out.json"
    assert run_cli("stale", "--repo", DOCS, "-o", str(path), "--format", "csv")[0] == 0
    assert path.read_text().startswith("repo,number,")


def test_csv_headers_are_the_json_keys(docs, run_cli):
    _, out, _ = run_cli("stale", "--repo", DOCS, "--format", "csv")
    header = out.splitlines()[0].split(",")
    _, document, _ = run_cli("stale", "--repo", DOCS, "--format", "json")
    assert header == ["repo", "number", "kind", "title", "author", "days_idle", "waiting_on", "labels", "url"]
    assert set(header) <= set(json.loads(document)["items"][0])

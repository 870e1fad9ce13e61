"""Never a false all-clear, errors that say what to do, output a person can copy."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from cmtriage.sources import github as source
from fakes import mattermost
from fakes.github import TOKEN, FakeGitHub, point_at, serve

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


def test_a_used_up_rate_limit_is_not_listed(docs, run_cli):
    docs.exhaust(reset_in=1800)
    code, out, _ = run_cli("stale", "--repo", DOCS, "--format", "markdown")
    assert code == 1
    assert out.startswith("#### Stale GitHub issues and pulls: not listed\n")
    assert "Nothing has waited" not in out and "0 GitHub" not in out


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


# --- settings and networks that do not work -----------------------------------------------------------------
@pytest.mark.parametrize("value", ["api.github.com", "ftp://api.github.com", "https://", "http://a b"])
def test_a_github_api_url_that_is_no_address_is_a_usage_error(run_cli, monkeypatch, value):
    monkeypatch.setenv("GITHUB_API_URL", value)
    code, out, err = run_cli("stale", "--repo", DOCS)
    assert (code, out) == (2, "")
    assert err == ("cmtriage: error: GITHUB_API_URL: expected an http(s) address like https://api.github.com "
                   f"(or https://HOST/api/v3 for GitHub Enterprise), got {value.strip()!r}\n")


def _web_server(status: int, body: str, content_type: str = "text/html"):
    from http.server import BaseHTTPRequestHandler

    from fakes import listening

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return listening(Handler)


@pytest.mark.parametrize(("status", "body", "what"), [
    (501, '{"error": "not implemented"}', "501"),
    (404, "<!DOCTYPE html><html><body>Not Found</body></html>", "a web page"),
    (200, "<html><body>Welcome to nginx!</body></html>", "a web page"),
    (200, "hello", "no JSON"),
])
def test_a_github_api_url_that_is_no_github_api_says_so(run_cli, monkeypatch, write_config, status, body,
                                                        what):
    monkeypatch.setattr(source, "sleep", lambda seconds: None)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    write_config(repos="staff: {orgs: [mattermost]}\n"
                       "github: [{repo: mattermost/docs}, {repo: mattermost/x}]\n")
    with _web_server(status, body) as url:
        monkeypatch.setenv("GITHUB_API_URL", url)
        code, out, err = run_cli("stale", "--format", "json")
    message = (f"{url} answered {what}, not as a GitHub API does; check GITHUB_API_URL (https://api.github.com,"
               " or https://HOST/api/v3 for GitHub Enterprise)")
    assert (code, err) == (1, f"cmtriage: error: github: {message}\n")  # once, and no 'try again later'
    assert json.loads(out)["errors"] == [{"source": "github", "message": message}]


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_without_network_it_says_what_could_not_be_reached_and_what_to_check(run_cli, monkeypatch,
                                                                               write_config):
    from cmtriage.terminal import Terminal

    waits: list[float] = []
    monkeypatch.setattr(source, "sleep", waits.append)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    write_config(repos="staff: {orgs: [mattermost]}\ngithub: [{repo: mattermost/docs}]\n")
    root = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("GITHUB_API_URL", root)
    code, out, err = run_cli("stale", "--format", "markdown")
    message = (f"cannot reach {root} (connection refused; 4 tries); check the network, HTTPS_PROXY (if you "
               "need a proxy) and GITHUB_API_URL")
    assert (code, err) == (1, f"cmtriage: error: github: {message}\n")  # no blame on the staff org
    assert "staff org" not in out
    assert len(waits) == 4  # two backoffs for each of two requests (the first retry goes at once)
    # On a terminal, each retry is said while it happens (once, however many requests meet it).
    monkeypatch.setattr(Terminal, "stderr_is_terminal", staticmethod(lambda: True))
    monkeypatch.setattr(Terminal, "progress", _no_progress)
    code, _, err = run_cli("stale", "--format", "json")
    assert err.splitlines() == [
        f"cmtriage: cannot reach {root} (connection refused); trying again (2 of 4)",
        f"cmtriage: cannot reach {root} (connection refused); trying again (3 of 4)",
        f"cmtriage: cannot reach {root} (connection refused); trying again (4 of 4)",
        f"cmtriage: error: github: {message}",
    ]


# --- staff and tokens ---------------------------------------------------------------------------------------
@pytest.fixture
def org(docs: FakeGitHub, write_config) -> FakeGitHub:
    write_config(repos="staff: {orgs: [mattermost]}\ngithub: [{repo: mattermost/docs}]\n")
    docs.orgs["mattermost"] = {"jesse": False, "lee": True}  # jesse's membership is private
    docs.add_issue(DOCS, 7, "By a private member", author="jesse", created="2026-09-01T10:00:00Z")
    return docs


STAFF_NOTE = "staff: public members of mattermost only ({why}); 2 items may be misjudged."
STAFF_WARNING = ("cmtriage: warning: staff: public members of mattermost only ({why}): their private members "
                 "count as community here")


def test_a_token_without_read_org_is_said_once_on_stderr_and_in_the_notes(org, run_cli):
    org.scopes = "repo"
    code, out, err = run_cli("stale", "--format", "markdown")
    assert code == 0
    assert err == STAFF_WARNING.format(why="token lacks read:org") + "\n"
    assert out.splitlines()[1] == STAFF_NOTE.format(why="token lacks read:org")
    assert "By a private member" in out  # what the note warns of
    # A digest asks once and warns once; each GitHub section carries the note.
    code, out, err = run_cli("digest", "--format", "markdown")
    assert err == STAFF_WARNING.format(why="token lacks read:org") + "\n"
    assert out.count("staff: public members of mattermost only (token lacks read:org)") == 2


@pytest.mark.parametrize("scopes", ["repo, read:org", "admin:org", None])
def test_a_token_that_may_see_private_members_says_nothing(org, run_cli, scopes):
    org.scopes = scopes  # None: a fine-grained token, whose scopes GitHub does not say
    code, out, err = run_cli("stale", "--format", "json")
    assert (code, err) == (0, "")
    assert [i["number"] for i in json.loads(out)["items"]] == [5]  # jesse is staff


def test_without_a_token_it_says_first_what_github_allows_and_what_the_run_needs(org, run_cli, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN")
    _, out, err = run_cli("stale", "--format", "markdown")
    first = ("cmtriage: warning: no GITHUB_TOKEN or GH_TOKEN: GitHub allows 60 requests an hour without a "
             "token, and this run needs at least {}; set GITHUB_TOKEN to a token (no scope needed for public "
             "repos, read:org to see private staff members)")
    assert err.splitlines() == [first.format(4), STAFF_WARNING.format(why="no GITHUB_TOKEN or GH_TOKEN")]
    assert org.billed() == 4  # what it said: a repo, an org, a page of items, a page of comments
    assert out.splitlines()[1] == STAFF_NOTE.format(why="no GITHUB_TOKEN or GH_TOKEN")
    _, _, err = run_cli("new", "--format", "markdown")
    assert err.splitlines()[0] == first.format(3)
    _, _, err = run_cli("digest", "--format", "markdown")
    assert err.splitlines()[0] == first.format(5)


# --- replies copied exactly ---------------------------------------------------------------------------------
HOSTILE_REPLY = ("Thanks @{author}! See `docs` and ``more`` | [here](https://a.example) _em_ *b* <b>x</b> "
                 "@all https://forum.example.com \\| back\\slash &amp; www.example.com")


@pytest.mark.parametrize("command", ["new", "digest"])
def test_a_reply_copied_from_the_rendered_post_is_the_plain_reply(fake, run_cli, write_config, command):
    from markdown_it import MarkdownIt

    write_config(repos=f"github: [{{repo: {DOCS}}}]\nreplies:\n  Bug: {json.dumps(HOSTILE_REPLY)}\n"
                       "  Troubleshooting: \"`Hi @{author}`, see {forum_url}\"\n")
    fake.add_repo(DOCS)
    fake.add_issue(DOCS, 8, "App crashes on upload", author="alice", created="2026-11-24T10:00:00Z",
                   labels=("bug",))
    fake.add_issue(DOCS, 9, "Can't connect behind nginx reverse proxy", author="bob",
                   created="2026-11-24T11:00:00Z")
    _, document, _ = run_cli(command, "--format", "json")
    replies = [item["reply"] for item in json.loads(document)["items"] if item.get("reply")]
    assert replies[0] == HOSTILE_REPLY.replace("{author}", "alice")
    assert replies[1] == "`Hi @bob`, see https://forum.mattermost.com"
    for fmt in ("markdown", "payload"):
        _, out, _ = run_cli(command, "--format", fmt)
        text = out if fmt == "markdown" else "".join(json.loads(line)["text"] for line in out.splitlines())
        cells = [child for token in MarkdownIt("commonmark").enable("table").parse(text)
                 if token.type == "inline" for child in token.children or () if child.type == "code_inline"]
        assert [cell.content for cell in cells] == replies  # what a reader copies is the reply, exactly
        assert "\u200b" not in "".join(cell.content for cell in cells)


# --- the curl recipe, as documented, against the fake webhook ---------------------------------------------
def _recipes() -> dict[str, str]:
    """The `| while ... done` loop of each --help that has one, and of the README, dedented."""
    import textwrap
    from pathlib import Path

    from click.testing import CliRunner

    from cmtriage.cli import COMMANDS, cli

    found = {}
    for args in ((), *((name,) for name in COMMANDS)):
        text = CliRunner().invoke(cli, [*args, "--help"]).output
        if "while IFS=" in text or args in ((), ("stale",), ("digest",), ("zendesk",)):
            found[" ".join(args) or "cmtriage"] = text
    found["README"] = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    loops = {}
    for where, text in found.items():
        match = re.search(r"^( *)cmtriage [^\n|]*(\| while IFS= read -r body; do\n.*?^\1done$)", text,
                          re.M | re.S)
        assert match, f"no curl recipe (or not the documented one) in {where}"
        lines = match.group(2).splitlines()
        loops[where] = "\n".join([lines[0], textwrap.dedent("\n".join(lines[1:]))]) + "\n"
    return loops


def test_the_curl_recipe_is_the_same_in_every_help_and_the_readme():
    loops = _recipes()
    assert len(set(loops.values())) == 1, loops
    loop = next(iter(loops.values()))
    assert "curl -fsS -H 'Content-Type: application/json' --data-binary @-" in loop


def _run_recipe(lines: list[str], url: str) -> tuple[int, str, str]:
    import os
    import subprocess

    loop = next(iter(_recipes().values()))
    script = "cat \"$PAYLOAD\" " + loop
    payload = os.path.join(os.environ["HOME"], "payload.jsonl")
    os.makedirs(os.environ["HOME"], exist_ok=True)
    with open(payload, "w", encoding="utf-8") as file:
        file.write("".join(line + "\n" for line in lines))
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False,
                            env={"PATH": os.environ["PATH"], "PAYLOAD": payload,
                                 "MATTERMOST_WEBHOOK_URL": url, "NO_PROXY": "127.0.0.1",
                                 "no_proxy": "127.0.0.1"})
    return result.returncode, result.stdout, result.stderr


def test_the_curl_recipe_posts_every_part_quietly(docs, run_cli):
    _, out, _ = run_cli("stale", "--repo", DOCS, "--format", "payload")
    lines = out.splitlines() * 2  # two parts
    with mattermost.running() as chat:
        assert _run_recipe(lines, chat.url()) == (0, "", "")
        assert chat.texts() == [json.loads(line)["text"] for line in lines]
        assert {r["headers"]["content-type"] for r in chat.requests} == {"application/json"}


def test_the_curl_recipe_fails_when_mattermost_refuses_a_post(docs, run_cli):
    _, out, _ = run_cli("stale", "--repo", DOCS, "--format", "payload")
    lines = out.splitlines() * 3
    with mattermost.running() as chat:
        chat.answer_next(400, json.dumps({"id": "web.incoming_webhook.text.app_error"}), after=1)
        code, stdout, stderr = _run_recipe(lines, chat.url())
        assert (code, stdout) == (1, "")
        assert "The requested URL returned error: 400" in stderr
        assert len(chat.requests) == 2  # it stopped at the refused post
    with mattermost.running(enabled=False) as chat:
        code, _, stderr = _run_recipe(lines, chat.url())
        assert code == 1 and "returned error: 501" in stderr


# --- the terminal table -------------------------------------------------------------------------------------
LONG = ("Desktop app crashes on start after the 5.11 update when the server uses SAML with Okta and the "
        "user has more than one team and a custom emoji in their display name")


@pytest.fixture
def crowded(docs: FakeGitHub) -> FakeGitHub:
    docs.add_issue(DOCS, 11, LONG, author="a-rather-long-login-name", created="2026-10-01T10:00:00Z",
                   labels=("Type/Bug", "Area/Desktop", "Help Wanted", "Difficulty/2:Medium"))
    docs.add_issue(DOCS, 12, "Short", author="bo", created="2026-10-02T10:00:00Z")
    return docs


def test_at_80_columns_a_row_is_at_most_two_lines_and_the_repo_is_not_repeated(crowded, run_cli,
                                                                                 monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run_cli("stale", "--repo", DOCS, "--format", "table")
    assert code == 0
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), out
    assert "mattermost/docs" in lines[1]  # the group's heading...
    header = next(line for line in lines if line.startswith("┃"))
    assert "Repo" not in header and "Title" in header  # ...and no Repo column repeating it
    assert sum("mattermost/docs" in line for line in lines) == 1
    rows = [line for line in lines if line.startswith("│")]
    assert len(rows) <= 2 * 3  # three items, at most two lines each
    first = [line.split("│")[3].strip() for line in rows[:2]]  # the title, folded once and cut
    assert first[0].startswith("Desktop app") and first[1].endswith("…")
    assert " ".join(first).rstrip("…") in LONG


def test_on_a_terminal_titles_are_links(crowded, run_cli, monkeypatch):
    from cmtriage.terminal import Terminal

    monkeypatch.setattr(Terminal, "stdout_is_terminal", staticmethod(lambda: True))
    _, out, _ = run_cli("stale", "--repo", DOCS, "--format", "table")
    targets = {t.removeprefix("https://github.com/") for t in re.findall(r"\x1b]8;[^;]*;([^\x1b\x07]+)", out)}
    assert targets == {f"{DOCS}/issues/{n}" for n in (5, 11, 12)}
    # written to a file, or piped, nothing but text
    monkeypatch.setattr(Terminal, "stdout_is_terminal", staticmethod(lambda: False))
    _, out, _ = run_cli("stale", "--repo", DOCS, "--format", "table")
    assert "\x1b" not in out

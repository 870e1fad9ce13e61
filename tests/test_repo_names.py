"""A repo name is GitHub's `owner/name`, checked before any request: `../user` would send the token to
/user, and `repo: ../..` passed `config check`."""

from __future__ import annotations

import pytest

from fakes.github import TOKEN, FakeGitHub, serve

BAD = ["../user", "../..", "mattermost/..", "mattermost/.", ".hidden/repo", "-owner/repo", "owner/",
       "a/b/c", "owner/re po", "owner/na%2F..", "ow~ner/x", "o" * 40 + "/x", "owner/" + "x" * 101]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, write_config):
    monkeypatch.setenv("CMTRIAGE_NOW", "2026-11-24T14:00:00Z")
    with serve(FakeGitHub()) as running:
        monkeypatch.setenv("GITHUB_API_URL", running.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        yield running


@pytest.mark.parametrize("name", BAD)
def test_a_bad_repo_option_is_a_usage_error_before_any_request(fake: FakeGitHub, run_cli, name: str):
    assert run_cli("stale", "--repo", name) == (
        2, "", f"cmtriage: error: --repo: expected OWNER/NAME, got {name!r}\n")
    assert fake.requests == []


@pytest.mark.parametrize("name", BAD)
def test_a_bad_repo_in_repos_yaml_fails_config_check(write_config, run_cli, name: str):
    folder = write_config(repos=f"github:\n  - repo: '{name}'\n")
    code, out, err = run_cli("config", "check")
    assert (code, out) == (2, "")
    assert err.startswith(f"cmtriage: error: {folder / 'repos.yaml'}:2: github[0].repo: expected owner/name "
                          "like mattermost/mattermost, got ")


@pytest.mark.parametrize("name", ["mattermost/.github", "a/b", "Some-Org_1/repo.name-x_y", "o" * 39 + "/x"])
def test_real_names_pass(write_config, run_cli, name: str):
    rotation = "start: 2026-01-05\nmembers: [{name: Ada}]\n"
    write_config(repos=f"github:\n  - repo: '{name}'\n", rotation=rotation)
    code, out, _ = run_cli("config", "check")
    assert code == 0 and f"    {name}  issues" in out


def test_a_staff_org_is_a_github_name_too(write_config, run_cli):
    folder = write_config(repos="staff:\n  orgs: [mattermost, ../user]\n")
    assert run_cli("config", "check") == (
        2, "", f"cmtriage: error: {folder / 'repos.yaml'}:2: staff.orgs[1]: expected a GitHub organization's "
               'name like mattermost, got "../user"\n')


def test_a_canonical_name_from_the_server_that_is_no_repo_name_fails_that_repo(fake: FakeGitHub, run_cli,
                                                                                write_config):
    write_config(repos="github:\n  - repo: mattermost/docs\n  - repo: mattermost/mattermost\n")
    fake.add_repo("mattermost/docs")
    fake.add_repo("mattermost/mattermost")
    fake.tamper = lambda path, params, status, headers, body: (
        (status, headers, {**body, "full_name": "../../user"}) if path == "/repos/mattermost/docs"
        else (status, headers, body))
    code, _, err = run_cli("stale", "-f", "markdown")
    assert code == 1
    assert err == ("cmtriage: error: github: mattermost/docs: unexpected answer from GitHub: "
                   "full_name is not owner/name: '../../user'\n")
    assert not [r for r in fake.requests if "user" in r.path]

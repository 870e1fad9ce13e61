"""repos.yaml and rotation.yaml: what they parse to, and the one exact line each mistake gives."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cmtriage.config import (
    Forum,
    HelpWanted,
    Jira,
    MattermostTarget,
    Member,
    Override,
    ReleaseManager,
    ReposConfig,
    RepoWatch,
    RotationConfig,
    StackOverflow,
    Staff,
    UserVoice,
    Zendesk,
    load_repos,
    load_rotation,
)
from cmtriage.errors import ConfigError

PROJECT = Path(__file__).resolve().parents[1]

# DESIGN.md's examples, verbatim.
REPOS = """\
staff:                      # who counts as the team: their items are never "community" items
  orgs: [mattermost]        # members of these GitHub orgs (listed through the API)
  logins: [hanna]           # more logins; author_association OWNER/MEMBER counts too
bots: [mattermod]           # accounts whose activity is not human activity (plus any [bot] / type Bot)
github:
  - repo: mattermost/platform      # old names are followed to the new one, with a warning
    watch: issues                  # issues | pulls | both (default issues)
  - repo: mattermost/android
    watch: pulls
    stale_days: 30                 # a repo's own threshold wins over --days
helpwanted: {label: Help Wanted, repos: [mattermost/mattermost]}
forum: {url: https://forum.mattermost.com, unanswered_days: 2}
stackoverflow: {tagged: [mattermost]}
uservoice: {url: https://mattermost.uservoice.com}
jira: {url: https://mattermost.atlassian.net}
zendesk: {url: https://mattermost.zendesk.com, query: "type:ticket status<solved tags:community"}
mattermost: {channel: community-heartbeat, username: cmtriage}
"""

ROTATION = """\
timezone: America/Toronto   # a week turns over at local midnight at the start of week_starts
week_starts: monday
start: 2026-01-05           # the rotation's first week is the week holding this date
members:                    # the rotation runs alphabetically by name, whatever order they are listed in
  - name: Eric
    mention: eric.s         # Mattermost username (default: name lower-cased)
  - name: Jason
  - name: Lindsay
  - name: Ada
    from: 2026-12-07        # joins the rotation from that week on; `until:` leaves it
overrides:                  # who covers a week instead; the queue itself does not move
  - week: 2026-11-23        # any date inside that week
    who: Lindsay
    reason: Eric at a conference
release_managers:           # who updates UserVoice after each release
  - version: "11.2"
    who: Jason
    date: 2026-12-16
handoffs: {zendesk: Hanna}
"""

MINIMAL_ROTATION = "start: 2026-01-05\nmembers:\n  - name: Eric\n"


@pytest.fixture
def check(write_config, run_cli, monkeypatch):
    """`config check` run from inside the config folder, so messages name files as `rotation.yaml`.
    A file not given is written valid."""

    def check(*, repos: str = REPOS, rotation: str = ROTATION) -> tuple[int, str, str]:
        monkeypatch.chdir(write_config(repos=repos, rotation=rotation))
        return run_cli("config", "check", "--config-dir", ".")

    return check


def error_of(check, **files: str) -> str:
    """The one stderr line of a failed check, without its "cmtriage: error: " prefix."""
    code, out, err = check(**files)
    assert (code, out) == (2, ""), err
    assert err.startswith("cmtriage: error: ") and err.endswith("\n") and err.count("\n") == 1, err
    return err.removeprefix("cmtriage: error: ").removesuffix("\n")


# --- what the files parse to -----------------------------------------------------------------------------
def test_the_design_example_of_repos_yaml(write_config):
    assert load_repos(write_config(repos=REPOS)) == ReposConfig(
        staff=Staff(orgs=("mattermost",), logins=("hanna",)),
        bots=("mattermod",),
        github=(RepoWatch("mattermost/platform", "issues", None, line=6),
                RepoWatch("mattermost/android", "pulls", 30, line=8)),
        helpwanted=HelpWanted(label="Help Wanted", repos=("mattermost/mattermost",)),
        forum=Forum(url="https://forum.mattermost.com", unanswered_days=2),
        stackoverflow=StackOverflow(tagged=("mattermost",)),
        uservoice=UserVoice(url="https://mattermost.uservoice.com"),
        jira=Jira(url="https://mattermost.atlassian.net"),
        zendesk=Zendesk(url="https://mattermost.zendesk.com",
                        query="type:ticket status<solved tags:community"),
        mattermost=MattermostTarget(channel="community-heartbeat", username="cmtriage"),
    )


def test_the_design_example_of_rotation_yaml(write_config):
    assert load_rotation(write_config(rotation=ROTATION)) == RotationConfig(
        timezone=ZoneInfo("America/Toronto"),
        week_starts=0,
        start=date(2026, 1, 5),
        members=(Member("Eric", "eric.s"), Member("Jason", "jason"), Member("Lindsay", "lindsay"),
                 Member("Ada", "ada", joins=date(2026, 12, 7))),
        overrides=(Override(date(2026, 11, 23), "Lindsay", "Eric at a conference"),),
        release_managers=(ReleaseManager("11.2", "Jason", date(2026, 12, 16)),),
        handoffs=(("zendesk", "Hanna"),),
    )


def test_defaults_and_the_text_as_written(write_config):
    rotation = load_rotation(write_config(rotation="""\
        week_starts: sunday
        start: "2026-01-04"
        members:
          - {name: 007, mention: "@Bond"}
        release_managers:
          - {version: 11.10, who: 007, date: 2026-12-16}
        """))
    assert (rotation.timezone, rotation.week_starts, rotation.start) == (ZoneInfo("UTC"), 6, date(2026, 1, 4))
    # YAML would read these as the numbers 7 and 11.1; the user meant the text.
    assert rotation.members == (Member("007", "Bond"),)
    assert rotation.release_managers[0].version == "11.10"
    repos = load_repos(write_config(repos="bots: mattermod\nforum: {url: 'https://forum.example.com/'}\n"))
    assert (repos.bots, repos.forum) == (("mattermod",), Forum("https://forum.example.com"))
    assert (repos.staff, repos.github, repos.mattermost) == (Staff(), (), MattermostTarget())


def test_the_same_repo_may_be_watched_for_issues_and_for_pulls(write_config):
    repos = load_repos(write_config(repos="""\
        github:
          - {repo: mattermost/ios, watch: issues}
          - {repo: mattermost/ios, watch: pulls, stale_days: 30}
        """))
    assert [(w.repo, w.kinds) for w in repos.github] == [
        ("mattermost/ios", frozenset({"issue"})), ("mattermost/ios", frozenset({"pull"}))]


def test_an_alias_is_placed_where_it_is_used(write_config):
    with pytest.raises(ConfigError) as error:
        load_rotation(write_config(rotation="start: 2026-01-05\nmembers:\n- &eric {name: Eric}\n- *eric\n"))
    assert (error.value.line, error.value.key) == (4, "members[1].name")


def test_the_readme_rotation_example_overrides_a_week_of_the_member_it_says_is_away(write_config):
    from cmtriage.rotation import week_of

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    example = readme.split("### rotation.yaml — who is on duty\n")[1].split("```yaml\n")[1].split("```")[0]
    rotation = load_rotation(write_config(rotation=example))
    [override] = rotation.overrides
    week = week_of(rotation, override.week)
    assert (week.start, week.scheduled.name, week.on_duty.name, override.reason) == (
        date(2026, 12, 14), "Eric", "Lindsay", "Eric at a conference")


# --- the shipped files -----------------------------------------------------------------------------------
def test_the_shipped_config_passes_the_check(tmp_path, run_cli, monkeypatch):
    for name in ("repos.yaml", "rotation.yaml"):
        shutil.copy(PROJECT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CMTRIAGE_CONFIG_DIR")  # the default is the current directory
    code, out, err = run_cli("config", "check")
    assert (code, err) == (0, ""), err
    assert out.splitlines()[:3] == ["repos.yaml: OK", "  GitHub: 10 watches",
                                    "    mattermost/mattermost                    issues"]
    assert "  members: Eric (@eric.s), Jason (@jason), Lindsay (@lindsay)" in out.splitlines()


def test_check_says_what_the_files_set_up(check):
    assert check() == (0, """\
repos.yaml: OK
  GitHub: 2 watches
    mattermost/platform  issues
    mattermost/android   pulls, stale after 30 days
  other sources: helpwanted, forum, stackoverflow, uservoice, jira, zendesk
  staff: orgs mattermost; 1 more logins; 1 bots
rotation.yaml: OK
  members: Ada (@ada), Eric (@eric.s), Jason (@jason), Lindsay (@lindsay)
  time zone America/Toronto; weeks start on monday; first week holds 2026-01-05
  1 overrides, 1 release managers
""", "")


# --- one exact line per mistake --------------------------------------------------------------------------
def test_a_missing_file_names_its_path_and_the_way_to_another_folder(write_config, run_cli, tmp_path):
    folder = write_config(repos=REPOS)
    assert run_cli("config", "check", "--config-dir", str(folder)) == (
        2, "", f"cmtriage: error: {folder / 'rotation.yaml'}: file not found "
               "(use --config-dir or CMTRIAGE_CONFIG_DIR)\n")
    # Messages name the file as --config-dir spells it, so the user can open it from there.
    folder.joinpath("rotation.yaml").write_text("start: soon\n", encoding="utf-8")
    assert run_cli("config", "check")[2] == (
        f"cmtriage: error: {folder / 'rotation.yaml'}:1: start: expected a date like 2026-12-07, "
        'got "soon"\n')


ROTATION_KEYS = "timezone, week_starts, start, members, overrides, release_managers, handoffs"
REPOS_KEYS = ("staff, bots, github, helpwanted, forum, stackoverflow, uservoice, jira, zendesk, gitlab, "
              "mattermost, replies, types, reports")
START = "start: 2026-01-05\n"

# (id, the file, the message after "cmtriage: error: ")
ROTATION_MISTAKES = [
    ("empty file", "",
     f"rotation.yaml:1: expected a mapping with the keys {ROTATION_KEYS}, got an empty file"),
    ("only comments", "# only a comment\n\n",
     f"rotation.yaml:1: expected a mapping with the keys {ROTATION_KEYS}, got an empty file"),
    ("top level list", "- Eric\n- Jason\n",
     f"rotation.yaml:1: expected a mapping with the keys {ROTATION_KEYS}, got a list"),
    ("syntax error", START + "members:\n  - name: Eric\n   - name: Jason\n",
     "rotation.yaml:4: YAML syntax error: expected <block end>, but found '<block sequence start>' "
     "(while parsing a block collection on line 3)"),
    ("unclosed flow list", START + "members: [{name: Eric},\n  {name: Jason}\nfoo: 1\n",
     "rotation.yaml:4: YAML syntax error: expected ',' or ']', but got '<scalar>' "
     "(while parsing a flow sequence on line 2)"),
    ("tab", START + "\tmembers: []\n",
     "rotation.yaml:2: YAML syntax error: found character '\\t' that cannot start any token"),
    ("duplicate key", START + "members:\n  - name: Eric\nstart: 2026-01-12\n",
     "rotation.yaml:4: start: duplicate key (first on line 1)"),
    ("duplicate flow key", START + "members:\n  - {name: Eric, name: Jason}\n",
     "rotation.yaml:3: members[0].name: duplicate key (first on line 3)"),
    ("no start", "members:\n  - name: Eric\n",
     "rotation.yaml:1: start: missing; expected the date the rotation starts, like 2026-01-05"),
    ("no members", "# the team\n\n" + START,
     "rotation.yaml:3: members: missing; expected a list of members, each with a name"),
    ("members empty value", START + "members:\n",
     "rotation.yaml:2: members: expected a list, got nothing"),
    ("no member", START + "members: []\n",
     "rotation.yaml:2: members: expected at least one member, got an empty list"),
    ("member not a mapping", START + "members:\n  - Eric\n",
     'rotation.yaml:3: members[0]: expected a mapping with the keys name, mention, from, until, got "Eric"'),
    ("no name", START + "members:\n  - mention: eric\n",
     "rotation.yaml:3: members[0].name: missing; expected the member's name"),
    ("unknown member key", START + "members:\n  - name: Eric\n    nick: e\n",
     "rotation.yaml:4: members[0].nick: unknown key (known keys: name, mention, from, until)"),
    ("unknown top key", "timezone: UTC\nteam: community\n" + START + "members: [{name: Eric}]\n",
     f"rotation.yaml:2: team: unknown key (known keys: {ROTATION_KEYS})"),
    ("bad from",
     START + "members:\n  - name: Eric\n  - name: Jason\n  - name: Ada\n"
             "    mention: ada\n    from: next week\n",
     'rotation.yaml:7: members[2].from: expected a date like 2026-12-07, got "next week"'),
    ("impossible date", START + "members: [{name: Eric}, {name: Ada, from: 2026-02-30}]\n",
     "rotation.yaml:2: members[1].from: expected a date like 2026-12-07, got 2026-02-30"),
    ("flow style lines", START + "members: [\n  {name: Eric},\n  {name: Ada, until: [soon]}]\n",
     "rotation.yaml:4: members[1].until: expected a date like 2026-12-07, got a list"),
    ("from after until", START + "members:\n  - name: Ada\n    from: 2026-03-02\n    until: 2026-02-01\n",
     "rotation.yaml:5: members[0].until: expected a date on or after from: 2026-03-02, got 2026-02-01"),
    ("duplicate member", START + "members:\n  - name: Eric\n  - name: Jason\n  - name: eric\n",
     'rotation.yaml:5: members[2].name: duplicate member name "eric" (members[0] on line 3 is "Eric")'),
    ("name a list", START + "members:\n  - name: [Eric]\n",
     "rotation.yaml:3: members[0].name: expected a string, got a list"),
    ("name read as a boolean", START + "members:\n  - name: No\n",
     "rotation.yaml:3: members[0].name: expected a string, got No "
     "(YAML reads it as true or false: quote it)"),
    ("control character", START + 'members:\n  - name: "Eric\\e[31m"\n',
     'rotation.yaml:3: members[0].name: expected text without control characters, got "Eric\\u001b[31m"'),
    ("name is no username", START + "members:\n  - name: Ada Lovelace\n",
     'rotation.yaml:3: members[0].mention: missing; expected the Mattermost username of "Ada Lovelace" '
     "(the name is not one)"),
    ("mention notifies a channel", START + "members:\n  - name: Eric\n    mention: '@here'\n",
     'rotation.yaml:4: members[0].mention: expected a Mattermost username like eric.s, got "@here"'),
    ("name notifies a channel", START + "members:\n  - name: All\n",
     'rotation.yaml:3: members[0].mention: missing; expected the Mattermost username of "All" '
     "(the name is not one)"),
    ("override names a non-member", START + "members:\n  - name: Eric\noverrides:\n  - week: 2026-02-02\n"
     "    who: Hanna\n",
     'rotation.yaml:6: overrides[0].who: expected a member\'s name ("Eric"), got "Hanna"'),
    ("two overrides in a week", START + "members: [{name: Jason}, {name: Eric}]\noverrides:\n"
     "  - {week: 2026-02-02, who: Eric}\n  - {week: 2026-02-08, who: Jason}\n",
     "rotation.yaml:5: overrides[1].week: 2026-02-08 is in the same week as overrides[0] "
     "(2026-02-02, line 4); keep one"),
    ("override without week", START + "members: [{name: Eric}]\noverrides:\n  - {who: Eric}\n",
     "rotation.yaml:4: overrides[0].week: missing; expected a date inside the week, like 2026-12-07"),
    ("bad time zone", "timezone: Mars/Olympus_Mons\n" + START + "members: [{name: Eric}]\n",
     'rotation.yaml:1: timezone: expected an IANA time zone like America/Toronto, got "Mars/Olympus_Mons"'),
    ("time zone folder", "timezone: America\n" + START + "members: [{name: Eric}]\n",
     'rotation.yaml:1: timezone: expected an IANA time zone like America/Toronto, got "America"'),
    ("time zone path", "timezone: ../../../etc/passwd\n" + START + "members: [{name: Eric}]\n",
     'rotation.yaml:1: timezone: expected an IANA time zone like America/Toronto, got "../../../etc/passwd"'),
    ("bad weekday", "week_starts: Mon\n" + START + "members: [{name: Eric}]\n",
     "rotation.yaml:1: week_starts: expected one of monday | tuesday | wednesday | thursday | friday | "
     'saturday | sunday, got "Mon"'),
    ("tagged control characters", 'start: !date "\\e[2J"\nmembers: [{name: Eric}]\n',
     'rotation.yaml:1: start: expected a date like 2026-12-07, got "\\u001b[2J"'),
    ("start with a time", "start: 2026-01-05 09:00\nmembers: [{name: Eric}]\n",
     'rotation.yaml:1: start: expected a date like 2026-12-07, got "2026-01-05 09:00"'),
    ("release without date", START + "members: [{name: Eric}]\nrelease_managers:\n  - version: '11.2'\n"
     "    who: Eric\n",
     "rotation.yaml:4: release_managers[0].date: missing; expected the release date, like 2026-12-16"),
    ("handoffs a list", START + "members: [{name: Eric}]\nhandoffs: [zendesk]\n",
     "rotation.yaml:3: handoffs: expected a mapping with the keys zendesk, got a list"),
    ("handoff to an unknown duty", START + "members: [{name: Eric}]\nhandoffs: {zendsk: Hanna}\n",
     "rotation.yaml:3: handoffs.zendsk: unknown key (known keys: zendesk)"),
    ("release manager not a member", START + "members: [{name: Eric}, {name: Jason}]\nrelease_managers:\n"
     "  - version: '11.2'\n    who: Zed\n    date: 2026-12-16\n",
     'rotation.yaml:5: release_managers[0].who: expected a member\'s name ("Eric", "Jason"), got "Zed"'),
    ("everyone left before the start", "start: 2026-01-07\nmembers:\n  - {name: Eric, until: 2026-01-04}\n"
     "  - {name: Jason, from: 2025-06-02, until: 2025-12-31}\n",
     "rotation.yaml:1: start: no member is ever on the rotation: the last one leaves on 2026-01-04 (until:), "
     "before its first week, 2026-01-05 – 2026-01-11"),
    ("too deep", START + "members: [{name: Eric}]\noverrides:\n" + "  [\n" * 60,
     "rotation.yaml:53: nests too deep: more than 50 lists and mappings inside each other"),
]

REPOS_MISTAKES = [
    ("empty file", "",
     f"repos.yaml:1: expected a mapping with the keys {REPOS_KEYS}, got an empty file"),
    ("top level string", "mattermost/mattermost\n",
     f'repos.yaml:1: expected a mapping with the keys {REPOS_KEYS}, got "mattermost/mattermost"'),
    ("bad watch", "github:\n  - repo: mattermost/docs\n    watch: issue\n",
     'repos.yaml:3: github[0].watch: expected one of issues | pulls | both, got "issue"'),
    ("watch a list", "github:\n  - {repo: mattermost/docs, watch: [issues, pulls]}\n",
     "repos.yaml:2: github[0].watch: expected a string, got a list"),
    ("no repo", "github:\n  - watch: issues\n",
     "repos.yaml:2: github[0].repo: missing; expected owner/name like mattermost/mattermost"),
    ("repo as url", "github:\n  - repo: https://github.com/mattermost/docs\n",
     'repos.yaml:2: github[0].repo: expected owner/name like mattermost/mattermost, '
     'got "https://github.com/mattermost/docs"'),
    ("github item a string", "github:\n  - mattermost/docs\n",
     "repos.yaml:2: github[0]: expected a mapping with the keys repo, watch, stale_days, "
     'got "mattermost/docs"'),
    ("stale days text", "github:\n  - {repo: mattermost/docs, stale_days: a week}\n",
     'repos.yaml:2: github[0].stale_days: expected a whole number, got "a week"'),
    ("stale days float", "github:\n  - {repo: mattermost/docs, stale_days: 7.5}\n",
     "repos.yaml:2: github[0].stale_days: expected a whole number, got 7.5"),
    ("stale days zero", "github:\n  - {repo: mattermost/docs, stale_days: 0}\n",
     "repos.yaml:2: github[0].stale_days: expected a whole number of at least 1, got 0"),
    ("stale days too many", "github:\n  - {repo: mattermost/docs, stale_days: 3000000}\n",
     "repos.yaml:2: github[0].stale_days: expected a whole number of at most 3650, got 3000000"),
    ("stale days far too many", "github:\n  - {repo: mattermost/docs, stale_days: 99999999999}\n",
     "repos.yaml:2: github[0].stale_days: expected a whole number of at most 3650, got 99999999999"),
    ("stale days past python's int limit",
     "github:\n  - {repo: mattermost/docs, stale_days: " + "9" * 5000 + "}\n",
     "repos.yaml:2: github[0].stale_days: expected a whole number of at most 3650, got " + "9" * 59 + "…"),
    ("forum days too many", "forum: {url: https://forum.mattermost.com, unanswered_days: 3651}\n",
     "repos.yaml:1: forum.unanswered_days: expected a whole number of at most 3650, got 3651"),
    ("helpwanted days too many", "helpwanted: {repos: [mattermost/mattermost], follow_up_days: 0x7fffffff}\n",
     "repos.yaml:1: helpwanted.follow_up_days: expected a whole number of at most 3650, got 0x7fffffff"),
    ("2000 nested lists", "github: " + "[" * 2000 + "\n",
     "repos.yaml:1: nests too deep: more than 50 lists and mappings inside each other"),
    ("stale days bool", "github:\n  - {repo: mattermost/docs, stale_days: true}\n",
     "repos.yaml:2: github[0].stale_days: expected a whole number, got true"),
    ("same repo twice",
     "github:\n  - repo: mattermost/docs\n  - repo: mattermost/ios\n"
     "  - repo: Mattermost/Docs\n    watch: both\n",
     "repos.yaml:4: github[2]: Mattermost/Docs issues are already watched by github[0] (line 2)"),
    ("github empty", "github:\n",
     "repos.yaml:1: github: expected a list, got nothing"),
    ("unknown staff key", "staff:\n  org: mattermost\n",
     "repos.yaml:2: staff.org: unknown key (known keys: orgs, logins)"),
    ("org a mapping", "staff: {orgs: [mattermost, {name: x}]}\n",
     "repos.yaml:1: staff.orgs[1]: expected a string, got a mapping"),
    ("bots empty", "bots:\n",
     "repos.yaml:1: bots: expected a list of names, got nothing"),
    ("forum without url", "forum: {unanswered_days: 2}\n",
     "repos.yaml:1: forum.url: missing; expected the forum's URL"),
    ("url without scheme", "forum: {url: forum.mattermost.com}\n",
     'repos.yaml:1: forum.url: expected a URL like https://forum.example.com, got "forum.mattermost.com"'),
    ("credentials in a url", "jira: {url: 'https://me:s3cret@mattermost.atlassian.net'}\n",
     "repos.yaml:1: jira.url: a URL here must not hold a user name or password; "
     "secrets go in environment variables"),
    ("helpwanted without repos", "helpwanted: {label: Help Wanted}\n",
     "repos.yaml:1: helpwanted.repos: missing; expected a list of owner/name"),
    ("unknown reply type", "replies:\n  Bug: Thanks!\n  Feature: Please post it at {feature_ideas_url}\n",
     "repos.yaml:3: replies.Feature: unknown key "
     "(known keys: Bug, Feature Proposal, Troubleshooting, Developer/Product Question)"),
    ("duplicate flow key", "zendesk: {url: https://mattermost.zendesk.com, url: https://x.zendesk.com}\n",
     "repos.yaml:1: zendesk.url: duplicate key (first on line 1)"),
]


@pytest.mark.parametrize(("rotation", "message"), [case[1:] for case in ROTATION_MISTAKES],
                         ids=[case[0] for case in ROTATION_MISTAKES])
def test_a_rotation_mistake_is_one_exact_line(check, rotation, message):
    assert error_of(check, rotation=rotation) == message


@pytest.mark.parametrize(("repos", "message"), [case[1:] for case in REPOS_MISTAKES],
                         ids=[case[0] for case in REPOS_MISTAKES])
def test_a_repos_mistake_is_one_exact_line(check, repos, message):
    assert error_of(check, repos=repos) == message


def test_a_file_that_is_not_utf8_or_not_a_file(write_config, run_cli, monkeypatch):
    folder = write_config(repos=REPOS)
    (folder / "rotation.yaml").write_bytes(b"start: 2026-01-05\nmembers: [{name: Ren\xe9}]\n")  # Latin-1
    monkeypatch.chdir(folder)
    assert run_cli("config", "check", "--config-dir", ".") == (
        2, "", "cmtriage: error: rotation.yaml:2: not UTF-8 text (save the file as UTF-8)\n")
    (folder / "rotation.yaml").unlink()
    (folder / "rotation.yaml").mkdir()
    assert run_cli("config", "check", "--config-dir", ".") == (
        2, "", "cmtriage: error: rotation.yaml: cannot read: Is a directory\n")

"""`cmtriage forum` against a fake Discourse on 127.0.0.1 (and fake Stack Exchange, GitLab and GitHub):
the three lists, what is opened and what is not, rate limits, the topic cache, failures, the seed's @here."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from fakes.discourse import FakeDiscourse, serve
from forum_data import NOW, ROTATION_YAML, forum

ZWSP = "\u200b"
SEED = ("[Help Wanted] #forum @here can anyone help with these forum questions? These forum posts are open "
        "to everyone in the community. If you find something you think you know the answer to or can help "
        "with, please help post a response and be part of creating a vibrant Mattermost community!")


@pytest.fixture
def site() -> Iterator[FakeDiscourse]:
    with serve(forum()) as running:
        yield running


@pytest.fixture
def configured(site: FakeDiscourse, write_config, monkeypatch: pytest.MonkeyPatch, sleeps) -> FakeDiscourse:
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    write_config(repos=f"bots: [ops-bot]\nforum: {{url: '{site.url}/', staff_groups: [core]}}\n",
                 rotation=ROTATION_YAML)
    return site


def items(out: str) -> dict[str, tuple[str, str]]:
    """title -> (list, reason) of a JSON report."""
    return {i["title"]: (i["list"], i["reason"]) for i in json.loads(out)["items"]}


def test_markdown_starts_with_the_seed_message_and_lists_each_rule(configured, run_cli):
    code, out, err = run_cli("forum", "--format", "markdown")
    t = f"{configured.url}/t"
    assert (code, err) == (0, "")
    assert out == (
        f"{SEED}\n"
        "#### 10 forum questions for the community: 5 unanswered, 3 after the release, 2 waiting on us\n"
        "unanswered: no answer but the author's for 2 to 30 days.\n"
        "after_release: Enterprise or upgrade topics since the release, no staff answer yet.\n"
        "reply_to_us: the team asked, the community answered, the team has not since.\n"
        "\n"
        "**unanswered**\n"
        "\n"
        "| Title | Source | Author | Days idle | Replies | Reason |\n"
        "| --- | --- | --- | ---: | ---: | --- |\n"
        f"| [Webhooks drop messages]({t}/topic-103/103) | forum | carol | 7 | 0 | only its author replied "
        "in 9 days |\n"
        f"| [@{ZWSP}here URGENT \\| \\[click\\](https://evil.example) &lt;{ZWSP}!channel> \\*\\*now\\*\\*]"
        f"({t}/topic-120/120) | forum | evil_user | 5 | 0 | no answer in 5 days |\n"
        f"| [Cannot log in from the desktop app]({t}/topic-102/102) | forum | bob | 5 | 0 | only bots "
        "replied in 5 days |\n"
        f"| [Push notifications stop]({t}/topic-101/101) | forum | alice | 4 | 0 | no answer in 4 days |\n"
        f"| [Upgradeable plugins and licensed fonts]({t}/topic-113/113) | forum | gina | 3 | 0 | no answer "
        "in 3 days |\n"
        "\n"
        "**after_release**\n"
        "\n"
        "| Title | Source | Author | Days idle | Replies | Reason |\n"
        "| --- | --- | --- | ---: | ---: | --- |\n"
        f"| [LDAP sync fails]({t}/topic-115/115) | forum | jack | 2 | 1 | since release 11.1 (2026-11-18), "
        "no staff answer; mentions LDAP |\n"
        f"| [Login page is blank]({t}/topic-112/112) | forum | frank | 2 | 0 | since release 11.1 "
        "(2026-11-18), no staff answer; mentions since updating, v11.1.0 |\n"
        f"| [Upgrade to 11.1 broke SAML login]({t}/topic-111/111) | forum | erin | 1 | 0 | since release "
        "11.1 (2026-11-18), no staff answer; mentions upgrade, SAML, 11.1 |\n"
        "\n"
        "**reply_to_us**\n"
        "\n"
        "| Title | Source | Author | Days idle | Replies | Reason |\n"
        "| --- | --- | --- | ---: | ---: | --- |\n"
        f"| [Long thread about calls]({t}/topic-119/119) | forum | oscar | 3 | 13 | lee asked on 2026-11-19; "
        "pat replied on 2026-11-21, no staff post since |\n"
        f"| [How to configure the push proxy]({t}/topic-116/116) | forum | kim | 4 | 1 | lee asked on "
        "2026-11-11; kim replied on 2026-11-20, no staff post since |\n"
        "\n"
        "Forum: 5 unanswered, 3 after release, 2 reply to us\n"
    )


def test_json_items_carry_list_category_tags_replies_and_matched(configured, run_cli):
    code, out, _ = run_cli("forum", "--format", "json")
    found = {i["url"].rsplit("/", 1)[1]: i for i in json.loads(out)["items"]}
    assert code == 0
    assert found["111"] == {
        "source": "forum", "url": f"{configured.url}/t/topic-111/111",
        "title": "Upgrade to 11.1 broke SAML login", "author": "erin",
        "created_at": "2026-11-23T09:00:00Z", "last_activity_at": "2026-11-23T09:00:00Z", "days_idle": 1,
        "reason": "since release 11.1 (2026-11-18), no staff answer; mentions upgrade, SAML, 11.1",
        "list": "after_release", "category": "Troubleshooting", "tags": ["upgrade", "saml"], "replies": 0,
        "matched": ["upgrade", "SAML", "11.1"]}
    assert found["115"]["category"] == "Installation"  # a subcategory's name
    assert found["113"]["category"] == "Feature Requests"
    assert "matched" not in found["113"]


def test_each_way_out_of_the_lists(configured, run_cli):
    _, out, _ = run_cli("forum", "--format", "json")
    listed = {i["url"].rsplit("/", 1)[1] for i in json.loads(out)["items"]}
    # 104 pinned, 105 closed, 106 archived, 107 unlisted, 108 solved (accepted answer), 109 opened by
    # staff, 110 too new and about nothing of the release, 114 answered by staff, 117 the team answered
    # after the community's reply, 118 the team's only "?" is inside a quote, code and an address
    assert listed == {"101", "102", "103", "111", "112", "113", "115", "116", "119", "120"}


def test_opens_only_the_topics_the_list_cannot_settle(configured, run_cli):
    run_cli("forum", "--format", "json")
    opened = sorted(int(r.path.split("/")[2].removesuffix(".json")) for r in configured.requests
                    if r.path.startswith("/t/") and r.path.endswith(".json") and r.path.count("/") == 2)
    # Since the release and matching nothing by title, tags or category: the first post is needed
    # (101, 102, 110, 112, 113, 120); someone else posted since the release (115); the last poster is
    # not known staff in a topic someone else posted in (116, 118, 119). Not 103 (its author alone),
    # 111 (matched by its title, nobody else posted), 114 and 117 (a staff group member posted last or
    # answered), nor the closed, pinned and solved ones.
    assert opened == [101, 102, 110, 112, 113, 115, 116, 118, 119, 120]
    more = [r for r in configured.requests if r.path == "/t/119/posts.json"]
    assert [r.params["post_ids[]"] for r in more] == [[str(119000 + n) for n in range(21, 26)]]
    assert configured.count("/latest.json") == 1
    assert configured.count("/categories.json") == 1
    assert configured.count("/groups/core/members.json") == 1
    latest = next(r for r in configured.requests if r.path == "/latest.json")
    assert latest.params == {"order": ["created"], "per_page": ["100"], "page": ["0"]}


def test_latest_pages_until_past_max_days(configured, run_cli):
    from datetime import UTC, datetime, timedelta

    from fakes.discourse import topic

    start = datetime(2026, 11, 17, 12, tzinfo=UTC)
    made = [start - timedelta(hours=5 * n) for n in range(300)]  # 62 days back, 5 hours apart
    configured.add(*(topic(500 + n, f"Closed {n}", ("zed", f"{when:%Y-%m-%dT%H:%M:%SZ}"), closed=True)
                     for n, when in enumerate(made)))
    code, out, _ = run_cli("forum", "--format", "json")
    pages = [r.params["page"] for r in configured.requests if r.path == "/latest.json"]
    # 320 topics, 100 a page: the 110th closed one is past 30 days and sits on page 1, so page 2 is not read
    assert (code, pages) == (0, [["0"], ["1"]])
    assert len(json.loads(out)["items"]) == 10


def test_the_second_run_opens_only_topics_that_moved(configured, run_cli):
    run_cli("forum", "--format", "json")
    configured.requests.clear()
    code, first, _ = run_cli("forum", "--format", "json")
    assert code == 0 and configured.count(prefix="/t/") == 0
    from fakes.discourse import FakePost

    kim = next(t for t in configured.topics if t.id == 116)  # moves: the team answers (an admin, no group)
    kim.posts.append(FakePost("lee", "2026-11-24T09:00:00Z", "<p>Try 10.6.</p>", admin=True))
    configured._number(kim)
    configured.requests.clear()
    _, second, _ = run_cli("forum", "--format", "json")
    assert [r.path for r in configured.requests if r.path.startswith("/t/")] == ["/t/116.json"]
    assert "How to configure the push proxy" in items(first)
    assert "How to configure the push proxy" not in items(second)


def test_no_cache_reads_every_needed_topic_again(configured, run_cli):
    run_cli("forum", "--format", "json")
    configured.requests.clear()
    run_cli("forum", "--format", "json", "--no-cache")
    assert configured.count(prefix="/t/") == 11  # 10 topics and one more chunk of posts


def test_each_api_username_keeps_its_own_cache(configured, run_cli, monkeypatch):
    """A key acts as its Api-Username, who may see private categories another user may not: what one
    user's run read is never what another's reuses."""
    monkeypatch.setenv("DISCOURSE_API_KEY", "k-1234")
    monkeypatch.setenv("DISCOURSE_API_USERNAME", "admin")
    run_cli("forum", "--format", "json")
    configured.requests.clear()
    monkeypatch.setenv("DISCOURSE_API_USERNAME", "system")
    run_cli("forum", "--format", "json")
    assert configured.count(prefix="/t/") == 11  # as with --no-cache: 10 topics and one more chunk


@pytest.mark.parametrize("form", ["plain", "json"])
def test_a_429_waits_as_discourse_says_then_goes_on(configured, run_cli, sleeps, form):
    configured.throttle(1, wait=7, form=form, where="/latest.json")
    configured.throttle(1, wait=2, form=form, where="/t/116.json")
    code, out, err = run_cli("forum", "--format", "json")
    assert (code, err) == (0, "")
    assert sorted(sleeps) == [2.0, 7.0]
    assert len(json.loads(out)["items"]) == 10


def test_a_wait_longer_than_wait_fails_the_forum_saying_when(configured, run_cli, sleeps):
    configured.throttle(1, wait=600, form="json", where="/latest.json")
    code, out, err = run_cli("forum", "--format", "json", "--wait", "60s")
    assert code == 1
    assert re.fullmatch(f"cmtriage: error: forum: {re.escape(configured.url)}: HTTP 429: the server asks to "
                        r"wait 600 s, longer than cmtriage waits \(60 s\); try again after "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\n", err)
    assert json.loads(out)["errors"][0]["source"] == "forum"
    assert sleeps == []


def test_tags_as_objects_read_like_strings(site, write_config, monkeypatch, sleeps, run_cli):
    site.tag_objects = True
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    write_config(repos=f"forum: {{url: '{site.url}', staff_groups: [core]}}\n", rotation=ROTATION_YAML)
    _, out, _ = run_cli("forum", "--format", "json")
    found = {i["url"].rsplit("/", 1)[1]: i for i in json.loads(out)["items"]}
    assert found["111"]["tags"] == ["upgrade", "saml"]
    assert found["111"]["matched"] == ["upgrade", "SAML", "11.1"]


def test_no_here_makes_the_seed_message_plain(configured, run_cli):
    _, out, _ = run_cli("forum", "--format", "markdown", "--no-here")
    assert out.splitlines()[0] == SEED.replace("@here", "here")
    assert "@here" not in out  # the title's @here is inert (zero-width space) either way


def test_payload_sends_the_live_here_once_and_only_first(configured, run_cli):
    _, out, _ = run_cli("forum", "--format", "payload")
    posts = [json.loads(line)["text"] for line in out.splitlines()]
    assert posts[0].startswith(SEED + "\n#### ")
    text = "\n".join(posts)
    assert text.count("@here") == 1 and "<!channel>" not in text


def test_release_date_option_and_no_release(configured, run_cli, write_config):
    _, out, _ = run_cli("forum", "--format", "json", "--release-date", "2026-11-22")
    after = {t for t, (name, _) in items(out).items() if name == "after_release"}
    assert after == {"Upgrade to 11.1 broke SAML login", "Login page is blank"}
    assert items(out)["Login page is blank"][1].startswith("since release 2026-11-22, no staff answer")
    write_config(rotation=ROTATION_YAML.split("release_managers")[0])
    _, out, _ = run_cli("forum", "--format", "markdown")
    assert "after_release: not listed; no release date" in out
    assert "**after_release**" not in out


def test_days_and_max_days(configured, run_cli):
    _, out, _ = run_cli("forum", "--format", "json", "--days", "5", "--max-days", "12")
    listed = items(out)
    assert {t for t, (name, _) in listed.items() if name == "unanswered"} == {
        "@here URGENT | [click](https://evil.example) <!channel> **now**",
        "Cannot log in from the desktop app", "Webhooks drop messages"}
    assert "How to configure the push proxy" not in listed  # created 14 days ago


@pytest.mark.parametrize(("args", "message"), [
    (("--days", "3651"), "Invalid value for '--days': 3651 is not in the range 0<=x<=3650."),
    (("--max-days", "0"), "Invalid value for '--max-days': 0 is not in the range 1<=x<=3650."),
    (("--days", "9", "--max-days", "5"), "cmtriage: error: --days: 9 is more than --max-days (5): nothing "
                                         "could be listed; pass --days 5 or less, or a larger --max-days\n"),
    (("--wait", "2d"), "cmtriage: error: --wait: at most 1d, got 2d; no source's rate limit lasts "
                       "longer: pass 1d or less\n"),
    (("--release-date", "soon"), "Invalid value for '--release-date': expected a date like 2026-12-16, got "
                                 "'soon'"),
])
def test_bad_options_exit_2(configured, run_cli, args, message):
    code, out, err = run_cli("forum", *args)
    assert (code, out) == (2, "")
    assert message in err


def test_a_source_not_set_up_is_a_usage_error(configured, run_cli, isolated_env):
    code, _, err = run_cli("forum", "--source", "gitlab")
    assert code == 2
    repos = isolated_env / "config" / "repos.yaml"
    assert err == f"cmtriage: error: --source gitlab: {repos} has no gitlab\n"


def test_a_refused_api_key_fails_with_its_reason_and_no_secret(configured, run_cli, monkeypatch):
    configured.key = "the-right-key"
    monkeypatch.setenv("DISCOURSE_API_KEY", "wrong-key-1234")
    monkeypatch.setenv("DISCOURSE_API_USERNAME", "cmtriage")
    code, out, err = run_cli("forum", "--format", "json")
    assert code == 1
    assert err == (f"cmtriage: error: forum: cannot list staff group core: {configured.url}: HTTP 403: "
                   "the forum refused the API key (You are not permitted to view the requested resource. The "
                   "API username or key is invalid.); check DISCOURSE_API_KEY and DISCOURSE_API_USERNAME\n")
    assert "wrong-key-1234" not in out + err
    assert configured.requests[0].headers["api-key"] == "wrong-key-1234"
    assert configured.requests[0].headers["api-username"] == "cmtriage"


def test_bad_json_and_5xx_fail_the_forum(configured, run_cli):
    configured.garble(1, where="/latest.json")
    code, out, err = run_cli("forum", "--format", "json")
    assert code == 1
    assert err == f"cmtriage: error: forum: {configured.url}: the answer is not JSON\n"
    configured.fail(4, 502, where="/categories.json")
    code, out, err = run_cli("forum", "--format", "json")
    assert code == 1
    assert err == (f"cmtriage: error: forum: {configured.url}: HTTP 502 Bad Gateway"
                   " after 4 tries; try again later\n")
    assert json.loads(out)["errors"] == [{"source": "forum",
                                          "message": f"{configured.url}: HTTP 502 Bad Gateway"
                                                      " after 4 tries; try again later"}]


def test_a_topic_that_cannot_be_opened_keeps_the_others(configured, run_cli):
    configured.fail(4, 500, where="/t/116.json")
    code, out, err = run_cli("forum", "--format", "json")
    assert code == 1
    assert err == (f"cmtriage: error: forum: {configured.url}: HTTP 500 Internal Server Error"
                   " after 4 tries; try again later\n")
    assert len(items(out)) == 9  # 116 could not be read: it is in no list; the rest are


def test_after_a_429_past_wait_no_more_topics_are_asked(configured, run_cli, sleeps, monkeypatch):
    from cmtriage.sources import discourse

    # One worker, so that "no more" is exact: with several, those already on their way still arrive.
    monkeypatch.setattr(discourse, "WORKERS", 1)
    configured.throttle(1, wait=900, form="plain", where="/t/")
    code, out, err = run_cli("forum", "--format", "json")
    assert code == 1
    assert err.startswith(f"cmtriage: error: forum: {configured.url}: HTTP 429: the server asks to wait 900")
    asked = sum(1 for r in configured.requests if re.fullmatch(r"/t/\d+\.json", r.path))
    assert asked == 1  # the one refused, and no more
    assert err.endswith(" UTC (and 9 more topics)\n")  # each topic not asked
    assert json.loads(out)["errors"][0]["source"] == "forum"


def test_a_snoozed_topic_leaves_the_title_and_the_count_lines(configured, run_cli):
    assert run_cli("snooze", f"{configured.url}/t/topic-101/101", "--until", "2026-12-01")[0] == 0
    code, out, _ = run_cli("forum", "--format", "markdown")
    assert code == 0 and "Push notifications stop" not in out
    assert out.splitlines()[1] == ("#### 9 forum questions for the community: 4 unanswered, 3 after the "
                                   "release, 2 waiting on us")
    assert out.endswith("\nForum: 4 unanswered, 3 after release, 2 reply to us\n")


def test_digest_has_a_forum_section_and_never_sends_here(configured, run_cli):
    code, out, err = run_cli("digest", "--format", "markdown")
    assert (code, err) == (0, "")
    assert out.startswith("#### @jason: Community triage for Tue 2026-11-24: 10 forum\n")
    assert "@here" not in out and "[Help Wanted]" not in out
    _, out, _ = run_cli("digest", "--format", "json")
    assert [s["report"] for s in json.loads(out)["sections"]] == ["forum"]


def test_config_check_reads_the_forum_keys(configured, run_cli):
    code, out, _ = run_cli("config", "check")
    assert code == 0
    assert "  other sources: forum\n" in out and "no cmtriage report reads" not in out


@pytest.mark.parametrize(("repos", "message"), [
    ("forum: {url: forum.example.com}\n",
     'repos.yaml:1: forum.url: expected a URL like https://forum.example.com, got "forum.example.com"'),
    ("forum: {url: https://f.example.com, staff: [core]}\n",
     "repos.yaml:1: forum.staff: unknown key (known keys: url, unanswered_days, github, staff_groups, "
     "staff_usernames, enterprise_words)"),
    ("forum: {url: https://f.example.com, unanswered_days: -1}\n",
     "repos.yaml:1: forum.unanswered_days: expected a whole number of at least 0, got -1"),
    ("forum:\n  url: https://f.example.com\n  github: [mattermost]\n",
     'repos.yaml:3: forum.github[0]: expected owner/name like mattermost/mattermost, got "mattermost"'),
    ("gitlab: {url: gitlab.com, projects: [a/b]}\n",
     'repos.yaml:1: gitlab.url: expected a URL like https://forum.example.com, got "gitlab.com"'),
    ("gitlab: {labels: [Mattermost]}\n", "repos.yaml:1: gitlab.projects: missing; expected a list of "
                                         "group/project paths"),
    ("gitlab: {projects: [omnibus]}\n",
     "repos.yaml:1: gitlab.projects[0]: expected group/project like gitlab-org/omnibus-gitlab, "
     'got "omnibus"'),
    ("stackoverflow: {tagged: [mattermost], url: api.stackexchange.com}\n",
     'repos.yaml:1: stackoverflow.url: expected a URL like https://forum.example.com, got '
     '"api.stackexchange.com"'),
])
def test_bad_config_exits_2_naming_file_line_and_key(write_config, run_cli, repos, message):
    folder = write_config(repos=repos, rotation=ROTATION_YAML)
    code, out, err = run_cli("forum")
    assert (code, out) == (2, "")
    assert err == f"cmtriage: error: {folder}/{message}\n"


def test_config_reads_the_new_keys(write_config):
    from cmtriage.config import Forum, GitLab, load_repos

    folder = write_config(repos="""\
        forum:
          url: https://forum.example.com/
          github: [mattermost/mattermost]
          staff_groups: [core, staff]
          staff_usernames: hanna
          enterprise_words: [Okta, "push proxy"]
        gitlab: {projects: [gitlab-org/omnibus-gitlab, a/b/c], labels: [Mattermost]}
        """)
    repos = load_repos(folder)
    assert repos.forum == Forum("https://forum.example.com", 2, ("mattermost/mattermost",), ("core", "staff"),
                                ("hanna",), ("Okta", "push proxy"))
    assert repos.gitlab == GitLab("https://gitlab.com", ("gitlab-org/omnibus-gitlab", "a/b/c"),
                                  ("Mattermost",))


def test_pace_keeps_to_every_limit():
    from cmtriage.sources.discourse import Pace

    clock = [0.0]
    pace = Pace(((3, 1.0), (5, 10.0)), clock=lambda: clock[0])
    assert [pace.delay() for _ in range(7)] == [0, 0, 0, 1, 1, 10, 10]


def test_the_forum_s_limits_pause_the_run_without_spending_wait(configured, run_cli, sleeps, monkeypatch):
    from cmtriage.sources import discourse

    monkeypatch.setattr(discourse, "PUBLIC_LIMITS", ((2, 5.0),))
    code, out, err = run_cli("forum", "--format", "json", "--wait", "0")
    assert (code, err) == (0, "")
    assert len(json.loads(out)["items"]) == 10
    assert sleeps[:3] == pytest.approx([5, 5, 10], abs=0.5)  # no time passes while the test "sleeps"


def test_an_api_key_keeps_to_the_key_s_limit(monkeypatch):
    from cmtriage.sources import discourse

    assert discourse.Discourse(None, "https://f.example")._pace.limits == discourse.PUBLIC_LIMITS
    monkeypatch.setenv("DISCOURSE_API_KEY", "k-1234")
    assert discourse.Discourse(None, "https://f.example")._pace.limits == ((60, 60.0),)


def test_unanswered_days_past_max_days_names_the_file(site, write_config, monkeypatch, run_cli):
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    folder = write_config(repos=f"forum: {{url: '{site.url}', unanswered_days: 45}}\n",
                          rotation=ROTATION_YAML)
    code, out, err = run_cli("forum")
    assert (code, out) == (2, "")
    assert err == (f"cmtriage: error: {folder}/repos.yaml: forum.unanswered_days: 45 is more than --max-days "
                   "(30): nothing could be listed; pass --days 30 or less, or a larger --max-days\n")
    assert run_cli("forum", "--max-days", "60", "--format", "json")[0] == 0

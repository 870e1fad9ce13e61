"""reports/forum.py alone: the three rules on hand-made threads, the word match, the version numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cmtriage.models import Post, Poster, Thread
from cmtriage.reports.forum import Rules, build, matcher, needs_posts

NOW = datetime(2026, 11, 24, 15, tzinfo=UTC)
RULES = Rules(now=NOW, unanswered_days=2, max_days=30, release=datetime(2026, 11, 18, tzinfo=UTC),
              release_name="11.1")


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def thread(*posts: Post, key: str = "1", title: str = "Something odd", **fields) -> Thread:
    return Thread(source=fields.pop("source", "forum"), key=key, url=f"https://f.example/t/{key}",
                  title=title,
                  author=posts[0].author, created_at=posts[0].created_at,
                  last_activity_at=posts[-1].created_at, posts=posts, posts_count=len(posts), **fields)


def listed(*threads: Thread, rules: Rules = RULES) -> dict[str, str]:
    return {i.url.rsplit("/", 1)[1]: i.extra["list"] for i in build(threads, rules=rules).items}


OP = Post("ana", ago(10))


def test_a_staff_question_the_community_answered_then_staff_again_is_not_ours():
    answered_again = thread(OP, Post("hanna", ago(9), staff=True, asks=True), Post("ana", ago(8)),
                            Post("hanna", ago(7), staff=True))
    assert listed(answered_again) == {}


def test_a_community_post_after_the_team_s_last_post_counts_when_the_team_asked_before():
    # "no staff post since" is since the community post: the team asked, was answered, spoke again
    # without asking, and the community wrote once more.
    again = thread(OP, Post("hanna", ago(9), staff=True, asks=True), Post("ana", ago(8)),
                   Post("hanna", ago(7), staff=True), Post("ana", ago(1)))
    never_asked = thread(OP, Post("hanna", ago(9), staff=True), Post("ana", ago(1)), key="2")
    assert listed(again, never_asked) == {"1": "reply_to_us"}


def test_the_community_reply_must_be_within_max_days():
    old = thread(Post("ana", ago(60)), Post("hanna", ago(50), staff=True, asks=True), Post("ana", ago(31)))
    assert listed(old) == {}


def test_a_bot_neither_answers_nor_asks_even_with_an_admin_flag():
    bot_only = thread(OP, Post("system", ago(9), bot=True, staff=False, asks=False))
    bot_question = thread(OP, Post("discobot", ago(9), bot=True), Post("ana", ago(1)), key="2")
    assert listed(bot_only, bot_question) == {"1": "unanswered", "2": "unanswered"}


def test_unanswered_is_at_least_days_and_at_most_max_days_old():
    young = thread(Post("ana", ago(1.9)), key="1")
    old = thread(Post("ana", ago(30.1)), key="2")
    just = thread(Post("ana", ago(2)), key="3")
    assert listed(young, old, just) == {"3": "unanswered"}


def test_a_topic_in_two_lists_is_listed_once_under_after_release():
    both = thread(Post("ana", ago(3)), title="Upgrade broke login")
    assert listed(both) == {"1": "after_release"}


def test_a_staff_opened_topic_is_never_unanswered_and_closed_ones_are_nowhere():
    staff = thread(Post("hanna", ago(5), staff=True), author_staff=True)
    closed = thread(Post("ana", ago(5)), key="2", open=False)
    solved = thread(Post("ana", ago(5)), Post("ana", ago(4)), key="3", accepted=True)
    assert listed(staff, closed, solved) == {}


def test_after_release_needs_no_minimum_age_and_not_before_the_release():
    hour_old = thread(Post("ana", ago(1 / 24)), title="LDAP groups after updating")
    before = thread(Post("ana", ago(7)), key="2", title="LDAP groups after updating")
    assert listed(hour_old, before) == {"1": "after_release", "2": "unanswered"}


@pytest.mark.parametrize(("text", "words"), [
    ("Upgrading to 11.2 broke SSO", ["upgrading", "SSO", "11.2"]),
    ("since updating to v9.5.1", ["since updating", "v9.5.1"]),
    ("AD/LDAP sync and E20 licence", ["AD/LDAP", "E20", "licence"]),
    ("Since   Updating nothing works", ["since updating"]),
    ("Upgradeable? unlicensed? enterprises, SSOs, clustered, 1.2.3.4, 10.0.0.1, 2.5GB, a11.2", []),
    ("High Availability cluster, data retention", ["high availability", "cluster", "data retention"]),
])
def test_words_match_whole_words_in_any_case(text, words):
    assert matcher()(text) == words


def test_enterprise_words_extend_the_list():
    assert matcher(["Okta", "push proxy"])("Okta and the Push  Proxy") == ["Okta", "push proxy"]


def test_only_what_the_list_cannot_settle_is_opened():
    def listed_topic(**fields) -> Thread:
        base = dict(source="forum", key="9", url="u", title="Calls drop", author="ana", created_at=ago(20),
                    last_activity_at=ago(1), posts_count=3)
        return Thread(**{**base, **fields})

    assert not needs_posts(listed_topic(posters=()), RULES, matcher())  # the author alone
    assert not needs_posts(listed_topic(posters=(Poster("system", bot=True),)), RULES, matcher())
    assert needs_posts(listed_topic(posters=(Poster("lee"),)), RULES, matcher())
    assert not needs_posts(listed_topic(posters=(Poster("hanna", staff=True),),
                                        last_poster=Poster("hanna", staff=True)), RULES, matcher())
    assert not needs_posts(listed_topic(posters=(Poster("lee"),), last_activity_at=ago(31)), RULES, matcher())
    recent = dict(created_at=ago(1), posts_count=1)
    assert needs_posts(listed_topic(**recent), RULES, matcher())  # its first post may speak of the release
    assert not needs_posts(listed_topic(title="SAML", **recent), RULES, matcher())
    assert not needs_posts(listed_topic(open=False, **recent), RULES, matcher())


def test_hostile_titles_stay_inert_and_only_the_seed_s_here_notifies():
    from cmtriage.render import markdown_parts
    from test_render import BARE_LINK, FOREIGN_MENTION, HOSTILE, parse

    threads = [Thread(source=source, key=str(n), url=f"https://f.example/t/{n}", title=text, author=text,
                      created_at=ago(3 + n / 100), last_activity_at=ago(3),
                      posts=(Post(text, ago(3 + n / 100)),), tags=(text,), category=text)
               for n, text in enumerate(HOSTILE.values())
               for source in ("forum", "github")]
    report = build(threads, rules=RULES, sources=("forum", "github"))
    assert len(report.items) == 2 * len(HOSTILE)
    parts = markdown_parts(report, limit=4000)
    assert len(parts) > 2
    seed = report.preamble[0]
    assert parts[0].startswith(f"{seed}\n#### {report.title} (part 1/{len(parts)})\n")
    live = []
    for part in parts:
        parsed = parse(part)
        # our own consecutive lines (the notes, the count lines) break softly; strangers' newlines fold
        assert [i for i in parsed["intruders"] if not i.startswith("softbreak")] == []
        for table in parsed["tables"]:
            assert {row["cells"] for row in table["rows"]} == {6} and table["header"] == 6
        live += [t for t in parsed["texts"] if FOREIGN_MENTION.search(t)]
        assert [t for t in parsed["unlinked"] if BARE_LINK.search(t)] == []
    heading = [t for t in live if t.startswith(report.title)]
    assert [t for t in live if t not in heading] == [seed]  # the title's own words hold no mention either
    assert heading == []


def test_no_here_leaves_no_live_mention_at_all():
    from cmtriage.render import markdown

    text = markdown(build([thread(Post("ana", ago(3)), title="@here @channel <!all> help")], rules=RULES,
                          sources=("forum",), here=False))
    assert text.startswith("[Help Wanted] #forum here can anyone help")
    assert "@here" not in text and "@channel" not in text and "<!all>" not in text


def test_reasons_write_a_year_before_1000_with_four_digits():
    now = datetime(999, 11, 24, 15, tzinfo=UTC)
    rules = Rules(now=now, release=datetime(999, 11, 18, tzinfo=UTC), release_name="11.1")
    upgrade = thread(Post("ana", now - timedelta(days=3)), title="Upgrade broke login")
    asked = thread(Post("ana", now - timedelta(days=10)),
                   Post("hanna", now - timedelta(days=9), staff=True, asks=True),
                   Post("ana", now - timedelta(days=1)), key="2", title="Odd")
    assert [i.reason for i in build([upgrade, asked], rules=rules).items] == [
        "since release 11.1 (0999-11-18), no staff answer; mentions upgrade",
        "hanna asked on 0999-11-15; ana replied on 0999-11-23, no staff post since"]

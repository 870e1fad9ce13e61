import dataclasses
from pathlib import Path

import pytest

from cmtriage.classify import (
    BODY_LIMIT,
    DEFAULT_REPLIES,
    POST_TYPES,
    TITLE_LIMIT,
    Classification,
    classify,
    reply_for,
)
from cmtriage.config import load_repos

BUG, FEATURE, TROUBLESHOOTING, QUESTION = POST_TYPES

# Mattermost's issue template, as community members leave it filled in.
MATTERMOST_BUG_TEMPLATE = """\
If you're not sure whether it's a bug, post in the forum first: https://forum.mattermost.com

#### Summary
Reply count in the thread header is wrong after a message is edited

#### Steps to reproduce
Mattermost 9.5.2, Chrome 122
1. Reply twice to a post
2. Edit the first reply

#### Expected behavior
The header says 2 replies

#### Observed behavior (that appears unintentional)
The header says 3 replies. No error messages in the console.

#### Possible fixes
"""

GITHUB_FEATURE_TEMPLATE = """\
**Is your feature request related to a problem? Please describe.**
I'm always frustrated when I can't mute a noisy channel just for the afternoon.

**Describe the solution you'd like**
A "mute for 4 hours" entry in the channel menu.

**Describe alternatives you've considered**
Muting and remembering to unmute.
"""


def test_post_types_and_classification_are_the_published_api():
    assert POST_TYPES == ("Bug", "Feature Proposal", "Troubleshooting", "Developer/Product Question")
    result = classify("App crashes", "")
    assert result == Classification("Bug", 'words "crashes" in title')
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.post_type = FEATURE  # type: ignore[misc]


@pytest.mark.parametrize(
    ("title", "body", "expected_type", "expected_reason"),
    [
        # bugs
        (
            "Mattermost desktop app crashes on startup after update to 5.2",
            "",
            BUG,
            'words "crashes" in title',
        ),
        ("Regression: message drafts are lost when switching teams", "", BUG, 'words "regression" in title'),
        ("Typo in docs", "The install page says 'datbase'", BUG, 'words "typo" in title'),
        ("Broken link on the install page", "", BUG, 'words "broken link" in title'),
        ("Push notifications doesn't work on iOS 17", "", BUG, 'words "doesn\'t work" in title'),
        ("Push notifications doesn’t work on iOS 17", "", BUG, 'words "doesn\'t work" in title'),
        (
            "Server crashes when uploading a 2 GB file",
            "We run the official image on docker.",
            BUG,
            'words "crashes" in title',
        ),
        ("Regression in LDAP group sync", "", BUG, 'words "regression" in title'),  # a tie: Bug before setup
        # troubleshooting: the author's own setup
        (
            "Error 502 Bad Gateway with nginx reverse proxy",
            "",
            TROUBLESHOOTING,
            'words "error", "nginx", "reverse proxy" in title',
        ),
        (
            "Can't connect to server from the mobile app",
            "",
            TROUBLESHOOTING,
            'words "can\'t connect" in title',
        ),
        (
            "Upgrade failed from 5.38 to 6.0 on MySQL",
            "",
            TROUBLESHOOTING,
            'words "upgrade failed", "mysql" in title',
        ),
        (
            "How do I configure GitLab SSO?",
            "",
            TROUBLESHOOTING,
            'words "how do i configure", "gitlab" in title',
        ),
        (
            "Error on startup",
            "Fresh install with docker-compose, nginx in front.",
            TROUBLESHOOTING,
            'words "error" in title; words "install", "docker", "nginx" in body',
        ),
        # developer and product questions
        (
            "Is it possible to post to a channel through the API?",
            "",
            QUESTION,
            'words "is it possible", "api" and a question mark in title',
        ),
        ("Outgoing webhook payload format", "", QUESTION, 'words "webhook" in title'),
        (
            "Plugin development: how to register a slash command",
            "",
            QUESTION,
            'words "plugin development", "how to", "slash command" in title',
        ),
        (
            "Where are channel member counts stored?",
            "",
            QUESTION,
            'title starts with "Where"; a question mark in title',
        ),
        # feature proposals
        (
            "It would be nice to have message reactions in the mobile app",
            "",
            FEATURE,
            'words "would be nice" in title',
        ),
        (
            "[Feature] Support for custom emoji in channel headers",
            "",
            FEATURE,
            'words "[feature]", "support for" in title',
        ),
        (
            "Please add an option to disable link previews",
            "",
            FEATURE,
            'words "please add", "option to" in title',
        ),
        ("Feature request: export a channel to PDF", "", FEATURE, 'words "feature request" in title'),
        # a tie between an ask and a symptom goes to the ask
        (
            "Please add a clearer error message for expired invites",
            "",
            FEATURE,
            'words "please add" in title',
        ),
        # nothing to go on
        ("Thanks for Mattermost!", "Great work, everyone.", QUESTION, "no strong signal"),
        ("", "", QUESTION, "no strong signal"),
    ],
)
def test_words_decide_the_type(title, body, expected_type, expected_reason):
    assert classify(title, body) == Classification(expected_type, expected_reason)


def test_weak_signals_combine_across_title_and_body():
    # the title alone says Bug; three setup words in the body outweigh its one symptom
    assert classify("Login page shows an error", "") == Classification(BUG, 'words "error" in title')
    body = "ldap, smtp and ssl are set up as in the docs"
    assert classify("Login page shows an error", body) == Classification(
        TROUBLESHOOTING, 'words "error" in title; words "ldap", "smtp", "ssl" in body'
    )


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["Type/Bug"], Classification(BUG, 'label "Type/Bug"')),
        (["kind/bug"], Classification(BUG, 'label "kind/bug"')),
        (["KIND/BUG"], Classification(BUG, 'label "KIND/BUG"')),
        (["Type/Enhancement"], Classification(FEATURE, 'label "Type/Enhancement"')),
        (["Feature Request"], Classification(FEATURE, 'label "Feature Request"')),
        (["feature  request "], Classification(FEATURE, 'label "feature  request "')),
        (["Help Wanted", "Type/Bug", "bug"], Classification(BUG, 'labels "Type/Bug", "bug"')),
        (["question"], Classification(QUESTION, 'label "question"')),
        (["support"], Classification(TROUBLESHOOTING, 'label "support"')),
        # conflicting triage labels with nothing else to go on: the tie order
        (["bug", "enhancement"], Classification(FEATURE, 'label "enhancement"')),
    ],
)
def test_labels(labels, expected):
    assert classify("Channel sidebar order", "", labels) == expected


def test_a_label_beats_words_and_headings():
    title = "Feature request: please add a dark theme, would be nice"
    assert classify(title, MATTERMOST_BUG_TEMPLATE, ["bug"]) == Classification(BUG, 'label "bug"')
    assert classify("App crashes", MATTERMOST_BUG_TEMPLATE, ["enhancement"]) == Classification(
        FEATURE, 'label "enhancement"'
    )
    # a question label rules out Bug and Feature Proposal even when the words point there
    assert classify("[Feature] Dark mode", "", ["question"]) == Classification(QUESTION, 'label "question"')


def test_words_choose_between_the_types_a_label_allows():
    assert classify("Can't connect behind nginx", "", ["question"]) == Classification(
        TROUBLESHOOTING, 'label "question"; words "can\'t connect", "nginx" in title'
    )
    assert classify("Create a post via the API?", "", ["support"]) == Classification(
        QUESTION, 'label "support"; words "api" and a question mark in title'
    )
    assert classify("Sidebar crashes", "", ["bug", "enhancement"]) == Classification(
        BUG, 'label "bug"; words "crashes" in title'
    )
    assert classify("Labels we do not know", "", ["Help Wanted", "Tech/Go"]) == Classification(
        QUESTION, "no strong signal"
    )


def test_mattermost_bug_template():
    assert classify("Reply count in thread header is off by one", MATTERMOST_BUG_TEMPLATE) == Classification(
        BUG,
        'template headings "Summary", "Steps to reproduce", "Expected behavior" and 2 more; '
        'words "bug", "error" in body',  # the template's own first line says "bug"
    )


def test_feature_template():
    assert classify("Mute a channel for a few hours", GITHUB_FEATURE_TEMPLATE) == Classification(
        FEATURE,
        'template headings "Is your feature request related to a problem", '
        '"Describe the solution you\'d like", "Describe alternatives you\'ve considered"; '
        'words "feature request" in body',
    )
    assert classify("Pinned channels", "## Feature idea\nKeep a few channels on top.") == Classification(
        FEATURE, 'template heading "Feature idea"; words "feature idea" in body'
    )


def test_template_headings_outweigh_setup_words():
    body = (
        "### Steps to reproduce\n1. Run on docker\n"
        "### Expected behaviour\nIt starts\n"
        "### Actual behavior\nIt doesn't"
    )
    assert classify("Server hangs", body) == Classification(
        BUG, 'template headings "Steps to reproduce", "Expected behaviour", "Actual behavior"'
    )


@pytest.mark.parametrize(
    "body",
    [
        "Steps to reproduce\n1. open the app",
        "Steps to reproduce:\n1. open the app",
        "STEPS TO REPRODUCE: open the app",
        "  **Steps to reproduce**\n1. open the app",
        "__Steps to reproduce__",
        "###Steps to reproduce (on Linux)",
    ],
)
def test_heading_shapes(body):
    assert classify("Sidebar", body) == Classification(BUG, 'template heading "Steps to reproduce"')


@pytest.mark.parametrize(
    "body",
    [
        "Summary of my day: all good",
        "The steps to reproduce are unclear to me",
        "#### Summarys",
        "<!--\n#### Summary\n#### Steps to reproduce\n-->\nThanks",
        "Thanks\n<!-- the template, never closed\n#### Summary\n#### Steps to reproduce",
    ],
)
def test_not_headings(body):
    assert classify("Sidebar", body) == Classification(QUESTION, "no strong signal")


def test_template_instructions_in_html_comments_are_ignored():
    body = "<!-- Submit feature requests to https://www.mattermost.org/feature-ideas/ -->\nWould be nice!"
    assert classify("Channel folders", body) == Classification(FEATURE, 'words "would be nice" in body')


def test_case_does_not_matter():
    assert classify("APP CRASHES ON LOGIN", "") == Classification(BUG, 'words "crashes" in title')
    assert classify("PLEASE ADD SUPPORT FOR SAML", "") == Classification(
        FEATURE, 'words "please add", "support for" in title'
    )
    assert classify("Sidebar", "", ["TYPE/BUG"]) == Classification(BUG, 'label "TYPE/BUG"')


@pytest.mark.parametrize(
    "title",
    [
        "Terror in an errorless world",
        "Crashpad minidumps",
        "The apiary installers of questionable dockers",
        "Bugfix release notes for nginxconf",
        "Rebuilt the helmet",
    ],
)
def test_words_must_be_whole_words(title):
    assert classify(title, "") == Classification(QUESTION, "no strong signal")


def test_whitespace_and_punctuation_around_words():
    assert classify("Crashed-out", "") == Classification(BUG, 'words "crashed" in title')
    assert classify("x", "it does\n\n  not   work") == Classification(BUG, 'words "does not work" in body')


def test_each_phrase_counts_once_per_place():
    # five errors in the body are one body signal: the two setup words still outweigh them
    assert classify("Startup", "error error error error error nginx docker") == Classification(
        TROUBLESHOOTING, 'words "error", "nginx", "docker" in body'
    )


def test_reasons_show_at_most_three_phrases():
    assert classify("Please add support for, would be nice, would be great", "") == Classification(
        FEATURE, 'words "please add", "support for", "would be nice" and 1 more in title'
    )


def test_only_the_start_of_huge_text_is_read():
    assert classify("x" * TITLE_LIMIT + " crash", "") == Classification(QUESTION, "no strong signal")
    assert classify("x", "y" * BODY_LIMIT + " crash") == Classification(QUESTION, "no strong signal")
    assert classify("x", "y" * (BODY_LIMIT - 6) + " crash") == Classification(BUG, 'words "crash" in body')


def test_hostile_text_is_read_without_trouble():
    hostile = "<!--" * 100_000 + "how " + " " * 100_000 + "\n#" * 100_000 + "doesn'" * 100_000
    assert classify(hostile, hostile, ["bug"] * 1000 + ["x" * 10_000]) == Classification(
        BUG, 'labels "bug", "bug", "bug" and 997 more'
    )
    assert classify(hostile, hostile) == Classification(QUESTION, "no strong signal")


# --- replies ---------------------------------------------------------------------------------------------
def test_default_replies_follow_the_seed_process():
    assert set(DEFAULT_REPLIES) == set(POST_TYPES)
    assert reply_for(BUG, author="alice") == (
        "Thanks for the report, @alice! We'll try to reproduce this. Could you add the steps to "
        "reproduce it, your Mattermost version and what you expected to happen? Once we can reproduce it "
        "we'll open a Jira ticket and link it here."
    )
    assert reply_for(TROUBLESHOOTING, author="alice") == (
        "Thanks for reaching out, @alice! This looks specific to your setup, so the forum is the best place "
        "for it: could you post it at https://forum.mattermost.com with your Mattermost version and any "
        "errors from the logs? The community and the team answer there."
    )
    assert reply_for(FEATURE, author="alice") == (
        "Thanks for the idea, @alice! Could you create a feature proposal at "
        "https://www.mattermost.org/feature-ideas/ and post the link back here? That way others can find it "
        "and vote for it. If you'd like to build it yourself, let us know."
    )
    assert reply_for(QUESTION, author="alice") == (
        "Thanks for the question, @alice! The documentation at https://docs.mattermost.com may already cover "
        "it; if not, please ask at https://forum.mattermost.com, where the team and the community can help."
    )


def test_context_fills_and_overrides_the_default_links():
    text = reply_for(TROUBLESHOOTING, author="bob", forum_url="https://forum.example.org")
    assert "post it at https://forum.example.org with" in text
    # None means "not configured": the default link stays
    assert "https://forum.mattermost.com" in reply_for(TROUBLESHOOTING, author="bob", forum_url=None)


def test_templates_override_per_type():
    templates = {BUG: "Hi @{author}, we track {title} in Jira."}
    assert reply_for(BUG, templates, author="carol", title="MM-123") == "Hi @carol, we track MM-123 in Jira."
    assert reply_for(FEATURE, templates, author="carol") == reply_for(FEATURE, author="carol")
    # repos.yaml's replies arrive as (type, template) pairs
    pairs = tuple(templates.items())
    assert reply_for(BUG, pairs, author="carol", title="it") == "Hi @carol, we track it in Jira."


def test_a_template_with_mistakes_never_fails():
    template = "Hi {author} {typo} {0} {} {author.name} {author[0]} {author!r} {author:>9} { {{author}} }"
    assert reply_for(BUG, {BUG: template}, author="dan") == (
        "Hi dan {typo} {0} {} {author.name} {author[0]} {author!r} {author:>9} { {dan} }"
    )
    assert reply_for(BUG, {BUG: '```json\n{"text": "hi"}\n```'}) == '```json\n{"text": "hi"}\n```'
    assert reply_for(BUG, {BUG: "Hi @{author}"}) == "Hi @{author}"  # no author given


def test_foreign_values_are_not_expanded_again():
    assert reply_for(BUG, {BUG: "Hi {author}"}, author="{forum_url}") == "Hi {forum_url}"


def test_unknown_post_type_is_an_error():
    with pytest.raises(ValueError, match="unknown post type 'Question'"):
        reply_for("Question")


def test_replies_from_repos_yaml(tmp_path: Path):
    (tmp_path / "repos.yaml").write_text(
        "replies:\n"
        "  Bug: |\n"
        "    Thanks @{author}! Which version are you on? We'll open a Jira ticket once we reproduce it.\n"
        "  Troubleshooting: 'Hi @{author}, please ask at {forum_url} and link it here: {thread}'\n",
        encoding="utf-8",
    )
    replies = load_repos(tmp_path).replies
    assert reply_for(BUG, replies, author="erin") == (
        "Thanks @erin! Which version are you on? We'll open a Jira ticket once we reproduce it."
    )
    assert reply_for(TROUBLESHOOTING, replies, author="erin") == (
        "Hi @erin, please ask at https://forum.mattermost.com and link it here: {thread}"
    )


# --- sharper rules ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Add a way to pin channels", Classification(FEATURE, 'title starts with "Add"')),
        ("Support SAML for guest accounts", Classification(FEATURE, 'title starts with "Support"')),
        ("Allow guests to react", Classification(FEATURE, 'title starts with "Allow"')),
        ("Deprecate banlist.dat", Classification(FEATURE, 'title starts with "Deprecate"')),
        ("[Proposal] Enable read receipts", Classification(FEATURE, 'title starts with "Enable"')),
        ("How are unread counts computed", Classification(QUESTION, 'title starts with "How"')),
        ("Why is the sidebar sorted by name", Classification(QUESTION, 'title starts with "Why"')),
        ("Can bots post in threads", Classification(QUESTION, 'title starts with "Can"')),
        ("is Team Edition free", Classification(QUESTION, 'title starts with "Is"')),
        ("Question: Is Team Edition free?",
         Classification(QUESTION, 'title starts with "Is"; words "question" and a question mark in title')),
        # not a question's shape: a negation, or a word that only starts like one
        ("Can't log in", Classification(QUESTION, "no strong signal")),
        ("Cannot log in", Classification(QUESTION, "no strong signal")),
        ("Does not load", Classification(QUESTION, "no strong signal")),
        ("Isolated channels", Classification(QUESTION, "no strong signal")),
        ("Address book sync", Classification(QUESTION, "no strong signal")),
        # a phrase that starts the title already says it: the shape does not count twice
        ("How do I export a channel", Classification(QUESTION, 'words "how do i" in title')),
        ("Add support for SAML", Classification(FEATURE, 'words "add support" in title')),
    ],
)
def test_the_titles_shape(title, expected):
    assert classify(title, "") == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # an ask phrased as a question is an ask, and its question mark does not count
        ("Could we add dark mode?", Classification(FEATURE, 'words "could we add" in title')),
        ("Is it possible to add a dark mode?",
         Classification(FEATURE, 'words "is it possible to add" in title')),
        ("Are there any plans for threads in the app?",
         Classification(FEATURE, 'words "are there any plans" in title')),
        ("Add a dark mode?", Classification(FEATURE, 'title starts with "Add"')),
        # still a question
        ("Dark mode?", Classification(QUESTION, "a question mark in title")),
    ],
)
def test_a_question_mark_in_an_ask(title, expected):
    assert classify(title, "") == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Issue type: Support\n\nThe sidebar is empty.",
         Classification(TROUBLESHOOTING, 'template answer "Support"')),
        ("**Issue type:** Feature request", Classification(FEATURE, 'template answer "Feature request"')),
        ("Do you want to request a *feature* or report a *bug*?\n**Feature**\n",
         Classification(FEATURE, 'template answer "Feature"')),
        ("Is this a bug report or a feature request? Bug", Classification(BUG, 'template answer "Bug"')),
        ("- [ ] Bug report\n- [x] Question\n- [ ] Feature request",
         Classification(QUESTION, 'template answer "Question"')),
        # the template's answer outweighs its headings
        ("Issue type: Question\n#### Summary\nx\n#### Steps to reproduce\ny",
         Classification(QUESTION, 'template answer "Question"')),
        # unanswered, or answered both ways: no answer, and the question's own words do not count either
        ("Issue type: Bug / Feature / Support", Classification(QUESTION, "no strong signal")),
        ("Do you want to request a *feature* or report a *bug*?\n\nthe sidebar is empty",
         Classification(QUESTION, "no strong signal")),
        ("- [x] Bug report\n- [x] Feature request", Classification(QUESTION, "no strong signal")),
        ("Issue type: Bug\n- [x] Feature request", Classification(QUESTION, "no strong signal")),
        ("Type of database: MySQL", Classification(TROUBLESHOOTING, 'words "mysql" in body')),
    ],
)
def test_the_templates_own_answer(body, expected):
    assert classify("Sidebar order", body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "Run it with `--crash-reporter-id=1` please",
        "Run it with --crash-reporter-id please",
        "see https://example.com/crash/errors and www.example.com/docker",
        "the file /var/log/mattermost/crash.log and C:\\Users\\me\\error.txt",
        "we use the vscode-docker extension",
        "max_error_count and TeamSettings.EnableBugReports=true",
        "<details><summary>Log</summary>\npanic: crash\nerror\n</details>",
        "<DETAILS>crash, never closed",
        "- [ ] It does not crash\n- [x] I searched for errors\n* [ ] install",
        "<!-- Report a bug or request a feature: crash -->",
        "The API returns 500",  # "api" counts only in a title
    ],
)
def test_no_words_in_identifiers_paths_urls_or_boilerplate(body):
    assert classify("Sidebar order", body) == Classification(QUESTION, "no strong signal")


def test_words_beside_identifiers_still_count():
    assert classify("Sidebar order", "it crashes, see https://example.com/x and `a_b`") == Classification(
        BUG, 'words "crashes" in body')
    assert classify("Sidebar order", "docker-compose up fails") == Classification(
        TROUBLESHOOTING, 'words "docker" in body')
    assert classify("Sidebar order", "<details>log</details>\nIt crashed") == Classification(
        BUG, 'words "crashed" in body')



def test_text_after_a_details_block_counts_whatever_letters_come_before_it():
    # "İ" lower-cases to two characters: positions found in a lower-cased copy cut the body too late
    for before in ("İ" * 20, "I" * 20, "ǅ Straße"):
        assert classify("Sidebar order", f"{before} <DETAILS>log</Details> It crashed") == Classification(
            BUG, 'words "crashed" in body'), before
        assert classify("Sidebar order", f"{before} <details>it crashed</details> ok") == Classification(
            QUESTION, "no strong signal"), before

def test_a_template_is_one_signal_however_many_headings():
    # five bug headings do not outweigh a question-shaped title with a question mark
    body = MATTERMOST_BUG_TEMPLATE.replace("If you're not sure whether it's a bug, post", "")
    assert classify("Why does the header count edits?", body) == Classification(
        QUESTION, 'title starts with "Why"; a question mark in title')


def test_types_from_repos_yaml_are_labels():
    types = ((BUG, ("Kind: Defect",)), (TROUBLESHOOTING, ("needs-forum",)))
    assert classify("Add a way", "", ["kind: defect"], types=types) == Classification(
        BUG, 'label "kind: defect"')
    # a label of one question type leaves the other open when types: names none for it
    assert classify("How do I configure SSL?", "", ["needs-forum"], types=types) == Classification(
        TROUBLESHOOTING, 'label "needs-forum"; words "how do i configure", "ssl" in title')
    assert classify("How do I use the API?", "", ["needs-forum"], types=types) == Classification(
        QUESTION, 'label "needs-forum"; words "how do i", "api" and a question mark in title')
    both = (*types, (QUESTION, ("ask",)))
    assert classify("How do I use the API?", "", ["needs-forum"], types=both) == Classification(
        TROUBLESHOOTING, 'label "needs-forum"')
    # the built-in names still count beside them
    assert classify("x", "", ["enhancement"], types=types) == Classification(FEATURE, 'label "enhancement"')

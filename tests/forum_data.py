"""The forum the forum tests and the benchmark read: one topic per rule and per way out of it."""

from __future__ import annotations

from fakes.discourse import FakeDiscourse, topic

NOW = "2026-11-24T15:00:00Z"  # Tuesday 10:00 in Toronto
ROTATION_YAML = """\
timezone: America/Toronto
start: 2026-01-12
members:
  - name: Eric
    mention: eric.s
  - name: Jason
release_managers:
  - version: "11.1"
    who: Jason
    date: 2026-11-18
  - version: "11.2"
    who: Eric
    date: 2026-12-16
"""
STAFF = {"flags": {"staff": True, "admin": True}}
ASK = "<p>Which version are you on?</p>"


def forum() -> FakeDiscourse:
    admin = {"admin": True}
    return FakeDiscourse(groups={"core": ["hanna", "ops-bot-free"]}, topics=[
        topic(101, "Push notifications stop", ("alice", "2026-11-20T09:00:00Z")),
        topic(102, "Cannot log in from the desktop app", ("bob", "2026-11-19T12:00:00Z"),
              ("system", "2026-11-19T12:05:00Z", "<p>Welcome! Did you read the FAQ?</p>")),
        topic(103, "Webhooks drop messages", ("carol", "2026-11-15T08:00:00Z"),
              ("carol", "2026-11-17T08:00:00Z", "<p>Anyone? Still happening.</p>")),
        topic(104, "Read this before posting", ("hanna", "2026-11-01T08:00:00Z"), pinned=True),
        topic(105, "Closed question", ("zed", "2026-11-16T08:00:00Z"), closed=True),
        topic(106, "Archived question", ("zed", "2026-11-16T09:00:00Z"), archived=True),
        topic(107, "Unlisted question", ("zed", "2026-11-16T10:00:00Z"), visible=False),
        topic(108, "Solved it myself", ("dave", "2026-11-16T08:00:00Z"),
              ("dave", "2026-11-16T09:00:00Z", "<p>Found it: a proxy setting.</p>"), accepted=2),
        topic(109, "Office hours this week", ("hanna", "2026-11-18T14:00:00Z")),
        topic(110, "Emoji picker is slow", ("emma", "2026-11-24T10:00:00Z")),
        topic(111, "Upgrade to 11.1 broke SAML login", ("erin", "2026-11-23T09:00:00Z"),
              tags=("upgrade", "saml")),
        topic(112, "Login page is blank", ("frank", "2026-11-22T09:00:00Z",
                                           "<p>Since updating to v11.1.0 the login page is blank.</p>")),
        topic(113, "Upgradeable plugins and licensed fonts", ("gina", "2026-11-21T09:00:00Z",
              "<p>Is the classroom plugin upgradeable?</p>"), tags=("plugins",), category_id=2),
        topic(114, "Elasticsearch after the upgrade", ("henry", "2026-11-20T09:00:00Z"),
              ("hanna", "2026-11-20T11:00:00Z", "<p>Reindex, please.</p>")),
        topic(115, "LDAP sync fails", ("jack", "2026-11-21T09:00:00Z"),
              ("ivan", "2026-11-22T09:00:00Z", "<p>Same here.</p>"), category_id=11),
        topic(116, "How to configure the push proxy", ("kim", "2026-11-10T09:00:00Z"),
              ("lee", "2026-11-11T09:00:00Z", ASK, admin),
              ("kim", "2026-11-20T09:00:00Z", "<p>10.5, on Ubuntu.</p>")),
        topic(117, "Threads vanish", ("mia", "2026-11-12T09:00:00Z"),
              ("hanna", "2026-11-12T10:00:00Z", ASK),
              ("mia", "2026-11-13T09:00:00Z", "<p>10.4</p>"),
              ("hanna", "2026-11-13T10:00:00Z", "<p>Fixed in 10.6.</p>")),
        topic(118, "Files fail to upload", ("nora", "2026-11-12T09:00:00Z"),
              ("lee", "2026-11-12T10:00:00Z",
               '<aside class="quote"><blockquote><p>Why does it fail?</p></blockquote></aside>'
               "<p>Raise the size limit. <code>MaxFileSize?</code> https://docs.example.com/x?y=1</p>",
               admin),
              ("nora", "2026-11-13T09:00:00Z", "<p>Thanks.</p>")),
        topic(119, "Long thread about calls", ("oscar", "2026-11-05T09:00:00Z"),
              *[(("pat" if n % 2 else "oscar"), f"2026-11-06T{n:02d}:00:00Z") for n in range(1, 22)],
              ("lee", "2026-11-19T09:00:00Z", "<p>Can you share the logs?</p>", admin),
              ("oscar", "2026-11-21T09:00:00Z", "<p>Here they are.</p>"),
              ("pat", "2026-11-21T10:00:00Z", "<p>Mine too.</p>")),
        topic(120, "@here URGENT | [click](https://evil.example) <!channel> **now**",
              ("evil_user", "2026-11-19T09:00:00Z")),
    ])


def stack_questions() -> list[dict]:
    from fakes.stackexchange import question

    return [
        question(7001, "Mattermost & Nginx: 502 on <websocket>", owner="Ren&#233; D",
                 created="2026-11-20T10:00:00Z"),
        question(7002, "Bot token scopes", owner="ana", created="2026-11-23T10:00:00Z"),  # 1 day: too new
        question(7003, "Duplicate of something", owner="bo", created="2026-11-15T10:00:00Z",
                 closed="2026-11-16T10:00:00Z"),
        question(7004, "Answered already", owner="cy", created="2026-11-15T10:00:00Z", answers=1),
        question(7005, "Plugin API in Go", owner="di", created="2026-11-18T10:00:00Z",
                 tags=("mattermost-plugin", "go")),
        question(7006, "Old one", owner="ed", created="2026-10-01T10:00:00Z"),
    ]


def gitlab_projects() -> dict:
    from fakes.gitlab import FakeIssue, FakeNote

    return {"gitlab-org/omnibus-gitlab": [
        FakeIssue(11, "Mattermost fails after reconfigure", "ann", "2026-11-20T10:00:00Z", ("Mattermost",)),
        FakeIssue(12, "Only events so far", "ben", "2026-11-19T10:00:00Z", ("Mattermost",),
                  [FakeNote("root", "2026-11-19T11:00:00Z", system=True, body="added ~Mattermost label")]),
        FakeIssue(13, "The author bumps it", "cat", "2026-11-18T10:00:00Z", ("Mattermost", "mattermost-chat"),
                  [FakeNote("cat", "2026-11-21T10:00:00Z", body="Any news?"),
                   FakeNote("root", "2026-11-21T11:00:00Z", system=True, body="mentioned in !42")]),
        FakeIssue(14, "Answered already", "dan", "2026-11-17T10:00:00Z", ("mattermost-chat",),
                  [FakeNote("eve", "2026-11-18T10:00:00Z", body="Set external_url.")]),
        FakeIssue(15, "Not ours", "fay", "2026-11-17T10:00:00Z", ("Geo",)),
        FakeIssue(16, "Too new", "gus", "2026-11-24T10:00:00Z", ("Mattermost",)),
    ]}

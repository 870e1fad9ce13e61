"""repos.yaml and rotation.yaml, validated up front into frozen dataclasses."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cmtriage.yamlnodes import Node, load

REPOS_FILE = "repos.yaml"
ROTATION_FILE = "rotation.yaml"
WATCH_KINDS = ("issues", "pulls", "both")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


# --- repos.yaml ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Staff:
    orgs: tuple[str, ...] = ()
    logins: tuple[str, ...] = ()


@dataclass(frozen=True)
class RepoWatch:
    repo: str
    watch: str = "issues"
    stale_days: int | None = None
    line: int | None = None  # where it stands in repos.yaml, for the rename warning

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset({"issues": ("issue",), "pulls": ("pull",), "both": ("issue", "pull")}[self.watch])


@dataclass(frozen=True)
class HelpWanted:
    label: str
    repos: tuple[str, ...]
    follow_up_days: int = 14


@dataclass(frozen=True)
class Forum:
    url: str
    unanswered_days: int = 2


@dataclass(frozen=True)
class StackOverflow:
    tagged: tuple[str, ...]
    url: str = "https://api.stackexchange.com"


@dataclass(frozen=True)
class UserVoice:
    url: str


@dataclass(frozen=True)
class Jira:
    url: str


@dataclass(frozen=True)
class Zendesk:
    url: str
    query: str = "type:ticket status<solved tags:community"


@dataclass(frozen=True)
class MattermostTarget:
    channel: str | None = None
    username: str | None = None
    icon_url: str | None = None


@dataclass(frozen=True)
class ReposConfig:
    staff: Staff = field(default_factory=Staff)
    bots: tuple[str, ...] = ()
    github: tuple[RepoWatch, ...] = ()
    helpwanted: HelpWanted | None = None
    forum: Forum | None = None
    stackoverflow: StackOverflow | None = None
    uservoice: UserVoice | None = None
    jira: Jira | None = None
    zendesk: Zendesk | None = None
    mattermost: MattermostTarget = field(default_factory=MattermostTarget)
    replies: tuple[tuple[str, str], ...] = ()  # post type -> reply template, overriding the defaults


def _repo_name(node: Node) -> str:
    name = node.string()
    if not _REPO_NAME.match(name):
        node.fail(f'expected owner/name, got "{name}"')
    return name


def _repo_watch(node: Node) -> RepoWatch:
    keys = node.mapping(("repo", "watch", "stale_days"))
    if "repo" not in keys:
        node.fail("missing key repo (an owner/name)")
    return RepoWatch(
        repo=_repo_name(keys["repo"]),
        watch=keys["watch"].choice(WATCH_KINDS) if "watch" in keys else "issues",
        stale_days=keys["stale_days"].integer(minimum=1) if "stale_days" in keys else None,
        line=node.line,
    )


def _required(keys: dict[str, Node], parent: Node, key: str) -> Node:
    if key not in keys:
        parent.fail(f"missing key {key}")
    return keys[key]


def parse_repos(root: Node) -> ReposConfig:
    if root.is_missing():
        return ReposConfig()
    top = root.mapping(
        ("staff", "bots", "github", "helpwanted", "forum", "stackoverflow", "uservoice", "jira", "zendesk",
         "mattermost", "replies")
    )
    values: dict[str, object] = {}
    if "staff" in top:
        staff = top["staff"].mapping(("orgs", "logins"))
        values["staff"] = Staff(
            orgs=staff["orgs"].strings() if "orgs" in staff else (),
            logins=staff["logins"].strings() if "logins" in staff else (),
        )
    if "bots" in top:
        values["bots"] = top["bots"].strings()
    if "github" in top:
        values["github"] = tuple(_repo_watch(child) for child in top["github"].items())
    if "helpwanted" in top:
        node = top["helpwanted"]
        keys = node.mapping(("label", "repos", "follow_up_days"))
        values["helpwanted"] = HelpWanted(
            label=keys["label"].string() if "label" in keys else "Help Wanted",
            repos=tuple(_repo_name(child) for child in _required(keys, node, "repos").items()),
            follow_up_days=keys["follow_up_days"].integer(minimum=1) if "follow_up_days" in keys else 14,
        )
    if "forum" in top:
        node = top["forum"]
        keys = node.mapping(("url", "unanswered_days"))
        values["forum"] = Forum(
            url=_required(keys, node, "url").url(),
            unanswered_days=keys["unanswered_days"].integer() if "unanswered_days" in keys else 2,
        )
    if "stackoverflow" in top:
        node = top["stackoverflow"]
        keys = node.mapping(("tagged", "url"))
        values["stackoverflow"] = StackOverflow(
            tagged=_required(keys, node, "tagged").strings(),
            url=keys["url"].url() if "url" in keys else StackOverflow.url,
        )
    for key, cls in (("uservoice", UserVoice), ("jira", Jira)):
        if key in top:
            keys = top[key].mapping(("url",))
            values[key] = cls(url=_required(keys, top[key], "url").url())
    if "zendesk" in top:
        node = top["zendesk"]
        keys = node.mapping(("url", "query"))
        values["zendesk"] = Zendesk(
            url=_required(keys, node, "url").url(),
            query=keys["query"].string() if "query" in keys else Zendesk.query,
        )
    if "mattermost" in top:
        keys = top["mattermost"].mapping(("channel", "username", "icon_url"))
        values["mattermost"] = MattermostTarget(
            channel=keys["channel"].string() if "channel" in keys else None,
            username=keys["username"].string() if "username" in keys else None,
            icon_url=keys["icon_url"].url() if "icon_url" in keys else None,
        )
    if "replies" in top:
        values["replies"] = tuple((key, node.string()) for key, node in top["replies"].mapping_nodes())
    return ReposConfig(**values)


# --- rotation.yaml ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    name: str
    mention: str
    joins: dt.date | None = None  # `from:` in the file
    leaves: dt.date | None = None  # `until:` in the file


@dataclass(frozen=True)
class Override:
    week: dt.date
    who: str
    reason: str | None = None


@dataclass(frozen=True)
class ReleaseManager:
    version: str
    who: str
    date: dt.date


@dataclass(frozen=True)
class RotationConfig:
    timezone: ZoneInfo
    week_starts: int  # 0 = Monday, as datetime.weekday()
    start: dt.date
    members: tuple[Member, ...]
    overrides: tuple[Override, ...] = ()
    release_managers: tuple[ReleaseManager, ...] = ()
    handoffs: tuple[tuple[str, str], ...] = ()

    def member(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)

    def handoff(self, duty: str) -> str | None:
        return dict(self.handoffs).get(duty)


def _timezone(node: Node) -> ZoneInfo:
    name = node.string()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        node.fail(f'expected an IANA time zone like America/Toronto, got "{name}"')


def _member(node: Node) -> Member:
    keys = node.mapping(("name", "mention", "from", "until"))
    name = _required(keys, node, "name").string()
    mention = keys["mention"].string().lstrip("@") if "mention" in keys else name.lower()
    joins = keys["from"].date() if "from" in keys else None
    leaves = keys["until"].date() if "until" in keys else None
    if joins and leaves and joins > leaves:
        keys["until"].fail(f"{leaves} is before from: {joins}")
    return Member(name=name, mention=mention, joins=joins, leaves=leaves)


def parse_rotation(root: Node) -> RotationConfig:
    top = root.mapping(
        ("timezone", "week_starts", "start", "members", "overrides", "release_managers", "handoffs")
    )
    members_node = _required(top, root, "members")
    members: list[Member] = []
    for child in members_node.items():
        member = _member(child)
        if any(m.name.casefold() == member.name.casefold() for m in members):
            child.fail(f'duplicate member name "{member.name}"')
        members.append(member)
    if not members:
        members_node.fail("expected at least one member")
    names = {m.name for m in members}

    def known_member(node: Node) -> str:
        who = node.string()
        if who not in names:
            node.fail(f'"{who}" is not a member (members: {", ".join(sorted(names))})')
        return who

    overrides = []
    for child in top["overrides"].items() if "overrides" in top else ():
        keys = child.mapping(("week", "who", "reason"))
        overrides.append(
            Override(
                week=_required(keys, child, "week").date(),
                who=known_member(_required(keys, child, "who")),
                reason=keys["reason"].string() if "reason" in keys else None,
            )
        )
    managers = []
    for child in top["release_managers"].items() if "release_managers" in top else ():
        keys = child.mapping(("version", "who", "date"))
        managers.append(
            ReleaseManager(
                version=_required(keys, child, "version").string(),
                who=_required(keys, child, "who").string(),
                date=_required(keys, child, "date").date(),
            )
        )
    handoffs = ()
    if "handoffs" in top:
        handoffs = tuple((key, node.string()) for key, node in top["handoffs"].mapping_nodes())
    return RotationConfig(
        timezone=_timezone(top["timezone"]) if "timezone" in top else ZoneInfo("UTC"),
        week_starts=WEEKDAYS.index(top["week_starts"].choice(WEEKDAYS)) if "week_starts" in top else 0,
        start=_required(top, root, "start").date(),
        members=tuple(members),
        overrides=tuple(overrides),
        release_managers=tuple(managers),
        handoffs=handoffs,
    )


# --- where the files are ---------------------------------------------------------------------------------
def config_dir(option: str | None = None) -> Path:
    return Path(option or os.environ.get("CMTRIAGE_CONFIG_DIR") or ".")


def load_repos(directory: Path) -> ReposConfig:
    return parse_repos(load(directory / REPOS_FILE))


def load_rotation(directory: Path) -> RotationConfig:
    return parse_rotation(load(directory / ROTATION_FILE))

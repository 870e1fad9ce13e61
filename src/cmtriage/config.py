"""repos.yaml and rotation.yaml, validated up front into frozen dataclasses."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cmtriage.yamlnodes import Node, load, quoted

REPOS_FILE = "repos.yaml"
ROTATION_FILE = "rotation.yaml"
WATCH_KINDS = ("issues", "pulls", "both")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# GitHub's characters: an owner (user or org) starts with a letter or digit, then letters, digits,
# hyphens (and underscores, for managed users), 39 at most; a repo name is letters, digits, '.', '-' and
# '_', 100 at most, and never '.' or '..', which a URL would read as a folder ("../user" is /user).
OWNER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$")
REPO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,38}/(?!\.\.?$)[A-Za-z0-9_.-]{1,100}$")
_USERNAME = re.compile(r"^[A-Za-z0-9._-]+$")  # what Mattermost allows in a username
_CHANNEL_MENTIONS = ("all", "channel", "here")  # these notify everyone: never a member's mention
MAX_DAYS = 3650  # ten years: past that a day count is a typo, and dates that far back stop being dates
HANDOFFS = ("zendesk",)  # the duties a handoff can name: reports/zendesk.py reads `zendesk`


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
    if not REPO_NAME.match(name):
        node.expected("owner/name like mattermost/mattermost")
    return name


def _org_names(node: Node) -> tuple[str, ...]:
    """GitHub organizations' names (each goes into a request's path)."""
    from cmtriage.errors import ConfigError

    names = node.strings()
    bad = [index for index, name in enumerate(names) if not OWNER_NAME.match(name)]
    if bad:
        try:
            culprit = list(node.items())[bad[0]]
        except ConfigError:  # a lone name, not a list
            culprit = node
        culprit.expected("a GitHub organization's name like mattermost")
    return names


def _required(keys: dict[str, Node], parent: Node, key: str, what: str) -> Node:
    if key not in keys:
        parent.missing(key, what)
    return keys[key]


def _days(node: Node, *, minimum: int) -> int:
    return node.integer(minimum=minimum, maximum=MAX_DAYS)


def _repo_watches(node: Node) -> tuple[RepoWatch, ...]:
    watches: list[RepoWatch] = []
    by_name: dict[str, list[tuple[Node, RepoWatch]]] = {}  # lower-cased repo -> its watches so far
    for child in node.items():
        keys = child.mapping(("repo", "watch", "stale_days"))
        watch = RepoWatch(
            repo=_repo_name(_required(keys, child, "repo", "owner/name like mattermost/mattermost")),
            watch=keys["watch"].choice(WATCH_KINDS) if "watch" in keys else "issues",
            stale_days=_days(keys["stale_days"], minimum=1) if "stale_days" in keys else None,
            line=child.line,
        )
        # The same repo twice is fine for different kinds (issues weekly, pulls monthly), but twice
        # for one kind would list every item twice.
        same = by_name.setdefault(watch.repo.lower(), [])
        for earlier_node, earlier in same:  # at most three: one per kind
            if earlier.kinds & watch.kinds:
                kinds = " and ".join(f"{kind}s" for kind in sorted(earlier.kinds & watch.kinds))
                child.fail(f"{watch.repo} {kinds} are already watched by {earlier_node.path} "
                           f"(line {earlier_node.line})")
        same.append((child, watch))
        watches.append(watch)
    return tuple(watches)


# The keys of repos.yaml that set up an outside system other than GitHub's watched repos.
SOURCE_KEYS = ("helpwanted", "forum", "stackoverflow", "uservoice", "jira", "zendesk")


def parse_repos(root: Node) -> ReposConfig:
    top = root.mapping(("staff", "bots", "github", *SOURCE_KEYS, "mattermost", "replies"))
    values: dict[str, object] = {}
    if "staff" in top:
        staff = top["staff"].mapping(("orgs", "logins"))
        values["staff"] = Staff(
            orgs=_org_names(staff["orgs"]) if "orgs" in staff else (),
            logins=staff["logins"].strings() if "logins" in staff else (),
        )
    if "bots" in top:
        values["bots"] = top["bots"].strings()
    if "github" in top:
        values["github"] = _repo_watches(top["github"])
    if "helpwanted" in top:
        node = top["helpwanted"]
        keys = node.mapping(("label", "repos", "follow_up_days"))
        values["helpwanted"] = HelpWanted(
            label=keys["label"].string() if "label" in keys else "Help Wanted",
            repos=tuple(map(_repo_name, _required(keys, node, "repos", "a list of owner/name").items())),
            follow_up_days=_days(keys["follow_up_days"], minimum=1) if "follow_up_days" in keys else 14,
        )
    if "forum" in top:
        node = top["forum"]
        keys = node.mapping(("url", "unanswered_days"))
        values["forum"] = Forum(
            url=_required(keys, node, "url", "the forum's URL").url(),
            unanswered_days=_days(keys["unanswered_days"], minimum=0) if "unanswered_days" in keys else 2,
        )
    if "stackoverflow" in top:
        node = top["stackoverflow"]
        keys = node.mapping(("tagged", "url"))
        values["stackoverflow"] = StackOverflow(
            tagged=_required(keys, node, "tagged", "a list of tags").strings(),
            url=keys["url"].url() if "url" in keys else StackOverflow.url,
        )
    for key, cls in (("uservoice", UserVoice), ("jira", Jira)):
        if key in top:
            keys = top[key].mapping(("url",))
            values[key] = cls(url=_required(keys, top[key], "url", f"the {key} site's URL").url())
    if "zendesk" in top:
        node = top["zendesk"]
        keys = node.mapping(("url", "query"))
        values["zendesk"] = Zendesk(
            url=_required(keys, node, "url", "the Zendesk site's URL").url(),
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
        from cmtriage.models import POST_TYPES  # here, not at the top: `rotation who` has no use for it

        templates = top["replies"].mapping(POST_TYPES)
        values["replies"] = tuple((key, node.string()) for key, node in templates.items())
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
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones, like "America"
        node.expected("an IANA time zone like America/Toronto")


def _member(node: Node) -> tuple[Member, Node]:
    """The member and the node of its name."""
    keys = node.mapping(("name", "mention", "from", "until"))
    name_node = _required(keys, node, "name", "the member's name")
    name = name_node.string()
    mention = keys["mention"].string().removeprefix("@") if "mention" in keys else name.lower()
    if not _USERNAME.match(mention) or mention in _CHANNEL_MENTIONS:
        if "mention" in keys:
            keys["mention"].expected("a Mattermost username like eric.s")
        node.missing("mention", f"the Mattermost username of {quoted(name)} (the name is not one)")
    joins = keys["from"].date() if "from" in keys else None
    leaves = keys["until"].date() if "until" in keys else None
    if joins and leaves and joins > leaves:
        keys["until"].expected(f"a date on or after from: {joins}")
    return Member(name=name, mention=mention, joins=joins, leaves=leaves), name_node


def _members(node: Node) -> tuple[Member, ...]:
    members: list[Member] = []
    by_name: dict[str, tuple[Node, Member]] = {}
    for child in node.items():
        member, name_node = _member(child)
        # The queue sorts names case-insensitively, so "eric" and "Eric" cannot both be in it.
        if member.name.casefold() in by_name:
            earlier_node, earlier = by_name[member.name.casefold()]
            name_node.fail(f"duplicate member name {quoted(member.name)} ({earlier_node.path} on line "
                           f"{earlier_node.line} is {quoted(earlier.name)})")
        by_name[member.name.casefold()] = (child, member)
        members.append(member)
    if not members:
        node.expected("at least one member")
    return tuple(members)


def _member_name(node: Node, names: dict[str, None]) -> str:
    """A name that must be one of the rotation's members."""
    name = node.string()
    if name not in names:
        node.expected(f"a member's name ({', '.join(map(quoted, names))})")
    return name


def _overrides(node: Node, names: dict[str, None], week_starts: int) -> tuple[Override, ...]:
    overrides: list[Override] = []
    by_week: dict[dt.date, tuple[Node, Override]] = {}
    for child in node.items():
        keys = child.mapping(("week", "who", "reason"))
        who_node = _required(keys, child, "who", "the member who covers that week")
        week_node = _required(keys, child, "week", "a date inside the week, like 2026-12-07")
        if not _week_fits(week_node.date(), week_starts):
            week_node.fail(f"the week holding {week_node.date()} would begin before 0001-01-01")
        override = Override(
            week=week_node.date(),
            who=_member_name(who_node, names),
            reason=keys["reason"].string() if "reason" in keys else None,
        )
        week = week_start(override.week, week_starts)
        if week in by_week:
            earlier_node, earlier = by_week[week]
            keys["week"].fail(f"{override.week} is in the same week as {earlier_node.path} "
                              f"({earlier.week}, line {earlier_node.line}); keep one")
        by_week[week] = (child, override)
        overrides.append(override)
    return tuple(overrides)


def _week_fits(day: dt.date, week_starts: int) -> bool:
    """Whether the week holding `day` begins on or after 0001-01-01."""
    return (day - dt.date.min).days >= (day.weekday() - week_starts) % 7


def week_start(day: dt.date, week_starts: int) -> dt.date:
    """The first date of the week holding `day` (week_starts: 0 = Monday, as date.weekday()); a usage
    error when that week would begin before the calendar does (0001-01-01 is a Monday)."""
    try:
        return day - dt.timedelta(days=(day.weekday() - week_starts) % 7)
    except OverflowError:
        from cmtriage.errors import UsageError

        raise UsageError(f"{day}: its week would begin before 0001-01-01, the first date cmtriage "
                         "knows") from None


def _never_on_duty(start: Node, members: tuple[Member, ...], week_starts: int) -> None:
    """A rotation whose members have all left before its first week would name nobody, ever."""
    first = week_start(start.date(), week_starts)
    if all(m.leaves is not None and m.leaves < first for m in members):
        last = max(m.leaves for m in members if m.leaves)
        start.fail(f"no member is ever on the rotation: the last one leaves on {last} (until:), before "
                   f"its first week, {first} – {first + dt.timedelta(days=6)}")


def _release_managers(node: Node, names: dict[str, None]) -> tuple[ReleaseManager, ...]:
    managers = []
    for child in node.items():
        keys = child.mapping(("version", "who", "date"))
        who_node = _required(keys, child, "who", "the release manager's name")
        managers.append(ReleaseManager(
            version=_required(keys, child, "version", 'the release, like "11.2"').string(),
            who=_member_name(who_node, names),
            date=_required(keys, child, "date", "the release date, like 2026-12-16").date(),
        ))
    return tuple(managers)


def parse_rotation(root: Node) -> RotationConfig:
    top = root.mapping(
        ("timezone", "week_starts", "start", "members", "overrides", "release_managers", "handoffs")
    )
    timezone = _timezone(top["timezone"]) if "timezone" in top else ZoneInfo("UTC")
    week_starts = WEEKDAYS.index(top["week_starts"].choice(WEEKDAYS)) if "week_starts" in top else 0
    start_node = _required(top, root, "start", "the date the rotation starts, like 2026-01-05")
    start = start_node.date()
    if not _week_fits(start, week_starts):
        start_node.fail(f"the week holding {start} would begin before 0001-01-01; start the rotation later")
    members = _members(_required(top, root, "members", "a list of members, each with a name"))
    _never_on_duty(start_node, members, week_starts)
    names = dict.fromkeys(sorted(m.name for m in members))  # in order, for messages; a dict, for `in`
    overrides = _overrides(top["overrides"], names, week_starts) if "overrides" in top else ()
    managers = _release_managers(top["release_managers"], names) if "release_managers" in top else ()
    handoffs = ()
    if "handoffs" in top:
        handoffs = tuple((key, node.string()) for key, node in top["handoffs"].mapping(HANDOFFS).items())
    return RotationConfig(
        timezone=timezone,
        week_starts=week_starts,
        start=start,
        members=members,
        overrides=overrides,
        release_managers=managers,
        handoffs=handoffs,
    )


# --- where the files are ---------------------------------------------------------------------------------
def config_dir(option: str | None = None) -> Path:
    return Path(option or os.environ.get("CMTRIAGE_CONFIG_DIR") or ".")


def load_repos(directory: Path) -> ReposConfig:
    return parse_repos(load(directory / REPOS_FILE))


def load_rotation(directory: Path) -> RotationConfig:
    return parse_rotation(load(directory / ROTATION_FILE))

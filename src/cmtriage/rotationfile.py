"""rotation.yaml, validated up front into frozen dataclasses: who is on community duty each week.

Kept apart from repos.yaml's classes so that `cmtriage rotation who`, run often, builds only these; and
the parse is remembered (see `load_rotation`), so that while the file is unchanged it needs no YAML
parser, whose import alone costs more than the rest of the command. The YAML helpers are imported by the
functions that parse, for the same reason."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from cmtriage.yamlnodes import Node

ROTATION_FILE = "rotation.yaml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_USERNAME = re.compile(r"^[A-Za-z0-9._-]+$")  # what Mattermost allows in a username
_CHANNEL_MENTIONS = ("all", "channel", "here")  # these notify everyone: never a member's mention
HANDOFFS = ("zendesk",)  # the duties a handoff can name: reports/zendesk.py reads `zendesk`


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
    from cmtriage.yamlnodes import quoted, required

    keys = node.mapping(("name", "mention", "from", "until"))
    name_node = required(keys, node, "name", "the member's name")
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
    from cmtriage.yamlnodes import quoted

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
    from cmtriage.yamlnodes import quoted

    name = node.string()
    if name not in names:
        node.expected(f"a member's name ({', '.join(map(quoted, names))})")
    return name


def _overrides(node: Node, names: dict[str, None], week_starts: int) -> tuple[Override, ...]:
    from cmtriage.yamlnodes import required

    overrides: list[Override] = []
    by_week: dict[dt.date, tuple[Node, Override]] = {}
    for child in node.items():
        keys = child.mapping(("week", "who", "reason"))
        who_node = required(keys, child, "who", "the member who covers that week")
        week_node = required(keys, child, "week", "a date inside the week, like 2026-12-07")
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
    from cmtriage.yamlnodes import required

    managers = []
    for child in node.items():
        keys = child.mapping(("version", "who", "date"))
        who_node = required(keys, child, "who", "the release manager's name")
        managers.append(ReleaseManager(
            version=required(keys, child, "version", 'the release, like "11.2"').string(),
            who=_member_name(who_node, names),
            date=required(keys, child, "date", "the release date, like 2026-12-16").date(),
        ))
    return tuple(managers)


def parse_rotation(root: Node) -> RotationConfig:
    from cmtriage.yamlnodes import required

    top = root.mapping(
        ("timezone", "week_starts", "start", "members", "overrides", "release_managers", "handoffs")
    )
    timezone = _timezone(top["timezone"]) if "timezone" in top else ZoneInfo("UTC")
    week_starts = WEEKDAYS.index(top["week_starts"].choice(WEEKDAYS)) if "week_starts" in top else 0
    start_node = required(top, root, "start", "the date the rotation starts, like 2026-01-05")
    start = start_node.date()
    if not _week_fits(start, week_starts):
        start_node.fail(f"the week holding {start} would begin before 0001-01-01; start the rotation later")
    members = _members(required(top, root, "members", "a list of members, each with a name"))
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


def load_rotation(directory: Path) -> RotationConfig:
    """rotation.yaml, parsed, or as parsed last time when its text is the same (see cmtriage.parsed)."""
    from cmtriage import parsed

    path = directory / ROTATION_FILE
    text = parsed.small_file_text(path)
    if text is not None:
        remembered = parsed.recall(ROTATION_FILE, text)
        if remembered is not None:
            try:
                return _from_plain(remembered)
            except (KeyError, TypeError, ValueError, ZoneInfoNotFoundError):
                pass  # another shape than ours: parse the file again
    from cmtriage.yamlnodes import load

    config = parse_rotation(load(path, text))
    if text is not None:
        parsed.remember(ROTATION_FILE, text, _to_plain(config))
    return config


def _to_plain(config: RotationConfig) -> dict[str, Any]:
    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "timezone": config.timezone.key,
        "week_starts": config.week_starts,
        "start": day(config.start),
        "members": [[m.name, m.mention, day(m.joins), day(m.leaves)] for m in config.members],
        "overrides": [[day(o.week), o.who, o.reason] for o in config.overrides],
        "release_managers": [[r.version, r.who, day(r.date)] for r in config.release_managers],
        "handoffs": [list(pair) for pair in config.handoffs],
    }


def _from_plain(data: dict[str, Any]) -> RotationConfig:
    def day(text: str | None) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    return RotationConfig(
        timezone=ZoneInfo(data["timezone"]),
        week_starts=int(data["week_starts"]),
        start=dt.date.fromisoformat(data["start"]),
        members=tuple(Member(name, mention, day(joins), day(leaves))
                      for name, mention, joins, leaves in data["members"]),
        overrides=tuple(Override(day(week), who, reason) for week, who, reason in data["overrides"]),
        release_managers=tuple(ReleaseManager(version, who, day(date))
                               for version, who, date in data["release_managers"]),
        handoffs=tuple((duty, who) for duty, who in data["handoffs"]),
    )

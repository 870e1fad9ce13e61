"""repos.yaml, validated up front into frozen dataclasses (rotation.yaml is rotationfile.py's, whose
names are also reachable from here)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from cmtriage.rotationfile import (  # noqa: F401 (the rotation's names, for those who import them from here)
    HANDOFFS,
    ROTATION_FILE,
    WEEKDAYS,
    Member,
    Override,
    ReleaseManager,
    RotationConfig,
    load_rotation,
    parse_rotation,
    week_start,
)
from cmtriage.yamlnodes import Node, load, required

REPOS_FILE = "repos.yaml"
WATCH_KINDS = ("issues", "pulls", "both")
_REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
MAX_DAYS = 3650  # ten years: past that a day count is a typo, and dates that far back stop being dates


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
    reports: tuple[tuple[str, object], ...] = ()  # report name -> its default filters.Filters

    def report_defaults(self, name: str):
        """repos.yaml `reports.<name>`: the filters `name` starts from (none set: no filtering)."""
        from cmtriage.filters import Filters

        return dict(self.reports).get(name, Filters())


def _repo_name(node: Node) -> str:
    name = node.string()
    if not _REPO_NAME.match(name):
        node.expected("owner/name like mattermost/mattermost")
    return name


def _days(node: Node, *, minimum: int) -> int:
    return node.integer(minimum=minimum, maximum=MAX_DAYS)


def _repo_watches(node: Node) -> tuple[RepoWatch, ...]:
    watches: list[tuple[Node, RepoWatch]] = []
    for child in node.items():
        keys = child.mapping(("repo", "watch", "stale_days"))
        watch = RepoWatch(
            repo=_repo_name(required(keys, child, "repo", "owner/name like mattermost/mattermost")),
            watch=keys["watch"].choice(WATCH_KINDS) if "watch" in keys else "issues",
            stale_days=_days(keys["stale_days"], minimum=1) if "stale_days" in keys else None,
            line=child.line,
        )
        # The same repo twice is fine for different kinds (issues weekly, pulls monthly), but twice
        # for one kind would list every item twice.
        for earlier_node, earlier in watches:
            if earlier.repo.lower() == watch.repo.lower() and earlier.kinds & watch.kinds:
                kinds = " and ".join(f"{kind}s" for kind in sorted(earlier.kinds & watch.kinds))
                child.fail(f"{watch.repo} {kinds} are already watched by {earlier_node.path} "
                           f"(line {earlier_node.line})")
        watches.append((child, watch))
    return tuple(watch for _, watch in watches)


# The keys of repos.yaml that set up an outside system other than GitHub's watched repos.
SOURCE_KEYS = ("helpwanted", "forum", "stackoverflow", "uservoice", "jira", "zendesk")


def parse_repos(root: Node) -> ReposConfig:
    top = root.mapping(("staff", "bots", "github", *SOURCE_KEYS, "mattermost", "replies", "reports"))
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
        values["github"] = _repo_watches(top["github"])
    if "helpwanted" in top:
        node = top["helpwanted"]
        keys = node.mapping(("label", "repos", "follow_up_days"))
        values["helpwanted"] = HelpWanted(
            label=keys["label"].string() if "label" in keys else "Help Wanted",
            repos=tuple(map(_repo_name, required(keys, node, "repos", "a list of owner/name").items())),
            follow_up_days=_days(keys["follow_up_days"], minimum=1) if "follow_up_days" in keys else 14,
        )
    if "forum" in top:
        node = top["forum"]
        keys = node.mapping(("url", "unanswered_days"))
        values["forum"] = Forum(
            url=required(keys, node, "url", "the forum's URL").url(),
            unanswered_days=_days(keys["unanswered_days"], minimum=0) if "unanswered_days" in keys else 2,
        )
    if "stackoverflow" in top:
        node = top["stackoverflow"]
        keys = node.mapping(("tagged", "url"))
        values["stackoverflow"] = StackOverflow(
            tagged=required(keys, node, "tagged", "a list of tags").strings(),
            url=keys["url"].url() if "url" in keys else StackOverflow.url,
        )
    for key, cls in (("uservoice", UserVoice), ("jira", Jira)):
        if key in top:
            keys = top[key].mapping(("url",))
            values[key] = cls(url=required(keys, top[key], "url", f"the {key} site's URL").url())
    if "zendesk" in top:
        node = top["zendesk"]
        keys = node.mapping(("url", "query"))
        values["zendesk"] = Zendesk(
            url=required(keys, node, "url", "the Zendesk site's URL").url(),
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
    if "reports" in top:
        values["reports"] = _report_defaults(top["reports"])
    return ReposConfig(**values)


REPORT_DEFAULT_KEYS = ("waiting_on", "labels", "exclude_labels", "assignee", "limit")
MAX_LIMIT = 1000


def report_names() -> tuple[str, ...]:
    """The reports repos.yaml `reports:` may set defaults for: every digest section, the digest, snoozed."""
    from cmtriage.sections import SECTIONS

    return (*(section.name for section in SECTIONS), "digest", "snoozed")


def _report_defaults(node: Node) -> tuple[tuple[str, object], ...]:
    """`reports: {stale: {waiting_on: us, exclude_labels: [Lifecycle/frozen]}, digest: {limit: 10}}`."""
    from cmtriage.filters import Filters

    parsed = []
    for name, child in node.mapping(report_names()).items():
        keys = child.mapping(REPORT_DEFAULT_KEYS)
        parsed.append((name, Filters(
            waiting_on=keys["waiting_on"].choice(("us", "author")) if "waiting_on" in keys else None,
            labels=keys["labels"].strings() if "labels" in keys else (),
            exclude_labels=keys["exclude_labels"].strings() if "exclude_labels" in keys else (),
            assignee=keys["assignee"].string().lstrip("@") if "assignee" in keys else None,
            limit=keys["limit"].integer(minimum=1, maximum=MAX_LIMIT) if "limit" in keys else None,
        )))
    return tuple(parsed)


# --- where the files are ---------------------------------------------------------------------------------
def config_dir(option: str | None = None) -> Path:
    return Path(option or os.environ.get("CMTRIAGE_CONFIG_DIR") or ".")


def load_repos(directory: Path) -> ReposConfig:
    return parse_repos(load(directory / REPOS_FILE))



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
from cmtriage.yamlnodes import Node, load, quoted, required

REPOS_FILE = "repos.yaml"
WATCH_KINDS = ("issues", "pulls", "both")
# GitHub's characters: an owner (user or org) starts with a letter or digit, then letters, digits,
# hyphens (and underscores, for managed users), 39 at most; a repo name is letters, digits, '.', '-' and
# '_', 100 at most, and never '.' or '..', which a URL would read as a folder ("../user" is /user).
OWNER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$")
REPO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,38}/(?!\.\.?$)[A-Za-z0-9_.-]{1,100}$")
_PROJECT_PATH = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+$")  # GitLab: group/subgroup/project
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
    # what a description may say (compared case-insensitively) -> the label to add for it
    label_map: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Forum:
    url: str
    unanswered_days: int = 2
    github: tuple[str, ...] = ()  # GitHub repos whose unanswered community issues join the list
    staff_groups: tuple[str, ...] = ()  # Discourse groups whose members count as staff
    staff_usernames: tuple[str, ...] = ()  # more Discourse usernames that count as staff
    enterprise_words: tuple[str, ...] = ()  # more words that put a topic in the after-release list


@dataclass(frozen=True)
class StackOverflow:
    tagged: tuple[str, ...]
    url: str = "https://api.stackexchange.com"


# The seed's UserVoice statuses, from least to most advanced (reports/uservoice.py ranks them so).
USERVOICE_STATUSES = ("Declined", "Under Review", "Planned", "Help Wanted", "Started", "Completed")


@dataclass(frozen=True)
class StatusRule:
    """How one of the seed's statuses is named in UserVoice and recognised on a Jira ticket (each list is
    matched case-insensitively; reports/uservoice.py adds the built-in signs: an active sprint, a fix
    version, the help-wanted label)."""

    name: str  # the status's name on this UserVoice site
    labels: tuple[str, ...] = ()  # Jira labels that imply it
    jira_statuses: tuple[str, ...] = ()  # Jira workflow statuses that imply it
    resolutions: tuple[str, ...] = ()  # Jira resolutions that imply it (Completed, Declined)


DEFAULT_STATUS_RULES: tuple[tuple[str, StatusRule], ...] = (
    ("Declined", StatusRule("Declined", resolutions=(
        "Won't Do", "Won't Fix", "Declined", "Duplicate", "Cannot Reproduce", "Incomplete", "Rejected",
        "Obsolete"))),
    ("Under Review", StatusRule("Under Review")),
    ("Planned", StatusRule("Planned", labels=("spec-done", "spec-complete"),
                           jira_statuses=("Spec Done", "Ready for Development", "Selected for Development"))),
    ("Help Wanted", StatusRule("Help Wanted")),
    ("Started", StatusRule("Started", jira_statuses=("In Progress", "In Review"))),
    ("Completed", StatusRule("Completed", resolutions=("Done", "Fixed", "Implemented", "Complete",
                                                        "Completed", "Resolved"))),
)


@dataclass(frozen=True)
class GitLab:
    url: str
    projects: tuple[str, ...]  # group/project paths
    labels: tuple[str, ...] = ()  # alternatives: an issue with any of them counts (none: every issue)


@dataclass(frozen=True)
class UserVoice:
    url: str | None = None  # the UserVoice site (the Admin API); None: read `export` only
    export: str | None = None  # a suggestions export (CSV or saved JSON) read instead of the API
    statuses: tuple[tuple[str, StatusRule], ...] = DEFAULT_STATUS_RULES  # seed status -> its rule

    def rule(self, status: str) -> StatusRule:
        return dict(self.statuses)[status]


JIRA_FLAVORS = ("cloud", "datacenter")


@dataclass(frozen=True)
class Jira:
    url: str
    project: str | None = None  # the project key (MM): bare keys like MM-123 in text link to it
    labels: tuple[str, ...] = ()  # labels `jira ticket` puts on a ticket it creates
    help_wanted_label: str = "Help Wanted"  # a label (or fix version) saying contributors may take it
    enterprise_label: str = "Enterprise"  # a label saying the idea is an Enterprise feature
    flavor: str = "cloud"  # cloud (/rest/api/3/search/jql, email + API token) | datacenter (Bearer)


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
    gitlab: GitLab | None = None
    replies: tuple[tuple[str, str], ...] = ()  # post type -> reply template, overriding the defaults
    types: tuple[tuple[str, tuple[str, ...]], ...] = ()  # post type -> its label names; () = the defaults
    reports: tuple[tuple[str, object], ...] = ()  # report name -> its default filters.Filters

    def report_defaults(self, name: str):
        """repos.yaml `reports.<name>`: the filters `name` starts from (none set: no filtering)."""
        from cmtriage.filters import Filters

        return dict(self.reports).get(name, Filters())


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


def _project_path(node: Node) -> str:
    path = node.string()
    if not _PROJECT_PATH.match(path):
        node.expected("group/project like gitlab-org/omnibus-gitlab")
    return path


def _days(node: Node, *, minimum: int) -> int:
    return node.integer(minimum=minimum, maximum=MAX_DAYS)


def _repo_watches(node: Node) -> tuple[RepoWatch, ...]:
    watches: list[RepoWatch] = []
    by_name: dict[str, list[tuple[Node, RepoWatch]]] = {}  # lower-cased repo -> its watches so far
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
        same = by_name.setdefault(watch.repo.lower(), [])
        for earlier_node, earlier in same:  # at most three: one per kind
            if earlier.kinds & watch.kinds:
                kinds = " and ".join(f"{kind}s" for kind in sorted(earlier.kinds & watch.kinds))
                child.fail(f"{watch.repo} {kinds} are already watched by {earlier_node.path} "
                           f"(line {earlier_node.line})")
        same.append((child, watch))
        watches.append(watch)
    return tuple(watches)


def _label_map(node: Node) -> tuple[tuple[str, str], ...]:
    """helpwanted.label_map: {what a description says: a label name}, each key once whatever its case."""
    entries: list[tuple[str, str]] = []
    for key, value in node.mapping_nodes():
        label = value.string().strip()
        earlier = next((k for k, _ in entries if k.strip().lower() == key.strip().lower()), None)
        if earlier is not None:
            value.fail(f"{quoted(earlier)} is mapped already (keys are compared in any case)")
        entries.append((key, label))
    return tuple(entries)


# The keys of repos.yaml that set up an outside system other than GitHub's watched repos.
SOURCE_KEYS = ("helpwanted", "forum", "stackoverflow", "uservoice", "jira", "zendesk", "gitlab")


_PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]+$")


def _uservoice(node: Node) -> UserVoice:
    keys = node.mapping(("url", "export", "statuses"))
    if "url" not in keys and "export" not in keys:
        node.missing("url", "the UserVoice site's URL (or export: a suggestions export file)")
    rules = dict(DEFAULT_STATUS_RULES)
    if "statuses" in keys:
        for status, child in keys["statuses"].mapping(USERVOICE_STATUSES).items():
            fields = child.mapping(("name", "labels", "jira_statuses", "resolutions"))
            if "resolutions" in fields and status not in ("Completed", "Declined"):
                fields["resolutions"].fail("only Completed and Declined are implied by a resolution")
            default = rules[status]
            rules[status] = StatusRule(
                name=fields["name"].string() if "name" in fields else default.name,
                labels=fields["labels"].strings() if "labels" in fields else default.labels,
                jira_statuses=(fields["jira_statuses"].strings() if "jira_statuses" in fields
                               else default.jira_statuses),
                resolutions=(fields["resolutions"].strings() if "resolutions" in fields
                             else default.resolutions),
            )
        names: dict[str, str] = {}
        for status, rule in rules.items():
            if rule.name.casefold() in names:
                keys["statuses"].fail(f"{status} and {names[rule.name.casefold()]} are both named "
                                      f"{quoted(rule.name)}; each needs its own UserVoice status")
            names[rule.name.casefold()] = status
    return UserVoice(
        url=keys["url"].url() if "url" in keys else None,
        export=keys["export"].string() if "export" in keys else None,
        statuses=tuple((status, rules[status]) for status in USERVOICE_STATUSES),
    )


def _jira(node: Node) -> Jira:
    keys = node.mapping(("url", "project", "labels", "help_wanted_label", "enterprise_label", "flavor"))
    project = None
    if "project" in keys:
        project = keys["project"].string()
        if not _PROJECT_KEY.match(project):
            keys["project"].expected("a Jira project key like MM")
    return Jira(
        url=required(keys, node, "url", "the jira site's URL").url(),
        project=project,
        labels=keys["labels"].strings() if "labels" in keys else (),
        help_wanted_label=(keys["help_wanted_label"].string() if "help_wanted_label" in keys
                           else Jira.help_wanted_label),
        enterprise_label=(keys["enterprise_label"].string() if "enterprise_label" in keys
                          else Jira.enterprise_label),
        flavor=keys["flavor"].choice(JIRA_FLAVORS) if "flavor" in keys else "cloud",
    )


def parse_repos(root: Node) -> ReposConfig:
    top = root.mapping(("staff", "bots", "github", *SOURCE_KEYS, "mattermost", "replies", "types", "reports"))
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
        keys = node.mapping(("label", "repos", "follow_up_days", "label_map"))
        values["helpwanted"] = HelpWanted(
            label=keys["label"].string() if "label" in keys else "Help Wanted",
            repos=tuple(map(_repo_name, required(keys, node, "repos", "a list of owner/name").items())),
            follow_up_days=_days(keys["follow_up_days"], minimum=1) if "follow_up_days" in keys else 14,
            label_map=_label_map(keys["label_map"]) if "label_map" in keys else (),
        )
    if "forum" in top:
        node = top["forum"]
        keys = node.mapping(("url", "unanswered_days", "github", "staff_groups", "staff_usernames",
                             "enterprise_words"))
        values["forum"] = Forum(
            url=required(keys, node, "url", "the forum's URL").url(),
            unanswered_days=_days(keys["unanswered_days"], minimum=0) if "unanswered_days" in keys else 2,
            github=tuple(map(_repo_name, keys["github"].items())) if "github" in keys else (),
            **{key: keys[key].strings() for key in ("staff_groups", "staff_usernames", "enterprise_words")
               if key in keys},
        )
    if "stackoverflow" in top:
        node = top["stackoverflow"]
        keys = node.mapping(("tagged", "url"))
        values["stackoverflow"] = StackOverflow(
            tagged=required(keys, node, "tagged", "a list of tags").strings(),
            url=keys["url"].url() if "url" in keys else StackOverflow.url,
        )
    if "uservoice" in top:
        values["uservoice"] = _uservoice(top["uservoice"])
    if "jira" in top:
        values["jira"] = _jira(top["jira"])
    if "zendesk" in top:
        node = top["zendesk"]
        keys = node.mapping(("url", "query"))
        values["zendesk"] = Zendesk(
            url=required(keys, node, "url", "the Zendesk site's URL").url(),
            query=keys["query"].string() if "query" in keys else Zendesk.query,
        )
    if "gitlab" in top:
        node = top["gitlab"]
        keys = node.mapping(("url", "projects", "labels"))
        projects = required(keys, node, "projects", "a list of group/project paths").items()
        values["gitlab"] = GitLab(
            url=keys["url"].url() if "url" in keys else "https://gitlab.com",
            projects=tuple(_project_path(child) for child in projects),
            labels=keys["labels"].strings() if "labels" in keys else (),
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
    if "types" in top:
        values["types"] = _types(top["types"])
    if "reports" in top:
        values["reports"] = _report_defaults(top["reports"])
    return ReposConfig(**values)


def _types(node: Node) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`types:`: post type -> the label names that mark it; a label under two types is a mistake."""
    from cmtriage.models import POST_TYPES

    found: list[tuple[str, tuple[str, ...]]] = []
    seen: dict[str, str] = {}  # lower-cased label -> its type (GitHub's label names ignore case)
    for key, child in node.mapping(POST_TYPES).items():
        labels = child.strings()
        if not labels:
            child.expected("a list of label names")
        for label in labels:
            if "," in label:  # GitHub's labels= splits on commas
                child.fail(f"{label!r}: a label name with a comma cannot be listed by itself")
            earlier = seen.setdefault(label.lower(), key)
            if earlier != key:
                child.fail(f"label {label!r} is already under {earlier}")
        found.append((key, labels))
    if not found:
        node.expected("a mapping of post types to label names")
    return tuple(found)


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



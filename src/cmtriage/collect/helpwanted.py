"""The Help Wanted report from the GitHub source, and --apply's labels. It shares the run's GitHub client
with the digest's other GitHub sections (`run.shared("github", ...)`: one cache, one --wait budget, one
staff list) and asks, per repo of repos.yaml `helpwanted.repos` (or --repo):
- the repo (canonical name, archived) and, unless stale/new resolved them already, the staff orgs;
- one listing of its open items carrying `helpwanted.label`, and its labels;
- the comments of the issues that have any (reused without a request while an issue has not moved);
- the timeline of the issues where a linked pull could change the answer (reports/helpwanted.py says
  which).
Nothing here prints a report; warnings and --apply's lines go to the terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cmtriage.collect import Run, or_failed
from cmtriage.errors import SourceFailure, UsageError
from cmtriage.terminal import terminal

if TYPE_CHECKING:
    from cmtriage.collect.github import GitHubRun
    from cmtriage.models import Report

TITLE = "Help Wanted issues"
DEFAULT_LABEL = "Help Wanted"
DEFAULT_FOLLOW_UP_DAYS = 14
DEFAULT_SINCE = timedelta(days=7)


@dataclass(frozen=True)
class Targets:
    """What to look at: the label, the repos (each with where it was named), the thresholds."""

    label: str
    repos: tuple[tuple[str, str], ...]  # (name, where: "repos.yaml helpwanted.repos" or "--repo")
    follow_up_days: int
    label_map: tuple[tuple[str, str], ...] = ()


def targets(run: Run) -> Targets:
    """repos.yaml `helpwanted:` and the options; a usage error before anything is asked."""
    from cmtriage.collect.github import checked_repos, config
    from cmtriage.config import REPOS_FILE

    repos = checked_repos(run.option("repos", ()))
    settings = config(run.env, repos).helpwanted
    if not repos and settings is None:
        raise UsageError(f"{run.env.where(REPOS_FILE)}: no helpwanted: repos to look at; add "
                         "helpwanted: {repos: [OWNER/NAME]}, or pass --repo OWNER/NAME")
    where = f"{run.env.where(REPOS_FILE)}: helpwanted.repos"
    chosen = tuple((name, "--repo") for name in repos) or tuple((name, where) for name in settings.repos)
    return Targets(
        label=settings.label if settings else DEFAULT_LABEL,
        repos=tuple(dict.fromkeys(chosen)),
        follow_up_days=run.option("follow_up_days") or (settings.follow_up_days if settings
                                                        else DEFAULT_FOLLOW_UP_DAYS),
        label_map=settings.label_map if settings else (),
    )


@contextmanager
def _opened(run: Run) -> Iterator[GitHubRun]:
    """The run's GitHub client when Help Wanted opens it first (the `helpwanted` command): no watches of
    stale/new to resolve. A digest's stale section opens it first, with its watches."""
    from cmtriage.collect.github import GitHubRun, client, config

    with client(run.env, run.budget()) as github:
        yield GitHubRun(github, config(run.env, run.option("repos", ())), [], run.env)


@dataclass
class _Seen:
    """What --apply needs from the run's report: each repo's labels as read this run."""

    repo_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)


@contextmanager
def _seen(run: Run) -> Iterator[_Seen]:
    yield _Seen()


def section(run: Run) -> Report | None:
    """The Help Wanted report (`since`, `follow_up_days`, `repos` from the run's options)."""
    from cmtriage.reports.helpwanted import NAME

    chosen = targets(run)
    gh = run.shared("github", _opened)
    return or_failed(NAME, TITLE, run, lambda: report(gh, chosen, run))


def report(gh: GitHubRun, chosen: Targets, run: Run) -> Report:
    from cmtriage.collect.github import unique, unread_errors
    from cmtriage.models import SourceError
    from cmtriage.reports import helpwanted as rules
    from cmtriage.sources.github import People, Plan, Repo, labelled

    env, github, config = run.env, gh.github, gh.config
    names = [name for name, _ in chosen.repos]
    if gh.watches:  # stale/new share this run: the staff, and the repos they watch too, are known
        resolved = gh.resolved()
        people = resolved.people
        known: dict[str, Any] = {**resolved.live, **{name: Repo(name, canonical, archived=True)
                                                    for name, canonical in resolved.archived.items()}}
        rest = [name for name in names if name not in known and name not in resolved.failed]
        found, _ = github.resolve(rest, ())
        found = {**found, **known, **{name: SourceFailure("github", error.message)
                                      for name, error in resolved.failed.items()}}
    else:
        found, members = github.resolve(names, config.staff.orgs)
        people = People.of(config.staff.logins, members, config.bots)
    errors: list[SourceError] = []
    live, archived = {}, []
    for name, where in chosen.repos:
        repo = found[name]
        if isinstance(repo, SourceFailure):
            errors.append(SourceError.of(repo))
            continue
        if repo.renamed:
            terminal().warn(f"{where}: {repo.requested} was renamed to {repo.name} on GitHub; "
                            f"put {repo.name} {'in repos.yaml' if where != '--repo' else 'there'}")
        if repo.archived:
            archived.append(repo.name)
        else:
            live.setdefault(repo.name, repo)
    fetched = github.fetch([Plan(repo, labelled(chosen.label)) for repo in live.values()])
    repo_labels: dict[str, tuple[str, ...]] = {}
    for name, labels in github.labels(list(live.values())).items():
        if isinstance(labels, SourceFailure):
            errors.append(SourceError.of(labels))
        else:
            repo_labels[name] = labels
    run.shared("helpwanted", _seen).repo_labels.update(repo_labels)
    issues = []
    for activity in fetched.values():
        if isinstance(activity, SourceFailure):
            errors.append(SourceError.of(activity))
        else:
            issues += [issue for issue in activity.issues if issue.kind == "issue"]
    said = github.issue_comments([issue for issue in issues if issue.comments])
    errors += unread_errors(said)
    comments = {key: found for key, found in said.items() if not isinstance(found, SourceFailure)}
    wanted = [issue for issue in issues
              if (issue.comments == 0 or (issue.repo, issue.number) in comments)
              and rules.timeline_needed(issue, comments.get((issue.repo, issue.number), ()), people,
                                        now=env.now, follow_up_days=chosen.follow_up_days)]
    linked = github.cross_references(wanted, env.now.date())
    errors += unread_errors(linked)
    references = {key: found for key, found in linked.items() if not isinstance(found, SourceFailure)}
    since = run.option("helpwanted_since") or env.now - DEFAULT_SINCE
    return rules.build(issues, comments=comments, references=references, repo_labels=repo_labels,
                       people=people, now=env.now, since=since, follow_up_days=chosen.follow_up_days,
                       label_map=rules.LabelMap(chosen.label_map), mention=run.option("mention"),
                       archived=unique(archived), errors=errors)


def apply(run: Run, built: Report, confirm: Callable[[Sequence[str]], bool] | None = None) -> Report:
    """Add the `labels` list's labels on GitHub (only the repo's own, only those an issue lacks, only on
    issues not snoozed) and say per issue what was added; `confirm(lines)` may refuse. The report comes
    back with `applied` on every item and a refused write among its errors."""
    from cmtriage.models import SourceError
    from cmtriage.reports import helpwanted as rules

    screen = terminal()
    if not built.items and built.errors:  # the source could not be asked: nothing to add from
        return built
    from cmtriage.snooze import hider_in

    seen = run.shared("helpwanted", _seen)
    shown = hider_in(run.env)(built).items  # a snoozed issue (either file) is left alone, as it is not shown
    changes = rules.to_add(shown, seen.repo_labels)
    if not changes:
        screen.say("--apply: nothing to add; every listed issue already carries the labels its text names "
                   "(or names none this repo has)")
        return rules.applied(built, {})
    lines = [f"{repo}#{number}: add {', '.join(names)}" for repo, number, names in changes]
    if confirm is not None and not confirm(lines):
        screen.say("--apply: nothing added")
        return rules.applied(built, {})
    gh = run.shared("github", _opened)
    results = gh.github.add_labels(changes)
    errors: list[Any] = []
    carried: dict[tuple[str, int], tuple[str, ...] | None] = {}
    for repo, number, names in changes:
        result = results[(repo, number)]
        if isinstance(result, SourceFailure):
            errors.append(SourceError.of(result))
            continue
        carried[(repo, number)] = result
        present = {label.lower() for label in result}
        added = [name for name in names if name.lower() in present]
        screen.say(f"{repo}#{number}: added {', '.join(added)}")
    made = rules.applied(built, carried)
    from dataclasses import replace

    return replace(made, errors=(*made.errors, *dict.fromkeys(errors)))

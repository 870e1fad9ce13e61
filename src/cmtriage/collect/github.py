"""GitHub's reports, `stale` and `new`, from the GitHub source: which repos to ask, the client with its
cache and progress line (`shared`: one per run, for every GitHub section of a digest), repo resolution
(renames, archives, staff), and the reports built from what came back. Nothing here prints a report;
warnings go to the terminal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cmtriage.collect import Run, first_failure, or_failed, save_cache
from cmtriage.errors import SourceFailure, UsageError
from cmtriage.models import counted
from cmtriage.terminal import terminal

if TYPE_CHECKING:
    from cmtriage.config import ReposConfig, RepoWatch
    from cmtriage.env import Env
    from cmtriage.models import Report, SourceError
    from cmtriage.sources.budget import WaitBudget
    from cmtriage.sources.github import GitHub, Repo

STALE_TITLE = "Stale GitHub issues and pulls"  # of a report that could not be made
NEW_TITLE = "New GitHub issues"


# --- what to look at ---------------------------------------------------------------------------------------
def config(env: Env, repos: Sequence[str]) -> ReposConfig:
    """repos.yaml; without one, --repo alone is enough."""
    from cmtriage.config import ReposConfig

    if repos and not env.has_repos():
        return ReposConfig()
    return env.repos()


def checked_repos(repos: Sequence[str]) -> Sequence[str]:
    """--repo values, each GitHub's owner/name (it goes into a request's path), before anything is asked."""
    from cmtriage.config import REPO_NAME

    for name in repos:
        if not REPO_NAME.match(name):
            raise UsageError(f"--repo: expected OWNER/NAME, got {name!r}")
    return repos


def watches(config: ReposConfig, repos: Sequence[str], env: Env) -> list[RepoWatch]:
    """The watches of repos.yaml, or those --repo names (one not in repos.yaml watches issues)."""
    from cmtriage.config import REPOS_FILE, RepoWatch

    if not repos:
        if not config.github:
            raise UsageError(f"{env.where(REPOS_FILE)}: no github: repos to look at; add some, "
                             "or pass --repo OWNER/NAME")
        return list(config.github)
    chosen: list[RepoWatch] = []
    for name in checked_repos(repos):
        configured = [w for w in config.github if w.repo.lower() == name.lower()]
        chosen += configured or [RepoWatch(repo=name)]
    return chosen


def issue_watches(config: ReposConfig, repos: Sequence[str], env: Env) -> list[RepoWatch]:
    """The watches `new` reads: those of issues."""
    chosen = [w for w in watches(config, repos, env) if "issue" in w.kinds]
    if not chosen and repos:
        raise UsageError(f"{', '.join(repos)}: watched for pulls only in repos.yaml, and new lists issues; "
                         "set watch: both there, or pass a --repo that is watched for issues")
    if not chosen:
        raise UsageError("no repo in repos.yaml watches issues; pass --repo OWNER/NAME")
    return chosen


def _where(watch: RepoWatch, env: Env) -> str:
    from cmtriage.config import REPOS_FILE

    return env.where(REPOS_FILE, watch.line) if watch.line else f"--repo {watch.repo}"


# --- the client --------------------------------------------------------------------------------------------
@contextmanager
def client(env: Env, budget: WaitBudget) -> Iterator[GitHub]:
    """The GitHub client with the cache, a progress line on a terminal, and the cost said at the end."""
    from cmtriage.sources import github as source

    token, _ = source.token()
    cache = env.cache("github", source.api_root(), token)
    screen = terminal()
    with screen.progress("Asking GitHub…") as progress, source.GitHub.from_env(
            cache=cache, budget=budget, notify=screen.warn, on_retry=screen.retrying,
            on_request=progress and (lambda stats: progress(f"Asking GitHub… {_requests(stats.requests)}"))
    ) as github:
        yield github
    save_cache(cache)
    stats = github.stats
    left = f"; {stats.rate_remaining:,} of {stats.rate_limit:,} left" if stats.rate_limit else ""
    screen.cost(f"GitHub: {_requests(stats.requests)}, {stats.not_modified} of them unchanged (free), "
                f"{counted(stats.reused, 'page')} reused without asking{left}")


def _requests(count: int) -> str:
    return f"{count:,} {'request' if count == 1 else 'requests'}"


@dataclass(frozen=True)
class Resolved:
    """The watched repos as GitHub knows them, each keyed by the name repos.yaml or --repo gave."""

    live: dict[str, Repo]
    archived: dict[str, str]  # requested name -> canonical name
    failed: dict[str, SourceError]
    people: Any  # sources.github.People
    public_only: str | None = None  # "staff: public members of ORG only (why)" when private ones are unseen

    def names(self) -> set[str]:
        return {*self.live, *self.archived, *self.failed}

    def merged(self, other: Resolved) -> Resolved:
        """These repos and `other`'s, with these staff."""
        return Resolved({**self.live, **other.live}, {**self.archived, **other.archived},
                        {**self.failed, **other.failed}, self.people, self.public_only)

    def only(self, watches: Sequence[RepoWatch]) -> Resolved:
        names = {w.repo for w in watches}
        return Resolved({n: r for n, r in self.live.items() if n in names},
                        {n: r for n, r in self.archived.items() if n in names},
                        {n: e for n, e in self.failed.items() if n in names}, self.people, self.public_only)


def resolve(github: GitHub, watches: Sequence[RepoWatch], config: ReposConfig, env: Env,
            staff: Resolved | None = None) -> Resolved:
    """Every watched repo's canonical name, and who is staff (`staff`'s, when another resolution of the
    run has asked already); warns of renames."""
    from cmtriage.models import SourceError
    from cmtriage.sources.github import People

    names = list(dict.fromkeys(w.repo for w in watches))
    found, members = github.resolve(names, () if staff is not None else config.staff.orgs)
    if staff is not None:
        resolved = Resolved({}, {}, {}, staff.people, staff.public_only)
    else:
        public_only = None
        if config.staff.orgs and github.sees_private_members() is False:
            why = "token lacks read:org" if github.authenticated else "no GITHUB_TOKEN or GH_TOKEN"
            public_only = f"staff: public members of {', '.join(config.staff.orgs)} only ({why})"
            terminal().warn(f"{public_only}: their private members count as community here")
        resolved = Resolved({}, {}, {}, People.of(config.staff.logins, members, config.bots), public_only)
    warned = set()
    for watch in watches:
        repo = found[watch.repo]
        if isinstance(repo, SourceFailure):
            resolved.failed[watch.repo] = SourceError.of(repo)
            continue
        if repo.archived:
            resolved.archived[watch.repo] = repo.name
        else:
            resolved.live[watch.repo] = repo
        if repo.renamed and watch.repo not in warned:
            warned.add(watch.repo)
            terminal().warn(f"{_where(watch, env)}: {repo.requested} was renamed to {repo.name} on GitHub; "
                            f"put {repo.name} in repos.yaml")
    return resolved


@dataclass
class GitHubRun:
    """What a run's GitHub sections share: the client, the watches, and their resolution, done once."""

    github: GitHub
    config: ReposConfig
    watches: list[RepoWatch]
    env: Env
    _known: Resolved | SourceFailure | None = field(default=None, repr=False)  # every repo resolved so far

    def resolved(self, watches: Sequence[RepoWatch] | None = None) -> Resolved:
        """The run's watched repos resolved (`watches`' when given: forum.github's need not be the run's),
        each repo and the staff asked once a run; raises the run's SourceFailure when GitHub could not be
        asked at all, for each section that asks."""
        chosen = self.watches if watches is None else watches
        if isinstance(self._known, SourceFailure):
            raise self._known
        known = self._known
        missing = [w for w in chosen if known is None or w.repo not in known.names()]
        if missing:
            try:
                found = resolve(self.github, missing, self.config, self.env, staff=known)
            except SourceFailure as failure:
                if known is None:
                    self._known = failure
                raise
            self._known = found if known is None else known.merged(found)
        return self._known.only(chosen)


@contextmanager
def _opened(run: Run) -> Iterator[GitHubRun]:
    repos = run.option("repos", ())
    chosen_config = config(run.env, repos)
    if run.option("issues_only"):
        chosen = issue_watches(chosen_config, repos, run.env)
    else:
        chosen = watches(chosen_config, repos, run.env)
    _warn_without_token(run, chosen, chosen_config)
    with client(run.env, run.budget()) as github:
        yield GitHubRun(github, chosen_config, chosen, run.env)


def _warn_without_token(run: Run, chosen: Sequence[RepoWatch], config: ReposConfig) -> None:
    """Without a token GitHub allows 60 requests an hour: say so at the start, with what this run needs
    at least (a look-up per repo and staff org, then a page of items and one of comments per repo for
    stale, a page of new issues for new)."""
    from cmtriage.sources import github as source

    source.api_root()  # a bad GITHUB_API_URL is the first thing to hear of
    if source.token()[0]:
        return
    per_repo = 1 + (2 if "days" in run.options else 0) + (1 if "since" in run.options else 0)
    needed = len({w.repo.lower() for w in chosen}) * per_repo + len(config.staff.orgs)
    terminal().warn(f"no GITHUB_TOKEN or GH_TOKEN: GitHub allows 60 requests an hour without a token, and "
                    f"this run needs at least {needed}; set GITHUB_TOKEN to a token (no scope needed for "
                    "public repos, read:org to see private staff members)")


def shared(run: Run) -> GitHubRun:
    return run.shared("github", _opened)


# --- stale -------------------------------------------------------------------------------------------------
def stale_section(run: Run) -> Report:
    """The stale report of the run's watches (`days`, `activity` from its options)."""
    from cmtriage.reports.stale import NAME

    gh = shared(run)
    return or_failed(NAME, STALE_TITLE, run, lambda: stale_report(
        gh.github, gh.resolved(), gh.watches, env=run.env, days=run.option("days", 7),
        activity=run.option("activity", "human"), mention=run.option("mention")))


def stale_report(github: GitHub, resolved: Resolved, watches: Sequence[RepoWatch], *, env: Env, days: int,
                 activity: str = "human", mention: str | None = None) -> Report:
    from cmtriage.models import SourceError
    from cmtriage.reports import stale as report
    from cmtriage.sources.github import Plan, every_open_item, open_items_updated_before

    live = resolved.live
    errors = list(resolved.failed.values())
    thresholds: dict[tuple[str, str], int] = {}
    for watch in watches:
        if watch.repo in live:
            for kind in sorted(watch.kinds):
                thresholds.setdefault((live[watch.repo].name, kind), watch.stale_days or days)
    plans = []
    for repo in {r.name: r for r in live.values()}.values():
        longest = max(d for (name, _), d in thresholds.items() if name == repo.name)
        shortest = min(d for (name, _), d in thresholds.items() if name == repo.name)
        if activity == "updated":
            plans.append(Plan(repo, open_items_updated_before(_days_back(env, shortest))))
        else:
            plans.append(Plan(repo, every_open_item(), comments_since=_days_back(env, longest)))
    fetched = github.fetch(plans)
    errors += [SourceError.of(f) for f in fetched.values() if isinstance(f, SourceFailure)]
    activities = [a for a in fetched.values() if not isinstance(a, SourceFailure)]
    planned = report.plan(activities, people=resolved.people, now=env.now, thresholds=thresholds,
                          measure=activity)
    history = github.last_human_activity(planned.needed, resolved.people)
    errors += unread_errors(history)
    built = report.build(planned, history, people=resolved.people, now=env.now, thresholds=thresholds,
                         mention=mention, archived=unique(resolved.archived.values()), errors=errors,
                         days=days)
    return _accounted(built, STALE_TITLE, resolved, fetched, history)


def _accounted(built: Report, title: str, resolved: Resolved, fetched: dict[str, Any],
               history: dict[tuple[str, int], Any] | None = None) -> Report:
    """The report, its title saying "not listed" when no repo could be read, else "incomplete" naming
    what could not be (repos, items' comments) when something could not."""
    read = [name for name, found in fetched.items() if not isinstance(found, SourceFailure)]
    missing = [*resolved.failed, *(name for name in fetched if name not in read)]
    if missing and not read and not resolved.archived:
        return built.not_listed(title)
    if resolved.public_only:
        count = len(built.items)
        built = replace(built, notes=(*built.notes, f"{resolved.public_only}; {count} "
                                      f"{'item' if count == 1 else 'items'} may be misjudged."))
    unread: dict[str, int] = {}
    for (repo, _), found in (history or {}).items():
        if isinstance(found, SourceFailure):
            unread[repo] = unread.get(repo, 0) + 1
    missing += [f"the comments of {counted(count, 'item')} in {repo}"
                for repo, count in unread.items()]
    return built.incomplete(missing)


def _days_back(env: Env, days: int) -> datetime:
    """`days` before now; a usage error when that is before the calendar begins (--now 0001-01-01)."""
    try:
        return env.now - timedelta(days=days)
    except OverflowError:
        raise UsageError(f"--now {env.now.date().isoformat()}: {days} days before it is before the "
                         "calendar begins (0001-01-01); pass a later --now") from None


def unique(names: Iterable[str]) -> list[str]:
    """`names` in their first order, each once (two watches of one repo name it twice)."""
    return list(dict.fromkeys(names))


def unread_errors(history: dict[tuple[str, int], Any]) -> list[SourceError]:
    """One error per repo whose items' comments could not be read, saying how many items."""
    failed: dict[str, list[SourceFailure]] = {}
    for (repo, _), found in history.items():
        if isinstance(found, SourceFailure):
            failed.setdefault(repo, []).append(found)
    return [first_failure(failures, "item") for failures in failed.values()]


# --- new ---------------------------------------------------------------------------------------------------
def parse_since(text: str, now: datetime) -> datetime:
    """--since: a duration back from now, or a date or time not in the future."""
    from cmtriage import clock

    duration = clock.parse_duration(text, what="--since")
    if duration is not None:
        return clock.shifted(now, -duration, what="--since")
    since = clock.parse_instant(text, what="--since", expected="a duration like 12h, 1d or 1w, a date like "
                                "2026-11-20, or an ISO 8601 time like 2026-11-24T09:00:00Z")
    if since > now:
        raise UsageError(f"--since: {text} is in the future; pass a past date or a duration like 1d")
    return since


def new_section(run: Run) -> Report | None:
    """The new-issues report of the run's watches that watch issues (`since` from its options); None
    when none does."""
    from cmtriage.reports.new import NAME

    gh = shared(run)
    chosen = [w for w in gh.watches if "issue" in w.kinds]
    if not chosen:
        return None
    since = run.option("since") or parse_since("1d", run.env.now)
    return or_failed(NAME, NEW_TITLE, run, lambda: new_report(
        gh.github, gh.resolved(chosen), gh.config, env=run.env, since=since, mention=run.option("mention")))


def new_report(github: GitHub, resolved: Resolved, config: ReposConfig, *, env: Env, since: datetime,
               mention: str | None = None) -> Report:
    """The new-issues report of the resolved repos (those that watch issues)."""
    from cmtriage.models import SourceError
    from cmtriage.reports import new as report
    from cmtriage.sources.github import Plan, opened_since

    repos_by_name = {r.name: r for r in resolved.live.values()}
    fetched = github.fetch([Plan(repo, opened_since(since)) for repo in repos_by_name.values()])
    activities = {name: a for name, a in fetched.items() if not isinstance(a, SourceFailure)}
    commented = [Plan(a.repo, None, comments_since=since) for a in activities.values()
                 if report.needs_comments(a, resolved.people, since)]
    for name, found in github.fetch(commented).items():
        if isinstance(found, SourceFailure):
            fetched[name] = found
            del activities[name]
        else:
            activities[name] = replace(activities[name], since=found.since, comments=found.comments)
    errors = [*resolved.failed.values(),
              *(SourceError.of(f) for f in fetched.values() if isinstance(f, SourceFailure))]
    built = report.build(list(activities.values()), people=resolved.people, now=env.now, since=since,
                         templates=config.replies, forum_url=config.forum.url if config.forum else None,
                         mention=mention, archived=unique(resolved.archived.values()), errors=errors,
                         types=config.types or None, model=_learned_model())
    return _accounted(built, NEW_TITLE, resolved, fetched)


def _learned_model() -> Any:
    """The model `cmtriage learn` saved, else None (then the rules decide)."""
    from cmtriage import learned

    return learned.load()

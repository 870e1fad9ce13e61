"""`learn`: the labelled issues of the watched repos -> a fitted post-type model, saved; printing nothing.

Which labels mark which post type comes from repos.yaml `types:`, else Mattermost's own labels
(classify.DEFAULT_TYPES). Every watched repo that watches issues is read, archived ones too (their
history is still the team's judgement), with one list call per label and repo (`GitHub.labelled_issues`).
An issue that carries the labels of two types teaches nothing and is left out; each type keeps its newest
`limit` issues. A type with fewer than learned.MIN_EXAMPLES issues is left to the rules; fewer than two
types to learn is an error, and no model is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cmtriage.errors import SourceFailure, UsageError

if TYPE_CHECKING:
    from cmtriage.env import Env
    from cmtriage.learned import Model
    from cmtriage.models import Issue


@dataclass(frozen=True)
class Learned:
    model: Model
    path: Path
    size: int  # bytes of the saved file
    counts: dict[str, int]  # issues learned from, per type, in POST_TYPES order
    too_few: dict[str, int] = field(default_factory=dict)  # types left to the rules, with their counts
    unused_labels: tuple[str, ...] = ()  # labels no issue of any watched repo carries
    conflicting: int = 0  # issues left out for carrying the labels of two types


def learn(env: Env, repos: Sequence[str], *, limit: int, budget) -> Learned:
    from cmtriage import learned
    from cmtriage.classify import DEFAULT_TYPES
    from cmtriage.collect.github import client, config, issue_watches
    from cmtriage.models import POST_TYPES
    from cmtriage.sources.github import Repo

    chosen_config = config(env, repos)
    watches = issue_watches(chosen_config, repos, env)
    types = chosen_config.types or DEFAULT_TYPES
    labels = list(dict.fromkeys(label for _, names in types for label in names))
    with client(env, budget) as github:
        found, _ = github.resolve(list(dict.fromkeys(w.repo for w in watches)))
        failures = [r for r in found.values() if isinstance(r, SourceFailure)]
        if failures:
            raise failures[0]
        canonical = list({r.name: Repo(r.requested, r.name) for r in found.values()
                          if isinstance(r, Repo)}.values())
        listed = github.labelled_issues(canonical, labels, limit)
    failures = [r for r in listed.values() if isinstance(r, SourceFailure)]
    if failures:  # a model from part of the data would differ from the last one for no visible reason
        raise failures[0]

    carried: dict[str, int] = {label: 0 for label in labels}
    by_issue: dict[tuple[str, int], tuple[Issue, set[str]]] = {}
    type_of = {label.lower(): post_type for post_type, names in types for label in names}
    for (_, label), issues in listed.items():
        carried[label] += len(issues)
        for issue in issues:
            by_issue.setdefault((issue.repo, issue.number), (issue, set()))[1].add(type_of[label.lower()])
    conflicting = sum(1 for _, kinds in by_issue.values() if len(kinds) > 1)
    per_type: dict[str, list[Issue]] = {}
    for issue, kinds in by_issue.values():
        if len(kinds) == 1:
            per_type.setdefault(next(iter(kinds)), []).append(issue)
    for issues in per_type.values():
        issues.sort(key=lambda i: (i.created_at, i.repo, i.number), reverse=True)
        del issues[limit:]

    order = [t for t in POST_TYPES if t in dict(types)]
    counts = {t: len(per_type.get(t, ())) for t in order}
    enough = {t: n for t, n in counts.items() if n >= learned.MIN_EXAMPLES}
    too_few = {t: n for t, n in counts.items() if n < learned.MIN_EXAMPLES}
    if len(enough) < 2:
        found_text = ", ".join(f"{t} {n:,}" for t, n in counts.items())
        raise UsageError(f"cannot learn: at least two post types need {learned.MIN_EXAMPLES} labelled issues "
                         f"each, and the watched repos have {found_text}; label more issues, or map more "
                         "labels to post types in repos.yaml types:")
    examples = [learned.Example(i.title, i.body, t) for t in enough for i in per_type[t]]
    f1 = learned.cross_validate(examples)
    meta = {"learned_at": env.now.isoformat().replace("+00:00", "Z"), "counts": enough,
            "macro_f1": round(f1, 3), "repos": [r.name for r in canonical],
            "labels": {t: list(names) for t, names in types}}
    model = learned.fit(examples, meta)
    path = learned.save(model)
    return Learned(model, path, path.stat().st_size, enough, too_few,
                   tuple(label for label, n in carried.items() if n == 0), conflicting)

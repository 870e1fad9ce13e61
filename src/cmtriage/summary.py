"""--summary: a report as a short post. Counts per repo and per waiting-on, the few items waiting longest
(linked, as the report's own rows), and the command that prints the whole list.

Pure, like filters.py: it takes a built (and filtered) report and gives a report render.py prints in any
format. Its title still counts the whole list; `total` says how many items that is, so a digest's title
counts them too. The digest summarises every section longer than --limit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from cmtriage.filters import Filters, longest_waiting, whole_list
from cmtriage.models import Report, counted

OLDEST = 3  # how many of the longest-waiting items a summary shows without --limit
_WAITING = (("us", "waiting on us"), ("author", "on the author"), ("unknown", "unknown"))


def _waiting(counts: Counter) -> str:
    return ", ".join(f"{counts[key]} {words}" for key, words in _WAITING if counts[key])


def lines(report: Report, filters: Filters, oldest: int) -> tuple[str, ...]:
    """The summary's own lines: per repo, per waiting-on, and where the whole list is."""
    from cmtriage.render import code_span

    per_repo: dict[str, Counter] = {}
    waiting: Counter = Counter()
    for item in report.items:
        group = str(item.get("repo") or item.source)
        per_repo.setdefault(group, Counter())["items"] += 1
        if item.get("waiting_on"):
            per_repo[group][item.get("waiting_on")] += 1
            waiting[item.get("waiting_on")] += 1
    ranked = sorted(per_repo.items(), key=lambda entry: (-entry[1]["items"], entry[0].lower()))
    parts = [f"{code_span(name)} {counts['items']}" + (f" ({_waiting(counts)})" if _waiting(counts) else "")
             for name, counts in ranked]
    said = ["Per repo: " + ", ".join(parts) + "."]
    if waiting:
        said.append(f"In all: {_waiting(waiting)}.")
    shown = min(oldest, len(report.items))
    said.append(f"Below, the {counted(shown, 'item')} waiting longest; "
                f"{code_span(whole_list(report.name, filters))} prints the whole list.")
    return tuple(said)


def summarise(report: Report, filters: Filters, oldest: int | None = None) -> Report:
    """The report as its summary (an empty report, or one that failed, stays as it is). It shows the
    `oldest` items waiting longest: by default --limit of them, else OLDEST."""
    from cmtriage.changes import listed

    oldest = oldest or filters.limit or OLDEST

    now = listed(report.items)  # --changes: the note already counts the gone items
    if not now:
        return report
    report = replace(report, items=now)
    shown = longest_waiting(now, oldest)
    notes = (*report.notes, *lines(report, filters, oldest))
    return replace(report, items=shown, total=len(now), notes=notes,
                   rest=tuple(item for item in now if item not in shown))

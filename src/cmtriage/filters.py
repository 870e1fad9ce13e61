"""What a reader asked to see of a report: who it waits on, its labels, its assignees, how many rows.

Pure: `filtered(report, filters)` takes a built report and gives the report with only the items the
filters keep, the way `snooze.hide_snoozed` takes out snoozed ones, and `limited` cuts it to --limit;
commands/_common.py `narrowed` runs them on every report (on each section of a digest). The defaults
come from repos.yaml `reports:` (one entry per report name), the options given on the command line win.

A filter on a field an item does not carry leaves the item in: a Zendesk ticket has no `waiting_on`,
so `digest --waiting-on us` lists every ticket (its tags count as labels). Names compare in any case.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, replace

from cmtriage.models import Item, Report, counted


@dataclass(frozen=True)
class Filters:
    waiting_on: str | None = None  # "us" | "author" | None (any)
    labels: tuple[str, ...] = ()  # every one of them
    exclude_labels: tuple[str, ...] = ()  # none of them
    assignee: str | None = None
    no_assignee: bool = False
    limit: int | None = None

    def over(self, defaults: Filters) -> Filters:
        """These options over repos.yaml's `defaults`: a value given wins; excluded labels add up, and a
        label asked for with --label is never excluded."""
        labels = self.labels or defaults.labels
        asked = {label.casefold() for label in labels}
        excluded = tuple(dict.fromkeys(label for label in (*defaults.exclude_labels, *self.exclude_labels)
                                       if label.casefold() not in asked))
        assignee, no_assignee = self.assignee, self.no_assignee
        if assignee is None and not no_assignee:
            assignee, no_assignee = defaults.assignee, defaults.no_assignee
        return Filters(
            waiting_on=self.waiting_on or defaults.waiting_on,
            labels=labels, exclude_labels=excluded, assignee=assignee, no_assignee=no_assignee,
            limit=self.limit if self.limit is not None else defaults.limit,
        )

    @property
    def narrowing(self) -> bool:
        return bool(self.waiting_on not in (None, "any") or self.labels or self.exclude_labels
                    or self.assignee or self.no_assignee)

    def arguments(self) -> list[str]:
        """The options that give these filters (without --limit), for "the whole list" command."""
        args: list[str] = []
        if self.waiting_on:
            args += ["--waiting-on", self.waiting_on]
        for label in self.labels:
            args += ["--label", label]
        for label in self.exclude_labels:
            args += ["--exclude-label", label]
        if self.assignee:
            args += ["--assignee", self.assignee]
        if self.no_assignee:
            args.append("--no-assignee")
        return args


def _names(item: Item, *keys: str) -> set[str] | None:
    for key in keys:
        value = item.get(key)
        if isinstance(value, list | tuple):
            return {str(v).casefold() for v in value}
    return None


def keeps(item: Item, filters: Filters) -> bool:
    """Whether `item` passes every filter (a filter on a field it lacks lets it pass)."""
    waiting = item.get("waiting_on")
    if filters.waiting_on in ("us", "author") and waiting is not None and waiting != filters.waiting_on:
        return False
    labels = _names(item, "labels", "tags")
    if labels is not None:
        if any(label.casefold() not in labels for label in filters.labels):
            return False
        if any(label.casefold() in labels for label in filters.exclude_labels):
            return False
    assignees = _names(item, "assignees")
    if assignees is not None:
        if filters.assignee and filters.assignee.casefold().lstrip("@") not in assignees:
            return False
        if filters.no_assignee and assignees:
            return False
    return True


def whole_list(report_name: str, filters: Filters) -> str:
    """The command that prints a report's whole list, as the reader would type it."""
    return shlex.join(["cmtriage", report_name, *filters.arguments()])


def filtered(report: Report, filters: Filters) -> Report:
    """The report with only the items the filters keep (its title counting them), and a note saying
    how many the filters left out."""
    if not filters.narrowing or not report.items:
        return report
    kept = tuple(item for item in report.items if keeps(item, filters))
    left_out = len(report.items) - len(kept)
    if not left_out:
        return report
    from cmtriage.render import code_span

    options = code_span(shlex.join(filters.arguments()))
    note = f"{counted(left_out, 'item')} left out by {options}."
    return replace(report.keeping(kept), notes=(*report.notes, note))


def longest_waiting(items: Sequence[Item], count: int) -> tuple[Item, ...]:
    """The `count` items idle longest, in the order the report lists them."""
    chosen = {id(item) for item in sorted(items, key=lambda item: -item.days_idle)[:count]}
    return tuple(item for item in items if id(item) in chosen)


def limited(report: Report, filters: Filters) -> Report:
    """The report's `limit` longest-waiting items, its title still counting the whole list, and a note
    saying how many more there are and the command that lists them."""
    from cmtriage.changes import GONE, listed
    from cmtriage.render import code_span

    now = listed(report.items)  # --changes: the gone items stay shown, and are not counted
    if filters.limit is None or len(now) <= filters.limit:
        return report
    more = len(now) - filters.limit
    note = f"… and {more} more: {code_span(whole_list(report.name, filters))} lists them all."
    gone = tuple(item for item in report.items if item.get("change") == GONE)
    shown = longest_waiting(now, filters.limit)
    return replace(report, items=(*shown, *gone), total=len(now), notes=(*report.notes, note),
                   rest=tuple(item for item in now if item not in shown))

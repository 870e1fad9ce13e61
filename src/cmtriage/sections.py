"""The registry of report sections: one entry per report a digest can hold.

`digest`, `config check` and the digest's title read this list; a new source's report is one entry
here (plus its adapter, its pure report, its collector and its thin command). An entry names its
collector as "module:function" so that nothing is imported until the section runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    name: str  # the report's name: JSON's "report", and each digest item's "section"
    keys: tuple[str, ...]  # the repos.yaml keys that switch it on (any of them)
    short: str  # how the digest's title counts it: "3 stale, 1 new, 1 Zendesk"
    collect: str  # "module:function", function(run: collect.Run) -> Report | None (None: nothing to do)
    reads: tuple[str, ...] = ()  # further repos.yaml keys it reads when on

    def enabled(self, config: Any) -> bool:
        return any(getattr(config, key) for key in self.keys)

    def collector(self) -> Callable[..., Any]:
        module, _, function = self.collect.partition(":")
        return getattr(importlib.import_module(module), function)


SECTIONS: tuple[Section, ...] = (
    Section("stale", ("github",), "stale", "cmtriage.collect.github:stale_section"),
    Section("new", ("github",), "new", "cmtriage.collect.github:new_section"),
    Section("zendesk", ("zendesk",), "Zendesk", "cmtriage.collect.zendesk:section"),
    Section("helpwanted", ("helpwanted",), "Help Wanted", "cmtriage.collect.helpwanted:section"),
    Section("uservoice", ("uservoice",), "UserVoice", "cmtriage.collect.uservoice:section", ("jira",)),
    Section("forum", ("forum", "stackoverflow", "gitlab"), "forum", "cmtriage.collect.forum:section"),
    Section("metrics", ("github",), "metrics", "cmtriage.collect.metrics:handoff_section"),
)


def read_keys() -> set[str]:
    """Every repos.yaml key some section reads."""
    return {key for section in SECTIONS for key in (*section.keys, *section.reads)}


def short_names() -> dict[str, str]:
    return {section.name: section.short for section in SECTIONS}

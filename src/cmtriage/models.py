"""The records reports hand to render: plain frozen data, nothing escaped yet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Item:
    """One thing to look at. The common fields are DESIGN.md's JSON contract; `extra` holds a
    source's own fields (GitHub: repo, number, kind, labels, waiting_on), kept in JSON as top-level keys."""

    source: str
    url: str
    title: str
    author: str
    created_at: datetime
    last_activity_at: datetime
    days_idle: int
    reason: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        if key in self.extra:
            return self.extra[key]
        return getattr(self, key, None)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "url": self.url,
            "title": self.title,
            "author": self.author,
            "created_at": self.created_at,
            "last_activity_at": self.last_activity_at,
            "days_idle": self.days_idle,
            "reason": self.reason,
        }
        data.update(self.extra)
        return data


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool = False
    link: str | None = None  # the item field whose URL this cell links to in Markdown


@dataclass(frozen=True)
class SourceError:
    source: str
    message: str

    @classmethod
    def of(cls, failure: Any) -> SourceError:
        """The report's record of a SourceFailure."""
        return cls(failure.source, failure.detail)


@dataclass(frozen=True)
class Report:
    """What a report built. `title` and `notes` are cmtriage's own words; `mention` is the one
    Mattermost username the report means to notify (the rotation's person); everything in
    `items` came from strangers."""

    name: str
    title: str
    columns: tuple[Column, ...]
    items: tuple[Item, ...]
    generated_at: datetime
    errors: tuple[SourceError, ...] = ()
    mention: str | None = None
    group_by: str | None = None
    notes: tuple[str, ...] = ()
    empty_message: str = "Nothing to list."


# --- records that sources hand to reports ----------------------------------------------------------------
@dataclass(frozen=True)
class Comment:
    author: str
    author_type: str  # GitHub's user.type: "User", "Bot", "Organization"
    association: str  # GitHub's author_association: OWNER, MEMBER, CONTRIBUTOR, NONE, ...
    created_at: datetime


@dataclass(frozen=True)
class Issue:
    """An open GitHub issue or pull request, as the GitHub adapter hands it to reports."""

    repo: str  # canonical owner/name, after any rename
    number: int
    kind: str  # "issue" | "pull"
    title: str
    body: str
    url: str
    author: str
    author_type: str
    association: str
    labels: tuple[str, ...]
    comments: int
    created_at: datetime
    updated_at: datetime

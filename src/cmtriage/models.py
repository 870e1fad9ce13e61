"""The records reports hand to render: plain frozen data, nothing escaped yet."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

# The seed's post types: what `new` guesses and what repos.yaml `replies:` is keyed by.
BUG = "Bug"
FEATURE = "Feature Proposal"
TROUBLESHOOTING = "Troubleshooting"
QUESTION = "Developer/Product Question"
POST_TYPES = (BUG, FEATURE, TROUBLESHOOTING, QUESTION)


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
        """The report's record of a SourceFailure (redacted once more: it is printed and posted)."""
        from cmtriage.errors import redact

        return cls(failure.source, redact(failure.detail))


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
    # The title for a given list of items, so that one with items taken out (snoozed) counts right.
    titled: Callable[[Sequence[Item]], str] | None = field(default=None, compare=False)

    @classmethod
    def failed(cls, name: str, title: str, error: SourceError, now: datetime) -> Report:
        """The report of a source that could not be asked at all: its title and the error, no rows."""
        return cls(name=name, title=f"{title}: not listed", columns=(), items=(), generated_at=now,
                   errors=(error,), empty_message="")

    def each(self, change: Callable[[Report], Report]) -> Report:
        """`change` applied to the report (to every section of a Digest)."""
        return change(self)

    def keeping(self, items: Sequence[Item]) -> Report:
        """The report with only `items`, its title counting them."""
        items = tuple(items)
        return replace(self, items=items, title=self.titled(items) if self.titled else self.title)


DIGEST_COLUMNS = (
    Column("section", "Section"),
    Column("title", "Title", link="url"),
    Column("author", "Author"),
    Column("days_idle", "Days idle", numeric=True),
    Column("reason", "Reason"),
)


@dataclass(frozen=True)
class Digest:
    """Several reports sent as one: one title and mention, then each report as a section, its errors
    in place. `items` and `errors` are every section's, the items tagged with their section's name."""

    name: str
    titled: Callable[[Sequence[Report]], str]  # the title, counting what each section holds
    sections: tuple[Report, ...]
    generated_at: datetime
    mention: str | None = None
    notes: tuple[str, ...] = ()
    columns: tuple[Column, ...] = DIGEST_COLUMNS  # for formats that need one table (CSV)

    @property
    def title(self) -> str:
        return self.titled(self.sections)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(replace(item, extra={**item.extra, "section": section.name})
                     for section in self.sections for item in section.items)

    @property
    def errors(self) -> tuple[SourceError, ...]:
        return tuple(error for section in self.sections for error in section.errors)

    def each(self, change: Callable[[Report], Report]) -> Digest:
        return replace(self, sections=tuple(change(section) for section in self.sections))


# --- records that sources hand to reports ----------------------------------------------------------------
@dataclass(frozen=True)
class Comment:
    author: str
    author_type: str  # GitHub's user.type: "User", "Bot", "Organization"
    association: str  # GitHub's author_association: OWNER, MEMBER, CONTRIBUTOR, NONE, ...
    created_at: datetime  # a review's: when it was submitted
    review: bool = False  # a pull's review (approval, changes requested, or comments), not an issue comment


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

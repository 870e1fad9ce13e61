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


def counted(count: int, noun: str) -> str:
    """`count` and its noun, for our titles and messages: "1 ticket", "3 tickets", "0 forum questions"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


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
    copy: bool = False  # text meant to be copied exactly (a reply): inline code in Markdown, inert and whole


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
    # cmtriage's own lines before the heading in Markdown and payloads, mentions kept (forum's seed
    # message with its live @here); a digest's sections drop them. `footer`: own lines after the lists.
    preamble: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    # The title for a given list of items, so that one with items taken out (snoozed) counts right.
    titled: Callable[[Sequence[Item]], str] | None = field(default=None, compare=False)
    listed: bool = True  # False when none of its sources could be read: then it lists nothing at all
    missing: tuple[str, ...] = ()  # what could not be read when some was (repos, items' comments)
    footed: Callable[[Sequence[Item]], tuple[str, ...]] | None = field(default=None, compare=False)  # footer
    # How many items the whole list holds when `items` shows only some of them (--limit, --summary).
    total: int | None = None
    rest: tuple[Item, ...] = ()  # the items --limit or --summary left out of `items` (remembered, not shown)

    @classmethod
    def failed(cls, name: str, title: str, error: SourceError | Sequence[SourceError], now: datetime,
               *, notes: Sequence[str] = (), mention: str | None = None) -> Report:
        """The report of a source that could not be asked at all: its title saying so, the error(s), no
        rows and no "nothing to list" sentence (that would read as an all-clear)."""
        errors = (error,) if isinstance(error, SourceError) else tuple(error)
        return cls(name=name, title=f"{title}: not listed", columns=(), items=(), generated_at=now,
                   errors=errors, empty_message="", listed=False, notes=tuple(notes), mention=mention)

    def not_listed(self, title: str) -> Report:
        """This report when none of its sources could be read: `title` (uncounted) "not listed"."""
        return Report.failed(self.name, title, self.errors, self.generated_at, notes=self.notes,
                             mention=self.mention)

    def incomplete(self, missing: Sequence[str]) -> Report:
        """This report when part of what it reads could not be read: the title says "incomplete" and
        names each missing part, so that a short list is never taken for the whole one."""
        missing = tuple(dict.fromkeys(missing))
        if not missing:
            return self
        suffix = f" (incomplete: {'; '.join(missing)} not read)"
        titled = self.titled
        return replace(self, title=self.title + suffix, missing=missing, empty_message="",
                       titled=(lambda shown: titled(shown) + suffix) if titled else None)

    def each(self, change: Callable[[Report], Report]) -> Report:
        """`change` applied to the report (to every section of a Digest)."""
        return change(self)

    def keeping(self, items: Sequence[Item]) -> Report:
        """The report with only `items`, its title counting them."""
        items = tuple(items)
        return replace(self, items=items, title=self.titled(items) if self.titled else self.title,
                       footer=self.footed(items) if self.footed else self.footer)


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
    body: str = ""  # only where a report reads what was said (helpwanted: claims, thank-yous)
    url: str = ""  # the comment's web page, where known


@dataclass(frozen=True)
class Issue:
    """A GitHub issue or pull request, as the GitHub adapter hands it to reports (open unless
    `closed_at` says when it was closed; only the listing of every item asks for closed ones)."""

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
    assignees: tuple[str, ...] = ()  # logins
    closed_at: datetime | None = None


@dataclass(frozen=True)
class Post:
    """One post of a thread (a forum post, an answer, a note, a comment), in the thread's order."""

    author: str
    created_at: datetime
    staff: bool = False  # the team's (never true of a bot)
    bot: bool = False  # a bot, the system user, or a system event: answers nothing, asks nothing
    asks: bool = False  # holds a question mark outside quotes and code


@dataclass(frozen=True)
class Poster:
    """Someone a topic list names as having posted in a thread, without their posts."""

    name: str
    staff: bool = False  # known to be staff from the list (a staff group, forum.staff_usernames)
    bot: bool = False


@dataclass(frozen=True)
class Thread:
    """A question somewhere (a Discourse topic, a Stack Overflow question, a GitLab or GitHub issue), as
    every forum source hands it to reports/forum.py. `posts` is every post in order, the first the
    question's, or None when not read: then `posts_count`, `posters` and `last_poster` are what the
    source's list said."""

    source: str  # forum | stackoverflow | gitlab | github
    key: str  # unique within the source
    url: str
    title: str
    author: str
    created_at: datetime
    last_activity_at: datetime
    open: bool = True  # not closed, archived, unlisted or pinned
    accepted: bool = False  # has an accepted answer
    author_staff: bool = False
    author_bot: bool = False
    category: str | None = None
    tags: tuple[str, ...] = ()
    text: str | None = None  # the first post's text, when read
    posts: tuple[Post, ...] | None = None
    posts_count: int = 1
    posters: tuple[Poster, ...] = ()  # others than the author the list names (at most a few)
    last_poster: Poster | None = None

"""The forum report: the seed's daily "[Help Wanted] #forum" list (the process's channel 1).

Every source hands over threads (`models.Thread`): a Discourse topic, a Stack Overflow question, a GitLab
or GitHub issue, each with its posts in order (or, for a Discourse topic not opened, what the topic list
said of its posters). Three lists come out of them:

1. `unanswered`: a community member's open thread, at least `unanswered_days` and at most `max_days`
   old, without an accepted answer, that nobody but its author (and bots) has answered;
2. `after_release` (Discourse only): a community member's open topic created since the latest release and
   within `max_days`, that no staff member has answered, whose title, tags, category or first post speak
   of Enterprise features or of upgrading (whole words, any case). No minimum age. A topic in lists 1 and
   2 is listed once, under 2;
3. `reply_to_us` (Discourse only): a staff member asked a question (a `?` outside quotes and code), and a
   community member posted after the team's last post, within `max_days`: the team owes the next word.

Closed, archived, unlisted, pinned and solved threads are in no list. A bot (the `system` user, discobot,
repos.yaml `bots`, a GitLab system note) is neither staff nor community: its posts answer and ask nothing.

`needs_posts` names the topics whose posts the list data cannot settle, so the source opens only those.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cmtriage.models import Column, Item, Post, Report, SourceError, Thread, counted

NAME = "forum"
UNANSWERED, AFTER_RELEASE, REPLY_TO_US = "unanswered", "after_release", "reply_to_us"
LISTS = (UNANSWERED, AFTER_RELEASE, REPLY_TO_US)
SOURCES = {"forum": "Forum", "stackoverflow": "Stack Overflow", "gitlab": "GitLab", "github": "GitHub"}
SEED_MESSAGE = (
    "[Help Wanted] #forum @here can anyone help with these forum questions? These forum posts are open to "
    "everyone in the community. If you find something you think you know the answer to or can help with, "
    "please help post a response and be part of creating a vibrant Mattermost community!"
)
# What speaks of Enterprise features or of upgrading; repos.yaml forum.enterprise_words adds more.
ENTERPRISE_WORDS = (
    "enterprise", "E10", "E20", "professional", "license", "licence", "SAML", "LDAP", "AD/LDAP", "SSO",
    "compliance", "data retention", "high availability", "cluster", "clustering", "Elasticsearch",
    "upgrade", "upgraded", "upgrading", "migrate", "migrating", "migration", "after updating",
    "since updating", "after upgrading", "since upgrading",
)
# A version number as a whole word: 11.2, v9.5.1 (not 1.2.3.4, not a part of 10.0.0.1 or of 2.5GB).
_VERSION = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)?(?![\w]|\.\d)", re.IGNORECASE)
COLUMNS = (
    Column("title", "Title", link="url"),
    Column("source", "Source"),
    Column("author", "Author"),
    Column("days_idle", "Days idle", numeric=True),
    Column("replies", "Replies", numeric=True),
    Column("reason", "Reason"),
)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Rules:
    now: datetime
    unanswered_days: int = 2
    max_days: int = 30
    release: datetime | None = None  # the latest release's date (UTC midnight); None: no after_release list
    release_name: str | None = None  # "11.2", or None for --release-date
    words: tuple[str, ...] = ()  # forum.enterprise_words

    @property
    def oldest(self) -> datetime:
        return self.now - self.max_days * _DAY


def matcher(words: Iterable[str] = ()) -> Callable[[str], list[str]]:
    """A function giving the words (and version numbers) a text holds, whole words in any case, each once,
    as the word list spells them."""
    spelled = {w.casefold(): w for w in (*ENTERPRISE_WORDS, *words) if w.strip()}
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w).replace(r"\ ", r"\s+")
                               for w in sorted(spelled, key=len, reverse=True)) + r")(?!\w)",
        re.IGNORECASE)

    def match(text: str) -> list[str]:
        found = [spelled.get(re.sub(r"\s+", " ", m.group(1)).casefold(), m.group(1))
                 for m in pattern.finditer(text)]
        found += [m.group() for m in _VERSION.finditer(text)]
        return list(dict.fromkeys(found))

    return match


def _list_text(thread: Thread) -> str:
    return "\n".join([thread.title, *thread.tags, thread.category or ""])


def _community(thread: Thread) -> bool:
    return not (thread.author_staff or thread.author_bot)


def _is_author(post: Post, thread: Thread) -> bool:
    return post.author.casefold() == thread.author.casefold()


def _others(thread: Thread) -> list[Post] | None:
    """The posts after the first by people other than the author (bots are no one); None: not read."""
    if thread.posts is None:
        return None
    return [p for p in thread.posts[1:] if not p.bot and not _is_author(p, thread)]


def replies(thread: Thread) -> int | None:
    """The answers by others than the author and bots; None when the list data cannot say."""
    others = _others(thread)
    if others is not None:
        return len(others)
    if not [p for p in thread.posters if not p.bot]:
        return 0
    return None


def _listable(thread: Thread) -> bool:
    return thread.open and not thread.accepted


def _unanswered(thread: Thread, rules: Rules) -> bool:
    age_ok = rules.oldest <= thread.created_at <= rules.now - rules.unanswered_days * _DAY
    return _listable(thread) and _community(thread) and age_ok and replies(thread) == 0


def _since_release(thread: Thread, rules: Rules) -> bool:
    return (thread.source == "forum" and rules.release is not None and _listable(thread)
            and _community(thread) and thread.created_at >= max(rules.release, rules.oldest))


def _staff_answered(thread: Thread) -> bool | None:
    if thread.posts is not None:
        return any(p.staff and not p.bot for p in thread.posts[1:])
    if any(p.staff and not p.bot for p in thread.posters):
        return True
    return None if [p for p in thread.posters if not p.bot] else False


def _after_release(thread: Thread, rules: Rules, match: Callable[[str], list[str]]) -> list[str]:
    """The words that put the topic in the list (none: it is not in it)."""
    if not _since_release(thread, rules) or _staff_answered(thread) is True:
        return []
    return match(_list_text(thread) + "\n" + (thread.text or ""))


def _reply_to_us(thread: Thread, rules: Rules) -> tuple[Post, Post] | None:
    """(the team's question, the community's latest post after the team's last post), when both are."""
    if thread.source != "forum" or thread.posts is None or not _listable(thread):
        return None
    posts = thread.posts
    staff = [i for i, p in enumerate(posts) if p.staff and not p.bot]
    if not staff:
        return None
    questions = [posts[i] for i in staff if posts[i].asks]
    after = [p for p in posts[staff[-1] + 1:] if not p.staff and not p.bot]
    if not questions or not after or after[-1].created_at < rules.oldest:
        return None
    return questions[-1], after[-1]


def needs_posts(thread: Thread, rules: Rules, match: Callable[[str], list[str]]) -> bool:
    """Whether a Discourse topic must be opened: its first post's text for a topic since the release
    whose title, tags and category matched nothing; its posts when someone else posted in a topic since
    the release (did staff answer? how many replies?); its posts after the team's when a topic the team
    may have asked in was last posted in by someone not known as staff."""
    if thread.source != "forum" or thread.posts is not None or not _listable(thread):
        return False
    others = [p for p in thread.posters if not p.bot]
    if (_since_release(thread, rules) and not any(p.staff for p in others)
            and (others or not match(_list_text(thread)))):
        return True
    last = thread.last_poster
    return bool(thread.posts_count > 1 and others and thread.last_activity_at >= rules.oldest
                and not (last and last.staff))


def _days(moment: datetime, now: datetime) -> int:
    return max(0, (now - moment) // _DAY)


def _item(thread: Thread, rules: Rules, name: str, reason: str, **extra: object) -> Item:
    return Item(
        source=thread.source, url=thread.url, title=thread.title, author=thread.author,
        created_at=thread.created_at, last_activity_at=thread.last_activity_at,
        days_idle=_days(thread.last_activity_at, rules.now), reason=reason,
        extra={"list": name, "category": thread.category, "tags": list(thread.tags),
               "replies": replies(thread), **extra})


def _unanswered_reason(thread: Thread, rules: Rules) -> str:
    age = counted(_days(thread.created_at, rules.now), "day")
    if thread.posts is not None:
        later = thread.posts[1:]
        bots, own = any(p.bot for p in later), any(not p.bot for p in later)
    else:  # the list names the posters: others than the author here are all bots
        bots = any(p.bot for p in thread.posters)
        own = thread.posts_count > (2 if bots else 1)  # a post past the first (and one bot's): the author's
    if own and bots:
        return f"only its author and bots replied in {age}"
    if own:
        return f"only its author replied in {age}"
    return f"only bots replied in {age}" if bots else f"no answer in {age}"


def classify(thread: Thread, rules: Rules, match: Callable[[str], list[str]]) -> Item | None:
    """The thread's item in the list it belongs to, or None."""
    matched = _after_release(thread, rules, match)
    if matched:
        day = rules.release.date().isoformat()
        since = f"{rules.release_name} ({day})" if rules.release_name else day
        return _item(thread, rules, AFTER_RELEASE,
                     f"since release {since}, no staff answer; mentions {', '.join(matched)}",
                     matched=matched)
    asked = _reply_to_us(thread, rules)
    if asked:
        question, reply = asked
        return _item(thread, rules, REPLY_TO_US,
                     f"{question.author} asked on {question.created_at.date().isoformat()}; {reply.author} "
                     f"replied on {reply.created_at.date().isoformat()}, no staff post since")
    if _unanswered(thread, rules):
        return _item(thread, rules, UNANSWERED, _unanswered_reason(thread, rules))
    return None


def _title(items: Sequence[Item]) -> str:
    counts = [sum(1 for i in items if i.extra["list"] == name) for name in LISTS]
    return (f"{counted(len(items), 'forum question')} for the community: {counts[0]} unanswered, "
            f"{counts[1]} after the release, {counts[2]} waiting on us")


def build(threads: Iterable[Thread], *, rules: Rules, sources: Sequence[str] = (), here: bool = True,
          errors: Sequence[SourceError] = (), notes: Sequence[str] = ()) -> Report:
    """The report of `threads` from the `sources` asked (those that failed are in `errors`); the
    seed's message comes first with a live @here, or a plain "here" when `here` is False."""
    match = matcher(rules.words)
    seen: set[tuple[str, str]] = set()
    items = []
    for thread in threads:
        if (thread.source, thread.key) in seen:
            continue
        seen.add((thread.source, thread.key))
        item = classify(thread, rules, match)
        if item:
            items.append(item)
    items.sort(key=lambda i: (LISTS.index(i.extra["list"]), i.created_at, i.source, i.url))
    failed = {e.source for e in errors}

    def footed(shown: Sequence[Item]) -> tuple[str, ...]:
        """A count line per source asked."""
        lines = []
        for source in sources:
            if source in failed:
                lines.append(f"{SOURCES[source]}: not listed (failed)")
                continue
            found = [i for i in shown if i.source == source]
            counts = [f"{sum(1 for i in found if i.extra['list'] == name)} {name.replace('_', ' ')}"
                      for name in LISTS if source == "forum" or name == UNANSWERED]
            lines.append(f"{SOURCES[source]}: " + ", ".join(counts))
        return tuple(lines)

    explained = [f"unanswered: no answer but the author's for {rules.unanswered_days} to "
                 f"{rules.max_days} days."]
    if "forum" in sources and rules.release is not None:
        explained.append("after_release: Enterprise or upgrade topics since the release, no staff answer "
                         "yet.")
    elif "forum" in sources:
        explained.append("after_release: not listed; no release date (rotation.yaml release_managers or "
                         "--release-date).")
    if "forum" in sources:
        explained.append("reply_to_us: the team asked, the community answered, the team has not since.")
    items_t = tuple(items)
    seed = SEED_MESSAGE if here else SEED_MESSAGE.replace("@here", "here")
    return Report(
        name=NAME, title=_title(items_t), titled=_title, columns=COLUMNS, items=items_t,
        generated_at=rules.now, errors=tuple(errors), group_by="list",
        notes=(*explained, *notes), preamble=(seed,), footer=footed(items_t), footed=footed,
        empty_message="No forum question is waiting for a helping hand.",
    )

"""The UserVoice report (the process's channel 2): feature ideas whose status is out of date, ideas to ask
a question on, ideas whose requester wants to build them, and ideas completed in the latest release;
plus the release manager's thank-yous and the sales spreadsheet of Enterprise ideas.

Pure: suggestions and tickets in, a Report out.

The status a ticket implies (the seed's table; names and signs editable in repos.yaml
`uservoice.statuses`): resolved as won't do (Declined's resolutions) -> Declined; resolved otherwise ->
Completed; in an active sprint (or a Started status or label) -> Started; carrying the contributors'
label or fix version (`jira.help_wanted_label`, or Help Wanted's labels) -> Help Wanted; a fix version,
or a spec marked done (Planned's labels or Jira statuses) -> Planned; else Under Review. Of several
tickets the most advanced decides, in the order Declined < Under Review < Planned < Help Wanted <
Started < Completed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from cmtriage.models import Column, Item, Report, SourceError, counted
from cmtriage.sources.jira import Ticket, Tickets, Version, keys_in
from cmtriage.sources.uservoice import Suggestion

if TYPE_CHECKING:
    from cmtriage.config import Jira, UserVoice

NAME = "uservoice"
RANK = ("Declined", "Under Review", "Planned", "Help Wanted", "Started", "Completed")
LISTS = {
    "status": "Status to update",
    "question": "Questions to ask",
    "volunteer": "Volunteers",
    "completed": "Completed in the latest release",
}
COLUMNS = (
    Column("title", "Idea", link="url"),
    Column("status", "Status"),
    Column("implied_status", "Implied"),
    Column("tickets", "Tickets"),
    Column("votes", "Votes", numeric=True),
    Column("reason", "Reason"),
)
THANK_YOU_COLUMNS = (
    Column("message", "Message", link="url"),
    Column("title", "Ideas"),
)
ENTERPRISE_COLUMNS = (
    Column("title", "Idea"),
    Column("status", "Status"),
    Column("votes", "Votes", numeric=True),
    Column("ticket", "Ticket"),
    Column("fix_version", "Fix version"),
    Column("release_date", "Release date"),
    Column("url", "Link"),
)

# How `question` judges an idea too vague to spec (said in the command's help):
MIN_WORDS = 25  # fewer words in title and description: too short
USE_CASE_WORDS = 60  # below this many, an idea needs a sign of a use case or steps
_USE_CASE = re.compile(
    r"(?i)\b(because|so that|in order to|use[- ]case|workflow|for example|e\.g\.|currently|steps?|"
    r"we need|our (team|users|company)|when (i|we|users?)|would (allow|let|help)|instead of)\b")
# What a volunteer writes: "I'd like to work on this", "I can submit a PR", "happy to contribute"...
_VOLUNTEER = re.compile(
    r"(?i)\b("
    r"i(?:'d| would)(?: really)? (?:like|love) to (?:work on|build|implement|contribute"
    r"|help (?:build|implement)|take (?:this|it) on|code)"
    r"|i (?:can|could|will|'ll|am going to|'m going to) (?:submit|send|open|make|create|write) "
    r"(?:a |the )?(?:pr|pull request|patch)"
    r"|i (?:can|could|will|'ll) (?:implement|build|code|work on) (?:this|it)"
    r"|(?:happy|glad|willing|keen|eager) to (?:contribute|help (?:build|implement|with (?:this|the code))"
    r"|implement|build|work on|submit a (?:pr|pull request))"
    r"|i(?:'m| am) (?:working on|implementing|building) (?:this|it|a pr|a patch)"
    r"|(?:can|may|could) i (?:work on|take|pick up|implement) (?:this|it)"
    r"|i(?:'ve| have) (?:started|begun) (?:implementing|working on|building)"
    r")(?: (?:this|it)\b)?")


@dataclass(frozen=True)
class Judgement:
    """What the tickets of one suggestion say."""

    keys: tuple[str, ...]  # every key it links to
    missing: tuple[str, ...]  # of those, the keys Jira does not know
    found: tuple[Ticket, ...]
    statuses: tuple[str, ...]  # the seed's status each of `found` implies, in its order
    implied: str | None  # the seed's status the most advanced ticket implies
    ticket: Ticket | None  # that ticket
    why: str  # our words: which ticket and what about it

    @property
    def listed(self) -> list[str]:
        """The suggestion's `tickets`: found keys, and "MM-9 not found" for the missing."""
        return [key if key not in self.missing else f"{key} not found" for key in self.keys]


def _has(values: Sequence[str], wanted: Sequence[str]) -> str | None:
    folded = {w.casefold() for w in wanted}
    return next((v for v in values if v.casefold() in folded), None)


def ticket_status(ticket: Ticket, uservoice: UserVoice, jira: Jira | None) -> tuple[str, str]:
    """(the seed's status this ticket implies, why in our words)."""
    rule = uservoice.rule
    key = ticket.key
    if ticket.resolved:
        how = ticket.resolution or ticket.status
        declined = rule("Declined")
        if (_has([how], declined.resolutions) or _has([ticket.status], declined.jira_statuses)
                or _has(ticket.labels, declined.labels)):
            return "Declined", f"{key} resolved as {how}"
        if ticket.resolution and not _has([ticket.resolution], rule("Completed").resolutions):
            return "Completed", f"{key} resolved as {how} (taken as done)"
        return "Completed", f"{key} resolved as {how}"
    active = next((s for s in ticket.sprints if s.state == "active"), None)
    if active:
        return "Started", f"{key} is in the active sprint {active.name}".rstrip()
    started = rule("Started")
    if _has([ticket.status], started.jira_statuses) or (label := _has(ticket.labels, started.labels)):
        return "Started", f"{key} is {ticket.status}" if not _has(ticket.labels, started.labels) \
            else f"{key} is labelled {label}"
    helpers = [*([jira.help_wanted_label] if jira else []), *rule("Help Wanted").labels]
    wanted = _has(ticket.labels, helpers) or _has([v.name for v in ticket.fix_versions], helpers)
    if wanted:
        return "Help Wanted", f"{key} is marked {wanted}"
    versions = [v.name for v in ticket.fix_versions]
    if versions:
        return "Planned", f"{key} has the fix version {versions[0]}"
    planned = rule("Planned")
    if (label := _has(ticket.labels, planned.labels)) or _has([ticket.status], planned.jira_statuses):
        return "Planned", f"{key} is labelled {label}" if label else f"{key} is {ticket.status}"
    return "Under Review", f"{key} exists ({ticket.status or 'no status'}), no plan yet"


def linked_keys(suggestion: Suggestion, jira: Jira | None) -> list[str]:
    """The Jira keys in the idea's text, its admin notes and its status note."""
    if jira is None:
        return []
    text = "\n".join([suggestion.title, suggestion.body, *suggestion.notes])
    return keys_in(text, project=jira.project, site=jira.url)


def judge(suggestion: Suggestion, tickets: Tickets, uservoice: UserVoice, jira: Jira | None) -> Judgement:
    keys = tuple(linked_keys(suggestion, jira))
    found = tuple(tickets.found[key] for key in keys if key in tickets.found)
    missing = tuple(key for key in keys if key in tickets.missing)
    judged = [ticket_status(ticket, uservoice, jira) for ticket in found]
    statuses = tuple(status for status, _ in judged)
    best: tuple[int, str, Ticket] | None = None
    for ticket, (status, why) in zip(found, judged, strict=True):
        if best is None or RANK.index(status) > best[0]:
            best = (RANK.index(status), why, ticket)
    if best is None:
        why = "; ".join(f"{key} not found" for key in missing)
        return Judgement(keys, missing, found, statuses, None, None, why)
    return Judgement(keys, missing, found, statuses, RANK[best[0]], best[2], best[1])


# --- versions --------------------------------------------------------------------------------------------
def version_key(name: str) -> tuple[int, ...]:
    """"v11.2.0" -> (11, 2): numbers compared, trailing zeros dropped."""
    numbers = [int(n) for n in re.findall(r"\d+", name)]
    while numbers and numbers[-1] == 0 and len(numbers) > 1:
        numbers.pop()
    return tuple(numbers)


def same_version(a: str, b: str) -> bool:
    if version_key(a) and version_key(b):
        return version_key(a) == version_key(b)
    return a.casefold() == b.casefold()


def _order(version: Version) -> tuple[date, tuple[int, ...]]:
    return version.release_date or date.max, version_key(version.name)


def latest_released(tickets: Tickets) -> Version | None:
    """The released fix version with the latest release date, among the tickets seen."""
    released = [v for t in tickets.found.values() for v in t.fix_versions if v.released]
    return max(released, key=lambda v: (v.release_date or date.min, version_key(v.name)), default=None)


def first_version(judgement: Judgement, jira: Jira | None) -> tuple[Version, Ticket] | None:
    """The earliest fix version of the idea's tickets that were not declined: the release it came in."""
    candidates = [(v, t) for t, status in zip(judgement.found, judgement.statuses, strict=True)
                  if status != "Declined"
                  for v in t.fix_versions if not (jira and same_version(v.name, jira.help_wanted_label))]
    return min(candidates, key=lambda pair: _order(pair[0]), default=None)


# --- the four lists --------------------------------------------------------------------------------------
def _item(suggestion: Suggestion, now: datetime, *, which: str, reason: str, judgement: Judgement | None,
          implied: str | None = None, author: str | None = None, matched: Sequence[str] = (),
          **extra: object) -> Item:
    return Item(
        source=NAME,
        url=suggestion.url,
        title=suggestion.title,
        author=suggestion.creator if author is None else author,
        created_at=suggestion.created_at,
        last_activity_at=suggestion.updated_at,
        days_idle=max(0, (now - suggestion.updated_at).days),
        reason=reason,
        extra={"list": which, "list_title": LISTS.get(which, which), "suggestion_id": suggestion.id,
               "status": suggestion.status, "implied_status": implied,
               "tickets": judgement.listed if judgement else [], "votes": suggestion.votes,
               "matched": list(matched), **extra},
    )


def _closed(suggestion: Suggestion, uservoice: UserVoice) -> bool:
    finished = {uservoice.rule(s).name.casefold() for s in ("Completed", "Declined")}
    return not suggestion.open or suggestion.status.casefold() in finished


def _vague(suggestion: Suggestion) -> list[str]:
    """Why an idea is too short or too vague to spec (empty: it is not)."""
    words = len(f"{suggestion.title} {suggestion.body}".split())
    reasons = []
    if words < MIN_WORDS:
        reasons.append(f"only {words} words")
    elif words < USE_CASE_WORDS and not _USE_CASE.search(suggestion.body):
        reasons.append("no use case or steps")
    team = [c for c in suggestion.comments if c.admin]
    if team and "?" in team[-1].body and not any(not c.admin and c.created_at > team[-1].created_at
                                                 for c in suggestion.comments):
        reasons.append(f"the team's question of {team[-1].created_at.date().isoformat()} is unanswered")
    return reasons


def _volunteers(suggestion: Suggestion) -> list[tuple[str, str]]:
    """(who, the words that matched) for the requester's and commenters' offers to build it."""
    said = [(suggestion.creator, suggestion.body),
            *((c.author, c.body) for c in suggestion.comments if not c.admin)]
    offers = []
    for who, text in said:
        match = _VOLUNTEER.search(text)
        if match:
            offers.append((who, match.group(0)))
    return offers


def build(suggestions: Sequence[Suggestion], *, now: datetime, uservoice: UserVoice, jira: Jira | None,
          tickets: Tickets | None, errors: Sequence[SourceError] = (), mention: str | None = None,
          version: str | None = None) -> Report:
    """The four lists. `tickets` is None when Jira was not asked or failed (`errors` then says why):
    the status and completed lists are then marked incomplete. `version` is the release the completed
    list is for (default: the latest released fix version among the tickets)."""
    notes: list[str] = []
    judged = {s.id: judge(s, tickets, uservoice, jira) for s in suggestions} if tickets else {}
    if tickets is not None:
        latest = latest_released(tickets)
        release = version or (latest.name if latest else None)
    else:
        release = version
        if jira is None:
            notes.append("No jira: in repos.yaml: the status and completed lists need the ideas' tickets.")
        else:
            notes.append("The status and completed lists are incomplete: Jira could not be asked.")
    status_items, question, volunteer, completed = [], [], [], []
    for suggestion in sorted(suggestions, key=lambda s: (-(s.votes or 0), s.id)):
        judgement = judged.get(suggestion.id)
        linked = judgement.keys if judgement else tuple(linked_keys(suggestion, jira))
        if judgement and judgement.keys:
            implied_name = uservoice.rule(judgement.implied).name if judgement.implied else None
            if implied_name is None:
                status_items.append(_item(suggestion, now, which="status", judgement=judgement,
                                          reason=f"{judgement.why}: check the link"))
            elif implied_name.casefold() != suggestion.status.casefold():
                missing = "".join(f"; {key} not found" for key in judgement.missing)
                status_items.append(_item(
                    suggestion, now, which="status", judgement=judgement, implied=implied_name,
                    reason=f"{suggestion.status or 'no status'} -> {implied_name}: {judgement.why}{missing}",
                    ticket=judgement.ticket.key if judgement.ticket else None))
        if not _closed(suggestion, uservoice):
            reasons = [] if linked else _vague(suggestion)
            if reasons:
                question.append(_item(suggestion, now, which="question", judgement=judgement,
                                      reason="; ".join(reasons)))
            for who, words in _volunteers(suggestion):
                volunteer.append(_item(suggestion, now, which="volunteer", judgement=judgement, author=who,
                                       matched=[words],
                                       reason=f'{who or "someone"} offers to build it: "{words}"'))
        if judgement and release:
            first = first_version(judgement, jira)
            if first and same_version(first[0].name, release):
                shipped, ticket = first
                when = f", released {shipped.release_date}" if shipped.release_date else ""
                completed.append(_item(suggestion, now, which="completed", judgement=judgement,
                                       implied=uservoice.rule(judgement.implied or "Completed").name,
                                       reason=f"{ticket.key} fixed in {shipped.name}{when}",
                                       ticket=ticket.key, fix_version=shipped.name))
    items = (*status_items, *question, *volunteer, *completed)
    if release:
        notes.append(f"Completed: ideas whose ticket first shipped in {release}.")

    def titled(shown: Sequence[Item]) -> str:
        counts = {name: sum(1 for i in shown if i.get("list") == name) for name in LISTS}
        return (f"UserVoice: {counts['status']} to update, {counts['question']} to ask about, "
                f"{counts['volunteer']} volunteers, {counts['completed']} completed")

    return Report(name=NAME, title=titled(items), titled=titled, columns=COLUMNS, items=items,
                  generated_at=now, errors=tuple(errors), mention=mention, group_by="list_title",
                  notes=tuple(notes), empty_message="No UserVoice idea needs anything.")


# --- after a release: the thank-yous ---------------------------------------------------------------------
MESSAGE = ("Thank you {name} for nominating the {feature}! It is available in Mattermost {version}. "
           "Would anyone like to help re-tweet the announcement? {tweet}")


def thank_you(suggestions: Sequence[Suggestion], *, now: datetime, uservoice: UserVoice, jira: Jira | None,
              tickets: Tickets | None, version: str, tweet: str, manager: str | None,
              errors: Sequence[SourceError] = ()) -> Report:
    """One message per nominator of the ideas that first shipped in `version`, headed by @mentioning
    only the release manager (`manager`, a Mattermost username)."""
    by_nominator: dict[str, list[tuple[Suggestion, Ticket]]] = {}
    unnamed = 0
    for suggestion in sorted(suggestions, key=lambda s: (s.created_at, s.id)):
        if tickets is None:
            break
        first = first_version(judge(suggestion, tickets, uservoice, jira), jira)
        if not first or not same_version(first[0].name, version):
            continue
        if not suggestion.creator.strip():
            unnamed += 1
            continue
        by_nominator.setdefault(suggestion.creator.strip().casefold(), []).append((suggestion, first[1]))
    items = []
    for ideas in by_nominator.values():
        first_idea = ideas[0][0]
        name = first_idea.creator.strip()
        message = MESSAGE.format(name=name, feature="feature" if len(ideas) == 1 else "features",
                                 version=version, tweet=tweet)
        items.append(Item(
            source=NAME, url=first_idea.url, title="; ".join(s.title for s, _ in ideas), author=name,
            created_at=first_idea.created_at, last_activity_at=max(s.updated_at for s, _ in ideas),
            days_idle=max(0, (now - first_idea.updated_at).days), reason=f"nominated "
            f"{counted(len(ideas), 'idea')} completed in {version}",
            extra={"list": "thank_you", "nominator": name, "message": message, "version": version,
                   "ideas": [s.url for s, _ in ideas], "tickets": [t.key for _, t in ideas],
                   "votes": sum(s.votes or 0 for s, _ in ideas)},
        ))
    notes = ["Post each message as a reply on its idea in UserVoice, then set the idea's status to "
             f"{uservoice.rule('Completed').name}."]
    if unnamed:
        notes.append(f"{unnamed} completed idea{'s have' if unnamed > 1 else ' has'} no nominator's name.")
    if tickets is None:
        notes.append("Jira could not be asked: no idea can be matched to the release.")
    count = sum(len(ideas) for ideas in by_nominator.values())
    title = (f"Thank the nominators of {counted(count, 'idea')} completed in Mattermost "
             f"{version}")
    return Report(name="uservoice-thank-you", title=title, columns=THANK_YOU_COLUMNS, items=tuple(items),
                  generated_at=now, errors=tuple(errors), mention=manager, notes=tuple(notes),
                  empty_message=f"No idea completed in {version} has a nominator to thank.")


# --- the sales spreadsheet -------------------------------------------------------------------------------
def enterprise(suggestions: Sequence[Suggestion], *, now: datetime, uservoice: UserVoice, jira: Jira,
               tickets: Tickets | None, errors: Sequence[SourceError] = ()) -> Report:
    """Every idea whose ticket carries the Enterprise label, whatever its status: idea, status, votes,
    ticket, fix version, release date, link."""
    items = []
    for suggestion in sorted(suggestions, key=lambda s: (-(s.votes or 0), s.id)):
        if tickets is None:
            break
        judgement = judge(suggestion, tickets, uservoice, jira)
        marked = [t for t in judgement.found if _has(t.labels, [jira.enterprise_label])]
        if not marked:
            continue
        ticket = max(marked, key=lambda t: RANK.index(ticket_status(t, uservoice, jira)[0]))
        shipped = min(ticket.fix_versions, key=_order, default=None)
        items.append(_item(suggestion, now, which="enterprise", judgement=judgement,
                           implied=uservoice.rule(judgement.implied).name if judgement.implied else None,
                           reason=f"{ticket.key} is labelled {jira.enterprise_label}", ticket=ticket.key,
                           fix_version=shipped.name if shipped else None,
                           release_date=shipped.release_date if shipped else None))
    notes = () if tickets is not None else ("Jira could not be asked: no idea can be matched to a ticket.",)
    return Report(name="uservoice-enterprise", title=f"{len(items)} Enterprise ideas",
                  columns=ENTERPRISE_COLUMNS,
                  items=tuple(items), generated_at=now, errors=tuple(errors), notes=notes,
                  empty_message="No idea links to an Enterprise ticket.")

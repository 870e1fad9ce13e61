"""The Zendesk report: support tickets sales flagged for the community PM (the process's channel 5)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from cmtriage.models import Column, Item, Report, SourceError, counted
from cmtriage.rotationfile import RotationConfig
from cmtriage.sources.zendesk import Found, Ticket

NAME = "zendesk"
COLUMNS = (
    Column("title", "Subject", link="url"),
    Column("author", "Requester"),
    Column("status", "Status"),
    Column("age_days", "Age (days)", numeric=True),
    Column("tags", "Tags"),
)
_USERNAME = re.compile(r"^[a-z0-9._-]+$")
_EVERYONE = ("all", "channel", "here")  # would notify a whole channel: never written as a mention
# The same inside free text: Mattermost notifies for "@here." or "(@Channel)" too, not for "pm@here.com".
# The @ is dropped, not split with a zero-width space: notes are cmtriage's own lines, and render.clean
# removes one from them.
_CHANNEL_WIDE = re.compile(r"(?<![a-z0-9])@(?=(?:all|channel|here)(?![a-z0-9]))", re.IGNORECASE)
_REASONS = {
    "new": "new: needs a first answer",
    "open": "open: needs an answer",
    "pending": "pending: waiting on the customer",
    "hold": "on hold",
}


def _item(ticket: Ticket, now: datetime) -> Item:
    return Item(
        source=NAME,
        url=ticket.url,
        title=ticket.subject,
        author=ticket.requester,
        created_at=ticket.created_at,
        last_activity_at=ticket.updated_at,
        days_idle=max(0, (now - ticket.updated_at).days),
        reason=_REASONS.get(ticket.status, ticket.status),
        extra={"ticket_id": ticket.id, "status": ticket.status, "priority": ticket.priority,
               "tags": list(ticket.tags), "age_days": max(0, (now - ticket.created_at).days)},
    )


def people(rotation: RotationConfig | None, now: datetime) -> tuple[str | None, str | None]:
    """(the community PM on duty at `now` as a Mattermost username, who replies in Zendesk as the
    note writes them), either None when rotation.yaml does not say.

    The handoff (rotation.yaml `handoffs.zendesk`) is a member's name, written as their @mention, or a
    Mattermost username, written as @username; anything else (a full name) is written unmentioned. A
    channel-wide @all/@channel/@here alone is not written at all, and inside other text loses its @."""
    if rotation is None:
        return None, None
    from cmtriage.rotation import on_duty as member_on_duty

    on_duty = member_on_duty(rotation, now)
    handoff = rotation.handoff("zendesk")
    if handoff:
        member = rotation.member(handoff)
        username = member.mention if member else handoff.removeprefix("@").lower()
        if member:
            handoff = f"@{username}"
        elif username.rstrip("._-") in _EVERYONE:
            handoff = None
        elif _USERNAME.match(username) and not _CHANNEL_WIDE.match(f"@{username}"):
            handoff = f"@{username}"
        else:
            handoff = _CHANNEL_WIDE.sub("", handoff)
    return (on_duty.mention if on_duty else None), handoff


def build(found: Found | None, *, now: datetime, handoff: str | None = None, on_duty: str | None = None,
          errors: Sequence[SourceError] = ()) -> Report:
    """Newest ticket first. `handoff` is who replies in Zendesk, as the note writes them ("@hanna"),
    `on_duty` the community PM's username; `found` is None when the search failed (`errors` says why)."""
    tickets = sorted(found.tickets if found else (), key=lambda t: (t.created_at, t.id), reverse=True)
    then = f"mention {handoff} to reply in Zendesk" if handoff else "ask a Zendesk agent to reply"
    notes = [f"Answer in the Mattermost thread (with dev help if needed), then {then}."]
    if found and found.total > len(found.tickets):
        shown, total = len(found.tickets), found.total
        notes.append(f"Showing the newest {shown:,} of {total:,} matching tickets: Zendesk "
                     "search returns at most 1,000. Narrow zendesk.query in repos.yaml to see the rest.")
    if found is None:  # the search failed: nothing to count, and no "no tickets" sentence either
        return Report.failed(NAME, "Zendesk tickets for the community PM", errors, now, notes=notes,
                             mention=on_duty)

    def titled(shown: Sequence[Item]) -> str:
        return f"{counted(len(shown), 'Zendesk ticket')} flagged for the community PM"

    items = tuple(_item(t, now) for t in tickets)
    return Report(
        name=NAME,
        title=titled(items),
        titled=titled,
        columns=COLUMNS,
        items=items,
        generated_at=now,
        errors=tuple(errors),
        mention=on_duty,
        notes=tuple(notes),
        empty_message="No Zendesk tickets are waiting for the community PM.",
    )

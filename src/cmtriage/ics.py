"""The rotation as an iCalendar file (`rotation ics`): one all-day event per week. icalendar is imported
only here, so no other command pays for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cmtriage import rotation as schedule
from cmtriage.render import clean, who_line
from cmtriage.rotation import Week
from cmtriage.rotationfile import RotationConfig


def rotation_id(rotation: RotationConfig) -> str:
    """Eight hex digits that tell this rotation's events from another team's in a calendar holding both.

    Made of what stays as the team changes: the time zone, the first week and the members on the
    rotation then. Members who join (`from:`) or leave (`until:`) later, and overrides, leave it be, so
    a newer file still updates the same events; renaming or deleting a first-week member changes it."""
    import hashlib

    first = schedule.first_week(rotation)
    founders = sorted(m.name.casefold() for m in rotation.members if schedule.is_active(m, first))
    key = "\n".join([rotation.timezone.key, first.isoformat(), *founders])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def ics_text(rotation: RotationConfig, weeks: Sequence[Week], *, now: dt.datetime) -> str:
    """An iCalendar file with one all-day event per week. The UID names the rotation and the week, so
    importing a newer file updates each week's event instead of adding a second one, and two teams'
    calendars never share one."""
    from icalendar import Calendar, Event

    rotation_key = rotation_id(rotation)
    # A later file must win over an earlier one in apps that compare SEQUENCE (Outlook, RFC 5545 ones):
    # whole minutes since 1970 only grow, and keep within the 32-bit integer RFC 5545 allows for millennia.
    # An --now before 1970 or past the year 6053 is held to the range rather than written out of it.
    sequence = min(max(0, int(now.timestamp()) // 60), 2**31 - 1)
    calendar = Calendar()
    calendar.add("prodid", "-//cmtriage//Community PM rotation//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Community PM rotation")
    for week in weeks:
        if week.on_duty is None:
            continue
        event = Event()
        event.add("uid", f"community-pm-{rotation_key}-{week.start.isoformat()}@cmtriage")
        event.add("dtstamp", now.astimezone(dt.UTC))
        event.add("sequence", sequence)
        event.add("dtstart", week.start)
        event.add("dtend", week.start + dt.timedelta(days=7))  # exclusive, as RFC 5545 wants for DATE
        event.add("summary", f"Community PM: {clean(week.on_duty.name)}")
        event.add("description", who_line(week, this_week=False, markdown=False))
        event.add("transp", "TRANSPARENT")  # being on duty does not make anyone busy
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")

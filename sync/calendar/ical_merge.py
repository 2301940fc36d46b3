"""Writing our fields into an event as the CalDAV server holds it. Pure: no I/O.

An event on the server may carry more than otg-sync renders: a partner's alarms, attendees,
organiser, their own URL or X- properties, an edit made in a calendar app. When otg-sync changes
an event that is there, it starts from the server's copy and replaces only the properties of the
fields it manages that changed (``fields``); every other property and subcomponent is kept as it
is, and SEQUENCE rises only for a significant change.
"""

from __future__ import annotations

from collections.abc import Iterable

from icalendar import Calendar

from sync.calendar import ical
from sync.calendar.ical_read import as_int
from sync.calendar.mapping import FIELD_NAMES, SIGNIFICANT
from sync.state.records import SyncedItem

#: The fields of an event otg-sync manages (what a card says of it).
MANAGED = tuple(name for name in FIELD_NAMES if name not in ("card_id", "board_id"))
#: Each field's properties. Times are written together: a new start with the server's DURATION
#: would move the end; TRANSP follows whether the event is all-day.
PROPERTIES = {
    "summary": ("SUMMARY",),
    "start": ("DTSTART", "DTEND", "DURATION"),
    "end": ("DTSTART", "DTEND", "DURATION"),
    "all_day": ("DTSTART", "DTEND", "DURATION", "TRANSP"),
    "location": ("LOCATION",),
    "geo": ("GEO",),
    "description": ("DESCRIPTION",),
    "url": ("URL",),
    "status": ("STATUS",),
}
ALWAYS = ("DTSTAMP", "LAST-MODIFIED")  # when we write, we say when


def merge(server_text: str, record: SyncedItem, fields: Iterable[str]) -> bytes | None:
    """The server's resource with ``fields`` of the event set as ``record`` says. None when the
    server's copy cannot be read, holds no single event, or holds another UID: then there is
    nothing to keep and the caller writes ours whole."""
    fields = [name for name in fields if name in PROPERTIES]
    try:
        calendar = Calendar.from_ical(server_text)
        masters = [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e]
    except (ValueError, IndexError, KeyError, TypeError, AttributeError):
        return None
    if len(masters) != 1 or str(masters[0].get("UID", "")).strip() != record.remote_id:
        return None
    event, ours = masters[0], ical.vevent(record)
    theirs = as_int(event.get("SEQUENCE", 0))
    names = {prop for name in fields for prop in PROPERTIES[name]} | set(ALWAYS)
    for prop in sorted(names):
        event.pop(prop, None)
        if prop in ours:
            event[prop] = ours[prop]
    if any(name in SIGNIFICANT for name in fields):
        event.pop("SEQUENCE", None)
        event.add("sequence", max(record.sequence, theirs + 1))
    return calendar.to_ical()

"""Canonical event records → RFC 5545 iCalendar text, built with the `icalendar` library.

Deterministic: the same records give the same bytes (no generated UIDs, no "now", a fixed order),
so an unchanged board leaves the feed file and the CalDAV events untouched.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sync.calendar.plan import spec_of
from sync.state.records import SyncedItem
from sync.text import one_line, valid

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//One Team Government//otg-sync//EN"
#: RFC 5545 text holds no control characters but tab (and line feed, which is escaped as \n).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: Line breaks, which some readers split lines at: written as the escaped \n.
_BREAKS = re.compile(r"\r\n?|[\x85\u2028\u2029]")


def text(value: str) -> str:
    """Card text fit for an iCalendar TEXT value (the library escapes ``\\ ; ,`` and newlines,
    but passes control characters through, which would make the feed invalid)."""
    return _CONTROLS.sub("", _BREAKS.sub("\n", valid(value)))


def uri(value: str) -> str | None:
    """An http(s) link fit for a URI value, or None: a URI is not escaped, so one holding a
    line break or a space would break (or be refused by) the feed."""
    value = value.strip()
    if not value or _CONTROLS.search(value) or re.search(r"[\s\x85\u2028\u2029]", value):
        return None
    try:
        scheme = urlsplit(value).scheme
    except ValueError:
        return None
    return valid(value) if scheme in ("http", "https") else None


def vevent(record: SyncedItem) -> Event:
    from icalendar import Event, vGeo  # here: a night with nothing new renders nothing

    spec = spec_of(record)
    stamp = datetime.fromisoformat(record.data["dtstamp"]).astimezone(UTC).replace(microsecond=0)
    event = Event()
    event.add("uid", text(record.remote_id or ""))
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", record.sequence)
    event.add("status", spec.status)
    event.add("summary", text(spec.summary))
    event.add("dtstart", spec.start)  # a date for all-day events: VALUE=DATE
    event.add("dtend", spec.end)  # exclusive: a one-day event ends the next day
    if spec.all_day:
        event.add("transp", "TRANSPARENT")  # an all-day event does not block the whole day
    if spec.location:
        event.add("location", text(spec.location))
    if spec.geo:
        event.add("geo", vGeo(spec.geo))
    if spec.description:
        event.add("description", text(spec.description))
    if uri(spec.url):
        event.add("url", uri(spec.url))
    return event


def _sort_key(record: SyncedItem) -> tuple[str, str]:
    start = spec_of(record).start
    moment = (
        datetime.combine(start, datetime.min.time(), tzinfo=UTC)
        if not isinstance(start, datetime)
        else start
    )
    return moment.isoformat(), record.remote_id or ""


def calendar(
    records: Iterable[SyncedItem], *, name: str, refresh_minutes: int, timezone: str
) -> bytes:
    """The whole feed: a VCALENDAR with one VEVENT per record, ordered by start then UID.

    The bytes ``Calendar.to_ical`` gives with every event added to it (each line ends CRLF: the
    calendar's own lines, each event's, then the calendar's END), made an event at a time: each
    event is rendered and dropped, instead of 20,000 of them held as icalendar objects at once
    (some 100 MiB of a night that writes the feed)."""
    from icalendar import Calendar, vDuration

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = one_line(name)  # the library does not escape NAME: a line break would break it
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)
    cal.add(
        "refresh-interval", timedelta(minutes=refresh_minutes), parameters={"VALUE": "DURATION"}
    )
    cal.add("x-published-ttl", vDuration(timedelta(minutes=refresh_minutes)))
    parts = [cal.to_ical().removesuffix(_END)]  # its lines but the END, then the events'
    parts += [vevent(record).to_ical() for record in sorted(records, key=_sort_key)]
    parts.append(_END)
    return b"".join(parts)


_END = b"END:VCALENDAR\r\n"


def records_digest(records: Iterable[SyncedItem], options: tuple[object, ...]) -> str:
    """A fingerprint of everything a feed is rendered from: the same one, the same bytes."""
    digest = hashlib.sha256(repr(options).encode())
    for record in sorted(records, key=lambda r: r.key):
        digest.update(
            f"{record.key}|{record.hash}|{record.sequence}|{record.status}|"
            f"{record.data.get('dtstamp')}|{record.remote_id}\n".encode()
        )
    return digest.hexdigest()


def single(record: SyncedItem) -> bytes:
    """One event as a CalDAV resource: a VCALENDAR holding just that VEVENT."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add_component(vevent(record))
    return cal.to_ical()

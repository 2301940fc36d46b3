"""Canonical event records → RFC 5545 iCalendar text, built with the `icalendar` library.

Deterministic: the same records give the same bytes (no generated UIDs, no "now", a fixed order),
so an unchanged board leaves the feed file and the CalDAV events untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vDuration, vGeo

from sync.calendar_plan import spec_of
from sync.state import SyncedItem

PRODID = "-//One Team Government//otg-sync//EN"


def vevent(record: SyncedItem) -> Event:
    spec = spec_of(record)
    stamp = datetime.fromisoformat(record.data["dtstamp"]).astimezone(UTC).replace(microsecond=0)
    event = Event()
    event.add("uid", record.remote_id)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", record.sequence)
    event.add("status", spec.status)
    event.add("summary", spec.summary)
    event.add("dtstart", spec.start)  # a date for all-day events: VALUE=DATE
    event.add("dtend", spec.end)  # exclusive: a one-day event ends the next day
    if spec.all_day:
        event.add("transp", "TRANSPARENT")  # an all-day event does not block the whole day
    if spec.location:
        event.add("location", spec.location)
    if spec.geo:
        event.add("geo", vGeo(spec.geo))
    if spec.description:
        event.add("description", spec.description)
    if spec.url:
        event.add("url", spec.url)
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
    """The whole feed: a VCALENDAR with one VEVENT per record, ordered by start then UID."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)
    cal.add(
        "refresh-interval", timedelta(minutes=refresh_minutes), parameters={"VALUE": "DURATION"}
    )
    cal.add("x-published-ttl", vDuration(timedelta(minutes=refresh_minutes)))
    for record in sorted(records, key=_sort_key):
        cal.add_component(vevent(record))
    return cal.to_ical()


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
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add_component(vevent(record))
    return cal.to_ical()

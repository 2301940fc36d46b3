"""Reading events that people put on the CalDAV calendar. Pure: no I/O.

Calendar apps write every dialect of RFC 5545: times in UTC, with a TZID, or floating (no zone at
all); an end, a duration or neither; all-day dates; recurring series. ``read_event`` turns one
calendar resource into a ``CalendarEvent`` in the project's terms (UTC datetimes, or dates for
all-day events), or a ``Unreadable`` with the reason, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar

UNTITLED = "(untitled event)"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    start: datetime | date
    end: datetime | date
    all_day: bool
    location: str = ""
    description: str = ""
    status: str = "CONFIRMED"
    sequence: int = 0
    modified: datetime | None = None  # LAST-MODIFIED, else DTSTAMP
    rrule: str = ""  # the series' rule, when the event repeats

    def fields(self) -> dict[str, object]:
        """The fields a card shares with an event, comparable with ``EventSpec.fields()``."""
        return {
            "summary": self.summary,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "all_day": self.all_day,
            "location": self.location,
            "status": self.status,
        }


@dataclass(frozen=True)
class Unreadable:
    href: str
    reason: str


def read_event(
    href: str, text: str, *, tz: ZoneInfo, now: datetime, default_minutes: int = 120
) -> CalendarEvent | Unreadable:
    """The first VEVENT of a resource (a recurring series: its next occurrence from ``now``)."""
    try:
        calendar = Calendar.from_ical(text)
        events = [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e]
    except (ValueError, IndexError, KeyError) as exc:
        return Unreadable(href, f"not valid iCalendar ({exc})")
    if not events:
        return Unreadable(href, "holds no event")
    event = events[0]
    uid = str(event.get("UID", "")).strip()
    if not uid:
        return Unreadable(href, "has no UID")
    try:
        start = _moment(event.decoded("DTSTART"), tz)
    except (KeyError, ValueError, TypeError):
        return Unreadable(href, "has no readable start (DTSTART)")
    all_day = not isinstance(start, datetime)
    end = _end(event, start, all_day, tz, default_minutes)
    rrule = ""
    if "RRULE" in event:
        rrule = event["RRULE"].to_ical().decode()
        start, end = _next_occurrence(rrule, start, end, now, tz)
    if end <= start:
        end = start + (timedelta(days=1) if all_day else timedelta(minutes=default_minutes))
    modified = event.get("LAST-MODIFIED") or event.get("DTSTAMP")
    return CalendarEvent(
        uid=uid,
        summary=str(event.get("SUMMARY", "")).strip() or UNTITLED,
        start=start,
        end=end,
        all_day=all_day,
        location=str(event.get("LOCATION", "")).strip(),
        description=str(event.get("DESCRIPTION", "")).strip(),
        status=str(event.get("STATUS", "CONFIRMED")).upper(),
        sequence=_int(event.get("SEQUENCE")),
        modified=_moment(modified.dt, tz) if modified is not None else None,
        rrule=rrule,
    )


def _moment(value: object, tz: ZoneInfo) -> datetime | date:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # a floating time: the community's own zone
            value = value.replace(tzinfo=tz)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {value!r}")


def _end(event, start, all_day: bool, tz: ZoneInfo, default_minutes: int):
    try:
        if "DTEND" in event:
            end = _moment(event.decoded("DTEND"), tz)
            if isinstance(end, datetime) == (not all_day):
                return end
        if "DURATION" in event:
            return start + event.decoded("DURATION")
    except (ValueError, TypeError):
        pass
    return start + (timedelta(days=1) if all_day else timedelta(minutes=default_minutes))


def _next_occurrence(rule: str, start, end, now: datetime, tz: ZoneInfo):
    """The series' first occurrence that has not ended by ``now`` (or its last one)."""
    length = end - start
    first = (
        start
        if isinstance(start, datetime)
        else datetime.combine(start, datetime.min.time(), tzinfo=tz)
    )
    try:
        occurrences = rrulestr(rule, dtstart=first.astimezone(tz))
        found = occurrences.after(now.astimezone(tz) - length, inc=True)
    except (ValueError, TypeError, OverflowError):
        found = None
    if found is None:
        return start, end
    if isinstance(start, datetime):
        return found.astimezone(UTC), found.astimezone(UTC) + length
    return found.date(), found.date() + length


def _int(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0

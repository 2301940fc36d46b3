"""Reading events that people put on the CalDAV calendar. Pure: no I/O.

Calendar apps write every dialect of RFC 5545: times in UTC, with a TZID, or floating (no zone at
all); an end, a duration or neither; all-day dates; recurring series. ``read_event`` turns one
calendar resource into a ``CalendarEvent`` in the project's terms (UTC datetimes, or dates for
all-day events), or a ``Unreadable`` with the reason, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from sync.calendar.recurrence import next_occurrence
from sync.dates import EARLIEST, LATEST

UNTITLED = "(untitled event)"
#: An INTERVAL that is not a positive whole number (RFC 5545); dateutil never ends on 0.
BAD_INTERVAL = re.compile(r"(^|;)INTERVAL=(?![1-9][0-9]{0,5}(;|$))", re.IGNORECASE)
#: One that repeats more often than daily is not an event to import.
SUB_DAILY = re.compile(r"(^|;)FREQ=(HOURLY|MINUTELY|SECONDLY)(;|$)", re.IGNORECASE)


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
    rrule: str = ""  # the series' rule when the event repeats ("RDATE": on set dates only)
    notes: tuple[str, ...] = ()  # what was missing and made up (a title, an end), to report

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
    """The first VEVENT of a resource (a recurring series: its next occurrence from ``now``, as
    ``sync.calendar.recurrence`` finds it: moved by an override, or the next one when an override
    cancels it; the title, place and text stay the series')."""
    try:
        calendar = Calendar.from_ical(text)
        events = [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e]
    except (ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
        return Unreadable(href, f"not valid iCalendar ({_one_line(str(exc))})")
    if not events:
        return Unreadable(href, "holds no event")
    event = events[0]
    uid = str(event.get("UID", "")).strip()
    if not uid:
        return Unreadable(href, "has no UID")
    try:
        start = _moment(event.decoded("DTSTART"), tz)
    except (KeyError, ValueError, TypeError, AttributeError, OverflowError):  # two DTSTARTs...
        return Unreadable(href, "has no readable start (DTSTART)")
    all_day = not isinstance(start, datetime)
    summary = str(event.get("SUMMARY", "")).strip()
    notes = [] if summary else ["no title"]
    end = _end(event, start, all_day, tz)
    if end is None or end <= start:
        if not all_day:
            notes.append(f"no usable end: {default_minutes} minutes assumed")
        try:
            end = start + (timedelta(days=1) if all_day else timedelta(minutes=default_minutes))
        except OverflowError:  # a start in the year 9999: refused below
            end = start
    rrule = ""
    if "RRULE" in event or "RDATE" in event:
        try:
            rrule = event["RRULE"].to_ical().decode() if "RRULE" in event else "RDATE"
        except (ValueError, TypeError, AttributeError):  # a broken value, or several rules
            return Unreadable(href, "has a repeat rule that cannot be read (RRULE)")
        if BAD_INTERVAL.search(rrule):  # INTERVAL=0: dateutil would loop for ever
            return Unreadable(
                href, f"has a repeat rule that cannot be read (RRULE:{_one_line(rrule)})"
            )
        if SUB_DAILY.search(rrule):
            return Unreadable(href, f"repeats more than once a day (RRULE:{_one_line(rrule)})")
        found = next_occurrence(calendar, event, start, end, now, tz)
        if found is None:
            return Unreadable(
                href, f"has a repeat rule that cannot be read (RRULE:{_one_line(rrule)})"
            )
        start, end = found  # its times; the title and the rest are the series'
    if not _sane(start) or not _sane(end) or end <= start:
        return Unreadable(href, f"has dates outside {EARLIEST.year}–{LATEST.year - 1}")
    return CalendarEvent(
        uid=uid,
        summary=summary or UNTITLED,
        start=start,
        end=end,
        all_day=all_day,
        location=str(event.get("LOCATION", "")).strip(),
        description=str(event.get("DESCRIPTION", "")).strip(),
        status=_status(event.get("STATUS")),
        sequence=as_int(event.get("SEQUENCE")),
        modified=_modified(event, tz),
        rrule=rrule,
        notes=tuple(notes),
    )


def _status(value: object) -> str:
    """TENTATIVE, CONFIRMED or CANCELLED; anything else (a typo, a to-do's status, nothing at
    all) is CONFIRMED, so that it can never reach our feed."""
    status = str(value or "").strip().upper()
    return status if status in ("TENTATIVE", "CONFIRMED", "CANCELLED") else "CONFIRMED"


def _sane(moment: datetime | date) -> bool:
    """Within the years a card's dates may have (``sync.dates``)."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return EARLIEST.date() <= day < LATEST.date()


def _moment(value: object, tz: ZoneInfo) -> datetime | date:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # a floating time: the community's own zone
            value = value.replace(tzinfo=tz)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {value!r}")


def _modified(event, tz: ZoneInfo) -> datetime | None:
    """LAST-MODIFIED, else DTSTAMP; None when neither can be read."""
    for name in ("LAST-MODIFIED", "DTSTAMP"):
        try:
            moment = _moment(event[name].dt, tz)
        except (KeyError, ValueError, TypeError, AttributeError, OverflowError):
            continue  # missing, or broken (icalendar raises when a bad value is touched)
        if isinstance(moment, datetime):
            return moment
    return None


def _end(event, start, all_day: bool, tz: ZoneInfo):
    """DTEND, else start + DURATION; None when neither is there and usable."""
    try:
        if "DTEND" in event:
            end = _moment(event.decoded("DTEND"), tz)
            if isinstance(end, datetime) == (not all_day):
                return end
        if "DURATION" in event:
            return start + event.decoded("DURATION")
    except (ValueError, TypeError, AttributeError, OverflowError):  # a DURATION of 2.7M years
        pass
    return None


def _one_line(text: str, limit: int = 200) -> str:
    """A parser's message for a report line: it quotes the bad text, line breaks and all."""
    text = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_int(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0

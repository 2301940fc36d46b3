"""A repeating event's next occurrence, found by ``recurring-ical-events``. Pure: no I/O.

The library (built on ``icalendar`` and ``dateutil``) reads a series as RFC 5545 means it:
``RRULE`` and ``RDATE`` together, ``EXDATE``, and the overrides (a ``VEVENT`` with the series' UID
and a ``RECURRENCE-ID``) that move one occurrence, change its title, or cancel it (Google's way:
``STATUS:CANCELLED`` on the override). Times keep their own zone's wall clock across DST; floating
times are the community's zone; all-day series stay dates. What is left here is what a card needs:
the first occurrence that has not ended by ``now`` and is not cancelled.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

#: A series is followed this many occurrences at most to find its next one (DAILY since the year
#: 1 would take seconds): one estimated to have more before now is not read.
MAX_OCCURRENCES = 10_000
PER_YEAR = {"YEARLY": 1, "MONTHLY": 12, "WEEKLY": 53, "DAILY": 366}
#: what the library raises for a series it cannot read
LIBRARY_ERRORS = (
    recurring_ical_events.BadRuleStringFormat,
    recurring_ical_events.InvalidCalendar,
    recurring_ical_events.PeriodEndBeforeStart,
)
#: Where the next occurrence is looked for: windows from now, each further than the last. A
#: series with none in ten years is over (a rule that never matches, say: 30 February).
WINDOWS = (timedelta(days=40), timedelta(days=400), timedelta(days=3660))


def next_occurrence(calendar: Calendar, master, start, end, now: datetime, tz: ZoneInfo):
    """``(start, end)`` of the series' first occurrence that has not ended by ``now`` and is not
    cancelled (where an override moved it, as moved); if none, its first occurrence, which is
    over (the caller says so). None when the series cannot be read. ``start``/``end`` are the
    master's, as read (UTC, or dates)."""
    if _too_many(master, start, now) or _never_moves(master):
        return None
    length = end - start
    series = Calendar()
    uid = master.get("UID")
    for component in calendar.walk("VEVENT"):
        if component.get("UID") == uid:
            series.add_component(component)
    try:
        query = recurring_ical_events.of(series)
        for occurrence in _coming(query, now):
            if (
                str(occurrence.get("STATUS", "")).upper() == "CANCELLED"
                and str(master.get("STATUS", "")).upper() != "CANCELLED"
            ):
                continue  # one occurrence called off: the next one is the card's
            begin = _moment(occurrence.decoded("DTSTART"), tz)
            finish = _moment(occurrence.decoded("DTEND"), tz) if "DTEND" in occurrence else None
            if finish is None or finish <= begin or type(finish) is not type(begin):
                finish = begin + length
            if _end_utc(finish, tz) <= now:
                continue
            return begin, finish
    except (ValueError, TypeError, OverflowError, KeyError, AttributeError, *LIBRARY_ERRORS):
        return None
    return start, end


def _coming(query, now: datetime):
    """The occurrences that have not ended by ``now``, in order, window by window (the library's
    own ``after()`` has no end, and a rule that never matches would be followed for ever)."""
    start = now
    for span in WINDOWS:
        yield from sorted(query.between(start, now + span), key=_sort_key)
        start = now + span


def _sort_key(occurrence) -> datetime:
    begin = occurrence.decoded("DTSTART")
    if not isinstance(begin, datetime):
        return datetime.combine(begin, time(0), UTC)
    return begin if begin.tzinfo else begin.replace(tzinfo=UTC)


def _never_moves(master) -> bool:
    """An ``INTERVAL`` of 0 (or less): the rule would repeat on the spot for ever."""
    try:
        rule = master["RRULE"].to_ical().decode().upper() if "RRULE" in master else ""
    except (ValueError, TypeError, AttributeError):
        return False
    interval = re.search(r"INTERVAL=(-?\d+)", rule)
    return bool(interval) and int(interval.group(1)) < 1


def _too_many(master, start, now: datetime) -> bool:
    """Whether the series has, by a generous estimate, more than MAX_OCCURRENCES before now."""
    try:
        rule = master["RRULE"].to_ical().decode().upper() if "RRULE" in master else ""
    except (ValueError, TypeError, AttributeError):
        return False  # read (and refused) by the caller
    freq = re.search(r"FREQ=([A-Z]+)", rule)
    if not freq:
        return False
    interval = re.search(r"INTERVAL=(\d+)", rule)
    byday = re.search(r"BYDAY=([^;]+)", rule)
    per_year = PER_YEAR.get(freq.group(1), 366) * (len(byday.group(1).split(",")) if byday else 1)
    per_year /= max(1, int(interval.group(1)) if interval else 1)
    first = start if isinstance(start, datetime) else datetime.combine(start, time(0), UTC)
    years = max(0.0, (now - first).days / 365.25)
    return years * per_year > MAX_OCCURRENCES


def _moment(value: object, tz: ZoneInfo) -> datetime | date:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC)
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {value!r}")


def _end_utc(moment: datetime | date, tz: ZoneInfo) -> datetime:
    if isinstance(moment, datetime):
        return moment
    return datetime.combine(moment, time(0), tz).astimezone(UTC)

"""Repeating events: a table of series and the occurrence a card gets (``read_event`` through
``sync.calendar.recurrence``), each expected value written out by hand and cross-checked with
``recurring-ical-events`` itself.

Now is Saturday 5 December 2026, 12:00 UTC (GMT in London).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from sync.calendar.ical_read import CalendarEvent, Unreadable, read_event

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
YEAR_AFTER = datetime(2027, 12, 5, tzinfo=UTC)


def series(*events: list[str]) -> str:
    """A resource with one VEVENT per list of lines (the first the series, then overrides)."""
    body = "".join(
        "BEGIN:VEVENT\r\nUID:series-1@their.app\r\nDTSTAMP:20261101T100000Z\r\n"
        + "".join(line + "\r\n" for line in lines)
        + "END:VEVENT\r\n"
        for lines in events
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Their app//EN\r\n{body}END:VCALENDAR\r\n"


WEEKLY_TUE = ["DTSTART:20261103T083000Z", "DTEND:20261103T093000Z", "RRULE:FREQ=WEEKLY;BYDAY=TU"]
LONDON_TUE = [
    "DTSTART;TZID=Europe/London:20261103T083000",
    "DTEND;TZID=Europe/London:20261103T093000",
    "RRULE:FREQ=WEEKLY;BYDAY=TU",
    "SUMMARY:Coffee",
]

#: name → (the resource, the expected (start, end, title) of the card's occurrence)
TABLE = {
    "weekly": (series(WEEKLY_TUE), ("2026-12-08T08:30", "2026-12-08T09:30")),
    "exdate-skips-the-next": (
        series([*WEEKLY_TUE, "EXDATE:20261208T083000Z"]),
        ("2026-12-15T08:30", "2026-12-15T09:30"),
    ),
    "moved-by-an-override": (
        series(
            LONDON_TUE,
            [
                "RECURRENCE-ID;TZID=Europe/London:20261208T083000",
                "DTSTART;TZID=Europe/London:20261208T140000",
                "DTEND;TZID=Europe/London:20261208T150000",
                "SUMMARY:Coffee (afternoon this week)",
            ],
        ),
        ("2026-12-08T14:00", "2026-12-08T15:00", "Coffee"),  # the series' title: the card is its
    ),
    "cancelled-by-an-override": (  # Google's way of cancelling one occurrence
        series(
            LONDON_TUE,
            [
                "RECURRENCE-ID;TZID=Europe/London:20261208T083000",
                "DTSTART;TZID=Europe/London:20261208T083000",
                "DTEND;TZID=Europe/London:20261208T093000",
                "STATUS:CANCELLED",
                "SUMMARY:Coffee",
            ],
        ),
        ("2026-12-15T08:30", "2026-12-15T09:30", "Coffee"),
    ),
    "rdates-only": (
        series(
            [
                "DTSTART:20261001T180000Z",
                "DTEND:20261001T200000Z",
                "RDATE:20261105T180000Z,20270107T180000Z,20270204T180000Z",
            ]
        ),
        ("2027-01-07T18:00", "2027-01-07T20:00"),
    ),
    "an-rdate-before-the-rule's-next": (
        series([*WEEKLY_TUE, "RDATE:20261206T100000Z"]),
        ("2026-12-06T10:00", "2026-12-06T11:00"),
    ),
    "all-day-monthly": (
        series(["DTSTART;VALUE=DATE:20261010", "RRULE:FREQ=MONTHLY;BYMONTHDAY=10"]),
        (date(2026, 12, 10), date(2026, 12, 11)),
    ),
    "all-day-with-an-exdate": (
        series(
            [
                "DTSTART;VALUE=DATE:20261010",
                "RRULE:FREQ=MONTHLY;BYMONTHDAY=10",
                "EXDATE;VALUE=DATE:20261210",
            ]
        ),
        (date(2027, 1, 10), date(2027, 1, 11)),
    ),
    "across-dst-into-winter": (  # 08:30 in London: 07:30 UTC in October, 08:30 UTC now
        series(
            [
                "DTSTART;TZID=Europe/London:20261006T083000",
                "DTEND;TZID=Europe/London:20261006T093000",
                "RRULE:FREQ=WEEKLY",
            ]
        ),
        ("2026-12-08T08:30", "2026-12-08T09:30"),
    ),
    "another-zone": (  # 09:00 in New York is 14:00 UTC in December
        series(
            [
                "DTSTART;TZID=America/New_York:20260901T090000",
                "DTEND;TZID=America/New_York:20260901T100000",
                "RRULE:FREQ=WEEKLY;BYDAY=TU",
            ]
        ),
        ("2026-12-08T14:00", "2026-12-08T15:00"),
    ),
    "under-way-now": (
        series(["DTSTART:20261101T110000Z", "DURATION:PT2H", "RRULE:FREQ=DAILY"]),
        ("2026-12-05T11:00", "2026-12-05T13:00"),
    ),
    "over": (  # the first occurrence, which is over: not imported (the caller says so)
        series(["DTSTART:20260901T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3"]),
        ("2026-09-01T09:00", "2026-09-01T10:00"),
    ),
}


def as_utc(value: str | date) -> datetime | date:
    return value if isinstance(value, date) else datetime.fromisoformat(value).replace(tzinfo=UTC)


@pytest.mark.parametrize("name", list(TABLE))
def test_the_card_gets_the_next_occurrence_the_series_really_has(name: str) -> None:
    text, expected = TABLE[name]
    start, end = as_utc(expected[0]), as_utc(expected[1])

    event = read_event("/cal/series.ics", text, tz=LONDON, now=NOW)

    assert isinstance(event, CalendarEvent), event
    assert (event.start, event.end) == (start, end)
    assert event.rrule  # still a series: its card says so
    if len(expected) == 3:
        assert event.summary == expected[2]
    if name == "over":
        return
    # the library, asked directly, agrees on the occurrence (in whatever zone it keeps it)
    [first] = [
        o
        for o in recurring_ical_events.of(Calendar.from_ical(text)).between(
            NOW, datetime(2028, 1, 1, tzinfo=UTC)
        )
        if str(o.get("STATUS", "")) != "CANCELLED" and _end(o) > NOW
    ][:1]
    begin = first.decoded("DTSTART")
    begin = begin.astimezone(UTC) if isinstance(begin, datetime) else begin
    assert begin == start


def _end(occurrence) -> datetime:
    end = occurrence.decoded("DTEND")
    if isinstance(end, datetime):
        return end.astimezone(UTC)
    return datetime.combine(end, datetime.min.time(), LONDON).astimezone(UTC)


def test_a_series_whose_every_coming_occurrence_is_cancelled_is_over() -> None:
    text = series(
        ["DTSTART:20261101T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=6"],
        *(
            [
                f"RECURRENCE-ID:202612{d:02d}T090000Z",
                f"DTSTART:202612{d:02d}T090000Z",
                "STATUS:CANCELLED",
            ]
            for d in (6, 13)
        ),
    )
    event = read_event("/cal/series.ics", text, tz=LONDON, now=NOW)
    assert isinstance(event, CalendarEvent)
    assert event.start == datetime(2026, 11, 1, 9, tzinfo=UTC)  # its first: over


def test_a_daily_series_since_the_year_1_is_refused_quickly() -> None:
    text = series(["DTSTART:00010101T090000Z", "RRULE:FREQ=DAILY"])
    event = read_event("/cal/series.ics", text, tz=LONDON, now=NOW)
    assert isinstance(event, Unreadable)
    assert event.reason.startswith("has a repeat rule that cannot be read")


def test_a_rule_that_never_moves_on_is_refused_not_followed() -> None:
    text = series(["DTSTART:20261201T090000Z", "RRULE:FREQ=DAILY;INTERVAL=0"])
    event = read_event("/cal/series.ics", text, tz=LONDON, now=NOW)
    assert isinstance(event, Unreadable)
    assert event.reason == "has a repeat rule that cannot be read (RRULE:FREQ=DAILY;INTERVAL=0)"


def test_a_rule_that_never_matches_is_over() -> None:
    text = series(["DTSTART:20260101T090000Z", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"])
    event = read_event("/cal/series.ics", text, tz=LONDON, now=NOW)
    assert isinstance(event, CalendarEvent)
    assert event.start == datetime(2026, 1, 1, 9, tzinfo=UTC)  # its first: over, not imported

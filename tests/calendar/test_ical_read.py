"""Reading events that people put on the calendar (``sync.calendar.ical_read``). Pure: no server.

Every dialect calendar apps write (UTC, TZID, floating, all-day; DTEND, DURATION or neither;
recurring series), and what comes of bad input: an ``Unreadable`` with a reason, never an
exception.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from sync.calendar.ical_read import UNTITLED, CalendarEvent, Unreadable, read_event

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)  # a Saturday, in GMT


def vcal(*lines: str, extra: str = "") -> str:
    """One VEVENT (UID u-1) with ``lines``; ``extra`` goes before it (a VTIMEZONE, say)."""
    body = "".join(line + "\r\n" for line in lines)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//Their app//EN\r\n"
        f"{extra}BEGIN:VEVENT\r\nUID:u-1\r\nDTSTAMP:20261101T100000Z\r\n{body}"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def read(text: str, now: datetime = NOW) -> CalendarEvent:
    event = read_event("/cal/u-1.ics", text, tz=LONDON, now=now)
    assert isinstance(event, CalendarEvent), event
    return event


def unreadable(text: str) -> str:
    event = read_event("/cal/bad.ics", text, tz=LONDON, now=NOW)
    assert isinstance(event, Unreadable), event
    assert event.href == "/cal/bad.ics"
    return event.reason


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- times: every dialect ends as UTC datetimes, or dates when all-day -------------------------


def test_a_utc_event_with_an_end_reads_as_it_is() -> None:
    event = read(
        vcal(
            "DTSTART:20270110T090000Z",
            "DTEND:20270110T103000Z",
            "SUMMARY:Breakfast",
            "LOCATION:Civic Hall\\, Leeds",
            "DESCRIPTION:Coffee\\nand talk",
            "STATUS:tentative",
            "SEQUENCE:3",
            "LAST-MODIFIED:20261120T080000Z",
        )
    )
    assert (event.uid, event.summary, event.notes) == ("u-1", "Breakfast", ())
    assert (event.start, event.end, event.all_day) == (
        utc(2027, 1, 10, 9),
        utc(2027, 1, 10, 10, 30),
        False,
    )
    assert (event.location, event.description) == ("Civic Hall, Leeds", "Coffee\nand talk")
    assert (event.status, event.sequence, event.rrule) == ("TENTATIVE", 3, "")
    assert event.modified == utc(2026, 11, 20, 8)


def test_a_time_with_a_tzid_is_read_in_that_zone() -> None:
    vtimezone = (
        "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nBEGIN:STANDARD\r\nDTSTART:19701101T020000\r\n"
        "TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"
        "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700308T020000\r\nTZOFFSETFROM:-0500\r\n"
        "TZOFFSETTO:-0400\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n"
        "END:VTIMEZONE\r\n"
    )
    event = read(
        vcal(
            "DTSTART;TZID=America/New_York:20270710T090000",
            "DTEND;TZID=America/New_York:20270710T100000",
            extra=vtimezone,
        )
    )
    assert (event.start, event.end) == (utc(2027, 7, 10, 13), utc(2027, 7, 10, 14))


def test_a_windows_zone_name_is_read_from_its_vtimezone() -> None:
    vtimezone = (
        "BEGIN:VTIMEZONE\r\nTZID:GMT Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T020000\r\n"
        "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
        "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T010000\r\nTZOFFSETFROM:+0000\r\n"
        "TZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n"
        "END:VTIMEZONE\r\n"
    )
    event = read(vcal("DTSTART;TZID=GMT Standard Time:20270710T090000", extra=vtimezone))
    assert event.start == utc(2027, 7, 10, 8)  # 09:00 BST


@pytest.mark.parametrize(
    ("local", "expected"),
    [("20270710T090000", utc(2027, 7, 10, 8)), ("20270110T090000", utc(2027, 1, 10, 9))],
    ids=["summer-BST", "winter-GMT"],
)
def test_a_floating_time_is_the_communitys_local_time(local: str, expected: datetime) -> None:
    event = read(vcal(f"DTSTART:{local}", "DURATION:PT90M"))
    assert event.start == expected
    assert (event.end - event.start).total_seconds() == 90 * 60


def test_an_all_day_event_has_dates_and_an_exclusive_end() -> None:
    one_day = read(vcal("DTSTART;VALUE=DATE:20270110"))
    assert (one_day.start, one_day.end, one_day.all_day) == (
        date(2027, 1, 10),
        date(2027, 1, 11),
        True,
    )
    camp = read(vcal("DTSTART;VALUE=DATE:20270110", "DTEND;VALUE=DATE:20270113"))
    assert (camp.start, camp.end) == (date(2027, 1, 10), date(2027, 1, 13))
    by_duration = read(vcal("DTSTART;VALUE=DATE:20270110", "DURATION:P2D"))
    assert by_duration.end == date(2027, 1, 12)


def test_an_event_with_no_end_lasts_the_default_duration() -> None:
    event = read_event(
        "/cal/u-1.ics", vcal("DTSTART:20270110T090000Z"), tz=LONDON, now=NOW, default_minutes=45
    )
    assert isinstance(event, CalendarEvent)
    assert (event.start, event.end) == (utc(2027, 1, 10, 9), utc(2027, 1, 10, 9, 45))
    assert event.notes == ("no title", "no usable end: 45 minutes assumed")  # for the report
    assert read(vcal("DTSTART:20270110T090000Z")).end == utc(2027, 1, 10, 11)  # 120 by default
    assert read(vcal("DTSTART;VALUE=DATE:20270110", "SUMMARY:Camp")).notes == ()  # one day


@pytest.mark.parametrize(
    "end",
    [
        "DTEND:20270110T080000Z",  # before the start
        "DTEND:20270110T090000Z",  # no length at all
        "DTEND:tomorrow",  # not a time
        "DTEND;VALUE=DATE:20270111",  # a date with a timed start
        "DURATION:-PT1H",
    ],
)
def test_a_nonsense_end_falls_back_to_the_default_duration(end: str) -> None:
    event = read(vcal("DTSTART:20270110T090000Z", end, "SUMMARY:Breakfast"))
    assert (event.start, event.end) == (utc(2027, 1, 10, 9), utc(2027, 1, 10, 11))
    assert event.notes == ("no usable end: 120 minutes assumed",)


def test_a_missing_or_blank_summary_is_untitled() -> None:
    assert read(vcal("DTSTART:20270110T090000Z")).summary == UNTITLED == "(untitled event)"
    assert read(vcal("DTSTART:20270110T090000Z", "SUMMARY:   ")).summary == UNTITLED


def test_an_enormous_description_is_read_whole() -> None:
    event = read(vcal("DTSTART:20270110T090000Z", "DESCRIPTION:" + "word " * 5000))
    assert len(event.description) == 5000 * 5 - 1  # cutting is the card's business


def test_a_missing_last_modified_falls_back_to_the_dtstamp_and_a_bad_sequence_to_0() -> None:
    event = read(vcal("DTSTART:20270110T090000Z", "SEQUENCE:many"))
    assert (event.modified, event.sequence) == (utc(2026, 11, 1, 10), 0)


def test_a_broken_last_modified_or_dtstamp_is_no_reason_to_fail() -> None:
    stamp_only = read(vcal("DTSTART:20270110T090000Z", "LAST-MODIFIED:yesterday"))
    assert stamp_only.modified == utc(2026, 11, 1, 10)
    neither = read(
        vcal("DTSTART:20270110T090000Z", "LAST-MODIFIED:yesterday").replace(
            "DTSTAMP:20261101T100000Z", "DTSTAMP:garbage"
        )
    )
    assert (neither.summary, neither.modified) == (UNTITLED, None)


def test_fields_compare_with_what_we_wrote() -> None:
    timed = read(vcal("DTSTART:20270110T090000Z", "SUMMARY:Breakfast", "LOCATION:Leeds"))
    assert timed.fields() == {
        "summary": "Breakfast",
        "start": "2027-01-10T09:00:00+00:00",
        "end": "2027-01-10T11:00:00+00:00",
        "all_day": False,
        "location": "Leeds",
        "status": "CONFIRMED",
    }
    all_day = read(vcal("DTSTART;VALUE=DATE:20270110"))
    assert (all_day.fields()["start"], all_day.fields()["end"]) == ("2027-01-10", "2027-01-11")


# -- recurring series: the next occurrence that has not ended ----------------------------------


def test_a_weekly_series_is_read_as_its_next_occurrence_across_a_dst_change() -> None:
    # Thursdays 08:30-09:30 London time, from September (BST) on; now is November (GMT)
    event = read(
        vcal(
            "DTSTART;TZID=Europe/London:20260903T083000",
            "DTEND;TZID=Europe/London:20260903T093000",
            "RRULE:FREQ=WEEKLY;BYDAY=TH",
            "SUMMARY:Weekly coffee",
        )
    )
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TH"
    assert (event.start, event.end) == (utc(2026, 11, 26, 8, 30), utc(2026, 11, 26, 9, 30))
    # and the other way, from winter into summer: still 08:30 local, now 07:30 UTC
    spring = read(
        vcal(
            "DTSTART;TZID=Europe/London:20260903T083000",
            "DTEND;TZID=Europe/London:20260903T093000",
            "RRULE:FREQ=WEEKLY;BYDAY=TH",
        ),
        now=datetime(2027, 4, 2, 12, tzinfo=UTC),
    )
    assert spring.start == utc(2027, 4, 8, 7, 30)


def test_a_utc_series_keeps_its_utc_time_across_a_dst_change() -> None:
    event = read(vcal("DTSTART:20260901T090000Z", "RRULE:FREQ=DAILY;UNTIL=20270301T090000Z"))
    # today's 09:00-11:00 is over at 12:00: tomorrow's, still at 09:00 UTC
    assert event.start == utc(2026, 11, 22, 9)


def test_an_occurrence_under_way_is_the_next_one() -> None:
    event = read(vcal("DTSTART:20260901T110000Z", "DURATION:PT2H", "RRULE:FREQ=DAILY"))
    assert (event.start, event.end) == (utc(2026, 11, 21, 11), utc(2026, 11, 21, 13))


def test_an_all_day_series_with_an_until_date_is_read() -> None:
    event = read(vcal("DTSTART;VALUE=DATE:20260901", "RRULE:FREQ=WEEKLY;UNTIL=20270301"))
    assert (event.start, event.end, event.all_day) == (date(2026, 11, 24), date(2026, 11, 25), True)


def test_a_floating_series_with_a_floating_until_is_read() -> None:
    event = read(
        vcal(
            "DTSTART:20260901T090000",
            "DTEND:20260901T100000",
            "RRULE:FREQ=WEEKLY;UNTIL=20270301T090000",
        )
    )
    assert event.start == utc(2026, 11, 24, 9)


def test_excluded_dates_are_skipped() -> None:
    event = read(
        vcal(
            "DTSTART:20261119T090000Z",
            "RRULE:FREQ=WEEKLY",
            "EXDATE:20261126T090000Z,20261203T090000Z",
        )
    )
    assert event.start == utc(2026, 12, 10, 9)


def test_a_series_that_is_over_gives_its_first_occurrence() -> None:
    event = read(vcal("DTSTART:20250901T090000Z", "RRULE:FREQ=DAILY;COUNT=3"))
    assert event.start == utc(2025, 9, 1, 9)  # over: the classifier leaves it alone


def test_a_moved_occurrence_does_not_hide_the_series() -> None:
    text = vcal("DTSTART:20261119T090000Z", "RRULE:FREQ=WEEKLY", "SUMMARY:Series").replace(
        "BEGIN:VEVENT",
        "BEGIN:VEVENT\r\nUID:u-1\r\nRECURRENCE-ID:20261126T090000Z\r\nDTSTAMP:20261101T100000Z"
        "\r\nDTSTART:20261126T150000Z\r\nSUMMARY:Moved\r\nEND:VEVENT\r\nBEGIN:VEVENT",
        1,
    )
    event = read(text)
    assert (event.summary, event.rrule) == ("Series", "FREQ=WEEKLY")


# -- bad input: a reason, never an exception ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("this is not a calendar", "not valid iCalendar"),
        ("", "not valid iCalendar"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2027", "not valid iCalendar"),
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\n"
            "END:VCALENDAR\r\n",
            "holds no event",
        ),
        (vcal("DTSTART:20270110T090000Z").replace("UID:u-1\r\n", ""), "has no UID"),
        (vcal("DTSTART:20270110T090000Z").replace("UID:u-1", "UID:  "), "has no UID"),
        (vcal("SUMMARY:No start"), "has no readable start (DTSTART)"),
        (vcal("DTSTART:next tuesday"), "has no readable start (DTSTART)"),
        (vcal("DTSTART:20271345T990000Z"), "has no readable start (DTSTART)"),
        (
            vcal("DTSTART:20270110T090000Z", "DTSTART:20270111T090000Z"),
            "has no readable start (DTSTART)",
        ),
        (
            vcal("DTSTART:20261119T090000Z", "RRULE:FREQ=SOMETIMES"),
            "has a repeat rule that cannot be read (RRULE:FREQ=SOMETIMES)",
        ),
        (
            vcal("DTSTART:20261119T090000Z", "RRULE:FREQ=WEEKLY;UNTIL=20270301,000000Z"),
            "has a repeat rule that cannot be read (RRULE)",
        ),
        (
            vcal("DTSTART:20261119T090000Z", "RRULE:FREQ=WEEKLY", "EXDATE:every other week"),
            "has a repeat rule that cannot be read",
        ),
        (vcal("DTSTART;VALUE=DATE,TIME:20270110"), "not valid iCalendar"),
    ],
    ids=[
        "prose",
        "empty",
        "truncated",
        "a-task",
        "no-uid",
        "blank-uid",
        "no-start",
        "words-for-a-start",
        "impossible-start",
        "two-starts",
        "bad-rrule",
        "bad-until",
        "bad-exdate",
        "a-list-for-a-value-type",
    ],
)
def test_an_event_that_cannot_be_read_says_why(text: str, reason: str) -> None:
    assert unreadable(text).startswith(reason)


@pytest.mark.parametrize(
    "text",
    [
        "BEGIN:VCALENDAR\rVERSION:2.0\rPRODID:-//x//EN\rBEGIN:VEVENT\rUID:u\rEND:VCALENDAR",
        "BEGIN:VCALENDAR\r\n\x1b[31mred\x1b[0m\r\n" + "X" * 5000 + "\r\nEND:VCALENDAR\r\n",
    ],
    ids=["bare-carriage-returns", "escape-codes-and-a-long-line"],
)
def test_a_reason_is_one_short_line_whatever_the_text_held(text: str) -> None:
    reason = unreadable(text)
    assert reason.startswith("not valid iCalendar (")
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", reason), repr(reason)
    assert len(reason) <= 250


@pytest.mark.timeout(10)
@pytest.mark.parametrize("interval", ["0", "-1", "", "x"])
def test_a_repeat_rule_with_no_interval_is_unreadable_not_an_endless_loop(interval):
    """``INTERVAL=0`` sent dateutil into a loop that never yields (a hypothesis run of the
    calendar tests once spun at 99% CPU for ten minutes on it)."""
    rule = f"RRULE:FREQ=DAILY;INTERVAL={interval}"
    why = unreadable(vcal("DTSTART:00010101T100000Z", "DURATION:PT1H", rule))
    assert "repeat rule that cannot be read" in why

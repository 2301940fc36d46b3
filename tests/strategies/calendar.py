"""The text of CalDAV resources in every dialect, and plain garbage."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st

from tests.strategies.text import names, sometimes, texts

TZIDS = ("Europe/London", "America/New_York", "Australia/Lord_Howe", "Mars/Olympus", "", "UTC")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


@st.composite
def ical_moments(draw: st.DrawFn, name: str) -> str:
    """``DTSTART...`` in every dialect: UTC, TZID, floating, all-day, or broken."""
    moment = draw(
        sometimes(
            st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
            st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
        )
    )
    form = draw(st.integers(0, 9))
    if form in (0, 6, 7):
        return f"{name}:{_stamp(moment)}Z"
    if form == 1:
        return f"{name};TZID={draw(st.sampled_from(TZIDS))}:{_stamp(moment)}"
    if form == 2:
        return f"{name}:{_stamp(moment)}"
    if form == 3:
        return f"{name};VALUE=DATE:{moment:%Y%m%d}"
    if form == 4:
        return f"{name};VALUE=DATE-TIME:{moment:%Y%m%d}"  # a date that says it is a time
    if form == 8:
        return f"{name};TZID=Europe/London:{_stamp(moment)}"
    garbage = draw(
        st.sampled_from(
            [
                "notadate",
                "20261302T250000Z",
                "20260230",
                "",
                "20261202T080000Z,20261203T080000Z",
                "P1D",
                "20261202T0800",
            ]
        )
        | st.text(max_size=12)
    )
    return f"{name}:{garbage}"


DURATIONS = ("PT1H", "P1D", "PT0S", "-PT1H", "P2W", "P999999999D", "PT", "1H", "P1Y")
RRULES = (
    "FREQ=WEEKLY;COUNT=3",
    "FREQ=DAILY;UNTIL=20271231",
    "FREQ=DAILY;UNTIL=20271231T100000Z",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
    "FREQ=HOURLY",
    "FREQ=MINUTELY",
    "FREQ=SECONDLY",
    "FREQ=MINUTELY;INTERVAL=1",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=NOPE",
    "COUNT=3",
    "FREQ=DAILY;UNTIL=notadate",
    "FREQ=WEEKLY;COUNT=-1",
    "",
)
STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELLED", "confirmed", "BOGUS", "")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@st.composite
def vevent_lines(draw: st.DrawFn) -> list[str]:
    lines = ["BEGIN:VEVENT"]
    optional = {
        "UID": lambda: (
            "UID:"
            + draw(
                sometimes(
                    st.builds("evt-{}@example.org".format, st.integers(0, 99)),
                    st.sampled_from(["trello-1@oneteamgov.uk", "  ", ""]) | names(),
                )
            )
        ),
        "DTSTAMP": lambda: draw(ical_moments("DTSTAMP")),
        "DTSTART": lambda: draw(ical_moments("DTSTART")),
        "END": lambda: draw(
            st.one_of(
                ical_moments("DTEND"),
                st.sampled_from(DURATIONS).map(lambda d: f"DURATION:{d}"),
            )
        ),
        "SUMMARY": lambda: f"SUMMARY:{_escape(draw(texts()))}",
        "RAW": lambda: f"DESCRIPTION:{draw(texts())}",  # unescaped: may break the line
        "LOCATION": lambda: f"LOCATION:{_escape(draw(names()))}",
        "STATUS": lambda: f"STATUS:{draw(st.sampled_from(STATUSES))}",
        "SEQUENCE": lambda: f"SEQUENCE:{draw(st.sampled_from(['0', '3', '-1', 'x', '9' * 30]))}",
        "LAST-MODIFIED": lambda: draw(ical_moments("LAST-MODIFIED")),
        "RRULE": lambda: f"RRULE:{draw(st.sampled_from(RRULES))}",
        "EXDATE": lambda: draw(ical_moments("EXDATE")),
        "RECURRENCE-ID": lambda: draw(ical_moments("RECURRENCE-ID")),
        "GARBAGE": lambda: draw(
            st.sampled_from(["NOCOLON", ":", "X-EMPTY:", ";;;", "BEGIN:VALARM", "END:VTODO"])
            | st.text(max_size=20)
        ),
    }
    usual = ("UID", "DTSTAMP", "DTSTART", "END", "SUMMARY", "LOCATION", "STATUS", "SEQUENCE")
    chosen = {name for name in usual if draw(st.integers(0, 9)) != 9}  # usually there
    if draw(st.integers(0, 2)) == 2:  # and now and then the odd ones
        chosen |= draw(st.sets(st.sampled_from(sorted(set(optional) - set(usual))), max_size=3))
    for name in sorted(chosen):
        lines.append(optional[name]())
        if name in ("DTSTART", "END", "RRULE") and draw(st.integers(0, 9)) == 9:
            lines.append(optional[name]())  # the same property twice
    lines.append("END:VEVENT")
    return lines


@st.composite
def calendar_resources(draw: st.DrawFn) -> str:
    """The text of one calendar resource, as a calendar app or a broken tool wrote it."""
    if draw(st.integers(0, 19)) == 19:
        return draw(st.text() | st.sampled_from(["", "BEGIN:VCALENDAR", "END:VCALENDAR\r\n"]))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    if draw(st.booleans()):
        lines += [
            "BEGIN:VTIMEZONE",
            "TZID:Europe/London",
            "BEGIN:STANDARD",
            "DTSTART:19701025T020000",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0000",
            "END:STANDARD",
            "END:VTIMEZONE",
        ]
    for _ in range(draw(st.integers(1, 2)) if draw(st.integers(0, 19)) != 19 else 0):
        lines += draw(vevent_lines())
    if draw(st.integers(0, 9)) != 9:
        lines.append("END:VCALENDAR")
    text = draw(sometimes(st.just("\r\n"), st.sampled_from(["\n", "\r"]))).join(lines)
    if draw(st.integers(0, 19)) == 19:
        text = text[: draw(st.integers(0, len(text)))]
    return text

"""What the property tests (tests/reliability/test_properties_*.py) share: their hypothesis
settings, the fixed zone, clock and config they run with, and the checks of a one-line message, of
a readable board and of a feed.

Each property runs ``OTG_FUZZ_EXAMPLES`` examples (default 30); ``OTG_FUZZ_EXAMPLES=2000 pytest
tests/reliability/test_properties_*.py`` fuzzes for longer.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from icalendar import Calendar

from config.calendar import CalendarConfig
from config.medium import MediumConfig
from sync.dates import zone
from sync.model import Role

EXAMPLES = int(os.environ.get("OTG_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONDON = zone("Europe/London")
NOW = datetime(2026, 11, 21, 2, tzinfo=UTC)
CALENDAR = CalendarConfig(domain="oneteamgov.uk")
MEDIUM = MediumConfig(canonical_url="https://oneteamgov.uk/blog/{slug}")
ROLES = st.sampled_from(list(Role))
#: Characters a one-line message must not hold: they break lines, or a terminal.
BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def assert_one_line(text: str, limit: int | None = 600) -> None:
    assert text.strip(), "an empty message"
    assert not BREAKS.search(text), f"not one line: {text!r}"
    assert limit is None or len(text) <= limit, f"{len(text)} characters: {text[:200]!r}..."


def is_board(data: Any) -> bool:
    """A readable board: an object with a board id, a list of cards and a list of lists (maybe
    empty; but cards need lists to be in)."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("id"), str)
        and isinstance(data.get("cards"), list)
        and isinstance(data.get("lists"), list)
        and bool(data["lists"] or not data["cards"])
    )


VEVENT_PROPERTIES = {
    "UID",
    "DTSTAMP",
    "LAST-MODIFIED",
    "SEQUENCE",
    "STATUS",
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "TRANSP",
    "LOCATION",
    "GEO",
    "DESCRIPTION",
    "URL",
}


def check_feed(content: bytes) -> Calendar:
    """RFC 5545 as a calendar client needs it, checked by hand (the library's is weak)."""
    assert content.endswith(b"END:VCALENDAR\r\n")
    for line in content.split(b"\r\n"):
        assert len(line) <= 75, line
        assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", line), f"a control byte: {line!r}"
    text = content.decode("utf-8")  # valid UTF-8 throughout
    assert not re.search("[\x85\u2028\u2029]", text), "a Unicode line break in the feed"
    cal = Calendar.from_ical(content)
    assert not cal.errors and cal["VERSION"] == "2.0" and cal["PRODID"]
    assert [c.name for c in cal.subcomponents] == ["VEVENT"] * len(cal.subcomponents)
    for event in cal.walk("VEVENT"):
        assert not event.errors, event.errors
        assert set(event) <= VEVENT_PROPERTIES, set(event) - VEVENT_PROPERTIES
        for required in ("UID", "DTSTAMP", "DTSTART", "SEQUENCE", "STATUS"):
            assert required in event
        assert ("DTEND" in event) != ("DURATION" in event)
        assert event["STATUS"] in ("TENTATIVE", "CONFIRMED", "CANCELLED")
        assert event["DTSTAMP"].dt.tzinfo is not None
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert isinstance(start, datetime) == isinstance(end, datetime) and start < end
        if isinstance(start, datetime):
            assert start.tzinfo is not None
    return cal

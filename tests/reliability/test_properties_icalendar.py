"""Generated iCalendar, both ways: the feed of any events board (tests/strategies.py) parses
cleanly and no card text injects a property or an event; any calendar resource we read reads as an
event or as unreadable with a reason, never an exception.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from hypothesis import given, settings

from sync.calendar import ical
from sync.calendar.ical_read import CalendarEvent, Unreadable, read_event
from sync.calendar.plan import calendar_records, plan_events
from sync.model import Board, Role
from sync.trello.parse import parse_board
from tests.reliability.property_checks import (
    CALENDAR,
    FUZZ,
    LONDON,
    NOW,
    assert_one_line,
    check_feed,
    is_board,
)
from tests.strategies import board_exports, calendar_resources, names

# -- the feed ------------------------------------------------------------------------------------


@FUZZ
@given(export=board_exports(Role.EVENTS), name=names())
def test_the_feed_of_any_events_board_parses_cleanly(export, name):
    if not is_board(export):
        return
    board = parse_board(export, role=Role.EVENTS, source="events.json")
    stored = calendar_records({}, plan_events([board], {}, cfg=CALENDAR, tz=LONDON, now=NOW))
    # a day later every card is gone: each event is cancelled, and stays in the feed as such
    gone = Board(id=board.id, name=board.name, role=Role.EVENTS, source="events.json")
    later = plan_events([gone], stored, cfg=CALENDAR, tz=LONDON, now=NOW + timedelta(days=1))
    for records in (stored, calendar_records(stored, later)):
        content = ical.calendar(
            records.values(), name=name, refresh_minutes=60, timezone="Europe/London"
        )
        cal = check_feed(content)
        assert sorted(str(e["UID"]) for e in cal.walk("VEVENT")) == sorted(
            r.remote_id for r in records.values()
        )
        assert (
            ical.calendar(records.values(), name=name, refresh_minutes=60, timezone="Europe/London")
            == content
        )  # deterministic


# -- calendar resources --------------------------------------------------------------------------


@settings(FUZZ)
@given(text=calendar_resources())
def test_any_calendar_resource_reads_as_an_event_or_a_reason(text):
    found = read_event("/cal/event.ics", text, tz=LONDON, now=NOW)
    if isinstance(found, Unreadable):
        assert_one_line(found.reason)
        return
    assert isinstance(found, CalendarEvent)
    assert found.uid.strip() and found.summary.strip()
    assert isinstance(found.start, datetime) == isinstance(found.end, datetime)
    assert found.all_day == (not isinstance(found.start, datetime))
    assert found.start < found.end
    if isinstance(found.start, datetime):
        assert found.start.tzinfo is not None and found.end.tzinfo is not None
    assert found.status in ("CONFIRMED", "TENTATIVE", "CANCELLED")  # it may reach our feed
    json.dumps(found.fields())  # what the state store keeps

"""The card made for an event someone added on the calendar (``sync.calendar.event_cards``): its
description, the marker that carries the event's UID, its list and its dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from config.calendar import CalendarConfig
from sync.calendar.event_cards import (
    DESC_LIMIT,
    MARKER,
    card_description,
    list_for,
    list_named,
    marker_of,
    trello_dates,
)
from sync.calendar.ical_read import CalendarEvent, read_event
from sync.calendar.mapping import EventSpec, event_for
from sync.model import Board, Card, Role, TrelloList
from tests.calendar.inbound_values import CAL, EXAMPLES, LONDON, NOW
from tests.strategies import calendar_resources, names, texts


def event(**changes) -> CalendarEvent:
    base = CalendarEvent(
        uid="abc-123@their.app",
        summary="Unconference",
        start=datetime(2027, 1, 10, 9, tzinfo=UTC),
        end=datetime(2027, 1, 10, 17, tzinfo=UTC),
        all_day=False,
        description="Bring ideas.",
    )
    return replace(base, **changes)


def test_the_card_description_keeps_the_events_and_ends_with_the_marker() -> None:
    desc = card_description(event())
    assert desc.startswith("Bring ideas.\n\n---\nAdded on the events calendar")
    assert desc.endswith(f"\n{MARKER}abc-123@their.app")
    assert marker_of(desc) == "abc-123@their.app"
    assert marker_of(desc + "\n\nNotes the organisers added below.") == "abc-123@their.app"
    assert marker_of("A card of our own") == ""


def test_the_marker_is_the_whole_rest_of_its_line() -> None:
    spaced = "Bristol Unconference 2027 {abc}@their.app"
    desc = card_description(event(uid=spaced))
    assert desc.endswith(f"\n{MARKER}{spaced}")  # readable as it is
    assert marker_of(desc) == spaced
    assert marker_of(desc + "  \r\n\nNotes the organisers added below.") == spaced
    assert marker_of(f"See otg-uid: elsewhere\n{MARKER}{spaced}") == spaced
    for odd in (" leading", "trailing ", "two\nlines", '"quoted"', "tab\tinside", "\u2028"):
        desc = card_description(event(uid=odd))
        assert marker_of(desc) == odd, odd
        assert desc.rsplit("\n", 1)[1].startswith(MARKER)  # still one line, the last


@settings(max_examples=EXAMPLES, deadline=None)
@given(uid=st.one_of(names(), texts(), st.text(min_size=1)).filter(bool))
def test_every_uid_round_trips_through_the_marker(uid: str) -> None:
    desc = card_description(event(uid=uid, description="Notes.\notg-uid: not this one"))
    assert marker_of(desc) == uid
    assert marker_of(desc + "\n\nAdded by hand below the marker.") == uid


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(text=calendar_resources())
def test_every_uid_a_calendar_resource_holds_round_trips_through_the_marker(text: str) -> None:
    found = read_event(f"{CAL}x.ics", text, tz=LONDON, now=NOW, default_minutes=120)
    assume(isinstance(found, CalendarEvent))
    assert marker_of(card_description(replace(found, description=""))) == found.uid


def test_a_recurring_events_card_says_it_shows_the_next_occurrence() -> None:
    desc = card_description(event(rrule="FREQ=WEEKLY;BYDAY=TH"))
    assert "Repeats (FREQ=WEEKLY;BYDAY=TH): the card shows the next occurrence" in desc
    assert marker_of(desc) == "abc-123@their.app"


def test_an_enormous_description_is_cut_to_trellos_limit_keeping_the_marker() -> None:
    desc = card_description(event(description="word " * 10_000))
    assert len(desc) <= DESC_LIMIT
    assert len(desc) > DESC_LIMIT - 100  # cut, not dropped
    assert "… (cut to fit Trello" in desc
    assert marker_of(desc) == "abc-123@their.app"
    exactly = card_description(
        event(description="x" * (DESC_LIMIT - len(card_description(event(description="")))))
    )
    assert len(exactly) == DESC_LIMIT and "cut to fit" not in exactly


def test_a_timed_event_keeps_its_times_on_the_card() -> None:
    assert trello_dates(event(), SimpleNamespace(tz=LONDON)) == (
        "2027-01-10T09:00:00.000Z",
        "2027-01-10T17:00:00.000Z",
    )


@pytest.mark.parametrize(
    ("first", "end", "start_utc", "due_utc"),
    [
        (
            date(2027, 1, 10),
            date(2027, 1, 11),
            "2027-01-10T00:00:00.000Z",
            "2027-01-10T23:59:00.000Z",
        ),
        (
            date(2027, 7, 10),
            date(2027, 7, 13),
            "2027-07-09T23:00:00.000Z",
            "2027-07-12T22:59:00.000Z",
        ),
        (
            date(2027, 3, 27),
            date(2027, 3, 29),
            "2027-03-27T00:00:00.000Z",
            "2027-03-28T22:59:00.000Z",
        ),
    ],
    ids=["one-winter-day", "three-summer-days", "over-the-clock-change"],
)
def test_an_all_day_event_becomes_a_card_from_local_midnight_that_reads_back_all_day(
    first: date, end: date, start_utc: str, due_utc: str
) -> None:
    all_day = event(start=first, end=end, all_day=True)
    start, due = trello_dates(all_day, SimpleNamespace(tz=LONDON))
    assert (start, due) == (start_utc, due_utc)
    as_card = Card(
        "c1",
        "Camp",
        "b1",
        "l1",
        "Confirmed",
        "confirmed",
        start=datetime.fromisoformat(start.replace("Z", "+00:00")),
        due=datetime.fromisoformat(due.replace("Z", "+00:00")),
    )
    spec = event_for(as_card, CalendarConfig(), LONDON)
    assert isinstance(spec, EventSpec)
    assert (spec.start, spec.end, spec.all_day) == (first, end, True)


def test_lists_are_found_by_name_or_state_never_archived() -> None:
    board = Board(
        "b1",
        "Events",
        Role.EVENTS,
        "trello:b1",
        lists=(
            TrelloList("l0", "Inbox", closed=True, state="proposed"),
            TrelloList("l1", "📥 inbox", state="proposed"),
            TrelloList("l2", "Called off", state="cancelled"),
        ),
    )
    assert list_named(board, "Inbox") == "l1"
    assert list_named(board, "Cancelled") is None
    assert list_for(board, "cancelled") == "l2"
    assert list_for(board, "done") is None

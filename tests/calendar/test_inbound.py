"""What the calendar's news means (``sync.calendar.inbound``) and the cards made of it
(``sync.calendar.event_cards``). Pure: no server, no Trello.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from config.calendar import CalendarConfig
from sync.calendar.caldav import Resource
from sync.calendar.caldav_target import seen_fields
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
from sync.calendar.inbound import (
    Edit,
    NewEvent,
    calendar_wins,
    card_changed,
    classify,
    to_fetch,
)
from sync.calendar.mapping import EventSpec, event_for
from sync.model import Board, Card, Role, TrelloList
from sync.state.records import SyncedItem
from tests.strategies import calendar_resources, names, texts

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
CAL = "/organiser/events/"
OURS_UID = "trello-6b0000000000000000000001@test.oneteamgov.uk"
# the style of tests/reliability/test_properties.py
EXAMPLES = int(os.environ.get("OTG_FUZZ_EXAMPLES", "30"))


def vcal(uid: str, *lines: str, summary: str = "Breakfast") -> str:
    body = "".join(line + "\r\n" for line in lines)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//Their app//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T100000Z\r\nSUMMARY:{summary}\r\n"
        f"{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def seen(summary: str = "Breakfast", start: str = "2027-01-10T09:00:00+00:00") -> dict:
    """What we last wrote of the shared fields (as ``seen_fields`` records it)."""
    end = (datetime.fromisoformat(start) + timedelta(hours=2)).isoformat()
    return {
        "summary": summary,
        "start": start,
        "end": end,
        "all_day": False,
        "location": "",
        "status": "CONFIRMED",
    }


def ours(card_id: str, href: str, etag: str | None, data: dict | None = None) -> SyncedItem:
    data = {"seen": seen()} if data is None else data
    return SyncedItem("caldav", card_id, href, "hash", 0, etag, "live", data)


def resources(*items: tuple[str, str | None, str | None]) -> dict[str, Resource]:
    return {href: Resource(href, etag, data) for href, etag, data in items}


def run_classify(server, our_items, bodies, imported=()) -> object:
    return classify(
        server,
        our_items,
        bodies,
        imported_uids=imported,
        tz=LONDON,
        now=NOW,
        default_minutes=120,
    )


# -- which events need fetching ------------------------------------------------------------


def test_only_changed_or_unknown_events_are_fetched() -> None:
    server = resources(
        (CAL + "ours-same.ics", '"1"', None),
        (CAL + "ours-edited.ics", '"2b"', None),
        (CAL + "ours-no-etag.ics", '"3"', None),
        (CAL + "new.ics", '"4"', None),
        (CAL + "foreign-same.ics", '"5"', None),
        (CAL + "foreign-edited.ics", '"6b"', None),
    )
    our_items = {
        "c1": ours("c1", CAL + "ours-same.ics", '"1"'),
        "c2": ours("c2", CAL + "ours-edited.ics", '"2a"'),
        "c3": ours("c3", CAL + "ours-no-etag.ics", None),  # an old server sent none: no basis
        "c4": ours("c4", CAL + "ours-deleted.ics", '"7"'),  # gone: nothing to fetch
    }
    foreign = {
        CAL + "foreign-same.ics": SyncedItem(
            "calendar-foreign", CAL + "foreign-same.ics", etag='"5"'
        ),
        CAL + "foreign-edited.ics": SyncedItem(
            "calendar-foreign", CAL + "foreign-edited.ics", etag='"6a"'
        ),
    }
    assert to_fetch(server, our_items, foreign) == [
        CAL + "foreign-edited.ics",
        CAL + "new.ics",
        CAL + "ours-edited.ics",
    ]


def test_a_calendar_with_nothing_new_fetches_nothing() -> None:
    server = resources((CAL + "a.ics", '"1"', None))
    assert to_fetch(server, {"c1": ours("c1", CAL + "a.ics", '"1"')}, {}) == []
    assert to_fetch({}, {}, {}) == []


# -- our events: edits, other changes, deletions -------------------------------------------


def test_an_edit_to_a_shared_field_of_ours_is_an_edit_naming_the_fields() -> None:
    href = CAL + "ours.ics"
    text = vcal(OURS_UID, "DTSTART:20270110T100000Z", "DURATION:PT2H", summary="Brunch")
    found = run_classify(
        resources((href, '"2"', None)),
        {"c1": ours("c1", href, '"1"')},
        resources((href, '"2"', text)),
    )
    [edit] = found.edits
    assert (edit.card_id, edit.href, edit.etag) == ("c1", href, '"2"')
    assert edit.fields == ("summary", "start", "end")
    assert edit.event.summary == "Brunch"
    assert (found.new, found.deleted, found.etags, found.ignored) == ([], [], {}, {})


def test_a_change_to_anything_else_only_teaches_the_new_etag() -> None:
    href = CAL + "ours.ics"
    text = vcal(
        OURS_UID,
        "DTSTART:20270110T090000Z",
        "DTEND:20270110T110000Z",
        "DESCRIPTION:An alarm and a new description",
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM",
    )
    found = run_classify(
        resources((href, '"2"', None)),
        {"c1": ours("c1", href, '"1"')},
        resources((href, '"2"', text)),
    )
    assert found.edits == []
    assert found.etags == {"c1": '"2"'}


@pytest.mark.parametrize(
    "item_data", [{}, {"seen": {}}], ids=["written-before-two-way", "empty-seen"]
)
def test_an_event_of_ours_with_nothing_to_compare_with_is_left_to_the_board(item_data) -> None:
    href = CAL + "ours.ics"
    text = vcal(OURS_UID, "DTSTART:20270110T100000Z", summary="Brunch")
    item = ours("c1", href, '"1"', item_data)
    found = run_classify(
        resources((href, '"2"', None)), {"c1": item}, resources((href, '"2"', text))
    )
    assert (found.edits, found.etags, found.new, found.unreadable) == ([], {}, [], [])


def test_an_event_of_ours_made_unreadable_is_left_to_the_board() -> None:
    href = CAL + "ours.ics"
    found = run_classify(
        resources((href, '"2"', None)),
        {"c1": ours("c1", href, '"1"')},
        resources((href, '"2"', "garbage")),
    )
    assert (found.edits, found.etags, found.unreadable, found.ignored) == ([], {}, [], {})


def test_an_event_of_ours_gone_from_the_server_is_deleted() -> None:
    found = run_classify(
        {}, {"c2": ours("c2", CAL + "b.ics", '"1"'), "c1": ours("c1", CAL + "a.ics", '"1"')}, {}
    )
    assert found.deleted == ["c1", "c2"]


# -- events we did not create ----------------------------------------------------------------


def test_an_event_someone_added_is_new() -> None:
    href = CAL + "theirs.ics"
    text = vcal("abc-123@their.app", "DTSTART:20270110T090000Z", "LOCATION:Leeds")
    found = run_classify(resources((href, '"1"', None)), {}, resources((href, '"1"', text)))
    [new] = found.new
    assert isinstance(new, NewEvent)
    assert (new.href, new.etag, new.event.uid, new.event.location) == (
        href,
        '"1"',
        "abc-123@their.app",
        "Leeds",
    )
    assert found.ignored == {}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (vcal(OURS_UID, "DTSTART:20270110T090000Z"), "an event of ours"),
        (vcal("imported@their.app", "DTSTART:20270110T090000Z"), "an event of ours"),
        (vcal("past@their.app", "DTSTART:20261120T080000Z", "DURATION:PT3H"), "already over"),
        (vcal("past@their.app", "DTSTART;VALUE=DATE:20261119"), "already over"),
        (vcal("called-off@their.app", "DTSTART:20270110T090000Z", "STATUS:CANCELLED"), "cancelled"),
    ],
    ids=["our-uid", "imported-before", "timed-over", "all-day-over", "cancelled"],
)
def test_events_not_to_import_are_remembered_with_the_reason(text: str, why: str) -> None:
    href = CAL + "x.ics"
    found = run_classify(
        resources((href, '"9"', None)), {}, resources((href, '"9"', text)), ["imported@their.app"]
    )
    assert found.new == []
    assert found.ignored == {href: ('"9"', why)}


def test_an_event_that_ended_less_than_a_day_ago_is_still_imported() -> None:
    href = CAL + "x.ics"
    text = vcal("late@their.app", "DTSTART:20261120T140000Z", "DURATION:PT1H")  # ended 21 h ago
    found = run_classify(resources((href, '"1"', None)), {}, resources((href, '"1"', text)))
    assert [n.event.uid for n in found.new] == ["late@their.app"]


def test_an_unreadable_event_is_reported_and_remembered() -> None:
    href = CAL + "broken.ics"
    found = run_classify(
        resources((href, '"1"', None)), {}, resources((href, '"1"', vcal("b@x", "SUMMARY:x")))
    )
    [problem] = found.unreadable
    assert (problem.href, problem.reason) == (href, "has no readable start (DTSTART)")
    assert found.ignored == {href: ('"1"', "has no readable start (DTSTART)")}
    assert found.new == []


def test_one_bad_event_does_not_stop_the_others() -> None:
    good, bad = CAL + "good.ics", CAL + "bad.ics"
    bodies = resources(
        (bad, '"1"', "BEGIN:VCALENDAR\r\nnot really"),
        (good, '"2"', vcal("good@their.app", "DTSTART:20270110T090000Z")),
    )
    found = run_classify(bodies, {}, bodies)
    assert [n.event.uid for n in found.new] == ["good@their.app"]
    assert [p.href for p in found.unreadable] == [bad]


# -- the conflict rule -----------------------------------------------------------------------


def calendar_edit(modified: datetime | None) -> Edit:
    event = CalendarEvent(
        uid="u",
        summary="Brunch",
        start=datetime(2027, 1, 10, 9, tzinfo=UTC),
        end=datetime(2027, 1, 10, 11, tzinfo=UTC),
        all_day=False,
        modified=modified,
    )
    return Edit("c1", CAL + "a.ics", '"2"', event, ("summary",))


def card(last_activity: datetime | None) -> Card:
    return Card(
        "c1", "Breakfast", "b1", "l1", "Confirmed", "confirmed", last_activity=last_activity
    )


@pytest.mark.parametrize("rule", ["trello", "calendar", "newest"])
def test_when_only_the_calendar_changed_it_wins_under_every_rule(rule: str) -> None:
    assert calendar_wins(calendar_edit(None), False, card(None), rule)


@pytest.mark.parametrize(
    ("rule", "wins"), [("trello", False), ("calendar", True)], ids=["trello", "calendar"]
)
def test_when_both_changed_the_rule_decides(rule: str, wins: bool) -> None:
    assert calendar_wins(calendar_edit(NOW), True, card(NOW - timedelta(hours=1)), rule) is wins


def event_record(**fields: object) -> SyncedItem:
    """The card's event record (what the planner made of the card), shared fields as ``seen``."""
    spec = EventSpec(
        card_id="c1",
        board_id="b1",
        summary="Breakfast",
        start=datetime(2027, 1, 10, 9, tzinfo=UTC),
        end=datetime(2027, 1, 10, 11, tzinfo=UTC),
        all_day=False,
        status="CONFIRMED",
    )
    assert seen_fields(SyncedItem("events", "c1", "u", data={"event": spec.fields()})) == seen()
    data = {"event": {**spec.fields(), **fields}, "dtstamp": NOW.isoformat()}
    return SyncedItem("events", "c1", "u", data=data)


def agreed_item(event: dict, seen_there: dict | None = None) -> SyncedItem:
    """The calendar's copy as last synced: the board's fields it agreed with (``event``) and what
    it said of the shared ones (``seen``)."""
    data = {"seen": seen_there or event, "event": event}
    return SyncedItem("caldav", "c1", CAL + "a.ics", "hash", 0, '"1"', "live", data)


def test_a_card_with_no_change_since_the_last_agreement_or_no_event_yet_is_no_conflict() -> None:
    edit = replace(calendar_edit(NOW), seen=seen())
    assert not card_changed(edit, event_record(), agreed_item(seen()))
    assert not card_changed(edit, None, agreed_item(seen()))  # an imported card not taken over


def test_a_card_change_not_yet_written_to_the_calendar_is_a_change() -> None:
    # an earlier run recorded the card's new title, and could not write the calendar
    edit = replace(calendar_edit(NOW), seen=seen())
    renamed = event_record(summary="Breakfast on the board")
    assert card_changed(edit, renamed, agreed_item(seen()))
    assert card_changed(edit, event_record(status="CANCELLED"), agreed_item(seen()))


def test_a_card_that_only_caught_up_with_the_calendar_is_no_conflict() -> None:
    # the last sync copied "Elevenses" from the calendar to the card; now it says "Brunch"
    edit = replace(calendar_edit(NOW), seen=seen("Elevenses"))
    caught_up = agreed_item(seen("Elevenses"))
    assert not card_changed(edit, event_record(summary="Elevenses"), caught_up)
    assert card_changed(edit, event_record(summary="Breakfast on the board"), caught_up)
    cancelled = event_record(summary="Elevenses", status="CANCELLED")
    assert card_changed(edit, cancelled, caught_up)


def test_how_card_and_calendar_each_write_a_value_is_no_change() -> None:
    # the calendar says " Elevenses" where the card's reading of the same edit is "Elevenses"
    edit = replace(calendar_edit(NOW), seen={**seen(), "summary": " Elevenses"})
    item = agreed_item(seen("Elevenses"), {**seen(), "summary": " Elevenses"})
    assert not card_changed(edit, event_record(summary="Elevenses"), item)


def test_an_imported_or_older_calendar_copy_is_compared_with_what_the_calendar_said() -> None:
    edit = replace(calendar_edit(NOW), seen=seen())
    imported = SyncedItem(
        "caldav", "c1", CAL + "a.ics", None, 0, '"1"', "live", {"seen": seen(), "imported": True}
    )
    assert not card_changed(edit, event_record(), imported)
    assert card_changed(edit, event_record(location="Leeds"), imported)
    older = SyncedItem("caldav", "c1", CAL + "a.ics", "a digest", 0, '"1"', "live", {})
    assert not card_changed(edit, event_record(), older)
    assert card_changed(edit, event_record(location="Leeds"), older)


def test_a_card_that_already_has_part_of_the_calendars_edit_is_no_conflict() -> None:
    # a write of the edit that stopped halfway: the card took the new start, not yet the rest
    moved = "2027-01-10T10:00:00+00:00"
    event = replace(
        calendar_edit(NOW).event,
        start=datetime(2027, 1, 10, 10, tzinfo=UTC),
        end=datetime(2027, 1, 10, 13, tzinfo=UTC),
    )
    edit = Edit("c1", CAL + "a.ics", '"2"', event, ("summary", "start", "end"), seen())
    halfway = event_record(start=moved)
    assert not card_changed(edit, halfway, agreed_item(seen()))
    # a change of its own beside it is still one
    assert card_changed(edit, event_record(start=moved, location="Leeds"), agreed_item(seen()))


def test_under_newest_the_later_change_wins_and_a_tie_or_an_unknown_time_keeps_the_card() -> None:
    later, earlier = NOW, NOW - timedelta(minutes=5)
    assert calendar_wins(calendar_edit(later), True, card(earlier), "newest")
    assert not calendar_wins(calendar_edit(earlier), True, card(later), "newest")
    assert not calendar_wins(calendar_edit(later), True, card(later), "newest")
    assert not calendar_wins(calendar_edit(None), True, card(earlier), "newest")
    assert not calendar_wins(calendar_edit(later), True, card(None), "newest")


# -- the card made for an event ----------------------------------------------------------------


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

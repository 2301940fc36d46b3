"""What the calendar's news means (``sync.calendar.inbound``): which events to fetch, edits of ours,
events someone added, the conflict rule. Pure: no server, no Trello. The cards made of new events
are in ``test_event_cards.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sync.calendar.caldav import Resource
from sync.calendar.caldav_target import seen_fields
from sync.calendar.ical_read import CalendarEvent
from sync.calendar.inbound import (
    Edit,
    NewEvent,
    calendar_wins,
    card_changed,
    classify,
    to_fetch,
)
from sync.calendar.mapping import EventSpec
from sync.model import Card
from sync.state.records import SyncedItem
from tests.calendar.inbound_values import CAL, LONDON, NOW, OURS_UID


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

"""Two-way events: edits flow both ways, and a conflict is decided by the rule and reported."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from sync import stopping
from sync.calendar.caldav_target import CalDavTarget
from sync.state.store import State
from tests.calendar.two_way_harness import (
    DOMAIN,
    LIST_IDS,
    THEIRS,
    TwoWay,
    card_id,
    conflicts,
    edit_on_calendar,
    ical,
    import_and_take_over,
    outcomes,
    rename_card,
)

# -- edits on each side ------------------------------------------------------------------------


def test_an_edit_on_the_calendar_updates_the_card(two_way: TwoWay) -> None:
    card = import_and_take_over(two_way)
    edit_on_calendar(
        two_way,
        "DTSTART:20270121T090000Z",
        "DTEND:20270121T170000Z",
        "LOCATION:M Shed\\, Bristol",
        summary="Unconference in Bristol (moved)",
    )
    edited = two_way.calendar()[THEIRS]

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    after = two_way.fake.card(card)
    assert after["name"] == "Unconference in Bristol (moved)"
    assert (after["start"], after["due"]) == (
        "2027-01-21T09:00:00.000Z",
        "2027-01-21T17:00:00.000Z",
    )
    assert after["locationName"] == "M Shed, Bristol"
    assert after["idList"] == LIST_IDS["Inbox"]
    assert two_way.trello_writes == [("PUT", f"/1/cards/{card}")]
    [update] = [o for o in report.outcomes if o.target == "trello"]
    assert (update.kind, update.status) == ("update", "done")
    assert update.fields == ["summary", "start", "end", "location"]
    assert conflicts(report) == []
    assert two_way.calendar()[THEIRS] == edited  # the calendar's edit is not put back
    # the calendar's version changed: it is listed whole (after the small version PROPFIND)
    assert two_way.caldav_sent == {"PROPFIND": 2, "REPORT": 1}

    # card and calendar agree now: no echo of the edit is written back, the feed has it already
    feed = (two_way.tmp / "out" / "events.ics").read_bytes()
    assert b"Unconference in Bristol (moved)" in feed
    for _ in range(2):
        two_way.later(hours=1)
        two_way.assert_nothing_written(two_way.sync())
        assert two_way.calendar()[THEIRS] == edited
        assert (two_way.tmp / "out" / "events.ics").read_bytes() == feed


def test_an_event_cancelled_or_made_tentative_on_the_calendar_moves_its_card(
    two_way: TwoWay,
) -> None:
    card = import_and_take_over(two_way)
    lines = (
        "DTSTART:20270120T093000Z",
        "DTEND:20270120T163000Z",
        "LOCATION:The Watershed\\, Bristol",
    )
    edit_on_calendar(two_way, *lines, "STATUS:TENTATIVE", summary="Unconference in Bristol")

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.fake.card(card)["idList"] == LIST_IDS["Planning"]
    [update] = [o for o in report.outcomes if o.target == "trello"]
    assert update.fields == ["status"]

    # edited again before the card's move reached the event: the move is no change of the board's
    two_way.later(hours=1)
    edit_on_calendar(two_way, *lines, "STATUS:CANCELLED", summary="Unconference in Bristol")
    again = two_way.sync()
    assert conflicts(again) == []
    assert two_way.fake.card(card)["idList"] == LIST_IDS["Cancelled"]
    two_way.later(hours=1)
    two_way.sync()
    assert two_way.calendar()[THEIRS].status == "CANCELLED"
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


def test_a_new_description_on_the_calendar_is_neither_copied_nor_put_back(two_way: TwoWay) -> None:
    card = import_and_take_over(two_way)
    taken_over = two_way.calendar()[THEIRS].event.to_ical().decode()
    with_notes = taken_over.replace("DESCRIPTION:", "DESCRIPTION:Notes from the organiser. ", 1)
    two_way.put(
        "bristol.ics",
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{with_notes}"
        "END:VCALENDAR\r\n",
    )
    edited = two_way.calendar()[THEIRS]
    desc = two_way.fake.card(card)["desc"]

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.trello_writes == []
    assert two_way.fake.card(card)["desc"] == desc
    # its version, then the listing (it changed); the event read once, its ETag learnt
    assert two_way.caldav_sent == {"PROPFIND": 2, "REPORT": 1}
    assert two_way.calendar()[THEIRS] == edited
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


def test_an_all_day_event_round_trips_through_its_card_in_summer_time(two_way: TwoWay) -> None:
    two_way.put(
        "camp.ics",
        ical(
            "camp@their.app",
            "DTSTART;VALUE=DATE:20270710",
            "DTEND;VALUE=DATE:20270712",
            summary="Summer camp",
        ),
    )

    two_way.sync()

    [card] = two_way.cards("Inbox")
    # Trello has no all-day dates: from local (BST) midnight to 23:59 on the last day
    assert (card["start"], card["due"]) == ("2027-07-09T23:00:00.000Z", "2027-07-11T22:59:00.000Z")
    before = two_way.calendar()["camp@their.app"]
    two_way.later(hours=1)
    two_way.sync()  # the card reads back as the same all-day event: nothing to write
    assert two_way.calendar()["camp@their.app"] == before
    two_way.trello("PUT", f"/cards/{card['id']}", name="Summer camp (two nights)")
    two_way.later(hours=1)
    two_way.sync()
    event = two_way.calendar()["camp@their.app"]
    assert str(event.event["SUMMARY"]) == "Summer camp (two nights)"
    assert (event.event.start, event.event.end) == (date(2027, 7, 10), date(2027, 7, 12))
    assert event.event["DTSTART"].params.get("VALUE") == "DATE"
    assert event.sequence == 1
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


@pytest.mark.parametrize("change", ["edited", "deleted"])
def test_a_dry_run_of_calendar_news_writes_nothing_anywhere(two_way: TwoWay, change: str) -> None:
    card = import_and_take_over(two_way)
    if change == "edited":
        edit_on_calendar(two_way, "DTSTART:20270120T093000Z", summary="Renamed in the app")
        planned = ("update", "trello", "planned")
    else:
        two_way.delete(two_way.calendar()[THEIRS].href)
        planned = ("cancel", "trello", "planned")
    before = (two_way.calendar(), two_way.fake.card(card), two_way.items("caldav"))

    result = two_way.cli("--dry-run", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert planned in [(o["kind"], o["target"], o["status"]) for o in data["outcomes"]]
    assert two_way.trello_writes == []
    assert two_way.clients[-1].session.writes == 0
    assert (two_way.calendar(), two_way.fake.card(card), two_way.items("caldav")) == before
    assert two_way.comments(card) == []


def test_an_edit_on_the_card_updates_the_imported_event(two_way: TwoWay) -> None:
    card = import_and_take_over(two_way)
    two_way.trello(
        "PUT",
        f"/cards/{card}",
        name="Bristol unconference",
        start="2027-01-27T09:30:00.000Z",
        due="2027-01-27T16:30:00.000Z",
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    event = two_way.calendar()[THEIRS]  # the same event: their UID, their href
    assert str(event.event["SUMMARY"]) == "Bristol unconference"
    assert event.event.start == datetime(2027, 1, 27, 9, 30, tzinfo=UTC)
    assert event.sequence == 1
    assert str(event.event["DESCRIPTION"]) == "A day of sessions.\nBring ideas."  # theirs, kept
    assert two_way.caldav_sent == {"PROPFIND": 1, "REPORT": 1, "PUT": 1}
    assert two_way.trello_writes == []
    assert outcomes(report, "caldav") == [("update", "caldav", "done")]
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


def test_an_edit_on_the_calendar_to_an_event_made_from_a_card_updates_the_card(
    two_way: TwoWay,
) -> None:
    two_way.sync()
    ours = two_way.calendar()[f"trello-{card_id(1)}@{DOMAIN}"]
    text = ours.event.to_ical().decode().replace("Breakfast in Leeds", "Breakfast in Leeds (full)")
    two_way.put(
        ours.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )
    two_way.later(hours=1)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.fake.card(card_id(1))["name"] == "Breakfast in Leeds (full)"
    assert two_way.trello_writes == [("PUT", f"/1/cards/{card_id(1)}")]
    assert two_way.cards("Inbox") == []  # ours, not someone else's: nothing imported


# -- both sides changed: the rule decides, and the conflict is reported -------------------------


@pytest.mark.parametrize(
    ("rule", "calendar_minutes", "winner"),
    [
        ("trello", 10, "board"),
        ("calendar", -10, "calendar"),
        ("newest", 10, "calendar"),
        ("newest", -10, "board"),
    ],
    ids=["trello-wins", "calendar-wins", "newest-calendar-later", "newest-card-later"],
)
def test_a_conflict_is_decided_by_the_rule_and_reported(
    two_way: TwoWay, rule: str, calendar_minutes: int, winner: str
) -> None:
    two_way.conflict = rule
    card = import_and_take_over(two_way)
    rename_card(two_way, card, "Bristol unconference (board)")
    edited_at = two_way.now + timedelta(minutes=calendar_minutes)
    edit_on_calendar(
        two_way,
        "DTSTART:20270120T093000Z",
        "DTEND:20270120T163000Z",
        "LOCATION:The Watershed\\, Bristol",
        f"LAST-MODIFIED:{edited_at:%Y%m%dT%H%M%SZ}",
        summary="Bristol unconference (calendar)",
    )
    two_way.later(minutes=20)
    preview = two_way.sync(dry_run=True)  # says what would be decided, as planned, not done
    assert [(o.kind, o.status) for o in preview.outcomes if o.kind == "conflict"] == [
        ("conflict", "planned")
    ]

    result = two_way.cli()

    assert result.exit_code == 0, result.output
    expected = f"Bristol unconference ({winner})"
    the_rule = "the calendar wins" if winner == "calendar" else "the board wins"
    line = (
        "conflict         calendar     Bristol unconference (calendar) — changed on both sides "
        f"(summary on the calendar); {the_rule} (calendar.conflict = {rule})"
    )
    assert line in result.output.splitlines()
    assert "1 conflict" in result.output.splitlines()[-1]
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert state.runs()[0].summary["counts"]["conflict"] == 1  # and in the run history
    assert two_way.fake.card(card)["name"] == expected
    if winner == "board":
        assert two_way.trello_writes == []
        assert str(two_way.calendar()[THEIRS].event["SUMMARY"]) == expected  # put back at once
    else:
        assert two_way.trello_writes == [("PUT", f"/1/cards/{card}")]
        assert str(two_way.calendar()[THEIRS].event["SUMMARY"]) == expected  # left as edited

    two_way.later(hours=1)
    two_way.sync()
    two_way.later(hours=1)
    settled = two_way.sync()
    two_way.assert_nothing_written(settled)
    assert two_way.fake.card(card)["name"] == expected
    assert str(two_way.calendar()[THEIRS].event["SUMMARY"]) == expected


def edit_summary_on_calendar(two_way: TwoWay, uid: str, summary: str) -> None:
    """Someone retitles an event in their calendar app, keeping everything else of it."""
    there = two_way.calendar()[uid]
    text = there.event.to_ical().decode()
    text = re.sub(r"SUMMARY:[^\r\n]*", f"SUMMARY:{summary}", text, count=1)
    two_way.put(
        there.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )


@pytest.mark.parametrize(
    ("which", "rule", "winner", "cut_off"),
    [
        ("made-from-a-card", "trello", "board", "server down"),
        ("imported", "trello", "board", "server down"),
        ("made-from-a-card", "calendar", "calendar", "server down"),
        ("imported", "trello", "board", "stop"),
    ],
)
def test_a_card_change_not_yet_written_to_the_calendar_still_conflicts_with_a_calendar_edit(
    two_way: TwoWay, which: str, rule: str, winner: str, cut_off: str, monkeypatch: Any
) -> None:
    # the card is renamed; the sync that records it cannot write the calendar, and meanwhile
    # the event is retitled there: both sides changed since they last agreed
    two_way.conflict = rule
    if which == "imported":
        card, uid = import_and_take_over(two_way), THEIRS
    else:
        two_way.sync()
        card, uid = card_id(1), f"trello-{card_id(1)}@{DOMAIN}"
        two_way.later(hours=1)
    rename_card(two_way, card, "Renamed (board)")
    two_way.down = cut_off == "server down"
    with monkeypatch.context() as patch:
        if cut_off == "stop":  # SIGTERM once the card's event is recorded, before the calendar
            real = CalDavTarget.sync

            def stopped(self: CalDavTarget, *args: Any, **kwargs: Any) -> Any:
                stopping.request_stop()
                return real(self, *args, **kwargs)

            patch.setattr(CalDavTarget, "sync", stopped)
        try:
            cut = two_way.sync()
        finally:
            stopping.reset()
    assert cut.exit_code == 1 and any("CalDAV" in f for f in cut.failures), cut.failures
    assert two_way.fake.card(card)["name"] == "Renamed (board)"
    two_way.down = False
    edit_summary_on_calendar(two_way, uid, "Renamed (calendar)")
    two_way.later(hours=1)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    the_rule = "the calendar wins" if winner == "calendar" else "the board wins"
    assert conflicts(report) == [
        f"changed on both sides (summary on the calendar); {the_rule} (calendar.conflict = {rule})"
    ]
    expected = f"Renamed ({winner})"
    assert two_way.fake.card(card)["name"] == expected
    assert str(two_way.calendar()[uid].event["SUMMARY"]) == expected
    two_way.later(hours=1)
    two_way.sync()
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())
    assert two_way.fake.card(card)["name"] == expected
    assert str(two_way.calendar()[uid].event["SUMMARY"]) == expected


@pytest.mark.parametrize("rule", ["calendar", "newest"])
def test_a_card_renamed_while_its_event_moved_converges_in_one_run(
    two_way: TwoWay, rule: str
) -> None:
    two_way.conflict = rule
    card = import_and_take_over(two_way)
    rename_card(two_way, card, "Bristol unconference (renamed on the card)")
    two_way.later(minutes=5)  # the calendar's edit is the newer
    edit_on_calendar(
        two_way,
        "DTSTART:20270121T093000Z",  # moved a day later on the calendar
        "DTEND:20270121T163000Z",
        "LOCATION:The Watershed\\, Bristol",
        "DESCRIPTION:A day of sessions.\\nBring ideas.",
        "LAST-MODIFIED:20261201T100000Z",
        summary="Unconference in Bristol",
    )
    two_way.later(minutes=5)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    after = two_way.fake.card(card)
    assert (after["start"], after["due"]) == (
        "2027-01-21T09:30:00.000Z",
        "2027-01-21T16:30:00.000Z",
    )
    event = two_way.calendar()[THEIRS].event
    assert str(event["SUMMARY"]) == "Bristol unconference (renamed on the card)"  # this run
    assert event.start == datetime(2027, 1, 21, 9, 30, tzinfo=UTC)  # the calendar's move kept
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())  # nothing was left for a later night

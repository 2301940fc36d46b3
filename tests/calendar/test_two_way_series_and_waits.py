"""Two-way events: repeating series, boards that cannot be read or written, bad events."""

from __future__ import annotations

from tests.calendar.two_way_harness import (
    BOARD_ID,
    CARD_POSTS,
    DOMAIN,
    LIST_IDS,
    THEIRS,
    THEIRS_EVENT,
    TwoWay,
    card_id,
    edit_on_calendar,
    ical,
    import_and_take_over,
    rename_card,
)

# -- recurring events ---------------------------------------------------------------------------

WEEKLY = "weekly-coffee@their.app"
WEEKLY_EVENT = ical(
    WEEKLY,
    "DTSTART;TZID=Europe/London:20260903T083000",  # Thursdays, begun in summer time (BST)
    "DTEND;TZID=Europe/London:20260903T093000",
    "RRULE:FREQ=WEEKLY;BYDAY=TH",
    "EXDATE;TZID=Europe/London:20261126T083000",  # no coffee on 26 November
    summary="Weekly OneTeamGov coffee",
)


def test_a_recurring_event_is_one_card_at_its_next_occurrence_and_stays_the_calendars(
    two_way: TwoWay,
) -> None:
    two_way.put("weekly.ics", WEEKLY_EVENT)
    series = two_way.calendar()[WEEKLY]

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    [card] = two_way.cards("Inbox")
    assert card["name"] == "Weekly OneTeamGov coffee"
    # 08:30 London time on Thursday 3 December (26 November is excluded): GMT, so 08:30Z
    assert (card["start"], card["due"]) == ("2026-12-03T08:30:00.000Z", "2026-12-03T09:30:00.000Z")
    assert "Repeats (FREQ=WEEKLY;BYDAY=TH): the card shows the next occurrence" in card["desc"]
    assert card["desc"].endswith(f"otg-uid: {WEEKLY}")

    two_way.later(hours=1)
    rename_card(two_way, card["id"], "Weekly coffee (card renamed)")
    for _ in range(2):
        two_way.later(hours=1)
        rerun = two_way.sync()
        assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
        assert two_way.fake.count("POST", CARD_POSTS) == 0
        assert two_way.clients[-1].session.writes == 0
    assert two_way.calendar()[WEEKLY] == series  # the series is never rewritten by otg-sync
    assert len(two_way.cards("Inbox")) == 1

    two_way.later(days=8)  # 3 December is over; the card keeps it until the series changes
    two_way.assert_nothing_written(two_way.sync())
    assert two_way.fake.card(card["id"])["start"] == "2026-12-03T08:30:00.000Z"

    two_way.trello("DELETE", f"/cards/{card['id']}")  # a series is the calendar's to cancel
    two_way.later(hours=1)
    deleted = two_way.sync()
    assert deleted.exit_code == 0, (deleted.failures, deleted.outcomes)
    assert two_way.clients[-1].session.writes == 0
    assert two_way.calendar()[WEEKLY] == series
    assert two_way.cards("Inbox") == []  # and it is not imported again


def test_the_card_of_a_series_follows_an_edit_of_the_series(two_way: TwoWay) -> None:
    two_way.put("weekly.ics", WEEKLY_EVENT)
    two_way.sync()
    card = two_way.imported()["id"]
    two_way.put(
        "weekly.ics", WEEKLY_EVENT.replace("T083000", "T090000").replace("T093000", "T100000")
    )
    two_way.later(hours=1)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    after = two_way.fake.card(card)
    assert (after["start"], after["due"]) == (
        "2026-12-03T09:00:00.000Z",
        "2026-12-03T10:00:00.000Z",
    )
    assert two_way.clients[-1].session.writes == 0
    assert "T090000" in two_way.calendar()[WEEKLY].event.to_ical().decode()


# -- boards that cannot be written ---------------------------------------------------------------


def test_an_export_file_board_says_clearly_that_import_is_not_possible(two_way: TwoWay) -> None:
    two_way.source = "events.json"
    two_way.put("bristol.ics", THEIRS_EVENT)
    before = two_way.calendar()[THEIRS]

    result = two_way.cli()

    assert result.exit_code == 0, result.output
    assert (
        "warning: calendar: 1 event added on the calendar cannot be imported: the events board "
        '"OneTeamGov Spinoff Events" is an export file (read-only)'
    ) in result.output.splitlines()
    assert two_way.fake.requests == []  # Trello is not even asked
    assert two_way.calendar()[THEIRS] == before
    assert two_way.clients[-1].session.writes == 2  # our two events, nothing of theirs

    ours = two_way.calendar()[f"trello-{card_id(1)}@{DOMAIN}"]
    text = ours.event.to_ical().decode().replace("Breakfast in Leeds", "Renamed in the app")
    two_way.put(
        ours.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )
    edited = two_way.cli()

    assert edited.exit_code == 0, edited.output
    assert (
        'warning: calendar: "Renamed in the app" was edited on the calendar (summary), but board '
        '"OneTeamGov Spinoff Events" is an export file: the board\'s version is put back'
    ) in edited.output.splitlines()
    put_back = two_way.calendar()[f"trello-{card_id(1)}@{DOMAIN}"]
    assert str(put_back.event["SUMMARY"]) == "Breakfast in Leeds"
    assert two_way.fake.requests == []


def test_a_calendar_edit_waits_while_its_board_cannot_be_read(two_way: TwoWay) -> None:
    card = import_and_take_over(two_way)
    edit_on_calendar(
        two_way, "DTSTART:20270121T090000Z", "DTEND:20270121T170000Z", summary="Moved a day"
    )
    edited = two_way.calendar()[THEIRS]
    two_way.fake.fail_next("GET", f"/1/boards/{BOARD_ID}.*", status=500, times=50)

    down = two_way.sync()

    assert down.exit_code == 1 and len(down.failures) == 1, down.failures
    assert (
        'calendar: "Moved a day" was edited on the calendar (summary, start, end, location), but '
        "its board could not be read this run: left for the next sync"
    ) in down.warnings
    assert two_way.calendar()[THEIRS] == edited  # not put back: the edit is not lost
    assert two_way.trello_writes == []

    two_way.fake.clear_faults()  # Trello is back
    two_way.later(hours=1)
    up = two_way.sync()

    assert up.exit_code == 0, (up.failures, up.outcomes)
    assert two_way.fake.card(card)["name"] == "Moved a day"
    assert two_way.calendar()[THEIRS] == edited


def test_a_calendar_deletion_waits_while_its_board_cannot_be_read(two_way: TwoWay) -> None:
    card = import_and_take_over(two_way)
    two_way.delete(two_way.calendar()[THEIRS].href)
    two_way.fake.fail_next("GET", f"/1/boards/{BOARD_ID}.*", status=500, times=50)

    down = two_way.sync()

    assert down.exit_code == 1
    assert (
        'calendar: the event of "Unconference in Bristol" was deleted on the calendar, but its '
        "board could not be read this run: left for the next sync"
    ) in down.warnings
    assert THEIRS not in two_way.calendar()  # not put back
    assert two_way.trello_writes == []

    two_way.fake.clear_faults()
    two_way.later(hours=1)
    up = two_way.sync()

    assert up.exit_code == 0, (up.failures, up.outcomes)
    assert two_way.fake.card(card)["idList"] == LIST_IDS["Cancelled"]
    assert len(two_way.comments(card)) == 1
    assert THEIRS not in two_way.calendar()


def test_an_inbox_list_that_is_not_on_the_board_is_one_clear_failure(two_way: TwoWay) -> None:
    two_way.extra_calendar = 'import_list = "Arrivals"'
    two_way.put("bristol.ics", THEIRS_EVENT)
    before = two_way.calendar()[THEIRS]

    report = two_way.sync()

    assert report.exit_code == 1
    assert report.failures == [
        'calendar: board "OneTeamGov Spinoff Events" has no list "Arrivals" for imported events '
        "— create it, or set calendar.import_list"
    ]
    assert two_way.trello_writes == []
    assert two_way.calendar()[THEIRS] == before
    assert f"trello-{card_id(1)}@{DOMAIN}" in two_way.calendar()  # the rest still happened


# -- bad input ------------------------------------------------------------------------------------


def test_bad_events_are_handled_reported_and_harm_nothing_else(two_way: TwoWay) -> None:
    enormous = "Agenda. " + "A long session description. " * 800  # over 22,000 characters
    two_way.put(
        "untitled.ics",
        ical("untitled@their.app", "DTSTART:20270201T180000Z", "DURATION:PT1H", summary=None),
    )
    two_way.put(
        "no-end.ics", ical("no-end@their.app", "DTSTART:20270202T180000Z", summary="Drinks")
    )
    two_way.put(
        "enormous.ics",
        ical(
            "enormous@their.app",
            "DTSTART:20270203T090000Z",
            "DURATION:PT8H",
            f"DESCRIPTION:{enormous}",
            summary="Camp",
        ),
    )
    two_way.put(
        "broken.ics",
        ical("broken@lax.server", "DTSTART:20270204T090000Z", summary="Broken on the way"),
    )
    two_way.lax.append(("DTSTART:20270204T090000Z", "DTSTART:the fourth"))
    two_way.put("bristol.ics", THEIRS_EVENT)
    before = two_way.calendar()

    result = two_way.cli()

    assert result.exit_code == 0, result.output
    cards = {c["name"]: c for c in two_way.cards("Inbox")}
    assert set(cards) == {"(untitled event)", "Drinks", "Camp", "Unconference in Bristol"}
    assert (cards["Drinks"]["start"], cards["Drinks"]["due"]) == (
        "2027-02-02T18:00:00.000Z",
        "2027-02-02T20:00:00.000Z",  # no end: the default two hours
    )
    camp = cards["Camp"]["desc"]
    assert len(camp) <= 16384
    assert camp.startswith("Agenda. A long session description.")
    assert "… (cut to fit Trello" in camp
    assert camp.endswith("otg-uid: enormous@their.app")
    lines = result.output.splitlines()
    assert "import           trello       (untitled event) — new card in Inbox; no title" in lines
    assert (
        "import           trello       Drinks — new card in Inbox; no usable end: "
        "120 minutes assumed"
    ) in lines
    assert (
        f"import           trello       Camp — new card in Inbox; its description "
        f"({len(enormous.strip()):,} characters) is cut to fit Trello's 16,384"
    ) in lines
    warnings = [line for line in lines if line.startswith("warning:")]
    assert warnings == [
        f"warning: calendar: the event at {before['broken@lax.server'].href} cannot be read "
        "(has no readable start (DTSTART)); left alone"
    ]
    after = two_way.calendar()
    assert {uid: after[uid] for uid in before} == before  # theirs are not rewritten on the way in
    assert two_way.fake.count("POST", CARD_POSTS) == 4

    two_way.later(hours=1)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert rerun.warnings == []  # the broken event is remembered, not fetched or reported again
    assert two_way.caldav_sent == {"PROPFIND": 1}  # the four imported are not rewritten
    after = two_way.calendar()
    assert {uid: after[uid] for uid in before} == before
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())

    two_way.lax.clear()  # fixed on the server: a new ETag, so it is read again
    two_way.put(
        "broken.ics", ical("broken@lax.server", "DTSTART:20270204T093000Z", summary="Fixed")
    )
    two_way.later(hours=1)
    fixed = two_way.sync()
    assert fixed.exit_code == 0, (fixed.failures, fixed.outcomes)
    assert "Fixed" in {c["name"] for c in two_way.cards("Inbox")}


def test_events_already_over_or_cancelled_are_not_imported_and_not_read_again(
    two_way: TwoWay,
) -> None:
    two_way.put("last-week.ics", ical("last-week@their.app", "DTSTART:20261114T090000Z"))
    two_way.put(
        "called-off.ics",
        ical("called-off@their.app", "DTSTART:20270301T090000Z", "STATUS:CANCELLED"),
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.cards("Inbox") == []
    assert report.warnings == []
    skipped = {(o.key, o.status, o.detail) for o in report.outcomes if o.kind == "skip"}
    assert skipped == {  # every event passed over is reported, with why, once
        ("last-week@their.app", "skipped", "not imported: already over"),
        ("called-off@their.app", "skipped", "not imported: cancelled"),
    }
    assert two_way.caldav_sent["REPORT"] == 1
    two_way.later(hours=1)
    again = two_way.sync()
    two_way.assert_nothing_written(again)  # and not even fetched: no REPORT
    assert [o for o in again.outcomes if o.kind == "skip"] == []  # nor said again


def feed_uids(two_way: TwoWay) -> list[str]:
    feed = (two_way.tmp / "out" / "events.ics").read_text(encoding="utf-8")
    return [line[4:] for line in feed.replace("\r\n ", "").splitlines() if line.startswith("UID:")]


def test_a_series_stays_a_series_on_the_calendar_and_out_of_the_feed(two_way: TwoWay) -> None:
    two_way.put("weekly.ics", WEEKLY_EVENT)
    two_way.sync()
    card = two_way.imported()["id"]
    series = two_way.calendar()[WEEKLY]
    two_way.later(hours=1)
    assert two_way.sync().warnings == []
    assert WEEKLY not in feed_uids(two_way)  # never a one-off under the series' UID

    two_way.later(hours=1)
    moved_to = {"start": "2026-12-03T10:00:00.000Z", "due": "2026-12-03T11:00:00.000Z"}
    two_way.trello("PUT", f"/cards/{card}", **moved_to)  # the card moved on Trello
    two_way.later(hours=1)
    moved = two_way.sync()

    assert moved.exit_code == 0, (moved.failures, moved.outcomes)
    [warning] = moved.warnings
    assert '"Weekly OneTeamGov coffee" repeats on the calendar' in warning
    assert "change the series in the calendar app" in warning
    assert two_way.clients[-1].session.writes == 0
    assert two_way.calendar()[WEEKLY] == series  # the feed and the calendar still agree:
    assert WEEKLY not in feed_uids(two_way)  # the series is on one, and not on the other
    two_way.later(hours=1)
    again = two_way.sync()
    assert again.warnings == []  # said once

    # an edit of the series on the calendar reaches the card, and is no card change to warn of
    two_way.put(
        "weekly.ics", WEEKLY_EVENT.replace("T083000", "T090000").replace("T093000", "T100000")
    )
    two_way.later(hours=1)
    followed = two_way.sync()  # both changed: the series wins whatever calendar.conflict says
    assert followed.warnings == []
    [conflict] = [o.detail for o in followed.outcomes if o.kind == "conflict"]
    assert conflict.endswith("the calendar wins (a repeating series is the calendar's)")
    assert two_way.fake.card(card)["start"] == "2026-12-03T09:00:00.000Z"
    two_way.later(hours=1)
    assert two_way.sync().warnings == []

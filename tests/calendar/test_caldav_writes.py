"""The CalDAV target against a real server: create, update, cancel and drop; a second sync writes
nothing; a dry run touches nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.calendar.export_harness import (
    KEEP_CANCELLED_DAYS,
    NOW,
    Otg,
    caldav_outcomes,
    card,
    card_id,
    delete_action,
    href_of,
    read_calendar,
    uid,
)

# -- create, update, cancel, drop --------------------------------------------------------------


def test_first_sync_puts_exactly_our_published_events_on_the_calendar(otg: Otg) -> None:
    otg.add(card(1, "Planning"), card(2, "Confirmed", hours=3), card(3, "Proposed"))

    report = otg.sync()

    assert report.exit_code == 0, report.failures
    on_server = read_calendar(otg.url)
    assert set(on_server) == {uid(1), uid(2)}  # a proposed event is not published
    first, second = on_server[uid(1)], on_server[uid(2)]
    assert first.href == href_of(otg.url, uid(1))
    assert (first.sequence, first.status) == (0, "TENTATIVE")
    assert (second.sequence, second.status) == (0, "CONFIRMED")
    assert first.event.start == datetime(2027, 1, 11, 8, tzinfo=UTC)
    assert first.event.end == datetime(2027, 1, 11, 10, tzinfo=UTC)
    assert second.event.start == datetime(2027, 1, 12, 8, tzinfo=UTC)
    assert second.event.end == datetime(2027, 1, 12, 11, tzinfo=UTC)
    assert str(second.event["SUMMARY"]) == "OneTeamGov breakfast #2"
    assert str(second.event["URL"]) == "https://trello.com/c/Ev000002/2-oneteamgov-breakfast"
    assert sorted(caldav_outcomes(report)) == [
        ("create", card_id(1), "done"),
        ("create", card_id(2), "done"),
    ]
    assert otg.session.sent_by_method == {"PROPFIND": 1, "PUT": 2}
    assert report.requests["caldav"] == 3
    assert set(otg.state_items()) == {card_id(1), card_id(2)}


def test_a_new_time_raises_the_sequence_of_the_same_event(otg: Otg) -> None:
    otg.add(card(1), card(2))
    otg.sync()
    before = read_calendar(otg.url)

    otg.add(card(1, start="2027-01-20T17:30:00+00:00"))
    report = otg.sync()

    assert report.exit_code == 0, report.failures
    after = read_calendar(otg.url)
    assert set(after) == {uid(1), uid(2)}
    moved = after[uid(1)]
    assert moved.sequence == 1
    assert moved.href == before[uid(1)].href
    assert moved.event.start == datetime(2027, 1, 20, 17, 30, tzinfo=UTC)
    assert moved.event.end == datetime(2027, 1, 20, 19, 30, tzinfo=UTC)
    assert after[uid(2)] == before[uid(2)]  # untouched: same ETag, same text
    # the event is read (one REPORT) and written back with the new times in it
    assert otg.session.sent_by_method == {"PROPFIND": 1, "REPORT": 1, "PUT": 1}
    assert caldav_outcomes(report) == [("update", card_id(1), "done")]


def test_a_new_description_updates_the_event_without_raising_the_sequence(otg: Otg) -> None:
    otg.add(card(1, desc="Coffee and pastries."))
    otg.sync()
    before = read_calendar(otg.url)[uid(1)]

    otg.add(card(1, desc="Coffee, pastries and a short talk on service design."))
    report = otg.sync()

    after = read_calendar(otg.url)[uid(1)]
    assert report.exit_code == 0, report.failures
    assert "a short talk on service design" in str(after.event["DESCRIPTION"])
    assert after.sequence == before.sequence == 0
    assert after.href == before.href
    assert after.etag != before.etag
    assert otg.session.sent_by_method == {"PROPFIND": 1, "REPORT": 1, "PUT": 1}


def test_an_all_day_event_is_stored_with_dates(otg: Otg) -> None:
    all_day = {"id": "6a6f9b9e0000000000000001", "name": "All day", "color": "green"}
    otg.add({**card(1, hours=30), "idLabels": [all_day["id"]], "labels": [all_day]})

    otg.sync()

    event = read_calendar(otg.url)[uid(1)].event
    # 08:00 UTC on 11 Jan to 14:00 UTC on 12 Jan: two days, DTEND exclusive
    assert event.start == date(2027, 1, 11)
    assert event.end == date(2027, 1, 13)
    assert event["DTSTART"].params.get("VALUE") == "DATE"


def test_a_server_that_sends_no_etag_with_a_put_still_costs_no_writes_next_time(
    otg: Otg,
) -> None:
    def drop_etag(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "PUT":
            response.headers.pop("ETag", None)

    otg.hooks.append(drop_etag)
    otg.add(card(1), card(2))

    otg.sync()

    assert otg.session.sent_by_method == {"PROPFIND": 2, "PUT": 2}  # one more, to learn ETags
    on_server = read_calendar(otg.url)
    assert {item.etag for item in otg.state_items().values()} == {
        event.etag for event in on_server.values()
    }
    otg.sync()
    assert otg.session.sent_by_method == {"PROPFIND": 1}


def _cancel_by_moving(otg: Otg) -> None:
    otg.add(card(1, "Cancelled"))


def _cancel_by_archiving(otg: Otg) -> None:
    otg.cards[card_id(1)]["closed"] = True


def _cancel_by_deleting(otg: Otg) -> None:
    del otg.cards[card_id(1)]
    otg.actions.append(delete_action(1))


@pytest.mark.parametrize(
    "cancel",
    [_cancel_by_moving, _cancel_by_archiving, _cancel_by_deleting],
    ids=["moved-to-cancelled", "archived", "deleted"],
)
def test_a_cancelled_card_is_cancelled_on_the_calendar_then_dropped(
    otg: Otg, cancel: Callable[[Otg], None]
) -> None:
    otg.add(card(1), card(2))
    otg.sync()
    href = read_calendar(otg.url)[uid(1)].href

    cancel(otg)
    report = otg.sync(now=NOW + timedelta(days=1))

    assert report.exit_code == 0, report.failures
    cancelled = read_calendar(otg.url)[uid(1)]
    assert cancelled.status == "CANCELLED"
    assert cancelled.sequence == 1
    assert cancelled.href == href
    assert caldav_outcomes(report) == [("cancel", card_id(1), "done")]

    kept = otg.sync(now=NOW + timedelta(days=KEEP_CANCELLED_DAYS))  # not yet
    assert read_calendar(otg.url)[uid(1)].status == "CANCELLED"
    assert otg.session.writes == 0, kept.outcomes

    report = otg.sync(now=NOW + timedelta(days=KEEP_CANCELLED_DAYS + 2))

    assert report.exit_code == 0, report.failures
    assert set(read_calendar(otg.url)) == {uid(2)}
    assert otg.session.sent_by_method == {"PROPFIND": 1, "DELETE": 1}
    assert caldav_outcomes(report) == [("delete", card_id(1), "done")]
    assert set(otg.state_items()) == {card_id(2)}


# -- idempotence and dry runs ------------------------------------------------------------------


def test_a_second_sync_with_nothing_changed_makes_no_writes(otg: Otg) -> None:
    otg.add(card(1, "Planning"), card(2), card(3, desc="Bring a friend."))
    otg.sync()
    before = read_calendar(otg.url)

    report = otg.sync(now=NOW + timedelta(hours=6))

    assert report.exit_code == 0, report.failures
    assert otg.session.sent_by_method == {"PROPFIND": 1}
    assert otg.session.writes == 0
    assert report.requests["caldav"] == 1
    assert caldav_outcomes(report) == []
    assert read_calendar(otg.url) == before


def test_a_dry_run_touches_nothing_on_the_server(otg: Otg) -> None:
    otg.add(card(1), card(2))

    result = otg.cli("--dry-run")

    assert result.exit_code == 0, result.output
    planned = [line.split() for line in result.output.splitlines() if line.startswith("would")]
    assert [words[:3] for words in planned if words[2] == "caldav"] == [
        ["would", "create", "caldav"]
    ] * 2
    assert read_calendar(otg.url) == {}
    assert otg.session.writes == 0
    assert not (otg.tmp / "state" / "otg-state.db").exists()

    otg.sync()
    before = read_calendar(otg.url)
    otg.add(card(1, start="2027-02-01T08:00:00+00:00"))
    del otg.cards[card_id(2)]

    report = otg.sync(dry_run=True)

    assert sorted(caldav_outcomes(report)) == [
        ("cancel", card_id(2), "planned"),
        ("update", card_id(1), "planned"),
    ]
    assert otg.session.writes == 0
    assert read_calendar(otg.url) == before

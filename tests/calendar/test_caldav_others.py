"""The CalDAV target against a real server: other people's events are never changed, and our own
edited on the calendar are put back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests

from tests.calendar.export_harness import (
    KEEP_CANCELLED_DAYS,
    NOW,
    Otg,
    caldav_outcomes,
    card,
    card_id,
    read_calendar,
    uid,
)
from tests.servers.radicale import (
    put_event,
    vcalendar,
)

# -- other people's events ---------------------------------------------------------------------


def test_someone_elses_events_are_never_changed_or_deleted(otg: Otg) -> None:
    theirs = {
        "standup.ics": vcalendar("standup-1234@example.org", "Team stand-up"),
        # the shape of our UIDs, for a card that is not on our board, at the href we would use
        f"{quote(uid(99), safe='')}.ics": vcalendar(uid(99), "Imported from an old feed"),
    }
    for name, text in theirs.items():
        put_event(otg.url, name, text)
    before = read_calendar(otg.url)
    otg.add(card(1), card(2))

    otg.sync()
    put_event(otg.url, "later.ics", vcalendar("later@example.org", "Added after our sync"))
    before["later@example.org"] = read_calendar(otg.url)["later@example.org"]
    otg.add(card(1, start="2027-03-01T09:00:00+00:00"))
    del otg.cards[card_id(2)]
    otg.sync(now=NOW + timedelta(days=1))
    report = otg.sync(now=NOW + timedelta(days=KEEP_CANCELLED_DAYS + 2))  # drops card 2

    assert report.exit_code == 0, report.failures
    after = read_calendar(otg.url)
    assert set(after) == {*before, uid(1)}
    for their_uid, event in before.items():
        assert after[their_uid] == event  # same href, same ETag, same text


def test_an_event_of_someone_elses_at_our_href_is_left_alone_and_reported(otg: Otg) -> None:
    put_event(otg.url, f"{quote(uid(1), safe='')}.ics", vcalendar("not-ours@example.org", "Hers"))
    before = read_calendar(otg.url)
    otg.add(card(1), card(2))

    report = otg.sync()

    after = read_calendar(otg.url)
    assert after["not-ours@example.org"] == before["not-ours@example.org"]
    assert uid(2) in after  # the others still go on
    assert report.exit_code == 1
    failed = [o for o in report.outcomes if o.status == "failed"]
    assert [(o.key, o.target) for o in failed] == [(card_id(1), "caldav")]
    assert "did not create" in failed[0].detail
    assert set(otg.state_items()) == {card_id(2)}


def test_a_copy_of_our_event_under_another_name_blocks_only_that_event(otg: Otg) -> None:
    # someone imported our feed into the same calendar: our UID, at a name of their app's
    put_event(otg.url, "imported-0001.ics", vcalendar(uid(1), "OneTeamGov breakfast #1"))
    before = read_calendar(otg.url)
    otg.add(card(1), card(2), card(3))

    report = otg.sync()

    after = read_calendar(otg.url)
    assert after[uid(1)] == before[uid(1)]  # their copy is left as it was
    assert {uid(2), uid(3)} <= set(after)  # and the events after it are still created
    assert report.exit_code == 1
    failed = [o for o in report.outcomes if o.status == "failed"]
    assert [o.key for o in failed] == [card_id(1)]
    assert "already has this UID" in failed[0].detail
    assert report.failures == []  # not "the server is gone": one event could not be written


def test_our_event_edited_on_the_calendar_is_put_back(otg: Otg) -> None:
    otg.add(card(1))
    otg.sync()
    ours = read_calendar(otg.url)[uid(1)]
    edited = ours.event.to_ical().decode().replace("OneTeamGov breakfast #1", "Renamed in app")
    put_event(
        otg.url,
        ours.href.rsplit("/", 1)[-1],
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        f"PRODID:-//Someone//Their app//EN\r\n{edited}END:VCALENDAR\r\n",
    )

    report = otg.sync()

    restored = read_calendar(otg.url)[uid(1)]
    assert str(restored.event["SUMMARY"]) == "OneTeamGov breakfast #1"
    assert caldav_outcomes(report) == [("restore", card_id(1), "done")]
    otg.sync()
    assert otg.session.writes == 0


def test_an_edit_on_the_calendar_during_our_run_is_overwritten_and_said_so(otg: Otg) -> None:
    otg.add(card(1))
    otg.sync()
    ours = read_calendar(otg.url)[uid(1)]
    edited = ours.event.to_ical().decode().replace("OneTeamGov breakfast #1", "Renamed in app")
    body = (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{edited}END:VCALENDAR\r\n"
    )
    edits: list[str] = []

    def edit_after_our_listing(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "PROPFIND" and not edits:
            edits.append(put_event(otg.url, ours.href.rsplit("/", 1)[-1], body))

    otg.hooks.append(edit_after_our_listing)
    otg.add(card(1, start="2027-02-01T08:00:00+00:00"))

    report = otg.sync()

    assert edits, "the calendar was not edited mid-run"
    on_server = read_calendar(otg.url)[uid(1)]
    assert str(on_server.event["SUMMARY"]) == "OneTeamGov breakfast #1"
    assert on_server.event.start == datetime(2027, 2, 1, 8, tzinfo=UTC)
    assert [(o.kind, o.status, o.detail) for o in report.outcomes if o.target == "caldav"] == [
        ("update", "done", "changed on the calendar meanwhile; the board wins")
    ]
    otg.hooks.clear()
    otg.sync()
    assert otg.session.writes == 0

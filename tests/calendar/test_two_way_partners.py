"""Two-way events: a partner's event keeps what is theirs; deletions cancel (never delete) on the
other side.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.calendar.export_harness import OnServer
from tests.calendar.two_way_harness import (
    DOMAIN,
    LIST_IDS,
    THEIRS,
    TwoWay,
    card_id,
    edit_on_calendar,
    import_and_take_over,
    outcomes,
    rename_card,
)

# -- what otg-sync does not manage is never lost -----------------------------------------------

PARTNER = "partner-meetup-2027@partner.example"
PARTNER_EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Partner//Their app//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\nBEGIN:STANDARD\r\nDTSTART:19701025T020000\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T010000\r\nTZOFFSETFROM:+0000\r\n"
    "TZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "END:VTIMEZONE\r\n"
    f"BEGIN:VEVENT\r\nUID:{PARTNER}\r\nDTSTAMP:20261120T100000Z\r\n"
    "DTSTART;TZID=Europe/London:20270126T180000\r\nDTEND;TZID=Europe/London:20270126T200000\r\n"
    "SUMMARY:Partner meetup\r\nLOCATION:Civic Hall\\, Leeds\r\n"
    "DESCRIPTION:Doors at 17:45. Bring a friend.\r\nURL:https://partner.example/meetup\r\n"
    "ORGANIZER;CN=Pat Partner:mailto:pat@partner.example\r\n"
    "ATTENDEE;CN=Sam;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:sam@partner.example\r\n"
    "CATEGORIES:Meetup,Leeds\r\nX-PARTNER-ROOM:Room 4\r\nSEQUENCE:0\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Meetup in an hour\r\nTRIGGER:-PT1H\r\n"
    "END:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
#: What a partner put in the event that otg-sync does not manage (properties, and the alarm).
THEIRS_ONLY = ("DESCRIPTION", "URL", "ORGANIZER", "ATTENDEE", "CATEGORIES", "X-PARTNER-ROOM")


def partner_parts(on_server: OnServer) -> dict[str, object]:
    event = on_server.event
    parts: dict[str, object] = {name: event[name].to_ical() for name in THEIRS_ONLY}
    parts["ATTENDEE params"] = dict(event["ATTENDEE"].params)
    parts["alarms"] = [(str(a["ACTION"]), a["TRIGGER"].to_ical()) for a in event.walk("VALARM")]
    return parts


def test_an_imported_event_keeps_everything_of_the_partners_and_changes_only_what_the_card_does(
    two_way: TwoWay,
) -> None:
    two_way.put("partner.ics", PARTNER_EVENT)
    imported = two_way.calendar()[PARTNER]
    theirs = partner_parts(imported)
    assert len(theirs["alarms"]) == 1

    for night in range(3):  # the import, then nights with nothing new: never written
        report = two_way.sync()
        assert report.exit_code == 0, (report.failures, report.outcomes)
        assert two_way.calendar()[PARTNER] == imported, f"rewritten on night {night + 1}"
        assert two_way.caldav_sent.get("PUT", 0) == 2 * (night == 0)  # our two cards' events
        two_way.later(hours=24)
    card = two_way.imported()["id"]

    two_way.trello(  # the organiser moves it a day later on the card
        "PUT", f"/cards/{card}", start="2027-01-27T18:00:00.000Z", due="2027-01-27T20:00:00.000Z"
    )
    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert outcomes(report, "caldav") == [("update", "caldav", "done")]
    assert two_way.caldav_sent == {"PROPFIND": 1, "REPORT": 1, "PUT": 1}
    moved = two_way.calendar()[PARTNER]
    assert moved.event.start == datetime(2027, 1, 27, 18, tzinfo=UTC)
    assert moved.event.end == datetime(2027, 1, 27, 20, tzinfo=UTC)
    assert moved.sequence == 1  # a significant change: one more than theirs
    assert partner_parts(moved) == theirs  # their description, link, people and alarm are kept
    assert str(moved.event["SUMMARY"]) == "Partner meetup"  # what did not change is theirs too
    assert str(moved.event["LOCATION"]) == "Civic Hall, Leeds"
    assert moved.href == imported.href
    two_way.later(hours=24)
    two_way.assert_nothing_written(two_way.sync())
    assert two_way.calendar()[PARTNER] == moved


def test_an_alarm_added_to_an_event_of_ours_survives_a_change_of_its_card(
    two_way: TwoWay,
) -> None:
    two_way.sync()
    ours = two_way.calendar()[f"trello-{card_id(1)}@{DOMAIN}"]
    alarm = (
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Breakfast\r\nTRIGGER:-PT30M\r\n"
        "END:VALARM\r\n"
    )
    text = (
        ours.event.to_ical().decode().replace("END:VEVENT", alarm + "X-SEEN-BY:Sam\r\nEND:VEVENT")
    )
    two_way.put(
        ours.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )
    two_way.later(hours=1)
    two_way.sync()  # the alarm is noticed, and changes nothing
    rename_card(two_way, card_id(1), "Breakfast in Leeds (new café)")
    two_way.later(hours=1)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    after = two_way.calendar()[f"trello-{card_id(1)}@{DOMAIN}"]
    assert str(after.event["SUMMARY"]) == "Breakfast in Leeds (new café)"
    assert after.sequence == 1
    assert [a["TRIGGER"].to_ical() for a in after.event.walk("VALARM")] == [b"-PT30M"]
    assert str(after.event["X-SEEN-BY"]) == "Sam"
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


# -- a calendar edit applied to its card is not written back -------------------------------------


@pytest.mark.parametrize("which", ["imported", "made-from-a-card"])
def test_a_calendar_edit_applied_to_its_card_is_never_written_back(
    two_way: TwoWay, which: str
) -> None:
    if which == "imported":
        card, uid = import_and_take_over(two_way), THEIRS
    else:
        two_way.sync()
        card, uid = card_id(1), f"trello-{card_id(1)}@{DOMAIN}"
        two_way.later(hours=1)
    ours = two_way.calendar()[uid]
    text = ours.event.to_ical().decode()
    text = re.sub(r"DTSTART[^\r\n]*", "DTSTART:20270205T100000Z", text, count=1)
    text = re.sub(r"DTEND[^\r\n]*", "DTEND:20270205T120000Z", text, count=1)
    two_way.put(
        ours.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )
    edited = two_way.calendar()[uid]

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.fake.card(card)["start"] == "2027-02-05T10:00:00.000Z"
    feed = (two_way.tmp / "out" / "events.ics").read_bytes()
    assert b"DTSTART:20270205T100000Z" in feed  # the feed has the edit in the same run
    puts = []
    for _ in range(3):
        two_way.later(hours=12)
        night = two_way.sync()
        assert night.exit_code == 0, (night.failures, night.outcomes)
        puts.append(two_way.caldav_sent.get("PUT", 0))
        assert [o for o in night.outcomes if o.kind != "skip"] == []
    assert puts == [0, 0, 0]
    assert two_way.calendar()[uid] == edited  # same ETag, same SEQUENCE: not even an echo
    assert (two_way.tmp / "out" / "events.ics").read_bytes() == feed


def test_a_card_change_made_while_the_calendar_won_a_conflict_still_reaches_the_calendar(
    two_way: TwoWay,
) -> None:
    two_way.conflict = "calendar"
    card = import_and_take_over(two_way)
    two_way.trello("PUT", f"/cards/{card}", locationName="M Shed, Bristol")
    edit_on_calendar(
        two_way,
        "DTSTART:20270120T093000Z",
        "DTEND:20270120T163000Z",
        "LOCATION:The Watershed\\, Bristol",
        summary="Bristol unconference (calendar)",
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.fake.card(card)["name"] == "Bristol unconference (calendar)"
    two_way.later(hours=1)
    two_way.sync()
    event = two_way.calendar()[THEIRS]
    assert str(event.event["SUMMARY"]) == "Bristol unconference (calendar)"
    assert str(event.event["LOCATION"]) == "M Shed, Bristol"  # the card's own change, written
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())


# -- deletions on each side ---------------------------------------------------------------------


def test_an_imported_event_deleted_on_the_calendar_cancels_its_card_never_deletes_it(
    two_way: TwoWay,
) -> None:
    card = import_and_take_over(two_way)
    two_way.delete(two_way.calendar()[THEIRS].href)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    after = two_way.fake.card(card)
    assert after is not None and not after["closed"]
    assert after["idList"] == LIST_IDS["Cancelled"]
    assert two_way.comments(card) == [
        "The event was deleted from the events calendar, so this card was moved to Cancelled."
    ]
    assert sorted(two_way.trello_writes) == [
        ("POST", f"/1/cards/{card}/actions/comments"),
        ("PUT", f"/1/cards/{card}"),
    ]
    [cancel] = [o for o in report.outcomes if o.target == "trello"]
    assert (cancel.kind, cancel.status) == ("cancel", "done")
    assert THEIRS not in two_way.calendar()  # not recreated
    assert two_way.clients[-1].session.writes == 0

    for _ in range(2):
        two_way.later(hours=1)
        rerun = two_way.sync()
        assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
        assert two_way.trello_writes == []
        assert two_way.clients[-1].session.writes == 0
    assert THEIRS not in two_way.calendar()
    assert len(two_way.comments(card)) == 1
    two_way.assert_nothing_written(rerun)


def test_a_failed_move_after_the_comment_is_finished_without_a_second_comment(
    two_way: TwoWay,
) -> None:
    card = import_and_take_over(two_way)
    two_way.delete(two_way.calendar()[THEIRS].href)
    two_way.fake.fail_next("PUT", f"/1/cards/{card}", status=500)

    report = two_way.sync()

    assert report.exit_code == 1
    assert two_way.fake.card(card)["idList"] == LIST_IDS["Inbox"]
    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.card(card)["idList"] == LIST_IDS["Cancelled"]
    assert len(two_way.comments(card)) == 1
    assert two_way.trello_writes == [("PUT", f"/1/cards/{card}")]


def test_an_event_made_from_a_card_deleted_on_the_calendar_is_put_back(two_way: TwoWay) -> None:
    two_way.sync()
    ours = f"trello-{card_id(1)}@{DOMAIN}"
    two_way.delete(two_way.calendar()[ours].href)
    two_way.later(hours=1)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.calendar()[ours].status == "CONFIRMED"
    assert outcomes(report, "caldav") == [("recreate", "caldav", "done")]
    assert two_way.trello_writes == []
    assert two_way.comments(card_id(1)) == []


@pytest.mark.parametrize("which", ["imported", "made-from-a-card"])
def test_a_card_deleted_on_trello_cancels_its_event(two_way: TwoWay, which: str) -> None:
    if which == "imported":
        card, uid = import_and_take_over(two_way), THEIRS
    else:
        two_way.sync()
        card, uid = card_id(1), f"trello-{card_id(1)}@{DOMAIN}"
    before = two_way.calendar()[uid]
    two_way.trello("DELETE", f"/cards/{card}")
    two_way.later(minutes=30)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    cancelled = two_way.calendar()[uid]
    assert cancelled.status == "CANCELLED"
    assert cancelled.sequence == before.sequence + 1
    assert cancelled.href == before.href
    assert ("cancel", "calendar", "done") in outcomes(report)
    assert two_way.caldav_sent == {"PROPFIND": 1, "REPORT": 1, "PUT": 1}
    assert two_way.trello_writes == []
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())
    assert two_way.calendar()[uid].status == "CANCELLED"


def feed_event(two_way: TwoWay, uid: str) -> str:
    """The feed's VEVENT of ``uid``, unfolded and unescaped enough to read."""
    feed = (two_way.tmp / "out" / "events.ics").read_text(encoding="utf-8").replace("\r\n ", "")
    [event] = [block for block in feed.split("BEGIN:VEVENT")[1:] if f"UID:{uid}" in block]
    return event.replace("\\n", "\n").replace("\\,", ",")


def test_a_partners_event_stays_theirs_when_its_card_gains_a_sign_up_link(
    two_way: TwoWay,
) -> None:
    link = "https://partner.example/register"
    two_way.put(
        "partner.ics",
        PARTNER_EVENT.replace(
            "DESCRIPTION:Doors at 17:45. Bring a friend.",
            f"DESCRIPTION:Doors at 17:45. Register: {link}",
        ),
    )
    two_way.sync()
    two_way.later(hours=1)
    two_way.sync()
    imported = two_way.calendar()[PARTNER]
    card = two_way.imported()["id"]
    two_way.trello("POST", f"/cards/{card}/attachments", name="Register", url=link)
    two_way.later(hours=1)

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert two_way.calendar()[PARTNER] == imported  # the card's new link is not theirs to get
    assert two_way.caldav_sent.get("PUT", 0) == 0
    text = feed_event(two_way, PARTNER)
    assert "otg-uid" not in text and "kept in step by otg-sync" not in text  # never our marker
    assert text.count(link) == 1  # and their link once
    assert "Doors at 17:45." in text

    rename_card(two_way, card, "Partner meetup (with OneTeamGov)")  # the title is shared
    two_way.later(hours=1)
    renamed = two_way.sync()
    assert outcomes(renamed, "caldav") == [("update", "caldav", "done")]
    after = two_way.calendar()[PARTNER]
    assert str(after.event["SUMMARY"]) == "Partner meetup (with OneTeamGov)"
    assert after.event["DESCRIPTION"] == imported.event["DESCRIPTION"]
    assert "otg-uid" not in after.event.to_ical().decode()

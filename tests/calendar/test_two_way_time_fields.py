"""Two-way events: a calendar edit of times kept in custom fields goes to those fields."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.calendar.export_harness import OnServer
from tests.calendar.two_way_harness import (
    BOARD_ID,
    CARD_PUTS,
    DOMAIN,
    TwoWay,
    card_id,
    conflicts,
    events_board,
    outcomes,
)

# -- times from date custom fields (calendar.start_field / end_field) ---------------------------

FIELD_START, FIELD_END = "6a7000000000000000000f01", "6a7000000000000000000f02"
FIELD_PUTS = re.compile(r"^/1/cards/[0-9a-f]{24}/customField/[0-9a-f]{24}/item$")
#: Card 1 from 18:00 to 20:00 on Thursday 14 January 2027, in "Event start" and "Event end".
EVENING_FIELDS = {FIELD_START: "2027-01-14T18:00:00.000Z", FIELD_END: "2027-01-14T20:00:00.000Z"}


def date_field(field_id: str, name: str) -> dict[str, Any]:
    return {"id": field_id, "idModel": BOARD_ID, "modelType": "board", "name": name, "type": "date"}


def with_date_fields(two_way: TwoWay, values: dict[str, str], *, fields: str = "both") -> None:
    """The events board with two date custom fields, "Event start" and "Event end", and card 1's
    values in them (field id → ISO date); the config uses them (both, or only the start)."""
    board = events_board()
    board["customFields"] = [
        date_field(FIELD_START, "Event start"),
        date_field(FIELD_END, "Event end"),
    ]
    board["cards"][0]["customFieldItems"] = [
        {
            "id": f"6a7000000000000000000e{i:02x}",
            "idCustomField": field_id,
            "idModel": card_id(1),
            "modelType": "card",
            "value": {"date": value},
        }
        for i, (field_id, value) in enumerate(values.items(), start=10)
    ]
    two_way.fake.add_board(board)
    two_way.extra_calendar = 'start_field = "Event start"' + (
        '\nend_field = "Event end"' if fields == "both" else ""
    )


def field_value(two_way: TwoWay, card: str, field_id: str) -> str | None:
    items = two_way.fake.card(card)["customFieldItems"]
    found = [i["value"]["date"] for i in items if i["idCustomField"] == field_id and i["value"]]
    return found[0] if found else None


def edit_times_on_calendar(two_way: TwoWay, uid: str, *lines: str) -> OnServer:
    """Someone moves an event of ours in their calendar app; returns it as the server has it."""
    ours = two_way.calendar()[uid]
    text = ours.event.to_ical().decode()
    text = re.sub(r"DTSTART[^\r\n]*\r\n", "", text, count=1)
    text = re.sub(r"DTEND[^\r\n]*\r\n", "", text, count=1)
    text = text.replace("END:VEVENT", "".join(f"{line}\r\n" for line in lines) + "END:VEVENT")
    two_way.put(
        ours.href.rsplit("/", 1)[-1],
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}END:VCALENDAR\r\n",
    )
    return two_way.calendar()[uid]


def move_on_calendar_an_hour_later(two_way: TwoWay, uid: str, *lines: str) -> OnServer:
    """An hour after the last sync, :func:`edit_times_on_calendar`."""
    two_way.later(hours=1)
    return edit_times_on_calendar(two_way, uid, *lines)


def assert_quiet_twice(two_way: TwoWay, uid: str, edited: OnServer) -> None:
    """The next two syncs write nothing on either side, and the calendar keeps the edit."""
    for _ in range(2):
        two_way.later(hours=12)
        night = two_way.sync()
        assert night.exit_code == 0, (night.failures, night.outcomes, night.warnings)
        assert two_way.fake.count("PUT") == 0
        assert two_way.trello_writes == []
        assert two_way.caldav_sent.get("PUT", 0) == 0
        assert [o for o in night.outcomes if o.kind != "skip"] == []
        assert night.warnings == []
        assert two_way.calendar()[uid] == edited


def test_a_calendar_edit_of_times_from_custom_fields_is_written_to_those_fields(
    two_way: TwoWay,
) -> None:
    with_date_fields(two_way, EVENING_FIELDS)
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    assert two_way.calendar()[uid].event.start == datetime(2027, 1, 14, 18, 0, tzinfo=UTC)
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART:20270115T180000Z", "DTEND:20270115T210000Z"
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert report.warnings == []
    assert field_value(two_way, card_id(1), FIELD_START) == "2027-01-15T18:00:00.000Z"
    assert field_value(two_way, card_id(1), FIELD_END) == "2027-01-15T21:00:00.000Z"
    card = two_way.fake.card(card_id(1))  # start and due are not where the times come from
    assert (card["start"], card["due"]) == ("2027-01-12T08:00:00.000Z", "2027-01-12T10:00:00.000Z")
    assert two_way.trello_writes == [
        ("PUT", f"/1/cards/{card_id(1)}/customField/{FIELD_START}/item"),
        ("PUT", f"/1/cards/{card_id(1)}/customField/{FIELD_END}/item"),
    ]
    [update] = [o for o in report.outcomes if o.target == "trello"]
    assert (update.kind, update.status) == ("update", "done")
    assert '"Event start"' in update.detail and '"Event end"' in update.detail
    assert two_way.calendar()[uid] == edited
    assert two_way.caldav_sent.get("PUT", 0) == 0
    assert b"DTSTART:20270115T180000Z" in (two_way.tmp / "out" / "events.ics").read_bytes()
    assert_quiet_twice(two_way, uid, edited)

    # and a later change of the card still reaches the calendar with the calendar's times
    two_way.trello("PUT", f"/cards/{card_id(1)}", name="Breakfast in Leeds (moved)")
    two_way.later(hours=1)
    two_way.sync()
    event = two_way.calendar()[uid].event
    assert str(event["SUMMARY"]) == "Breakfast in Leeds (moved)"
    assert (event.start, event.end) == (
        datetime(2027, 1, 15, 18, 0, tzinfo=UTC),
        datetime(2027, 1, 15, 21, 0, tzinfo=UTC),
    )


def test_an_all_day_calendar_edit_of_times_from_custom_fields_lands_in_local_days(
    two_way: TwoWay,
) -> None:
    # all day on Saturday 10 July 2027 (BST): local 00:00 to 23:59 in the fields
    with_date_fields(
        two_way, {FIELD_START: "2027-07-09T23:00:00.000Z", FIELD_END: "2027-07-10T22:59:00.000Z"}
    )
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    assert two_way.calendar()[uid].event.start == date(2027, 7, 10)
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART;VALUE=DATE:20270717", "DTEND;VALUE=DATE:20270719"
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert field_value(two_way, card_id(1), FIELD_START) == "2027-07-16T23:00:00.000Z"
    assert field_value(two_way, card_id(1), FIELD_END) == "2027-07-18T22:59:00.000Z"
    assert two_way.fake.count("PUT", CARD_PUTS) == 0
    assert two_way.fake.count("PUT", FIELD_PUTS) == 2
    assert two_way.calendar()[uid] == edited
    assert_quiet_twice(two_way, uid, edited)


def test_with_only_the_start_from_a_custom_field_each_time_goes_to_its_own_place(
    two_way: TwoWay,
) -> None:
    with_date_fields(two_way, {FIELD_START: "2027-01-12T09:00:00.000Z"}, fields="start")
    two_way.sync()  # from 09:00 in "Event start" to 10:00, the card's due
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    assert two_way.calendar()[uid].event.end == datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART:20270112T091500Z", "DTEND:20270112T113000Z"
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    card = two_way.fake.card(card_id(1))
    assert field_value(two_way, card_id(1), FIELD_START) == "2027-01-12T09:15:00.000Z"
    assert (card["start"], card["due"]) == ("2027-01-12T08:00:00.000Z", "2027-01-12T11:30:00.000Z")
    assert field_value(two_way, card_id(1), FIELD_END) is None
    assert two_way.trello_writes == [
        ("PUT", f"/1/cards/{card_id(1)}/customField/{FIELD_START}/item"),
        ("PUT", f"/1/cards/{card_id(1)}"),
    ]
    assert two_way.calendar()[uid] == edited
    assert_quiet_twice(two_way, uid, edited)


def test_a_time_field_that_cannot_be_written_is_one_warning_and_the_edit_waits(
    two_way: TwoWay,
) -> None:
    with_date_fields(two_way, EVENING_FIELDS)
    twin = date_field("6a7000000000000000000f03", "Event start")  # a second field of that name
    board = two_way.fake.state.board(BOARD_ID)
    board.board["customFields"].append(twin)
    board.custom_fields[twin["id"]] = twin
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART:20270115T180000Z", "DTEND:20270115T210000Z"
    )
    warning = (
        'calendar: the event of card "Breakfast in Leeds" was edited on the calendar (start, end), '
        'but its start comes from the custom field "Event start" (calendar.start_field) and board '
        '"OneTeamGov Spinoff Events" has 2 date fields of that name: keep one date field of that '
        "name on the board, or change calendar.start_field; the edit waits for the next sync"
    )

    for _ in range(2):  # said every run until fixed; nothing recorded as agreed meanwhile
        result = two_way.cli()

        assert result.exit_code == 0, result.output
        assert f"warning: {warning}" in result.output.splitlines()
        assert two_way.trello_writes == []
        assert two_way.caldav_sent.get("PUT", 0) == 0
        assert two_way.calendar()[uid] == edited  # not put back: the edit is not lost
        assert field_value(two_way, card_id(1), FIELD_START) == "2027-01-14T18:00:00.000Z"
        two_way.later(hours=1)

    # someone deletes the extra field in Trello: the edit is applied, once
    board.board["customFields"].remove(twin)
    del board.custom_fields[twin["id"]]
    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert report.warnings == []
    assert field_value(two_way, card_id(1), FIELD_START) == "2027-01-15T18:00:00.000Z"
    assert field_value(two_way, card_id(1), FIELD_END) == "2027-01-15T21:00:00.000Z"
    assert two_way.fake.count("PUT", FIELD_PUTS) == 2
    assert two_way.calendar()[uid] == edited
    assert_quiet_twice(two_way, uid, edited)


def test_start_and_end_fields_that_name_one_field_are_a_warning_not_a_lost_end(
    two_way: TwoWay,
) -> None:
    with_date_fields(two_way, {FIELD_START: "2027-01-14T18:00:00.000Z"}, fields="start")
    two_way.extra_calendar += '\nend_field = "Event start"'
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART:20270115T180000Z", "DTEND:20270115T210000Z"
    )

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    [warning] = report.warnings
    assert warning.startswith('calendar: the event of card "Breakfast in Leeds" was edited')
    assert 'calendar.start_field and calendar.end_field are both "Event start"' in warning
    assert two_way.trello_writes == []
    assert two_way.calendar()[uid] == edited


def test_a_time_field_write_that_fails_halfway_is_finished_on_the_rerun(two_way: TwoWay) -> None:
    with_date_fields(two_way, EVENING_FIELDS)
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    edited = move_on_calendar_an_hour_later(  # earlier and longer: 17:00 to 20:30
        two_way, uid, "DTSTART:20270114T170000Z", "DTEND:20270114T203000Z"
    )
    two_way.fake.fail_next("PUT", f"/1/cards/{card_id(1)}/customField/{FIELD_END}/item")

    failed = two_way.sync()

    assert failed.exit_code == 1
    assert outcomes(failed, "trello") == [("update", "trello", "failed")]
    assert field_value(two_way, card_id(1), FIELD_START) == "2027-01-14T17:00:00.000Z"
    assert field_value(two_way, card_id(1), FIELD_END) == "2027-01-14T20:00:00.000Z"
    assert two_way.calendar()[uid] == edited
    two_way.later(minutes=5)

    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert conflicts(rerun) == []  # the card's new start is the calendar's own edit
    assert field_value(two_way, card_id(1), FIELD_END) == "2027-01-14T20:30:00.000Z"
    assert two_way.calendar()[uid] == edited
    assert_quiet_twice(two_way, uid, edited)


# -- a card that cannot take the calendar's edit -------------------------------------------------

ALL_DAY_LABEL, ALL_DAY_FIELD = "6a7000000000000000000d01", "6a7000000000000000000f03"


@pytest.mark.parametrize("by", ["label", "checkbox"])
def test_a_timed_edit_of_a_card_made_all_day_is_one_warning_and_never_agreed(
    two_way: TwoWay, by: str
) -> None:
    board = events_board()
    if by == "label":
        label = {"id": ALL_DAY_LABEL, "idBoard": BOARD_ID, "name": "All day", "color": "green"}
        board["labels"] = [label]
        board["cards"][0].update(idLabels=[ALL_DAY_LABEL], labels=[label])
    else:
        board["customFields"] = [{**date_field(ALL_DAY_FIELD, "All day"), "type": "checkbox"}]
        board["cards"][0]["customFieldItems"] = [
            {
                "id": "6a7000000000000000000e10",
                "idCustomField": ALL_DAY_FIELD,
                "idModel": card_id(1),
                "modelType": "card",
                "value": {"checked": "true"},
            }
        ]
    two_way.fake.add_board(board)
    two_way.sync()
    uid = f"trello-{card_id(1)}@{DOMAIN}"
    assert two_way.calendar()[uid].event.start == date(2027, 1, 12)
    edited = move_on_calendar_an_hour_later(
        two_way, uid, "DTSTART:20270112T083000Z", "DTEND:20270112T103000Z"
    )
    card_before = two_way.fake.card(card_id(1))
    fix = "remove the label from" if by == "label" else "untick the checkbox on"

    for night in range(2):  # said every run while it waits: never recorded as agreed
        report = two_way.sync()

        assert report.exit_code == 0, (report.failures, report.outcomes)
        assert report.warnings == [
            'calendar: the event of card "Breakfast in Leeds" was edited on the calendar '
            f'(start, end, all_day), but the card is all-day by its {by} "All day" '
            f"(calendar.all_day_{'label' if by == 'label' else 'field'}) and cannot take the "
            f"calendar's times: {fix} the card and set the same times on it, or make the event "
            "all-day again on the calendar; the edit waits for the next sync"
        ], f"night {night + 1}"
        assert two_way.trello_writes == []
        assert two_way.fake.card(card_id(1)) == card_before
        assert two_way.calendar()[uid] == edited  # neither put back nor lost
        assert [o for o in report.outcomes if o.kind != "skip"] == []
        two_way.later(hours=12)

    if by == "label":  # made all-day again on the calendar: nothing left to take
        edit_times_on_calendar(
            two_way, uid, "DTSTART;VALUE=DATE:20270112", "DTEND;VALUE=DATE:20270113"
        )
    else:  # unticked, and the card given the calendar's times: they agree, no conflict
        two_way.trello(
            "PUT",
            f"/cards/{card_id(1)}/customField/{ALL_DAY_FIELD}/item",
            value={"checked": "false"},
        )
        two_way.trello(
            "PUT",
            f"/cards/{card_id(1)}",
            start="2027-01-12T08:30:00.000Z",
            due="2027-01-12T10:30:00.000Z",
        )
    two_way.later(hours=1)
    settled = two_way.sync()
    assert settled.exit_code == 0 and settled.warnings == [], settled.warnings
    assert conflicts(settled) == []
    if by == "checkbox":
        assert two_way.calendar()[uid].event.start == datetime(2027, 1, 12, 8, 30, tzinfo=UTC)
        assert two_way.fake.card(card_id(1))["start"] == "2027-01-12T08:30:00.000Z"
    two_way.later(hours=1)
    two_way.sync()
    two_way.later(hours=1)
    two_way.assert_nothing_written(two_way.sync())

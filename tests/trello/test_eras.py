"""Boards of every era and habit (issue 15): 2013–2014 labels without ids, history kept across
successive exports of one board, and Trello's date-only starts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from config import BoardConfig
from config.calendar import CalendarConfig
from sync.calendar.mapping import EventSpec, Skip, event_for
from sync.dates import zone
from sync.model import Role
from sync.roundup.gather import Options, Period, gather
from sync.state.store import State
from sync.trello.done import ESTIMATE, HISTORY, Done, done
from sync.trello.exports import read_export
from sync.trello.parse import parse_board
from tests.fakes.kept_boards import card_id, export, list_id, write

LONDON = zone("Europe/London")
CFG = CalendarConfig(domain="oneteamgov.uk")
PERIOD = Period(date(2026, 11, 1), date(2026, 11, 14))


# -- part 4: 2013–2014 labels ---------------------------------------------------------------------


def board_2014() -> dict:
    """As 2013–2014 exports have it: no top-level labels, cards' labels by colour and name only,
    no idLabels, the names in a board-level labelNames map."""
    data = export(
        ["To Do", "Doing", "Done"],
        [
            {"list": "Done", "labels": [{"color": "green", "name": "Website"}]},
            {"list": "Done", "labels": [{"color": "yellow", "name": ""}]},  # named by the board
            {"list": "Done", "labels": [{"color": "green", "name": "Website"}]},
            {"list": "Done"},
        ],
    )
    for card in data["cards"]:
        del card["idLabels"]
        card["dateLastActivity"] = "2026-11-05T10:00:00.000Z"
    del data["labels"]
    data["labelNames"] = {"green": "Website", "yellow": "All day", "red": "", "blue": "Research"}
    return data


def test_labels_without_ids_are_known_by_colour_and_named_by_the_board():
    board = parse_board(board_2014(), role=Role.MICROACTIONS, source="x")
    assert [c.label_names for c in board.cards] == [("Website",), ("All day",), ("Website",), ()]
    assert {(lbl.name, lbl.color) for lbl in board.labels} == {
        ("Website", "green"),
        ("All day", "yellow"),
        ("Research", "blue"),
    }


def test_an_exports_undecoded_cards_give_their_labels_when_the_board_lists_none(tmp_path):
    """Read from a file, each card is decoded only when it is read (schema.py): the labels the
    cards carry are found all the same."""
    path = write(tmp_path / "board.json", board_2014())
    board = read_export(path, BoardConfig("micro", Role.MICROACTIONS, "board.json"))
    assert board.labels == parse_board(board_2014(), role=Role.MICROACTIONS, source="x").labels
    assert {lbl.name for lbl in board.labels} == {"Website", "All day", "Research"}


def test_the_roundup_groups_2014_microactions_by_their_labels():
    board = parse_board(board_2014(), role=Role.MICROACTIONS, source="x")
    # no history: their times are estimates, listed only when asked for
    roundup = gather([board], PERIOD, Options(tz=LONDON, calendar=CFG, include_estimated=True))
    assert {label: len(items) for label, items in roundup.microactions.items()} == {
        "Website": 2,
        "All day": 1,
        "Other microactions": 1,
    }


def test_a_2014_all_day_label_makes_the_event_all_day():
    data = board_2014()
    data["cards"][1]["due"] = "2026-12-02T18:00:00.000Z"
    board = parse_board(data, role=Role.EVENTS, source="x", list_overrides={"Done": "confirmed"})
    spec = event_for(board.cards[1], CFG, LONDON)
    assert isinstance(spec, EventSpec) and spec.all_day
    assert spec.start == date(2026, 12, 2)


# -- part 5: history across successive exports -----------------------------------------------------


def action(n: int, card: int, when: str, to_list: int) -> dict:
    return {
        "id": f"5f00000000000000000a{n:04x}",
        "type": "updateCard",
        "date": when,
        "data": {
            "card": {"id": card_id(card), "name": f"Card {card}", "idList": list_id(to_list)},
            "old": {"idList": list_id(2)},
            "listBefore": {"id": list_id(2)},
            "listAfter": {"id": list_id(to_list)},
        },
    }


def test_a_newer_export_does_not_forget_what_an_older_one_held(tmp_path):
    cards = [{"list": "Done", "dateLastActivity": "2026-11-20T10:00:00.000Z"} for _ in range(2)]
    older = export(
        ["Ideas", "Doing", "Done"], cards, actions=[action(1, 1, "2026-11-03T09:00:00.000Z", 3)]
    )
    # the newer export's 1,000 newest actions no longer reach back to card 1's move
    newer = export(
        ["Ideas", "Doing", "Done"], cards, actions=[action(2, 2, "2026-11-10T09:00:00.000Z", 3)]
    )
    board_cfg = BoardConfig("micro", Role.MICROACTIONS, "board.json")
    path = tmp_path / "board.json"
    with State(tmp_path / "state.db") as state:
        write(path, older)
        read_export(path, board_cfg, state, dry_run=False)
        write(path, newer)
        board = read_export(path, board_cfg, state, dry_run=False)
    assert [done(c) for c in board.cards] == [
        Done(datetime(2026, 11, 3, 9, tzinfo=UTC), HISTORY),
        Done(datetime(2026, 11, 10, 9, tzinfo=UTC), HISTORY),
    ]
    assert board.actions_read == 2
    alone = read_export(path, board_cfg)  # without the state: only what the file holds
    assert done(alone.cards[0]).source == ESTIMATE


def test_a_dry_run_merges_the_history_in_memory_only(tmp_path):
    cards = [{"list": "Done"}]
    board_cfg = BoardConfig("micro", Role.MICROACTIONS, "board.json")
    path = write(
        tmp_path / "board.json",
        export(["Done"], cards, actions=[action(1, 1, "2026-11-03T09:00:00.000Z", 1)]),
    )
    with State(tmp_path / "state.db") as state:
        board = read_export(path, board_cfg, state, dry_run=True)
        assert done(board.cards[0]).source == HISTORY
        assert list(state.action_rows(board.id)) == []


def test_unusable_history_entries_in_an_export_are_left_out(tmp_path):
    board_cfg = BoardConfig("micro", Role.MICROACTIONS, "board.json")
    junk = [{"id": ["x"], "date": "2026-11-03T09:00:00.000Z"}, {"id": "a1", "date": {}}, "no"]
    path = write(tmp_path / "board.json", export(["Done"], [{"list": "Done"}], actions=junk))
    with State(tmp_path / "state.db") as state:
        board = read_export(path, board_cfg, state, dry_run=False)
    assert board.actions_read == 0 and len(board.cards) == 1


# -- part 6: date-only starts --------------------------------------------------------------------


def event_card(**dates):
    data = export(["Confirmed"], [{"list": "Confirmed", "name": "Camp"} | dates])
    return parse_board(data, role=Role.EVENTS, source="x").cards[0]


def test_a_date_only_start_is_the_start_of_its_day_and_the_due_keeps_its_time():
    """Set in the Trello app: start 17 August (stored 12:00 UTC), due 19 August 16:00 BST."""
    spec = event_for(
        event_card(start="2026-08-17T12:00:00.000Z", due="2026-08-19T15:00:00.000Z"), CFG, LONDON
    )
    assert isinstance(spec, EventSpec) and not spec.all_day
    assert spec.start == datetime(2026, 8, 16, 23, tzinfo=UTC)  # 00:00 BST on the 17th
    assert spec.end == datetime(2026, 8, 19, 15, tzinfo=UTC)


def test_a_date_only_start_with_no_due_is_an_all_day_event():
    spec = event_for(event_card(start="2026-08-17T12:00:00.000Z"), CFG, LONDON)
    assert isinstance(spec, EventSpec) and spec.all_day
    assert (spec.start, spec.end) == (date(2026, 8, 17), date(2026, 8, 18))


def test_a_date_only_start_on_the_due_day_leaves_the_due_as_the_time():
    spec = event_for(
        event_card(start="2026-08-17T12:00:00.000Z", due="2026-08-17T17:00:00.000Z"), CFG, LONDON
    )
    assert isinstance(spec, EventSpec)
    assert (spec.start, spec.end) == (
        datetime(2026, 8, 17, 17, tzinfo=UTC),
        datetime(2026, 8, 17, 19, tzinfo=UTC),
    )


def test_a_start_with_a_time_keeps_it():
    spec = event_for(
        event_card(start="2026-08-17T12:30:00.000Z", due="2026-08-17T15:00:00.000Z"), CFG, LONDON
    )
    assert isinstance(spec, EventSpec)
    assert spec.start == datetime(2026, 8, 17, 12, 30, tzinfo=UTC)


def test_an_imported_event_at_noon_utc_keeps_its_time():
    card = event_card(
        start="2026-08-17T12:00:00.000Z",
        due="2026-08-17T13:00:00.000Z",
        desc="Lunch.\n\n---\nAdded on the events calendar.\notg-uid: lunch@their.app",
    )
    spec = event_for(card, CFG, LONDON)
    assert isinstance(spec, EventSpec) and spec.start == datetime(2026, 8, 17, 12, tzinfo=UTC)


def test_a_date_only_start_after_the_due_is_still_told():
    skip = event_for(
        event_card(start="2026-08-19T12:00:00.000Z", due="2026-08-17T15:00:00.000Z"), CFG, LONDON
    )
    assert isinstance(skip, Skip) and "before it starts" in skip.reason

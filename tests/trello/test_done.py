"""Whether and when a card was done: one rule for the sync summary, `otg boards` and the roundup.

Small boards reproduce what real ones do: cards bulk-stamped long after they were done (their move
into Done older than the history), a board keeping its own "End" date, a ticked due date in a list
mapped to ignore, and a card moved back out of Done.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from config import BoardConfig
from sync.model import Role
from sync.report import summarise
from sync.trello.done import ESTIMATE, FIELD, HISTORY, Done, DoneRules, done
from sync.trello.parse import parse_board

DOING, DONE, OLD = (
    "5f00000000000000000000b1",
    "5f00000000000000000000b2",
    "5f00000000000000000000b3",
)
END_FIELD = "5f00000000000000000000f1"
BULK = "2026-11-20T10:00:00.000Z"  # the day someone relabelled every card


def card(n: int, list_id: str = DONE, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"5f0000000000000000000c{n:02d}",
        "name": f"Microaction {n}",
        "idList": list_id,
        "closed": False,
        "dateLastActivity": BULK,
        **fields,
    }


def move(n: int, when: str, to: str, came_from: str) -> dict[str, Any]:
    card_id = f"5f0000000000000000000c{n:02d}"
    return {
        "id": f"5f0000000000000000000a{n:02d}{to[-1]}",
        "type": "updateCard",
        "date": when,
        "data": {
            "card": {"id": card_id, "idList": to},
            "old": {"idList": came_from},
            "listBefore": {"id": came_from},
            "listAfter": {"id": to},
        },
    }


def export(cards: list[dict[str, Any]], actions: list[dict[str, Any]] = ()) -> dict[str, Any]:
    return {
        "id": "5f00000000000000000000e1",
        "name": "Microactions",
        "lists": [
            {"id": DOING, "name": "Doing", "closed": False, "pos": 1},
            {"id": DONE, "name": "Done", "closed": False, "pos": 2},
            {"id": OLD, "name": "Old stuff", "closed": False, "pos": 3},
        ],
        "customFields": [{"id": END_FIELD, "name": "End", "type": "date"}],
        "cards": cards,
        "actions": list(actions),
    }


def read(data: dict[str, Any], cfg: BoardConfig):
    return parse_board(
        data, role=cfg.role, source="test.json", list_overrides=cfg.lists, read_only=True
    )


CFG = BoardConfig("m", Role.MICROACTIONS, "test.json", lists={"Old stuff": "ignore"})


def end_date(when: str) -> list[dict[str, Any]]:
    return [{"idCustomField": END_FIELD, "value": {"date": when}}]


def test_bulk_stamped_cards_done_before_the_history_are_estimates_not_history():
    board = read(
        export(
            [card(1), card(2), card(3)],
            [move(3, "2026-11-19T09:00:00.000Z", DONE, DOING)],
        ),
        CFG,
    )
    found = [done(c) for c in board.cards]
    assert found == [
        Done(datetime(2026, 11, 20, 10, tzinfo=UTC), ESTIMATE),  # only the bulk edit's time
        Done(datetime(2026, 11, 20, 10, tzinfo=UTC), ESTIMATE),
        Done(datetime(2026, 11, 19, 9, tzinfo=UTC), HISTORY),
    ]
    assert [f.known for f in found if f] == [False, False, True]


def test_a_configured_completion_date_field_wins_over_a_guess():
    cfg = BoardConfig(**{**CFG.__dict__, "done_date_field": "End"})
    board = read(
        export([card(1, customFieldItems=end_date("2026-06-30T12:00:00.000Z")), card(2)]), cfg
    )
    rules = DoneRules.of(cfg)
    assert done(board.cards[0], rules) == Done(datetime(2026, 6, 30, 12, tzinfo=UTC), FIELD)
    assert done(board.cards[1], rules).source == ESTIMATE  # no End date: still a guess
    assert done(board.cards[0]).source == ESTIMATE  # the field counts only when configured


def test_a_ticked_due_date_counts_only_where_the_config_says_and_never_in_an_ignored_list():
    ticked = {"dueComplete": True, "dateCompleted": "2026-11-18T09:00:00.000Z"}
    board = read(export([card(1, OLD, **ticked), card(2, DOING, **ticked)]), CFG)
    assert [done(c) for c in board.cards] == [None, None]
    on = DoneRules(when_due_complete=True)
    assert done(board.cards[0], on) is None  # the ignored list stays ignored
    assert done(board.cards[1], on) == Done(datetime(2026, 11, 18, 9, tzinfo=UTC), HISTORY)


def test_a_card_moved_back_out_of_done_is_not_done_and_the_summary_agrees():
    moved_back = card(1, DOING, dueComplete=True, dateCompleted="2026-11-18T09:00:00.000Z")
    board = read(
        export(
            [moved_back, card(2, OLD, dueComplete=True)],
            [
                move(1, "2026-11-19T09:00:00.000Z", DOING, DONE),
                move(1, "2026-11-18T09:00:00.000Z", DONE, DOING),
            ],
        ),
        CFG,
    )
    assert done(board.cards[0]) is None
    assert summarise(CFG, board).states == {"doing": 1, "ignore": 1}
    with_ticks = BoardConfig(**{**CFG.__dict__, "done_when_due_complete": True})
    assert summarise(with_ticks, board).states == {"done": 1, "ignore": 1}


def test_moving_between_two_done_lists_keeps_the_first_arrival():
    cfg = BoardConfig(**{**CFG.__dict__, "lists": {"Old stuff": "done"}})
    board = read(
        export(
            [card(1, OLD)],
            [
                move(1, "2026-11-21T09:00:00.000Z", OLD, DONE),
                move(1, "2026-11-10T09:00:00.000Z", DONE, DOING),
            ],
        ),
        cfg,
    )
    assert done(board.cards[0]) == Done(datetime(2026, 11, 10, 9, tzinfo=UTC), HISTORY)

"""A board's history read lazily: the same model as reading every entry up front, and only the
entries of cards that ask (done, ticked, deleted) ever read into an Action."""

from __future__ import annotations

import json

import msgspec

from sync.model import Role
from sync.trello import board_history
from sync.trello.board_history import History, parse_action
from sync.trello.done import COMPLETED_STATES
from sync.trello.parse import parse_board
from sync.trello.schema import read_board
from tests.fakes.boards import synthetic_board


def _entry(action_id, date, card_id="", name="", kind="updateCard"):
    card = {"id": card_id, "name": name} if card_id else {}
    return {"id": action_id, "type": kind, "date": date, "data": {"card": card}}


def test_history_gives_what_reading_every_entry_gave():
    entries = [
        _entry("a5", "2026-11-05T10:00:00.000Z", "c1", "Newest name"),
        _entry("a4", "not a date", "c1", "Unreadable"),  # left out, as parse_action leaves it
        {"id": 7, "type": "updateCard", "date": "2026-11-04T10:00:00.000Z"},  # no text id
        _entry("a3", "2026-11-03T10:00:00.000Z", "gone", "", kind="deleteCard"),
        _entry("a2", "2026-11-02T10:00:00.000Z", "gone", "Old name"),
        _entry("a1", "2026-11-05T10:00:00.000Z", "c1", "Same time, smaller id"),
        "junk",
    ]
    history = History.of(entries)
    every = [a for a in map(parse_action, [e for e in entries if isinstance(e, dict)]) if a]
    assert history.count == len(every) == 4
    assert list(history) == every  # in the order given
    assert [a.id for a in history.get("c1")] == ["a5", "a1"]  # newest first, then by id
    assert history.get("nobody") == ()
    (deleted,) = history.deleted({"c1"})
    assert (deleted.id, deleted.name) == ("gone", "Old name")  # its newest entry that names it
    assert history.deleted({"c1", "gone"}) == ()


def test_only_the_cards_that_ask_have_their_history_read(monkeypatch):
    board = synthetic_board(300, role="microactions")
    expected = parse_board(json.loads(json.dumps(board)), role=Role.MICROACTIONS, source="x")
    read: list[str] = []

    def counted(raw):
        action = parse_action(raw)
        read.append(action.card_id if action else "")
        return action

    monkeypatch.setattr(board_history, "parse_action", counted)
    data = read_board(msgspec.json.encode(board))  # as an export file is read
    lazy = parse_board(data, role=Role.MICROACTIONS, source="x")
    assert lazy == expected  # the same cards, done times, deletions and count
    asked = {c.id for c in lazy.cards if c.state in COMPLETED_STATES or c.due_complete}
    asked |= {d.id for d in lazy.deleted}
    assert read and set(read) <= asked
    assert len(read) < lazy.actions_read  # the others' entries are never read into an Action

"""A board's history read lazily: the same model as reading every entry up front, and only the
entries of cards that ask (done, ticked, deleted) ever read into an Action."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import msgspec

from sync.model import Action, DeletedCard, Role
from sync.trello import board_history
from sync.trello.board_history import History, parse_action
from sync.trello.done import COMPLETED_STATES
from sync.trello.parse import parse_board
from sync.trello.schema import read_board
from tests.fakes.boards import synthetic_board


def _entry(action_id, date, card_id="", name="", kind="updateCard"):
    card = {"id": card_id, "name": name} if card_id else {}
    return {"id": action_id, "type": kind, "date": date, "data": {"card": card}}


class EveryEntryRead:
    """The expectation, built without ``History``: every entry read into an Action up front
    (``parse_action``), a card's actions sorted newest first by (date, id), and a deleted card
    named by its newest entry that names it, as the reader did before entries were read lazily."""

    def __init__(self, entries: list[Any]) -> None:
        raw = [entry for entry in entries if isinstance(entry, dict)]
        self.actions = [a for a in map(parse_action, raw) if a is not None]  # in history order
        self.count = len(self.actions)
        self.by_card: dict[str, list[Action]] = defaultdict(list)
        for action in sorted(self.actions, key=lambda a: (a.date, a.id), reverse=True):
            if action.card_id:
                self.by_card[action.card_id].append(action)

    def get(self, card_id: str, default: Any = ()) -> Any:
        return self.by_card.get(card_id, default)

    def deleted(self, present: set[str]) -> tuple[DeletedCard, ...]:
        names: dict[str, str] = {}
        for action in self.actions:
            if action.card_id and action.card_name:
                names.setdefault(action.card_id, action.card_name)
        found: dict[str, DeletedCard] = {}
        for action in self.actions:
            if action.type == "deleteCard" and action.card_id and action.card_id not in present:
                found.setdefault(
                    action.card_id,
                    DeletedCard(action.card_id, names.get(action.card_id, ""), action.date),
                )
        return tuple(found.values())


def test_history_gives_what_reading_every_entry_gave():
    entries = [
        _entry("a5", "2026-11-05T10:00:00.000Z", "c1", "Newest name"),
        _entry("a4", "not a date", "c1", "Unreadable"),  # left out, as parse_action leaves it
        {"id": 7, "type": "updateCard", "date": "2026-11-04T10:00:00.000Z"},  # no text id
        _entry("a3", "2026-11-03T10:00:00.000Z", "gone", "", kind="deleteCard"),
        _entry("a2", "2026-11-02T10:00:00.000Z", "gone", "Old name"),
        _entry("a1", "2026-11-05T10:00:00.000Z", "c1", "Same time, smaller id"),
        _entry("a0", "2026-11-01T10:00:00.000Z", "gone", "Oldest name"),
        _entry("a00", "2026-11-01T09:00:00.000Z", "gone", "", kind="deleteCard"),  # older
        _entry("a9", "2026-11-05T10:00:00.000Z", "c1", "Same time, bigger id, given last"),
        "junk",
    ]
    history = History.of(entries)
    every = EveryEntryRead(entries)
    assert history.count == every.count == 7
    assert list(history) == every.actions  # in the order given
    assert history.get("c1") == every.get("c1")
    assert [a.id for a in history.get("c1")] == ["a9", "a5", "a1"]  # newest first, then by id
    assert history.get("gone") == every.get("gone")
    assert history.get("nobody") == ()
    (deleted,) = history.deleted({"c1"})
    assert history.deleted({"c1"}) == every.deleted({"c1"})
    assert (deleted.id, deleted.name) == ("gone", "Old name")  # its newest entry that names it
    assert deleted.deleted_at.day == 3  # its newest deletion
    assert history.deleted({"c1", "gone"}) == ()


def test_only_the_cards_that_ask_have_their_history_read(monkeypatch):
    board = synthetic_board(300, role="microactions")
    every = EveryEntryRead(board["actions"])
    expected = parse_board(
        json.loads(json.dumps(board)), role=Role.MICROACTIONS, source="x", history=every
    )
    assert expected.deleted and any(every.get(c.id) and c.completed_at for c in expected.cards)
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

"""Board state behind :class:`tests.fakes.trello.FakeTrello`.

This module fakes what Trello keeps on its servers: the boards (stored as deep copies of exports),
indexes to find boards, cards, lists and labels by id or short link, the minting of new ObjectIds
and timestamps from the fake clock, and the board's action log (newest first). The shared
request/response helpers (id validation, dates, field projection, errors) are in
:mod:`tests.fakes.trello_wire`.
"""

from __future__ import annotations

import gc
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fakes.trello_wire import check_id, format_date, id_time, not_found, parse_date

#: Writes are stamped with this wall-clock time plus the fake clock's elapsed seconds.
WALL_CLOCK_BASE = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC).timestamp()


@dataclass
class BoardState:
    """One stored board: the export's board object plus indexes kept in step with it."""

    board: dict[str, Any]
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)
    lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    custom_fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Bumped whenever cards are added or removed (invalidates the id-sorted card cache).
    card_version: int = 0
    _card_order: tuple[int, list[str], list[dict[str, Any]]] | None = None
    _action_order: tuple[int, list[int] | None, list[float] | None] | None = None
    _by_card: tuple[int, dict[str, list[dict[str, Any]]]] | None = None

    @property
    def actions(self) -> list[dict[str, Any]]:
        """The board's action log, newest first."""
        return self.board["actions"]

    def cards_by_id(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Lowercase card ids ascending, and the cards newest id first (cached)."""
        if self._card_order is None or self._card_order[0] != self.card_version:
            cards = sorted(self.board["cards"], key=lambda c: c["id"].lower())
            self._card_order = (self.card_version, [c["id"].lower() for c in cards], cards[::-1])
        return self._card_order[1], self._card_order[2]

    def actions_of(self, card_id: str) -> list[dict[str, Any]]:
        """One card's actions, newest first (indexed; rebuilt when an action is added)."""
        actions = self.actions
        if self._by_card is None or self._by_card[0] != len(actions):
            index: dict[str, list[dict[str, Any]]] = {}
            for action in actions:
                card = (action.get("data") or {}).get("card") or {}
                index.setdefault(card.get("id", ""), []).append(action)
            self._by_card = (len(actions), index)
        return self._by_card[1].get(card_id, [])

    def action_order(self) -> tuple[list[int] | None, list[float] | None]:
        """Negated id times and negated dates of the newest-first actions, each only when
        ascending (so it can be bisected); cached until an action is added."""
        actions = self.actions
        if self._action_order is None or self._action_order[0] != len(actions):
            times = [-id_time(a["id"]) for a in actions]
            dates = [-(parse_date(a.get("date") or "") or 0.0) for a in actions]
            self._action_order = (
                len(actions),
                times if times == sorted(times) else None,
                dates if dates == sorted(dates) else None,
            )
        return self._action_order[1], self._action_order[2]

    def ref(self) -> dict[str, Any]:
        """The ``data.board`` stub Trello puts in actions."""
        return {
            "id": self.board["id"],
            "name": self.board.get("name", ""),
            "shortLink": self.board.get("shortLink", ""),
        }

    def list_ref(self, list_id: str | None) -> dict[str, Any]:
        """The ``data.list`` stub Trello puts in actions."""
        found = self.lists.get(list_id or "")
        return {"id": list_id, "name": found.get("name", "") if found else ""}


class TrelloState:
    """All boards held by the fake, with id minting and action logging driven by a clock."""

    def __init__(self, elapsed: Callable[[], float], member: dict[str, Any]) -> None:
        self._elapsed = elapsed
        self.member = member
        self.boards: dict[str, BoardState] = {}
        self.card_index: dict[str, tuple[BoardState, dict[str, Any]]] = {}
        self.list_index: dict[str, BoardState] = {}
        self.label_index: dict[str, BoardState] = {}
        #: When set, nested card loads of bigger boards answer API_TOO_MANY_CARDS_REQUESTED.
        self.max_nested_cards: int | None = None
        self._counter = 0

    # ----------------------------------------------------------------- loading
    def add_board(self, export: dict[str, Any]) -> BoardState:
        """Store a deep copy of an export and index it (tolerating old export formats)."""
        collecting = gc.isenabled()
        gc.disable()  # ~100k small dicts on big boards: the cyclic GC would only slow this
        try:
            # A deep copy; pickle is several times faster than deepcopy or a JSON round trip.
            return self._add_copy(pickle.loads(pickle.dumps(export, protocol=5)))  # noqa: S301
        finally:
            if collecting:
                gc.enable()

    def _add_copy(self, board: dict[str, Any]) -> BoardState:
        for key in ("actions", "cards", "checklists", "customFields", "lists", "members"):
            board.setdefault(key, [])
        if "labels" not in board:  # some 2015 exports: the API still knows the labels
            seen: dict[str, dict[str, Any]] = {}
            for card in board["cards"]:
                for label in card.get("labels") or []:
                    seen.setdefault(label["id"], {"idBoard": board["id"], **label})
            board["labels"] = list(seen.values())
        board["actions"].sort(key=lambda a: (a.get("date", ""), a["id"]), reverse=True)
        state = BoardState(board=board)
        state.lists = {lst["id"]: lst for lst in board["lists"]}
        state.labels = {label["id"]: label for label in board["labels"]}
        state.custom_fields = {cf["id"]: cf for cf in board["customFields"]}
        for card in board["cards"]:
            self._index_card(state, card)
        for list_id in state.lists:
            self.list_index[list_id] = state
        for label_id in state.labels:
            self.label_index[label_id] = state
        self.boards[board["id"]] = state
        if board.get("shortLink"):
            self.boards[board["shortLink"]] = state
        return state

    def _index_card(self, state: BoardState, card: dict[str, Any]) -> None:
        state.card_version += 1
        state.cards[card["id"]] = card
        self.card_index[card["id"]] = (state, card)
        if card.get("shortLink"):
            self.card_index[card["shortLink"]] = (state, card)

    def insert_card(self, state: BoardState, card: dict[str, Any]) -> None:
        """Add a new card to a board and its indexes."""
        state.board["cards"].append(card)
        self._index_card(state, card)

    def remove_card(self, state: BoardState, card: dict[str, Any]) -> None:
        """Delete a card and its checklists, as ``DELETE /1/cards/{id}`` does."""
        state.board["cards"] = [c for c in state.board["cards"] if c["id"] != card["id"]]
        state.board["checklists"] = [
            c for c in state.board["checklists"] if c.get("idCard") != card["id"]
        ]
        del state.cards[card["id"]]
        state.card_version += 1
        self.card_index.pop(card["id"], None)
        self.card_index.pop(card.get("shortLink", ""), None)

    def insert_label(self, state: BoardState, label: dict[str, Any]) -> None:
        """Add a new label to a board and its indexes."""
        state.board["labels"].append(label)
        state.labels[label["id"]] = label
        self.label_index[label["id"]] = state

    # ----------------------------------------------------------------- lookups
    def board(self, board_id: str) -> BoardState:
        """Find a board by id or short link: 400 ``invalid id`` / 404 as the real API."""
        found = self.boards.get(check_id(board_id))
        if found is None:
            raise not_found()
        return found

    def card(self, card_id: str) -> tuple[BoardState, dict[str, Any]]:
        """Find a card (archived ones too) by id or short link."""
        found = self.card_index.get(check_id(card_id))
        if found is None:
            raise not_found()
        return found

    # ------------------------------------------------------------ time and ids
    def now(self) -> float:
        """Current fake wall-clock time: 2026-11-21T12:00:00Z + elapsed fake seconds."""
        return WALL_CLOCK_BASE + self._elapsed()

    def now_iso(self) -> str:
        """:meth:`now` formatted like Trello dates."""
        return format_date(self.now())

    def mint_id(self) -> str:
        """A new ObjectId: current fake time in the first 8 hex digits, then a counter."""
        self._counter += 1
        return f"{int(self.now()):08x}fa4e{self._counter:012x}"

    def mint_short_link(self) -> str:
        """A new unused 8-character short link."""
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        while True:
            self._counter += 1
            number, chars = self._counter, []
            for _ in range(6):
                number, digit = divmod(number, 62)
                chars.append(alphabet[digit])
            link = "Fk" + "".join(reversed(chars))
            if link not in self.card_index and link not in self.boards:
                return link

    # ----------------------------------------------------------------- actions
    def log_action(
        self,
        state: BoardState,
        action_type: str,
        data: dict[str, Any],
        card: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Prepend an action to the board's log and bump ``dateLastActivity`` stamps."""
        now = self.now_iso()
        action = {
            "id": self.mint_id(),
            "idMemberCreator": self.member["id"],
            "data": {**data, "board": state.ref()},
            "appCreator": None,
            "type": action_type,
            "date": now,
            "limits": {},
            "memberCreator": dict(self.member),
        }
        state.actions.insert(0, action)
        state.board["dateLastActivity"] = now
        if card is not None:
            card["dateLastActivity"] = now
        return action


def card_ref(card: dict[str, Any], *extra: str) -> dict[str, Any]:
    """The ``data.card`` stub Trello puts in actions (plus the changed ``extra`` keys)."""
    ref = {key: card.get(key) for key in extra}
    ref.update(
        id=card["id"],
        name=card.get("name", ""),
        idShort=card.get("idShort"),
        shortLink=card.get("shortLink"),
    )
    return ref

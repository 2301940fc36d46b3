"""Board state behind :class:`tests.fakes.trello.FakeTrello`.

This module fakes what Trello keeps on its servers: the boards (stored as deep copies of exports),
indexes to find boards, cards, lists and labels by id or short link, the minting of new ObjectIds
and timestamps from the fake clock, and the board's action log (newest first). It also holds the
small helpers every route shares: id validation, date parsing/formatting, field projection and the
plain-text errors the real API answers with.
"""

from __future__ import annotations

import gc
import pickle
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

HEX_ID = re.compile(r"[0-9a-fA-F]{24}")
SHORT_LINK = re.compile(r"[A-Za-z0-9]{8}")

#: Writes are stamped with this wall-clock time plus the fake clock's elapsed seconds.
WALL_CLOCK_BASE = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC).timestamp()

#: Keys of an export's board object that are nested resources, not board fields.
NESTED_BOARD_KEYS = frozenset(
    {
        "actions",
        "cards",
        "checklists",
        "customFields",
        "labels",
        "lists",
        "members",
        "memberships",
        "pluginData",
    }
)
#: Keys of a card that the API returns only when asked for (not part of ``card_fields=all``).
CARD_EXTRA_KEYS = frozenset(
    {
        "attachments",
        "customFieldItems",
        "pluginData",
        "checklists",
        "actions",
        "members",
        "stickers",
        "list",
        "board",
    }
)
#: The spec's default for ``GET /1/boards/{id}?fields=``.
DEFAULT_BOARD_FIELDS = frozenset(
    {
        "name",
        "desc",
        "descData",
        "closed",
        "idOrganization",
        "pinned",
        "url",
        "shortUrl",
        "prefs",
        "labelNames",
    }
)
LABEL_COLORS = frozenset(
    {"green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black"}
    | {
        f"{c}_{shade}"
        for c in (
            "green",
            "yellow",
            "orange",
            "red",
            "purple",
            "blue",
            "sky",
            "lime",
            "pink",
            "black",
        )
        for shade in ("dark", "light")
    }
)
NOT_FOUND_TEXT = "The requested resource was not found."
TEXT = "text/plain; charset=utf-8"
JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Call:
    """One parsed request as the route handlers see it."""

    method: str
    path: str
    args: tuple[str, ...]
    query: dict[str, str]
    body: dict[str, Any]

    @property
    def params(self) -> dict[str, Any]:
        """Query parameters and body fields together (the body wins), as Trello merges them."""
        return {**self.query, **self.body}


class ApiError(Exception):
    """An error answer, raised from deep inside a route and turned into a response."""

    def __init__(self, status: int, body: Any, content_type: str = TEXT) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.content_type = content_type


def not_found() -> ApiError:
    """404 as Trello answers for unknown boards, cards and lists."""
    return ApiError(404, NOT_FOUND_TEXT)


def invalid_value(name: str) -> ApiError:
    """400 ``invalid value for <param>`` as Trello answers for bad parameters."""
    return ApiError(400, f"invalid value for {name}")


def check_id(value: str) -> str:
    """Accept a 24-hex ObjectId or an 8-character short link; else 400 ``invalid id``."""
    if HEX_ID.fullmatch(value) or SHORT_LINK.fullmatch(value):
        return value
    raise ApiError(400, "invalid id")


def id_time(object_id: str) -> int:
    """The Unix time embedded in an ObjectId's first 8 hex digits."""
    return int(object_id[:8], 16)


def format_date(timestamp: float) -> str:
    """Format Unix seconds the way Trello does: ``2026-11-21T12:00:00.000Z``."""
    millis = round(timestamp * 1000)
    seconds, millis = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def parse_date(text: str) -> float | None:
    """Parse an ISO 8601 date or datetime (``Z`` or offset; naive means UTC); None if invalid."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_bool(value: Any, name: str) -> bool:
    """Trello booleans arrive as JSON booleans or the strings ``true``/``false``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid_value(name)


def parse_fields(value: str | None, default: Iterable[str] | None = None) -> set[str] | None:
    """``fields=all`` → None (everything); ``a,b`` → {"a", "b"}; absent → ``default``."""
    if value is None:
        return None if default is None else set(default)
    if value == "all":
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def project(obj: dict[str, Any], fields: set[str] | None, skip: frozenset[str]) -> dict[str, Any]:
    """Shallow copy of ``obj`` with only ``fields`` (and always ``id``), minus ``skip`` keys."""
    return {
        key: value
        for key, value in obj.items()
        if key not in skip and (fields is None or key in fields or key == "id")
    }


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

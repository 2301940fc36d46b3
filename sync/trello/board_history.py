"""A board's history, each entry read into an ``Action`` only when a card asks for it.

A board's history is tens of thousands of entries, but a card's is asked for only when the card
is done or its due date ticked (``card.py``: when it came into its completed list, when it was
ticked), and a card's name only when the card was deleted. Reading every entry into an
``Action`` up front cost a third of reading a board, and left some 20 MiB of small objects
scattered through memory for each big board read. Here each entry is checked once (an id, a date
that can be read: ``parse_action`` below would read it) and kept as it came (an export's
undecoded slice, a state row's text, the API's dict) under its card; a card's entries are read
when it asks, newest first, as they always were.

What it gives is what reading every entry gave: ``count`` the entries read (``actions_read``),
``get`` a card's actions newest first, ``deleted`` the cards that survive only as a
``deleteCard`` entry. Iterating gives every entry's action in history order (tests, debugging).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from sys import intern
from typing import Any

from sync.dates import BadDate, parse_utc
from sync.model import Action, DeletedCard
from sync.trello.schema import action_of, read_action
from sync.trello.values import ref, text

_NONE: tuple[Action, ...] = ()


class History:
    """A board's history entries, in the order given (newest first), read when asked."""

    def __init__(self) -> None:
        self.count = 0  # entries read into the model: what ``parse_action`` reads
        self._order: list[Any] = []  # every entry read, in order
        self._by_card: dict[str, list[Any]] = {}  # card id → its entries, in order
        self._deletions: list[Any] = []  # the ``deleteCard`` entries, in order
        self._last: tuple[str | None, list[Action]] = (None, [])  # asked twice: done, ticked

    @classmethod
    def of(cls, items: Iterable[Any]) -> History:
        """The history of ``items`` in their order (an export's ``actions``, or a list of
        dicts); items that are not objects are left out."""
        history = cls()
        for item in items:
            history.add(item, action_of(item))
        return history

    def add(self, source: Any, entry: Any) -> None:
        """The next (older) entry: ``entry`` is ``source`` decoded (``action_of`` of an
        export's slice or the API's dict, ``read_action`` of a state row's text), and
        ``source`` what is kept to read it again when asked."""
        self.add_checked(source, *(checked(entry) or (None, False)))

    def add_checked(self, source: Any, card_id: str | None, deletion: bool) -> None:
        """As ``add``, given what ``checked`` said of the entry (None: left out)."""
        if card_id is None:
            return
        self.count += 1
        self._order.append(source)
        if card_id:
            entries = self._by_card.get(card_id)
            if entries is None:
                self._by_card[_copy(card_id)] = entries = []
            entries.append(source)
            if deletion:
                self._deletions.append(source)

    def get(self, card_id: str, default: Any = _NONE) -> list[Action] | Any:
        """The card's actions, newest first (by date, then id); ``default`` when it has none."""
        if card_id == self._last[0]:
            return self._last[1]
        sources = self._by_card.get(card_id)
        if sources is None:
            return default
        actions = sorted(_read(sources), key=lambda a: (a.date, a.id), reverse=True)
        self._last = (card_id, actions)
        return actions

    def deleted(self, present: set[str]) -> tuple[DeletedCard, ...]:
        """The cards deleted (a ``deleteCard`` entry) that are not ``present``: each with its
        name from its newest entry that names it, and when its newest deletion was."""
        found: dict[str, DeletedCard] = {}
        for action in _read(self._deletions):
            card_id = action.card_id
            if card_id and card_id not in present and card_id not in found:
                found[card_id] = DeletedCard(card_id, self._name(card_id), action.date)
        return tuple(found.values())

    def _name(self, card_id: str) -> str:
        return next((a.card_name for a in _read(self._by_card[card_id]) if a.card_name), "")

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Action]:
        return _read(self._order)


def checked(entry: Any) -> tuple[str, bool] | None:
    """What a history entry (decoded) is about: its card's id ("" for none) and whether it is
    a card's deletion; None when ``parse_action`` leaves it out (no text id, or no date that
    can be read)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        return None
    try:
        if parse_utc(entry.get("date")) is None:
            return None
    except BadDate:
        return None
    data = entry.get("data")
    card = data.get("card") if isinstance(data, dict) else None
    card_id = text(card.get("id")) if isinstance(card, dict) else ""
    # interned: a card's two or three entries, held together until ordered, share one string
    return intern(card_id), bool(card_id) and text(entry.get("type")) == "deleteCard"


def _copy(card_id: str) -> str:
    """A new string equal to ``card_id``. The one decoded with an entry was made among the
    entry's other strings, all dropped once it is checked (``history_merge.merged_history`` holds
    them until it has ordered every entry); kept as a key, it would keep their memory from being
    used again: some 10 MiB more for each big board read (measured)."""
    return card_id.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")


def _read(sources: Iterable[Any]) -> Iterator[Action]:
    for source in sources:
        action = parse_action(read_action(source) if isinstance(source, str) else action_of(source))
        if action is not None:
            yield action


#: Actions after which a card is in ``data.list``.
ARRIVALS = frozenset(
    {"createCard", "copyCard", "moveCardToBoard", "convertToCardFromCheckItem", "emailCard"}
)


def parse_action(raw: dict[str, Any]) -> Action | None:
    """One history entry; ``None`` when it is unreadable (history is a help, never a must)."""
    try:
        date = parse_utc(raw.get("date"))
    except BadDate:
        return None
    if not isinstance(raw.get("id"), str) or date is None:
        return None
    action_id = text(raw["id"])
    data = _object(raw.get("data"))
    card = _object(data.get("card"))
    old = _object(data.get("old"))
    kind = text(raw.get("type"))
    list_before = ref(data.get("listBefore"))
    list_after = ref(data.get("listAfter"))
    if list_after is None and "idList" in old:
        list_after = text(card.get("idList")) or None
        list_before = text(old.get("idList")) or None
    if list_after is None and kind in ARRIVALS:
        list_after = ref(data.get("list"))
    card_id = text(card.get("id"))
    member_id = text(raw.get("idMemberCreator"))
    # A board's tens of thousands of entries name a few lists, members and kinds, and each card
    # two or three times: one string each (intern) instead of one per entry.
    return Action(
        id=action_id,
        type=intern(kind),
        date=date,
        card_id=intern(card_id) if card_id else None,
        card_name=text(card.get("name")),
        list_before=intern(list_before) if list_before else None,
        list_after=intern(list_after) if list_after else None,
        closed=bool(card.get("closed")) if "closed" in old else None,
        due_complete=bool(card.get("dueComplete")) if "dueComplete" in old else None,
        member_id=intern(member_id) if member_id else None,
    )


_NOTHING: dict[str, Any] = {}


def _object(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one (never changed) for anything else."""
    return value if isinstance(value, dict) else _NOTHING

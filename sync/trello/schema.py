"""The parts of a Trello board's JSON the reader uses, as msgspec decoding types: a board export is
decoded straight into them, and every other key (a card's ``badges``, ``descData``,
``pluginData``; an action's ``memberCreator``, ``data.board``…) is skipped without being built.

A board's cards and history entries are first kept as their JSON text (``msgspec.Raw``, a slice
of the file's bytes), and each is decoded when it is read (``card_of``, ``action_of``), made into
the model, and dropped: only one card's dict is alive at a time, not 20,000.

Each type is a ``TypedDict``, so what comes out is still plain dicts and lists, read with
``.get()`` by ``parse.py``, ``card.py`` and ``values.py`` exactly as the generic decode's are.
A value the reader checks itself is typed ``Any``; only the containers the reader walks into are
typed (a card's ``labels`` a list of label objects, say), each also allowed to be ``null``. What
does not fit is decoded again the generic way (``fast_read.loads``): a whole file (``"cards": 5``,
a lone surrogate msgspec refuses), or one card or entry (a card that is a number, ``"labels":
"green"``), so a board that is not what Trello sends reads, or fails, as it did before. One
difference: what is skipped is not checked, so bytes that are not UTF-8 or a number ``json`` will
not read under a key never read no longer stop a board (``Unfit`` says what happens when they
are in a card or an entry).

A key the reader starts to use must be added here, or it is never seen:
tests/trello/test_schema.py compares the typed and the generic read of every board it has.
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec

from sync.trello.fast_read import loads


class Ref(TypedDict, total=False):
    """An object named by its id: an action's ``list``, ``listBefore``, ``listAfter``."""

    id: Any


class ActionCard(TypedDict, total=False):
    """The card an action is about, as it was after the action."""

    id: Any
    name: Any
    idList: Any
    closed: Any
    dueComplete: Any


class ActionOld(TypedDict, total=False):
    """What an ``updateCard`` changed, as it was before: the keys present say what changed."""

    idList: Any
    closed: Any
    dueComplete: Any


class ActionData(TypedDict, total=False):
    card: ActionCard | None
    old: ActionOld | None
    list: Ref | None
    listBefore: Ref | None
    listAfter: Ref | None


class Action(TypedDict, total=False):
    """One history entry (``board_history.parse_action``; kept in the state as decoded here)."""

    id: Any
    type: Any
    date: Any
    idMemberCreator: Any
    data: ActionData | None


class Label(TypedDict, total=False):
    id: Any
    name: Any
    color: Any


class Attachment(TypedDict, total=False):
    id: Any
    name: Any
    url: Any


class FieldItem(TypedDict, total=False):
    """A card's value of a custom field: an option's id, or a ``value`` object."""

    idCustomField: Any
    idValue: Any
    value: Any


class Card(TypedDict, total=False):
    id: Any
    name: Any
    idList: Any
    desc: Any
    closed: Any
    shortLink: Any
    url: Any
    shortUrl: Any
    pos: Any
    idLabels: Any
    labels: list[Label] | None
    idMembers: Any
    due: Any
    start: Any
    dueComplete: Any
    dateLastActivity: Any
    dateCompleted: Any
    locationName: Any
    address: Any
    coordinates: Any
    attachments: list[Attachment] | None
    customFieldItems: list[FieldItem] | None


class TrelloList(TypedDict, total=False):
    id: Any
    name: Any
    closed: Any
    pos: Any


class Member(TypedDict, total=False):
    id: Any
    fullName: Any
    username: Any


class CheckItem(TypedDict, total=False):
    id: Any
    name: Any
    state: Any
    due: Any
    pos: Any


class Checklist(TypedDict, total=False):
    id: Any
    name: Any
    idCard: Any
    pos: Any
    checkItems: list[CheckItem] | None


class FieldOption(TypedDict, total=False):
    id: Any
    value: Any


class FieldDefinition(TypedDict, total=False):
    id: Any
    name: Any
    type: Any
    options: list[FieldOption] | None


class Board(TypedDict, total=False):
    """A whole board, as an export file gives it; its cards and history entries undecoded."""

    id: Any
    name: Any
    url: Any
    labelNames: Any
    cards: list[msgspec.Raw] | None  # each a Card, decoded by card_of
    lists: list[TrelloList] | None
    labels: list[Label] | None
    members: list[Member] | None
    checklists: list[Checklist] | None
    customFields: list[FieldDefinition] | None
    actions: list[msgspec.Raw] | None  # each an Action, decoded by action_of


_board = msgspec.json.Decoder(Board).decode
_card = msgspec.json.Decoder(Card).decode
_action = msgspec.json.Decoder(Action).decode


class Unfit(Exception):
    """A card or history entry the typed read kept undecoded that neither msgspec nor ``json``
    can read (bytes that are not UTF-8, a number too long: skipping checks neither). The board
    is then read again the generic way, which says what is wrong, as it always has."""


def read_board(data: bytes) -> Any:
    """The board in ``data`` (UTF-8 JSON, a byte order mark allowed) with only the keys above.
    Anything that does not fit them, or is not a board at all, is read as ``fast_read.loads``
    reads it (raising what it raises); its history entries are then cut as ``trimmed`` says, so
    the history kept in the state has one form whichever way a board was read."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return _board(data)
    except msgspec.DecodeError:  # ValidationError too: a part of the wrong type
        pass
    board = loads(data)
    if isinstance(board, dict) and isinstance(board.get("actions"), list):
        board["actions"] = [trimmed(action) for action in board["actions"]]
    return board


def card_of(item: Any) -> Any:
    """A card of ``read_board``'s board as a dict of the keys above (an item that is no card
    object, as the generic read has it); anything else as it is."""
    return _item(item, _card, trim=False)


def action_of(item: Any) -> Any:
    """A history entry of ``read_board``'s board, as ``card_of`` reads a card; cut as
    ``trimmed`` says when it does not fit."""
    return _item(item, _action, trim=True)


def _item(item: Any, decode: Any, *, trim: bool) -> Any:
    if item.__class__ is not msgspec.Raw:
        return item
    try:
        return decode(item)
    except msgspec.DecodeError:  # not of the types above: read as the generic read has it
        pass
    try:
        value = loads(bytes(item))
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError are ValueErrors
        raise Unfit from None
    return trimmed(value) if trim else value


def read_action(text: str) -> Any:
    """A history entry kept in the state, with only the keys above."""
    try:
        return _action(text)
    except msgspec.DecodeError:
        return trimmed(loads(text))


def trimmed(action: Any) -> Any:
    """A history entry decoded some other way (the API's, say) with only the keys above, as
    ``read_board`` gives it; one that does not fit them (or is not an object) as it is."""
    try:
        return msgspec.convert(action, Action)
    except msgspec.ValidationError:
        return action

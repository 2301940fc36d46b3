"""The product's vocabulary: plain frozen dataclasses, no I/O.

A board read from the Trello API and the same board read from an export file become exactly the
same ``Board``. Every datetime here is timezone-aware (UTC as Trello stores it); local days are
computed from them with ``sync.dates``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync.roles import IGNORE, STATES, Role  # noqa: F401 - the roles' words, named here too


@dataclass(frozen=True)
class Label:
    id: str
    name: str
    color: str | None = None


@dataclass(frozen=True)
class TrelloList:
    id: str
    name: str
    closed: bool = False
    pos: float = 0.0
    state: str | None = None  # the mapped state; None when the list is not mapped


@dataclass(frozen=True, slots=True)
class CheckItem:
    id: str
    name: str
    complete: bool
    due: datetime | None = None  # when the item is due, if it has a date


@dataclass(frozen=True)
class Checklist:
    id: str
    name: str
    items: tuple[CheckItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Attachment:
    id: str
    name: str
    url: str


@dataclass(frozen=True)
class Member:
    id: str
    full_name: str
    username: str = ""


FieldValue = str | float | bool | datetime


@dataclass(frozen=True)
class CustomField:
    """A custom field defined on a board: what a card's values are read by, and written to."""

    id: str
    name: str
    type: str  # text, number, date, checkbox or list


@dataclass(frozen=True, slots=True)  # slots: many of them (a big board: 100,000s)
class Action:
    """One entry of a board's history, reduced to what the sync needs."""

    id: str
    type: str
    date: datetime
    card_id: str | None = None
    card_name: str = ""
    list_before: str | None = None  # list id a card moved out of
    list_after: str | None = None  # list id a card moved into (or was created in)
    closed: bool | None = None  # the card's new `closed` value, when the action changed it
    due_complete: bool | None = None  # the card's new `dueComplete`, when the action changed it
    member_id: str | None = None


@dataclass(frozen=True, slots=True)
class Card:
    id: str
    name: str
    board_id: str
    list_id: str
    list_name: str
    state: str | None
    desc: str = ""
    closed: bool = False
    list_closed: bool = False
    short_link: str = ""
    url: str = ""
    pos: float = 0.0
    labels: tuple[Label, ...] = ()
    members: tuple[Member, ...] = ()
    due: datetime | None = None
    start: datetime | None = None
    due_complete: bool = False
    last_activity: datetime | None = None
    created: datetime | None = None  # from the id's embedded timestamp
    location_name: str = ""
    address: str = ""
    coordinates: tuple[float, float] | None = None
    attachments: tuple[Attachment, ...] = ()
    checklists: tuple[Checklist, ...] = ()
    #: name → value, each a ``FieldValue`` (annotated Any: msgspec, which keeps boards between runs
    #: (sync/trello/snapshots.py), decodes no union of text and datetime)
    custom_fields: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: When the history shows the card came into its completed list (done, published) from
    #: another, or was created there; None when the history does not reach back that far.
    #: Whether and when it counts as done: ``sync.trello.done``.
    completed_at: datetime | None = None
    #: When its due date was ticked complete: from the history, else Trello's ``dateCompleted``.
    due_ticked_at: datetime | None = None
    problems: tuple[str, ...] = ()  # what could not be read on this card, one line each

    @property
    def visible(self) -> bool:
        """Open and in an open list: what a person sees on the board."""
        return not self.closed and not self.list_closed

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels if label.name)


@dataclass(frozen=True)
class DeletedCard:
    """A card that survives only as a ``deleteCard`` action."""

    id: str
    name: str
    deleted_at: datetime


@dataclass(frozen=True)
class Board:
    id: str
    name: str
    role: Role
    source: str  # "trello:<id>" or the export file's path
    url: str = ""
    lists: tuple[TrelloList, ...] = ()
    labels: tuple[Label, ...] = ()
    members: tuple[Member, ...] = ()
    cards: tuple[Card, ...] = ()
    deleted: tuple[DeletedCard, ...] = ()
    custom_fields: tuple[CustomField, ...] = ()  # the board's definitions
    actions_read: int = 0  # how many history entries the model was built from
    read_only: bool = False  # export files cannot be written back
    problems: tuple[str, ...] = ()  # what could not be read on this board (cards left out)
    cards_left_out: int = 0  # card entries that could not be read (no usable id)

    @property
    def read_whole(self) -> bool:
        """Every card entry was read (none left out): a card not found on the board is gone.
        With entries left out, the missing card may be one of them."""
        return self.cards_left_out == 0

    def cards_in(self, state: str) -> list[Card]:
        return [card for card in self.cards if card.visible and card.state == state]

    def state_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for card in self.cards:
            key = "archived" if not card.visible else (card.state or "unmapped")
            counts[key] = counts.get(key, 0) + 1
        return counts

"""Write a content card's progress back to Trello: attach the draft's (or the post's) link, and
move the card on to the "drafted" (or "published") list.

Attaching a link is a POST that Trello cannot deduplicate, so it is sent only when the card's
attachments (read with the board, in the same nested request) do not already hold that URL: a
rerun after a lost answer never adds a second one. Moving is an idempotent PUT, and a card is only
moved forwards, never back from a list a person has since moved it to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sync.content.draft import DRAFT_LINK_NAME, PUBLISHED_LINK_NAME
from sync.content.plan import PUBLISHED
from sync.content.published import same_url
from sync.errors import OtgError
from sync.model import Board, Card, TrelloList
from sync.state.records import SyncedItem

if TYPE_CHECKING:  # the Trello client, for types: a night on export files needs none
    from sync.trello.api import TrelloApi

#: A drafted card moves on from these states; a published one from any but "published".
BEFORE_DRAFTED = ("idea", "drafting", "ready")


class WriteBackError(OtgError):
    """The board has nowhere to move the card."""


@dataclass(frozen=True)
class WriteBack:
    """What to do to one card: a link to attach (or none) and a list to move it to (or none)."""

    card: Card
    link: str = ""
    link_name: str = ""
    move_to: TrelloList | None = None

    @property
    def empty(self) -> bool:
        return not self.link and self.move_to is None

    def describe(self) -> str:
        parts = []
        if self.move_to is not None:
            parts.append(f'to "{self.move_to.name}"')
        if self.link:
            parts.append(f"{self.link_name.lower()} link attached")
        return "; ".join(parts)


def target_list(board: Board, state: str) -> TrelloList:
    lists = sorted(
        (x for x in board.lists if x.state == state and not x.closed), key=lambda x: x.pos
    )
    if not lists:
        raise WriteBackError(
            f'board "{board.name}" has no open list for the "{state}" state',
            f'add one (e.g. "In Medium drafts" / "Published"), or map a list to "{state}" '
            "under [boards.<name>.lists]",
        )
    return lists[0]


def plan_write_back(board: Board, card: Card, record: SyncedItem) -> WriteBack:
    """What the card still needs, judged from the board as read (attachments included)."""
    if record.status == PUBLISHED:
        link, name, state = record.data.get("published_url", ""), PUBLISHED_LINK_NAME, PUBLISHED
        moves = card.state != PUBLISHED
    else:
        link = record.data.get("url", "") if record.data.get("via") == "medium" else ""
        name, state = DRAFT_LINK_NAME, "drafted"
        moves = card.state in BEFORE_DRAFTED
    if link and any(same_url(link, a.url) for a in card.attachments):
        link = ""
    return WriteBack(card, link, name if link else "", target_list(board, state) if moves else None)


def apply_write_back(api: TrelloApi, write_back: WriteBack) -> None:
    """Attach, then move: a failed move is retried next sync, and the link is not doubled."""
    if write_back.link:
        api.attach_link(write_back.card.id, write_back.link, write_back.link_name)
    if write_back.move_to is not None:
        api.update_card(write_back.card.id, idList=write_back.move_to.id)

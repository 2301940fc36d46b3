"""The mass-change guard: a run that would cancel much of a board's calendar stops for that board
before writing anything, and says why. Pure: no I/O.

Learnt from vdirsyncer, which refuses to sync when one side comes back empty. A board trips it
when its cards would cancel more than ``mass_cancel_count`` *and* more than
``mass_cancel_percent`` % of the events it has on the calendar, or when any of its events would
be cancelled only because their list was renamed (same list id, a name that maps elsewhere).
``--allow-mass-cancel`` lets the changes through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from config.calendar import CalendarConfig
from sync.calendar.plan import LIVE, EventChange
from sync.model import Board
from sync.report import plural
from sync.state.records import SyncedItem
from sync.trello.renames import Rename


@dataclass(frozen=True)
class Tripped:
    """A board the guard stopped: its id, and what would have happened."""

    board_id: str
    why: str
    renames: tuple[Rename, ...] = ()


def board_of(change: EventChange, cards: dict[str, str]) -> str:
    """The board a change belongs to: its card's, or its record's when the card is gone."""
    if change.card_id in cards:
        return cards[change.card_id]
    if change.record is not None:
        return str(change.record.data["event"].get("board_id", ""))
    return ""


def explain_renames(
    changes: list[EventChange], boards: Iterable[Board], renames: dict[str, list[Rename]]
) -> list[EventChange]:
    """Cancels whose card only sits in a renamed list say so, instead of "moved to …"."""
    by_list = {r.list_id: r for found in renames.values() for r in found}
    list_of = {card.id: card.list_id for board in boards for card in board.cards}
    return [
        replace(change, detail=by_list[list_of[change.card_id]].describe())
        if change.kind == "cancel" and list_of.get(change.card_id) in by_list
        else change
        for change in changes
    ]


def guard(
    changes: list[EventChange],
    stored: dict[str, SyncedItem],
    boards: Iterable[Board],
    renames: dict[str, list[Rename]],
    cfg: CalendarConfig,
) -> dict[str, Tripped]:
    """The boards whose changes must not be applied this run (board id → why)."""
    boards = list(boards)
    cards = {card.id: board.id for board in boards for card in board.cards}
    list_of = {card.id: card.list_id for board in boards for card in board.cards}
    tripped: dict[str, Tripped] = {}
    for board in boards:
        cancels = [c for c in changes if c.kind == "cancel" and board_of(c, cards) == board.id]
        if not cancels:
            continue
        live = sum(
            1
            for record in stored.values()
            if record.status == LIVE and record.data["event"].get("board_id") == board.id
        )
        moved = [r for r in renames.get(board.id, []) if r.old_state in cfg.publish]
        by_rename = [c for c in cancels if list_of.get(c.card_id) in {r.list_id for r in moved}]
        if by_rename:
            hit = {list_of.get(c.card_id) for c in by_rename}
            used = tuple(r for r in moved if r.list_id in hit)
            names = "; ".join(r.describe() for r in used)
            tripped[board.id] = Tripped(
                board.id,
                f"{plural(len(by_rename), 'published event')} would be cancelled because "
                f"{names} (nothing moved)",
                used,
            )
        elif len(cancels) > cfg.mass_cancel_count and len(cancels) * 100 > (
            cfg.mass_cancel_percent * live
        ):
            tripped[board.id] = Tripped(
                board.id,
                f"this run would cancel {len(cancels)} of its {plural(live, 'published event')} "
                f"(more than {cfg.mass_cancel_count} and more than {cfg.mass_cancel_percent}%)",
            )
    return tripped

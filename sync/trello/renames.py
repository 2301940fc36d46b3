"""Lists renamed since the last sync: the name each list of a board had, kept in the state, and
the lists whose new name maps them to another state, so that their cards seem to move when
nothing moved ("Done" renamed "Held in 2026" takes every card in it out of the done state).

The names are kept as a bookmark per board (``list-names:<board id>``: list id → name). A sync
remembers them once it has dealt with the board; a board stopped by the mass-change guard keeps
the old names, so the next run still sees the rename until it is mapped or accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from config import BoardConfig
from sync.errors import ListCollision
from sync.model import Board, Role
from sync.state.store import State
from sync.text import quoted
from sync.trello.lists import state_for


@dataclass(frozen=True)
class Rename:
    """A list with the same id and a new name that maps it to another state."""

    list_id: str
    old: str
    new: str
    old_state: str | None
    new_state: str | None
    cards: int  # the cards a person sees in it

    def describe(self) -> str:
        return f"list renamed from {quoted(self.old)} to {quoted(self.new)}"

    def consequence(self) -> str:
        """``its 6 cards went from done to not mapped``."""
        was = self.old_state or "not mapped"
        now = self.new_state or "not mapped"
        return f"{self.describe()}: its {self._cards()} went from {was} to {now}"

    def _cards(self) -> str:
        return "card" if self.cards == 1 else f"{self.cards} cards"


def bookmark_name(board_id: str) -> str:
    return f"list-names:{board_id}"


def remembered(state: State, board_id: str) -> dict[str, str]:
    """The list names the last sync saw on the board (list id → name); empty the first time."""
    raw = state.bookmark(bookmark_name(board_id))
    try:
        names = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    if not isinstance(names, dict):
        return {}
    return {k: v for k, v in names.items() if isinstance(k, str) and isinstance(v, str)}


def remember(state: State, board: Board) -> None:
    """Keep the board's list names for the next run (not in a dry run: nothing is written)."""
    names = {lst.id: lst.name for lst in board.lists}
    if names != remembered(state, board.id):
        state.set_bookmark(bookmark_name(board.id), json.dumps(names, sort_keys=True))


def renamed_lists(board: Board, board_cfg: BoardConfig, previous: dict[str, str]) -> list[Rename]:
    """The lists renamed since ``previous`` whose new name maps them to another state than the
    old name would today (the config as it is now), and that hold cards a person sees."""
    found = []
    for lst in board.lists:
        old = previous.get(lst.id)
        if old is None or old == lst.name or lst.closed:
            continue
        try:
            old_state = state_for(board.role, old, board_cfg.lists)
        except ListCollision:
            old_state = None
        if old_state == lst.state:
            continue
        cards = sum(1 for card in board.cards if card.list_id == lst.id and card.visible)
        if cards:
            found.append(Rename(lst.id, old, lst.name, old_state, lst.state, cards))
    return found


def rename_fix(board_cfg: BoardConfig, renames: list[Rename]) -> str:
    """What to do about renamed lists: map each new name as the old one was, or accept it."""
    entries = ", ".join(
        f"{quoted(r.new)} = {quoted(r.old_state)}" for r in renames if r.old_state is not None
    )
    table = f"[boards.{board_cfg.name}.lists]"
    mapping = f"map the new name under {table} ({entries})" if entries else ""
    accept = "run `otg sync --allow-mass-cancel` once if the change is meant"
    return f"{mapping}, or {accept}" if mapping else accept


def rename_warnings(board_cfg: BoardConfig, board: Board, renames: list[Rename]) -> list[str]:
    """Renamed lists on a microactions or content board: their cards changed state unseen (a
    renamed "Done" drops its microactions from the roundup)."""
    if not renames:
        return []
    what = "; ".join(r.consequence() for r in renames)
    if board.role is Role.MICROACTIONS:
        what += " (the roundup leaves out microactions that are not done)"
    return [f'board "{board_cfg.name}": {what} — {rename_fix(board_cfg, renames)}']

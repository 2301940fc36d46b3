"""What a board's lists tell an organiser before a sync does anything: two lists whose names fold
together (only one mapping can reach both), a board where most cards sit in lists that map to
nothing (a sync would quietly do nothing with them), and the mapping `otg init --from` proposes
from the board's own list names. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from config import BoardConfig
from sync.model import IGNORE, STATES, Board, Role
from sync.text import quoted
from sync.trello.lists import DEFAULT_LISTS, default_state, fold


def folding_together(board: Board) -> list[str]:
    """One line per set of open lists whose names differ but fold to the same name."""
    groups: dict[str, list[str]] = defaultdict(list)
    for lst in board.lists:
        if not lst.closed:
            groups[fold(lst.name)].append(lst.name)
    return [
        f"lists {' and '.join(quoted(n) for n in names)} are the same name once case, emoji and "
        "punctuation are set aside: a mapping by one of them reaches both unless each has an "
        "entry with its exact name"
        for names in groups.values()
        if len(set(names)) > 1
    ]


def mostly_unmapped(board_cfg: BoardConfig, board: Board) -> str:
    """A line when most of the cards a person sees sit in lists that map to no state ("" when
    not): the sync leaves them alone, so the feed or the roundup would be quietly empty."""
    visible = [card for card in board.cards if card.visible]
    unmapped = [card for card in visible if card.state is None]
    if not visible or len(unmapped) * 2 <= len(visible):
        return ""
    names = [lst.name for lst in board.lists if not lst.closed and lst.state is None]
    guesses = [p for p in propose_lists(board, board.role) if not p.sure and p.state != IGNORE]
    example = (
        f"{quoted(guesses[0].name)} = {quoted(guesses[0].state)}"
        if guesses
        else f"{quoted(names[0] if names else 'Done')} = one of {', '.join(STATES[board.role])}"
    )
    return (
        f"{len(unmapped)} of its {len(visible)} cards sit in lists that map to nothing "
        f"({', '.join(quoted(n) for n in names)}), so the sync leaves them alone — map them "
        f"under [boards.{board_cfg.name}.lists] (e.g. {example}), or see `otg init --from`"
    )


def board_advice(board_cfg: BoardConfig, board: Board) -> list[str]:
    """Every warning above for one board."""
    advice = folding_together(board)
    unmapped = mostly_unmapped(board_cfg, board)
    return advice + ([unmapped] if unmapped else [])


#: What separates the words of a list name ("Backlog/Future Work", "To-Do").
WORDS = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class Proposal:
    """A list's proposed entry: its state, and whether it is a guess (then written commented)."""

    name: str
    state: str
    sure: bool
    note: str = ""


def guess_role(board: Board) -> Role:
    """The role whose default list names cover most of the board's open lists (events first on
    a tie: its names are the most particular)."""
    names = [lst.name for lst in board.lists if not lst.closed]
    order = (Role.EVENTS, Role.MICROACTIONS, Role.CONTENT)
    return max(order, key=lambda role: sum(default_state(role, n) is not None for n in names))


def propose_lists(board: Board, role: Role) -> list[Proposal]:
    """An entry for every open list: its default state when its name is a known one (sure),
    else a state guessed from a known word in it ("Held in 2026" → done) or none (unsure)."""
    proposals = []
    for lst in sorted((x for x in board.lists if not x.closed), key=lambda x: x.pos):
        known = default_state(role, lst.name)
        if known is not None:
            proposals.append(Proposal(lst.name, known, True))
            continue
        words = f" {' '.join(fold(part) for part in WORDS.split(lst.name))} "
        guesses = [
            state
            for state, names in DEFAULT_LISTS[role].items()
            if any(f" {name} " in words for name in names)
        ]
        if guesses:
            proposals.append(
                Proposal(lst.name, guesses[0], False, "guessed from its name: check it")
            )
        else:
            options = ", ".join((*STATES[role], IGNORE))
            proposals.append(Proposal(lst.name, IGNORE, False, f"no guess: one of {options}"))
    return proposals

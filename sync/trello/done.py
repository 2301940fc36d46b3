"""Whether and when a card was done: the one rule the sync summary, `otg boards` and the roundup
share, with where the time came from.

The list decides the state: a card is done when it sits in a list mapped to its role's completed
state (``done``; ``published`` on a content board). A ticked due date outside such a list counts
only where the board's config says so (``done_when_due_complete``), and never in a list mapped to
``ignore``.

When it was done, and how we know (``Done.source``):

- ``field``: the board's configured completion date field (``done_date_field``, such as "End" or
  "Done on"), when the card has a date there: the people on the board said so;
- ``history``: the board's history shows the move into the completed list; else the tick of its
  due date, from the history or Trello's own record of it (``dateCompleted``, which bulk edits
  leave alone);
- ``estimate``: none of these. The move is older than the history reaches (an export holds the
  1,000 newest actions; the API's history is read from a bookmark), so the card was done before
  the board's history begins, and the time shown is its last activity, which any bulk edit moves.
  An estimate never counts for a period unless asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sync.model import IGNORE, Card

if TYPE_CHECKING:
    from config import BoardConfig

#: States whose list marks a card as completed.
COMPLETED_STATES = frozenset({"done", "published"})
FIELD, HISTORY, ESTIMATE = "field", "history", "estimate"


@dataclass(frozen=True)
class DoneRules:
    """A board's config for what counts as done."""

    when_due_complete: bool = False  # a ticked due date outside a done list counts
    date_field: str = ""  # a custom date field holding when the card was done

    @classmethod
    def of(cls, board: BoardConfig | None) -> DoneRules:
        if board is None:
            return cls()
        return cls(board.done_when_due_complete, board.done_date_field)


@dataclass(frozen=True)
class Done:
    """A card is done: when (None when nothing says), and how that is known."""

    at: datetime | None
    source: str  # FIELD, HISTORY or ESTIMATE

    @property
    def known(self) -> bool:
        return self.source != ESTIMATE and self.at is not None


def done(card: Card, rules: DoneRules = DoneRules()) -> Done | None:
    """Whether ``card`` is done (None: it is not), and when."""
    by_list = card.state in COMPLETED_STATES
    by_tick = (
        not by_list
        and rules.when_due_complete
        and card.due_complete
        and card.state is not None
        and card.state != IGNORE
    )
    if not by_list and not by_tick:
        return None
    stated = card.custom_fields.get(rules.date_field) if rules.date_field else None
    if isinstance(stated, datetime):
        return Done(stated, FIELD)
    seen = (card.completed_at or card.due_ticked_at) if by_list else card.due_ticked_at
    if seen is not None:
        return Done(seen, HISTORY)
    return Done(card.last_activity, ESTIMATE)


def done_in(card: Card, rules: DoneRules, start: datetime, end: datetime) -> Done | None:
    """``done(card)`` when its time falls in ``[start, end)``, estimated or not; else None."""
    found = done(card, rules)
    if found is None or found.at is None or not start <= found.at < end:
        return None
    return found


def state_of(card: Card, rules: DoneRules) -> str:
    """The state a summary counts ``card`` under: its list's, or done when the rules say so."""
    if not card.visible:
        return "archived"
    if card.state not in COMPLETED_STATES and done(card, rules) is not None:
        return "done"
    return card.state or "unmapped"

"""List name → state mapping: defaults that match common list names, and config overrides.

A list name is compared after folding case, emoji, punctuation and spacing, so "✅ Done!" and
"done" are the same list. A list with no mapping has no state: its cards are counted but not
synced.
"""

from __future__ import annotations

import re
import unicodedata

from sync.model import IGNORE, STATES, Role

DEFAULT_LISTS: dict[Role, dict[str, tuple[str, ...]]] = {
    Role.MICROACTIONS: {
        "idea": ("ideas", "idea", "backlog", "to do", "todo", "microaction ideas", "suggestions"),
        "doing": ("doing", "in progress", "underway", "this fortnight"),
        "done": ("done", "completed", "complete", "finished", "microactions done"),
    },
    Role.EVENTS: {
        "proposed": ("proposed", "ideas", "idea", "suggested", "inbox"),
        "planning": ("planning", "in planning", "being planned", "tentative"),
        "confirmed": ("confirmed", "scheduled", "booked", "happening", "upcoming"),
        "cancelled": ("cancelled", "canceled", "postponed", "called off"),
        "done": ("done", "held", "past events", "past", "happened"),
    },
    Role.CONTENT: {
        "idea": ("ideas", "idea", "backlog", "pitches"),
        "drafting": ("drafting", "writing", "in progress", "being written"),
        "ready": ("ready for medium", "ready", "ready to publish", "ready for review"),
        "drafted": ("in medium drafts", "medium drafts", "drafted", "in medium"),
        "published": ("published", "live", "done"),
    },
}


def fold(name: str) -> str:
    """Fold a list name for comparison: case, accents, emoji and punctuation do not count."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LNZ")
    return re.sub(r"\s+", " ", text).strip().casefold()


def default_state(role: Role, list_name: str) -> str | None:
    folded = fold(list_name)
    for state, names in DEFAULT_LISTS[role].items():
        if folded in names:
            return state
    return None


def valid_states(role: Role) -> tuple[str, ...]:
    return (*STATES[role], IGNORE)


def state_for(role: Role, list_name: str, overrides: dict[str, str]) -> str | None:
    """The state a list maps to: an override by (folded) name first, then the defaults."""
    folded = fold(list_name)
    for name, state in overrides.items():
        if fold(name) == folded:
            return state
    return default_state(role, list_name)

"""List name → state mapping: defaults that match common list names, and config overrides.

A config entry whose name is exactly the list's wins; failing that, names are compared after
folding case, emoji, punctuation and spacing, so "✅ Done!" and "done" are the same list. Two
entries that fold to a list's name and map it to different states (and neither is its exact
name) are a config error naming both. A list with no mapping has no state: its cards are counted
but not synced.
"""

from __future__ import annotations

import re
import unicodedata

from sync.errors import ListCollision
from sync.roles import IGNORE, STATES, Role

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
    """The state a list maps to: an override by its exact name, else by its folded name, else
    the defaults. Raises ``ListCollision`` when two overrides fold to it with different states."""
    if list_name in overrides:
        return overrides[list_name]
    folded = fold(list_name)
    matches = {name: state for name, state in overrides.items() if fold(name) == folded}
    if len(set(matches.values())) > 1:
        raise ListCollision(list_name, matches)
    if matches:
        return next(iter(matches.values()))
    return default_state(role, list_name)

"""A board's history as a read sees it: the entries the state keeps for the board, with those the
read brings (an export's, or the API's since the bookmark) added, and the new or changed ones
saved there (a dry run saves nothing).

Export boards hold only their newest 1,000 actions and the API is read from a bookmark, so the
kept history is what lets a card done long ago still show when it was done.
"""

from __future__ import annotations

from typing import Any

from sync.state.store import State
from sync.trello.board_history import History, checked
from sync.trello.schema import action_of, read_action


def _keepable(action: Any) -> bool:
    return (
        isinstance(action, dict)
        and isinstance(action.get("id"), str)
        and isinstance(action.get("date"), str)
    )


#: Fresh history entries are compared with the kept ones this many at a time (one query each).
BATCH = 500


def merged_history(state: State, board_id: str, fresh: list[Any], dry_run: bool) -> History:
    """The board's history, newest first: what the state keeps for it with ``fresh`` entries
    added (a fresh one wins), and those that are new or changed saved there (a dry run writes
    nothing). ``fresh``: dicts cut by ``schema.trimmed`` (the API's), or an export's entries,
    each decoded as it comes (``schema.action_of``) and dropped once checked, so a board's whole
    history is never held as dicts; each is read into an ``Action`` only when a card asks for it
    (board_history.py). Entries without a text id and date are left out: they could not be
    kept, and history is a help, never a must."""
    # id → (date, id, kept as, card id (None: left out), a deletion): see History.add_checked
    found: dict[str, tuple[str, str, Any, str | None, bool]] = {}
    for start in range(0, len(fresh), BATCH):
        batch = [
            (item, a)
            for item, a in ((item, action_of(item)) for item in fresh[start : start + BATCH])
            if _keepable(a)
        ]
        kept = (
            {}
            if dry_run or not batch
            else state.action_texts(board_id, [a["id"] for _, a in batch])
        )
        changed: dict[str, dict[str, Any]] = {}
        for item, a in batch:
            if not dry_run and a["id"] in kept and read_action(kept[a["id"]]) == a:
                changed.pop(a["id"], None)  # as kept (of two copies of an entry, the later wins)
            elif not dry_run:
                changed[a["id"]] = a
            found[a["id"]] = (a["date"], a["id"], item, *(checked(a) or (None, False)))
        # only what is new or changed is written: an export repeats its 1,000 newest actions (a
        # big one tens of thousands) every night, and rewriting them all cost more than the read
        if changed:
            state.save_actions(board_id, list(changed.values()))
    for action_id, text in state.action_rows(board_id):  # kept, and not in this export
        if action_id not in found:
            a = read_action(text)
            found[action_id] = (
                str(a.get("date", "")),
                action_id,
                text,
                *(checked(a) or (None, False)),
            )
    # ids are unique, so (date, id) orders them all and the entries are never compared
    history = History()
    for _, _, item, card_id, deletion in sorted(found.values(), reverse=True):
        history.add_checked(item, card_id, deletion)
    return history

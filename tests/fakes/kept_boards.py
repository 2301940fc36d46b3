"""Small Trello exports as people keep them, built in code: lists renamed, names that fold
together, 2013–2014 labels without ids, date-only starts, boards where nothing maps.

``export(lists, cards)`` makes a board in today's export format; each helper below bends one
thing the way a real board of some era or habit does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BOARD_ID = "5f0000000000000000000b01"


def list_id(n: int, board: str = BOARD_ID) -> str:
    return f"{board[-8:]}1{n:015x}"


def card_id(n: int, board: str = BOARD_ID) -> str:
    return f"{board[-8:]}2{n:015x}"


def export(
    lists: list[str],
    cards: list[dict[str, Any]],
    *,
    board_id: str = BOARD_ID,
    name: str = "Kept board",
    actions: list[dict[str, Any]] | None = None,
    labels: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A board export. Each card names its list by name (``"list": "Done"``); the rest of its
    keys are Trello's and go into the card as they are."""
    ids = {name: list_id(n, board_id) for n, name in enumerate(lists, 1)}
    made = []
    for n, spec in enumerate(cards, 1):
        spec = dict(spec)
        where = spec.pop("list")
        made.append(
            {
                "id": card_id(n, board_id),
                "idBoard": board_id,
                "idList": ids[where],
                "name": f"Card {n}",
                "desc": "",
                "closed": False,
                "idLabels": [],
                "labels": [],
                "idMembers": [],
                "attachments": [],
                "shortLink": f"kb{n:06d}",
                "url": f"https://trello.com/c/kb{n:06d}/{n}",
                "pos": 1024 * n,
                "dateLastActivity": "2026-11-01T10:00:00.000Z",
            }
            | spec
        )
    return {
        "id": board_id,
        "name": name,
        "url": f"https://trello.com/b/{board_id[:8]}/kept",
        "lists": [
            {"id": ids[name], "idBoard": board_id, "name": name, "closed": False, "pos": n}
            for n, name in enumerate(lists, 1)
        ],
        "cards": made,
        "labels": labels or [],
        "members": [],
        "checklists": [],
        "customFields": [],
        "actions": actions or [],
    }


def rename_list(data: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The same board with one list renamed: same id, new name (as Trello does it)."""
    for lst in data["lists"]:
        if lst["name"] == old:
            lst["name"] = new
    return data


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def events(
    spec: dict[str, int], *, board_id: str = BOARD_ID, day: int = 10, name: str = "Events"
) -> dict[str, Any]:
    """An events board: ``{"Done": 6, "Confirmed": 2}`` cards in each list, each on its own
    December 2026 day from ``day``, 18:00–20:00 UTC."""
    lists = ["Planning", "Confirmed", "Done", "Cancelled"]
    cards = []
    for where, count in spec.items():
        if where not in lists:
            lists.append(where)
        for _ in range(count):
            n = len(cards) + 1
            cards.append(
                {
                    "list": where,
                    "name": f"{name} event {n}",
                    "start": f"2026-12-{day + n:02d}T18:00:00.000Z",
                    "due": f"2026-12-{day + n:02d}T20:00:00.000Z",
                }
            )
    return export(lists, cards, board_id=board_id, name=name)

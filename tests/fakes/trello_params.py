"""What the fake Trello's write routes (trello_writes.py, trello_card_extras.py) share: reading
a write's parameters as Trello does (a bad one is ``invalid value for <name>``, raised before
anything changes), and the card fields Trello keeps in step with others (``labels``, ``badges``).
"""

from __future__ import annotations

from typing import Any

from tests.fakes.trello_state import BoardState, TrelloState
from tests.fakes.trello_wire import HEX_ID, format_date, invalid_value, parse_date

MAX_TEXT = 16384
POS_STEP = 16384.0


def text_param(params: dict[str, Any], name: str, default: str | None = None) -> str | None:
    """A string parameter of at most 16384 characters (``invalid value for <name>`` else)."""
    value = params.get(name, default)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise invalid_value(name)
    return value


def date_param(value: Any, name: str) -> str | None:
    """A date parameter: ISO 8601 (normalised to ``...T..:..:...000Z``) or null/empty."""
    if value in (None, "", "null"):
        return None
    moment = parse_date(value) if isinstance(value, str) else None
    if moment is None:
        raise invalid_value(name)
    return format_date(moment)


def id_list_param(value: Any, valid: dict[str, Any], name: str) -> list[str]:
    """A list of ids (JSON array or comma-separated string), each known on the board."""
    if value in (None, ""):
        return []
    ids = value if isinstance(value, list) else str(value).split(",")
    ids = [i.strip() for i in ids if i.strip()]
    if any(i not in valid for i in ids):
        raise invalid_value(name)
    return ids


def list_param(state: TrelloState, value: Any, board: BoardState | None = None) -> str:
    """An ``idList`` naming an existing list (of ``board`` when given)."""
    if not isinstance(value, str) or not HEX_ID.fullmatch(value):
        raise invalid_value("idList")
    owner = state.list_index.get(value)
    if owner is None or (board is not None and owner is not board):
        raise invalid_value("idList")
    return value


def pos_param(board: BoardState, list_id: str, value: Any, exclude: str | None = None) -> float:
    """``pos``: ``top``, ``bottom`` or a positive number, as Trello places cards."""
    taken = [
        c.get("pos") or 0
        for c in board.board["cards"]
        if c.get("idList") == list_id and c["id"] != exclude
    ]
    if value in (None, "bottom"):
        return (max(taken) if taken else 0) + POS_STEP
    if value == "top":
        return (min(taken) / 2) if taken else POS_STEP
    try:
        pos = float(value)
    except (TypeError, ValueError):
        raise invalid_value("pos") from None
    if pos <= 0:
        raise invalid_value("pos")
    return pos


def label_refs(board: BoardState, ids: list[str]) -> list[dict[str, Any]]:
    """The ``labels`` array Trello keeps on a card next to ``idLabels``."""
    return [dict(board.labels[i]) for i in ids]


def refresh_badges(card: dict[str, Any]) -> None:
    """Keep the card's ``badges`` in step with its fields."""
    badges = card.setdefault("badges", {})
    badges.update(
        attachments=len(card.get("attachments") or []),
        description=bool(card.get("desc")),
        due=card.get("due"),
        dueComplete=card.get("dueComplete", False),
        start=card.get("start"),
        location=bool(card.get("locationName")),
    )

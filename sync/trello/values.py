"""Small readers of Trello JSON values: each takes whatever the JSON holds and returns a usable
value (a string, a finite number, a date, a list of ids, coordinates on the globe) or an empty
one, never an exception. A date that cannot be read is also noted as a problem on its card.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sync.dates import BadDate, parse_utc
from sync.model import Label
from sync.text import valid


def text(value: Any) -> str:
    """A string from the JSON (lone surrogates made encodable), or "" for anything else."""
    if value.__class__ is str and value.isascii():  # most of a board: nothing to mend
        return value
    return valid(value) if isinstance(value, str) else ""


def dicts(value: Any, decode: Callable[[Any], Any] | None = None) -> Iterator[dict[str, Any]]:
    """The objects of a JSON list, one at a time; junk in it is left out, and anything that is
    not a list has none. ``decode`` reads each item first (``schema.card_of`` of an export's
    undecoded card): only the object in hand is then alive, not the whole list's."""
    if not isinstance(value, list):
        return
    for item in value:
        if decode is not None:
            item = decode(item)
        if isinstance(item, dict):
            yield item


_ID = re.compile(r"[^\s\x00-\x1f\x7f-\x9f]+")


def usable_id(value: Any) -> bool:
    """An id that can name a card everywhere it goes (an event UID, a file name, a URL): a
    string with no space or control character in it."""
    return isinstance(value, str) and bool(_ID.fullmatch(value))


def ids(value: Any) -> list[str]:
    """The strings of a list of ids (``idLabels``, ``idMembers``); junk is left out."""
    if not isinstance(value, list):
        return []
    return [valid(item) for item in value if isinstance(item, str)]


def ref(value: Any) -> str | None:
    return text(value.get("id")) or None if isinstance(value, dict) else None


def number(value: Any) -> float:
    """A finite number, or 0.0 for anything else (a position, say)."""
    try:
        parsed = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int past 1e308
        return 0.0
    return parsed if math.isfinite(parsed) else 0.0


def date(raw: dict[str, Any], key: str, problems: list[str]) -> datetime | None:
    try:
        return parse_utc(raw.get(key))
    except BadDate as exc:
        problems.append(f"{key}: {exc}; ignored")
        return None


def coordinates(value: Any) -> tuple[float, float] | None:
    """Latitude and longitude, when both are there and on the globe; else None."""
    try:
        if isinstance(value, dict):
            lat, lng = float(value["latitude"]), float(value["longitude"])
        elif isinstance(value, str) and "," in value:
            lat, lng = (float(part) for part in value.split(",", 1))
        else:
            return None
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    return (lat, lng) if -90 <= lat <= 90 and -180 <= lng <= 180 else None  # NaN fails too


def label(item: dict[str, Any], names: dict[str, str] | None = None) -> Label | None:
    """A label. 2013–2014 exports give labels no ``id``, only a colour and a name (one label per
    colour, named in the board's ``labelNames``): such a label is known by its colour
    (``color:green``). ``names`` is that map; None when there is neither id nor colour."""
    color = text(item.get("color")) or None
    name = text(item.get("name"))
    label_id = text(item.get("id"))
    if not label_id:
        if color is None:
            return None
        label_id = f"color:{color}"
        name = name or (names or {}).get(color, "")
    return Label(label_id, name, color)


def label_names(value: Any) -> dict[str, str]:
    """A board's ``labelNames`` (colour → name), the names of the old exports' labels."""
    if not isinstance(value, dict):
        return {}
    return {text(k): text(v) for k, v in value.items() if isinstance(k, str) and text(v)}

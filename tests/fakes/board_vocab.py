"""Vocabulary and ids shared by the synthetic board builders in :mod:`tests.fakes.boards`.

The role lists and their weights, label/topic/city/event-type pools, the 2026 time span the
boards cover, and :class:`BoardIds`, which mints ObjectIds with a chosen embedded time and short
links, so creation times and action paging behave like real boards.
"""

from __future__ import annotations

from datetime import UTC, datetime

ROLE_LISTS: dict[str, list[str]] = {
    "microactions": ["Ideas", "Doing", "Done"],
    "events": ["Proposed", "Planning", "Confirmed", "Cancelled", "Done"],
    "content": ["Ideas", "Drafting", "Ready for Medium", "In Medium drafts", "Published"],
}
#: Share of cards ending in each list (same order as ROLE_LISTS).
ROLE_WEIGHTS: dict[str, list[float]] = {
    "microactions": [0.4, 0.2, 0.4],
    "events": [0.15, 0.2, 0.3, 0.1, 0.25],
    "content": [0.3, 0.2, 0.15, 0.15, 0.2],
}
ROLE_CODES = {"microactions": 1, "events": 2, "content": 3}
LABELS: list[tuple[str, str | None]] = [
    ("Health", "green"),
    ("Digital", "blue"),
    ("Data", "sky"),
    ("Policy", "purple"),
    ("Skills", "yellow"),
    ("Culture", "orange"),
    ("Procurement", "red"),
    ("Open government", "lime"),
    ("", "pink"),
    ("Needs review", None),
]
TOPICS = [
    "service design",
    "open data",
    "user research",
    "procurement",
    "digital inclusion",
    "policy labs",
    "agile budgeting",
    "civic tech",
    "team health",
    "accessibility",
]
CITIES = [
    ("London", "10 Victoria St, London SW1H 0NB, UK", 51.4988, -0.1335),
    ("Ottawa", "111 Sussex Dr, Ottawa, ON, Canada", 45.4366, -75.6934),
    ("Canberra", "1 Treasury Pl, Canberra ACT, Australia", -35.2995, 149.1311),
    ("Online", None, None, None),
]
EVENT_TYPES = ["Meetup", "Workshop", "Conference", "Webinar"]
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp()
END = datetime(2026, 10, 31, 18, 0, tzinfo=UTC).timestamp()
LAST_ACTION = datetime(2026, 11, 15, 0, 0, tzinfo=UTC).timestamp()
HOUR, DAY = 3600, 86400


class BoardIds:
    """Unique ObjectIds with a chosen embedded time, and 8-character short links."""

    def __init__(self, role: str, seed: int) -> None:
        self._middle = f"{ROLE_CODES[role]:02x}{seed & 0xFFFF:04x}"
        self._prefix = ROLE_CODES[role] * 7_919 + (seed & 0xFFFF)
        self._count = 0

    def object_id(self, timestamp: float) -> str:
        self._count += 1
        return f"{int(timestamp):08x}{self._middle}{self._count:010x}"

    def short_link(self, n: int) -> str:
        number = ((self._prefix * 10_000_000 + n) * 25_214_903_917) % 62**8
        chars = []
        for _ in range(8):
            number, digit = divmod(number, 62)
            chars.append(BASE62[digit])
        return "".join(chars)

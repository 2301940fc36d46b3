"""A place to try boards kept between runs: an export file, its board's config, a state database
and the snapshots beside it; and ``same``, equality that leaves nothing out."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from config import BoardConfig
from sync.model import Board, Role
from sync.state.store import State
from sync.trello.exports import read_export
from sync.trello.snapshots import Snapshots, folder_for
from tests.fakes.boards import synthetic_board


def same(a: Any, b: Any) -> bool:
    """Equal, custom fields included (the dataclass leaves them out of ==), with the same types
    and time zones: what every later step would see."""
    if type(a) is not type(b):
        return False
    if hasattr(a, "__dataclass_fields__"):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if hasattr(a, "tzinfo"):
        return a == b and a.utcoffset() == b.utcoffset()
    return bool(a == b)


class Place:
    """An export file, its board's config, a state database and the snapshots beside it."""

    def __init__(self, tmp_path: Path, role: str = "events", cards: int = 40) -> None:
        self.data = synthetic_board(cards, role=role)
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.path = tmp_path / "board.json"
        self.write(self.data)
        self.board = BoardConfig("main", Role(role), str(self.path))
        self.state = State(tmp_path / "state.db")
        self.snapshots = Snapshots(folder_for(tmp_path / "state.db"), ["main"])
        self.parsed = 0

    def write(self, data: dict[str, Any]) -> None:
        self.path.write_text(json.dumps(data), encoding="utf-8")

    def read(self, *, dry_run: bool = True, board: BoardConfig | None = None) -> Board:
        return read_export(
            self.path, board or self.board, self.state, dry_run=dry_run, snapshots=self.snapshots
        )

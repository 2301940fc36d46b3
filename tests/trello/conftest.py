"""Fixtures of the Trello tests: a place to try boards kept between runs (snapshot_place.py)."""

from __future__ import annotations

from typing import Any

import pytest

from sync.model import Board
from sync.trello import exports, snapshots
from tests.trello.snapshot_place import Place


@pytest.fixture
def place(tmp_path, monkeypatch) -> Place:
    made = Place(tmp_path)
    parse = exports.parse_board

    def counting(*args: Any, **kwargs: Any) -> Board:
        made.parsed += 1
        return parse(*args, **kwargs)

    monkeypatch.setattr(exports, "parse_board", counting)
    yield made
    made.state.close()


@pytest.fixture(params=["just written", "settled"])
def settled(request, monkeypatch) -> bool:
    """A file written just before it is read has its bytes hashed at every later read; one
    written longer ago (here: any) is known by its identity, its change time included."""
    if request.param == "settled":
        monkeypatch.setattr(snapshots, "SETTLED_NS", -(10**18))
    return request.param == "settled"

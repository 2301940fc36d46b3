"""Export boards are read biggest first (the file held whole while its board is built is then
the biggest when no board is yet in memory), and everything said of them is still said in the
config's order: the boards read, and the failures."""

from __future__ import annotations

import gc
import json
import sqlite3
from datetime import UTC, datetime

import pytest

from config import load_config
from sync.state.store import State
from sync.trello import sources
from tests.fakes.boards import synthetic_board


def reading_order(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the export boards ``read_boards`` reads, in the order it reads them."""
    order: list[str] = []
    read_export = sources.read_export

    def watched(path, board, *args, **kwargs):
        order.append(board.name)
        return read_export(path, board, *args, **kwargs)

    monkeypatch.setattr(sources, "read_export", watched)
    return order


def read_all(cfg, state: State, failed: list[str], *, dry_run: bool) -> list:
    """Every board of ``cfg`` as ``read_boards`` gives them; the names of those that failed
    go to ``failed`` as it says them."""
    read, _ = sources.read_boards(
        cfg,
        state,
        list(cfg.boards),
        dry_run=dry_run,
        now=datetime(2026, 11, 15, tzinfo=UTC),
        on_error=lambda board, exc: failed.append(board.name),
    )
    return read


def test_exports_are_read_biggest_first_and_given_back_in_config_order(
    write_config, tmp_path, monkeypatch
):
    (tmp_path / "small.json").write_text(json.dumps(synthetic_board(5)), encoding="utf-8")
    (tmp_path / "big.json").write_text(
        json.dumps(synthetic_board(60, role="events")), encoding="utf-8"
    )
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    cfg = load_config(
        write_config("""
        state_db = "state.db"
        [boards.small]
        role = "microactions"
        source = "small.json"
        [boards.broken]
        role = "content"
        source = "broken.json"
        [boards.big]
        role = "events"
        source = "big.json"
        [calendar]
        domain = "test.example"
    """)
    )
    order = reading_order(monkeypatch)
    failed: list[str] = []
    with State(cfg.state_db) as state:
        try:
            read = read_all(cfg, state, failed, dry_run=True)
        finally:
            gc.unfreeze()  # what a job does once it ends (fast_read.releases_model)
    assert order == ["big", "small", "broken"]  # by size: 60 cards, 5 cards, one byte
    assert [board_cfg.name for board_cfg, _ in read] == ["small", "big"]  # the config's order
    assert [len(board.cards) for _, board in read] == [5, 60]
    assert failed == ["broken"]


def test_failures_are_said_in_config_order_also_when_the_state_stops_the_run(
    write_config, tmp_path, monkeypatch
):
    """Two broken exports read in the other order than the config's (biggest first), then a
    board whose history cannot be kept: the run stops, and the two failures are said first, in
    the config's order."""
    (tmp_path / "first.json").write_text("{" + " " * 10_000, encoding="utf-8")  # read second
    (tmp_path / "second.json").write_text("{" + " " * 20_000, encoding="utf-8")  # read first
    (tmp_path / "last.json").write_text(json.dumps(synthetic_board(1)), encoding="utf-8")
    cfg = load_config(
        write_config("""
        state_db = "state.db"
        [boards.first]
        role = "content"
        source = "first.json"
        [boards.last]
        role = "microactions"
        source = "last.json"
        [boards.second]
        role = "content"
        source = "second.json"
    """)
    )
    order = reading_order(monkeypatch)

    def full_disk(self, board_id, actions):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(State, "save_actions", full_disk)
    failed: list[str] = []
    with State(cfg.state_db) as state, pytest.raises(sqlite3.OperationalError):
        read_all(cfg, state, failed, dry_run=False)
    assert order == ["second", "first", "last"]  # by size: 20,000 bytes, 10,000, some 7,000
    assert failed == ["first", "second"]  # the config's order

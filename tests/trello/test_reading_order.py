"""Export boards are read biggest first (the file held whole while its board is built is then
the biggest when no board is yet in memory), and everything said of them is still said in the
config's order: the boards read, and the failures."""

from __future__ import annotations

import gc
import json
from datetime import UTC, datetime

from config import load_config
from sync.state.store import State
from sync.trello import sources
from tests.fakes.boards import synthetic_board


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
    order: list[str] = []
    read_export = sources.read_export

    def watched(path, board, *args, **kwargs):
        order.append(board.name)
        return read_export(path, board, *args, **kwargs)

    monkeypatch.setattr(sources, "read_export", watched)
    failed: list[str] = []
    with State(cfg.state_db) as state:
        try:
            read, _ = sources.read_boards(
                cfg,
                state,
                list(cfg.boards),
                dry_run=True,
                now=datetime(2026, 11, 15, tzinfo=UTC),
                on_error=lambda board, exc: failed.append(board.name),
            )
        finally:
            gc.unfreeze()  # what a job does once it ends (fast_read.releases_model)
    assert order == ["big", "small", "broken"]  # by size: 60 cards, 5 cards, one byte
    assert [board_cfg.name for board_cfg, _ in read] == ["small", "big"]  # the config's order
    assert [len(board.cards) for _, board in read] == [5, 60]
    assert failed == ["broken"]

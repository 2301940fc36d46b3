"""The demo the roundup's tests share: the bundled boards and Medium feed, the demo period, and
its golden post."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from config import EXAMPLE, load_config
from sync.roundup.gather import Options, Period, gather
from sync.trello.exports import read_export
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "roundup-demo-2026-11-25.md"
PERIOD = Period(date(2026, 11, 12), date(2026, 11, 25))
NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)


def demo_config(boards: Path) -> str:
    """The bundled demo config, reading ``boards`` and the saved Medium feed, with state and
    output beside the config."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('"boards/', f'"{boards}/').replace(
        '"medium-feed.xml"', f'"{EXAMPLE.parent / "medium-feed.xml"}"'
    )
    return text.replace('"../../demo-out/otg-state.db"', '"state.db"').replace(
        '"../../demo-out"', '"out"'
    )


def demo_roundup(period: Period, **options):
    cfg = load_config(EXAMPLE)
    boards = [read_export(cfg.board_path(b), b) for b in cfg.boards]
    return gather(boards, period, Options(tz=cfg.tz, calendar=cfg.calendar, **options))

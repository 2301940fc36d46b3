"""Generated config tables (tests/strategies.py): the config loader reports every problem of any
table as a ``ConfigError`` naming the key, and a config it accepts can be used.
"""

from __future__ import annotations

import html
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given

import jobs.status
from config import BoardConfig, build_config
from sync.calendar import ical
from sync.errors import ConfigError
from sync.text import one_line
from tests.reliability.property_checks import FUZZ, NOW, assert_one_line
from tests.strategies import config_tables


def key_paths(table: Any, prefix: str = "", depth: int = 0) -> set[str]:
    """Every key a problem may name: the keys present (list names quoted, as messages do)
    and the required ones of the tables present."""
    paths = {"boards"}
    if not isinstance(table, dict):
        return paths
    for key, value in table.items():
        path = f"{prefix}{key}"
        paths.add(path)
        if not isinstance(value, dict):
            continue
        paths |= key_paths(value, path + ".", depth + 1)
        if depth == 1 and prefix == "boards.":
            paths |= {f"{path}.role", f"{path}.source"}
            if isinstance(value.get("lists"), dict):
                paths |= {f'{path}.lists."{name}"' for name in value["lists"]}
        if depth == 1 and path == "calendar.caldav":
            paths.add("calendar.caldav.url")
    return paths


@FUZZ
@given(raw=config_tables())
def test_any_config_table_is_a_config_or_problems_that_name_their_key(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "otg.toml"
        try:
            cfg = build_config(raw, path, environ={})
        except ConfigError as exc:
            paths = {one_line(p) for p in key_paths(raw)}  # messages put keys on one line
            for problem in exc.problems:
                assert_one_line(problem, limit=None)  # the user's own keys, in full
                assert any(problem.startswith(f"{p}: ") for p in paths), problem
            return
    # a config the loader accepts can be used: its numbers and names fit what they are for
    ical.calendar(
        [],
        name=cfg.calendar.name,
        refresh_minutes=cfg.calendar.refresh_minutes,
        timezone=cfg.timezone,
    )
    jobs.status.schedule_rows(cfg, NOW)
    for days in (
        cfg.trello.history_days,
        cfg.calendar.keep_cancelled_days,
        cfg.roundup.coming_days,
    ):
        assert NOW - timedelta(days=days) < NOW + timedelta(days=days)
    NOW + timedelta(minutes=cfg.calendar.default_duration_minutes)
    assert 0 < cfg.trello.timeout < float("inf") and cfg.calendar.refresh_minutes > 0
    assert all(isinstance(b, BoardConfig) for b in cfg.boards)
    assert date.min < NOW.date()
    assert "\x00" not in str(cfg.state_db) + str(cfg.output_dir)
    html.escape(cfg.calendar.name)

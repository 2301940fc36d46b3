"""Fixtures of the jobs tests: a config with the demo events board (`cfg`), and a stop flag
reset around a test (`fresh_stop_flag`, for the modules that use the scheduler)."""

from __future__ import annotations

import pytest

from config import load_config
from sync import stopping
from tests.conftest import DEMO_BOARDS


@pytest.fixture
def fresh_stop_flag():
    stopping.reset()
    yield
    stopping.reset()


@pytest.fixture
def cfg(write_config):
    return load_config(
        write_config(f"""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "{DEMO_BOARDS / "events.json"}"
        [jobs.publication]
        enabled = false
    """)
    )

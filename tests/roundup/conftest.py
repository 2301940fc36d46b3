"""The roundup tests' fixture: the bundled demo, with state and output in a temp folder."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_BOARDS
from tests.roundup.demo import demo_config


@pytest.fixture
def demo(write_config):
    """The bundled demo boards and saved Medium feed, with state and output in a temp folder."""
    return write_config(demo_config(DEMO_BOARDS))

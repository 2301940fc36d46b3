"""The fake Trello API's contract tests share one running fake: a 60-card events board on a
fake clock (test_trello_fake_*.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.boards import synthetic_board
from tests.fakes.trello import FakeClock, FakeTrello


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def board() -> dict[str, Any]:
    return synthetic_board(60, role="events", seed=1)


@pytest.fixture
def fake(clock: FakeClock, board: dict[str, Any]) -> Iterator[FakeTrello]:
    fake = FakeTrello(clock=clock)
    fake.add_board(board)
    with fake.running():
        yield fake

"""Boards on the Trello fake and configs that read them through the API, shared by the
tests/trello/test_api_*.py modules: `add` a synthetic board, `api_config` naming boards by
`trello:` source, `sync` run at a fixed time, and `connected`, a TrelloApi signed in to the fake."""

from __future__ import annotations

from datetime import UTC, datetime

import jobs.sync
from config import load_config
from sync.state.store import State
from sync.trello.api import TrelloApi, trello_session
from tests.fakes.boards import synthetic_board
from tests.fakes.trello import FakeTrello

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def api_config(write_config, boards: dict[str, tuple[str, str]]) -> str:
    tables = "".join(
        f'[boards.{name}]\nrole = "{role}"\nsource = "trello:{ref}"\n'
        for name, (role, ref) in boards.items()
    )
    return str(write_config('state_db = "state.db"\n' + tables))


def add(fake: FakeTrello, n_cards: int, role: str = "microactions", **kwargs) -> dict:
    board = synthetic_board(n_cards, role=role, **kwargs)
    fake.add_board(board)
    return board


def sync(path: str, state: State, **kwargs):
    return jobs.sync.run(load_config(path), state, now=NOW, **kwargs)


def connected(fake) -> TrelloApi:
    return TrelloApi(fake.key, fake.token, trello_session(fake.key, fake.token))

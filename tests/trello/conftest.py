"""Fixtures of the Trello tests: a place to try boards kept between runs (snapshot_place.py);
and for the live API tests (test_api_*.py), the stateful Trello fake on a fake clock, its
credentials in the environment, and a TrelloApi on it that does not retry."""

from __future__ import annotations

from typing import Any

import pytest

from sync.model import Board
from sync.trello import exports, snapshots
from sync.trello.api import TrelloApi, trello_session
from tests.fakes.trello import FakeTrello
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


@pytest.fixture
def fake(clock):
    fake = FakeTrello(clock=clock)
    with fake.running():
        yield fake


@pytest.fixture
def secrets(fake, monkeypatch):
    monkeypatch.setenv("TRELLO_API_KEY", fake.key)
    monkeypatch.setenv("TRELLO_TOKEN", fake.token)
    return fake.key, fake.token


@pytest.fixture
def api(fake, secrets):
    return TrelloApi(fake.key, fake.token, trello_session(fake.key, fake.token, retries=0))

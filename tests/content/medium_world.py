"""The world the content flow's Medium tests run in: the demo content board live on the Trello
fake, Medium with a token, the Medium feeds on the web, all in one ``responses`` mock; a config
writer, and what a sync's report said. Used by ``test_medium_target.py``, ``test_medium_crashes.py``
and ``tests/jobs/test_status.py``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

import jobs.sync
from config import load_config
from sync.state.store import State
from tests.conftest import DEMO_BOARDS, ROOT, load_json
from tests.fakes.medium import FakeMedium
from tests.fakes.trello import FakeClock, FakeTrello

NOW = datetime(2026, 12, 8, 2, tzinfo=UTC)
FEED_URL = "https://medium.com/feed/@oneteamgov"
SAVED_FEED_URL = "https://medium.com/feed/oneteamgov-publication"
BOARD = "wkduWOam"
DRAFTED_LIST = "6a73267b21a2e11dd2adb933"
PUBLISHED_LIST = "6a73267b6e5f716427933d0d"
CALL_CENTRE, ROUNDUP, NASTY = (
    "6adb8dfd0506c32d1435c34b",
    "6ae85389fb0e65b9ff42e1ca",
    ("6afddee801d60285e185b3de"),
)
EMPTY, LEADERSHIP = "6af5ff1d5589febaa03b078c", "6aa0462ebe229dd6da7c1113"
READY = [CALL_CENTRE, ROUNDUP, NASTY]


class Crash(BaseException):
    """The process dies here (a BaseException: nothing in the code under test catches it)."""


@dataclass
class World:
    trello: FakeTrello
    medium: FakeMedium
    rsps: object

    def card(self, card_id: str) -> dict:
        return self.trello.card(card_id)

    def links(self, card_id: str) -> list[tuple[str, str]]:
        return [(a["name"], a["url"]) for a in self.card(card_id)["attachments"]]


@pytest.fixture
def world(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr("sync.http.monotonic", clock.now)
    monkeypatch.setattr("sync.http.pause", clock.sleep)
    trello, medium = FakeTrello(clock=clock), FakeMedium()
    trello.add_board(load_json(DEMO_BOARDS / "content.json"))
    with trello.running() as rsps:
        medium.install(rsps)
        medium.serve_feed(rsps, FEED_URL)
        saved = (ROOT / "tests" / "fixtures" / "medium-feed.xml").read_text(encoding="utf-8")
        rsps.add("GET", SAVED_FEED_URL, body=saved, content_type="text/xml")
        monkeypatch.setenv("TRELLO_API_KEY", trello.key)
        monkeypatch.setenv("TRELLO_TOKEN", trello.token)
        monkeypatch.setenv("MEDIUM_TOKEN", medium.token)
        yield World(trello, medium, rsps)


@pytest.fixture
def config(write_config):
    def make(feeds: tuple[str, ...] = (FEED_URL,), extra: str = "") -> str:
        return str(
            write_config(f"""
            state_db = "state.db"
            [boards.content]
            role = "content"
            source = "trello:{BOARD}"
            [medium]
            feeds = {json.dumps(list(feeds))}
            canonical_url = "https://oneteamgov.uk/blog/{{slug}}"
            {extra}
        """)
        )

    return make


def sync(path: str, state: State, now: datetime = NOW, **kwargs):
    return jobs.sync.run(load_config(path), state, now=now, **kwargs)


def lines(report, kind: str | None = None) -> list[tuple[str, str, str, str]]:
    return [
        (o.kind, o.target, o.status, o.key)
        for o in report.outcomes
        if kind is None or o.kind == kind
    ]

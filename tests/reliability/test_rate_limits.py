"""Trello's rate limit (100 requests per 10 s per token) over a whole sync, not just its reads.

tests/trello/test_api_rate_limit.py shows that reading 70 small boards stays under the limit.
Here the boards are big enough to page (cards 1,000 at a time, history 1,000 at a time) and the
content board has so many cards ready for Medium that the write-back (a link and a move per card)
is most of the sync's requests. With a fake clock shared by the fake and our sessions, no
10-second window ever holds more than 100 requests for the token, and bursts of 429s are waited
out (at least one rate-limit interval each) without the run failing or anything being written
twice.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest

import jobs.sync
from config import load_config
from sync.state.store import State
from sync.trello.api import OAuthHeader, trello_session
from tests.fakes.boards import synthetic_board
from tests.fakes.medium import FakeMedium
from tests.fakes.trello import BASE_URL, FakeTrello

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
RATE_LIMITED = {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}


@pytest.fixture
def world(clock, monkeypatch, write_config):
    """A microactions board of 1,500 cards and 2,500 history entries (paged both ways) and a
    content board of 600 cards, about 60 of them ready for Medium; Medium on its fake."""
    trello, medium = FakeTrello(clock=clock), FakeMedium(daily_limit=1000)
    trello.max_nested_cards = 1000
    micro = synthetic_board(1500, n_actions=2500, seed=3)
    content = synthetic_board(600, role="content", seed=4)
    trello.add_board(micro)
    trello.add_board(content)
    monkeypatch.setenv("TRELLO_API_KEY", trello.key)
    monkeypatch.setenv("TRELLO_TOKEN", trello.token)
    monkeypatch.setenv("MEDIUM_TOKEN", medium.token)
    path = write_config(f"""
        state_db = "state.db"
        [boards.microactions]
        role = "microactions"
        source = "trello:{micro["id"]}"
        [boards.content]
        role = "content"
        source = "trello:{content["id"]}"
        [calendar]
        feed = ""
        [medium]
        target = "medium"
    """)
    with trello.running() as rsps:
        medium.install(rsps)
        yield trello, medium, path, content["id"]


def sync(path, tmp_path):
    with State(tmp_path / "state.db") as state:
        return jobs.sync.run(load_config(path), state, now=NOW)


def drafted_links(trello: FakeTrello, board_id: str) -> Counter[str]:
    """The Medium draft links on the board's cards, as a user sees them: URL → how many."""
    return Counter(
        attachment["url"]
        for card in trello.export(board_id)["cards"]
        for attachment in card.get("attachments") or []
        if attachment["name"] == "Medium draft" and "/p/" not in attachment["url"]
    )


def test_a_whole_sync_of_big_boards_never_sends_100_requests_in_10_seconds(world, clock, tmp_path):
    trello, medium, path, _ = world
    report = sync(path, tmp_path)

    assert report.ok, report.failures
    assert trello.count("GET", re.compile(r"/cards/all$")) == 2  # paged: 1,500 cards
    assert trello.count("GET", re.compile(r"/actions$")) >= 4  # paged: 2,500 entries and more
    drafts = len(medium.posts)
    assert drafts >= 40
    assert len(trello.writes()) == 2 * drafts  # a link and a move per draft: most requests
    assert len(trello.requests) > 100  # more than one window's worth, so pacing had to work
    assert trello.max_requests_in_window() <= 100
    assert [r for r in trello.requests if r.status == 429] == []
    assert clock.now() >= 10  # the run was paced, not refused


def test_429_bursts_are_waited_out_and_nothing_is_written_twice(world, clock, tmp_path):
    trello, medium, path, content = world
    trello.fail_next("GET", r"/1/boards/[^/]+", status=429, body=RATE_LIMITED, times=3)
    trello.fail_next("GET", r"/1/boards/[^/]+/actions", status=429, body=RATE_LIMITED, times=4)
    trello.fail_next("POST", r"/1/cards/[^/]+/attachments", status=429, body=RATE_LIMITED, times=3)
    trello.fail_next("PUT", r"/1/cards/[^/]+", status=429, body=RATE_LIMITED, times=2)

    report = sync(path, tmp_path)

    assert report.ok, report.failures
    assert trello.pending_faults() == []
    assert len([s for s in clock.sleeps if s >= 10]) >= 3 + 4 + 3 + 2  # each 429 waited out
    links = drafted_links(trello, content)
    assert sorted(links) == sorted(p["url"] for p in medium.posts)
    assert set(links.values()) == {1}
    assert trello.max_requests_in_window() <= 100
    again = sync(path, tmp_path)
    assert again.ok and [o for o in again.outcomes if o.status == "done"] == []


def test_every_session_of_one_token_in_a_process_shares_the_limit(clock):
    """`otg jobs run` catching up runs sync, publication and roundup back to back, each with its
    own session: Trello counts the token's requests, so the sessions share one window."""
    trello = FakeTrello(clock=clock)
    first, second = (trello_session(trello.key, trello.token) for _ in range(2))
    other_token = trello_session(trello.key, "ATTA" + "b" * 72)
    assert first.window is second.window and first.window is not other_token.window
    auth = OAuthHeader(trello.key, trello.token)
    with trello.running():
        for _ in range(75):  # 150 requests, alternating between two sessions
            for session in (first, second):
                answer = session.get(f"{BASE_URL}/members/me", auth=auth)
                assert answer.status_code == 200
    assert trello.max_requests_in_window() <= 95  # one window for both: paced, never refused
    assert [r for r in trello.requests if r.status == 429] == []
    assert clock.now() >= 10

"""Requests and writes on the Trello API, counted exactly on the stateful fake (tests/fakes), and
held at their minimum: the bench fails when a count rises above what is recorded here.

The nightly sync reads three API boards (microactions, events, content) of N cards: a first run
(every event and draft made, every drafted card linked and moved on Trello) and the steady state
(nothing changed). The naive py-trello way (``board.all_cards()``, then ``card.checklists``,
``card.attachments`` and ``card.fetch_actions(...)`` per card) is counted for the same boards, with
the time it would take at Trello's real limit (100 requests per 10 s per token): the fake has no
limit, so its seconds would say nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from trello import TrelloClient

import sync.http
import tests.fakes.trello as fake_module
from config import build_config
from jobs.sync import run as nightly_sync
from sync.dates import now_utc
from sync.state.store import State
from tests.fakes.boards import synthetic_board
from tests.fakes.trello import FakeClock, FakeTrello

ROLES = ("microactions", "events", "content")
#: Trello's rate limit: 100 requests per 10 seconds per token.
TRELLO_PER_SECOND = 100 / 10

#: A night with nothing changed: one nested board request and one history page per board; no
#: write. Any rise fails the bench (and tests/test_benchmarks_doc.py, for the docs' figures).
STEADY_REQUESTS = 2 * len(ROLES)
STEADY_WRITES = 0
#: First runs: (requests, of which writes) by N, as measured when these were recorded.
FIRST = {100: (11, 5), 1000: (113, 101), 5000: (516, 474), 20000: (2051, 1893)}
#: The naive way's requests for the same three boards.
NAIVE = {100: 443, 1000: 4172, 5000: 20855}


@dataclass(frozen=True)
class Counts:
    first_requests: int
    first_writes: int
    steady_requests: int
    steady_writes: int
    naive_requests: int | None

    def problems(self, n: int) -> list[str]:
        """What rose above its minimum, one line each."""
        found = []
        if self.steady_requests > STEADY_REQUESTS or self.steady_writes > STEADY_WRITES:
            found.append(
                f"N={n}: a night with nothing changed made {self.steady_requests} requests "
                f"({self.steady_writes} writes); the minimum is {STEADY_REQUESTS} ({STEADY_WRITES})"
            )
        recorded = FIRST.get(n, (self.first_requests, self.first_writes))
        if self.first_requests > recorded[0] or self.first_writes > recorded[1]:
            found.append(
                f"N={n}: a first run made {self.first_requests} requests ({self.first_writes} "
                f"writes); recorded: {recorded[0]} ({recorded[1]})"
            )
        if self.naive_requests is not None and n in NAIVE and self.naive_requests != NAIVE[n]:
            found.append(f"N={n}: the naive way now counts {self.naive_requests}, not {NAIVE[n]}")
        return found


def naive(fake: FakeTrello, board_id: str) -> None:
    client = TrelloClient(api_key=fake.key, token=fake.token)
    board = client.get_board(board_id)
    board.list_lists()
    board.get_labels()
    for card in board.all_cards():  # what a sync needs: checklists, links, when it last moved
        _ = card.checklists, card.attachments, card.fetch_actions("updateCard:idList")


def _sync(cfg, fake: FakeTrello) -> tuple[int, int]:
    fake.requests.clear()
    with State(cfg.state_db) as state:
        report = nightly_sync(cfg, state, now=now_utc())
    if report.failures:
        raise RuntimeError(report.failures[0])
    return len(fake.requests), sum(1 for r in fake.requests if r.method != "GET")


def count(n: int, *, with_naive: bool = True) -> Counts:
    """The nightly sync's requests on three API boards of ``n`` cards, first and steady."""
    limits = fake_module.TOKEN_LIMIT, fake_module.KEY_LIMIT
    fake_module.TOKEN_LIMIT = fake_module.KEY_LIMIT = 10**9  # count the naive way at all
    original = sync.http.monotonic, sync.http.pause
    clock = FakeClock()  # the client's rate-limit waits are counted, not slept
    sync.http.monotonic, sync.http.pause = clock.now, clock.sleep
    sync.http._WINDOWS.clear()  # windows from earlier parts hold times of the real clock
    try:
        fake = FakeTrello(clock=clock)
        ids = {}
        for seed, role in enumerate(ROLES):
            board = synthetic_board(n, role=role, seed=seed)
            fake.add_board(board)
            ids[role] = board["id"]
        with fake.running(), TemporaryDirectory() as tmp:
            raw = {
                "boards": {r: {"role": r, "source": f"trello:{ids[r]}"} for r in ROLES},
                "state_db": "state.db",
                "output_dir": "out",
                "calendar": {"domain": "bench.example"},
                "medium": {"target": "drafts"},
            }
            environ = {"TRELLO_API_KEY": fake.key, "TRELLO_TOKEN": fake.token}
            cfg = build_config(raw, Path(tmp) / "otg.toml", environ=environ)
            first = _sync(cfg, fake)
            steady = _sync(cfg, fake)
            naive_requests = None
            if with_naive:
                fake.requests.clear()
                for board_id in ids.values():
                    naive(fake, board_id)
                naive_requests = len(fake.requests)
    finally:  # as they were: the tests count with these too (tests/test_benchmarks_doc.py)
        sync.http.monotonic, sync.http.pause = original
        fake_module.TOKEN_LIMIT, fake_module.KEY_LIMIT = limits
        sync.http._WINDOWS.clear()  # the windows hold times of the fake clock
    return Counts(*first, *steady, naive_requests)


def run(sizes: list[int], naive_max: int) -> list[str]:
    """Print the requests table; return what rose above its minimum."""
    print("\nRequests on the Trello API: the nightly sync of 3 API boards of N cards (fake Trello)")
    header = (
        f"{'N':>6} | {'first: req':>10} {'writes':>6} | {'nightly: req':>12} {'writes':>6} | "
        f"{'naive req':>9} {'at 100/10 s':>11} | {'fewer':>6}"
    )
    print(header)
    print("-" * len(header))
    problems = []
    for n in sizes:
        counts = count(n, with_naive=n <= naive_max)
        problems += counts.problems(n)
        naive_cells = f"{'—':>9} {'—':>11} | {'—':>6}"
        if counts.naive_requests is not None:
            minutes = counts.naive_requests / TRELLO_PER_SECOND / 60
            fewer = counts.naive_requests / counts.steady_requests
            naive_cells = f"{counts.naive_requests:>9} {minutes:>9.1f} m | {fewer:>5.0f}×"
        print(
            f"{n:>6} | {counts.first_requests:>10} {counts.first_writes:>6} | "
            f"{counts.steady_requests:>12} {counts.steady_writes:>6} | {naive_cells}",
            flush=True,
        )
    return problems

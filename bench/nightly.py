"""The whole nightly sync: three API boards (microactions, events, content) of N cards each on the
fake Trello, the events feed and the drafts folder written, everything recorded.

Two runs: the first (every event and draft created, every drafted card linked and moved on
Trello) and the steady state (nothing changed: what a normal night costs). Trello's rate limit
is honoured by the client (95 requests per 10 s); here its waits are counted, not slept, and shown
as "paced s": how long a real first run would spend waiting on the limit.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from pathlib import Path
from tempfile import TemporaryDirectory

import sync.http
import tests.fakes.trello as fake_module
from bench.trello_read import naive
from config import build_config
from jobs.sync import run as nightly_sync
from sync.dates import now_utc
from sync.state.store import State
from tests.fakes.boards import synthetic_board
from tests.fakes.trello import FakeClock, FakeTrello

ROLES = ("microactions", "events", "content")


def _config(folder: Path, fake: FakeTrello, ids: dict[str, str]):
    raw = {
        "boards": {role: {"role": role, "source": f"trello:{ids[role]}"} for role in ROLES},
        "state_db": "state.db",
        "output_dir": "out",
        "calendar": {"domain": "bench.example"},
        "medium": {"target": "drafts"},
    }
    return build_config(
        raw, folder / "otg.toml", environ={"TRELLO_API_KEY": fake.key, "TRELLO_TOKEN": fake.token}
    )


def _one(cfg, fake: FakeTrello, clock: FakeClock, *, traced: bool = False):
    """(requests, writes, seconds, peak MiB or 0, paced seconds) for one sync. Memory is traced
    only when asked (tracemalloc slows the run down, so timed runs are not traced)."""
    fake.requests.clear()
    paced = clock.now()
    gc.collect()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    with State(cfg.state_db) as state:
        report = nightly_sync(cfg, state, now=now_utc())
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    tracemalloc.stop()
    if report.failures:
        raise RuntimeError(report.failures[0])
    writes = sum(1 for r in fake.requests if r.method != "GET")
    return len(fake.requests), writes, seconds, peak, clock.now() - paced


def run(sizes: list[int], naive_max: int = 5000) -> None:
    print(
        "\nThe whole nightly sync: 3 API boards of N cards each (fake Trello; seconds include "
        "the fake)"
    )
    header = (
        f"{'N':>6} | {'first: req':>10} {'writes':>6} {'s':>6} {'paced s':>7} | "
        f"{'nightly: req':>12} {'s':>6} {'peak MiB':>8} | {'naive req':>9}"
    )
    print(header)
    print("-" * len(header))
    fake_module.TOKEN_LIMIT = fake_module.KEY_LIMIT = 10**9  # count the naive way's requests
    original = sync.http.monotonic, sync.http.pause
    clock = FakeClock()
    sync.http.monotonic, sync.http.pause = clock.now, clock.sleep
    # The rate windows are per process (sync.http.shared_window) and hold times read from the
    # clock of the parts measured before this one (the real one): on this fake clock, which
    # starts at 0, they would say to wait hours. A fresh process would start with none.
    sync.http._WINDOWS.clear()
    try:
        for n in sizes:
            fake = FakeTrello(clock=clock)
            ids = {}
            for seed, role in enumerate(ROLES):
                board = synthetic_board(n, role=role, seed=seed)
                fake.add_board(board)
                ids[role] = board["id"]
            with fake.running(), TemporaryDirectory() as tmp:
                cfg = _config(Path(tmp), fake, ids)
                first = _one(cfg, fake, clock)
                steady = _one(cfg, fake, clock)
                traced = _one(cfg, fake, clock, traced=True)
                naive_requests = "—"
                if n <= naive_max:
                    fake.requests.clear()
                    for board_id in ids.values():
                        naive(fake, board_id, n)
                    naive_requests = str(len(fake.requests))
            print(
                f"{n:>6} | {first[0]:>10} {first[1]:>6} {first[2]:>6.1f} {first[4]:>7.0f} | "
                f"{steady[0]:>12} {steady[2]:>6.1f} {traced[3]:>8.0f} | {naive_requests:>9}",
                flush=True,
            )
    finally:
        sync.http.monotonic, sync.http.pause = original

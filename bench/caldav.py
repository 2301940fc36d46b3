"""CalDAV: requests for a first sync and for a sync with nothing changed, on a real Radicale.

The server is started here on 127.0.0.1, as the tests do. Target: a no-change sync makes only the
reads (one PROPFIND) and zero writes, whatever the number of events.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from config import build_config
from jobs.events.outbound import sync_events
from sync.model import Role
from sync.report import Report
from sync.state.store import State
from sync.trello.parse import parse_board
from tests.fakes.boards import synthetic_board
from tests.servers.radicale import PASSWORD, USER, RadicaleServer

NOW = datetime(2026, 11, 21, 2, tzinfo=UTC)


def one_sync(cfg, state, board) -> tuple[Report, float]:
    report = Report(job="bench")
    started = time.perf_counter()
    sync_events(cfg, state, [board], report, dry_run=False, now=NOW)
    if report.failures:
        raise RuntimeError(report.failures[0])
    return report, time.perf_counter() - started


def run(sizes: list[int]) -> None:
    print("\nCalDAV (a real Radicale on 127.0.0.1): requests per sync")
    header = (
        f"{'cards':>6} | {'events':>6} | {'first: requests':>15} {'seconds':>8} | "
        f"{'no change: requests':>19} {'writes':>6} {'seconds':>8}"
    )
    print(header)
    print("-" * len(header))
    with TemporaryDirectory() as tmp:
        server = RadicaleServer(Path(tmp) / "radicale")
        server.start()
        try:
            for n in sizes:
                board = parse_board(
                    synthetic_board(n, role="events"), role=Role.EVENTS, source="bench"
                )
                url = server.make_calendar()
                raw = {
                    "boards": {"e": {"role": "events", "source": "unused.json"}},
                    "state_db": f"state-{n}.db",
                    "output_dir": f"out-{n}",
                    "calendar": {
                        "domain": "bench.example",
                        "feed": "",
                        "caldav": {"url": url, "username": USER},
                    },
                }
                cfg = build_config(
                    raw, Path(tmp) / "otg.toml", environ={"CALDAV_PASSWORD": PASSWORD}
                )
                with State(cfg.state_db) as state:
                    first, first_s = one_sync(cfg, state, board)
                    again, again_s = one_sync(cfg, state, board)
                events = sum(1 for o in first.outcomes if o.target == "calendar")
                writes = sum(1 for o in again.outcomes if o.target == "caldav")
                print(
                    f"{n:>6} | {events:>6} | {first.requests['caldav']:>15} {first_s:>8.2f} | "
                    f"{again.requests['caldav']:>19} {writes:>6} {again_s:>8.2f}",
                    flush=True,
                )
        finally:
            server.stop()

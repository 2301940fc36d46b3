"""CalDAV: requests for a first sync and for a sync with nothing changed, on a real Radicale;
and what a quiet night costs (requests and bytes) as the calendar grows: 1,000 and 5,000 events
with ``--full``, 100 in the quick default.

The server is started here on 127.0.0.1, as the tests do. Target: a no-change sync makes only the
reads (one PROPFIND) and zero writes, whatever the number of events; once a quiet night has kept
the listing, the next is one small PROPFIND (the calendar's version), whatever the number of events.
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


def run(sizes: list[int], quiet: tuple[int, ...] = ()) -> None:
    """The requests of a first sync and of one with nothing changed for each of ``sizes`` (cards
    on the events board), then the quiet nights for each of ``quiet`` (events on the calendar)."""
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
    if quiet:
        quiet_nights(quiet)


# -- a quiet night as the calendar grows (issue 16) ----------------------------------------------

#: ``--full``'s calendars: the published events of boards of 1,000 and 5,000 cards. Setting up
#: the big one takes 4,756 PUTs on a Radicale whose PUTs slow down as its calendar grows: minutes.
QUIET_SIZES = (1000, 5000)
#: The quick default's: the quiet night's one request, on a small calendar.
QUIET_QUICK = (100,)


def _counting(traffic: list[tuple[str, int]]):
    """Wrap the job's CalDAV client so that every request's method and bytes (sent and received,
    bodies only) are counted in ``traffic``."""
    import jobs.events.outbound as outbound

    original = outbound.caldav_client

    def hook(response, *args, **kwargs) -> None:
        body = response.request.body or b""
        traffic.append((response.request.method, len(body) + len(response.content)))

    def counting(cfg, caldav):
        client = original(cfg, caldav)
        client.session.hooks["response"].append(hook)
        return client

    return original, counting


def quiet_nights(sizes: tuple[int, ...] = QUIET_SIZES) -> None:
    """Requests and bytes of a sync with nothing changed: the night after a run that wrote (the
    calendar listed whole, and kept) and every quiet night after it (its version alone)."""
    import jobs.events.outbound as outbound

    print("\nCalDAV quiet nights (a real Radicale on 127.0.0.1): requests and bytes per sync")
    header = (
        f"{'events':>6} | {'listed whole: requests':>22} {'bytes':>10} | "
        f"{'quiet night: requests':>21} {'bytes':>6} {'seconds':>8}"
    )
    print(header)
    print("-" * len(header))
    traffic: list[tuple[str, int]] = []
    original, counting = _counting(traffic)
    outbound.caldav_client = counting
    try:
        with TemporaryDirectory() as tmp:
            server = RadicaleServer(Path(tmp) / "radicale")
            server.start()
            try:
                for n in sizes:
                    raw = {
                        "boards": {"e": {"role": "events", "source": "unused.json"}},
                        "state_db": f"quiet-{n}.db",
                        "output_dir": f"quiet-out-{n}",
                        "calendar": {
                            "domain": "bench.example",
                            "feed": "",
                            "caldav": {"url": server.make_calendar(), "username": USER},
                        },
                    }
                    cfg = build_config(
                        raw, Path(tmp) / "otg.toml", environ={"CALDAV_PASSWORD": PASSWORD}
                    )
                    board = _events_board(n, cfg)
                    with State(cfg.state_db) as state:
                        first, _ = one_sync(cfg, state, board)
                        traffic.clear()
                        one_sync(cfg, state, board)
                        whole = list(traffic)
                        traffic.clear()
                        _, quiet_s = one_sync(cfg, state, board)
                        quiet = list(traffic)
                    events = sum(1 for o in first.outcomes if o.target == "calendar")
                    print(
                        f"{events:>6} | {len(whole):>22} {sum(b for _, b in whole):>10,} | "
                        f"{len(quiet):>21} {sum(b for _, b in quiet):>6,} {quiet_s:>8.2f}",
                        flush=True,
                    )
            finally:
                server.stop()
    finally:
        outbound.caldav_client = original


def _events_board(events: int, cfg) -> object:
    """A synthetic events board cut to its first ``events`` cards that make an event."""
    from dataclasses import replace

    from sync.calendar.mapping import EventSpec, event_for

    board = parse_board(synthetic_board(events * 3, role="events"), role=Role.EVENTS, source="b")
    kept = [c for c in board.cards if isinstance(event_for(c, cfg.calendar, cfg.tz), EventSpec)]
    return replace(board, cards=tuple(kept[:events]))

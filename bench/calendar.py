"""The events calendar: planning and rendering the feed for a big events board.

The board is parsed once (that is measured with the Trello read); this times what the calendar adds:
plan every card against an empty state, then render the whole RFC 5545 feed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from bench.measure import measure
from config.calendar import CalendarConfig
from sync.calendar import ical
from sync.calendar.plan import calendar_records, plan_events
from sync.dates import zone
from sync.model import Role
from sync.trello.parse import parse_board
from tests.fakes.boards import synthetic_board

NOW = datetime(2026, 11, 21, 2, tzinfo=UTC)


def build_feed(board, cfg: CalendarConfig) -> tuple[int, int]:
    changes = plan_events([board], {}, cfg=cfg, tz=zone("Europe/London"), now=NOW)
    records = calendar_records({}, changes)
    content = ical.calendar(
        records.values(), name="bench", refresh_minutes=60, timezone="Europe/London"
    )
    return len(records), len(content)


def run(sizes: list[int]) -> None:
    print("\nEvents feed: plan + render the .ics for an events board")
    header = f"{'cards':>6} | {'events':>6} {'feed KiB':>9} {'seconds':>8} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    cfg = CalendarConfig(domain="bench.example")
    for n in sizes:
        board = parse_board(synthetic_board(n, role="events"), role=Role.EVENTS, source="bench")
        figures = measure(partial(build_feed, board, cfg))
        events, size = figures.result
        print(
            f"{n:>6} | {events:>6} {size / 1024:>9.0f} {figures.seconds:>8.2f} "
            f"{figures.peak_mib:>9.1f}",
            flush=True,
        )

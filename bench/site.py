"""The static site for a big events board: build every page and .ics, write it, rebuild it.

The board is parsed once (measured with the Trello read); this times what the site adds: the
events the feed holds → pages and files (every event on the events page: past_days is set long),
the first write of the whole site, and a rebuild with nothing changed (which writes nothing).
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from bench.measure import measure
from config.calendar import CalendarConfig
from config.site import SiteConfig
from jobs.site import write_site
from sync.calendar.plan import calendar_records, plan_events
from sync.dates import zone
from sync.model import Role
from sync.site.pages import SiteInput, build
from sync.site.public import public_events
from sync.trello.parse import parse_board
from tests.fakes.boards import synthetic_board

DEFAULT_SIZES = [20000]
NOW = datetime(2026, 11, 21, 2, tzinfo=UTC)


def build_site(board, cfg: CalendarConfig) -> dict[str, bytes]:
    records = calendar_records(
        {}, plan_events([board], {}, cfg=cfg, tz=zone("Europe/London"), now=NOW)
    )
    events = public_events(records, {card.id: card for card in board.cards}, cfg)
    site = SiteConfig(base_url="https://bench.example/", past_days=3650)
    return build(SiteInput(site, cfg, "Europe/London", events), NOW)


def run(sizes: list[int]) -> None:
    print("\nStatic site: build every page and .ics for an events board, write it, rebuild it")
    header = (
        f"{'cards':>6} | {'files':>6} {'site MiB':>9} {'page KiB':>9} {'build s':>8} "
        f"{'peak MiB':>9} {'write s':>8} {'rebuild s':>9}"
    )
    print(header)
    print("-" * len(header))
    cfg = CalendarConfig(domain="bench.example")
    for n in sizes:
        board = parse_board(synthetic_board(n, role="events"), role=Role.EVENTS, source="bench")
        figures = measure(partial(build_site, board, cfg))
        files = figures.result
        with tempfile.TemporaryDirectory(prefix="otg-bench-site-") as folder:
            started = time.perf_counter()
            write_site(Path(folder), files)
            wrote = time.perf_counter() - started
            started = time.perf_counter()
            written, _ = write_site(Path(folder), build_site(board, cfg))
            rebuilt = time.perf_counter() - started  # the build again, and the comparing
            if written:
                raise RuntimeError(f"a rebuild with nothing changed wrote {len(written)} files")
        size = sum(len(content) for content in files.values())
        print(
            f"{n:>6} | {len(files):>6} {size / 2**20:>9.1f} "
            f"{len(files['events.html']) / 1024:>9.0f} {figures.seconds:>8.2f} "
            f"{figures.peak_mib:>9.1f} {wrote:>8.2f} {rebuilt:>9.2f}",
            flush=True,
        )

"""The roundup: gather a fortnight from a big microactions board and render the default template."""

from __future__ import annotations

from datetime import date
from functools import partial

from bench.measure import measure
from config.calendar import CalendarConfig
from sync.dates import zone
from sync.model import Role
from sync.roundup.gather import Options, fortnight_ending, gather
from sync.roundup.render import render
from sync.trello.parse import parse_board
from tests.fakes.boards import synthetic_board


def build(board) -> tuple[int, int]:
    options = Options(tz=zone("Europe/London"), calendar=CalendarConfig())
    roundup = gather([board], fortnight_ending(date(2026, 11, 15)), options)
    text = render(roundup.context())
    return sum(len(items) for items in roundup.microactions.values()), len(text)


def run(sizes: list[int]) -> None:
    print("\nRoundup: gather a fortnight from a microactions board and render it")
    header = f"{'cards':>6} | {'featured':>8} {'post KiB':>9} {'seconds':>8} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    for n in sizes:
        board = parse_board(synthetic_board(n), role=Role.MICROACTIONS, source="bench")
        figures = measure(partial(build, board))
        featured, size = figures.result
        print(
            f"{n:>6} | {featured:>8} {size / 1024:>9.1f} {figures.seconds:>8.2f} "
            f"{figures.peak_mib:>9.1f}",
            flush=True,
        )

"""The nightly sync as a user runs it: `otg sync` as its own process on three export boards of N
cards each (microactions, events, content), writing the events feed and the drafts folder.

First run: nothing synced yet (every event and draft made), each run from a fresh state. Steady:
the same boards again, nothing changed, what a normal night costs. Each against its floor,
measured in the same bench run (bench/floor.py): reading the three files with ``json.loads``;
for a first run, that plus an icalendar feed, Markdown and writing the files. Per card: the
steady run's CPU divided by the cards read (3 × N), which stays flat when the cost is linear.
"""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

from bench.boards import exports, files, fresh, workplace
from bench.floor import first_floor, json_floor
from bench.proc import OTG, Figures, measure

#: The targets (docs/reference/benchmarks.md): at most this many times the floor.
STEADY_TARGET = FIRST_TARGET = 2.0


def _ratio(ours: Figures, floor: Figures) -> str:
    return f"{ours.median('cpu') / floor.median('cpu'):.2f}×"


def run(sizes: list[int], runs: int, where: Path, *, first_runs: int | None = None) -> list[str]:
    """Print the table; return the targets missed (reported, not failed: they are goals)."""
    print(
        "\nThe nightly sync, whole process: `otg sync` on 3 export boards of N cards "
        f"(median of {runs} runs, range in brackets; CPU = user + system)"
    )
    header = (
        f"{'N':>6} | {'run':<7} | {'CPU s':>18} | {'wall s':>18} | {'peak RSS MiB':>16} | "
        f"{'floor CPU s':>18} | {'ratio':>6} | {'floor MiB':>9} | {'µs/card':>7}"
    )
    print(header)
    print("-" * len(header))
    missed = []
    for n in sizes:
        exports(n)  # made (or found in the cache) before anything is timed
        place = workplace(n, where)
        sync = [OTG, "--config", str(place / "otg.toml"), "sync"]
        first = measure(sync, runs=first_runs or runs, cwd=place, before=partial(fresh, place))
        steady = measure(sync, runs=runs, cwd=place)
        floor_out = where / f"floor-{n}"
        first_floor_figures = measure(
            first_floor(exports(n), floor_out),
            runs=first_runs or runs,
            before=partial(shutil.rmtree, floor_out, ignore_errors=True),
        )
        json_floor_figures = measure(json_floor(files(n)), runs=runs)
        per_card = steady.median("cpu") / (3 * n) * 1e6
        for name, ours, floor in (
            ("first", first, first_floor_figures),
            ("nightly", steady, json_floor_figures),
        ):
            print(
                f"{n:>6} | {name:<7} | {ours.cell('cpu'):>18} | {ours.cell('wall'):>18} | "
                f"{ours.cell('rss', 0):>16} | {floor.cell('cpu'):>18} | {_ratio(ours, floor):>6} "
                f"| {floor.median('rss'):>9.0f} | {per_card if name == 'nightly' else 0:>7.0f}",
                flush=True,
            )
        for name, ours, floor, target in (
            ("first run", first, first_floor_figures, FIRST_TARGET),
            ("nightly", steady, json_floor_figures, STEADY_TARGET),
        ):
            if ours.median("cpu") > target * floor.median("cpu"):
                missed.append(
                    f"N={n}: {name} at {_ratio(ours, floor)} its floor (target {target}×)"
                )
    return missed

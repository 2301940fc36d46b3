"""The nightly sync as a user runs it: `otg sync` as its own process on three export boards of N
cards each (microactions, events, content), writing the events feed and the drafts folder.

First run: nothing synced yet (every event and draft made), each run from a fresh state.
Nightly: the same boards again with nothing to do, as new exports (no board kept from the last
read, so each is read from its JSON): what a night costs when the exports were downloaded again.
Kept: the same, with the exports unchanged since the last sync, so each board is loaded as the
last sync kept it (sync/trello/snapshots.py). First and nightly against their floors, measured in
the same bench run (bench/floor.py): reading the three files with ``json.loads``; for a first
run, that plus an icalendar feed, Markdown and writing the files. Per card: the nightly run's CPU
divided by the cards read (3 × N), beside the JSON floor's, and under the table how each grew
from the smallest N to the biggest: flat (×1.0) when the cost is linear.

From ``BIG_N`` cards a board, each figure takes at most ``BIG_RUNS`` runs (the table's ``runs``
column says how many): a first run at N = 50,000 takes minutes.
"""

from __future__ import annotations

import shutil
from functools import partial
from itertools import pairwise
from pathlib import Path

from bench.boards import exports, files, forget_kept, fresh, workplace
from bench.floor import first_floor, json_floor
from bench.proc import OTG, Figures, measure

#: The targets (docs/reference/benchmarks.md): at most this many times the floor, checked from
#: ``TARGET_FROM`` cards a board (below it the floor is shorter than starting Python and importing
#: the libraries, which the start-up rows measure), and the steady night's peak at ``RSS_AT``.
STEADY_TARGET = FIRST_TARGET = 2.0
TARGET_FROM = 5000
RSS_AT, RSS_TARGET = 20000, 200
#: From this many cards a board, at most this many runs per figure.
BIG_N, BIG_RUNS = 20000, 3


def _ratio(ours: Figures, floor: Figures) -> str:
    return f"{ours.median('cpu') / floor.median('cpu'):.2f}×"


def runs_for(n: int, runs: int) -> int:
    return min(runs, BIG_RUNS) if n >= BIG_N else runs


def run(sizes: list[int], runs: int, where: Path, *, first_runs: int | None = None) -> list[str]:
    """Print the table; return the targets missed (reported, not failed: they are goals)."""
    fewer = (
        f"; at most {BIG_RUNS} from N = {BIG_N:,}"
        if max(sizes) >= BIG_N and runs > BIG_RUNS
        else ""
    )
    print(
        "\nThe nightly sync, whole process: `otg sync` on 3 export boards of N cards "
        f"(median of {runs} runs{fewer}, range in brackets; CPU = user + system; µs/card: "
        "the nightly run's CPU and its floor's over the 3 × N cards)"
    )
    header = (
        f"{'N':>6} | {'run':<7} | {'runs':>4} | {'CPU s':>18} | {'wall s':>18} | "
        f"{'peak RSS MiB':>16} | {'floor CPU s':>18} | {'ratio':>6} | {'floor MiB':>9} | "
        f"{'µs/card':>7} | {'floor µs':>8}"
    )
    print(header)
    print("-" * len(header))
    missed = []
    per_card: dict[int, tuple[float, float]] = {}  # N: (ours, the JSON floor's), µs a card
    for n in sizes:
        exports(n)  # made (or found in the cache) before anything is timed
        place = workplace(n, where)
        sync = [OTG, "--config", str(place / "otg.toml"), "sync"]
        steady_runs = runs_for(n, runs)
        firsts = runs_for(n, first_runs or runs)
        first = measure(sync, runs=firsts, cwd=place, before=partial(fresh, place))
        steady = measure(sync, runs=steady_runs, cwd=place, before=partial(forget_kept, place))
        kept = measure(sync, runs=steady_runs, cwd=place)  # the boards the last run kept
        floor_out = where / f"floor-{n}"
        first_floor_figures = measure(
            first_floor(exports(n), floor_out),
            runs=firsts,
            before=partial(shutil.rmtree, floor_out, ignore_errors=True),
        )
        json_floor_figures = measure(json_floor(files(n)), runs=steady_runs)
        cards = 3 * n
        per_card[n] = (
            steady.median("cpu") / cards * 1e6,
            json_floor_figures.median("cpu") / cards * 1e6,
        )
        for name, ours, floor in (
            ("first", first, first_floor_figures),
            ("nightly", steady, json_floor_figures),
            ("kept", kept, json_floor_figures),
        ):
            cost = [f"{c:>7.0f}" for c in per_card[n]] if name == "nightly" else ["", ""]
            print(
                f"{n:>6} | {name:<7} | {len(ours.runs):>4} | {ours.cell('cpu'):>18} | "
                f"{ours.cell('wall'):>18} | {ours.cell('rss', 0):>16} | {floor.cell('cpu'):>18} | "
                f"{_ratio(ours, floor):>6} | {floor.median('rss'):>9.0f} | {cost[0]:>7} | "
                f"{cost[1]:>8}",
                flush=True,
            )
        for name, ours, floor, target in (
            ("first run", first, first_floor_figures, FIRST_TARGET),
            ("nightly", steady, json_floor_figures, STEADY_TARGET),
        ):
            if n >= TARGET_FROM and ours.median("cpu") > target * floor.median("cpu"):
                missed.append(
                    f"N={n}: {name} at {_ratio(ours, floor)} its floor (target {target}×)"
                )
        if n == RSS_AT and steady.median("rss") > RSS_TARGET:
            missed.append(
                f"N={n}: nightly peak {steady.median('rss'):.0f} MiB (target {RSS_TARGET})"
            )
    if len(per_card) > 1:
        print(growth(per_card))
    return missed


def growth(per_card: dict[int, tuple[float, float]]) -> str:
    """How the nightly run's cost per card grew from the smallest N to the biggest, beside the
    JSON floor's: the issue's "flat" is ×1.0. At small N a run's fixed cost (starting Python,
    importing the libraries) weighs on each card, so a second line gives what each further card
    cost between one size and the next: equal from step to step when the cost is linear."""
    sizes = sorted(per_card)
    low, high = sizes[0], sizes[-1]
    (ours_low, floor_low), (ours_high, floor_high) = per_card[low], per_card[high]
    lines = [
        f"cost per card, {3 * low:,} → {3 * high:,} cards: nightly {ours_low:.0f} → "
        f"{ours_high:.0f} µs (×{ours_high / ours_low:.2f}); the JSON floor {floor_low:.0f} → "
        f"{floor_high:.0f} µs (×{floor_high / floor_low:.2f})"
    ]
    if len(sizes) > 2:
        steps = []  # (from, to, ours, floor): µs each card added between the two sizes
        for a, b in pairwise(sizes):
            ours, floor = ((per_card[b][i] * b - per_card[a][i] * a) / (b - a) for i in (0, 1))
            steps.append((a, b, ours, floor))
        said = "; ".join(
            f"{3 * a:,} → {3 * b:,}: {ours:.0f} µs (floor {floor:.0f})"
            for a, b, ours, floor in steps
        )
        first, last = steps[0], steps[-1]
        lines.append(
            f"each further card: {said}; grew ×{last[2] / first[2]:.2f} "
            f"(the floor ×{last[3] / first[3]:.2f})"
        )
    return "\n".join(lines)

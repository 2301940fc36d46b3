"""The roundup as a user runs it: `otg roundup` as its own process on three export boards of N
cards each, reading the boards included, printing the fortnight's post. Its floor is reading
the same three files with ``json.loads``, measured in the same bench run.
"""

from __future__ import annotations

from pathlib import Path

from bench.boards import files, workplace
from bench.floor import json_floor
from bench.proc import OTG, measure

#: The target (docs/reference/benchmarks.md), in seconds of the whole process, at N = 5,000.
TARGET_SECONDS = 0.5


def run(sizes: list[int], runs: int, where: Path) -> list[str]:
    print(
        "\nThe roundup, whole process: `otg roundup --to 2026-11-15` on 3 export boards of N "
        f"cards (median of {runs} runs, range in brackets)"
    )
    header = (
        f"{'N':>6} | {'CPU s':>18} | {'wall s':>18} | {'peak RSS MiB':>16} | "
        f"{'floor CPU s':>18} | {'ratio':>6} | {'floor MiB':>9}"
    )
    print(header)
    print("-" * len(header))
    missed = []
    for n in sizes:
        place = workplace(n, where)
        command = [OTG, "--config", str(place / "otg.toml"), "roundup", "--to", "2026-11-15"]
        ours = measure(command, runs=runs, cwd=place)
        floor = measure(json_floor(files(n)), runs=runs)
        ratio = ours.median("cpu") / floor.median("cpu")
        print(
            f"{n:>6} | {ours.cell('cpu'):>18} | {ours.cell('wall'):>18} | "
            f"{ours.cell('rss', 0):>16} | {floor.cell('cpu'):>18} | {ratio:>5.2f}× | "
            f"{floor.median('rss'):>9.0f}",
            flush=True,
        )
        if n == 5000 and ours.median("wall") > TARGET_SECONDS:
            missed.append(f"roundup N={n}: {ours.median('wall'):.2f} s (target {TARGET_SECONDS} s)")
    return missed

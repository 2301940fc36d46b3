"""The roundup as a user runs it: `otg roundup` as its own process on three export boards of N
cards each, reading the boards included, printing the fortnight's post, after a nightly sync.
Kept: as an editor meets it, the boards loaded as that sync kept them (sync/trello/snapshots.py).
Parsed: as after downloading new exports, every board read from its JSON (a printed roundup
keeps no board, so each run reads them all). Its floor is reading the same three files with
``json.loads``, measured in the same bench run.
"""

from __future__ import annotations

from pathlib import Path

from bench.boards import files, forget_kept, workplace
from bench.floor import json_floor
from bench.proc import OTG, measure, run_once

#: The target (docs/reference/benchmarks.md), in seconds of the whole process, at N = 5,000,
#: checked on the kept row: the roundup as an editor prints it after the nightly sync.
TARGET_SECONDS = 0.5


def run(sizes: list[int], runs: int, where: Path) -> list[str]:
    print(
        "\nThe roundup, whole process: `otg roundup --to 2026-11-15` on 3 export boards of N "
        f"cards (median of {runs} runs, range in brackets)"
    )
    header = (
        f"{'N':>6} | {'boards':<6} | {'CPU s':>18} | {'wall s':>18} | {'peak RSS MiB':>16} | "
        f"{'floor CPU s':>18} | {'ratio':>6} | {'floor MiB':>9}"
    )
    print(header)
    print("-" * len(header))
    missed = []
    for n in sizes:
        place = workplace(n, where)
        config = str(place / "otg.toml")
        run_once([OTG, "--config", config, "sync"], cwd=place)  # the nightly sync, once
        command = [OTG, "--config", config, "roundup", "--to", "2026-11-15"]
        kept = measure(command, runs=runs, cwd=place)
        forget_kept(place)
        parsed = measure(command, runs=runs, cwd=place)
        floor = measure(json_floor(files(n)), runs=runs)
        for name, ours in (("kept", kept), ("parsed", parsed)):
            ratio = ours.median("cpu") / floor.median("cpu")
            print(
                f"{n:>6} | {name:<6} | {ours.cell('cpu'):>18} | {ours.cell('wall'):>18} | "
                f"{ours.cell('rss', 0):>16} | {floor.cell('cpu'):>18} | {ratio:>5.2f}× | "
                f"{floor.median('rss'):>9.0f}",
                flush=True,
            )
        if n == 5000 and kept.median("wall") > TARGET_SECONDS:
            missed.append(f"roundup N={n}: {kept.median('wall'):.2f} s (target {TARGET_SECONDS} s)")
    return missed

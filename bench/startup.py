"""How long a command takes to start: `otg --help` and `otg status` (on a config with no state
yet), each as its own process, against bare Python starting and stopping."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.proc import OTG, measure

#: The target (docs/reference/benchmarks.md), in seconds of wall time, median.
TARGET_SECONDS = 0.12


def run(runs: int, where: Path) -> list[str]:
    print(f"\nStarting a command, whole process (median of {runs} runs, range in brackets)")
    config = where / "startup.toml"
    config.write_text(
        'state_db = "startup.db"\n[boards.e]\nrole = "events"\nsource = "e.json"\n'
        '[calendar]\ndomain = "bench.example"\n',
        encoding="utf-8",
    )
    header = f"{'command':<22} | {'wall s':>18} | {'CPU s':>18} | {'peak RSS MiB':>14}"
    print(header)
    print("-" * len(header))
    missed = []
    for name, command in (
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("otg --help", [OTG, "--help"]),
        ("otg status", [OTG, "--config", str(config), "status"]),
    ):
        figures = measure(command, runs=runs, cwd=where)
        print(
            f"{name:<22} | {figures.cell('wall', 3):>18} | {figures.cell('cpu', 3):>18} | "
            f"{figures.cell('rss', 0):>14}",
            flush=True,
        )
        if name.startswith("otg") and figures.median("wall") > TARGET_SECONDS:
            missed.append(f"{name}: {figures.median('wall'):.3f} s (target {TARGET_SECONDS} s)")
    return missed

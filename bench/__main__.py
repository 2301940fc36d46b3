"""`make bench` (python -m bench): whole-process figures for what users feel, against floors
measured in the same run, and the request counts held at their minimum.

Quick by default (under two minutes on 2 idle cores, once the boards are made and cached): the
nightly sync and the roundup at N = 5,000, command start-up, requests at 100 and 1,000.
``--full``: the nightly sync at 1,000, 20,000 and 50,000 (3,000 to 150,000 cards: cost per card
should stay flat), requests to 20,000.
Exits 1 when a request or write count rose above its minimum (bench/api.py); targets not yet met
are listed, not failed. Each part is a module with a ``run``: add one beside these.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from bench import api, caldav, nightly, roundup, site, startup
from bench.proc import machine


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--full", action="store_true", help="the big sizes (some 20 minutes)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument(
        "--only",
        choices=["startup", "nightly", "roundup", "api", "caldav", "site"],
        action="append",
        help="run only this part (repeatable)",
    )
    args = parser.parse_args()
    parts = set(args.only or ["startup", "nightly", "roundup", "api", "caldav", "site"])
    print(f"Machine: {machine()}")
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {'--full' if args.full else 'quick'}")
    missed: list[str] = []
    problems: list[str] = []
    with TemporaryDirectory(prefix="otg-bench-") as tmp:
        where = Path(tmp)
        if "startup" in parts:
            missed += startup.run(max(args.runs, 10), where)
        if "nightly" in parts:
            sizes = [1000, 20000, 50000] if args.full else [5000]
            missed += nightly.run(sizes, args.runs, where)
        if "roundup" in parts:
            missed += roundup.run([5000], args.runs, where)
        if "api" in parts:
            sizes = [100, 1000, 5000, 20000] if args.full else [100, 1000]
            problems += api.run(sizes, naive_max=5000 if args.full else 1000)
        if "caldav" in parts:
            caldav.run([100, 1000] if args.full else [100])
        if "site" in parts:  # in-process, as bench/site.py says
            site.run(site.DEFAULT_SIZES if args.full else [1000])
    for line in missed:
        print(f"target not met: {line}")
    for line in problems:
        print(f"FAILED: {line}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

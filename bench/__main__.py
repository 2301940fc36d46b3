"""`make bench` (python -m bench): whole-process figures for what users feel, against floors
measured in the same run, and the request counts held at their minimum.

Quick by default (about a minute on 2 cores, once the boards are made and cached): the nightly
sync and the roundup at N = 5,000, command start-up, requests at 100 and 1,000, CalDAV and a
quiet night at 100, the site at 1,000. ``--full`` (some 30 minutes): the nightly sync at 1,000,
20,000 and 50,000 (3,000 to 150,000 cards: the cost per card, and each further card's, printed
with their growth), at most 3 runs a figure from 20,000; requests to 20,000; CalDAV at 1,000 and
the quiet nights on calendars of 1,000 and 5,000 events; the site at 20,000. ``--sizes`` sets the
nightly sync's sizes (``--only nightly --sizes 50000``).
Exits 1 when a request or write count rose above its minimum (bench/api.py); targets not yet met
are listed, not failed. Each part is a module with a ``run``: add one beside these.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from bench import api, caldav, nightly, roundup, site, startup
from bench.proc import bytecode_cached, load, machine


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--full", action="store_true", help="the big sizes (some 30 minutes)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument(
        "--sizes",
        type=_sizes,
        metavar="N,N",
        help="the nightly sync's boards, in cards each (default 5000; --full: 1000,20000,50000)",
    )
    parser.add_argument(
        "--only",
        choices=["startup", "nightly", "roundup", "api", "caldav", "site"],
        action="append",
        help="run only this part (repeatable)",
    )
    args = parser.parse_args()
    parts = set(args.only or ["startup", "nightly", "roundup", "api", "caldav", "site"])
    bytecode_cached()  # as installed: no command compiles its sources while it is timed
    print(f"Machine: {machine()}")
    print(f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {'--full' if args.full else 'quick'}")
    missed: list[str] = []
    problems: list[str] = []
    started = time.perf_counter()
    with TemporaryDirectory(prefix="otg-bench-") as tmp:
        where = Path(tmp)
        if "startup" in parts:
            with timed("start-up"):
                missed += startup.run(max(args.runs, 10), where)
        if "nightly" in parts:
            sizes = args.sizes or ([1000, 20000, 50000] if args.full else [5000])
            with timed("the nightly sync"):
                missed += nightly.run(sizes, args.runs, where)
        if "roundup" in parts:
            with timed("the roundup"):
                missed += roundup.run([5000], args.runs, where)
        if "api" in parts:
            sizes = [100, 1000, 5000, 20000] if args.full else [100, 1000]
            with timed("requests"):
                problems += api.run(sizes, naive_max=5000 if args.full else 1000)
        if "caldav" in parts:
            with timed("CalDAV"):
                if args.full:
                    caldav.run([100, 1000], quiet=caldav.QUIET_SIZES)
                else:
                    caldav.run([100], quiet=caldav.QUIET_QUICK)
        if "site" in parts:  # in-process, as bench/site.py says
            with timed("the static site"):
                site.run(site.DEFAULT_SIZES if args.full else [1000])
    print(f"\nThe bench took {time.perf_counter() - started:.0f} s; {load()} now")
    for line in missed:
        print(f"target not met: {line}")
    for line in problems:
        print(f"FAILED: {line}", file=sys.stderr)
    sys.exit(1 if problems else 0)


@contextmanager
def timed(part: str) -> Iterator[None]:
    """Says how long a part of the bench took, so that the quick default's budget can be read."""
    started = time.perf_counter()
    yield
    print(f"({part}: {time.perf_counter() - started:.0f} s)", flush=True)


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(size) for size in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: cards per board, such as 1000,20000") from None
    if sizes[0] < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a board has at least one card")
    return sizes


if __name__ == "__main__":
    main()

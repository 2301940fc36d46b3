"""`python -m bench [--sizes 100,1000,5000] [--no-naive]`: print every benchmark's figures."""

from __future__ import annotations

import argparse
import os
import platform

from bench import caldav, calendar, nightly, roundup, site, trello_read


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        default="100,1000,5000",
        help="card counts, comma-separated (default: 100,1000,5000)",
    )
    parser.add_argument(
        "--no-naive",
        action="store_true",
        help="skip the naive py-trello baseline (it is slow on big boards)",
    )
    parser.add_argument(
        "--caldav-max",
        type=int,
        default=1000,
        help="largest board to sync to CalDAV (a PUT per event: slow on purpose)",
    )
    parser.add_argument(
        "--nightly-extra",
        type=lambda v: [int(x) for x in v.split(",") if x],
        default=[20000],
        help='more board sizes for the whole nightly sync (default: 20000; "" for none)',
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"Machine: {machine()}\n")
    trello_read.run(sizes, with_naive=not args.no_naive)
    calendar.run(sizes)
    roundup.run(sizes)
    nightly.run(sizes + args.nightly_extra, naive_max=0 if args.no_naive else 5000)
    caldav.run([n for n in sizes if n <= args.caldav_max])
    site.run(site.DEFAULT_SIZES)


if __name__ == "__main__":
    main()

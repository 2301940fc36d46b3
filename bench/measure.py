"""Measuring one piece of work in-process: wall-clock seconds and peak Python memory (for the
parts that time a library call, such as bench/site.py; whole commands are measured as
processes, bench/proc.py)."""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Figures:
    seconds: float
    peak_mib: float
    result: Any


def measure(work: Callable[[], Any]) -> Figures:
    """Time one run as it is, then measure peak memory in a second run under tracemalloc
    (which slows code down, so the two are never mixed)."""
    gc.collect()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    del result
    gc.collect()
    tracemalloc.start()
    try:
        result = work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Figures(seconds, peak / 2**20, result)

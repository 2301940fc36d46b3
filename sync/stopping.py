"""Stopping cleanly: SIGTERM or SIGINT asks the run to stop after the item it is on.

Loops that write (events to the calendar, drafts, cards) ask ``stop_requested()`` before each
item. What was done is recorded as usual, the run is recorded as interrupted, and the next run
picks up the rest: every write is recorded only after it succeeded.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_stop = threading.Event()


def stop_requested() -> bool:
    return _stop.is_set()


def request_stop(signum: int | None = None, frame: FrameType | None = None) -> None:
    _stop.set()


def reset() -> None:
    _stop.clear()


@contextmanager
def graceful_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGINT request a stop instead of killing the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def pause_unless_stopped(seconds: float) -> None:
    """Sleep, but wake at once when a stop is requested."""
    _stop.wait(seconds)

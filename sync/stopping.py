"""Stopping cleanly: SIGTERM or SIGINT (Ctrl-C) asks the run to stop at the next safe point.

The first signal prints one line on stderr and sets a flag. Loops that write (events to the
calendar, drafts, cards) ask ``stop_requested()`` before each item, and every wait (an HTTP backoff
or rate-limit pause, the run lock, the scheduler's sleep) wakes at once. What was done is recorded
as usual, the run is recorded as interrupted, and the next run picks up the rest: every write is
recorded only after it succeeded. The command then exits 128 + the signal's number: 130 for
Ctrl-C, 143 for SIGTERM.

A second signal stops at once: it raises ``StopNow`` (a ``KeyboardInterrupt``) wherever the run
is, which is as safe as a crash: an open transaction is rolled back, and a request sent but not
yet recorded is found by the next run (or stays a pending intent in `otg ledger`).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

_stop = threading.Event()
_signal: list[int] = []  # the signal that asked for the stop, if one did

MESSAGES = {
    signal.SIGINT: "stopping after the current step; Ctrl-C again to stop now",
    signal.SIGTERM: "stopping after the current step (SIGTERM); send it again to stop now",
}
STOPPED_NOW = (
    "stopped now: what was done is recorded; the next run picks up the rest (see `otg status`)"
)


class StopNow(KeyboardInterrupt):
    """A second signal: stop wherever the run is."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum


def stop_requested() -> bool:
    return _stop.is_set()


def request_stop(signum: int | None = None, frame: FrameType | None = None) -> None:
    """The signal handler (also called directly, without a signal, by tests and code)."""
    if signum is None:
        _stop.set()
        return
    if _signal:  # the second signal
        raise StopNow(signum)
    _signal.append(signum)
    _stop.set()
    line = MESSAGES.get(signum, f"stopping after the current step (signal {signum})")
    if _in_flight:  # a request that cannot be resent is out: say what happens to it, now
        line = f"{line}: {_in_flight[-1]}"
    with suppress(OSError):  # os.write: safe even in the middle of a print to stderr
        os.write(2, (line + "\n").encode())


_in_flight: list[str] = []  # what the run waits for, said by the first signal


@contextmanager
def in_flight(what: str) -> Iterator[None]:
    """While inside, a first signal says ``what`` the run is waiting for and what happens to it
    (a request that cannot be resent is out: its answer is awaited, up to its timeout)."""
    _in_flight.append(what)
    try:
        yield
    finally:
        _in_flight.pop()


def reset() -> None:
    _stop.clear()
    _signal.clear()


def exit_code(default: int) -> int:
    """The exit code of a command that has ended: 128 + the signal (130 for Ctrl-C, 143 for
    SIGTERM) when a signal stopped it before it finished (``default`` is not 0), else
    ``default``."""
    if _signal and default != 0:
        return 128 + _signal[0]
    return default


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

"""Reading a board's JSON without needless work: msgspec where it can, and the cyclic garbage
collector held off while a board's many small objects are built.

A 20,000-card board is some half a million dicts, lists and strings, none of them in a reference
cycle. Python's cyclic collector counts every container allocation and, every few hundred, walks
the young ones; as they survive it walks the older generations too, over and over, so reading a big
board spent some 40% of its CPU in collections that could never free anything, and the cost per
card grew with the board. Here the collector waits until the board is read; the raw JSON is
then dropped by reference counting alone, and what stays (the model) is moved out of the
collector's sight (``gc.freeze``) for the rest of the run.

msgspec (see docs/reference/libraries.md) parses the same JSON into the same dicts and lists about
1.5× faster than ``json``; what it refuses (a lone surrogate escape such as ``"\\ud800"``,
``NaN``, numbers past a double, bytes that are not UTF-8) goes to ``json``, whose behaviour and
error messages the rest of the reader was built on.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import msgspec

_decode = msgspec.json.Decoder().decode
P = ParamSpec("P")
R = TypeVar("R")


def loads(data: bytes | str) -> Any:
    """The JSON value in ``data`` (bytes: UTF-8, a byte order mark allowed). Raises
    ``json.JSONDecodeError`` as ``json.loads`` does, and ``UnicodeDecodeError`` for bytes
    that are not UTF-8."""
    if isinstance(data, bytes) and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return _decode(data)
    except msgspec.DecodeError:
        pass  # json says what is wrong, or reads what msgspec will not (a lone surrogate)
    return json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (reference counting still frees everything that is
    not in a cycle). Nested uses and a collector already off are left as they were."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def keep_model() -> None:
    """Everything alive now (the boards just read) is left out of cyclic collections until
    ``releases_model`` ends the run: the model lives for the whole run and holds no cycle, so
    walking it again at every collection while the run plans and writes could only cost time.
    Objects that are no longer used are still freed as ever (by reference counting)."""
    gc.freeze()


def releases_model(job: Callable[P, R]) -> Callable[P, R]:
    """A job that reads boards: once it ends, what ``keep_model`` set aside is seen again."""

    @wraps(job)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return job(*args, **kwargs)
        finally:
            gc.unfreeze()

    return run

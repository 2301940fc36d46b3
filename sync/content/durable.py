"""Draft files made durable in batches: written (complete, and in place by one rename each)
without waiting for the disk, then synced together, then recorded.

A first sync of a 20,000-card content board wrote some 40,000 files with an ``fsync`` each, and
spent a third of its time waiting on them. Here a batch of drafts waits once: one ``syncfs`` of
the drafts folder's file system and one ``fsync`` of the folder. The crash guarantees stay:
a reader never sees a half-written file (each is renamed into place once written), a killed
process loses nothing the kernel holds, and no draft is recorded as made (nor its card moved
on) before its files are on disk, so after a power cut the next sync finds them as it would
write them, or missing, and writes or records them then.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Generic, TypeVar

from sync.content.drafts_folder import DraftsError, unwritable

T = TypeVar("T")


def make_durable(folder: Path, paths: Iterable[Path]) -> None:
    """The files ``paths`` written into ``folder`` (with ``durable=False``) are on disk when this
    returns:
    one ``syncfs`` for the files of the whole batch, then one ``fsync`` of the folder for their
    names. A first sync writing 20,000 drafts made 40,000 fsyncs, each a wait for the disk;
    a batch waits once. Until it returns, nothing may record the drafts as made: a power cut
    before it can lose the files (a killed process cannot: the kernel holds them)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if _syncfs is not None and _syncfs(fd) != 0:
                error = ctypes.get_errno()
                raise OSError(error, os.strerror(error))
            if _syncfs is None:  # no syncfs (not Linux): each file in turn, as before
                for path in paths:
                    _fsync_path(path)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise unwritable(folder, exc) from None


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _find_syncfs() -> Callable[[int], int] | None:
    """Linux's ``syncfs(2)``, which Python's ``os`` does not offer (``os.sync`` flushes every
    file system of the machine)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


_syncfs = _find_syncfs()


class Batch(Generic[T]):
    """What was written without waiting for the disk (one item per draft, with its files),
    until ``settle`` makes the files durable together."""

    def __init__(self, folder: Path, size: int = 500) -> None:
        self.folder, self.size = folder, size
        self._items: list[T] = []
        self._paths: list[Path] = []

    def add(self, item: T, *paths: Path) -> bool:
        """Holds ``item`` until its ``paths`` are durable; True when the batch is full."""
        self._items.append(item)
        self._paths += paths
        return len(self._items) >= self.size

    def settle(self) -> tuple[list[T], DraftsError | None]:
        """The items held, emptied from the batch, once their files are on disk; or the
        items and why their files could not be made durable (then none may be recorded)."""
        items, paths = self._items, self._paths
        self._items, self._paths = [], []
        if not items:
            return [], None
        try:
            make_durable(self.folder, paths)
        except DraftsError as exc:
            return items, exc
        return items, None

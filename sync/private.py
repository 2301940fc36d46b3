"""Files others should not read: the state database (card titles and descriptions from private
boards), its lock and the log. Each is created 0600, and a folder otg-sync makes for them 0700;
an existing one that others can read is named by `otg check`, as a readable `.env` is."""

from __future__ import annotations

import os
import stat
from contextlib import suppress
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_folder(folder: Path) -> None:
    """``folder`` and any missing folder above it, each made 0700 (existing ones untouched)."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        with suppress(FileExistsError):  # made meanwhile by another run
            path.mkdir(mode=FOLDER_MODE)


def create_private(path: Path) -> None:
    """Create ``path`` empty and 0600 if it is not there (an existing file keeps its mode)."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


def readable_by_others(path: Path) -> bool:
    """Whether users other than the owner may read ``path`` (False when it is not there)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) and bool(mode & (stat.S_IRGRP | stat.S_IROTH))

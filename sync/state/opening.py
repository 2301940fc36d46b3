"""Opening the state database read-only, and what SQLite's errors mean for the user.

The commands that only look (`otg status`, `otg ledger list`, a dry run's copy) open the database
without creating or changing anything; every open and write of the store (``sync/state/store.py``)
turns SQLite's error into what went wrong and what to do about it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sync.errors import StateError

READ_FIX = "run as a user that can read it and its folder (the user otg-sync runs as)"


def open_read_only(path: Path) -> tuple[sqlite3.Connection, int]:
    """The database at ``path`` opened read-only (see ``read_only_uri``), and its schema version:
    nothing is created or changed, and a folder or file this user may read but not write is
    enough."""
    uri = read_only_uri(path)
    try:
        if not path.is_file():
            raise StateError(f"there is no state database at {path}", "run `otg sync` first")
        db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        what, fix = read_problem(exc)
        raise StateError(f"state database {path} cannot be read: {what}", fix) from None
    except OSError as exc:
        raise StateError(
            f"state database {path} cannot be read: {exc.strerror}", READ_FIX
        ) from None
    return db, version


def read_only_uri(path: Path) -> str:
    """The URI that opens a state database read-only, creating nothing beside it.

    A database at rest (no -wal and -shm beside it: no connection has it open, and its WAL was
    checkpointed) is opened ``immutable``, because SQLite would otherwise create the -wal and
    -shm files, left behind owned by whoever looked. While a run has it open, both files exist,
    and a plain read-only open uses them and sees what that run has committed.
    """
    wal, shm = (path.with_name(path.name + end) for end in ("-wal", "-shm"))
    at_rest = not (wal.exists() and shm.exists())
    return f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if at_rest else "")


DISK_FULL = "the disk is full"
FULL_FIX = "free some space on its disk, or set state_db to another disk"


def sqlite_problem(exc: sqlite3.Error) -> tuple[str, str]:
    """What SQLite's error means for the user, and what to do about it."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL"):
        return DISK_FULL, FULL_FIX
    if name.startswith("SQLITE_READONLY"):
        return "it is read-only", (
            "make it and its folder writable by the user otg-sync runs as, or set state_db to a "
            "writable path"
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "another program holds it locked", (
            "close the program that has it open (a sqlite3 shell?), then rerun"
        )
    if name.startswith("SQLITE_CANTOPEN"):
        return "it cannot be opened", "set state_db in the config to a writable path"
    if name.startswith("SQLITE_IOERR"):
        return f"the disk failed ({exc})", "check the disk it is on, then rerun"
    return str(exc), "restore it from a backup, or move it aside to start afresh"


def read_problem(exc: sqlite3.Error) -> tuple[str, str]:
    """As ``sqlite_problem``, for the read-only open: what this user may not open needs another
    user; a file that is not a database, or is corrupt, needs restoring whoever reads it."""
    what, fix = sqlite_problem(exc)
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
        return what, READ_FIX
    return what, fix

"""The state store: SQLite, numbered migrations, one transaction per unit of work.

It records what was synced where (target ids, content hashes, sequences), the intents of requests
that cannot be safely retried, bookmarks for incremental reads, the board history read so far and
every run. A database written by a newer otg-sync is refused rather than misread.
"""

from __future__ import annotations

import errno
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sync.dates import now_utc
from sync.errors import StateError, StateWriteError
from sync.private import create_private, make_folder
from sync.state.history import KeptHistory
from sync.state.migrations import MIGRATIONS, SCHEMA_VERSION, statements
from sync.state.opening import (
    DISK_FULL,
    FULL_FIX,
    open_read_only,
    read_problem,
    sqlite_problem,
)
from sync.state.records import Intent, Run, SyncedItem

#: Why a run still marked ``running`` is over: nothing holds the run lock, so its process died.
DIED = (
    "the process stopped before recording its end (killed, or the machine or its disk "
    "failed); the next run picks up where it stopped"
)


def _now() -> str:
    return now_utc().isoformat(timespec="seconds")


class State(KeptHistory):
    """A connection to the state database. Use as a context manager or call ``close()``."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.preview = False  # a dry run's copy: see ``for_dry_run``
        if read_only:
            self._open_read_only()
            self._refuse_another_schema(older_too=True)
            return
        try:
            if str(path) != ":memory:":  # private: card text from private boards
                make_folder(self.path.parent)
                create_private(self.path)
            self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if getattr(self, "db", None) is not None:
                self.db.close()  # no file left open behind the error
            what, fix = sqlite_problem(exc)
            # a full disk is the operator's to mend, as it is mid-run (exit 1, not 2)
            error = StateWriteError if what == DISK_FULL else StateError
            raise error(f"state database {self.path} cannot be used: {what}", fix) from None
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise StateWriteError(
                    f"state database {self.path} cannot be created: {DISK_FULL}", FULL_FIX
                ) from None
            raise StateError(
                f"state database {self.path} cannot be created: {exc.strerror}",
                "set state_db in the config to a writable path",
            ) from None

    # -- lifecycle -------------------------------------------------------------------------

    def _open_read_only(self) -> None:
        """For the commands that only look (`otg status`, `otg ledger list`): see
        ``open_read_only``."""
        self.db, self._version_read = open_read_only(self.path)

    def _refuse_another_schema(self, *, older_too: bool) -> None:
        version = self._version_read
        if version > SCHEMA_VERSION or (older_too and version < SCHEMA_VERSION):
            self.db.close()
            newer = version > SCHEMA_VERSION
            raise StateError(
                f"state database {self.path} has schema {version}, this otg-sync knows "
                f"{SCHEMA_VERSION}",
                "upgrade otg-sync (in its folder: git pull, then .venv/bin/pip install .)"
                if newer
                else "run `otg sync` once to bring it up to date",
            )

    @classmethod
    def for_dry_run(cls, path: Path | str) -> State:
        """For a dry run, which writes nothing, the state database included: the database as it
        is now, read with the read-only open (nothing is created or changed, and a folder this
        user may only read is enough) and copied into memory, the file closed again at once.
        With no database yet, an empty one, as a first run would start from; one of an older
        schema is brought up to date in the copy only. The copy refuses every write: a dry run
        that tried one would stop with a failure, never write."""
        copy = cls(":memory:")
        path = Path(path)
        if path.exists():
            disk = cls.__new__(cls)
            disk.path = path
            disk._open_read_only()
            disk._refuse_another_schema(older_too=False)
            try:
                disk.db.backup(copy.db)
            except sqlite3.DatabaseError as exc:
                what, fix = read_problem(exc)
                raise StateError(f"state database {path} cannot be read: {what}", fix) from None
            finally:
                disk.close()
            copy._migrate()
        copy.path = path
        copy.preview = True
        copy.db.execute("PRAGMA query_only = ON")
        return copy

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(
                f"state database {self.path} was written by a newer otg-sync "
                f"(schema {version}, this one knows {SCHEMA_VERSION})",
                "upgrade otg-sync (in its folder: git pull, then .venv/bin/pip install .) before "
                "using this database",
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for statement in statements(MIGRATIONS[number - 1]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: all of it is written, or none of it. A write the database refuses
        (a full disk, a read-only file) is a ``StateWriteError``, which stops the run. Inside
        another transaction, it is part of that one (a unit made of smaller ones)."""
        if getattr(self, "_depth", 0):
            self._depth += 1
            try:
                yield self.db
            finally:
                self._depth -= 1
            return
        if self.preview:
            raise StateWriteError(
                f"a dry run tried to write to the state database {self.path}; nothing was written",
                "please report it; a run without --dry-run is not affected",
            )
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:  # SQLite rolls back by itself on some errors (FULL)
                    self.db.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
        except sqlite3.Error as exc:
            what, fix = sqlite_problem(exc)
            raise StateWriteError(
                f"state database {self.path} cannot be written: {what}",
                f"{fix}; the next sync picks up where this one stopped",
            ) from None

    # -- bookmarks -------------------------------------------------------------------------

    def bookmark(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM bookmarks WHERE name = ?", (name,)).fetchone()
        return row["value"] if row else None

    def set_bookmark(self, name: str, value: str) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO bookmarks (name, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (name, value, _now()),
            )

    # -- synced items ----------------------------------------------------------------------

    def item(self, target: str, key: str) -> SyncedItem | None:
        row = self.db.execute(
            "SELECT * FROM synced_items WHERE target = ? AND key = ?", (target, key)
        ).fetchone()
        return _item(row) if row else None

    def items(self, target: str) -> dict[str, SyncedItem]:
        rows = self.db.execute("SELECT * FROM synced_items WHERE target = ?", (target,))
        return {row["key"]: _item(row) for row in rows}

    def items_holding(self, target: str, status: str, key: str) -> list[SyncedItem]:
        """The target's records in ``status`` whose data has ``key`` (among others that only
        mention it: the caller looks at the value). The rest stay in the database undecoded:
        `otg status` looks for a few drafts among thousands."""
        rows = self.db.execute(
            "SELECT * FROM synced_items WHERE target = ? AND status = ? AND instr(data, ?) > 0",
            (target, status, json.dumps(key)),
        )
        return [_item(row) for row in rows]

    def put_item(self, item: SyncedItem) -> None:
        """Record what a target now holds for a key (call only after the write succeeded)."""
        now = _now()
        with self.transaction():
            self.db.execute(
                "INSERT INTO synced_items (target, key, remote_id, hash, sequence, etag, status, "
                "data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (target, key) DO UPDATE SET remote_id = excluded.remote_id, "
                "hash = excluded.hash, sequence = excluded.sequence, etag = excluded.etag, "
                "status = excluded.status, data = excluded.data, updated_at = excluded.updated_at",
                (
                    item.target,
                    item.key,
                    item.remote_id,
                    item.hash,
                    item.sequence,
                    item.etag,
                    item.status,
                    json.dumps(item.data, sort_keys=True),
                    now,
                    now,
                ),
            )

    def delete_item(self, target: str, key: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM synced_items WHERE target = ? AND key = ?", (target, key))

    # -- intents: requests that cannot be safely retried -----------------------------------

    def open_intent(self, kind: str, key: str, payload: dict[str, Any]) -> int:
        """Record, before sending, that a non-retryable request is about to be made."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO intents (kind, key, status, payload, created_at) "
                "VALUES (?, ?, 'pending', ?, ?)",
                (kind, key, json.dumps(payload, sort_keys=True), _now()),
            )
        return int(cursor.lastrowid or 0)

    def settle_intent(self, intent_id: int, status: str, result: dict[str, Any]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE intents SET status = ?, result = ?, settled_at = ? WHERE id = ?",
                (status, json.dumps(result, sort_keys=True), _now(), intent_id),
            )

    def intents(self, kind: str | None = None, status: str | None = None) -> list[Intent]:
        query, params = "SELECT * FROM intents WHERE 1 = 1", []
        if kind:
            query, params = query + " AND kind = ?", [*params, kind]
        if status:
            query, params = query + " AND status = ?", [*params, status]
        rows = self.db.execute(query + " ORDER BY id", params)
        return [
            Intent(
                r["id"],
                r["kind"],
                r["key"],
                r["status"],
                json.loads(r["payload"]),
                json.loads(r["result"]),
                r["created_at"],
                r["settled_at"],
            )
            for r in rows
        ]

    # -- runs ------------------------------------------------------------------------------

    def start_run(self, job: str, dry_run: bool = False) -> int:
        """Record a run starting. A writing run holds the run lock (``jobs/lock.py``), so a run
        still marked ``running`` now is one whose process died without recording its end (a
        SIGKILL, a power cut, a full disk): it is marked ``killed``."""
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET status = 'killed', finished_at = ?, error = ? "
                "WHERE status = 'running'",
                (_now(), DIED),
            )
            cursor = self.db.execute(
                "INSERT INTO runs (job, started_at, dry_run) VALUES (?, ?, ?)",
                (job, _now(), int(dry_run)),
            )
        return int(cursor.lastrowid or 0)

    def finish_run(
        self, run_id: int, status: str, summary: dict[str, Any], error: str | None = None
    ) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, summary = ?, error = ? WHERE id = ?",
                (_now(), status, json.dumps(summary, sort_keys=True), error, run_id),
            )

    def runs(self, job: str | None = None, limit: int = 20) -> list[Run]:
        query = "SELECT * FROM runs"
        params: tuple[Any, ...] = ()
        if job:
            query += " WHERE job = ?"
            params = (job,)
        rows = self.db.execute(query + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [
            Run(
                r["id"],
                r["job"],
                r["started_at"],
                r["finished_at"],
                r["status"],
                bool(r["dry_run"]),
                json.loads(r["summary"]),
                r["error"],
            )
            for r in rows
        ]


def _item(row: sqlite3.Row) -> SyncedItem:
    return SyncedItem(
        row["target"],
        row["key"],
        row["remote_id"],
        row["hash"],
        row["sequence"],
        row["etag"],
        row["status"],
        json.loads(row["data"]),
    )

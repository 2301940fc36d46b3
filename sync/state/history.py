"""The board history kept in the state database: the entries of a board's history read so far
(for export boards, which hold only their newest ones), one row an entry, as trimmed JSON text.

A part of ``State`` (``sync/state/store.py``), which opens the database and gives ``db`` and
``transaction``; kept here because it is one idea of its own: how history is saved and read back
(an entry at a time, so that a board's tens of thousands are never all decoded at once).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any


class KeptHistory:
    """Board history rows; mixed into ``State``."""

    if TYPE_CHECKING:  # State's, which opens the database
        db: sqlite3.Connection

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def save_actions(self, board_id: str, actions: Iterable[dict[str, Any]]) -> int:
        rows = [
            (a["id"], board_id, a.get("date", ""), json.dumps(a, separators=(",", ":")))
            for a in actions
            if isinstance(a, dict) and a.get("id")
        ]
        with self.transaction():
            self.db.executemany(
                "INSERT INTO board_actions (id, board_id, date, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data, date = excluded.date",
                rows,
            )
        return len(rows)

    def kept_version(self, board_id: str) -> str:
        """The version of the board's kept history in this database: the database's own id and
        the board's version, which the database's triggers (migration 2) make anew with every
        insert, update or delete of its rows (a board with none has the id alone). Another
        database (a new one put in its place, one of the first schema restored) never gives the
        same; a backup of this one, only for a board whose history has not changed since."""
        row = self.db.execute(
            "SELECT (SELECT id FROM state_identity) || ':' || coalesce("
            "(SELECT version FROM kept_history_versions WHERE board_id = ?), '')",
            (board_id,),
        ).fetchone()
        return str(row[0])

    def action_rows(self, board_id: str) -> Iterator[tuple[str, str]]:
        """Stored history of a board as it is kept, newest first: each entry's id and JSON text,
        one at a time (the caller decodes only what it needs)."""
        rows = self.db.execute(
            "SELECT id, data FROM board_actions WHERE board_id = ? ORDER BY date DESC, id DESC",
            (board_id,),
        )
        for row in rows:
            yield row["id"], row["data"]

    def action_texts(self, board_id: str, ids: list[str]) -> dict[str, str]:
        """The JSON text kept for those of ``ids`` (a few hundred) the board's history holds."""
        marks = ",".join("?" * len(ids))  # only "?" marks: the ids are parameters
        query = f"SELECT id, board_id, data FROM board_actions WHERE id IN ({marks})"  # noqa: S608
        rows = self.db.execute(query, ids)  # by the primary key (board_id would scan the board)
        return {row["id"]: row["data"] for row in rows if row["board_id"] == board_id}

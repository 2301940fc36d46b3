"""Reading a Trello JSON export file: its bytes (a regular file, of a size an export can have),
its JSON, and its board, with the history the state keeps for it merged in.

Errors say which board, what is wrong with the file and how to mend it; the cards and history
entries are decoded from their slices of the file one at a time (``schema.py``).
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from config import BoardConfig
from sync.errors import SourceError
from sync.model import Board
from sync.state.store import State
from sync.trello.fast_read import collector_paused, loads
from sync.trello.history_merge import merged_history
from sync.trello.parse import parse_board
from sync.trello.schema import Unfit, read_board
from sync.trello.snapshots import Snapshots, file_mark, identity

#: How to mend an export that cannot be read.
EXPORT_FIX = "export the board again (Trello: Menu › Print, export and share › Export as JSON)"


def read_export(
    path: Path,
    board: BoardConfig,
    state: State | None = None,
    *,
    dry_run: bool = True,
    snapshots: Snapshots | None = None,
) -> Board:
    """An export file's board. With ``state``, the export's history is merged into the history
    kept for the board (saved there unless ``dry_run``), as the API path does: an export holds
    only the newest 1,000 actions, and a newer export must not forget what an older one held.
    With ``snapshots`` too, the board kept from an earlier read of the same file is loaded when
    it was built from all this read would build it from, and a read that may write keeps what
    it built (see snapshots.py)."""
    with collector_paused():  # see fast_read.py: no cyclic GC while a board is built
        keeping = snapshots if state is not None else None
        if keeping and state is not None and (model := keeping.load(board, path, state)):
            return model
        raw, seen = _file_bytes(path, board)
        # what a snapshot of it will be checked against (taken now: the bytes go as it is built)
        mark = file_mark(raw, seen) if keeping and not dry_run else None
        try:
            # The cards and history entries are slices of the file's bytes until each is read
            # (schema.py); the bytes go with the model's building, or with the error.
            data = _json(raw, path, board)
            history_id, model = _history_id(data), _export_board(data, path, board, state, dry_run)
        except Unfit:  # json refuses a card or entry that skipping never checked: it says why
            data = _json(raw, path, board, generic=True)
            del raw
            history_id, model = _history_id(data), _export_board(data, path, board, state, dry_run)
        del data
        if keeping and state is not None and mark and history_id:  # after its history is saved
            keeping.save(board, path, mark, state, model, history_id)
        return model


def _history_id(data: Any) -> str:
    """The board id its history is kept under in the state ("": none is)."""
    board_id = data.get("id") if isinstance(data, dict) else None
    return board_id if isinstance(board_id, str) else ""


def _export_board(
    data: Any, path: Path, board: BoardConfig, state: State | None, dry_run: bool
) -> Board:
    history = None
    if state is not None and _history_id(data):
        fresh = data.get("actions")
        try:
            history = merged_history(
                state, _history_id(data), fresh if isinstance(fresh, list) else [], dry_run
            )
        except RecursionError:  # history nested too deeply to keep: a help, not a must
            history = None
    try:
        return parse_board(
            data,
            role=board.role,
            source=str(path),
            list_overrides=board.lists,
            history=history,
            read_only=True,
        )
    except SourceError as exc:
        raise on_board(board, exc.message, exc.fix, exc) from None
    except RecursionError:
        raise SourceError(
            f'board "{board.name}": {path} holds JSON nested too deeply for a Trello export',
            EXPORT_FIX,
        ) from None


def _file_bytes(path: Path, board: BoardConfig) -> tuple[bytes, list[int] | None]:
    fix = EXPORT_FIX
    try:
        return _read_capped(path, board.name)
    except FileNotFoundError:
        raise SourceError(
            f'board "{board.name}": no export file at {path}',
            f"check boards.{board.name}.source in the config, or {fix}",
        ) from None
    except IsADirectoryError:
        raise SourceError(
            f'board "{board.name}": {path} is a folder, not a board export file',
            f"set boards.{board.name}.source to the export's .json file",
        ) from None
    except OSError as exc:
        raise SourceError(
            f'board "{board.name}": cannot read {path}: {exc.strerror or type(exc).__name__}',
            "make it readable by the user otg-sync runs as, or " + fix,
        ) from None


def _json(raw: bytes, path: Path, board: BoardConfig, *, generic: bool = False) -> Any:
    fix = EXPORT_FIX
    try:
        return loads(raw) if generic else read_board(raw)
    except UnicodeDecodeError:
        raise SourceError(
            f'board "{board.name}": {path} is not UTF-8 text (a Trello export is)', fix
        ) from None
    except json.JSONDecodeError as exc:
        comment = _comment_line(raw.decode("utf-8", "replace"))
        if comment:
            raise SourceError(
                f'board "{board.name}": {path} has comments (line {comment} starts with "//" '
                "or /*), which JSON does not allow",
                "remove the comment lines, or export the board again",
            ) from None
        raise SourceError(
            f'board "{board.name}": {path} is not valid JSON (line {exc.lineno}, column '
            f"{exc.colno}: {exc.msg}); the export may be truncated",
            fix,
        ) from None
    except (RecursionError, ValueError):  # arrays a thousand deep; a 5,000-digit number
        raise SourceError(
            f'board "{board.name}": {path} holds JSON no Trello export has (nested too deeply, '
            "or a number too long to read)",
            fix,
        ) from None


#: The largest export file read: the biggest real boards export a few tens of megabytes.
MAX_EXPORT_BYTES = 512 * 2**20


def _read_capped(path: Path, name: str) -> tuple[bytes, list[int] | None]:
    """The file's bytes, if it is a regular file of at most ``MAX_EXPORT_BYTES`` (a FIFO would
    hang the run, ``/dev/zero`` would be read until memory runs out), and what says they are still
    its bytes later (``snapshots.identity``)."""
    info = path.stat()  # never blocks, unlike opening a FIFO
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(
            f'board "{name}": {path} is not a regular file (a pipe or a device), so it is not read',
            f"set boards.{name}.source to the export's .json file",
        )
    started = time.time_ns()
    with path.open("rb") as handle:
        before = os.fstat(handle.fileno())
        data = handle.read(MAX_EXPORT_BYTES + 1)
        seen = identity(before, os.fstat(handle.fileno()), started)
    if len(data) > MAX_EXPORT_BYTES:
        raise SourceError(
            f'board "{name}": {path} is larger than {MAX_EXPORT_BYTES // 2**20} MB, more than '
            "any Trello export; it was not read",
            f"set boards.{name}.source to the export's .json file",
        )
    return data, seen


def _comment_line(text: str) -> int:
    """The number of the first line that is a JavaScript-style comment (0: none)."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("//", "/*")):
            return number
    return 0


def on_board(board: BoardConfig, message: str, fix: str, exc: SourceError) -> SourceError:
    """``exc`` said of the board by its config name, keeping its exit code (a config error's
    is 2)."""
    named = SourceError(f'board "{board.name}": {message}', fix)
    named.exit_code = exc.exit_code
    return named

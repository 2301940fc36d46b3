"""Boards kept between runs: an export board, once read by a run that may write, is kept beside
the state database, and a later read of the same file loads it instead of reading the JSON again.

Reading three 5,000-card exports takes half a second, more than ``json.loads`` alone; loading
their snapshots takes a twentieth of that. So an editor who prints the roundup after the nightly
sync, or runs `otg events` or a dry run, waits for neither.

A snapshot is used only when everything its board was built from is as it was:

- the export file's bytes (their SHA-256; a file rewritten with the same time and size is read
  again) and its path;
- the board's role and its ``lists`` mapping;
- the history the state keeps for the board, by its version (new with every change to it: the
  database's triggers, ``sync/state/migrations.py``);
- otg-sync's own code (a digest of every module of ``sync``), the format and msgspec's version.

Anything else, and the file is read as ever. A snapshot is written only by a read that may write
(a sync, a drafted roundup; never a dry run), after the export's history is saved; atomically, and
private (0600 in a 0700 folder: card text from private boards). It is decoded by type with
msgspec (no code runs from it, unlike a pickle) and checked against its own digest. One that
cannot be written, read or decoded is not used and the run goes on: a snapshot is a help, never a
must.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

from config import BoardConfig
from sync.model import Board
from sync.private import FILE_MODE, make_folder
from sync.state.store import State

log = logging.getLogger(__name__)

#: What a snapshot file holds; a new format is never read as an old one.
FORMAT = 1
SUFFIX = ".msgpack"


def folder_for(state_db: Path) -> Path:
    """Where a state database's snapshots are kept: beside it."""
    return state_db.with_name(state_db.name + ".boards")


class Snapshots:
    """The snapshots of one state database's export boards (``names``: the config's boards)."""

    def __init__(self, folder: Path, names: list[str]) -> None:
        self.folder = folder
        self._files = {_file_name(name): name for name in names}

    def load(self, board: BoardConfig, path: Path, state: State) -> Board | None:
        """The board kept for ``board`` read from ``path``, if it was built from all this read
        would build it from; else None."""
        try:
            with (self.folder / _file_name(board.name)).open("rb") as handle:
                header = json.loads(handle.readline())
                if not isinstance(header, dict) or header.get("key") != _key(board, path):
                    return None
                if header.get("history") != state.kept_version(str(header.get("board"))):
                    return None
                if (header.get("size"), header.get("bytes")) != _file_digest(path):
                    return None
                payload = handle.read()
            if hashlib.sha256(payload).hexdigest() != header.get("payload"):
                return None  # damaged since it was written
            return _decoder().decode(payload)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, msgspec.MsgspecError) as exc:  # damaged, or not ours
            log.debug('board "%s": its snapshot was not used: %s', board.name, exc)
            return None

    def save(self, board: BoardConfig, path: Path, data: bytes, state: State, model: Board) -> None:
        """Keep ``model``, built from ``data`` (the bytes read from ``path``) with the state's
        history for it saved; old snapshots of boards no longer configured go."""
        try:
            payload = _encoder().encode(model)
            header = {
                "key": _key(board, path),
                "size": len(data),
                "bytes": hashlib.sha256(data).hexdigest(),
                "board": model.id,
                "history": state.kept_version(model.id),
                "payload": hashlib.sha256(payload).hexdigest(),
            }
            make_folder(self.folder)
            self._write(_file_name(board.name), json.dumps(header).encode() + b"\n" + payload)
        except (OSError, ValueError, TypeError, msgspec.MsgspecError) as exc:
            # a full disk; text msgpack cannot hold (a lone surrogate an export's JSON may have)
            log.debug('board "%s": no snapshot kept: %s', board.name, exc)
        self._prune()

    def _write(self, name: str, data: bytes) -> None:
        target = self.folder / name
        temporary = self.folder / f".{name}.{os.getpid()}.tmp"
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, target)  # never a half-written snapshot under its name
        finally:
            with suppress(FileNotFoundError):
                temporary.unlink()

    def _prune(self) -> None:
        """Snapshots of boards the config no longer has, and files a killed write left."""
        try:
            for path in self.folder.iterdir():
                if path.name not in self._files and (
                    path.suffix == SUFFIX or path.name.endswith(".tmp")
                ):
                    path.unlink(missing_ok=True)
        except OSError as exc:
            log.debug("snapshots in %s not pruned: %s", self.folder, exc)


def _file_digest(path: Path) -> tuple[int, str] | None:
    """The size and SHA-256 of the file at ``path``, read a piece at a time; None when it is
    not a regular file (a FIFO is not waited on: exports.py says what is wrong with it)."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(handle, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None
        return info.st_size, hashlib.file_digest(file, "sha256").hexdigest()


def _file_name(board_name: str) -> str:
    """A board's snapshot file, by its name in the config (any text: a TOML key)."""
    return hashlib.sha256(board_name.encode("utf-8", "surrogatepass")).hexdigest()[:32] + SUFFIX


def _key(board: BoardConfig, path: Path) -> dict[str, Any]:
    """What a board read from an export file is built from, besides its bytes and the kept
    history."""
    return {
        "format": FORMAT,
        "code": code_version(),
        "path": str(path),
        "role": board.role.value,
        "lists": dict(sorted(board.lists.items())),
    }


@cache
def code_version() -> str:
    """A digest of the code that builds a board (every module of ``sync``) and of msgspec's
    version: a snapshot made by other code is never read as this code's."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{msgspec.__version__}\0".encode())
    for module in sorted(root.rglob("*.py")):
        digest.update(str(module.relative_to(root)).encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


@cache
def _encoder() -> msgspec.msgpack.Encoder:
    return msgspec.msgpack.Encoder()


@cache
def _decoder() -> msgspec.msgpack.Decoder[Board]:
    return msgspec.msgpack.Decoder(type=Board)

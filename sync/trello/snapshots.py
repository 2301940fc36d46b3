"""Boards kept between runs: an export board, once read by a run that may write, is kept beside
the state database, and a later read of the same file loads it instead of reading the JSON again.

Reading three 5,000-card exports takes over half a second, more than ``json.loads`` alone;
loading their snapshots, about a tenth of a second. So an editor who prints the roundup after the
nightly sync, or runs `otg events` or a dry run, waits for neither.

A snapshot is used only when everything its board was built from is as it was:

- the export file's bytes and its path: the file is known by its identity as when it was read
  (device, inode, size, modification and change times: any write changes the change time, which
  only the clock can set back); one that had changed just before it was read, whose identity
  cannot be trusted, by its size and SHA-256;
- the board's role and its ``lists`` mapping;
- the history the state keeps for the board: the database's own id and the board's version (new
  with every change to its rows: the database's triggers, ``sync/state/migrations.py``);
- otg-sync's own code (a digest of every module of ``sync``), the Python and msgspec it runs on,
  and the format.

Anything else, and the file is read as ever. A snapshot is written only by a read that may write
(a sync, a drafted roundup; never a dry run), after the export's history is saved; atomically, and
private (0600 in a 0700 folder: card text from private boards); every such run removes those of
boards the config no longer has. It is decoded by type with msgspec (no code runs from it, unlike
a pickle) and checked against its own digest. One that cannot be written, read or decoded, or
that other users may write, is not used and the run goes on: a snapshot is a help, never a must.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import sys
import unicodedata
from contextlib import suppress
from functools import cache
from pathlib import Path
from sys import intern
from typing import Any

import msgspec

from config import BoardConfig
from sync.model import Board, Label
from sync.private import FILE_MODE, make_folder
from sync.state.store import State

log = logging.getLogger(__name__)

#: What a snapshot file holds; a new format is never read as an old one.
FORMAT = 1
SUFFIX = ".msgpack"
#: A header line is a few hundred bytes; a longer first line is not one of ours.
HEADER_LIMIT = 64 * 1024


def folder_for(state_db: Path) -> Path:
    """Where a state database's snapshots are kept: beside it."""
    return state_db.with_name(state_db.name + ".boards")


class Snapshots:
    """The snapshots of one state database's export boards (``names``: the config's boards)."""

    def __init__(self, folder: Path, names: list[str]) -> None:
        self.folder = folder
        self._files = {_file_name(name) for name in names}  # the files pruning keeps

    def load(self, board: BoardConfig, path: Path, state: State) -> Board | None:
        """The board kept for ``board`` read from ``path``, if it was built from all this read
        would build it from; else None."""
        try:
            with (self.folder / _file_name(board.name)).open("rb") as handle:
                if os.fstat(handle.fileno()).st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                    return None  # others may write it: not trusted (`otg check` says so)
                header = json.loads(handle.readline(HEADER_LIMIT))
                if not isinstance(header, dict) or header.get("key") != _key(board, path):
                    return None
                if header.get("history") != state.kept_version(str(header.get("board"))):
                    return None
                if not _unchanged(path, header):
                    return None
                payload = handle.read()
            if hashlib.sha256(payload).hexdigest() != header.get("payload"):
                return None  # damaged since it was written
            return _shared(_decoder().decode(payload))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError, msgspec.MsgspecError) as exc:  # damaged
            log.debug('board "%s": its snapshot was not used: %s', board.name, exc)
            return None

    def save(
        self,
        board: BoardConfig,
        path: Path,
        mark: dict[str, Any],
        state: State,
        model: Board,
        history_id: str,
    ) -> None:
        """Keep ``model``, built from the bytes read from ``path`` (``file_mark``) with the
        state's history for it (kept under ``history_id``, the export's board id) saved."""
        try:
            payload = _encoder().encode(model)
            header = {
                "key": _key(board, path),
                **mark,
                "board": history_id,
                "history": state.kept_version(history_id),
                "payload": hashlib.sha256(payload).hexdigest(),
            }
            make_folder(self.folder)
            self._write(_file_name(board.name), json.dumps(header).encode() + b"\n", payload)
        except (OSError, ValueError, TypeError, msgspec.MsgspecError) as exc:
            # a full disk, a folder it may not write, a value MessagePack cannot hold
            log.debug('board "%s": no snapshot kept: %s', board.name, exc)

    def _write(self, name: str, *parts: bytes) -> None:
        """``parts`` as the file ``name``, in that order (never joined: a big board's payload
        is megabytes, and a copy of it would be the peak of the night)."""
        target = self.folder / name
        temporary = self.folder / f".{name}.{os.getpid()}.tmp"
        temporary.unlink(missing_ok=True)  # a killed run's, of the same process id
        try:  # made anew, and never through a link someone left in its place
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            handle = os.open(temporary, flags, FILE_MODE)
            with os.fdopen(handle, "wb") as out:
                for part in parts:
                    out.write(part)
            os.replace(temporary, target)  # never a half-written snapshot under its name
        finally:
            with suppress(FileNotFoundError):
                temporary.unlink()

    def prune(self) -> None:
        """Remove the snapshots of boards the config no longer has, and the files a killed
        write left: every run that may write does, whether or not it keeps a board."""
        try:
            for path in self.folder.iterdir():
                if path.name not in self._files and (
                    path.suffix == SUFFIX or path.name.endswith(".tmp")
                ):
                    path.unlink(missing_ok=True)
        except OSError as exc:
            log.debug("snapshots in %s not pruned: %s", self.folder, exc)


def _shared(board: Board) -> Board:
    """``board`` as decoded, with what a read shares among the cards shared again: the board's
    labels (a card's are the board's own objects), the board's id and its lists' ids and names,
    a card's state. Decoded, every card has its own copies: half again the memory of the board
    as read (30 → 47 MiB for 20,000 cards), and a steady night's peak over its target. Set as
    the dataclasses' own ``__init__`` sets a frozen field, before anything else sees the card."""
    set_field = object.__setattr__
    labels = {label.id: label for label in board.labels}
    lists = {each.id: each for each in board.lists}
    combinations: dict[tuple[str, ...], tuple[Label, ...]] = {}
    for card in board.cards:
        set_field(card, "board_id", board.id)
        found = lists.get(card.list_id)
        if found is not None:
            set_field(card, "list_id", found.id)
            if found.name == card.list_name:
                set_field(card, "list_name", found.name)
        if card.state:
            set_field(card, "state", intern(card.state))
        if card.labels:  # cards with the same labels share one tuple of them
            key = tuple([(label.id, label.name, label.color) for label in card.labels])
            same = combinations.get(key)
            if same is None:  # the board's own label where it is the same label, else the card's
                same = combinations[key] = tuple(
                    [own if labels.get(own.id) != own else labels[own.id] for own in card.labels]
                )
            set_field(card, "labels", same)
    return board


def file_mark(data: bytes, seen: list[int] | None) -> dict[str, Any]:
    """What says later that a file still holds ``data``, the bytes just read from it: ``seen``,
    its identity (see ``identity``), and their size and SHA-256 only when that cannot be trusted
    (hashing every export each night is not free: 35 ms at 3 × 5,000 cards)."""
    digest = None if seen is not None else hashlib.sha256(data).hexdigest()
    return {"size": len(data), "bytes": digest, "file": seen}


#: A file changed less than this before it was read is hashed every time (see ``identity``).
SETTLED_NS = 2 * 10**9


def identity(before: os.stat_result, after: os.stat_result, started_ns: int) -> list[int] | None:
    """What says, without reading it again, that a file still holds the bytes read from it
    between the ``before`` and ``after`` looks (the read began at ``started_ns``): its device,
    inode, size, modification and change times. Any write changes the change time, which no
    one can set back (unlike the modification time), and a file replaced is another inode.
    None when that cannot be trusted: the file changed while it was read, or shortly before,
    when a second write in the same tick of the file system's clock would leave the same
    times (git's "racily clean" files): such a file's bytes are hashed each time."""
    seen = _identity(before)
    if seen != _identity(after) or before.st_ctime_ns >= started_ns - SETTLED_NS:
        return None
    return seen


def _identity(info: os.stat_result) -> list[int]:
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _unchanged(path: Path, header: dict[str, Any]) -> bool:
    """Whether the file at ``path`` holds the bytes the snapshot was built from: its identity
    as when they were read, else their size and SHA-256 (read a piece at a time). False for
    what is not a regular file (a FIFO is not waited on: exports.py says what is wrong)."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(handle, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            return False
        if header.get("file") is not None and header["file"] == _identity(info):
            return True
        if header.get("bytes") is None or info.st_size != header.get("size"):
            return False
        return hashlib.file_digest(file, "sha256").hexdigest() == header.get("bytes")


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


def code_version() -> str:
    """A digest of the code that builds a board (every module of ``sync``), of the Python and
    Unicode data it runs with, and of msgspec's version: a snapshot made by other code is never
    read as this code's. Taken when this module is first imported, so a long-running scheduler
    upgraded under it still says what it runs."""
    return _CODE


def _code_digest() -> str:
    root = Path(__file__).resolve().parents[1]
    modules = sorted(root.rglob("*.py"))
    if not modules:  # sources that are not files (a zipped install): no snapshot ever matches
        return os.urandom(16).hex()
    made_with = f"{sys.version}\0{unicodedata.unidata_version}\0{msgspec.__version__}\0"
    digest = hashlib.sha256(made_with.encode())
    for module in modules:
        digest.update(str(module.relative_to(root)).encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


_CODE = _code_digest()


@cache
def _encoder() -> msgspec.msgpack.Encoder:
    return msgspec.msgpack.Encoder()


@cache
def _decoder() -> msgspec.msgpack.Decoder[Board]:
    return msgspec.msgpack.Decoder(type=Board)

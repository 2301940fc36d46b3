"""Where boards come from: a Trello JSON export file, or the live API with incremental history.

Both give the same ``Board``. Reading never writes anywhere but the state store's history cache
and bookmark, and not even there in a dry run.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import stat
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config import BoardConfig, Config
from sync import progress
from sync.dates import format_utc, parse_utc
from sync.errors import (
    AuthError,
    ListCollision,
    OtgError,
    SourceError,
    StateError,
    UnknownList,
)
from sync.model import Board
from sync.redaction import redact
from sync.state.store import State
from sync.stopping import stop_requested
from sync.trello.board_history import History, checked
from sync.trello.fast_read import collector_paused, keep_model, loads
from sync.trello.parse import parse_board
from sync.trello.schema import Unfit, action_of, read_action, read_board, trimmed

if TYPE_CHECKING:  # the API client (py-trello, requests) is imported when a board needs it
    from sync.trello.api import TrelloApi

log = logging.getLogger(__name__)

#: Re-read this much history before the bookmark, so late-indexed actions are not missed.
LOOKBACK = timedelta(minutes=15)


#: How to mend an export that cannot be read.
EXPORT_FIX = "export the board again (Trello: Menu › Print, export and share › Export as JSON)"


def read_export(
    path: Path, board: BoardConfig, state: State | None = None, *, dry_run: bool = True
) -> Board:
    """An export file's board. With ``state``, the export's history is merged into the history
    kept for the board (saved there unless ``dry_run``), as the API path does: an export holds
    only the newest 1,000 actions, and a newer export must not forget what an older one held."""
    with collector_paused():  # see fast_read.py: no cyclic GC while a board is built
        raw = _file_bytes(path, board)
        try:
            # The cards and history entries are slices of the file's bytes until each is read
            # (schema.py); the bytes go with the model's building, or with the error.
            return _export_board(_json(raw, path, board), path, board, state, dry_run)
        except Unfit:  # json refuses a card or entry that skipping never checked: it says why
            data = _json(raw, path, board, generic=True)
            del raw
            return _export_board(data, path, board, state, dry_run)


def _export_board(
    data: Any, path: Path, board: BoardConfig, state: State | None, dry_run: bool
) -> Board:
    history = None
    if state is not None and isinstance(data, dict) and isinstance(data.get("id"), str):
        fresh = data.get("actions")
        try:
            history = merged_history(
                state, data["id"], fresh if isinstance(fresh, list) else [], dry_run
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
        raise _on_board(board, exc.message, exc.fix, exc) from None
    except RecursionError:
        raise SourceError(
            f'board "{board.name}": {path} holds JSON nested too deeply for a Trello export',
            EXPORT_FIX,
        ) from None


def _file_bytes(path: Path, board: BoardConfig) -> bytes:
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


def _read_capped(path: Path, name: str) -> bytes:
    """The file's bytes, if it is a regular file of at most ``MAX_EXPORT_BYTES``: a FIFO would
    hang the run, ``/dev/zero`` would be read until memory runs out."""
    info = path.stat()  # never blocks, unlike opening a FIFO
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(
            f'board "{name}": {path} is not a regular file (a pipe or a device), so it is not read',
            f"set boards.{name}.source to the export's .json file",
        )
    with path.open("rb") as handle:
        data = handle.read(MAX_EXPORT_BYTES + 1)
    if len(data) > MAX_EXPORT_BYTES:
        raise SourceError(
            f'board "{name}": {path} is larger than {MAX_EXPORT_BYTES // 2**20} MB, more than '
            "any Trello export; it was not read",
            f"set boards.{name}.source to the export's .json file",
        )
    return data


def _comment_line(text: str) -> int:
    """The number of the first line that is a JavaScript-style comment (0: none)."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("//", "/*")):
            return number
    return 0


def _on_board(board: BoardConfig, message: str, fix: str, exc: SourceError) -> SourceError:
    """``exc`` said of the board by its config name, keeping its exit code (a config error's
    is 2)."""
    named = SourceError(f'board "{board.name}": {message}', fix)
    named.exit_code = exc.exit_code
    return named


def _keepable(action: Any) -> bool:
    return (
        isinstance(action, dict)
        and isinstance(action.get("id"), str)
        and isinstance(action.get("date"), str)
    )


#: Fresh history entries are compared with the kept ones this many at a time (one query each).
BATCH = 500


def merged_history(state: State, board_id: str, fresh: list[Any], dry_run: bool) -> History:
    """The board's history, newest first: what the state keeps for it with ``fresh`` entries
    added (a fresh one wins), and those that are new or changed saved there (a dry run writes
    nothing). ``fresh``: dicts cut by ``schema.trimmed`` (the API's), or an export's entries,
    each decoded as it comes (``schema.action_of``) and dropped once checked, so a board's whole
    history is never held as dicts; each is read into an ``Action`` only when a card asks for it
    (board_history.py). Entries without a text id and date are left out: they could not be
    kept, and history is a help, never a must."""
    # id → (date, id, kept as, card id (None: left out), a deletion): see History.add_checked
    found: dict[str, tuple[str, str, Any, str | None, bool]] = {}
    for start in range(0, len(fresh), BATCH):
        batch = [
            (item, a)
            for item, a in ((item, action_of(item)) for item in fresh[start : start + BATCH])
            if _keepable(a)
        ]
        kept = (
            {}
            if dry_run or not batch
            else state.action_texts(board_id, [a["id"] for _, a in batch])
        )
        changed: dict[str, dict[str, Any]] = {}
        for item, a in batch:
            if not dry_run and a["id"] in kept and read_action(kept[a["id"]]) == a:
                changed.pop(a["id"], None)  # as kept (of two copies of an entry, the later wins)
            elif not dry_run:
                changed[a["id"]] = a
            found[a["id"]] = (a["date"], a["id"], item, *(checked(a) or (None, False)))
        # only what is new or changed is written: an export repeats its 1,000 newest actions (a
        # big one tens of thousands) every night, and rewriting them all cost more than the read
        if changed:
            state.save_actions(board_id, list(changed.values()))
    for action_id, text in state.action_rows(board_id):  # kept, and not in this export
        if action_id not in found:
            a = read_action(text)
            found[action_id] = (
                str(a.get("date", "")),
                action_id,
                text,
                *(checked(a) or (None, False)),
            )
    # ids are unique, so (date, id) orders them all and the entries are never compared
    history = History()
    for _, _, item, card_id, deletion in sorted(found.values(), reverse=True):
        history.add_checked(item, card_id, deletion)
    return history


class TrelloReader:
    """Reads API boards: one nested request each, then history since the last bookmark."""

    def __init__(
        self,
        cfg: Config,
        state: State,
        *,
        dry_run: bool,
        now: datetime,
        api: TrelloApi | None = None,
    ) -> None:
        self.cfg = cfg
        self.state = state
        self.dry_run = dry_run
        self.now = now
        self._api = api

    @property
    def api(self) -> TrelloApi:
        if self._api is None:
            self._api = connect(self.cfg)
        return self._api

    def read(self, board: BoardConfig) -> Board:
        data = self.api.board(board.board_ref)
        board_id = data["id"]
        bookmark_name = f"trello-actions:{board_id}"
        bookmark = parse_utc(self.state.bookmark(bookmark_name))
        since = (
            bookmark - LOOKBACK
            if bookmark
            else self.now - timedelta(days=self.cfg.trello.history_days)
        )
        fresh = [trimmed(a) for a in self.api.actions(board_id, format_utc(since))]
        history = merged_history(self.state, board_id, fresh, self.dry_run)
        if not self.dry_run:
            # Never past the run's start: what happens during the run is read next time.
            self.state.set_bookmark(bookmark_name, format_utc(self.now))
        log.info(
            'board "%s": %d new history entries since %s', board.name, len(fresh), format_utc(since)
        )
        try:
            return parse_board(
                data,
                role=board.role,
                source=board.source,
                list_overrides=board.lists,
                history=history,
            )
        except SourceError as exc:
            # parse_board's own fix is for an export file; an API answer it cannot read (no
            # cards list, say) is Trello's to mend, and a rerun asks again.
            from sync.trello.api import API_FIX

            fix = exc.fix if isinstance(exc, UnknownList | ListCollision) else API_FIX
            raise _on_board(board, exc.message, fix, exc) from None

    @property
    def requests_sent(self) -> int:
        return self._api.session.sent if self._api else 0


def connect(cfg: Config) -> TrelloApi:
    from sync.trello.api import CREDENTIALS_FIX, TrelloApi, trello_session

    key, token = cfg.secrets.get("TRELLO_API_KEY"), cfg.secrets.get("TRELLO_TOKEN")
    missing = [
        name for name, value in (("TRELLO_API_KEY", key), ("TRELLO_TOKEN", token)) if not value
    ]
    if missing or key is None or token is None:
        raise AuthError(
            f"{' and '.join(missing)} not set, needed for trello: boards",
            "set them in the environment or in a .env file beside the config; "
            + CREDENTIALS_FIX.split(" and set ")[0],
        )
    return TrelloApi(key, token, trello_session(key, token, cfg.trello.timeout, cfg.trello.retries))


def _reading_order(cfg: Config, boards: list[BoardConfig]) -> list[int]:
    """The boards' indexes in the order they are read: export files biggest first, in the
    places exports have among the boards (API boards keep theirs). A file is held whole while
    its board is built, beside the boards already read: so the biggest is read when none is
    (3 × 20,000 cards: 16 MiB less at the peak, measured)."""
    exports = [i for i, board in enumerate(boards) if not board.is_api]

    def size(index: int) -> int:
        try:
            return cfg.board_path(boards[index]).stat().st_size
        except OSError:  # read_export says what is wrong with it
            return 0

    biggest = iter(sorted(exports, key=size, reverse=True))  # stable: equal sizes keep order
    return [next(biggest) if not board.is_api else i for i, board in enumerate(boards)]


def read_boards(
    cfg: Config,
    state: State,
    boards: list[BoardConfig],
    *,
    dry_run: bool,
    now: datetime,
    api: TrelloApi | None = None,
    on_error: Callable[[BoardConfig, Exception], None],
) -> tuple[list[tuple[BoardConfig, Board]], TrelloReader]:
    """Read each board; a board that fails is handed to ``on_error`` and the others go on. Both
    in the order of ``boards``, though export files are read biggest first (``_reading_order``)."""
    reader = TrelloReader(cfg, state, dry_run=dry_run, now=now, api=api)
    models: dict[int, Board] = {}
    errors: dict[int, Exception] = {}
    try:
        for index in _reading_order(cfg, boards):
            board = boards[index]
            if stop_requested():
                break
            progress.reading(board.name)
            try:
                with collector_paused():  # see fast_read.py: no cyclic GC while a board is built
                    model = (
                        reader.read(board)
                        if board.is_api
                        else read_export(cfg.board_path(board), board, state, dry_run=dry_run)
                    )
            except (StateError, sqlite3.Error):
                raise  # the state cannot be read or written: the run stops (see StateError)
            except OtgError as exc:
                errors[index] = exc
                continue
            except Exception as exc:  # one broken board never stops the others
                log.debug('board "%s": unexpected error', board.name, exc_info=True)
                text = redact(str(exc), cfg.secrets.all())  # a library's message may quote one
                errors[index] = OtgError(
                    f"unexpected {type(exc).__name__}: {text}", "please report it"
                )
                continue
            log.info('board "%s": read, %d cards', board.name, len(model.cards))
            progress.board_read(len(model.cards))
            models[index] = model
    finally:  # failures said in the config's order, also when the state stops the run
        for index in sorted(errors):
            on_error(boards[index], errors[index])
    read = [(board, models[i]) for i, board in enumerate(boards) if i in models]
    keep_model()  # see fast_read.py: the job that called this releases it
    return read, reader

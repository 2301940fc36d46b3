"""Where boards come from: a Trello JSON export file, or the live API with incremental history.

Both give the same ``Board``. Reading never writes anywhere but the state store's history cache
and bookmark, and not even there in a dry run.
"""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from config import BoardConfig, Config
from sync.dates import format_utc, parse_utc
from sync.errors import AuthError, OtgError, SourceError, StateError, UnknownList
from sync.http import redact
from sync.model import Board
from sync.state.store import State
from sync.stopping import stop_requested
from sync.trello.api import API_FIX, CREDENTIALS_FIX, TrelloApi, trello_session
from sync.trello.parse import parse_board

log = logging.getLogger(__name__)

#: Re-read this much history before the bookmark, so late-indexed actions are not missed.
LOOKBACK = timedelta(minutes=15)


def read_export(path: Path, board: BoardConfig) -> Board:
    fix = "export the board again (Trello: Menu › Print, export and share › Export as JSON)"
    try:
        text = _read_capped(path, board.name).decode("utf-8-sig")
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
    except UnicodeDecodeError:
        raise SourceError(
            f'board "{board.name}": {path} is not UTF-8 text (a Trello export is)', fix
        ) from None
    except OSError as exc:
        raise SourceError(
            f'board "{board.name}": cannot read {path}: {exc.strerror or type(exc).__name__}',
            "make it readable by the user otg-sync runs as, or " + fix,
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
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
    try:
        return parse_board(
            data, role=board.role, source=str(path), list_overrides=board.lists, read_only=True
        )
    except SourceError as exc:
        raise SourceError(f'board "{board.name}": {exc.message}', exc.fix) from None
    except RecursionError:
        raise SourceError(
            f'board "{board.name}": {path} holds JSON nested too deeply for a Trello export', fix
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
        fresh = self.api.actions(board_id, format_utc(since))
        if self.dry_run:
            merged = {a["id"]: a for a in self.state.load_actions(board_id)}
            merged.update({a["id"]: a for a in fresh if isinstance(a, dict) and "id" in a})
            history = sorted(
                merged.values(), key=lambda a: (a.get("date", ""), a["id"]), reverse=True
            )
        else:
            self.state.save_actions(board_id, fresh)
            # Never past the run's start: what happens during the run is read next time.
            self.state.set_bookmark(bookmark_name, format_utc(self.now))
            history = self.state.load_actions(board_id)
        log.info(
            'board "%s": %d new history entries since %s', board.name, len(fresh), format_utc(since)
        )
        try:
            return parse_board(
                data,
                role=board.role,
                source=board.source,
                list_overrides=board.lists,
                actions=history,
            )
        except SourceError as exc:
            # parse_board's own fix is for an export file; an API answer it cannot read (no
            # cards list, say) is Trello's to mend, and a rerun asks again.
            fix = exc.fix if isinstance(exc, UnknownList) else API_FIX
            raise SourceError(f'board "{board.name}": {exc.message}', fix) from None

    @property
    def requests_sent(self) -> int:
        return self._api.session.sent if self._api else 0


def connect(cfg: Config) -> TrelloApi:
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
    """Read each board; a board that fails is handed to ``on_error`` and the others go on."""
    reader = TrelloReader(cfg, state, dry_run=dry_run, now=now, api=api)
    read: list[tuple[BoardConfig, Board]] = []
    for board in boards:
        if stop_requested():
            break
        try:
            model = (
                reader.read(board) if board.is_api else read_export(cfg.board_path(board), board)
            )
        except StateError:
            raise  # nothing can be recorded: the run stops (see StateError)
        except OtgError as exc:
            on_error(board, exc)
            continue
        except Exception as exc:  # one broken board never stops the others
            log.debug('board "%s": unexpected error', board.name, exc_info=True)
            text = redact(str(exc), cfg.secrets.all())  # a library's message may quote one
            on_error(
                board, OtgError(f"unexpected {type(exc).__name__}: {text}", "please report it")
            )
            continue
        read.append((board, model))
    return read, reader

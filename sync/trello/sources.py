"""Where boards come from: a Trello JSON export file (``exports.py``), or the live API with
incremental history (here); and ``read_boards``, which reads a run's boards, one failure never
stopping the others.

Both give the same ``Board``. Reading never writes anywhere but the state store's history cache
and bookmark and the boards kept between runs (``snapshots.py``), and not even there in a dry run.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

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
from sync.trello.exports import on_board, read_export
from sync.trello.fast_read import collector_paused, keep_model
from sync.trello.history_merge import merged_history
from sync.trello.parse import parse_board
from sync.trello.schema import trimmed
from sync.trello.snapshots import Snapshots, folder_for

if TYPE_CHECKING:  # the API client (py-trello, requests) is imported when a board needs it
    from sync.trello.api import TrelloApi

log = logging.getLogger(__name__)

#: Re-read this much history before the bookmark, so late-indexed actions are not missed.
LOOKBACK = timedelta(minutes=15)


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
            raise on_board(board, exc.message, fix, exc) from None

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
    snapshots = Snapshots(folder_for(cfg.state_db), [board.name for board in cfg.boards])
    models: dict[int, Board] = {}
    errors: dict[int, Exception] = {}
    # No cyclic GC while the boards are read (see fast_read.py), and the model set aside before
    # the collector is back: paused a board at a time, the first collection after each walked
    # all that board's objects (a tenth of a printed roundup's time on three 5,000-card boards)
    with collector_paused():
        try:
            for index in _reading_order(cfg, boards):
                board = boards[index]
                if stop_requested():
                    break
                progress.reading(board.name)
                try:
                    model = (
                        reader.read(board)
                        if board.is_api
                        else read_export(
                            cfg.board_path(board),
                            board,
                            state,
                            dry_run=dry_run,
                            snapshots=snapshots,
                        )
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
        if not dry_run:
            snapshots.prune()
        keep_model()  # see fast_read.py: the job that called this releases it
    return read, reader

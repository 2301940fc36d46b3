"""The sync job: read every board, plan, apply, report, and record the run.

Each role's flow plugs in here: events boards go to the calendar (feed and CalDAV), content
boards to Medium drafts (jobs/content.py). A board that
cannot be read is reported and the others go on; every card that could not be fully read is a
warning.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from config import BoardConfig, Config
from jobs.content import CARD_FIX, sync_content
from jobs.events.outbound import sync_events
from jobs.history import RunRecord, describe
from jobs.roundup import finalise_published
from sync.dates import now_utc
from sync.errors import RemoteError, StateError, UsageError
from sync.model import Board, Role
from sync.overload import breakers_reset
from sync.overload import tripped as overloaded
from sync.report import Report, summarise
from sync.state.store import State
from sync.stopping import stop_requested
from sync.trello.fast_read import releases_model
from sync.trello.renames import Rename, remember, remembered, rename_warnings, renamed_lists
from sync.trello.sources import read_boards

if TYPE_CHECKING:  # the Trello client, for types: a night on export files needs none
    from sync.trello.api import TrelloApi

log = logging.getLogger(__name__)


@releases_model
def run(
    cfg: Config,
    state: State,
    *,
    dry_run: bool = False,
    only: list[Role] | None = None,
    api: TrelloApi | None = None,
    now: datetime | None = None,
    recreate_calendar: bool = False,
    new_version: tuple[str, ...] = (),
    job: str = "sync",
    allow_mass_cancel: bool = False,
) -> Report:
    """One sync. ``job`` names it in the run history (the scheduler's jobs reuse it).
    ``allow_mass_cancel`` lets through what the mass-change guard would stop (see
    ``sync/calendar/guard.py``), and accepts renamed lists."""
    now = now or now_utc()
    report = Report(job=job, dry_run=dry_run)
    breakers_reset()
    boards = [b for b in cfg.boards if not only or b.role in only]
    # with --new-version, the run starts once its cards are known to be there (see below)
    record = RunRecord(state, job, report)  # its end is recorded whatever happens
    if not (dry_run or new_version):
        record.start()

    def failed(board: BoardConfig, exc: Exception) -> None:
        report.transient = report.transient or isinstance(exc, RemoteError)
        report.config_error = report.config_error or getattr(exc, "exit_code", 1) == 2
        report.failures.append(
            str(exc) if str(exc).startswith("board ") else f'board "{board.name}": {describe(exc)}'
        )

    try:
        read, reader = read_boards(
            cfg, state, boards, dry_run=dry_run, now=now, api=api, on_error=failed
        )
        if new_version:  # every board is read before anything is written: a typo stops here
            _refuse_unknown_cards(boards, read, new_version)
            if not dry_run:
                record.start()
        renames: dict[str, list[Rename]] = {}
        for board_cfg, board in read:
            report.boards.append(summarise(board_cfg, board))
            report.warnings += card_warnings(board_cfg, board)
            renames[board.id] = renamed_lists(board, board_cfg, remembered(state, board.id))
            if board.role is not Role.EVENTS and not allow_mass_cancel:
                report.warnings += rename_warnings(board_cfg, board, renames[board.id])
        tripped: set[str] = set()
        if any(b.role is Role.EVENTS for b in boards) and not stopped(dry_run):
            tripped = sync_events(
                cfg,
                state,
                [b for _, b in read if b.role is Role.EVENTS],
                report,
                dry_run=dry_run,
                now=now,
                recreate_calendar=recreate_calendar,
                trello=lambda: reader.api,
                renames=renames,
                allow_mass_cancel=allow_mass_cancel,
            )
        if any(b.role is Role.CONTENT for b in boards) and not stopped(dry_run):
            content = [(c, b) for c, b in read if b.role is Role.CONTENT]
            items = sync_content(
                cfg,
                state,
                [b for _, b in content],
                report,
                dry_run=dry_run,
                now=now,
                trello=reader.api if any(c.is_api for c, _ in content) else None,
                new_version=new_version,
            )
            finalise_published(
                cfg,
                state,
                [b for _, b in read],
                items,
                report,
                dry_run=dry_run,
                trello=lambda: reader.api,
            )
        if cfg.site.configured and not dry_run and not stopped(dry_run):
            from jobs.site import sync_step as site_step  # here: Jinja2, for a site only

            site_step(cfg, state, read, report, now=now)
        if reader.requests_sent:
            report.requests["trello"] = reader.requests_sent
        if not dry_run and not stop_requested():
            for _, board in read:
                # a stopped board, or a rename still warned about, keeps the old names: the next
                # run sees the rename again until it is mapped or accepted
                held = board.role is not Role.EVENTS and renames.get(board.id)
                if board.id not in tripped and (allow_mass_cancel or not held):
                    remember(state, board)
    except StateError as exc:  # nothing more can be recorded: stop here (see StateError)
        report.failures.append(str(exc))
    except BaseException as exc:
        record.ended_by(exc)  # crashed, with its one line, or interrupted
        raise
    report.warnings += overloaded()  # a service left alone after a storm of 429s or 5xx: once
    if stop_requested() and not dry_run:
        report.failures.append(
            "stopped by a signal: what was done is recorded; the next run picks up the rest"
        )
    record.finish()
    return report


def _refuse_unknown_cards(
    boards: list[BoardConfig], read: list[tuple[BoardConfig, Board]], refs: tuple[str, ...]
) -> None:
    """--new-version names cards by id or short link: one on no content board is a usage error,
    raised before anything is written or the run recorded. When a content board could not be
    read, the card may be on it: the content flow reports what it cannot find instead."""
    content = [b for b in boards if b.role is Role.CONTENT]
    if any(b.name not in {c.name for c, _ in read} for b in content):
        return
    found = {
        key
        for _, board in read
        if board.role is Role.CONTENT
        for card in board.cards
        if card.visible
        for key in (card.id, card.short_link)
    }
    unknown = [ref for ref in dict.fromkeys(refs) if ref not in found]
    if unknown:
        raise UsageError(
            f"--new-version {', '.join(unknown)}: no such card"
            f"{'s' if len(unknown) > 1 else ''} on the content boards",
            f"{CARD_FIX}; nothing was changed",
        )


def stopped(dry_run: bool) -> bool:
    """A stop was requested (a dry run writes nothing, so it has nothing to stop before)."""
    return stop_requested() and not dry_run


def card_warnings(board_cfg: BoardConfig, board: Board) -> list[str]:
    return [f'board "{board_cfg.name}": {problem}' for problem in board.problems] + [
        f'board "{board_cfg.name}", card "{card.name}" ({card.url or card.id}): {problem}'
        for card in board.cards
        for problem in card.problems
    ]

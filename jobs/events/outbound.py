"""Spinoff events → the events calendar: plan, record, then bring the feed and CalDAV in step."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from config import Config
from config.calendar import CalDavConfig
from jobs.events.board_writes import imported_events, series_cards
from jobs.events.card_notes import leave_notes
from sync.calendar import ical
from sync.calendar.feed import write_if_changed
from sync.calendar.guard import Tripped, board_of, explain_renames, guard
from sync.calendar.plan import TARGET, EventChange, calendar_records, plan_events
from sync.errors import AuthError, OtgError, RemoteError, StateError
from sync.model import Board
from sync.report import Outcome, Report, plural
from sync.state.store import State
from sync.stopping import stop_requested
from sync.trello.renames import Rename, rename_fix

if TYPE_CHECKING:  # the Trello client, for types: a night on export files needs none
    from sync.calendar.caldav import CalDavClient
    from sync.trello.api import TrelloApi

log = logging.getLogger(__name__)
#: More cards than this with no date on one board are one line with their count.
UNDATED_ONE_LINE = 3
NO_DATE = "has no date"


def sync_events(
    cfg: Config,
    state: State,
    boards: list[Board],
    report: Report,
    *,
    dry_run: bool,
    now: datetime,
    recreate_calendar: bool = False,
    trello: Callable[[], TrelloApi] | None = None,
    renames: dict[str, list[Rename]] | None = None,
    allow_mass_cancel: bool = False,
) -> set[str]:
    """The events flow. ``boards`` are the events boards read this run (none: none could be
    read). ``trello`` gives the Trello API for writing back to API boards. ``renames``: each
    board's lists renamed since the last sync (see ``sync/trello/renames.py``). Returns the ids of
    the boards the mass-change guard stopped (nothing of theirs was written)."""
    stored = state.items(TARGET)
    renames = renames or {}
    changes = plan_events(
        boards, stored, cfg=cfg.calendar, tz=cfg.tz, now=now, imported=imported_events(state)
    )
    changes = explain_renames(changes, boards, renames)
    cards = {card.id: board.id for board in boards for card in board.cards}
    tripped = {} if allow_mass_cancel else guard(changes, stored, boards, renames, cfg.calendar)
    if tripped:
        changes = [c for c in changes if board_of(c, cards) not in tripped]
        for trip in tripped.values():
            report.failures.append(_stopped_line(cfg, trip, boards))
    undated: dict[str, list[EventChange]] = {}  # board id → its cards with no date
    recorded = False  # whether a change was written to the state (most nights: none)
    for change in changes:
        if stop_requested() and not dry_run:
            report.failures.append(
                "calendar: stopped before every change was recorded; the next sync records the rest"
            )
            return set(tripped)
        if change.kind == "skip" and change.detail.startswith(NO_DATE):
            undated.setdefault(board_of(change, cards), []).append(change)
            continue
        if change.kind == "skip":
            report.outcomes.append(
                Outcome(
                    "skip",
                    "calendar",
                    change.card_id,
                    change.title,
                    change.detail,
                    status="skipped",
                )
            )
            continue
        if not dry_run and change.record is not None:
            state.put_item(change.record)  # each event is its own unit of work
            recorded = True
        report.outcomes.append(
            Outcome(
                change.kind,
                "calendar",
                change.card_id,
                change.title,
                change.detail,
                "planned" if dry_run else "done",
                list(change.fields),
            )
        )
    report.outcomes += _undated(undated, boards)
    series = series_cards(state)
    for change in changes:
        if change.kind == "update" and change.card_id in series:
            report.warnings.append(
                f'calendar: "{change.title}" repeats on the calendar, so the change to its card '
                "is not written there nor to the feed; change the series in the calendar app "
                "(the card follows its next occurrence)"
            )
    # what the state holds now: ``stored`` itself when nothing was written (a quiet night's
    # 20,000 records are not read a second time beside the first)
    records = calendar_records(
        stored if dry_run or not recorded else state.items(TARGET), changes if dry_run else []
    )
    if cfg.calendar.caldav:
        _sync_caldav(
            cfg,
            cfg.calendar.caldav,
            state,
            records,
            report,
            dry_run=dry_run,
            now=now,
            recreate=recreate_calendar,
            # a board the guard stopped is as if unread: calendar edits to it wait, too
            boards=[b for b in boards if b.id not in tripped],
            changes=changes,
            trello=trello or _no_trello,
        )
        if not dry_run:  # calendar edits applied to cards are in the records now: feed them too
            records = calendar_records(state.items(TARGET), [])
    if cfg.calendar.feed and not boards:
        # nothing is known of any events board: an empty (or older) feed would tell subscribers
        # that every event is gone, so the feed is left exactly as it is
        report.warnings.append(  # the board's failure is the run's (exit 1)
            f"feed: {Path(cfg.calendar.feed).name} left as it was: no events board could be read"
        )
    elif cfg.calendar.feed:  # a series is the calendar's: not in the feed as a one-off
        feed = {k: v for k, v in records.items() if k not in series}
        _write_feed(cfg, state, feed, report, dry_run)
    if not stop_requested() or dry_run:
        leave_notes(
            cfg,
            state,
            boards,
            report,
            dry_run=dry_run,
            now=now,
            trello=trello or _no_trello,
            held=set(tripped),
        )
    return set(tripped)


def _undated(undated: dict[str, list[EventChange]], boards: list[Board]) -> list[Outcome]:
    """A skip per card with no date; a board with more than ``UNDATED_ONE_LINE`` of them has one
    line with the count instead (each card is logged, seen with -v)."""
    outcomes = []
    names = {board.id: board.name for board in boards}
    for board_id, skipped in undated.items():
        if len(skipped) <= UNDATED_ONE_LINE:
            outcomes += [
                Outcome("skip", "calendar", c.card_id, c.title, c.detail, status="skipped")
                for c in skipped
            ]
            continue
        for change in skipped:
            log.info("skipped calendar: %s (%s)", change.title, change.detail)
        outcomes.append(
            Outcome(
                "skip",
                "calendar",
                board_id,
                f"{len(skipped)} cards on {names.get(board_id, 'a board')}",
                "have no date: set their start or due date (each is listed with -v)",
                status="skipped",
            )
        )
    return outcomes


def _stopped_line(cfg: Config, trip: Tripped, boards: list[Board]) -> str:
    """Why a board's events were left as they were, and what to do."""
    board = next(b for b in boards if b.id == trip.board_id)
    board_cfg = next((c for c in cfg.boards if board.source.endswith(c.source)), None)
    name = board_cfg.name if board_cfg else board.name
    if trip.renames and board_cfg:
        fix = rename_fix(board_cfg, list(trip.renames))
    else:
        fix = (
            "look at the board (a list renamed, cards archived by mistake?); if the cancellations "
            "are meant, run `otg sync --allow-mass-cancel` once"
        )
    return (
        f'board "{name}": stopped before writing: {trip.why}; its events on the calendar are '
        f"left as they were — {fix}"
    )


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _no_trello() -> TrelloApi:
    raise AuthError("no Trello API board to write to", "use trello: sources for events boards")


def _write_feed(cfg: Config, state: State, records: dict, report: Report, dry_run: bool) -> None:
    """Render and write the feed, unless the records it was last written from, and the file
    itself, are unchanged: then a night with nothing new costs no rendering at all."""
    path = cfg.output_dir / cfg.calendar.feed
    options = (cfg.calendar.name, cfg.calendar.refresh_minutes, cfg.timezone)
    inputs = ical.records_digest(records.values(), options)
    mark = f"feed:{path}"
    last = state.bookmark(mark)
    if last == f"{inputs}:{_file_digest(path)}":
        return
    if dry_run and (last is not None or not path.exists()):
        # a dry run says what would be written without rendering it (the feed of 20,000 events
        # is most of a dry run's time): the file differs from what these records make, or is
        # missing. Only a feed never written by a sync is rendered, to compare with the file.
        _planned_feed(report, path, len(records))
        return
    content = ical.calendar(
        records.values(),
        name=cfg.calendar.name,
        refresh_minutes=cfg.calendar.refresh_minutes,
        timezone=cfg.timezone,
    )
    try:
        written = write_if_changed(path, content, dry_run=dry_run)
    except OtgError as exc:
        report.failures.append(f"feed: {exc}")
        return
    if not dry_run:
        state.set_bookmark(mark, f"{inputs}:{hashlib.sha256(content).hexdigest()}")
    if written:
        report.outcomes.append(
            Outcome(
                "write",
                "feed",
                str(path),
                path.name,
                plural(len(records), "event"),
                "planned" if dry_run else "done",
            )
        )


def _planned_feed(report: Report, path: Path, events: int) -> None:
    report.outcomes.append(
        Outcome("write", "feed", str(path), path.name, plural(events, "event"), "planned")
    )


def caldav_client(cfg: Config, caldav: CalDavConfig) -> CalDavClient:
    from sync.calendar.caldav import CalDavClient  # here: a feed alone needs no CalDAV code
    from sync.http import PoliteSession

    password = cfg.secrets.get("CALDAV_PASSWORD") or ""
    if caldav.username and not password:
        raise AuthError(
            "CALDAV_PASSWORD is not set, needed for calendar.caldav",
            "set it in the environment or in a .env file beside the config",
        )
    session = PoliteSession(
        name="CalDAV", timeout=caldav.timeout, retries=cfg.trello.retries, secrets=[password]
    )
    client = CalDavClient(caldav.url, caldav.username, password, session, caldav.auth)
    if caldav.calendar:
        client = CalDavClient(
            client.find_calendar(caldav.calendar), caldav.username, password, session, caldav.auth
        )
    return client


def _sync_caldav(
    cfg: Config,
    caldav: CalDavConfig,
    state: State,
    records: dict,
    report: Report,
    *,
    dry_run: bool,
    now: datetime,
    recreate: bool,
    boards: list[Board],
    changes: list[EventChange],
    trello: Callable[[], TrelloApi],
) -> None:
    """Calendar news first (edits, deletions, new events reach the board), then the board's
    events go to the calendar, leaving alone what the calendar just won."""
    # imported here, with [calendar.caldav] only: a night with a feed alone does without them
    from jobs.events.inbound import Inbound
    from sync.calendar.caldav_target import CalDavTarget, failure_line
    from sync.calendar.listing import forget, listing, remember

    try:
        client = caldav_client(cfg, caldav)
    except OtgError as exc:
        report.failures.append(failure_line(exc))
        return
    target = CalDavTarget(client, state)
    try:
        server = listing(client, state, fresh=recreate or dry_run)
        target.guard(server, recreate)
        inbound = Inbound(cfg, state, client, report, trello, dry_run, now)
        hold = inbound.run(server, boards, changes)
        if not dry_run:  # calendar edits agreed with their cards: the records as they now are
            records = calendar_records(state.items(TARGET), [])
        outcomes, failures = target.sync(
            records,
            dry_run=dry_run,
            recreate=recreate,
            server=server,
            hold=hold,
            put_back=inbound.put_back,
            bodies=inbound.bodies,
        )
        # the target stops early only when the server went away mid-run: a retry may finish it
        report.transient = report.transient or bool(failures)
        if not dry_run:  # a quiet run's listing is still the calendar's: the next may use it
            quiet = client.session.writes == 0 and not failures
            if quiet:
                remember(client, state, server)
            else:
                forget(client, state)
    except StateError:
        raise  # nothing can be recorded: the run stops (see StateError)
    except OtgError as exc:  # a refused password is not cured by waiting: only RemoteError is
        outcomes, failures = [], [failure_line(exc)]
        report.transient = report.transient or isinstance(exc, RemoteError)
    report.requests["caldav"] = client.session.sent
    report.outcomes += outcomes
    report.failures += failures

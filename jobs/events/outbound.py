"""Spinoff events → the events calendar: plan, record, then bring the feed and CalDAV in step."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from config import Config
from config.calendar import CalDavConfig
from jobs.events.board_writes import imported_events, series_cards
from jobs.events.inbound import Inbound
from sync.calendar import ical
from sync.calendar.caldav import CalDavClient
from sync.calendar.caldav_target import CalDavTarget, failure_line
from sync.calendar.feed import write_if_changed
from sync.calendar.listing import forget, listing, remember
from sync.calendar.plan import TARGET, EventChange, calendar_records, plan_events
from sync.errors import AuthError, OtgError, RemoteError, StateError
from sync.http import PoliteSession
from sync.model import Board
from sync.report import Outcome, Report, plural
from sync.state.store import State
from sync.stopping import stop_requested
from sync.trello.api import TrelloApi


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
) -> None:
    """The events flow. ``boards`` are the events boards read this run (none: none could be
    read). ``trello`` gives the Trello API for writing back to API boards."""
    stored = state.items(TARGET)
    changes = plan_events(
        boards, stored, cfg=cfg.calendar, tz=cfg.tz, now=now, imported=imported_events(state)
    )
    for change in changes:
        if stop_requested() and not dry_run:
            report.failures.append(
                "calendar: stopped before every change was recorded; the next sync records the rest"
            )
            return
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
    series = series_cards(state)
    for change in changes:
        if change.kind == "update" and change.card_id in series:
            report.warnings.append(
                f'calendar: "{change.title}" repeats on the calendar, so the change to its card '
                "is not written there nor to the feed; change the series in the calendar app "
                "(the card follows its next occurrence)"
            )
    records = calendar_records(
        stored if dry_run else state.items(TARGET), changes if dry_run else []
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
            boards=boards,
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
    if state.bookmark(mark) == f"{inputs}:{_file_digest(path)}":
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


def caldav_client(cfg: Config, caldav: CalDavConfig) -> CalDavClient:
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

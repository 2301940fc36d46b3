"""Spinoff events → the events calendar: plan, record, then bring the feed and CalDAV in step."""

from __future__ import annotations

from datetime import datetime

from config import Config
from config.calendar import CalDavConfig
from sync import ical
from sync.caldav import CalDavClient
from sync.caldav_target import CalDavTarget, failure_line
from sync.calendar_plan import TARGET, calendar_records, plan_events
from sync.errors import AuthError, OtgError
from sync.feed import write_if_changed
from sync.http import PoliteSession
from sync.model import Board
from sync.report import Outcome, Report, plural
from sync.state import State


def sync_events(
    cfg: Config,
    state: State,
    boards: list[Board],
    report: Report,
    *,
    dry_run: bool,
    now: datetime,
    recreate_calendar: bool = False,
) -> None:
    stored = state.items(TARGET)
    changes = plan_events(boards, stored, cfg=cfg.calendar, tz=cfg.tz, now=now)
    status = "planned" if dry_run else "done"
    for change in changes:
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
                status,
                list(change.fields),
            )
        )
    records = calendar_records(
        stored if dry_run else state.items(TARGET), changes if dry_run else []
    )
    if cfg.calendar.feed:
        _write_feed(cfg, records, report, dry_run)
    if cfg.calendar.caldav:
        _sync_caldav(cfg, cfg.calendar.caldav, state, records, report, dry_run, recreate_calendar)


def _write_feed(cfg: Config, records: dict, report: Report, dry_run: bool) -> None:
    path = cfg.output_dir / cfg.calendar.feed
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
    client = CalDavClient(caldav.url, caldav.username, password, session)
    if caldav.calendar:
        client = CalDavClient(
            client.find_calendar(caldav.calendar), caldav.username, password, session
        )
    return client


def _sync_caldav(
    cfg: Config,
    caldav: CalDavConfig,
    state: State,
    records: dict,
    report: Report,
    dry_run: bool,
    recreate: bool,
) -> None:
    try:
        client = caldav_client(cfg, caldav)
    except OtgError as exc:
        report.failures.append(failure_line(exc))
        return
    try:
        outcomes, failures = CalDavTarget(client, state).sync(
            records, dry_run=dry_run, recreate=recreate
        )
    except OtgError as exc:
        outcomes, failures = [], [failure_line(exc)]
    report.requests["caldav"] = client.session.sent
    report.outcomes += outcomes
    report.failures += failures

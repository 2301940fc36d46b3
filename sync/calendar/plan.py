"""Plan the events calendar: (event cards, what the calendar holds) → changes. Pure: no I/O.

The state store keeps one canonical record per event card (target ``events``): the event's
fields, its SEQUENCE, DTSTAMP and, once cancelled, when. The feed and the CalDAV calendar are both
rendered from these records, so they always agree, and an unchanged board renders the same bytes.

Decision table, per card id (record = the canonical record; "live" or cancelled):

| the card now                                  | no record | live record   | cancelled record |
|-----------------------------------------------|-----------|---------------|------------------|
| published state, dates readable               | create    | update if any | update: restored |
| published state, no usable date               | skip      | skip (kept)   | skip             |
| archived, cancelled, unpublished, deleted     | —         | cancel        | drop after N days|
| not seen, and its board was read whole        | —         | cancel        | drop after N days|
| not seen, its board not read whole this run   | —         | —             | —                |

A board is read whole when it was read and none of its card entries was left out (an entry with
no usable id may be the very card not seen: its event waits, never cancelled on a guess).

SEQUENCE rises with every significant change (time, title, place, status); other changes (the
description, say) update the event without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from config.calendar import CalendarConfig
from sync.calendar.mapping import CANCELLED, SIGNIFICANT, EventSpec, Skip, event_for, uid_for
from sync.model import Board, Card
from sync.report import plural
from sync.state.records import SyncedItem

TARGET = "events"
LIVE, CANCELLED_STATUS, DROPPED = "live", "cancelled", "dropped"


@dataclass(frozen=True)
class EventChange:
    kind: str  # create, update, cancel, drop, skip
    card_id: str
    title: str
    detail: str = ""
    fields: tuple[str, ...] = ()
    record: SyncedItem | None = None  # the canonical record after the change (not for skip)


def spec_of(record: SyncedItem) -> EventSpec:
    return EventSpec.from_fields(record.data["event"])


@dataclass(frozen=True)
class Imported:
    """A card made from an event someone added on the calendar: the event keeps its UID."""

    uid: str
    status: str = "CONFIRMED"  # the event's status while its card sits in an unpublished list
    sequence: int = 0


def plan_events(
    boards: Iterable[Board],
    stored: dict[str, SyncedItem],
    *,
    cfg: CalendarConfig,
    tz: ZoneInfo,
    now: datetime,
    imported: dict[str, Imported] | None = None,
) -> list[EventChange]:
    boards = list(boards)
    read_whole = {board.id for board in boards if board.read_whole}
    plan = _Planner(cfg, tz, now, read_whole, imported or {})
    cards = {card.id: card for board in boards for card in board.cards}
    deleted = {d.id for board in boards for d in board.deleted}
    changes: list[EventChange] = []
    for card_id in sorted(set(cards) | set(stored)):
        change = plan.decide(cards.get(card_id), stored.get(card_id), card_id in deleted)
        if change:
            changes.append(change)
    return changes


def plan_card(
    card: Card,
    record: SyncedItem | None,
    *,
    cfg: CalendarConfig,
    tz: ZoneInfo,
    now: datetime,
    imported: dict[str, Imported],
) -> EventChange | None:
    """What ``plan_events`` makes of one card that was read (the card as it now is)."""
    return _Planner(cfg, tz, now, {card.board_id}, imported).decide(card, record, False)


@dataclass(frozen=True)
class _Planner:
    cfg: CalendarConfig
    tz: ZoneInfo
    now: datetime
    read_ids: set[str]
    imported: dict[str, Imported]

    def decide(
        self, card: Card | None, record: SyncedItem | None, deleted: bool
    ) -> EventChange | None:
        wanted = self.wanted(card) if card and card.visible else None
        if isinstance(wanted, Skip):
            return EventChange("skip", wanted.card_id, wanted.title, wanted.reason)
        if wanted is not None:
            return self.upsert(wanted, record)
        if record is None or record.status == DROPPED:
            return None
        if card is None and not deleted and record.data["event"]["board_id"] not in self.read_ids:
            return None  # its board was not read whole this run: we know nothing new
        return self.retire(record, _why_gone(card, deleted))

    def wanted(self, card: Card) -> EventSpec | Skip | None:
        spec = event_for(card, self.cfg, self.tz)
        origin = self.imported.get(card.id)
        if spec is None and origin and card.state not in ("cancelled", "ignore"):
            # an imported event stays on the calendar while its card waits in the inbox
            spec = event_for(
                card,
                replace(self.cfg, publish=(card.state or "proposed",)),
                self.tz,
                status=origin.status,
            )
        return spec

    def upsert(self, wanted: EventSpec, record: SyncedItem | None) -> EventChange | None:
        stamp = self.now.isoformat()
        if record is None or record.status == DROPPED:
            origin = self.imported.get(wanted.card_id)
            # an imported event is the calendar's as it is: its own revision, nothing new yet
            sequence = record.sequence + 1 if record else origin.sequence if origin else 0
            uid = origin.uid if origin else uid_for(wanted.card_id, self.cfg.domain)
            return EventChange(
                "create",
                wanted.card_id,
                wanted.summary,
                record=_record(wanted, uid, sequence=sequence, status=LIVE, stamp=stamp),
            )
        before = spec_of(record)
        changed = wanted.changed(before)
        uid = record.remote_id or ""
        origin = self.imported.get(wanted.card_id)
        # planned as ours before this card was known as imported (its import settled later in
        # that run): the calendar's UID is the event's, in the feed as on the calendar
        retold = bool(origin and origin.uid and origin.uid != uid)
        if not changed and not retold:
            return None
        significant = [name for name in changed if name in SIGNIFICANT]
        sequence = record.sequence + 1 if significant else record.sequence
        detail = "changed: " + "; ".join(
            _describe(name, before, wanted, self.tz, self.now.astimezone(self.tz).year)
            for name in changed
        )
        if retold and origin:
            uid = origin.uid
            detail = (detail + "; " if changed else "") + f"the calendar's UID {uid} (imported)"
        if record.status == CANCELLED_STATUS:
            detail = "restored; " + detail
        return EventChange(
            "update",
            wanted.card_id,
            wanted.summary,
            detail,
            tuple(changed),
            _record(wanted, uid, sequence=sequence, status=LIVE, stamp=stamp),
        )

    def retire(self, record: SyncedItem, why: str) -> EventChange | None:
        spec = spec_of(record)
        if record.status == CANCELLED_STATUS:
            cancelled_at = datetime.fromisoformat(record.data["cancelled_at"])
            if self.now - cancelled_at < timedelta(days=self.cfg.keep_cancelled_days):
                return None
            dropped = replace(
                record, status=DROPPED, data={**record.data, "dropped_at": self.now.isoformat()}
            )
            return EventChange(
                "drop",
                record.key,
                spec.summary,
                f"cancelled over {plural(self.cfg.keep_cancelled_days, 'day')} ago",
                record=dropped,
            )
        new = _record(
            replace(spec, status=CANCELLED),
            record.remote_id or "",
            sequence=record.sequence + 1,
            status=CANCELLED_STATUS,
            stamp=self.now.isoformat(),
        )
        new = replace(new, data={**new.data, "cancelled_at": self.now.isoformat()})
        return EventChange("cancel", record.key, spec.summary, why, ("status",), new)


def _describe(
    name: str, before: EventSpec, after: EventSpec, tz: ZoneInfo, year: int | None = None
) -> str:
    """``start 9 Dec 09:00 → 10:00``: what a person needs to see of one changed field. The year
    is shown when the two differ in it, or either is not in ``year`` (the run's)."""
    if name not in ("summary", "start", "end", "location", "status", "all_day"):
        return name
    old, new = getattr(before, name), getattr(after, name)
    if isinstance(old, datetime) and isinstance(new, datetime):
        old, new = old.astimezone(tz), new.astimezone(tz)
        same_day = old.date() == new.date()
        day = "%a %d %b %Y" if year is not None and {old.year, new.year} != {year} else "%a %d %b"
        return (
            f"{name} {old:{day} %H:%M} → {new:%H:%M}"
            if same_day
            else (f"{name} {old:{day} %H:%M} → {new:{day} %H:%M}")
        )
    return f"{name} {old or '(none)'} → {new or '(none)'}"


def _why_gone(card: Card | None, deleted: bool) -> str:
    if deleted:
        return "deleted on Trello"
    if card is None:
        return "no longer on its board"
    if card.closed or card.list_closed:
        return "archived on Trello"
    if card.state == "cancelled":
        return f"moved to {card.list_name}"
    return f"moved to {card.list_name or 'a list'} (not published)"


def _record(spec: EventSpec, uid: str, *, sequence: int, status: str, stamp: str) -> SyncedItem:
    return SyncedItem(
        target=TARGET,
        key=spec.card_id,
        remote_id=uid,
        hash=spec.digest(),
        sequence=sequence,
        status=status,
        data={"event": spec.fields(), "dtstamp": stamp, "cancelled_at": None},
    )


def calendar_records(
    stored: dict[str, SyncedItem], changes: Iterable[EventChange]
) -> dict[str, SyncedItem]:
    """What the calendar holds once ``changes`` are applied: the records to render."""
    records = dict(stored)
    for change in changes:
        if change.record is not None:
            records[change.card_id] = change.record
    return {key: rec for key, rec in records.items() if rec.status != DROPPED}

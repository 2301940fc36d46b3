"""What changed on the CalDAV calendar since the last sync. Pure: no I/O.

From the calendar's listing (href → ETag) and what the state store knows:

- an event of ours whose ETag moved was edited on the calendar: fetch it, and compare the fields
  a card shares with an event against what we last wrote (``seen``). A real difference is an
  ``Edit``; a change to anything else (an alarm, say) only teaches us the new ETag;
- an event of ours that is gone was deleted on the calendar;
- an event we have never seen (or whose ETag moved since we last looked) may be a ``NewEvent``
  someone added, to import as a card; one that is not (ours by its UID, already over, cancelled,
  unreadable) is remembered with the reason so it is not fetched again until it changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sync.calendar.caldav import Resource
from sync.calendar.caldav_plan import SHARED_FIELDS, agreed
from sync.calendar.caldav_target import seen_fields
from sync.calendar.ical_read import CalendarEvent, Unreadable, read_event
from sync.model import Card
from sync.state.records import IMPORTED as IMPORTED  # the target's name, here too
from sync.state.records import SyncedItem

FOREIGN = "calendar-foreign"  # state target: href → the ETag we last looked at, and why ignored
OUR_UID = re.compile(r"^trello-[0-9a-f]{24}@")


@dataclass(frozen=True)
class Edit:
    card_id: str
    href: str
    etag: str | None
    event: CalendarEvent
    fields: tuple[str, ...]
    seen: dict[str, object] = field(default_factory=dict)  # what both sides last agreed on


@dataclass(frozen=True)
class NewEvent:
    href: str
    etag: str | None
    event: CalendarEvent


@dataclass
class Inbound:
    edits: list[Edit] = field(default_factory=list)
    new: list[NewEvent] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # card ids
    etags: dict[str, str | None] = field(default_factory=dict)  # card id → ETag to adopt
    #: card id → what the calendar holds of the shared fields, where our own write (recorded
    #: as being sent, not as done) is found there
    seen: dict[str, dict[str, object]] = field(default_factory=dict)
    ignored: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # href → why
    unreadable: list[Unreadable] = field(default_factory=list)
    #: someone else's events not imported, with why (already over, cancelled): said once
    passed_over: list[tuple[CalendarEvent, str]] = field(default_factory=list)


def to_fetch(
    server: dict[str, Resource], ours: dict[str, SyncedItem], foreign: dict[str, SyncedItem]
) -> list[str]:
    """The hrefs whose content we need: ours with a new ETag, and others not seen as they are."""
    our_items = {item.remote_id: item for item in ours.values() if item.remote_id}
    wanted = []
    for href, resource in server.items():
        item = our_items.get(href)
        if item is not None:
            if item.etag is not None and resource.etag != item.etag:
                wanted.append(href)
        elif href not in foreign or foreign[href].etag != resource.etag:
            wanted.append(href)
    return sorted(wanted)


def classify(
    server: dict[str, Resource],
    ours: dict[str, SyncedItem],
    bodies: dict[str, Resource],
    *,
    imported_uids: Iterable[str],
    tz: ZoneInfo,
    now: datetime,
    default_minutes: int,
) -> Inbound:
    inbound = Inbound()
    known_uids = set(imported_uids)
    by_href = {item.remote_id: (card_id, item) for card_id, item in ours.items() if item.remote_id}
    for card_id, item in sorted(ours.items()):
        if item.remote_id and item.remote_id not in server:
            inbound.deleted.append(card_id)
    for href, body in sorted(bodies.items()):
        event = read_event(href, body.data or "", tz=tz, now=now, default_minutes=default_minutes)
        if href in by_href:
            card_id, item = by_href[href]
            _ours(inbound, card_id, item, href, body, event)
            continue
        if isinstance(event, Unreadable):
            inbound.unreadable.append(event)
            inbound.ignored[href] = (body.etag, event.reason)
        elif OUR_UID.match(event.uid) or event.uid in known_uids:
            inbound.ignored[href] = (body.etag, "an event of ours")
        elif _ends(event, tz) < now - timedelta(days=1):
            inbound.ignored[href] = (body.etag, "already over")
            inbound.passed_over.append((event, "already over"))
        elif event.status == "CANCELLED":
            inbound.ignored[href] = (body.etag, "cancelled")
            inbound.passed_over.append((event, "cancelled"))
        else:
            inbound.new.append(NewEvent(href, body.etag, event))
    return inbound


def _ours(
    inbound: Inbound,
    card_id: str,
    item: SyncedItem,
    href: str,
    body: Resource,
    event: CalendarEvent | Unreadable,
) -> None:
    seen = item.data.get("seen")
    if isinstance(event, Unreadable) or not seen:
        return  # nothing to compare with: the board's version is put back
    now_fields = event.fields()
    sending = item.data.get("sending") or {}
    if sending and all(now_fields.get(k) == v for k, v in sending.items()):
        # our own write, taken by the server before the run that sent it could record it
        seen = {**seen, **sending}
        inbound.seen[card_id] = seen
    changed = tuple(name for name in SHARED_FIELDS if now_fields[name] != seen.get(name))
    if changed:
        inbound.edits.append(Edit(card_id, href, body.etag, event, changed, seen))
    else:
        inbound.etags[card_id] = body.etag


def card_changed(edit: Edit, record: SyncedItem | None, item: SyncedItem | None) -> bool:
    """Whether the card changed what it shares with the event since both sides last agreed.

    ``record`` is the card's event as the board now has it (planned this run, or recorded by an
    earlier run whose calendar write never happened: the server was down, or a stop); ``item``
    is the calendar's copy as we last knew it. The card changed a field when its event differs
    there from what both sides last agreed (``agreed``: the board's own reading of it, so a
    difference in how card and calendar write a value is no change), unless it already says
    what the calendar's edit says. So a card that only caught up with an earlier calendar edit
    (our own write to it) has not changed, nor has one whose every change is already the
    calendar's (a write of this edit that stopped halfway, say), nor a card with no event
    record yet. An agreement not known (an item of an older version) is taken as ``seen``."""
    if record is None:
        return False
    before = (agreed(item, record) if item is not None else {}) or edit.seen
    calendar = edit.event.fields()
    return any(
        value != before.get(name) and value != calendar.get(name)
        for name, value in seen_fields(record).items()
    )


def calendar_wins(edit: Edit, both_changed: bool, card: Card | None, rule: str) -> bool:
    """Whether a calendar edit is applied to the card. Only the calendar changed: yes. Both
    changed (``card_changed``): the configured rule decides (``trello``, ``calendar``, or
    ``newest``). A repeating series always: it is the calendar's, and its card follows it."""
    if not both_changed or edit.event.rrule:
        return True
    if rule == "newest":
        edited, touched = edit.event.modified, card.last_activity if card else None
        return bool(edited and touched and edited > touched)
    return rule == "calendar"


def _ends(event: CalendarEvent, tz: ZoneInfo) -> datetime:
    if isinstance(event.end, datetime):
        return event.end
    return datetime.combine(event.end, datetime.min.time(), tzinfo=tz)

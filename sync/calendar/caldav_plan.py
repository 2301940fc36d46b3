"""The plan of a CalDAV sync: which writes bring the calendar in step with the event records
(create, update, restore, recreate, cancel, delete, adopt), and what the server last agreed with
the board. Pure: no I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sync.calendar import ical
from sync.calendar.caldav import Resource
from sync.calendar.ical_merge import MANAGED
from sync.state.records import SyncedItem

#: What flows back from the calendar to a card (the description does not: ours adds links).
SHARED_FIELDS = ("summary", "start", "end", "all_day", "location", "status")


@dataclass
class Step:
    kind: str  # create, update, restore, recreate, cancel, delete; adopt: record only
    card_id: str
    title: str
    href: str
    body: bytes = b""  # ours whole: for a new event (or one the server lost)
    etag: str | None = None  # the server's current ETag, for If-Match
    uid: str = ""
    #: the fields to write into the server's copy of the event, keeping everything else in it;
    #: None: ``body``, ours whole
    fields: tuple[str, ...] | None = None


def plan_caldav(
    records: dict[str, SyncedItem],
    ours: dict[str, SyncedItem],
    server: dict[str, Resource],
    href_for: Callable[[str], str],
    put_back: dict[str, tuple[str, ...]] | None = None,
) -> list[Step]:
    """What to write so that the server holds exactly ``records`` (of our events).

    An event that is there is changed only in the fields whose value on the card changed since
    the server last agreed with it (``agreed``), plus, if it was edited on the calendar and the
    board won, the fields edited there (``put_back``: unknown means every field)."""
    put_back = put_back or {}
    steps: list[Step] = []
    for card_id, record in sorted(records.items()):
        item = ours.get(card_id)
        href = item.remote_id if item and item.remote_id else href_for(record.remote_id or "")
        there = server.get(href)
        title = record.data["event"]["summary"]
        uid = record.remote_id or ""
        if item is None or there is None:  # new, or deleted on the server: the board wants it
            kind = "create" if item is None else "recreate"
            # a create never replaces what is there (If-None-Match): `_adopt` decides whose it is
            body = ical.single(record)
            steps.append(Step(kind, card_id, title, href, body, None, uid))
            continue
        wanted, base = record.data["event"], agreed(item, record)
        # a partner's event: only what a card shares with it is ours to change (its text, its
        # link and the rest stay the partner's as they wrote them)
        ours_to_change = SHARED_FIELDS if item.data.get("imported") else MANAGED
        changed = {name for name in ours_to_change if wanted.get(name) != base.get(name)}
        edited = there.etag != item.etag
        if not changed and not edited:
            if item.data.get("event") != wanted:  # agreed without a write: say so, once
                steps.append(Step("adopt", card_id, title, href, b"", item.etag, uid))
            continue
        if not changed:
            kind = "restore"  # edited on the calendar; the board wins
        elif record.status == "cancelled" and item.status != "cancelled":
            kind = "cancel"
        else:
            kind = "update"
        fields = changed | (
            set(put_back.get(card_id, MANAGED)) & set(ours_to_change) if edited else set()
        )
        steps.append(
            Step(
                kind,
                card_id,
                title,
                href,
                etag=there.etag,
                uid=uid,
                fields=tuple(name for name in MANAGED if name in fields),
            )
        )
    for card_id, item in sorted(ours.items()):
        if card_id not in records and item.remote_id:
            there = server.get(item.remote_id)
            steps.append(
                Step(
                    "delete",
                    card_id,
                    item.data.get("summary", card_id),
                    item.remote_id,
                    etag=there.etag if there else None,
                )
            )
    return steps


def agreed(item: SyncedItem, record: SyncedItem) -> dict[str, object]:
    """The event's fields as the server last agreed with the board: what we last wrote there
    (or learnt from it). An imported event agrees with its card as imported: the calendar's
    own title, times, place and status (``seen``); the rest is the card's from the start. An
    item recorded by an older version knows only a digest of what it wrote."""
    if "event" in item.data:
        return item.data["event"]
    if item.data.get("imported") or item.hash is None:  # (older versions: no flag, no hash)
        seen = item.data.get("seen") or {}
        return {**record.data["event"], **{k: v for k, v in seen.items() if k in SHARED_FIELDS}}
    legacy = hashlib.sha256(ical.single(record)).hexdigest()[:16]
    return record.data["event"] if item.hash == legacy else {}

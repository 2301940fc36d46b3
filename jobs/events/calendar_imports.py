"""Events people added on the calendar become cards (once), and an imported event deleted there
cancels its card.

Creating a card or a comment is not idempotent on Trello, so each is recorded as an intent first.
Before any card is created again, the board (read afresh at the start of every run) is searched
for the event's marker, ``otg-uid: <UID>``, which every imported card carries in its description.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from jobs.events.board_writes import BoardWrites
from sync.calendar.caldav_target import TARGET as CALDAV
from sync.calendar.event_cards import (
    DESC_LIMIT,
    MARKER,
    card_description,
    comment_once,
    import_board,
    list_for,
    list_named,
    marker_of,
    trello_dates,
)
from sync.calendar.inbound import FOREIGN, IMPORTED, NewEvent
from sync.dates import now_utc
from sync.errors import RemoteError, TimedOut
from sync.model import Board, Card
from sync.report import Outcome, plural
from sync.state.records import Intent, SyncedItem

#: Seconds after a create timed out during which it is not sent again: it may still be made.
LATE_WRITES = 120

# -- imported events deleted on the calendar -------------------------------------------------


def cancel_deleted(
    writes: BoardWrites, card_id: str, imported: SyncedItem, found: tuple[Board, Card] | None
) -> None:
    """The card of an imported event deleted on the calendar: commented and moved to the
    cancelled list."""
    cfg, state = writes.cfg, writes.state
    board, card = found if found else (None, None)
    title = card.name if card else card_id
    if found is None and (event := writes.on_unread_board(card_id)):
        title = str(event.get("summary") or title)
        writes.report.warnings.append(
            f'calendar: the event of "{title}" was deleted on the calendar, but its board '
            "could not be read this run: left for the next sync"
        )
        return
    if board is None or card is None or board.read_only:
        writes.report.warnings.append(
            f'calendar: the event of "{title}" was deleted on the '
            "calendar; its card cannot be updated from here"
        )
        return
    cancelled = list_named(board, cfg.calendar.cancelled_list) or list_for(board, "cancelled")

    def apply() -> None:
        api = writes.trello()
        comment_once(
            api,
            state,
            card.id,
            "calendar-deleted",
            "The event was deleted from the events calendar, so this card was "
            f"moved to {cfg.calendar.cancelled_list}.",
        )
        if cancelled and card.list_id != cancelled:
            api.update_card(card.id, idList=cancelled)
        state.put_item(
            SyncedItem(IMPORTED, card.id, imported.remote_id, status="deleted", data=imported.data)
        )
        state.delete_item(CALDAV, card.id)

    writes.write(
        Outcome(
            "cancel",
            "trello",
            card.id,
            card.name,
            "its event was deleted on the calendar: commented and moved to "
            f"{cfg.calendar.cancelled_list}",
        ),
        apply,
    )


# -- events added on the calendar ------------------------------------------------------------


def import_events(writes: BoardWrites, new: list[NewEvent], boards: list[Board]) -> None:
    """A card for each event added on the calendar, in ``calendar.import_list``."""
    cfg = writes.cfg
    if not new or not cfg.calendar.import_list:
        return
    board = import_board(cfg, boards)
    if board is None or board.read_only:
        name = f'"{board.name}" is an export file (read-only)' if board else "is not read"
        writes.report.warnings.append(
            f"calendar: {plural(len(new), 'event')} added on the calendar cannot be imported: "
            f"the events board {name}"
        )
        return
    list_id = list_named(board, cfg.calendar.import_list)
    if list_id is None:
        writes.report.failures.append(
            f'calendar: board "{board.name}" has no list "{cfg.calendar.import_list}" '
            "for imported events — create it, or set calendar.import_list"
        )
        return
    markers = {
        marker_of(card.desc): card for b in boards for card in b.cards if MARKER in card.desc
    }
    for item in new:
        existing = markers.get(item.event.uid)
        if existing is not None:  # created by an earlier run that stopped before recording
            writes.write(
                Outcome(
                    "import",
                    "trello",
                    existing.id,
                    existing.name,
                    "found on the board from an earlier run",
                ),
                lambda i=item, c=existing.id: _record_import(writes, i, c),
            )
            continue
        writes.write(
            Outcome(
                "import",
                "trello",
                item.event.uid,
                item.event.summary,
                "; ".join([f"new card in {cfg.calendar.import_list}", *_notes(item)]),
            ),
            lambda i=item: _create_card(writes, i, list_id),
        )


def _create_card(writes: BoardWrites, item: NewEvent, list_id: str) -> None:
    state, event = writes.state, item.event
    start, due = trello_dates(event, writes.cfg)
    pending = [i for i in state.intents("trello-card", "pending") if i.key == event.uid]
    if pending and (late := _maybe_late(pending[0], writes.cfg.trello.timeout)):
        raise RemoteError(
            f'the card of "{event.summary[:80]}" was sent {late} ago and its answer never '
            "came: Trello may still be making it, so it is not sent again yet",
            "the next sync looks for it on the board (by its marker) before sending it again",
        )
    intent = (
        pending[0].id
        if pending
        else state.open_intent("trello-card", event.uid, {"list": list_id, "name": event.summary})
    )
    try:
        card = writes.trello().create_card(
            list_id,
            event.summary,
            desc=card_description(event),
            start=start,
            due=due,
            **({"locationName": event.location} if event.location else {}),
        )
    except TimedOut:  # it may be made seconds from now: when we gave up is kept
        state.settle_intent(intent, "pending", {"timed_out_at": now_utc().isoformat()})
        raise
    with state.transaction():  # the card made, and what it was made from: all or nothing
        state.settle_intent(intent, "done", {"card": card["id"]})
        _record_import(writes, item, card["id"])


def _record_import(writes: BoardWrites, item: NewEvent, card_id: str) -> None:
    """The import recorded as one unit of work (a full disk or a power cut between its rows
    would leave the card's event unknown as ours, and its UID taken on the calendar)."""
    with writes.state.transaction():
        _record_rows(writes, item, card_id)


def _record_rows(writes: BoardWrites, item: NewEvent, card_id: str) -> None:
    state, event = writes.state, item.event
    for intent in state.intents("trello-card", "pending"):
        if intent.key == event.uid:
            state.settle_intent(intent.id, "done", {"card": card_id})
    state.put_item(
        SyncedItem(
            IMPORTED,
            card_id,
            event.uid,
            status="card",
            data={
                "href": item.href,
                "status": event.status,
                "sequence": event.sequence,
                "recurring": bool(event.rrule),
            },
        )
    )
    state.put_item(
        SyncedItem(
            CALDAV,
            card_id,
            item.href,
            None,
            0,
            item.etag,
            "live",
            {"summary": event.summary, "seen": event.fields(), "imported": True},
        )
    )
    state.delete_item(FOREIGN, item.href)
    writes.imported_now.add(card_id)


def _maybe_late(intent: Intent, timeout: float) -> str:
    """How long ago a create of this intent timed out, if so recently that Trello may still be
    making it (a write can land seconds after the client gave up); "" otherwise."""
    when = intent.result.get("timed_out_at") if isinstance(intent.result, dict) else None
    try:
        ago = now_utc() - datetime.fromisoformat(str(when))
    except ValueError:
        return ""
    if timedelta(0) <= ago < timedelta(seconds=max(LATE_WRITES, 3 * timeout)):
        return f"{int(ago.total_seconds())} s"
    return ""


def _notes(item: NewEvent) -> list[str]:
    """What the card had to make up or leave out, for the report."""
    event = item.event
    notes = list(event.notes)
    if event.description not in card_description(event):
        notes.append(
            f"its description ({len(event.description):,} characters) is cut to fit Trello's "
            f"{DESC_LIMIT:,}"
        )
    return notes

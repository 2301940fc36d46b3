"""Edits made on the calendar reach their cards: the conflict reported, the edit written to the
card (or why it waits, from ``sync/calendar/card_edits.py``), and card and calendar recorded as
agreeing afterwards."""

from __future__ import annotations

from dataclasses import replace

from jobs.events.board_writes import BoardWrites
from sync.calendar.caldav_plan import agreed
from sync.calendar.caldav_target import TARGET as CALDAV
from sync.calendar.caldav_target import TIMES
from sync.calendar.card_edits import cannot_take, card_after, time_targets, utc
from sync.calendar.event_cards import STATE_FOR_STATUS, list_for, trello_dates
from sync.calendar.inbound import Edit, calendar_wins, card_changed
from sync.calendar.plan import TARGET as EVENTS
from sync.calendar.plan import EventChange, plan_card
from sync.model import Board, Card, CustomField
from sync.report import Outcome
from sync.state.records import SyncedItem
from sync.stopping import stop_requested


def adopt_etag(
    writes: BoardWrites, item: SyncedItem, etag: str | None, seen: dict | None = None
) -> None:
    """Our event changed on the calendar only outside the fields a card shares (or by our own
    write, sent but not recorded: ``seen`` is then what it wrote): its new ETag."""
    if not writes.dry_run:
        data = {k: v for k, v in item.data.items() if k != "sending"}
        writes.state.put_item(
            replace(item, etag=etag, data={**data, **({"seen": seen} if seen else {})})
        )


def edit_card(
    writes: BoardWrites, edit: Edit, found: tuple[Board, Card] | None, change: EventChange | None
) -> bool:
    """Bring an edit made on the calendar to its card (or report why not). True: the card's
    event is left alone this run; False: the board won, so its version of ``edit.fields`` is to
    be put back on the calendar."""
    if not writes.dry_run and stop_requested():
        writes.not_made += 1  # left on the calendar for the next run to decide and apply
        return True
    title, what = edit.event.summary, ", ".join(edit.fields)
    board, card = found if found else (None, None)
    if found is None and writes.on_unread_board(edit.card_id):
        # the card is not gone: its board could not be read. Putting the board's version
        # back would lose the edit, so it waits (the next run fetches it again)
        writes.report.warnings.append(
            f'calendar: "{title}" was edited on the calendar ({what}), but its board could '
            "not be read this run: left for the next sync"
        )
        return True
    if board is None or card is None or board.read_only:
        where = f'board "{board.name}" is an export file' if board else "its card is gone"
        writes.report.warnings.append(
            f'calendar: "{title}" was edited on the calendar ({what}),'
            f" but {where}: the board's version is put back"
        )
        return False
    # the card's event now: planned this run, or recorded by a run that could not write
    # the calendar (a stop, the server down), so a change not yet written still counts
    record = change.record if change and change.record else writes.state.item(EVENTS, card.id)
    both = card_changed(edit, record, writes.state.item(CALDAV, card.id))
    wins = calendar_wins(edit, both, card, writes.cfg.calendar.conflict)
    if both:
        winner = "the calendar" if wins else "the board"
        writes.report.outcomes.append(
            Outcome(
                "conflict",
                "calendar",
                card.id,
                title,
                f"changed on both sides ({what} on the calendar); {winner} wins "
                + (
                    "(a repeating series is the calendar's)"
                    if edit.event.rrule
                    else f"(calendar.conflict = {writes.cfg.calendar.conflict})"
                ),
                status="planned" if writes.dry_run else "done",
            )
        )
    if not wins:
        return False
    targets = time_targets(writes.cfg.calendar, edit, board, card)
    if isinstance(targets, str):
        # the card cannot take the new times where its event reads them: recording
        # agreement would lose the edit, and putting the board's version back would too
        writes.report.warnings.append(
            f'calendar: the event of card "{card.name}" was edited on the calendar ({what}), '
            f"but {targets}; the edit waits for the next sync"
        )
        return True
    shape = cannot_take(writes.cfg.calendar, edit, card)
    if shape:
        # applying it would record agreement with an event the card does not make: the
        # feed would keep the card's shape and the calendar the edit, each sure of its own
        writes.report.warnings.append(
            f'calendar: the event of card "{card.name}" was edited on the calendar ({what}), '
            f"but {shape}; the edit waits for the next sync"
        )
        return True
    names = [f'"{field.name}"' for field in targets.values()]
    into = f" (times into custom field{'s' if len(names) > 1 else ''} {', '.join(names)})"
    writes.write(
        Outcome(
            "update",
            "trello",
            card.id,
            card.name,
            f"edited on the calendar: {what}{into if names else ''}",
            fields=list(edit.fields),
        ),
        lambda: _apply_edit(writes, edit, board, card, targets),
    )
    return True


def _apply_edit(
    writes: BoardWrites, edit: Edit, board: Board, card: Card, targets: dict[str, CustomField]
) -> None:
    """Write the edit to the card: each time where the event reads it (the card's start
    or due, or a date custom field), the rest to the card. Every write is a PUT, so a rerun
    after a failure halfway writes the same values again."""
    event = edit.event
    fields: dict[str, object] = {}
    custom: dict[CustomField, str] = {}
    if "summary" in edit.fields:
        fields["name"] = event.summary
    if set(TIMES) & set(edit.fields):
        start, due = trello_dates(event, writes.cfg)
        for key, value in (("start", start), ("due", due)):
            if key in targets:
                custom[targets[key]] = value
            else:
                fields[key] = value
    if "location" in edit.fields:
        fields["locationName"] = event.location
    if "status" in edit.fields:
        list_id = list_for(board, STATE_FOR_STATUS.get(event.status, ""))
        if list_id:
            fields["idList"] = list_id
    api = writes.trello()
    for custom_field, value in custom.items():
        api.set_custom_field(card.id, custom_field.id, {"date": value})
    if fields or not custom:
        api.update_card(card.id, **fields)
    dates = {f.name: utc(value) for f, value in custom.items()}
    _agree(writes, edit, card_after(card, board, fields, dates))


def _agree(writes: BoardWrites, edit: Edit, card: Card) -> None:
    """Record that card and calendar now agree: the card's event record as the planner
    makes it of the card as it now is, and the calendar's copy as agreeing with it in the
    fields edited there (a field the card changed meanwhile is still to be written). The
    next run then plans no change and writes nothing back."""
    state = writes.state
    before = state.item(EVENTS, card.id)
    change = plan_card(
        card,
        before,
        cfg=writes.cfg.calendar,
        tz=writes.cfg.tz,
        now=writes.now,
        imported=writes.imported,
    )
    record = change.record if change and change.record else before
    if record is not None and record.sequence < edit.event.sequence:
        # the calendar's revision counts: the next one we write must be newer still
        record = replace(record, sequence=edit.event.sequence)
    if record is not None and record is not before:
        state.put_item(record)
    item = state.item(CALDAV, card.id)
    if item is None:
        return
    data = {**{k: v for k, v in item.data.items() if k != "sending"}, "seen": edit.event.fields()}
    if record is not None and before is not None:
        edited = set(edit.fields) | (set(TIMES) if set(TIMES) & set(edit.fields) else set())
        now = record.data["event"]
        data["event"] = {
            **agreed(item, before),
            **{name: now[name] for name in edited if name in now},
        }
    state.put_item(
        replace(item, etag=edit.etag, data=data)  # item is the CALDAV record of card.id
    )

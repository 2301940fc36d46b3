"""Edits made on the calendar reach their cards: who wins a conflict, where edited times go (the
card's start and due, or the date custom fields the event reads them from), edits an all-day card
cannot take, and recording that card and calendar agree afterwards."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from jobs.events.board_writes import BoardWrites
from sync.calendar.caldav_target import TARGET as CALDAV
from sync.calendar.caldav_target import TIMES, agreed
from sync.calendar.event_cards import STATE_FOR_STATUS, list_for, trello_dates
from sync.calendar.inbound import Edit, calendar_wins, card_changed
from sync.calendar.mapping import all_day_by, time_fields
from sync.calendar.plan import TARGET as EVENTS
from sync.calendar.plan import EventChange, plan_card
from sync.model import Board, Card, CustomField
from sync.report import Outcome
from sync.state.records import SyncedItem
from sync.stopping import stop_requested


def adopt_etag(writes: BoardWrites, item: SyncedItem, etag: str | None) -> None:
    """Our event changed on the calendar only outside the fields a card shares: its new ETag."""
    if not writes.dry_run:
        writes.state.put_item(replace(item, etag=etag))


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
                f"(calendar.conflict = {writes.cfg.calendar.conflict})",
                status="planned" if writes.dry_run else "done",
            )
        )
    if not wins:
        return False
    targets = _time_targets(writes, edit, board, card)
    if isinstance(targets, str):
        # the card cannot take the new times where its event reads them: recording
        # agreement would lose the edit, and putting the board's version back would too
        writes.report.warnings.append(
            f'calendar: the event of card "{card.name}" was edited on the calendar ({what}), '
            f"but {targets}; the edit waits for the next sync"
        )
        return True
    shape = _cannot_take(writes, edit, card)
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


def _time_targets(
    writes: BoardWrites, edit: Edit, board: Board, card: Card
) -> dict[str, CustomField] | str:
    """Where edited times go on the card: ``start``/``due`` → the date custom field the
    event reads that time from (``calendar.start_field``/``end_field``); a time not named
    here goes to the card's own start or due. A reason instead when a field cannot be
    written, so the edit is neither applied halfway nor recorded as agreed."""
    if not set(TIMES) & set(edit.fields):
        return {}
    start_field, end_field = time_fields(card, writes.cfg.calendar)
    if start_field and start_field == end_field:
        return (
            f'calendar.start_field and calendar.end_field are both "{start_field}", which '
            "holds one time, not a start and an end: set calendar.end_field to another date "
            'field (or "" for the card\'s due)'
        )
    targets: dict[str, CustomField] = {}
    for key, name, setting in (
        ("start", start_field, "calendar.start_field"),
        ("due", end_field, "calendar.end_field"),
    ):
        if not name:
            continue
        found = [f for f in board.custom_fields if f.name == name and f.type == "date"]
        if len(found) != 1:
            has = f"{len(found)} date fields" if found else "no date field"
            return (
                f"its {'start' if key == 'start' else 'end'} comes from the custom field "
                f'"{name}" ({setting}) and board "{board.name}" has {has} of that name: '
                f"keep one date field of that name on the board, or change {setting}"
            )
        targets[key] = found[0]
    return targets


def _cannot_take(writes: BoardWrites, edit: Edit, card: Card) -> str | None:
    """Why the card cannot take the edit's times, if so: its all-day label or checkbox
    makes its event all-day whatever its times, and the calendar made the event timed."""
    if edit.event.all_day or not set(TIMES) & set(edit.fields):
        return None
    cal = writes.cfg.calendar
    forced = all_day_by(card, cal)
    if forced == "checkbox":
        by = f'checkbox "{cal.all_day_field}" (calendar.all_day_field)'
        fix = "untick the checkbox on"
    elif forced == "label":
        by = f'label "{cal.all_day_label}" (calendar.all_day_label)'
        fix = "remove the label from"
    else:
        return None
    return (
        f"the card is all-day by its {by} and cannot take the calendar's times: {fix} the "
        "card and set the same times on it, or make the event all-day again on the calendar"
    )


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
    dates = {f.name: _utc(value) for f, value in custom.items()}
    _agree(writes, edit, _card_after(card, board, fields, dates))


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
    data = {**item.data, "seen": edit.event.fields()}
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


def _card_after(
    card: Card, board: Board, fields: dict[str, object], dates: dict[str, datetime]
) -> Card:
    """The card as Trello has it after ``update_card(**fields)`` and setting the date custom
    fields ``dates`` (by name)."""
    changes: dict[str, object] = {}
    if "name" in fields:
        changes["name"] = fields["name"]
    for name in ("start", "due"):
        if name in fields:
            changes[name] = _utc(str(fields[name]))
    if dates:
        changes["custom_fields"] = {**card.custom_fields, **dates}
    if "locationName" in fields:
        changes["location_name"] = fields["locationName"]
    moved = next((lst for lst in board.lists if lst.id == fields.get("idList")), None)
    if moved is not None:
        changes.update(list_id=moved.id, list_name=moved.name, state=moved.state)
    return replace(card, **changes)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))

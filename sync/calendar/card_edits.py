"""What an edit made on the calendar means for its card: where edited times go (the card's start
and due, or the date custom fields the event reads them from), edits an all-day card cannot take,
and the card as Trello has it after the edit is written. Pure: no I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from config.calendar import CalendarConfig
from sync.calendar.caldav_target import TIMES
from sync.calendar.inbound import Edit
from sync.calendar.mapping import all_day_by, time_fields
from sync.model import Board, Card, CustomField


def time_targets(
    cal: CalendarConfig, edit: Edit, board: Board, card: Card
) -> dict[str, CustomField] | str:
    """Where edited times go on the card: ``start``/``due`` → the date custom field the
    event reads that time from (``calendar.start_field``/``end_field``); a time not named
    here goes to the card's own start or due. A reason instead when a field cannot be
    written, so the edit is neither applied halfway nor recorded as agreed."""
    if not set(TIMES) & set(edit.fields):
        return {}
    start_field, end_field = time_fields(card, cal)
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


def cannot_take(cal: CalendarConfig, edit: Edit, card: Card) -> str | None:
    """Why the card cannot take the edit's times, if so: its all-day label or checkbox
    makes its event all-day whatever its times, and the calendar made the event timed."""
    if edit.event.all_day or not set(TIMES) & set(edit.fields):
        return None
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


def card_after(
    card: Card, board: Board, fields: dict[str, object], dates: dict[str, datetime]
) -> Card:
    """The card as Trello has it after ``update_card(**fields)`` and setting the date custom
    fields ``dates`` (by name)."""
    changes: dict[str, object] = {}
    if "name" in fields:
        changes["name"] = fields["name"]
    for name in ("start", "due"):
        if name in fields:
            changes[name] = utc(str(fields[name]))
    if dates:
        changes["custom_fields"] = {**card.custom_fields, **dates}
    if "locationName" in fields:
        changes["location_name"] = fields["locationName"]
    moved = next((lst for lst in board.lists if lst.id == fields.get("idList")), None)
    if moved is not None:
        changes.update(list_id=moved.id, list_name=moved.name, state=moved.state)
    return replace(card, **changes)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))

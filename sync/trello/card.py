"""One Trello card's JSON → a ``Card``, with what it needs from the rest of its board (lists,
labels, members, checklists, custom field definitions, history). A value that cannot be read
becomes a problem on the card, never an exception.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sync.dates import BadDate, id_timestamp, parse_utc
from sync.model import Attachment, Card, Checklist, FieldValue, Label, Member, TrelloList
from sync.text import quoted
from sync.trello.board_history import History
from sync.trello.done import COMPLETED_STATES
from sync.trello.values import coordinates, date, dicts, ids, label, number, text, usable_id

#: The custom fields of a card with none, shared (never changed): most cards of most boards.
_NO_FIELDS: dict[str, FieldValue] = {}


class CardContext:
    """What a card needs from the rest of the board to be read."""

    def __init__(
        self,
        *,
        board_id: str,
        lists: dict[str, TrelloList],
        labels: dict[str, Label],
        members: dict[str, Member],
        checklists: dict[str, list[Checklist]],
        fields: dict[str, dict[str, Any]],
        history: History,
    ) -> None:
        self.board_id = board_id
        self.lists = lists
        self.labels = labels
        self.members = members
        self.checklists = checklists
        self.fields = fields
        self.history = history

    def card(self, raw: dict[str, Any]) -> Card | None:
        if not usable_id(raw.get("id")):
            return None
        card_id = text(raw["id"])
        problems: list[str] = []
        trello_list = self.lists.get(text(raw.get("idList")))
        labels = [self.labels[i] for i in ids(raw.get("idLabels")) if i in self.labels]
        if not labels:  # old exports carry only the embedded label objects (2013–2014: no ids)
            made = (label(lbl) for lbl in dicts(raw.get("labels")))
            labels = [self.labels.get(lbl.id, lbl) for lbl in made if lbl is not None]
        state = trello_list.state if trello_list else None
        # each value read once, in the order its problems are noted; the card is built once
        due, start = date(raw, "due", problems), date(raw, "start", problems)
        due_complete = bool(raw.get("dueComplete"))
        last_activity = date(raw, "dateLastActivity", problems)
        custom_fields = self._custom_fields(raw, problems)
        due_ticked_at = self._ticked(card_id, due_complete, raw, problems)
        name = raw.get("name")
        if name is not None and name.__class__ is not str:
            problems.append(f"name: {quoted(name)} is not text; read as untitled")
        return Card(
            id=card_id,
            name=text(name),
            board_id=self.board_id,
            list_id=trello_list.id if trello_list else text(raw.get("idList")),  # one string a list
            list_name=trello_list.name if trello_list else "",
            state=state,
            desc=text(raw.get("desc")),
            closed=bool(raw.get("closed")),
            list_closed=trello_list.closed if trello_list else False,
            short_link=text(raw.get("shortLink")),
            url=text(raw.get("url")) or text(raw.get("shortUrl")),
            pos=number(raw.get("pos")),
            labels=tuple(labels),
            members=tuple(self.members[m] for m in ids(raw.get("idMembers")) if m in self.members),
            due=due,
            start=start,
            due_complete=due_complete,
            last_activity=last_activity,
            created=id_timestamp(card_id),
            location_name=text(raw.get("locationName")),
            address=text(raw.get("address")),
            coordinates=coordinates(raw.get("coordinates")),
            attachments=tuple(
                Attachment(text(a.get("id")), text(a.get("name")), text(a.get("url")))
                for a in dicts(raw.get("attachments"))
                if text(a.get("url"))
            ),
            checklists=tuple(self.checklists.get(card_id, ())),
            custom_fields=custom_fields,
            completed_at=self._completion(card_id, state),
            due_ticked_at=due_ticked_at,
            problems=tuple(problems),
        )

    def _custom_fields(self, raw: dict[str, Any], problems: list[str]) -> dict[str, FieldValue]:
        values: dict[str, FieldValue] = {}
        for item in dicts(raw.get("customFieldItems")):
            definition = self.fields.get(text(item.get("idCustomField")))
            if definition is None:
                continue
            name = definition["name"]
            try:
                value = _field_value(definition, item)
            except (BadDate, ValueError) as exc:
                problems.append(f"custom field {quoted(name)}: {exc}")
                continue
            if value is not None:
                values[name] = value
        return values or _NO_FIELDS

    def _completion(self, card_id: str, state: str | None) -> datetime | None:
        """When the history shows the card came into its completed state: the newest move (or
        creation) into a completed list from a list that is not one. None when the history does
        not reach back that far (a move out of completed lists, or nothing, comes first): the
        time is then not known, and ``sync.trello.done`` says so rather than guess."""
        if state not in COMPLETED_STATES:
            return None
        for action in self.history.get(card_id, ()):  # newest first
            if action.list_after is None:
                continue
            if self._state(action.list_after) not in COMPLETED_STATES:
                return None  # the move back into a completed list is older than the history
            if (
                action.list_before is None
                or self._state(action.list_before) not in COMPLETED_STATES
            ):
                return action.date
        return None

    def _state(self, list_id: str) -> str | None:
        found = self.lists.get(list_id)
        return found.state if found else None

    def _ticked(
        self, card_id: str, due_complete: bool, raw: dict[str, Any], problems: list[str]
    ) -> datetime | None:
        """When the due date was ticked complete: the history, else Trello's ``dateCompleted``."""
        if not due_complete:
            return None
        for action in self.history.get(card_id, ()):  # newest first
            if action.due_complete is not None:
                return action.date if action.due_complete else None
        return date(raw, "dateCompleted", problems)


def _field_value(definition: dict[str, Any], item: dict[str, Any]) -> FieldValue | None:
    """A custom field's value; raises ValueError (or BadDate) naming a value it cannot read."""
    if "idValue" in item:
        return definition["options"].get(text(item["idValue"]))
    value = item.get("value")
    if not isinstance(value, dict):
        return None
    kind = definition["type"]
    if kind == "number" and "number" in value:
        given = value["number"]
        try:
            parsed = float(given) if isinstance(given, str | int | float) else math.nan
        except (ValueError, OverflowError):
            parsed = math.nan
        if not math.isfinite(parsed) or isinstance(given, bool):
            raise ValueError(f"{quoted(given)} is not a number")
        return parsed
    if kind == "date" and "date" in value:
        return parse_utc(value["date"])
    if kind == "checkbox" and "checked" in value:
        return str(value["checked"]).lower() == "true"
    if "text" in value:
        return text(value["text"])
    return None

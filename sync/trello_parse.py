"""Trello board JSON → the model. Pure: no I/O.

The same JSON shape arrives from the API's nested board load and from an export file, in every
format from 2014 to today. Unknown keys are ignored and missing optional keys tolerated. A value
that cannot be read (a nonsense date, a custom field that is not a number) becomes a problem on
that card, never an exception that stops the board.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from typing import Any

from sync.dates import BadDate, id_timestamp, parse_utc
from sync.errors import SourceError, UnknownList
from sync.lists import fold, state_for
from sync.model import (
    Action,
    Attachment,
    Board,
    Card,
    CheckItem,
    Checklist,
    CustomField,
    DeletedCard,
    FieldValue,
    Label,
    Member,
    Role,
    TrelloList,
)
from sync.text import quoted, valid

#: States whose entry marks a card as completed (its ``completed_at``).
COMPLETED_STATES = frozenset({"done", "published"})
#: Actions after which a card is in ``data.list``.
ARRIVALS = frozenset(
    {"createCard", "copyCard", "moveCardToBoard", "convertToCardFromCheckItem", "emailCard"}
)


def _text(value: Any) -> str:
    """A string from the JSON (lone surrogates made encodable), or "" for anything else."""
    return valid(value) if isinstance(value, str) else ""


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _usable_id(value: Any) -> bool:
    """An id that can name a card everywhere it goes (an event UID, a file name, a URL): a
    string with no space or control character in it."""
    return isinstance(value, str) and bool(re.fullmatch(r"[^\s\x00-\x1f\x7f-\x9f]+", value))


def _ids(value: Any) -> list[str]:
    """The strings of a list of ids (``idLabels``, ``idMembers``); junk is left out."""
    if not isinstance(value, list):
        return []
    return [valid(item) for item in value if isinstance(item, str)]


def parse_board(
    data: Any,
    *,
    role: Role,
    source: str,
    list_overrides: dict[str, str] | None = None,
    actions: list[dict[str, Any]] | None = None,
    read_only: bool = False,
) -> Board:
    """Build a ``Board``. ``actions`` (newest first) replaces the JSON's own ``actions``."""
    fix = "export the board again from Trello: Menu › Print, export and share"
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise SourceError(f"{source}: not a Trello board (no board id at the top level)", fix)
    # Every board Trello gives has a cards list and a lists list (an empty board empty ones).
    # Without them the board cannot be read: reading it as empty would cancel or drop every
    # card it had, and reading its cards in no list would cancel every event.
    for part in ("cards", "lists"):
        raw = data.get(part)
        if not isinstance(raw, list):
            found = f'no "{part}" list' if raw is None else f'"{part}" is {quoted(raw)}, not a list'
            raise SourceError(
                f"{source}: not a readable Trello board ({found}); its cards are left as they were",
                fix,
            )
    if data["cards"] and not data["lists"]:
        raise SourceError(
            f"{source}: not a readable Trello board ({len(data['cards'])} cards but no lists); "
            "its cards are left as they were",
            fix,
        )
    board_id = _text(data["id"])
    name = _text(data.get("name")) or board_id
    overrides = list_overrides or {}
    lists = tuple(
        TrelloList(
            id=_text(item["id"]),
            name=_text(item.get("name")),
            closed=bool(item.get("closed")),
            pos=_number(item.get("pos")),
            state=state_for(role, _text(item.get("name")), overrides),
        )
        for item in _dicts(data.get("lists"))
        if isinstance(item.get("id"), str)
    )
    folded_names = {fold(lst.name) for lst in lists}
    for mapped in overrides:
        if fold(mapped) not in folded_names:
            raise UnknownList(mapped, name, sorted({lst.name for lst in lists}))

    labels = _labels(data)
    members = {
        _text(m["id"]): Member(_text(m["id"]), _text(m.get("fullName")), _text(m.get("username")))
        for m in _dicts(data.get("members"))
        if isinstance(m.get("id"), str)
    }
    history = [
        a
        for a in (
            parse_action(raw)
            for raw in _dicts(actions if actions is not None else data.get("actions"))
        )
        if a is not None
    ]
    fields = _field_definitions(data)
    context = _CardContext(
        board_id=board_id,
        lists={lst.id: lst for lst in lists},
        labels={label.id: label for label in labels},
        members=members,
        checklists=_checklists(data),
        fields=fields,
        history=_history_by_card(history),
    )
    cards, problems = _cards(context, data.get("cards"))
    return Board(
        id=board_id,
        name=name,
        role=role,
        source=source,
        url=_text(data.get("url")),
        lists=lists,
        labels=labels,
        members=tuple(members.values()),
        cards=cards,
        deleted=_deleted(history, {card.id for card in cards}),
        custom_fields=tuple(
            CustomField(key, field["name"], field["type"]) for key, field in fields.items() if key
        ),
        actions_read=len(history),
        read_only=read_only,
        problems=problems,
    )


def _cards(context: _CardContext, raw: Any) -> tuple[tuple[Card, ...], tuple[str, ...]]:
    """The cards, and a problem for each entry that is not a card with an id (left out).
    ``raw`` is a list: ``parse_board`` refuses a board without one."""
    cards: list[Card] = []
    problems: list[str] = []
    for index, item in enumerate(raw):
        card = context.card(item) if isinstance(item, dict) else None
        if card is not None:
            cards.append(card)
            continue
        name = _text(item.get("name")) if isinstance(item, dict) else ""
        what = f"card {quoted(name)}" if name else f"cards[{index}]"
        problems.append(f"{what} has no usable id, so it cannot be synced; left out")
    return tuple(cards), tuple(problems)


def parse_action(raw: dict[str, Any]) -> Action | None:
    """One history entry; ``None`` when it is unreadable (history is a help, never a must)."""
    try:
        date = parse_utc(raw.get("date"))
    except BadDate:
        return None
    if not isinstance(raw.get("id"), str) or date is None:
        return None
    action_id = _text(raw["id"])
    data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    card = data.get("card") if isinstance(data.get("card"), dict) else {}
    old = data.get("old") if isinstance(data.get("old"), dict) else {}
    kind = _text(raw.get("type"))
    list_before = _ref(data.get("listBefore"))
    list_after = _ref(data.get("listAfter"))
    if list_after is None and "idList" in old:
        list_after = _text(card.get("idList")) or None
        list_before = _text(old.get("idList")) or None
    if list_after is None and kind in ARRIVALS:
        list_after = _ref(data.get("list"))
    return Action(
        id=action_id,
        type=kind,
        date=date,
        card_id=_text(card.get("id")) or None,
        card_name=_text(card.get("name")),
        list_before=list_before,
        list_after=list_after,
        closed=bool(card.get("closed")) if "closed" in old else None,
        due_complete=bool(card.get("dueComplete")) if "dueComplete" in old else None,
        member_id=_text(raw.get("idMemberCreator")) or None,
    )


class _CardContext:
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
        history: dict[str, list[Action]],
    ) -> None:
        self.board_id = board_id
        self.lists = lists
        self.labels = labels
        self.members = members
        self.checklists = checklists
        self.fields = fields
        self.history = history

    def card(self, raw: dict[str, Any]) -> Card | None:
        if not _usable_id(raw.get("id")):
            return None
        card_id = _text(raw["id"])
        problems: list[str] = []
        trello_list = self.lists.get(_text(raw.get("idList")))
        labels = [self.labels[i] for i in _ids(raw.get("idLabels")) if i in self.labels]
        if not labels:  # old exports carry only the embedded label objects
            labels = [_label(lbl) for lbl in _dicts(raw.get("labels")) if _text(lbl.get("id"))]
        state = trello_list.state if trello_list else None
        card = Card(
            id=card_id,
            name=_text(raw.get("name")),
            board_id=self.board_id,
            list_id=_text(raw.get("idList")),
            list_name=trello_list.name if trello_list else "",
            state=state,
            desc=_text(raw.get("desc")),
            closed=bool(raw.get("closed")),
            list_closed=trello_list.closed if trello_list else False,
            short_link=_text(raw.get("shortLink")),
            url=_text(raw.get("url")) or _text(raw.get("shortUrl")),
            pos=_number(raw.get("pos")),
            labels=tuple(labels),
            members=tuple(self.members[m] for m in _ids(raw.get("idMembers")) if m in self.members),
            due=_date(raw, "due", problems),
            start=_date(raw, "start", problems),
            due_complete=bool(raw.get("dueComplete")),
            last_activity=_date(raw, "dateLastActivity", problems),
            created=id_timestamp(card_id),
            location_name=_text(raw.get("locationName")),
            address=_text(raw.get("address")),
            coordinates=_coordinates(raw.get("coordinates")),
            attachments=tuple(
                Attachment(_text(a.get("id")), _text(a.get("name")), _text(a.get("url")))
                for a in _dicts(raw.get("attachments"))
                if _text(a.get("url"))
            ),
            checklists=tuple(self.checklists.get(card_id, ())),
            custom_fields=self._custom_fields(raw, problems),
        )
        completed_at, completed_from = self._completion(card, raw, problems)
        return replace(
            card, completed_at=completed_at, completed_from=completed_from, problems=tuple(problems)
        )

    def _custom_fields(self, raw: dict[str, Any], problems: list[str]) -> dict[str, FieldValue]:
        values: dict[str, FieldValue] = {}
        for item in _dicts(raw.get("customFieldItems")):
            definition = self.fields.get(_text(item.get("idCustomField")))
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
        return values

    def _completion(
        self, card: Card, raw: dict[str, Any], problems: list[str]
    ) -> tuple[datetime | None, str]:
        """When the card was completed, and how we know.

        From the newest action that moved it into its current done/published list (or created it
        there), or that marked it dueComplete. When the history no longer reaches back that far:
        Trello's own ``dateCompleted`` if the export has it, else ``dateLastActivity`` as an
        estimate (``completed_from = "estimate"``).
        """
        if card.state not in COMPLETED_STATES and not card.due_complete:
            return None, ""
        for action in self.history.get(card.id, ()):  # newest first
            if card.state in COMPLETED_STATES and action.list_after == card.list_id:
                return action.date, "action"
            if card.due_complete and action.due_complete is True:
                return action.date, "action"
        completed = _date(raw, "dateCompleted", problems)
        if completed is not None:
            return completed, "dateCompleted"
        return card.last_activity, "estimate"


def _ref(value: Any) -> str | None:
    return _text(value.get("id")) or None if isinstance(value, dict) else None


def _number(value: Any) -> float:
    """A finite number, or 0.0 for anything else (a position, say)."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int past 1e308
        return 0.0
    return number if math.isfinite(number) else 0.0


def _date(raw: dict[str, Any], key: str, problems: list[str]) -> datetime | None:
    try:
        return parse_utc(raw.get(key))
    except BadDate as exc:
        problems.append(f"{key}: {exc}; ignored")
        return None


def _coordinates(value: Any) -> tuple[float, float] | None:
    """Latitude and longitude, when both are there and on the globe; else None."""
    try:
        if isinstance(value, dict):
            lat, lng = float(value["latitude"]), float(value["longitude"])
        elif isinstance(value, str) and "," in value:
            lat, lng = (float(part) for part in value.split(",", 1))
        else:
            return None
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    return (lat, lng) if -90 <= lat <= 90 and -180 <= lng <= 180 else None  # NaN fails too


def _label(item: dict[str, Any]) -> Label:
    color = item.get("color")
    return Label(_text(item["id"]), _text(item.get("name")), _text(color) or None)


def _labels(data: dict[str, Any]) -> tuple[Label, ...]:
    found: dict[str, Label] = {}
    sources = _dicts(data.get("labels")) or [
        lbl for card in _dicts(data.get("cards")) for lbl in _dicts(card.get("labels"))
    ]
    for item in sources:
        if isinstance(item.get("id"), str):
            found.setdefault(_text(item["id"]), _label(item))
    return tuple(found.values())


def _checklists(data: dict[str, Any]) -> dict[str, list[Checklist]]:
    by_card: dict[str, list[Checklist]] = defaultdict(list)
    for item in sorted(_dicts(data.get("checklists")), key=lambda c: _number(c.get("pos"))):
        items = tuple(
            CheckItem(_text(ci.get("id")), _text(ci.get("name")), ci.get("state") == "complete")
            for ci in sorted(_dicts(item.get("checkItems")), key=lambda c: _number(c.get("pos")))
        )
        by_card[_text(item.get("idCard"))].append(
            Checklist(_text(item.get("id")), _text(item.get("name")), items)
        )
    return by_card


def _field_definitions(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    definitions = {}
    for item in _dicts(data.get("customFields")):
        options = {
            _text(o.get("id")): _text(o["value"].get("text") if _is_dict(o.get("value")) else "")
            for o in _dicts(item.get("options"))
        }
        definitions[_text(item.get("id"))] = {
            "name": _text(item.get("name")),
            "type": _text(item.get("type")),
            "options": options,
        }
    return definitions


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)


def _field_value(definition: dict[str, Any], item: dict[str, Any]) -> FieldValue | None:
    """A custom field's value; raises ValueError (or BadDate) naming a value it cannot read."""
    if "idValue" in item:
        return definition["options"].get(_text(item["idValue"]))
    value = item.get("value")
    if not isinstance(value, dict):
        return None
    kind = definition["type"]
    if kind == "number" and "number" in value:
        given = value["number"]
        try:
            number = float(given) if isinstance(given, str | int | float) else math.nan
        except (ValueError, OverflowError):
            number = math.nan
        if not math.isfinite(number) or isinstance(given, bool):
            raise ValueError(f"{quoted(given)} is not a number")
        return number
    if kind == "date" and "date" in value:
        return parse_utc(value["date"])
    if kind == "checkbox" and "checked" in value:
        return str(value["checked"]).lower() == "true"
    if "text" in value:
        return _text(value["text"])
    return None


def _history_by_card(history: list[Action]) -> dict[str, list[Action]]:
    by_card: dict[str, list[Action]] = defaultdict(list)
    for action in sorted(history, key=lambda a: (a.date, a.id), reverse=True):
        if action.card_id:
            by_card[action.card_id].append(action)
    return by_card


def _deleted(history: list[Action], present: set[str]) -> tuple[DeletedCard, ...]:
    names: dict[str, str] = {}
    for action in history:
        if action.card_id and action.card_name:
            names.setdefault(action.card_id, action.card_name)
    deleted: dict[str, DeletedCard] = {}
    for action in history:
        if action.type == "deleteCard" and action.card_id and action.card_id not in present:
            deleted.setdefault(
                action.card_id,
                DeletedCard(action.card_id, names.get(action.card_id, ""), action.date),
            )
    return tuple(deleted.values())

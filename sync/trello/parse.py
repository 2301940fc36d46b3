"""Trello board JSON → the model. Pure: no I/O.

The same JSON shape arrives from the API's nested board load and from an export file, in every
format from 2014 to today. Unknown keys are ignored and missing optional keys tolerated. A value
that cannot be read (a nonsense date, a custom field that is not a number) becomes a problem on
that card, never an exception that stops the board.

Here: the board as a whole (its checks, lists, labels, checklists, custom field definitions and
history); each card is read by ``sync/trello/card.py``, each value by ``sync/trello/values.py``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sync.dates import BadDate, parse_utc
from sync.errors import SourceError, UnknownList
from sync.model import (
    Board,
    Card,
    CheckItem,
    Checklist,
    CustomField,
    Label,
    Member,
    Role,
    TrelloList,
)
from sync.text import quoted
from sync.trello.board_history import History
from sync.trello.card import CardContext
from sync.trello.lists import fold, state_for
from sync.trello.schema import card_of
from sync.trello.values import dicts, label, label_names, number, text


def parse_board(
    data: Any,
    *,
    role: Role,
    source: str,
    list_overrides: dict[str, str] | None = None,
    history: History | None = None,
    read_only: bool = False,
) -> Board:
    """Build a ``Board``. ``history`` (newest first: ``history_merge.merged_history``) replaces the
    JSON's own ``actions``. Cards and actions may be dicts or ``schema.read_board``'s undecoded
    items, each decoded as it is read."""
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
    board_id = text(data["id"])
    name = text(data.get("name")) or board_id
    overrides = list_overrides or {}
    lists = tuple(
        TrelloList(
            id=text(item["id"]),
            name=text(item.get("name")),
            closed=bool(item.get("closed")),
            pos=number(item.get("pos")),
            state=state_for(role, text(item.get("name")), overrides),
        )
        for item in dicts(data.get("lists"))
        if isinstance(item.get("id"), str)
    )
    folded_names = {fold(lst.name) for lst in lists}
    for mapped in overrides:
        if fold(mapped) not in folded_names:
            raise UnknownList(mapped, name, sorted({lst.name for lst in lists}))

    labels = _labels(data)
    members = {
        text(m["id"]): Member(text(m["id"]), text(m.get("fullName")), text(m.get("username")))
        for m in dicts(data.get("members"))
        if isinstance(m.get("id"), str)
    }
    if history is None:
        given = data.get("actions")
        history = History.of(given if isinstance(given, list) else ())
    fields = _field_definitions(data)
    context = CardContext(
        board_id=board_id,
        lists={lst.id: lst for lst in lists},
        labels={label.id: label for label in labels},
        members=members,
        checklists=_checklists(data),
        fields=fields,
        history=history,
    )
    cards, problems = _cards(context, data.get("cards"))
    return Board(
        id=board_id,
        name=name,
        role=role,
        source=source,
        url=text(data.get("url")),
        lists=lists,
        labels=labels,
        members=tuple(members.values()),
        cards=cards,
        deleted=history.deleted({card.id for card in cards}),
        custom_fields=tuple(
            CustomField(key, field["name"], field["type"]) for key, field in fields.items() if key
        ),
        actions_read=history.count,
        read_only=read_only,
        problems=problems,
        cards_left_out=len(problems),  # each of _cards' problems is a card entry left out
    )


def _cards(context: CardContext, raw: Any) -> tuple[tuple[Card, ...], tuple[str, ...]]:
    """The cards, and a problem for each entry that is not a card with an id (left out).
    ``raw`` is a list: ``parse_board`` refuses a board without one."""
    cards: list[Card] = []
    problems: list[str] = []
    for index, item in enumerate(raw):
        item = card_of(item)  # one card's dict at a time (schema.py)
        card = context.card(item) if isinstance(item, dict) else None
        if card is not None:
            cards.append(card)
            continue
        name = text(item.get("name")) if isinstance(item, dict) else ""
        what = f"card {quoted(name)}" if name else f"cards[{index}]"
        problems.append(
            f"{what} has no usable id, so it cannot be synced; left out (until every card "
            "of the board reads, no event is cancelled for a card not found on it)"
        )
    return tuple(cards), tuple(problems)


def _labels(data: dict[str, Any]) -> tuple[Label, ...]:
    """The board's labels: its ``labels`` list, or the ones its cards carry (some 2015 exports
    have no list). 2013–2014 labels have no id: they are known by colour, named by the board's
    ``labelNames`` (see ``values.label``)."""
    found: dict[str, Label] = {}
    names = label_names(data.get("labelNames"))
    sources = list(dicts(data.get("labels"))) or [
        lbl for card in dicts(data.get("cards"), card_of) for lbl in dicts(card.get("labels"))
    ]
    for item in sources:
        made = label(item, names)
        if made is not None:
            found.setdefault(made.id, made)
    if found and all(lbl.id.startswith("color:") for lbl in found.values()):
        # a board of that era: its other named colours are labels too, worn by no card yet
        for color, name in names.items():
            found.setdefault(f"color:{color}", Label(f"color:{color}", name, color))
    return tuple(found.values())


def _checklists(data: dict[str, Any]) -> dict[str, list[Checklist]]:
    by_card: dict[str, list[Checklist]] = defaultdict(list)
    for item in sorted(dicts(data.get("checklists")), key=lambda c: number(c.get("pos"))):
        items = tuple(
            CheckItem(
                text(ci.get("id")),
                text(ci.get("name")),
                ci.get("state") == "complete",
                _item_due(ci.get("due")),
            )
            for ci in sorted(dicts(item.get("checkItems")), key=lambda c: number(c.get("pos")))
        )
        by_card[text(item.get("idCard"))].append(
            Checklist(text(item.get("id")), text(item.get("name")), items)
        )
    return by_card


def _item_due(value: Any) -> datetime | None:
    """A checklist item's due date; one that cannot be read is none (it only adds advice)."""
    try:
        return parse_utc(value)
    except BadDate:
        return None


def _field_definitions(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    definitions = {}
    for item in dicts(data.get("customFields")):
        options = {
            text(o.get("id")): text(o["value"].get("text") if _is_dict(o.get("value")) else "")
            for o in dicts(item.get("options"))
        }
        definitions[text(item.get("id"))] = {
            "name": text(item.get("name")),
            "type": text(item.get("type")),
            "options": options,
        }
    return definitions


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)

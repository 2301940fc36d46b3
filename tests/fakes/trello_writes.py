"""Write routes of the fake Trello API (``POST``/``PUT``/``DELETE``).

Every write validates all its parameters first (so a 400 changes nothing), then changes the board
state and logs the action the real Trello would log (``createCard``, one ``updateCard`` per
changed field with ``data.old``, ``deleteCard``, ``commentCard``, ...), newest first.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.trello_state import BoardState, TrelloState, card_ref
from tests.fakes.trello_wire import (
    CARD_EXTRA_KEYS,
    HEX_ID,
    LABEL_COLORS,
    ApiError,
    Call,
    check_id,
    format_date,
    invalid_value,
    not_found,
    parse_bool,
    parse_date,
    project,
)

MAX_TEXT = 16384
POS_STEP = 16384.0
BAD_CUSTOM_VALUE = "Invalid custom field item value."


# --------------------------------------------------------------------------- parsing
def text_param(params: dict[str, Any], name: str, default: str | None = None) -> str | None:
    """A string parameter of at most 16384 characters (``invalid value for <name>`` else)."""
    value = params.get(name, default)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise invalid_value(name)
    return value


def date_param(value: Any, name: str) -> str | None:
    """A date parameter: ISO 8601 (normalised to ``...T..:..:...000Z``) or null/empty."""
    if value in (None, "", "null"):
        return None
    moment = parse_date(value) if isinstance(value, str) else None
    if moment is None:
        raise invalid_value(name)
    return format_date(moment)


def id_list_param(value: Any, valid: dict[str, Any], name: str) -> list[str]:
    """A list of ids (JSON array or comma-separated string), each known on the board."""
    if value in (None, ""):
        return []
    ids = value if isinstance(value, list) else str(value).split(",")
    ids = [i.strip() for i in ids if i.strip()]
    if any(i not in valid for i in ids):
        raise invalid_value(name)
    return ids


def list_param(state: TrelloState, value: Any, board: BoardState | None = None) -> str:
    """An ``idList`` naming an existing list (of ``board`` when given)."""
    if not isinstance(value, str) or not HEX_ID.fullmatch(value):
        raise invalid_value("idList")
    owner = state.list_index.get(value)
    if owner is None or (board is not None and owner is not board):
        raise invalid_value("idList")
    return value


def pos_param(board: BoardState, list_id: str, value: Any, exclude: str | None = None) -> float:
    """``pos``: ``top``, ``bottom`` or a positive number, as Trello places cards."""
    taken = [
        c.get("pos") or 0
        for c in board.board["cards"]
        if c.get("idList") == list_id and c["id"] != exclude
    ]
    if value in (None, "bottom"):
        return (max(taken) if taken else 0) + POS_STEP
    if value == "top":
        return (min(taken) / 2) if taken else POS_STEP
    try:
        pos = float(value)
    except (TypeError, ValueError):
        raise invalid_value("pos") from None
    if pos <= 0:
        raise invalid_value("pos")
    return pos


def label_refs(board: BoardState, ids: list[str]) -> list[dict[str, Any]]:
    """The ``labels`` array Trello keeps on a card next to ``idLabels``."""
    return [dict(board.labels[i]) for i in ids]


def refresh_badges(card: dict[str, Any]) -> None:
    """Keep the card's ``badges`` in step with its fields."""
    badges = card.setdefault("badges", {})
    badges.update(
        attachments=len(card.get("attachments") or []),
        description=bool(card.get("desc")),
        due=card.get("due"),
        dueComplete=card.get("dueComplete", False),
        start=card.get("start"),
        location=bool(card.get("locationName")),
    )


# --------------------------------------------------------------------------- cards
def create_card(state: TrelloState, call: Call) -> dict[str, Any]:
    """``POST /1/cards``: needs ``idList``; logs ``createCard``."""
    params = call.params
    list_id = list_param(state, params.get("idList"))
    board = state.list_index[list_id]
    name = text_param(params, "name", "") or ""
    desc = text_param(params, "desc", "") or ""
    due = date_param(params.get("due"), "due")
    start = date_param(params.get("start"), "start")
    labels = id_list_param(params.get("idLabels"), board.labels, "idLabels")
    pos = pos_param(board, list_id, params.get("pos"))
    closed = parse_bool(params.get("closed", False), "closed")
    card_id, short_link = state.mint_id(), state.mint_short_link()
    id_short = 1 + max((c.get("idShort") or 0 for c in board.board["cards"]), default=0)
    card: dict[str, Any] = {
        "id": card_id,
        "address": params.get("address"),
        "badges": {},
        "checkItemStates": [],
        "closed": closed,
        "coordinates": params.get("coordinates"),
        "dateLastActivity": state.now_iso(),
        "dateClosed": None,
        "dateCompleted": None,
        "desc": desc,
        "descData": {"emoji": {}},
        "due": due,
        "dueComplete": False,
        "dueReminder": None,
        "email": None,
        "idBoard": board.board["id"],
        "idChecklists": [],
        "idLabels": labels,
        "idList": list_id,
        "idMembers": [],
        "idMembersVoted": [],
        "idShort": id_short,
        "idAttachmentCover": None,
        "labels": label_refs(board, labels),
        "locationName": params.get("locationName"),
        "manualCoverAttachment": False,
        "name": name,
        "pos": pos,
        "shortLink": short_link,
        "shortUrl": f"https://trello.com/c/{short_link}",
        "start": start,
        "subscribed": False,
        "url": f"https://trello.com/c/{short_link}/{id_short}",
        "attachments": [],
        "customFieldItems": [],
    }
    refresh_badges(card)
    state.insert_card(board, card)
    state.log_action(
        board, "createCard", {"card": card_ref(card), "list": board.list_ref(list_id)}, card
    )
    return project(card, None, CARD_EXTRA_KEYS - {"attachments"})


UPDATABLE = (
    "name",
    "desc",
    "closed",
    "idList",
    "pos",
    "due",
    "start",
    "dueComplete",
    "idLabels",
    "locationName",
    "address",
    "coordinates",
)


def update_card(state: TrelloState, call: Call) -> dict[str, Any]:
    """``PUT /1/cards/{id}``: logs one ``updateCard`` per changed field, with ``data.old``
    (and ``listBefore``/``listAfter`` for a move between lists)."""
    board, card = state.card(call.args[0])
    params = call.params
    new: dict[str, Any] = {}
    for key in UPDATABLE:
        if key not in params:
            continue
        value = params[key]
        if key in ("name", "desc"):
            text = text_param(params, key)
            if text is None and key == "name":
                raise invalid_value("name")
            new[key] = text or ""
        elif key in ("closed", "dueComplete"):
            new[key] = parse_bool(value, key)
        elif key == "idList":
            new[key] = list_param(state, value, board)
        elif key in ("due", "start"):
            new[key] = date_param(value, key)
        elif key == "idLabels":
            new[key] = id_list_param(value, board.labels, key)
        elif key != "pos":
            new[key] = value
    if "pos" in params:
        new["pos"] = pos_param(
            board, new.get("idList", card.get("idList")), params["pos"], exclude=card["id"]
        )
    for key, value in new.items():
        old = card.get(key)
        if old == value:
            continue
        card[key] = value
        data: dict[str, Any] = {"card": card_ref(card, key), "old": {key: old}}
        if key == "idList":
            data.update(listBefore=board.list_ref(old), listAfter=board.list_ref(value))
        else:
            data["list"] = board.list_ref(card.get("idList"))
        if key == "idLabels":
            card["labels"] = label_refs(board, value)
        elif key == "closed":
            card["dateClosed"] = state.now_iso() if value else None
        elif key == "dueComplete":
            card["dateCompleted"] = state.now_iso() if value else None
        state.log_action(board, "updateCard", data, card)
    refresh_badges(card)
    return project(card, None, CARD_EXTRA_KEYS)


def delete_card(state: TrelloState, call: Call) -> dict[str, Any]:
    """``DELETE /1/cards/{id}``: the card is gone; only a ``deleteCard`` action remains."""
    board, card = state.card(call.args[0])
    state.remove_card(board, card)
    state.log_action(
        board,
        "deleteCard",
        {
            "card": {
                "id": card["id"],
                "idShort": card.get("idShort"),
                "shortLink": card.get("shortLink"),
            },
            "list": board.list_ref(card.get("idList")),
        },
    )
    return {"limits": {}}


def add_comment(state: TrelloState, call: Call) -> dict[str, Any]:
    """``POST /1/cards/{id}/actions/comments``: logs and returns a ``commentCard`` action."""
    board, card = state.card(call.args[0])
    text = text_param(call.params, "text")
    if not text:
        raise invalid_value("text")
    badges = card.setdefault("badges", {})
    badges["comments"] = badges.get("comments", 0) + 1
    return state.log_action(
        board,
        "commentCard",
        {
            "text": text,
            "card": card_ref(card),
            "list": board.list_ref(card.get("idList")),
        },
        card,
    )


def add_attachment(state: TrelloState, call: Call) -> dict[str, Any]:
    """``POST /1/cards/{id}/attachments`` with a link ``url`` (and ``name``)."""
    board, card = state.card(call.args[0])
    url = call.params.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise invalid_value("url")
    name = text_param(call.params, "name") or url
    attachments = card.setdefault("attachments", [])
    attachment = {
        "id": state.mint_id(),
        "bytes": None,
        "date": state.now_iso(),
        "edgeColor": None,
        "idMember": state.member["id"],
        "isUpload": False,
        "mimeType": "",
        "name": name,
        "previews": [],
        "url": url,
        "pos": max((a.get("pos") or 0 for a in attachments), default=0) + POS_STEP,
        "fileName": None,
    }
    attachments.append(attachment)
    refresh_badges(card)
    state.log_action(
        board,
        "addAttachmentToCard",
        {
            "card": card_ref(card),
            "list": board.list_ref(card.get("idList")),
            "attachment": {"id": attachment["id"], "name": name, "url": url},
        },
        card,
    )
    return attachment


def add_label_to_card(state: TrelloState, call: Call) -> list[str]:
    """``POST /1/cards/{id}/idLabels`` with ``value`` = a label id of the card's board."""
    board, card = state.card(call.args[0])
    label_id = call.params.get("value")
    if not isinstance(label_id, str) or label_id not in board.labels:
        raise invalid_value("value")
    if label_id in (card.get("idLabels") or []):
        raise ApiError(400, "that label is already on the card")
    card["idLabels"] = [*(card.get("idLabels") or []), label_id]
    card["labels"] = label_refs(board, card["idLabels"])
    label = board.labels[label_id]
    state.log_action(
        board,
        "addLabelToCard",
        {
            "card": card_ref(card),
            "label": {k: label.get(k) for k in ("id", "name", "color")},
            "text": label.get("name", ""),
        },
        card,
    )
    return card["idLabels"]


def create_label(state: TrelloState, call: Call) -> dict[str, Any]:
    """``POST /1/labels`` with ``name``, ``color`` (or null) and ``idBoard``."""
    params = call.params
    board_id = params.get("idBoard")
    if not isinstance(board_id, str) or not HEX_ID.fullmatch(board_id):
        raise invalid_value("idBoard")
    board = state.boards.get(board_id)
    if board is None:
        raise invalid_value("idBoard")
    color = params.get("color")
    color = None if color in (None, "", "null") else color
    if color is not None and color not in LABEL_COLORS:
        raise invalid_value("color")
    label = {
        "id": state.mint_id(),
        "idBoard": board.board["id"],
        "name": text_param(params, "name", "") or "",
        "color": color,
        "uses": 0,
    }
    state.insert_label(board, label)
    return label


def set_custom_field(state: TrelloState, call: Call) -> dict[str, Any]:
    """``PUT /1/cards/{card}/customField/{field}/item`` with ``{"value": {"text": ...}}``,
    ``{"idValue": ...}`` for list fields, or an empty value/idValue to clear the field."""
    board, card = state.card(call.args[0])
    field = board.custom_fields.get(check_id(call.args[1]))
    if field is None:
        raise not_found()
    params = call.params
    value, id_value = params.get("value"), params.get("idValue")
    kind = field.get("type")
    key = {"text": "text", "number": "number", "date": "date", "checkbox": "checked"}.get(kind)
    clear = value in (None, "", {}) and id_value in (None, "")
    if not clear:
        if kind == "list":
            options = {o["id"] for o in field.get("options") or []}
            if id_value not in options:
                raise ApiError(400, BAD_CUSTOM_VALUE)
        elif not (
            isinstance(value, dict)
            and set(value) == {key}
            and isinstance(value[key], str)
            and valid_custom(kind, value[key])
        ):
            raise ApiError(400, BAD_CUSTOM_VALUE)
    items = card.setdefault("customFieldItems", [])
    old = next((i for i in items if i.get("idCustomField") == field["id"]), None)
    item: dict[str, Any] = {
        "id": old["id"] if old else state.mint_id(),
        "idCustomField": field["id"],
        "idModel": card["id"],
        "modelType": "card",
    }
    if kind == "list":
        item["idValue"] = None if clear else id_value
    else:
        item["value"] = None if clear else value
    card["customFieldItems"] = [i for i in items if i.get("idCustomField") != field["id"]]
    if not clear:
        card["customFieldItems"].append(item)
    state.log_action(
        board,
        "updateCustomFieldItem",
        {
            "card": card_ref(card),
            "customField": {k: field.get(k) for k in ("id", "name", "type")},
            "customFieldItem": item,
            "old": {
                ("idValue" if kind == "list" else "value"): (old or {}).get(
                    "idValue" if kind == "list" else "value"
                )
            },
        },
        card,
    )
    return item


def valid_custom(kind: str | None, text: str) -> bool:
    """Whether a custom field value string fits the field's type."""
    if kind == "number":
        try:
            float(text)
        except ValueError:
            return False
        return True
    if kind == "date":
        return parse_date(text) is not None
    if kind == "checkbox":
        return text in ("true", "false")
    return kind == "text"

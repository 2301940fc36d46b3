"""Write routes of the fake Trello API for what hangs on a card: comments, link attachments,
labels (made on the board, put on a card) and custom field values.

As every write (trello_writes.py), each validates its parameters first (so a 400 changes
nothing), then changes the board state and logs the action the real Trello would log
(``commentCard``, ``addAttachmentToCard``, ``addLabelToCard``, ``updateCustomFieldItem``).
"""

from __future__ import annotations

from typing import Any

from tests.fakes.trello_params import POS_STEP, label_refs, refresh_badges, text_param
from tests.fakes.trello_state import TrelloState, card_ref
from tests.fakes.trello_wire import (
    HEX_ID,
    LABEL_COLORS,
    ApiError,
    Call,
    check_id,
    invalid_value,
    not_found,
    parse_date,
)

BAD_CUSTOM_VALUE = "Invalid custom field item value."


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

"""Card write routes of the fake Trello API: ``POST``, ``PUT`` and ``DELETE /1/cards``.

Every write validates all its parameters first (so a 400 changes nothing; trello_params.py), then
changes the board state and logs the action the real Trello would log (``createCard``, one
``updateCard`` per changed field with ``data.old``, ``deleteCard``), newest first. What hangs on a
card (comments, attachments, labels, custom fields) is written by trello_card_extras.py.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.trello_params import (
    date_param,
    id_list_param,
    label_refs,
    list_param,
    pos_param,
    refresh_badges,
    text_param,
)
from tests.fakes.trello_state import TrelloState, card_ref
from tests.fakes.trello_wire import CARD_EXTRA_KEYS, Call, invalid_value, parse_bool, project


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

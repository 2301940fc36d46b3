"""Deterministic synthetic Trello boards in export format, for benchmarks and fake-API tests.

:func:`synthetic_board` builds the board object Trello exports (cards, lists, labels, checklists,
customFields, members, actions) for one of the project's three board roles, with ids whose first
8 hex digits are 2026 timestamps, so creation times and action paging behave like real boards.
"""

from __future__ import annotations

import gc
import random
from typing import Any

from tests.fakes.board_actions import card_actions, deleted_card_actions, fit_actions
from tests.fakes.board_cards import add_extras, make_card
from tests.fakes.board_vocab import (
    DAY,
    END,
    EVENT_TYPES,
    LABELS,
    ROLE_LISTS,
    ROLE_WEIGHTS,
    START,
    BoardIds,
)
from tests.fakes.trello_wire import format_date


def synthetic_board(
    n_cards: int,
    *,
    role: str = "microactions",
    n_actions: int | None = None,
    seed: int = 0,
    with_extras: bool = True,
) -> dict[str, Any]:
    """A deterministic board export with ``n_cards`` cards for ``role`` (``microactions``,
    ``events`` or ``content``).

    Always: the role's lists, 10 labels (one unnamed, one without colour), 3 members, ~5% archived
    cards, dues on some cards (events: ``start``/``due``/location on every card), and actions —
    ``createCard`` per card plus ``updateCard`` moves with ``data.old.idList`` and
    ``listBefore``/``listAfter`` along the workflow (e.g. Ideas → Doing → Done) and archive
    actions; about 2 per card. ``n_actions`` keeps only the newest that many, or pads with
    ``commentCard`` actions. ``with_extras`` adds checklists (~20% of cards), attachments
    (~10%, Medium links on content boards), custom field definitions and values (events), an
    archived list with archived cards, and a few ``deleteCard`` actions for vanished cards.
    """
    if role not in ROLE_LISTS:
        raise ValueError(f"unknown role {role!r}; expected one of {sorted(ROLE_LISTS)}")
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of small dicts: the cyclic GC only slows this down
    try:
        return _build(n_cards, role, n_actions, seed, with_extras)
    finally:
        if collecting:
            gc.enable()


def _build(
    n_cards: int, role: str, n_actions: int | None, seed: int, with_extras: bool
) -> dict[str, Any]:
    rng = random.Random(f"{role}:{seed}")
    ids = BoardIds(role, seed)
    board_id = ids.object_id(START - 4 * DAY)
    board_link = ids.short_link(0)
    board_ref = {"id": board_id, "name": f"OTG {role.title()} (synthetic)", "shortLink": board_link}
    members = [_member(ids, name) for name in ("Ada Lovelace", "Kemal Ataturk", "Mei Chen")]
    lists = [
        {
            "id": ids.object_id(START - 3 * DAY + i),
            "name": name,
            "closed": False,
            "idBoard": board_id,
            "pos": 16384 * (i + 1),
            "subscribed": False,
            "softLimit": None,
        }
        for i, name in enumerate(ROLE_LISTS[role])
    ]
    if with_extras:
        lists.append(
            {
                "id": ids.object_id(START - 3 * DAY + 50),
                "name": "Archive 2025",
                "closed": True,
                "idBoard": board_id,
                "pos": 16384 * 99,
                "subscribed": False,
                "softLimit": None,
            }
        )
    labels = [
        {
            "id": ids.object_id(START - 4 * DAY),
            "idBoard": board_id,
            "name": name,
            "color": color,
            "uses": 0,
        }
        for name, color in LABELS
    ]
    custom_fields = _custom_fields(ids, board_id) if with_extras and role == "events" else []

    cards: list[dict[str, Any]] = []
    checklists: list[dict[str, Any]] = []
    actions: list[tuple[float, dict[str, Any]]] = []
    weights = ROLE_WEIGHTS[role]
    step = (END - START) / max(n_cards, 1)
    for i in range(n_cards):
        created = START + i * step + rng.random() * step * 0.9
        archived_list = with_extras and rng.random() < 0.02
        final = rng.choices(range(len(weights)), weights)[0]
        lst = lists[-1] if archived_list else lists[final]
        card = make_card(rng, ids, role, i, created, lst, labels, board_id)
        card["closed"] = archived_list or rng.random() < 0.05
        cards.append(card)
        card_actions(rng, ids, role, card, created, lists, final, board_ref, members, actions)
        if with_extras:
            add_extras(rng, ids, role, card, created, checklists, custom_fields, members)
    if with_extras:
        for k in range(max(1, n_cards // 100)):
            deleted_card_actions(rng, ids, k, lists[0], board_ref, members, actions)
    ordered = [
        a for _, a in sorted(actions, key=lambda pair: (pair[0], pair[1]["id"]), reverse=True)
    ]
    ordered = fit_actions(rng, ids, ordered, n_actions, cards, lists, board_ref, members)
    for label in labels:
        label["uses"] = sum(1 for c in cards if label["id"] in c["idLabels"])
    last = ordered[0]["date"] if ordered else format_date(START)
    return {
        "id": board_id,
        "name": board_ref["name"],
        "desc": f"Synthetic {role} board, seed {seed}.",
        "descData": None,
        "closed": False,
        "dateClosed": None,
        "idOrganization": "5a0f0e0d0c0b0a0908070605",
        "idEnterprise": None,
        "pinned": False,
        "starred": False,
        "url": f"https://trello.com/b/{board_link}/otg-{role}",
        "shortUrl": f"https://trello.com/b/{board_link}",
        "shortLink": board_link,
        "prefs": {
            "permissionLevel": "org",
            "comments": "members",
            "background": "blue",
            "cardCovers": True,
            "hideVotes": False,
            "selfJoin": True,
        },
        "subscribed": False,
        "labelNames": {color: name for name, color in LABELS if color},
        "powerUps": [],
        "dateLastActivity": last,
        "dateLastView": last,
        "idTags": [],
        "datePluginDisable": None,
        "creationMethod": None,
        "ixUpdate": str(len(ordered)),
        "enterpriseOwned": False,
        "idBoardSource": None,
        "idMemberCreator": members[0]["id"],
        "actions": ordered,
        "cards": cards,
        "labels": labels,
        "lists": lists,
        "members": members,
        "checklists": checklists,
        "customFields": custom_fields,
        "memberships": [
            {
                "id": ids.object_id(START - 4 * DAY),
                "idMember": m["id"],
                "memberType": "admin" if n == 0 else "normal",
                "unconfirmed": False,
                "deactivated": False,
            }
            for n, m in enumerate(members)
        ],
        "pluginData": [],
    }


# --------------------------------------------------------------------------- board-level blocks
def _member(ids: BoardIds, full_name: str) -> dict[str, Any]:
    username = full_name.lower().replace(" ", "")
    return {
        "id": ids.object_id(START - 400 * DAY),
        "fullName": full_name,
        "username": username,
        "initials": "".join(w[0] for w in full_name.split()),
        "avatarHash": None,
        "memberType": "normal",
        "confirmed": True,
        "url": f"https://trello.com/u/{username}",
    }


def _custom_fields(ids: BoardIds, board_id: str) -> list[dict[str, Any]]:
    def definition(name: str, kind: str, pos: int) -> dict[str, Any]:
        field_id = ids.object_id(START - 2 * DAY + pos)
        return {
            "id": field_id,
            "idModel": board_id,
            "modelType": "board",
            "fieldGroup": field_id,
            "display": {"cardFront": True},
            "name": name,
            "pos": 16384 * pos,
            "type": kind,
            "options": [],
        }

    event_type = definition("Event type", "list", 1)
    event_type["options"] = [
        {
            "id": ids.object_id(START - 2 * DAY),
            "idCustomField": event_type["id"],
            "value": {"text": name},
            "color": "none",
            "pos": 16384 * (n + 1),
        }
        for n, name in enumerate(EVENT_TYPES)
    ]
    return [
        event_type,
        definition("Capacity", "number", 2),
        definition("Tickets URL", "text", 3),
        definition("Ticketed", "checkbox", 4),
        definition("Registration closes", "date", 5),
    ]

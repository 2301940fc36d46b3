"""Deterministic synthetic Trello boards in export format, for benchmarks and fake-API tests.

:func:`synthetic_board` builds the board object Trello exports (cards, lists, labels, checklists,
customFields, members, actions) for one of the project's three board roles, with ids whose first
8 hex digits are 2026 timestamps, so creation times and action paging behave like real boards.
"""

from __future__ import annotations

import gc
import random
from datetime import UTC, datetime
from typing import Any

from tests.fakes.trello_state import format_date

ROLE_LISTS: dict[str, list[str]] = {
    "microactions": ["Ideas", "Doing", "Done"],
    "events": ["Proposed", "Planning", "Confirmed", "Cancelled", "Done"],
    "content": ["Ideas", "Drafting", "Ready for Medium", "In Medium drafts", "Published"],
}
#: Share of cards ending in each list (same order as ROLE_LISTS).
ROLE_WEIGHTS: dict[str, list[float]] = {
    "microactions": [0.4, 0.2, 0.4],
    "events": [0.15, 0.2, 0.3, 0.1, 0.25],
    "content": [0.3, 0.2, 0.15, 0.15, 0.2],
}
ROLE_CODES = {"microactions": 1, "events": 2, "content": 3}
LABELS: list[tuple[str, str | None]] = [
    ("Health", "green"),
    ("Digital", "blue"),
    ("Data", "sky"),
    ("Policy", "purple"),
    ("Skills", "yellow"),
    ("Culture", "orange"),
    ("Procurement", "red"),
    ("Open government", "lime"),
    ("", "pink"),
    ("Needs review", None),
]
TOPICS = [
    "service design",
    "open data",
    "user research",
    "procurement",
    "digital inclusion",
    "policy labs",
    "agile budgeting",
    "civic tech",
    "team health",
    "accessibility",
]
CITIES = [
    ("London", "10 Victoria St, London SW1H 0NB, UK", 51.4988, -0.1335),
    ("Ottawa", "111 Sussex Dr, Ottawa, ON, Canada", 45.4366, -75.6934),
    ("Canberra", "1 Treasury Pl, Canberra ACT, Australia", -35.2995, 149.1311),
    ("Online", None, None, None),
]
EVENT_TYPES = ["Meetup", "Workshop", "Conference", "Webinar"]
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp()
END = datetime(2026, 10, 31, 18, 0, tzinfo=UTC).timestamp()
LAST_ACTION = datetime(2026, 11, 15, 0, 0, tzinfo=UTC).timestamp()
HOUR, DAY = 3600, 86400


class _Ids:
    """Unique ObjectIds with a chosen embedded time, and 8-character short links."""

    def __init__(self, role: str, seed: int) -> None:
        self._middle = f"{ROLE_CODES[role]:02x}{seed & 0xFFFF:04x}"
        self._prefix = ROLE_CODES[role] * 7_919 + (seed & 0xFFFF)
        self._count = 0

    def object_id(self, timestamp: float) -> str:
        self._count += 1
        return f"{int(timestamp):08x}{self._middle}{self._count:010x}"

    def short_link(self, n: int) -> str:
        number = ((self._prefix * 10_000_000 + n) * 25_214_903_917) % 62**8
        chars = []
        for _ in range(8):
            number, digit = divmod(number, 62)
            chars.append(BASE62[digit])
        return "".join(chars)


def _move_path(role: str, final: int) -> list[int]:
    """Lists a card passes through after its first list to reach list index ``final``."""
    names = ROLE_LISTS[role]
    if role == "events" and names[final] == "Cancelled":
        return [1, final]
    if role == "events" and names[final] == "Done":
        return [1, 2, final]
    return list(range(1, final + 1))


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
    ids = _Ids(role, seed)
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
        card = _card(rng, ids, role, i, created, lst, labels, board_id)
        card["closed"] = archived_list or rng.random() < 0.05
        cards.append(card)
        _card_actions(rng, ids, role, card, created, lists, final, board_ref, members, actions)
        if with_extras:
            _extras(rng, ids, role, card, created, checklists, custom_fields, members)
    if with_extras:
        for k in range(max(1, n_cards // 100)):
            _deleted_card(rng, ids, k, lists[0], board_ref, members, actions)
    ordered = [
        a for _, a in sorted(actions, key=lambda pair: (pair[0], pair[1]["id"]), reverse=True)
    ]
    ordered = _fit_actions(rng, ids, ordered, n_actions, cards, lists, board_ref, members)
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


# --------------------------------------------------------------------------- building blocks
def _member(ids: _Ids, full_name: str) -> dict[str, Any]:
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


def _custom_fields(ids: _Ids, board_id: str) -> list[dict[str, Any]]:
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


def _card(
    rng: random.Random,
    ids: _Ids,
    role: str,
    i: int,
    created: float,
    lst: dict[str, Any],
    labels: list[dict[str, Any]],
    board_id: str,
) -> dict[str, Any]:
    topic = TOPICS[i % len(TOPICS)]
    short_link = ids.short_link(i + 1)
    chosen = rng.sample(labels, rng.choice((0, 1, 1, 2, 3)))
    name = {
        "microactions": f"Microaction {i + 1}: try {topic}",
        "events": f"OTG {topic} {EVENT_TYPES[i % 4].lower()} #{i + 1}",
        "content": f"Blog: what we learned about {topic} ({i + 1})",
    }[role]
    due = start = location = address = coordinates = None
    if role == "events":
        city, address, lat, lon = CITIES[i % len(CITIES)]
        location = city
        coordinates = {"latitude": lat, "longitude": lon} if lat is not None else None
        begins = (int(created) // DAY + rng.randint(14, 120)) * DAY + rng.choice((9, 13, 17)) * HOUR
        start, due = format_date(begins), format_date(begins + rng.choice((1, 2, 3)) * HOUR)
    elif rng.random() < 0.3:
        due = format_date((int(created) // DAY + rng.randint(3, 60)) * DAY + 19 * HOUR)
    stamp = format_date(created)
    desc = f"Notes on {topic}.\n\n- owner: team {i % 7}\n- see thread {i}" if i % 3 else ""
    return {
        "id": ids.object_id(created),
        "address": address,
        "badges": {
            "attachments": 0,
            "checkItems": 0,
            "checkItemsChecked": 0,
            "comments": 0,
            "description": bool(desc),
            "due": due,
            "dueComplete": False,
            "start": start,
            "location": location is not None,
            "votes": 0,
            "subscribed": False,
            "viewingMemberVoted": False,
            "fogbugz": "",
        },
        "checkItemStates": [],
        "closed": False,
        "coordinates": coordinates,
        "dateLastActivity": stamp,
        "dateClosed": None,
        "dateCompleted": None,
        "desc": desc,
        "descData": {"emoji": {}},
        "due": due,
        "dueComplete": False,
        "dueReminder": None,
        "email": None,
        "idBoard": board_id,
        "idChecklists": [],
        "idLabels": [label["id"] for label in chosen],
        "idList": lst["id"],
        "idMembers": [],
        "idMembersVoted": [],
        "idShort": i + 1,
        "idAttachmentCover": None,
        "labels": [{k: label[k] for k in ("id", "idBoard", "name", "color")} for label in chosen],
        "locationName": location,
        "manualCoverAttachment": False,
        "name": name,
        "pos": 16384.0 * (i + 1),
        "shortLink": short_link,
        "shortUrl": f"https://trello.com/c/{short_link}",
        "start": start,
        "subscribed": False,
        "url": f"https://trello.com/c/{short_link}/{i + 1}-card-{i + 1}",
        "attachments": [],
        "customFieldItems": [],
        "pluginData": [],
    }


def _action(
    ids: _Ids,
    when: float,
    kind: str,
    data: dict[str, Any],
    board_ref: dict[str, Any],
    member: dict[str, Any],
) -> tuple[float, dict[str, Any]]:
    action = {
        "id": ids.object_id(when),
        "idMemberCreator": member["id"],
        "data": {**data, "board": board_ref},
        "appCreator": None,
        "type": kind,
        "date": format_date(when),
        "limits": {},
        "memberCreator": {k: member[k] for k in ("id", "fullName", "username")},
    }
    return when, action


def _card_actions(
    rng: random.Random,
    ids: _Ids,
    role: str,
    card: dict[str, Any],
    created: float,
    lists: list[dict[str, Any]],
    final: int,
    board_ref: dict[str, Any],
    members: list[dict[str, Any]],
    out: list[tuple[float, dict[str, Any]]],
) -> None:
    ref = {
        "id": card["id"],
        "name": card["name"],
        "idShort": card["idShort"],
        "shortLink": card["shortLink"],
    }
    who = members[card["idShort"] % len(members)]
    in_archive = lists[-1]["closed"] and lists[-1]["id"] == card["idList"]
    here = lists[-1] if in_archive else lists[0]
    out.append(
        _action(
            ids,
            created + 0.3,
            "createCard",
            {"card": ref, "list": {"id": here["id"], "name": here["name"]}},
            board_ref,
            who,
        )
    )
    when = created
    for index in [] if in_archive else _move_path(role, final):
        when = max(when + 60, min(when + rng.uniform(HOUR, 10 * DAY), LAST_ACTION))
        there = lists[index]
        out.append(
            _action(
                ids,
                when,
                "updateCard",
                {
                    "card": {**ref, "idList": there["id"]},
                    "old": {"idList": here["id"]},
                    "listBefore": {"id": here["id"], "name": here["name"]},
                    "listAfter": {"id": there["id"], "name": there["name"]},
                },
                board_ref,
                who,
            )
        )
        here = there
    card["dateLastActivity"] = format_date(when)
    if card["closed"]:
        when = min(when + rng.uniform(HOUR, 5 * DAY), LAST_ACTION)
        card["dateClosed"] = card["dateLastActivity"] = format_date(when)
        out.append(
            _action(
                ids,
                when,
                "updateCard",
                {
                    "card": {**ref, "closed": True},
                    "old": {"closed": False},
                    "list": {"id": card["idList"], "name": here["name"]},
                },
                board_ref,
                who,
            )
        )
    if ROLE_LISTS[role][final] in ("Done", "Published") and card["due"] and rng.random() < 0.7:
        card["dueComplete"] = card["badges"]["dueComplete"] = True
        card["dateCompleted"] = card["dateLastActivity"]


def _extras(
    rng: random.Random,
    ids: _Ids,
    role: str,
    card: dict[str, Any],
    created: float,
    checklists: list[dict[str, Any]],
    custom_fields: list[dict[str, Any]],
    members: list[dict[str, Any]],
) -> None:
    if rng.random() < 0.2:
        checklist_id = ids.object_id(created + 60)
        items = [
            {
                "id": ids.object_id(created + 61),
                "name": f"Step {n + 1}",
                "state": "complete" if rng.random() < 0.4 else "incomplete",
                "pos": 16384 * (n + 1),
                "due": None,
                "idChecklist": checklist_id,
            }
            for n in range(rng.randint(2, 5))
        ]
        checklists.append(
            {
                "id": checklist_id,
                "name": "Checklist",
                "idBoard": card["idBoard"],
                "idCard": card["id"],
                "pos": 16384,
                "checkItems": items,
            }
        )
        card["idChecklists"].append(checklist_id)
        card["badges"]["checkItems"] = len(items)
        card["badges"]["checkItemsChecked"] = sum(it["state"] == "complete" for it in items)
    if rng.random() < 0.1 or (role == "content" and card["name"] and rng.random() < 0.3):
        url = (
            f"https://medium.com/p/{rng.getrandbits(48):012x}"
            if role == "content"
            else f"https://docs.google.com/document/d/{rng.getrandbits(64):016x}"
        )
        card["attachments"].append(
            {
                "id": ids.object_id(created + 120),
                "bytes": None,
                "date": format_date(created + 120),
                "edgeColor": None,
                "idMember": members[0]["id"],
                "isUpload": False,
                "mimeType": "",
                "name": "Medium draft" if role == "content" else "Notes",
                "previews": [],
                "url": url,
                "pos": 16384,
                "fileName": None,
            }
        )
        card["badges"]["attachments"] = 1
    if custom_fields and rng.random() < 0.6:
        event_type, capacity, tickets, ticketed, closes = custom_fields
        option = rng.choice(event_type["options"])
        values = [
            (event_type, None, option["id"]),
            (capacity, {"number": str(rng.choice((20, 40, 80, 150)))}, None),
            (ticketed, {"checked": rng.choice(("true", "false"))}, None),
        ]
        if rng.random() < 0.5:
            values.append(
                (tickets, {"text": f"https://www.eventbrite.co.uk/e/{card['idShort']}"}, None)
            )
        if card["start"] and rng.random() < 0.5:
            values.append((closes, {"date": card["start"]}, None))
        for definition, value, id_value in values:
            item: dict[str, Any] = {
                "id": ids.object_id(created + 180),
                "idCustomField": definition["id"],
                "idModel": card["id"],
                "modelType": "card",
            }
            if id_value is None:
                item["value"] = value
            else:
                item["idValue"] = id_value
            card["customFieldItems"].append(item)


def _deleted_card(
    rng: random.Random,
    ids: _Ids,
    k: int,
    first_list: dict[str, Any],
    board_ref: dict[str, Any],
    members: list[dict[str, Any]],
    out: list[tuple[float, dict[str, Any]]],
) -> None:
    created = START + rng.random() * (END - START)
    card_id = ids.object_id(created)
    ref = {
        "id": card_id,
        "name": f"Duplicate idea {k + 1}",
        "idShort": 900_000 + k,
        "shortLink": ids.short_link(900_000 + k),
    }
    list_ref = {"id": first_list["id"], "name": first_list["name"]}
    out.append(
        _action(
            ids, created + 0.3, "createCard", {"card": ref, "list": list_ref}, board_ref, members[1]
        )
    )
    gone = {k2: ref[k2] for k2 in ("id", "idShort", "shortLink")}
    out.append(
        _action(
            ids,
            created + rng.uniform(HOUR, 3 * DAY),
            "deleteCard",
            {"card": gone, "list": list_ref},
            board_ref,
            members[1],
        )
    )


def _fit_actions(
    rng: random.Random,
    ids: _Ids,
    ordered: list[dict[str, Any]],
    n_actions: int | None,
    cards: list[dict[str, Any]],
    lists: list[dict[str, Any]],
    board_ref: dict[str, Any],
    members: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Keep the newest ``n_actions`` (like an export's cap) or pad with comments."""
    if n_actions is None:
        return ordered
    if len(ordered) >= n_actions or not cards:
        return ordered[:n_actions]
    names = {lst["id"]: lst["name"] for lst in lists}
    extra = []
    for n in range(n_actions - len(ordered)):
        card = rng.choice(cards)
        when = rng.uniform(START, LAST_ACTION)
        ref = {
            "id": card["id"],
            "name": card["name"],
            "idShort": card["idShort"],
            "shortLink": card["shortLink"],
        }
        extra.append(
            _action(
                ids,
                when,
                "commentCard",
                {
                    "text": f"Update {n + 1}: progress noted.",
                    "card": ref,
                    "list": {"id": card["idList"], "name": names[card["idList"]]},
                },
                board_ref,
                members[n % len(members)],
            )
        )
    merged = [(a["date"], a["id"], a) for a in ordered] + [
        (a["date"], a["id"], a) for _, a in extra
    ]
    merged.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [a for _, _, a in merged]

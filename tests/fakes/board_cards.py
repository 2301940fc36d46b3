"""Cards for the synthetic boards of :mod:`tests.fakes.boards`.

:func:`make_card` builds one card in export format (name, labels, dues; events get start, due
and a location); :func:`add_extras` gives it checklists, attachments and custom field values.
"""

from __future__ import annotations

import random
from typing import Any

from tests.fakes.board_vocab import CITIES, DAY, EVENT_TYPES, HOUR, TOPICS, BoardIds
from tests.fakes.trello_wire import format_date


def make_card(
    rng: random.Random,
    ids: BoardIds,
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


def add_extras(
    rng: random.Random,
    ids: BoardIds,
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

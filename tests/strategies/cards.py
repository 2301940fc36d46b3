"""One card of an export: labels, dates, custom fields, attachments, places."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from tests.strategies.dates import good_moments, trello_date, trello_dates
from tests.strategies.ids import ALNUM, object_ids, odd_ids, short_links
from tests.strategies.shapes import NEWER_CARD_KEYS, shaped
from tests.strategies.text import junk, names, sometimes, texts

FIELD_NAMES = ("All day", "Venue", "Sign-up link", "Start", "End", "Notes", "")
FIELD_TYPES = ("text", "number", "date", "checkbox", "list")


@st.composite
def custom_fields(draw: st.DrawFn) -> list[Any]:
    fields = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(sometimes(st.sampled_from(FIELD_TYPES), junk()))
        options = [
            draw(shaped({"id": draw(object_ids()), "value": {"text": draw(names())}}, ("value",)))
            for _ in range(draw(st.integers(0, 3)) if kind == "list" else 0)
        ]
        fields.append(
            draw(
                shaped(
                    {
                        "id": draw(object_ids()),
                        "name": draw(st.sampled_from(FIELD_NAMES) | names()),
                        "type": kind,
                        "options": options,
                    },
                    ("options", "name"),
                    ("id",),
                )
            )
        )
    return fields


def field_value(kind: Any) -> st.SearchStrategy[Any]:
    """A custom field item's value: right for its type, or wrong."""
    right = {
        "text": st.builds(lambda t: {"text": t}, texts()),
        "number": st.builds(
            lambda n: {"number": n},
            st.sampled_from(["12", "-3.5", "1e400", "nan", "inf", "twelve", ""]) | st.text(),
        ),
        "date": st.builds(lambda d: {"date": d}, trello_dates()),
        "checkbox": st.builds(lambda c: {"checked": c}, st.sampled_from(["true", "false", "yes"])),
    }.get(kind if isinstance(kind, str) else "", st.just({}))
    wrong = st.one_of(
        st.dictionaries(st.sampled_from(["text", "number", "date", "checked"]), junk(), max_size=2),
        junk(),
    )
    return sometimes(right, wrong)


@st.composite
def field_items(draw: st.DrawFn, fields: list[Any]) -> list[Any]:
    defined = [f for f in fields if isinstance(f, dict)]
    items = []
    for _ in range(draw(st.integers(0, 4)) if defined else 0):
        definition = draw(st.sampled_from(defined))
        found = definition.get("options")
        options = (
            [o.get("id") for o in found if isinstance(o, dict)] if isinstance(found, list) else []
        )
        if definition.get("type") == "list" and options:
            item = {
                "idCustomField": definition.get("id"),
                "idValue": draw(st.sampled_from(options)),
            }
        else:
            kind = definition.get("type")
            item = {"idCustomField": definition.get("id"), "value": draw(field_value(kind))}
        items.append(draw(shaped(item, ("value", "idValue"))))
    return items


def coordinates() -> st.SearchStrategy[Any]:
    latitude = st.floats(-90, 90)
    longitude = st.floats(-180, 180)
    good = st.builds(lambda a, b: {"latitude": a, "longitude": b}, latitude, longitude)
    bad = st.one_of(
        st.builds(lambda a, b: f"{a},{b}", st.floats(), st.floats()),
        st.sampled_from(["nan,nan", "inf,-inf", "1e999,0", "91,181", "-95,0", "51.5", ","]),
        junk(),
    )
    return st.one_of(st.none(), sometimes(good, bad))


@st.composite
def event_dates(draw: st.DrawFn) -> dict[str, Any]:
    """start and due, mostly a plausible pair: some all-day (local midnight to 23:59), some
    ending before they start, some the same instant, some nonsense."""
    start = draw(good_moments())
    shape = draw(st.integers(0, 6))
    if shape == 0:  # only a due date
        return {"due": trello_date(start)}
    if shape == 1:  # all day, in London's winter (UTC) or summer (BST)
        day = start.replace(hour=0, minute=0, second=0, microsecond=0)
        offset = timedelta(hours=1) if 4 <= day.month <= 9 else timedelta()
        return {
            "start": trello_date(day - offset),
            "due": trello_date(day + timedelta(hours=23, minutes=59) - offset),
        }
    if shape == 2:  # ends before it starts
        return {"start": trello_date(start), "due": trello_date(start - timedelta(hours=1))}
    if shape == 3:  # no date at all
        return {}
    if shape == 4:
        return {"start": draw(trello_dates()), "due": draw(trello_dates())}
    length = draw(st.integers(0, 3 * 24 * 60))
    return {"start": trello_date(start), "due": trello_date(start + timedelta(minutes=length))}


URLS = (
    "https://ti.to/otg",
    "javascript:alert(1)",
    "http://[bad",
    "mailto:a@b.c",
    'https://e.org/"><script>',
)


@st.composite
def attachments(draw: st.DrawFn) -> list[Any]:
    """A card's attachments: sign-up links, some with names or URLs no one should trust."""
    return [
        draw(
            shaped(
                {
                    "id": draw(object_ids()),
                    "name": draw(st.sampled_from(["Sign up here", "Tickets", ""]) | names()),
                    "url": draw(st.sampled_from(URLS) | texts()),
                },
                ("name",),
            )
        )
        for _ in range(draw(st.integers(0, 2)))
    ]


@st.composite
def cards(
    draw: st.DrawFn,
    *,
    board_id: str,
    list_ids: list[Any],
    labels: list[Any],
    fields: list[Any],
    era: int,
) -> Any:
    card_id = draw(sometimes(object_ids(), odd_ids()))
    label_objs = [lbl for lbl in labels if isinstance(lbl, dict)]
    chosen = draw(st.lists(st.sampled_from(label_objs), max_size=4)) if label_objs else []
    all_day = draw(st.sampled_from(["All day", "all day", "Culture"]))
    if draw(st.booleans()):
        chosen.append({"id": draw(object_ids()), "name": all_day, "color": None})
    dates = draw(event_dates())
    link = draw(short_links())
    raw: dict[str, Any] = {
        "id": card_id,
        "name": draw(names(40)),
        "desc": draw(sometimes(texts(200), st.sampled_from(["", "   "]))),
        "closed": draw(sometimes(st.booleans(), junk())),
        "idList": draw(st.sampled_from(list_ids)) if list_ids else draw(odd_ids()),
        "idBoard": board_id,
        "idLabels": [lbl.get("id") for lbl in chosen],
        "labels": chosen,
        "idMembers": draw(st.lists(object_ids(), max_size=2)),
        "dueComplete": draw(st.booleans()),
        "dateLastActivity": draw(trello_dates()),
        "pos": draw(sometimes(st.floats(0, 1e6), junk())),
        "shortLink": link,
        "shortUrl": f"https://trello.com/c/{link}",
        "url": draw(
            sometimes(
                st.builds(lambda s: f"https://trello.com/c/{s}/1-card", st.text(ALNUM, max_size=8)),
                texts(),
            )
        ),
        "locationName": draw(names()),
        "address": draw(names()),
        "coordinates": draw(coordinates()),
        "attachments": draw(attachments()),
        "customFieldItems": draw(field_items(fields)),
        **dates,
    }
    if era >= 2025:
        raw.update({"nodeId": "ari:cloud:trello::card/x", "dateCompleted": draw(trello_dates())})
    optional = tuple(k for k in raw if k != "id")
    if era <= 2016:
        for key in NEWER_CARD_KEYS:
            raw.pop(key, None)
    return draw(shaped(raw, optional, ("id", "idList")))

"""Whole board exports in the shapes of 2014 to 2025, and the bytes of export files."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from sync.model import Role
from sync.trello.lists import DEFAULT_LISTS
from tests.strategies.cards import cards, custom_fields
from tests.strategies.dates import trello_dates
from tests.strategies.ids import object_ids
from tests.strategies.shapes import shaped
from tests.strategies.text import SCALARS, junk, names, sometimes


def list_names(role: Role) -> st.SearchStrategy[str]:
    known = sorted({n for names_ in DEFAULT_LISTS[role].values() for n in names_})
    decorated = st.builds(
        lambda name, pre, post: f"{pre}{name.title()}{post}",
        st.sampled_from(known),
        st.sampled_from(["", "✅ ", "🎉", "  "]),
        st.sampled_from(["", "!", " (2025)", " 🎉"]),
    )
    return st.one_of(st.sampled_from(known), decorated, names())


@st.composite
def actions(draw: st.DrawFn, card_ids: list[Any], list_ids: list[Any]) -> list[Any]:
    found = []
    for _ in range(draw(st.integers(0, 6))):
        card_id = draw(st.sampled_from(card_ids)) if card_ids else draw(object_ids())
        before = draw(st.sampled_from(list_ids)) if list_ids else None
        after = draw(st.sampled_from(list_ids)) if list_ids else None
        kind = draw(
            st.sampled_from(["updateCard", "createCard", "deleteCard", "commentCard", "copyCard"])
        )
        data: dict[str, Any] = {"card": {"id": card_id, "name": draw(names())}}
        if kind == "updateCard":
            change = draw(st.sampled_from(["move", "closed", "dueComplete"]))
            if change == "move":
                data.update(
                    old={"idList": before},
                    listBefore={"id": before},
                    listAfter={"id": after},
                )
                data["card"]["idList"] = after
            else:
                data["old"] = {change: False}
                data["card"][change] = True
        elif kind in ("createCard", "copyCard"):
            data["list"] = {"id": after}
        action = {
            "id": draw(object_ids()),
            "type": kind,
            "date": draw(trello_dates()),
            "idMemberCreator": draw(object_ids()),
            "data": data,
        }
        found.append(draw(shaped(action, ("idMemberCreator", "data"), ("id",))))
    return found


@st.composite
def board_lists(draw: st.DrawFn, role: Role, board_id: str) -> list[Any]:
    """A list for every state of the role (by one of its default names), then any others."""
    names_ = [draw(st.sampled_from(names_)) for names_ in DEFAULT_LISTS[role].values()]
    names_ += draw(st.lists(list_names(role), max_size=3))
    return [
        draw(
            shaped(
                {
                    "id": draw(object_ids()),
                    "name": name,
                    "closed": draw(st.integers(0, 5)) == 5,
                    "pos": draw(st.floats(0, 1e5)),
                    "idBoard": board_id,
                },
                ("closed", "pos", "idBoard", "name"),
                ("id",),
            )
        )
        for name in draw(st.permutations(names_))
    ]


@st.composite
def board_labels(draw: st.DrawFn, board_id: str) -> list[Any]:
    return [
        draw(
            shaped(
                {
                    "id": draw(object_ids()),
                    "idBoard": board_id,
                    "name": draw(st.sampled_from(["", "Culture", "All day"]) | names()),
                    "color": draw(st.sampled_from([None, "green", "", "nonsense"])),
                },
                ("color", "idBoard"),
                ("id",),
            )
        )
        for _ in range(draw(st.integers(0, 4)))
    ]


@st.composite
def check_items(draw: st.DrawFn) -> list[Any]:
    return [
        draw(
            shaped(
                {
                    "id": draw(object_ids()),
                    "name": draw(names()),
                    "state": draw(st.sampled_from(["complete", "incomplete", 1])),
                    "pos": draw(st.floats(0, 100) | junk()),
                },
                ("pos",),
            )
        )
        for _ in range(draw(st.integers(0, 3)))
    ]


@st.composite
def checklists(draw: st.DrawFn, card_ids: list[Any]) -> list[Any]:
    return [
        draw(
            shaped(
                {
                    "id": draw(object_ids()),
                    "idCard": draw(st.sampled_from(card_ids)) if card_ids else "x",
                    "name": draw(names()),
                    "pos": draw(st.floats(0, 100) | junk()),
                    "checkItems": draw(check_items()),
                },
                ("name", "pos"),
            )
        )
        for _ in range(draw(st.integers(0, 2)))
    ]


@st.composite
def board_exports(draw: st.DrawFn, role: Role) -> Any:
    """A board export for ``role`` in any shape from 2014 to 2025, damaged or not."""
    era = draw(st.sampled_from([2014, 2019, 2025]))
    board_id = draw(object_ids())
    lists = draw(board_lists(role, board_id))
    list_ids = [lst.get("id") for lst in lists if isinstance(lst, dict)] + [draw(object_ids())]
    labels = draw(board_labels(board_id))
    fields = draw(custom_fields()) if era > 2014 else []
    board_cards = [
        draw(cards(board_id=board_id, list_ids=list_ids, labels=labels, fields=fields, era=era))
        for _ in range(draw(st.integers(1, 8)) if draw(st.integers(0, 9)) != 9 else 0)
    ]
    card_ids = [c.get("id") for c in board_cards if isinstance(c, dict)]
    export: dict[str, Any] = {
        "id": board_id,
        "name": draw(names()),
        "url": "https://trello.com/b/AbCd1234/board",
        "closed": False,
        "lists": lists,
        "labels": labels,
        "cards": board_cards,
        "checklists": draw(checklists(card_ids)),
        "members": [
            draw(shaped({"id": draw(object_ids()), "fullName": draw(names())}, ("fullName",)))
            for _ in range(draw(st.integers(0, 2)))
        ],
        "actions": draw(actions(card_ids, list_ids)),
        "customFields": fields,
    }
    if era == 2014:  # some early exports have no labels array (labels live on the cards)
        del export["customFields"]
        if draw(st.booleans()):
            del export["labels"]
    optional = tuple(k for k in export if k != "id")
    return draw(shaped(export, optional, ("id",)))


def not_boards() -> st.SearchStrategy[Any]:
    """JSON that is not a readable board: the one case that is an error, not a warning. That is
    JSON that is not a board at all, and a board with no ``cards`` list (missing, null or junk):
    read as empty, it would cancel every event the board had. (``board_exports`` drops or junks
    ``cards`` and ``lists`` now and then too, as it does any optional key: without ``lists``,
    every card would be in no list, and every event cancelled.)"""
    return st.one_of(
        st.lists(junk(), max_size=3),
        SCALARS,
        st.dictionaries(st.sampled_from(["name", "cards", "lists"]), junk()),
        st.builds(lambda v: {"id": v, "cards": []}, st.one_of(st.none(), st.integers(), junk())),
        st.builds(
            lambda board_id, extra: {"id": board_id, "name": "Events", **extra},
            object_ids(),
            st.dictionaries(
                st.just("cards"), junk().filter(lambda v: not isinstance(v, list)), max_size=1
            ),
        ),
    )


@st.composite
def export_files(draw: st.DrawFn, role: Role) -> bytes:
    """The bytes of an export file: mostly a board, sometimes not one, sometimes damaged."""
    data = draw(sometimes(board_exports(role), not_boards()))
    text = json.dumps(data)  # ASCII: lone surrogates travel as \\ud800 escapes, as JSON allows
    damage = draw(st.integers(0, 9))
    if damage == 9:  # truncated mid-way
        return text.encode()[: draw(st.integers(0, len(text)))]
    if damage == 8:
        return draw(st.sampled_from([b"", b"\xef\xbb\xbf" + text.encode(), b"\xff\xfe{", b"{"]))
    if damage == 7:  # the same board, written by a tool that did not escape non-ASCII
        try:
            return json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return text.encode()
    return text.encode()

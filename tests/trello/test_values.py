"""The small readers of Trello JSON values (sync/trello/values.py) the board reader leans on."""

from __future__ import annotations

import msgspec

from sync.trello.schema import card_of
from sync.trello.values import dicts


def test_dicts_gives_a_lists_objects_and_leaves_junk_out():
    assert list(dicts([{"a": 1}, "x", 3, None, [], {"b": 2}])) == [{"a": 1}, {"b": 2}]
    assert [list(dicts(value)) for value in (None, {"a": 1}, "[]", 5)] == [[], [], [], []]


def test_dicts_decodes_each_item_as_it_comes_before_leaving_junk_out():
    items = [msgspec.Raw(b'{"id": "c1"}'), msgspec.Raw(b"5"), {"id": "c2"}]
    decoded: list[object] = []

    def decode(item):
        decoded.append(item)
        return card_of(item)

    objects = dicts(items, decode)
    assert decoded == []  # nothing is read before it is asked for
    assert next(objects) == {"id": "c1"} and len(decoded) == 1  # one at a time
    assert list(objects) == [{"id": "c2"}]  # a card that is a number is junk
    assert list(dicts(items)) == [{"id": "c2"}]  # undecoded, only what already is an object

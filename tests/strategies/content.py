"""Model ``Card`` objects for the drafts: any text anywhere, but no lone surrogate."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from sync.model import Attachment, Card, CheckItem, Checklist, Label
from sync.text import valid
from tests.strategies.ids import object_ids, odd_ids, short_links
from tests.strategies.text import NASTY, names, sometimes, texts


@st.composite
def content_cards(draw: st.DrawFn) -> Card:
    """A content card as the parser hands it over: any text anywhere, but no lone surrogate (the
    parser replaces them, as its property checks)."""
    return _encodable(draw(_content_cards()))


def _encodable(card: Card) -> Card:
    def fix(value: Any) -> Any:
        if isinstance(value, str):
            return valid(value)
        if isinstance(value, tuple) and not isinstance(value, Card):
            return tuple(fix(v) for v in value)
        if hasattr(value, "__dataclass_fields__"):
            return replace(value, **{f: fix(getattr(value, f)) for f in value.__dataclass_fields__})
        return value

    return fix(card)


@st.composite
def _content_cards(draw: st.DrawFn) -> Card:
    return Card(
        id=draw(sometimes(object_ids(), odd_ids())),
        name=draw(names(60)),
        board_id=draw(object_ids()),
        list_id="l-ready",
        list_name="Ready for Medium",
        state="ready",
        desc=draw(sometimes(texts(300), st.sampled_from(NASTY))),
        short_link=draw(short_links().filter(lambda s: isinstance(s, str))),
        url=draw(texts()),
        labels=tuple(
            Label(str(i), name, None)
            for i, name in enumerate(draw(st.lists(names(30), max_size=5)))
        ),
        attachments=tuple(
            Attachment(str(i), name, url)
            for i, (name, url) in enumerate(
                draw(
                    st.lists(
                        st.tuples(
                            names(),
                            st.sampled_from(
                                ["https://e.org/a b(1)", 'https://e.org/"><b>', "http://[x"]
                            )
                            | texts(),
                        ),
                        max_size=3,
                    )
                )
            )
        ),
        checklists=tuple(
            Checklist(
                str(i),
                name,
                tuple(CheckItem(str(j), item, done) for j, (item, done) in enumerate(items)),
            )
            for i, (name, items) in enumerate(
                draw(
                    st.lists(
                        st.tuples(names(), st.lists(st.tuples(texts(), st.booleans()), max_size=3)),
                        max_size=2,
                    )
                )
            )
        ),
    )

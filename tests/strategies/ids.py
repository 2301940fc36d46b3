"""Trello ids and short links, and ids no Trello would make."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.strategies.text import junk, sometimes

HEX = "0123456789abcdef"
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def object_ids() -> st.SearchStrategy[str]:
    return st.text(HEX, min_size=24, max_size=24)


def odd_ids() -> st.SearchStrategy[str]:
    """Ids no Trello would make, but an export file can hold."""
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from(["", "../x", "a/b", "%2F", "\x00", "id\n", "CON", "." * 3, "🎉"]),
    )


def short_links() -> st.SearchStrategy[Any]:
    good = st.text(ALNUM, min_size=8, max_size=8)
    bad = st.one_of(
        st.builds(lambda s, tail: s + tail, good, st.sampled_from(["\n", " ", "/..", "\x00"])),
        odd_ids(),
        junk(),
    )
    return sometimes(good, bad)

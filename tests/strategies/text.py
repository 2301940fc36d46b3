"""Text and JSON junk: names and descriptions as people (and broken tools) write them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

#: Strings that have broken (or could break) a parser, a file name, a feed or a page.
NASTY = (
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\x00",
    "\x0b\x0c\x1c\x1d\x1e",
    "\x1b[31mred\x1b[0m",
    "\x7f",
    "\x85",
    "\x9b",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\u202eevil\u202c",
    "\u200b",
    "\ud800",  # a lone surrogate: json.loads gives these for "\\ud800"
    "\udfff tail",
    "مرحبا بالعالم",
    "שלום עולם",
    "🎉🎄👩🏽‍💻",
    "café naïve",
    "ﬁnance",
    "Ⅻ",
    "<script>alert(1)</script>",
    "<b>bold</b> & 'single' \"double\"",
    "&amp; &lt; &#0; &#x110000;",
    "BEGIN:VEVENT\r\nUID:evil\r\nEND:VEVENT",
    "x\rBEGIN:VEVENT\rUID:evil",
    "a,b;c\\d:e",
    "END:VCALENDAR",
    "../../etc/passwd",
    "..",
    ".",
    "/abs/path",
    "C:\\Windows\\system32",
    "CON",
    "NUL",
    "aux.txt",
    "---\ntitle: injected\n---",
    "{slug}{card_id}{0}",
    "%s %d %(x)s",
    "# heading",
    "[x](javascript:alert(1))",
    "[y](http://[bad-ipv6)",
    "<http://[::1>",
    "![img](data:text/html,<script>)",
    "```\ncode <b>\n```",
    "x" * 300,
)
LONG = (("word " * 4000) + "end", "x" * 20_000, "🎉" * 5000)


def texts(max_size: int = 30) -> st.SearchStrategy[str]:
    """Any text a card, list or label could carry (or a broken tool could put there)."""
    return st.one_of(
        st.text(max_size=max_size),
        st.sampled_from(NASTY),
        st.lists(st.sampled_from(NASTY) | st.text(max_size=6), max_size=4).map("".join),
        st.sampled_from(LONG),
    )


def names(max_size: int = 30) -> st.SearchStrategy[str]:
    """Mostly ordinary names, sometimes nasty ones."""
    plain = st.text(st.characters(codec="ascii", categories=("L", "N", "Zs")), max_size=max_size)
    return st.one_of(plain, texts(max_size))


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**308, max_value=10**400),  # more than a float holds
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.sampled_from(NASTY[:20]),
)


def junk() -> st.SearchStrategy[Any]:
    """Any JSON value: what a damaged export may hold where an object or a string belongs."""
    return st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
        max_leaves=6,
    )


@st.composite
def sometimes(draw: st.DrawFn, good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
    """``good`` four times in five; ``bad`` otherwise (shrinking prefers ``good``)."""
    return draw(bad) if draw(st.integers(0, 4)) == 4 else draw(good)

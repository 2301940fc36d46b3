"""Text from outside (card names, dates, server answers) made fit for our messages and files.

Boards and calendars hold whatever people and tools put there: line breaks in a card name,
terminal escape codes, lone UTF-16 surrogates (JSON allows ``"\\ud800"``; UTF-8 cannot hold it),
a 20,000-character "date". ``valid`` makes a string encodable; ``one_line`` makes it one line
that cannot break a report or a terminal; ``quoted`` shows a bad value in a message, short;
``plural`` counts things in one.
"""

from __future__ import annotations

import re

#: Line and paragraph breaks, tabs and the like: each run becomes one space.
_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]+")
#: Other control characters (C0, DEL, C1), which a terminal may act on: dropped.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def valid(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD, so that it encodes as UTF-8."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def one_line(text: str) -> str:
    """``text`` on one line: breaks become spaces, control characters go."""
    return _CONTROLS.sub("", _BREAKS.sub(" ", valid(text)))


def quoted(value: object, limit: int = 60) -> str:
    """A value for a message: ``"text"`` on one line, cut to ``limit`` characters; other
    values by their ``repr``, cut the same way."""
    text = one_line(value) if isinstance(value, str) else one_line(repr(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"' if isinstance(value, str) else text


def plural(count: int, word: str, words: str = "") -> str:
    """``plural(1, "card")`` → "1 card"; ``plural(2, "card")`` → "2 cards"."""
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"

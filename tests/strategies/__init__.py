"""Hypothesis strategies for the bad input otg-sync must survive.

- ``texts()``: names and descriptions as people (and broken tools) write them: emoji, right-to-left
  scripts, control characters, lone surrogates, HTML, iCalendar and Markdown specials, path
  tricks and very long strings;
- ``junk()``: any JSON value, for a key whose value should have been something else;
- ``trello_dates()``: Trello dates, good ones and nonsense (year 0001, offsets that overflow,
  impossible days, non-strings);
- ``board_exports(role)``: a whole Trello board export in the shapes of 2014 to 2025 (keys
  missing, unknown keys added, junk where objects belong), with cards in every list and state,
  custom fields of every type with bad values, labels with empty names and null colours, history;
- ``export_files(role)``: the bytes of an export file, sometimes truncated or not UTF-8;
- ``content_cards()``: model ``Card`` objects for the drafts;
- ``calendar_resources()``: the text of one CalDAV resource in every dialect (UTC, TZID, floating,
  all-day, DURATION, RRULE, missing fields) and plain garbage;
- ``config_tables()``: what ``tomllib`` could return for an otg.toml, right and wrong.

Each strategy mostly draws well-formed values and mangles some, so that examples reach the deep
paths (a card that becomes an event) as well as the defensive ones; shrinking heads for the
well-formed end, so a failure shrinks to the one bad value that matters.

By theme: ``text`` (names, junk), ``dates``, ``ids``, ``shapes`` (damaged objects), ``cards``
(one card of an export), ``exports`` (whole boards and files), ``content`` (model cards),
``calendar`` (CalDAV resources), ``config`` (TOML tables).
"""

from __future__ import annotations

from tests.strategies.calendar import calendar_resources
from tests.strategies.config import config_tables
from tests.strategies.content import content_cards
from tests.strategies.exports import board_exports, export_files, not_boards
from tests.strategies.text import junk, names, sometimes, texts

__all__ = [
    "board_exports",
    "calendar_resources",
    "config_tables",
    "content_cards",
    "export_files",
    "junk",
    "names",
    "not_boards",
    "sometimes",
    "texts",
]

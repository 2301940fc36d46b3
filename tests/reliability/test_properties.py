"""Generated bad input (tests/strategies.py): whatever arrives, otg-sync explains and goes on.

- parsing any export gives a board, or (only for JSON that is not a readable board: no board
  id, or no ``cards`` list) a ``SourceError``, and every card problem is one line;
- ``otg sync`` on any export file exits 0, 1 or 2 without a traceback, and reports every card it
  skipped with the reason;
- the feed of any events board parses cleanly, and no card text injects a property or an event;
- any calendar resource reads as an event or as unreadable with a reason, never an exception;
- any content card's draft stays in the drafts folder, escapes the card's text in its HTML, and
  keeps valid front matter;
- the config loader reports every problem of any table as a ``ConfigError`` naming the key, and a
  config it accepts can be used.

Each property runs ``OTG_FUZZ_EXAMPLES`` examples (default 30, so this file takes well under a
minute); ``OTG_FUZZ_EXAMPLES=2000 pytest tests/reliability/test_properties.py`` fuzzes for longer.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

import cli
import jobs.status
from config import BoardConfig, build_config, load_config
from config.calendar import CalendarConfig
from config.medium import MediumConfig
from sync.calendar import ical
from sync.calendar.ical_read import CalendarEvent, Unreadable, read_event
from sync.calendar.mapping import Skip, event_for
from sync.calendar.plan import calendar_records, plan_events
from sync.content.draft import draft_for
from sync.content.drafts_folder import files_for, html_file, markdown_file, write_draft
from sync.content.markdown_html import safe_url
from sync.dates import zone
from sync.errors import ConfigError, SourceError
from sync.model import Board, Role
from sync.text import one_line
from sync.trello.exports import read_export
from sync.trello.parse import parse_board
from tests.strategies import (
    board_exports,
    calendar_resources,
    config_tables,
    content_cards,
    export_files,
    names,
    not_boards,
    sometimes,
)

EXAMPLES = int(os.environ.get("OTG_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONDON = zone("Europe/London")
NOW = datetime(2026, 11, 21, 2, tzinfo=UTC)
CALENDAR = CalendarConfig(domain="oneteamgov.uk")
MEDIUM = MediumConfig(canonical_url="https://oneteamgov.uk/blog/{slug}")
ROLES = st.sampled_from(list(Role))
#: Characters a one-line message must not hold: they break lines, or a terminal.
BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def assert_one_line(text: str, limit: int | None = 600) -> None:
    assert text.strip(), "an empty message"
    assert not BREAKS.search(text), f"not one line: {text!r}"
    assert limit is None or len(text) <= limit, f"{len(text)} characters: {text[:200]!r}..."


def is_board(data: Any) -> bool:
    """A readable board: an object with a board id, a list of cards and a list of lists (maybe
    empty; but cards need lists to be in)."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("id"), str)
        and isinstance(data.get("cards"), list)
        and isinstance(data.get("lists"), list)
        and bool(data["lists"] or not data["cards"])
    )


def has_lone_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


# -- parsing -------------------------------------------------------------------------------------


@FUZZ
@given(role=ROLES, data=st.data())
def test_any_export_parses_to_a_board_or_says_it_is_not_one(role, data):
    export = data.draw(sometimes(board_exports(role), not_boards()))
    try:
        board = parse_board(export, role=role, source="export.json")
    except SourceError as exc:
        assert not is_board(export), f"a board refused: {exc}"
        assert_one_line(str(exc))
        if isinstance(export, dict) and isinstance(export.get("id"), str):  # no cards or lists
            assert "not a readable Trello board" in exc.message, exc.message
            assert "its cards are left as they were" in exc.message, exc.message
        return
    assert is_board(export), "a board without its cards or lists read as a board"
    for card in board.cards:
        for problem in card.problems:
            assert_one_line(problem)
        for text in (card.id, card.name, card.desc, card.url, card.short_link, card.list_name):
            assert not has_lone_surrogate(text), "a lone surrogate reached the model"
        assert card.coordinates is None or (
            -90 <= card.coordinates[0] <= 90 and -180 <= card.coordinates[1] <= 180
        )


# -- otg sync on any export file -----------------------------------------------------------------

LOOKS = ("check", "boards")  # the commands that only look, run first on the same file
SYNC_CONFIG = """\
state_db = "state.db"
output_dir = "out"
[boards.b]
role = "{role}"
source = "board.json"
[calendar]
domain = "oneteamgov.uk"
"""


def expected_skips(board: Board, role: Role, calendar: CalendarConfig) -> list[str]:
    """The line each card the sync must skip gets: the target, the card and the reason."""
    cards = {card.id: card for card in board.cards if card.visible}  # the last of a repeated id
    lines = []
    for card in cards.values() if role is Role.EVENTS else ():
        found = event_for(card, calendar, LONDON)
        if isinstance(found, Skip):
            lines.append(f"{'skipped':<16} {'calendar':<12} {one_line(found.title)} — ")
            lines[-1] += one_line(found.reason)
    for card in board.cards if role is Role.CONTENT else ():
        if card.visible and card.state == "ready":
            draft = draft_for(card, MEDIUM)
            if draft.problem:
                lines.append(f"{'skipped':<16} {'drafts':<12} {one_line(card.name)} — ")
                lines[-1] += one_line(draft.problem)
    return lines


@settings(FUZZ, max_examples=max(1, EXAMPLES * 2 // 3))
@given(role=ROLES, data=st.data())
def test_sync_on_any_export_file_reports_every_skip_and_never_a_traceback(role, data):
    """And `otg check` and `otg boards` on the same file: no traceback, no broken line."""
    content = data.draw(export_files(role))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "board.json").write_bytes(content)
        config = root / "otg.toml"
        config.write_text(SYNC_CONFIG.format(role=role.value), encoding="utf-8")
        cfg = load_config(config, environ={})
        looks = [CliRunner().invoke(cli.main, ["--config", str(config), c]) for c in LOOKS]
        result = CliRunner().invoke(cli.main, ["--config", str(config), "sync"])
        try:
            board = read_export(root / "board.json", cfg.boards[0])
        except SourceError as exc:
            board, unreadable = None, exc
        written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
        feed = root / "out" / "events.ics"
        if feed.exists():
            check_feed(feed.read_bytes())
    for run in (*looks, result):
        assert run.exception is None or isinstance(run.exception, SystemExit), run.output
        assert run.exit_code in (0, 1, 2), run.output
        assert "Traceback" not in run.output and "unexpected" not in run.output, run.output
        for line in run.output.splitlines():
            assert not BREAKS.search(line), f"a control character in the output: {line!r}"
    output = result.output
    lines = output.splitlines()
    if board is None:
        assert result.exit_code == 1
        assert f"failed: {one_line(str(unreadable))}" in lines
        return
    for line in expected_skips(board, role, cfg.calendar):
        assert line in lines, f"not reported: {line!r}\n{output}"
    warnings = [line for line in lines if line.startswith("warning:")]
    for problem in board.problems + tuple(p for card in board.cards for p in card.problems):
        assert any(one_line(problem) in line for line in warnings), problem
    assert all(p.startswith(("board.json", "otg.toml", "state.db", "out")) for p in written)


# -- the feed ------------------------------------------------------------------------------------

VEVENT_PROPERTIES = {
    "UID",
    "DTSTAMP",
    "LAST-MODIFIED",
    "SEQUENCE",
    "STATUS",
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "TRANSP",
    "LOCATION",
    "GEO",
    "DESCRIPTION",
    "URL",
}


def check_feed(content: bytes) -> Calendar:
    """RFC 5545 as a calendar client needs it, checked by hand (the library's is weak)."""
    assert content.endswith(b"END:VCALENDAR\r\n")
    for line in content.split(b"\r\n"):
        assert len(line) <= 75, line
        assert not re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", line), f"a control byte: {line!r}"
    text = content.decode("utf-8")  # valid UTF-8 throughout
    assert not re.search("[\x85\u2028\u2029]", text), "a Unicode line break in the feed"
    cal = Calendar.from_ical(content)
    assert not cal.errors and cal["VERSION"] == "2.0" and cal["PRODID"]
    assert [c.name for c in cal.subcomponents] == ["VEVENT"] * len(cal.subcomponents)
    for event in cal.walk("VEVENT"):
        assert not event.errors, event.errors
        assert set(event) <= VEVENT_PROPERTIES, set(event) - VEVENT_PROPERTIES
        for required in ("UID", "DTSTAMP", "DTSTART", "SEQUENCE", "STATUS"):
            assert required in event
        assert ("DTEND" in event) != ("DURATION" in event)
        assert event["STATUS"] in ("TENTATIVE", "CONFIRMED", "CANCELLED")
        assert event["DTSTAMP"].dt.tzinfo is not None
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert isinstance(start, datetime) == isinstance(end, datetime) and start < end
        if isinstance(start, datetime):
            assert start.tzinfo is not None
    return cal


@FUZZ
@given(export=board_exports(Role.EVENTS), name=names())
def test_the_feed_of_any_events_board_parses_cleanly(export, name):
    if not is_board(export):
        return
    board = parse_board(export, role=Role.EVENTS, source="events.json")
    stored = calendar_records({}, plan_events([board], {}, cfg=CALENDAR, tz=LONDON, now=NOW))
    # a day later every card is gone: each event is cancelled, and stays in the feed as such
    gone = Board(id=board.id, name=board.name, role=Role.EVENTS, source="events.json")
    later = plan_events([gone], stored, cfg=CALENDAR, tz=LONDON, now=NOW + timedelta(days=1))
    for records in (stored, calendar_records(stored, later)):
        content = ical.calendar(
            records.values(), name=name, refresh_minutes=60, timezone="Europe/London"
        )
        cal = check_feed(content)
        assert sorted(str(e["UID"]) for e in cal.walk("VEVENT")) == sorted(
            r.remote_id for r in records.values()
        )
        assert (
            ical.calendar(records.values(), name=name, refresh_minutes=60, timezone="Europe/London")
            == content
        )  # deterministic


# -- calendar resources --------------------------------------------------------------------------


@settings(FUZZ)
@given(text=calendar_resources())
def test_any_calendar_resource_reads_as_an_event_or_a_reason(text):
    found = read_event("/cal/event.ics", text, tz=LONDON, now=NOW)
    if isinstance(found, Unreadable):
        assert_one_line(found.reason)
        return
    assert isinstance(found, CalendarEvent)
    assert found.uid.strip() and found.summary.strip()
    assert isinstance(found.start, datetime) == isinstance(found.end, datetime)
    assert found.all_day == (not isinstance(found.start, datetime))
    assert found.start < found.end
    if isinstance(found.start, datetime):
        assert found.start.tzinfo is not None and found.end.tzinfo is not None
    assert found.status in ("CONFIRMED", "TENTATIVE", "CANCELLED")  # it may reach our feed
    json.dumps(found.fields())  # what the state store keeps


# -- content drafts ------------------------------------------------------------------------------

WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{d}{n}" for d in ("COM", "LPT") for n in "123456789"
}
BODY_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "a", "em", "strong", "code",
    "pre", "blockquote", "hr", "br", "img",
}  # fmt: skip
PAGE_TAGS = BODY_TAGS | {"html", "head", "meta", "title", "link", "body", "article"}
ATTRIBUTES = {"href", "src", "alt", "title", "charset", "name", "content", "rel", "lang"}
TAG = re.compile(r'<(/?)([a-z0-9]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*/?>')
ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def check_html(page: str, allowed: set[str]) -> _Page:
    """Card text is escaped: every ``<`` opens one of our tags, every ``&`` an entity, and
    attribute values hold no quote or bracket; links are http(s) or mailto."""
    for found in re.finditer("<", page):
        if page.startswith("<!DOCTYPE html>", found.start()):
            continue
        tag = TAG.match(page, found.start())
        assert tag and tag.group(2) in allowed, (
            f"unescaped: {page[found.start() : found.start() + 40]!r}"
        )
    for found in re.finditer("&", page):
        assert ENTITY.match(page, found.start()), (
            f"bare &: {page[found.start() : found.start() + 20]!r}"
        )
    parser = _Page()
    parser.feed(page)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in allowed and set(attrs) <= ATTRIBUTES, (tag, attrs)
        for name in ("href", "src"):
            if attrs.get(name) and tag != "link":
                assert safe_url(attrs[name] or ""), attrs
    return parser


def front_matter(text: str) -> dict[str, Any]:
    assert text.startswith("---\n")
    block, _, _ = text[4:].partition("\n---\n")
    assert len(block.splitlines()) == 5, block  # nothing injected a line
    return yaml.safe_load(block)


@FUZZ
@given(card=content_cards())
def test_any_cards_draft_stays_in_its_folder_and_escapes_the_card(card):
    draft = draft_for(card, MEDIUM)
    stem = draft.file_stem
    assert re.fullmatch(r"[A-Za-z0-9-]{1,100}", stem), stem
    assert stem.split("-")[0].upper() not in WINDOWS_DEVICES or "-" in stem
    if draft.problem:
        assert_one_line(draft.problem)
        assert draft.markdown == ""
        return
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "drafts"
        files, written = write_draft(folder, draft, MEDIUM)
        assert written and files == files_for(folder, draft)
        assert sorted(p.name for p in Path(root).rglob("*")) == sorted(
            ["drafts", files.markdown.name, files.html.name]
        )
        markdown = files.markdown.read_bytes().decode("utf-8")  # as written: no newline magic
        page = files.html.read_bytes().decode("utf-8")
    meta = front_matter(markdown)
    assert meta == {
        "title": draft.title,
        "tags": list(draft.tags),
        "card": draft.card_url,
        "canonical_url": draft.canonical_url,
        "license": "all-rights-reserved",
    }
    assert markdown == markdown_file(draft, MEDIUM) and page == html_file(draft)
    assert check_html(page, PAGE_TAGS).title == draft.title
    body = check_html(draft.html(), BODY_TAGS)
    assert body.tags[0][0] in BODY_TAGS


# -- the config ----------------------------------------------------------------------------------


def key_paths(table: Any, prefix: str = "", depth: int = 0) -> set[str]:
    """Every key a problem may name: the keys present (list names quoted, as messages do)
    and the required ones of the tables present."""
    paths = {"boards"}
    if not isinstance(table, dict):
        return paths
    for key, value in table.items():
        path = f"{prefix}{key}"
        paths.add(path)
        if not isinstance(value, dict):
            continue
        paths |= key_paths(value, path + ".", depth + 1)
        if depth == 1 and prefix == "boards.":
            paths |= {f"{path}.role", f"{path}.source"}
            if isinstance(value.get("lists"), dict):
                paths |= {f'{path}.lists."{name}"' for name in value["lists"]}
        if depth == 1 and path == "calendar.caldav":
            paths.add("calendar.caldav.url")
    return paths


@FUZZ
@given(raw=config_tables())
def test_any_config_table_is_a_config_or_problems_that_name_their_key(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "otg.toml"
        try:
            cfg = build_config(raw, path, environ={})
        except ConfigError as exc:
            paths = {one_line(p) for p in key_paths(raw)}  # messages put keys on one line
            for problem in exc.problems:
                assert_one_line(problem, limit=None)  # the user's own keys, in full
                assert any(problem.startswith(f"{p}: ") for p in paths), problem
            return
    # a config the loader accepts can be used: its numbers and names fit what they are for
    ical.calendar(
        [],
        name=cfg.calendar.name,
        refresh_minutes=cfg.calendar.refresh_minutes,
        timezone=cfg.timezone,
    )
    jobs.status.schedule_rows(cfg, NOW)
    for days in (
        cfg.trello.history_days,
        cfg.calendar.keep_cancelled_days,
        cfg.roundup.coming_days,
    ):
        assert NOW - timedelta(days=days) < NOW + timedelta(days=days)
    NOW + timedelta(minutes=cfg.calendar.default_duration_minutes)
    assert 0 < cfg.trello.timeout < float("inf") and cfg.calendar.refresh_minutes > 0
    assert all(isinstance(b, BoardConfig) for b in cfg.boards)
    assert date.min < NOW.date()
    assert "\x00" not in str(cfg.state_db) + str(cfg.output_dir)
    html.escape(cfg.calendar.name)

"""Generated board exports (tests/strategies.py): whatever arrives, otg-sync explains and goes on.

- parsing any export gives a board, or (only for JSON that is not a readable board: no board
  id, or no ``cards`` list) a ``SourceError``, and every card problem is one line;
- ``otg sync`` on any export file exits 0, 1 or 2 without a traceback, and reports every card it
  skipped with the reason (and ``otg check`` and ``otg boards`` on the same file print no
  traceback either).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import cli
from config import load_config
from config.calendar import CalendarConfig
from sync.calendar.mapping import Skip, event_for
from sync.content.draft import draft_for
from sync.errors import SourceError
from sync.model import Board, Role
from sync.text import one_line
from sync.trello.exports import read_export
from sync.trello.parse import parse_board
from tests.reliability.property_checks import (
    BREAKS,
    EXAMPLES,
    FUZZ,
    LONDON,
    MEDIUM,
    ROLES,
    assert_one_line,
    check_feed,
    is_board,
)
from tests.strategies import board_exports, export_files, not_boards, sometimes


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

"""Real Trello exports (2014–2025 formats) and the bundled demo boards read without error."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

import cli
from config import BoardConfig
from sync.errors import SourceError
from sync.model import Role
from sync.trello.done import HISTORY, done
from sync.trello.exports import read_export
from tests.conftest import DEMO_BOARDS, SHARED_BOARDS

SHARED = [
    "gocd-test-drive-2019.json",
    "volunteerbridge-2020.json",
    "tekken-notes-2025.json",
    "trellocms-2014.json",
]


@pytest.mark.parametrize("name", SHARED)
@pytest.mark.parametrize("role", list(Role))
def test_every_shared_export_reads_in_every_role(shared_boards, name, role):
    raw = json.loads((shared_boards / name).read_text(encoding="utf-8"))
    board = read_export(shared_boards / name, BoardConfig("b", role, name))
    assert board.id == raw["id"] and board.name == raw["name"]
    assert len(board.cards) == len(raw["cards"])
    assert {card.id for card in board.cards if card.closed} == {
        c["id"] for c in raw["cards"] if c.get("closed")
    }
    assert not [card.problems for card in board.cards if card.problems]


def test_the_2019_export_knows_its_archived_lists_deleted_card_and_completions(shared_boards):
    board = read_export(
        shared_boards / "gocd-test-drive-2019.json", BoardConfig("b", Role.MICROACTIONS, "x")
    )
    assert board.state_counts()["archived"] == 78
    assert sum(1 for lst in board.lists if lst.closed) == 12
    assert len(board.deleted) >= 1 and board.actions_read == 1000
    done = board.cards_in("done")
    assert done and all(card.completed_at for card in done)


def test_the_2014_export_without_start_or_due_complete(shared_boards):
    board = read_export(shared_boards / "trellocms-2014.json", BoardConfig("b", Role.EVENTS, "x"))
    assert all(card.start is None and card.due_complete is False for card in board.cards)


@pytest.mark.skipif(not SHARED_BOARDS.is_dir(), reason="../shared/boards is not present")
@pytest.mark.parametrize("cut", [0.1, 0.5, 0.99])
def test_a_truncated_export_is_one_clear_line(tmp_path, cut):
    text = (SHARED_BOARDS / "volunteerbridge-2020.json").read_text(encoding="utf-8")
    path = tmp_path / "cut.json"
    path.write_text(text[: int(len(text) * cut)], encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_export(path, BoardConfig("vb", Role.CONTENT, str(path)))
    message = str(caught.value)
    assert message.startswith(f'board "vb": {path} is not valid JSON (line ')
    assert "the export may be truncated — export the board again" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "is not valid JSON"),
        (b"\xff\xfe\x00garbage", r"x.json is not UTF-8 text \(a Trello export is\) — export"),
        (b'["a list, not a board"]', "not a Trello board"),
    ],
)
def test_files_that_are_not_exports(tmp_path, content, expected):
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=expected):
        read_export(path, BoardConfig("x", Role.EVENTS, str(path)))


def test_a_board_source_that_is_a_folder_says_so_and_what_to_set(tmp_path, write_config, runner):
    folder = tmp_path / "adir.json"
    folder.mkdir()
    config = write_config(f"""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "{folder}"
    """)
    message = (
        f'board "events": {folder} is a folder, not a board export file — set '
        "boards.events.source to the export's .json file"
    )
    sync = runner.invoke(cli.main, ["--config", str(config), "sync"])
    assert sync.exit_code == 1
    assert f"failed: {message}\n" in sync.stderr
    assert "Errno" not in sync.output
    boards = runner.invoke(cli.main, ["--config", str(config), "boards"])
    assert boards.exit_code == 1
    assert boards.stderr == f"error: {message}\n"


@pytest.mark.parametrize(
    "name, role",
    [("microactions", Role.MICROACTIONS), ("events", Role.EVENTS), ("content", Role.CONTENT)],
)
def test_the_demo_boards_map_every_open_list(name, role):
    board = read_export(DEMO_BOARDS / f"{name}.json", BoardConfig(name, role, name))
    assert all(lst.state for lst in board.lists if not lst.closed)
    assert not [card.problems for card in board.cards if card.problems]
    if role is not Role.CONTENT:  # the content demo has neither
        assert any(not card.visible for card in board.cards) and board.deleted


def test_demo_microactions_completion_times_come_from_history():
    board = read_export(DEMO_BOARDS / "microactions.json", BoardConfig("m", Role.MICROACTIONS, "m"))
    found = [done(card) for card in board.cards_in("done")]
    assert found and all(f is not None and f.source == HISTORY for f in found)
    moved = [card.completed_at for card in board.cards_in("done")]
    assert moved.count(None) <= 2  # the move, else Trello's record of the tick


@pytest.mark.parametrize(
    "damage, said",
    [
        (lambda data: data.update(cards="junk"), '("cards" is "junk", not a list)'),
        (lambda data: data.pop("cards"), '(no "cards" list)'),
        (lambda data: data.pop("lists"), '(no "lists" list)'),
        (lambda data: data.update(lists=None), '(no "lists" list)'),
    ],
)
def test_a_damaged_export_fails_its_board_and_cancels_nothing(tmp_path, damage, said):
    """A good sync, then the events export loses its cards list: that board fails (exit 1) with
    one line naming it and the fix, the other boards go on, and the feed keeps every event."""
    boards = tmp_path / "boards"
    shutil.copytree(DEMO_BOARDS, boards)
    config = tmp_path / "otg.toml"
    config.write_text(
        'state_db = "state.db"\noutput_dir = "out"\n[calendar]\ndomain = "oneteamgov.uk"\n'
        + "".join(
            f'[boards.{name}]\nrole = "{name}"\nsource = "boards/{name}.json"\n'
            for name in ("microactions", "events")
        ),
        encoding="utf-8",
    )
    runner = CliRunner()
    good = runner.invoke(cli.main, ["--config", str(config), "sync"])
    assert good.exit_code == 0, good.output
    feed = tmp_path / "out" / "events.ics"
    before = feed.read_bytes()
    assert b"STATUS:CONFIRMED" in before and b"STATUS:CANCELLED" not in before

    export = boards / "events.json"
    data = json.loads(export.read_text(encoding="utf-8"))
    damage(data)
    export.write_text(json.dumps(data), encoding="utf-8")
    damaged = runner.invoke(cli.main, ["--config", str(config), "sync"])
    assert damaged.exit_code == 1, damaged.output
    [failed] = [line for line in damaged.output.splitlines() if line.startswith("failed:")]
    assert failed == (
        f'failed: board "events": {export}: not a readable Trello board {said}; its cards are '
        "left as they were — export the board again from Trello: Menu › Print, export and share"
    )
    assert "cancel" not in damaged.output
    assert damaged.stdout.splitlines()[-1].startswith("1 board read;"), damaged.output
    assert feed.read_bytes() == before

    check = runner.invoke(cli.main, ["--config", str(config), "check"])
    assert check.exit_code == 1, check.output
    reason = failed.removeprefix('failed: board "events": ')
    assert f"FAIL board events: {reason}" in check.output.splitlines()  # the name said once
    assert "ok  board microactions: " in check.output

"""List names → states as people write them: exact names first, folded names second, entries
that still collide a config error, and boards whose lists fold together or map to nothing told
so by `otg check` and `otg boards` (issue 15, parts 2 and 3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

import jobs.sync
from cli import main
from config import load_config
from sync.errors import ListCollision
from sync.model import Role
from sync.state.store import State
from sync.trello.lists import state_for
from tests.fakes.kept_boards import events, export, write

NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)
COLLIDING = {"Done 🎉": "done", "Done": "ignore"}


def test_an_exact_name_wins_over_a_folded_one():
    assert state_for(Role.EVENTS, "Done 🎉", COLLIDING) == "done"
    assert state_for(Role.EVENTS, "Done", COLLIDING) == "ignore"
    assert state_for(Role.EVENTS, "✅ Confirmed!", {"confirmed": "planning"}) == "planning"


def test_entries_that_still_collide_name_both():
    with pytest.raises(ListCollision) as caught:
        state_for(Role.EVENTS, "DONE", COLLIDING)
    assert str(caught.value) == (
        'list "DONE" matches "Done 🎉" = "done" and "Done" = "ignore" in [boards.<name>.lists] '
        "once case, emoji and punctuation are set aside — add an entry with its exact name "
        '("DONE" = ...), or remove one of them'
    )
    # entries that fold together but agree are no collision
    assert state_for(Role.EVENTS, "DONE", {"Done 🎉": "done", "Done": "done"}) == "done"


def two_boards(tmp_path, write_config, lists: str):
    write(tmp_path / "events.json", events({"Confirmed": 1, "DONE": 1}))
    write(tmp_path / "other.json", events({"Confirmed": 1}, board_id="5f0000000000000000000c01"))
    return write_config(f"""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "events.json"
        [boards.events.lists]
        {lists}
        [boards.other]
        role = "events"
        source = "other.json"
        [calendar]
        domain = "oneteamgov.uk"
    """)


def test_a_colliding_mapping_fails_its_board_with_exit_2_and_the_others_go_on(
    tmp_path, write_config, runner
):
    path = two_boards(tmp_path, write_config, '"Done 🎉" = "done"\n"Done" = "ignore"')
    cfg = load_config(path)
    with State(cfg.state_db) as state:
        report = jobs.sync.run(cfg, state, now=NOW)
    assert report.exit_code == 2
    [failure] = report.failures
    assert failure.startswith('board "events": list "DONE" matches "Done 🎉" = "done" and "Done"')
    assert [o.kind for o in report.outcomes if o.target == "calendar"] == ["create"]
    result = runner.invoke(main, ["sync", "--config", str(path)])
    assert result.exit_code == 2
    assert 'failed: board "events": list "DONE" matches' in result.output


def test_otg_check_warns_of_lists_that_fold_together(tmp_path, write_config, runner):
    data = export(["Confirmed", "Done", "done!"], [{"list": "Done"}, {"list": "done!"}])
    write(tmp_path / "events.json", data)
    path = write_config("""
        [boards.events]
        role = "events"
        source = "events.json"
    """)
    result = runner.invoke(main, ["check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        'warn board events: lists "Done" and "done!" are the same name once case, emoji and '
        "punctuation are set aside" in result.output
    )


def unmapped_board(tmp_path, write_config):
    lists = ["Backlog 2019", "Someday", "Shipped", "Confirmed"]
    cards = [{"list": name} for name in lists[:3] for _ in range(2)] + [{"list": "Confirmed"}]
    write(tmp_path / "events.json", export(lists, cards))
    return write_config("""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "events.json"
    """)


def test_a_board_where_nothing_maps_is_a_warning_in_check_and_boards(
    tmp_path, write_config, runner
):
    path = unmapped_board(tmp_path, write_config)
    said = (
        'board events: 6 of its 7 cards sit in lists that map to nothing ("Backlog 2019", '
        '"Someday", "Shipped"), so the sync leaves them alone — map them under '
        '[boards.events.lists] (e.g. "Backlog 2019" = one of proposed, planning, confirmed, '
        "cancelled, done), or see `otg init --from`"
    )
    check = runner.invoke(main, ["check", "--config", str(path)])
    assert check.exit_code == 0
    assert f"warn {said}" in check.output
    boards = runner.invoke(main, ["boards", "--config", str(path)])
    assert boards.exit_code == 0
    assert "  warning: 6 of its 7 cards sit in lists that map to nothing" in boards.output
    data = json.loads(runner.invoke(main, ["boards", "--config", str(path), "--json"]).output)
    assert data["boards"][0]["warnings"][0].startswith("6 of its 7 cards sit in lists")


def test_a_board_mostly_mapped_has_no_warning(tmp_path, write_config, runner):
    write(tmp_path / "events.json", events({"Confirmed": 3, "Someday": 1}))
    path = write_config("""
        [boards.events]
        role = "events"
        source = "events.json"
    """)
    result = runner.invoke(main, ["check", "--config", str(path)])
    assert "warn" not in result.output


def test_a_guess_reads_the_words_of_a_list_name():
    from sync.trello.advice import propose_lists
    from sync.trello.parse import parse_board

    lists = ["Backlog/Future Work", "To-Do", "Shipped 🚀", "Misc"]
    board = parse_board(export(lists, []), role=Role.MICROACTIONS, source="x")
    assert [(p.name, p.state, p.sure) for p in propose_lists(board, Role.MICROACTIONS)] == [
        ("Backlog/Future Work", "idea", False),
        ("To-Do", "idea", True),
        ("Shipped 🚀", "ignore", False),
        ("Misc", "ignore", False),
    ]

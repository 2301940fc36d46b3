"""The version of each board's kept history (migration 2): new with every change to its rows,
however made, never reused after a change is rolled back. A board kept between runs
(sync/trello/snapshots.py) is trusted only while the version it was built with holds."""

from __future__ import annotations

import sqlite3

import pytest

from sync.state.migrations import MIGRATIONS, SCHEMA_VERSION, statements
from sync.state.store import State


def entry(action_id: str, text: str = "a") -> dict[str, str]:
    return {"id": action_id, "date": "2026-11-01T10:00:00.000Z", "type": "commentCard", "x": text}


@pytest.fixture
def state(tmp_path):
    with State(tmp_path / "state.db") as opened:
        yield opened


def test_a_board_with_no_kept_history_has_the_databases_id_alone(state, tmp_path):
    """Never "" alone: a snapshot made on one database is never taken for another's board."""
    with State(tmp_path / "another.db") as another:
        ours, theirs = state.kept_version("board"), another.kept_version("board")
    assert ours.endswith(":") and theirs.endswith(":") and ours != theirs != ":"
    assert state.kept_version("board") == ours  # the id is the database's, kept in it


def test_every_change_to_a_boards_rows_gives_a_new_version(state):
    seen = [state.kept_version("b")]
    state.save_actions("b", [entry("1")])
    seen.append(state.kept_version("b"))
    state.save_actions("b", [entry("1", "changed")])  # an entry Trello changed
    seen.append(state.kept_version("b"))
    state.db.execute("DELETE FROM board_actions WHERE id = '1'")  # by hand, in a sqlite3 shell
    seen.append(state.kept_version("b"))
    assert len(set(seen)) == 4 and all(not v.endswith(":") for v in seen[1:])


def test_a_change_to_one_board_leaves_the_others_version(state):
    state.save_actions("a", [entry("1")])
    state.save_actions("b", [entry("2")])
    before = state.kept_version("a")
    state.save_actions("b", [entry("3")])
    assert state.kept_version("a") == before


def test_an_entry_another_board_saves_again_changes_the_board_it_belongs_to(state):
    """Action ids are one key for every board: a second board's copy of an entry rewrites the
    first board's row, and so the first board's history."""
    state.save_actions("a", [entry("1")])
    before = state.kept_version("a")
    state.save_actions("b", [entry("1", "from b")])
    assert state.kept_version("a") != before


def test_a_rolled_back_change_never_leaves_its_version_for_another(state):
    state.save_actions("b", [entry("1")])
    kept = state.kept_version("b")
    inside = ""
    with pytest.raises(RuntimeError), state.transaction():
        state.save_actions("b", [entry("2")])
        inside = state.kept_version("b")
        raise RuntimeError("the run stops")
    assert state.kept_version("b") == kept != inside
    state.save_actions("b", [entry("3")])  # another change: a counter would give `inside` again
    assert state.kept_version("b") not in (kept, inside)


def test_a_database_of_the_first_schema_is_brought_up_with_its_rows(tmp_path):
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    for statement in statements(MIGRATIONS[0]):
        raw.execute(statement)
    for action_id, board_id in (("1", "b"), ("2", "b"), ("3", "c")):
        raw.execute(
            "INSERT INTO board_actions VALUES (?, ?, '2026-01-01', '{}')", (action_id, board_id)
        )
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    with State(path) as state:
        assert state.version == SCHEMA_VERSION == 2
        assert [row[0] for row in state.action_rows("b")] == ["2", "1"]
        assert state.kept_version("b") != state.kept_version("c")
        migrated = state.kept_version("b")
        assert not migrated.endswith(":")  # its rows have a version from the first
        state.save_actions("b", [entry("2")])
        assert state.kept_version("b") != migrated


def test_a_trigger_with_its_semicolons_is_one_statement():
    created = [s for s in statements(MIGRATIONS[1]) if s.startswith("CREATE TRIGGER")]
    assert len(created) == 3 and all(s.endswith("END") and s.count(";") >= 1 for s in created)

"""The state store: migrations, refusing a newer database, and each table's unit of work."""

from __future__ import annotations

import json
import sqlite3

import pytest

from sync.errors import StateError
from sync.state.migrations import SCHEMA_VERSION
from sync.state.records import SyncedItem
from sync.state.store import State


@pytest.fixture
def state(tmp_path):
    with State(tmp_path / "state.db") as store:
        yield store


def test_a_new_database_is_migrated_and_uses_wal(state):
    assert state.version == SCHEMA_VERSION
    assert state.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_does_not_migrate_again(tmp_path):
    State(tmp_path / "s.db").close()
    with State(tmp_path / "s.db") as again:
        assert again.version == SCHEMA_VERSION


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "s.db"
    State(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StateError, match="written by a newer otg-sync") as caught:
        State(path)
    assert "upgrade otg-sync" in str(caught.value)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "s.db"
    path.write_text("not sqlite at all, just some text that is long enough" * 20)
    with pytest.raises(StateError, match="cannot be used"):
        State(path)


def test_a_failed_unit_of_work_leaves_nothing_behind(state):
    with pytest.raises(RuntimeError), state.transaction() as db:
        db.execute("INSERT INTO bookmarks VALUES ('x', 'y', 'z')")
        raise RuntimeError("crash mid-way")
    assert state.bookmark("x") is None


def test_bookmarks(state):
    assert state.bookmark("b") is None
    state.set_bookmark("b", "2026-11-21T00:00:00.000Z")
    state.set_bookmark("b", "2026-11-22T00:00:00.000Z")
    assert state.bookmark("b") == "2026-11-22T00:00:00.000Z"


def test_board_history_is_upserted_and_read_newest_first(state):
    state.save_actions(
        "B", [{"id": "a1", "date": "2026-01-01"}, {"id": "a2", "date": "2026-02-01"}]
    )
    state.save_actions("B", [{"id": "a1", "date": "2026-01-01", "type": "x"}])
    kept = [(action_id, json.loads(text)) for action_id, text in state.action_rows("B")]
    assert [action_id for action_id, _ in kept] == ["a2", "a1"]
    assert kept[1][1] == {"id": "a1", "date": "2026-01-01", "type": "x"}
    assert list(state.action_rows("other")) == []


def test_synced_items(state):
    item = SyncedItem("feed", "card1", remote_id="uid1", hash="h", sequence=2, data={"a": 1})
    state.put_item(item)
    assert state.item("feed", "card1") == item
    assert list(state.items("feed")) == ["card1"]
    state.delete_item("feed", "card1")
    assert state.item("feed", "card1") is None


def test_items_holding_a_key_leave_the_others_undecoded(state):
    """`otg status` looks for the drafts whose files are gone: records in another status, or
    whose data lacks the key, are not read; one that only mentions it in a value may be."""
    for key, status, data in (
        ("gone", "drafted", {"files_gone": ["a.md"], "title": "T"}),
        ("emptied", "drafted", {"files_gone": []}),
        ("kept", "drafted", {"title": "files_gone"}),
        ("quoted", "drafted", {"title": '"files_gone"'}),
        ("published", "published", {"files_gone": ["b.md"]}),
    ):
        state.put_item(SyncedItem("content", key, status=status, data=data))
    state.put_item(SyncedItem("feed", "other", status="drafted", data={"files_gone": ["c"]}))
    found = state.items_holding("content", "drafted", "files_gone")
    # "kept" has it as a value: read, and left out by the caller, which looks at the key
    assert sorted(item.key for item in found) == ["emptied", "gone", "kept"]
    assert {item.key: item for item in found}["gone"] == state.item("content", "gone")


def test_intents_are_recorded_before_and_settled_after(state):
    intent_id = state.open_intent("medium-post", "card1", {"title": "T"})
    [pending] = state.intents(status="pending")
    assert (pending.id, pending.key, pending.payload) == (intent_id, "card1", {"title": "T"})
    state.settle_intent(intent_id, "done", {"url": "https://medium.com/p/1"})
    assert state.intents(status="pending") == []
    assert state.intents("medium-post")[0].result == {"url": "https://medium.com/p/1"}


def test_runs_are_recorded(state):
    run_id = state.start_run("sync")
    state.finish_run(run_id, "ok", {"cards": 3})
    [run] = state.runs()
    assert (run.job, run.status, run.summary, run.finished_at is not None) == (
        "sync",
        "ok",
        {"cards": 3},
        True,
    )


# -- a dry run's copy ------------------------------------------------------------------------------


def test_a_dry_run_reads_a_copy_and_never_writes(tmp_path):
    path = tmp_path / "s.db"
    with State(path) as state:
        state.set_bookmark("b", "1")
    before = (path.read_bytes(), path.stat().st_mtime_ns, sorted(tmp_path.iterdir()))
    with State.for_dry_run(path) as copy:
        assert copy.bookmark("b") == "1"
        with pytest.raises(StateError, match="a dry run tried to write to the state database"):
            copy.set_bookmark("b", "2")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            copy.db.execute("DELETE FROM bookmarks")  # refused below transaction() too
    assert (path.read_bytes(), path.stat().st_mtime_ns, sorted(tmp_path.iterdir())) == before


def test_a_dry_run_on_a_fresh_machine_starts_from_an_empty_state(tmp_path):
    with State.for_dry_run(tmp_path / "no" / "s.db") as copy:
        assert copy.version == SCHEMA_VERSION and copy.runs() == []
    assert list(tmp_path.iterdir()) == []


def test_a_dry_run_brings_an_older_schema_up_to_date_in_its_copy_only(tmp_path):
    path = tmp_path / "s.db"
    sqlite3.connect(path).close()  # schema 0: no tables yet
    with State.for_dry_run(path) as copy:
        assert copy.version == SCHEMA_VERSION and copy.runs() == []
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 0
    raw.close()


def test_a_dry_run_refuses_a_database_from_a_newer_version(tmp_path):
    path = tmp_path / "s.db"
    State(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StateError, match=f"has schema {SCHEMA_VERSION + 1}") as caught:
        State.for_dry_run(path)
    assert "upgrade otg-sync" in caught.value.fix

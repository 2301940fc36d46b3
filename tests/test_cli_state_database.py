"""The state database as the `otg` command line meets it: one line with the fix (restore it, or run
as a user that can read it) when it cannot be used, and `otg check` reading it without a trace."""

from __future__ import annotations

import sqlite3

import pytest

import cli
from config import EXAMPLE
from tests.running_otg import invoke


def state_db_and_events_config(write_config, output_dir: str | None = None):
    """A config with ``state.db`` beside it, the example's events board and no other."""
    output = f'output_dir = "{output_dir}"' if output_dir else ""
    return write_config(f"""
        state_db = "state.db"
        {output}
        [boards.events]
        role = "events"
        source = "{EXAMPLE.parent / "boards" / "events.json"}"
    """)


def test_check_leaves_no_file_beside_a_state_database_at_rest(runner, write_config, tmp_path):
    path = state_db_and_events_config(write_config, output_dir="out")
    assert invoke(runner, "--config", str(path), "sync").exit_code == 0
    before = sorted(p.name for p in tmp_path.iterdir())
    assert "state.db-wal" not in before  # the sync closed it: at rest

    result = invoke(runner, "--config", str(path), "check")

    assert result.exit_code == 0, result.output
    assert f"ok  state: {tmp_path / 'state.db'} (schema" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "args",
    [["status"], ["ledger", "list"], ["sync", "--dry-run"], ["roundup", "--dry-run"], ["sync"]],
)
def test_a_state_database_that_is_not_sqlite_gets_the_restore_advice(
    runner, write_config, tmp_path, args
):
    path = state_db_and_events_config(write_config)
    (tmp_path / "state.db").write_text("not a database")
    result = runner.invoke(cli.main, ["--config", str(path), *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    verb = "used" if args == ["sync"] else "read"
    assert result.stderr == (
        f"error: state database {tmp_path / 'state.db'} cannot be {verb}: file is not a "
        "database — restore it from a backup, or move it aside to start afresh\n"
    )


def test_a_state_database_this_user_cannot_open_gets_the_permissions_advice(
    runner, write_config, tmp_path, monkeypatch
):
    path = state_db_and_events_config(write_config)
    invoke(runner, "--config", str(path), "sync")
    refused = sqlite3.OperationalError("unable to open database file")
    refused.sqlite_errorname = "SQLITE_CANTOPEN"  # what SQLite says for a file it may not read

    def connect(*args, **kwargs):
        raise refused

    monkeypatch.setattr("sync.state.store.sqlite3.connect", connect)
    result = runner.invoke(cli.main, ["--config", str(path), "status"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: state database {tmp_path / 'state.db'} cannot be read: it cannot be opened — "
        "run as a user that can read it and its folder (the user otg-sync runs as)\n"
    )


def test_check_finds_a_state_database_or_output_folder_that_cannot_be_used(
    runner, write_config, tmp_path
):
    path = state_db_and_events_config(write_config, output_dir="out")
    fresh = invoke(runner, "--config", str(path), "check")
    assert fresh.exit_code == 0
    assert f"ok  state: {tmp_path / 'state.db'} (created by the first sync)" in fresh.output
    (tmp_path / "state.db").write_text("not a database")
    (tmp_path / "out").write_text("a file where the folder goes")
    bad = invoke(runner, "--config", str(path), "check")
    assert bad.exit_code == 1
    assert (
        f"FAIL state: {tmp_path / 'state.db'} cannot be read: file is not a database — restore "
        "it from a backup, or move it aside to start afresh"
    ) in bad.output
    assert f"FAIL output: {tmp_path / 'out'} is not a folder — set output_dir to a folder" in (
        bad.output
    )
    assert not (tmp_path / "state.db-wal").exists()  # check opened it read-only

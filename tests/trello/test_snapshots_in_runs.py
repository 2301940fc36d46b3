"""Boards kept between runs as runs meet them: every real export loads as it was read, seeded
nights of what organisers do leave the same boards and kept history as reads without snapshots,
a printed roundup after the sync says what a fresh read says, and a sync prunes and never trusts
another database's snapshots."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import replace as dataclass_replace
from typing import Any

import pytest

from config import BoardConfig
from sync.model import Role
from sync.state.store import State
from sync.trello import exports, snapshots
from sync.trello.exports import read_export
from sync.trello.snapshots import Snapshots, folder_for
from tests.trello.snapshot_place import Place, same


@pytest.mark.parametrize("role", list(Role))
def test_every_real_export_loads_as_the_board_it_was_read_as(shared_boards, tmp_path, role):
    """Every format from 2014 to 2025: what is loaded is exactly what was read."""
    with State(tmp_path / "state.db") as state:
        kept = Snapshots(folder_for(tmp_path / "state.db"), ["b"])
        for path in sorted(shared_boards.glob("*.json")):
            board = BoardConfig("b", role, str(path))
            read = read_export(path, board, state, dry_run=False, snapshots=kept)
            loaded = kept.load(board, path, state)
            assert loaded is not None and same(loaded, read), path.name


def test_a_roundup_printed_after_the_sync_loads_the_boards_and_says_what_a_fresh_read_says(
    tmp_path, write_config, monkeypatch
):
    import shutil

    from click.testing import CliRunner

    import cli
    from tests.conftest import DEMO_BOARDS

    monkeypatch.setenv("OTG_NOW", "2026-11-26T08:00:00Z")
    for role in ("microactions", "events", "content"):
        shutil.copy(DEMO_BOARDS / f"{role}.json", tmp_path / f"{role}.json")
    tables = "".join(
        f'[boards.{role}]\nrole = "{role}"\nsource = "{role}.json"\n'
        for role in ("microactions", "events", "content")
    )
    config = write_config(
        'timezone = "Europe/London"\nstate_db = "state.db"\noutput_dir = "out"\n'
        f'{tables}[calendar]\ndomain = "test.example"\nfeed = "events.ics"\n'
    )
    runner = CliRunner()
    printed = ["--config", str(config), "roundup", "--to", "2026-11-25"]
    fresh = runner.invoke(cli.main, printed)  # before any sync: every board parsed
    assert fresh.exit_code == 0, fresh.output
    assert runner.invoke(cli.main, ["--config", str(config), "sync"]).exit_code == 0
    assert len(list(folder_for(tmp_path / "state.db").iterdir())) == 3

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a board was parsed")

    with monkeypatch.context() as patched:
        patched.setattr(exports, "parse_board", never)
        loaded = runner.invoke(cli.main, printed)
    assert loaded.exit_code == 0, loaded.output
    assert loaded.output == fresh.output

    # a new export of the board: the roundup says what it says, never what the kept one said
    data = json.loads((tmp_path / "microactions.json").read_text(encoding="utf-8"))
    shown = next(card for card in data["cards"] if card["name"] in loaded.output)
    old_name, shown["name"] = shown["name"], "Renamed since the sync"
    (tmp_path / "microactions.json").write_text(json.dumps(data), encoding="utf-8")
    after = runner.invoke(cli.main, printed)
    assert "Renamed since the sync" in after.output and old_name not in after.output


@pytest.mark.parametrize("seed", range(4))
def test_night_after_night_a_loaded_board_is_always_the_board_a_fresh_read_gives(
    tmp_path, monkeypatch, seed
):
    """Seeded nights of what organisers do to an export and what runs after: a card renamed,
    moved (in the history too, its oldest entry gone) or archived and the board exported again,
    the same export downloaded again, the file touched or left alone, the state database moved
    aside for a new one or a backup restored; a sync, a dry run, a run with another list
    mapping. After each, the board read with snapshots is the board read without them, and the
    history kept in the state is what it would have been."""
    import random

    rng = random.Random(seed)
    monkeypatch.setattr(snapshots, "SETTLED_NS", rng.choice([2 * 10**9, -(10**18)]))
    parsed = []
    parse = exports.parse_board
    monkeypatch.setattr(exports, "parse_board", lambda *a, **k: parsed.append(1) or parse(*a, **k))
    ours, theirs = Place(tmp_path / "ours"), Place(tmp_path / "theirs")  # with and without
    theirs.snapshots = None  # type: ignore[assignment]
    data = ours.data
    backups: dict[str, bytes] = {}
    for night in range(16):
        what = rng.choice(
            ["rename", "move", "history", "archive", "again", "touch", "nothing", "database"]
        )
        card = rng.choice(data["cards"])
        if what == "rename":
            card["name"] = f"night {night}"
        elif what in ("move", "history"):
            before, card["idList"] = card["idList"], rng.choice(data["lists"])["id"]
            if what == "history":  # the move in the export's history, its oldest entry gone
                data["actions"].insert(0, _moved(card, before, night))
                data["actions"].pop()
        elif what == "archive":
            card["closed"] = not card.get("closed")
        if what in ("rename", "move", "history", "archive", "again"):
            for place in (ours, theirs):
                place.write(data)
        elif what == "touch":
            os.utime(ours.path)
        elif what == "database":  # moved aside for a new one, or last backup restored
            restore = bool(backups) and rng.random() < 0.5
            for place in (ours, theirs):
                place.state.close()
                database = place.path.parent / "state.db"
                for end in ("-wal", "-shm"):
                    database.with_name(database.name + end).unlink(missing_ok=True)
                if restore:
                    database.write_bytes(backups[str(database)])
                else:
                    database.unlink()
                place.state = State(database)
        if rng.random() < 0.3:  # a backup taken tonight
            for place in (ours, theirs):
                place.state.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                database = place.path.parent / "state.db"
                backups[str(database)] = database.read_bytes()
        run = rng.choice(["sync", "dry run", "mapped"])
        board = ours.board
        if run == "mapped":
            board = BoardConfig("main", board.role, board.source, lists={"Proposed": "ignore"})
        for place in (ours, theirs):
            place.board = board
        got = ours.read(dry_run=run == "dry run")
        want = theirs.read(dry_run=run == "dry run")
        assert same(dataclass_replace(got, source=""), dataclass_replace(want, source="")), (
            seed,
            night,
            what,
            run,
        )
        assert list(ours.state.action_rows(got.id)) == list(theirs.state.action_rows(want.id))
    assert 16 < len(parsed) < 32  # theirs read every night; ours loaded some
    ours.state.close()
    theirs.state.close()


def _moved(card: dict[str, Any], before: str, night: int) -> dict[str, Any]:
    """The history entry of ``card``'s move out of the list ``before``, on the given night."""
    return {
        "id": f"{night:08x}" + "e" * 16,
        "type": "updateCard",
        "date": f"2026-12-{night + 1:02d}T10:00:00.000Z",
        "data": {
            "card": {"id": card["id"], "name": card["name"], "idList": card["idList"]},
            "old": {"idList": before},
        },
    }


def test_a_database_put_in_place_of_another_never_trusts_its_snapshots(tmp_path):
    """Rows kept before the upgrade to schema 2, a board kept after it, then the database moved
    aside for a new one (as its error messages advise when it is damaged): the new database
    holds none of the history the kept board was built with, so the board is read again and
    its history saved there, as a read without snapshots would."""
    from sync.state.migrations import MIGRATIONS, statements

    place = Place(tmp_path)
    place.state.close()
    database = tmp_path / "state.db"
    database.unlink()
    old = sqlite3.connect(database)  # a database of the first schema, with the board's history
    for statement in statements(MIGRATIONS[0]):
        old.execute(statement)
    for action in place.data["actions"]:
        old.execute(
            "INSERT INTO board_actions VALUES (?, ?, ?, ?)",
            (action["id"], place.data["id"], action["date"], json.dumps(action)),
        )
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    place.state = State(database)  # brought up to schema 2
    first = place.read(dry_run=False)
    assert len(list(place.snapshots.folder.iterdir())) == 1
    place.state.close()
    database.unlink()
    place.state = State(database)  # a new one in its place
    again = place.read(dry_run=False)
    assert same(again, first)
    assert len(list(place.state.action_rows(first.id))) == len(place.data["actions"])
    place.state.close()


def test_every_sync_prunes_the_boards_the_config_no_longer_has_and_a_dry_run_never(
    tmp_path, write_config
):
    from click.testing import CliRunner

    import cli
    from tests.conftest import demo_boards

    head = 'timezone = "Europe/London"\nstate_db = "state.db"\noutput_dir = "out"\n'
    calendar = '[calendar]\ndomain = "test.example"\nfeed = "events.ics"\n'
    both = write_config(head + demo_boards("events", "microactions") + calendar)
    runner = CliRunner()
    env = {"OTG_NOW": "2026-11-26T08:00:00Z"}
    assert runner.invoke(cli.main, ["--config", str(both), "sync"], env=env).exit_code == 0
    folder = folder_for(tmp_path / "state.db")
    assert len(list(folder.iterdir())) == 2
    (folder / ".left-by-a-killed-run.msgpack.7.tmp").write_bytes(b"")
    one = write_config(head + demo_boards("events") + calendar, "one.toml")
    dry = runner.invoke(cli.main, ["--config", str(one), "sync", "--dry-run"], env=env)
    assert dry.exit_code == 0 and len(list(folder.iterdir())) == 3
    # the events board unchanged: loaded, not kept again; the other board's file goes anyway
    synced = runner.invoke(cli.main, ["--config", str(one), "sync"], env=env)
    assert synced.exit_code == 0, synced.output
    assert [p.name for p in folder.iterdir()] == [snapshots._file_name("events")]

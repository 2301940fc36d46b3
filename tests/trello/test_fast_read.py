"""The fast board read: the same values and errors as ``json``, and the cyclic garbage collector
kept off the model while it is built and used, then given it back."""

from __future__ import annotations

import gc
import json

import pytest

import jobs.sync
from config import BoardConfig, load_config
from jobs.sync import run as sync_run
from sync.model import Role
from sync.state.store import State
from sync.trello import exports, history_merge
from sync.trello.exports import read_export
from sync.trello.fast_read import collector_paused, loads
from sync.trello.schema import read_action
from tests.fakes.boards import synthetic_board


@pytest.mark.parametrize(
    "data",
    [
        b'{"name": "caf\xc3\xa9", "pos": 16384.5, "closed": false, "due": null}',
        b'"\\ud800 lone surrogate"',  # msgspec refuses it; json reads it, and so do we
        b"123456789012345678901234567890",  # an integer past 64 bits stays exact
        b"\xef\xbb\xbf[1, 2]",  # a byte order mark, as Windows tools write
        b"NaN",
        '{"a": 1, "a": 2}',
    ],
)
def test_loads_reads_what_json_reads(data):
    expected = json.loads(data.decode("utf-8-sig") if isinstance(data, bytes) else data)
    got = loads(data)
    assert got == expected or (got != got and expected != expected)  # NaN is not NaN


@pytest.mark.parametrize("data", [b"", b'{"a": ', b"[1,]"])
def test_loads_raises_what_json_raises(data):
    with pytest.raises(json.JSONDecodeError) as ours:
        loads(data)
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(data)
    assert (ours.value.msg, ours.value.lineno, ours.value.colno) == (
        theirs.value.msg,
        theirs.value.lineno,
        theirs.value.colno,
    )


def test_bytes_that_are_not_utf8_raise_a_decode_error():
    with pytest.raises(UnicodeDecodeError):
        loads(b'{"name": "\xff"}')


def test_the_collector_is_paused_inside_and_left_as_it_was():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # someone else's choice is kept
    finally:
        gc.enable()


def test_an_export_is_built_with_the_collector_off(tmp_path, monkeypatch):
    path = tmp_path / "b.json"
    path.write_text(json.dumps(synthetic_board(50)), encoding="utf-8")
    seen = []
    parse = exports.parse_board

    def watching(*args, **kwargs):
        seen.append(gc.isenabled())
        return parse(*args, **kwargs)

    monkeypatch.setattr(exports, "parse_board", watching)
    board = read_export(path, BoardConfig("b", Role.MICROACTIONS, str(path)))
    assert len(board.cards) == 50 and seen == [False] and gc.isenabled()


def test_a_sync_sets_the_model_aside_while_it_runs_and_gives_it_back(
    write_config, tmp_path, monkeypatch
):
    (tmp_path / "e.json").write_text(json.dumps(synthetic_board(30, role="events")))
    cfg_path = write_config("""
        state_db = "state.db"
        output_dir = "out"
        [boards.events]
        role = "events"
        source = "e.json"
        [calendar]
        domain = "test.example"
    """)
    cfg = load_config(cfg_path)
    frozen_while_planning = []
    plan = jobs.sync.sync_events

    def watching(*args, **kwargs):
        frozen_while_planning.append(gc.get_freeze_count())
        return plan(*args, **kwargs)

    monkeypatch.setattr(jobs.sync, "sync_events", watching)
    assert gc.get_freeze_count() == 0
    with State(cfg.state_db) as state:
        report = sync_run(cfg, state)
    assert report.ok and report.boards and report.outcomes
    assert frozen_while_planning[0] > 0  # the model (and all before it) was set aside
    assert gc.get_freeze_count() == 0  # nothing stays out of the collector's sight after the run


def test_a_rerun_on_an_unchanged_export_rewrites_no_history(write_config, tmp_path, monkeypatch):
    board = synthetic_board(40)
    (tmp_path / "m.json").write_text(json.dumps(board), encoding="utf-8")
    cfg = load_config(
        write_config("""
        state_db = "state.db"
        [boards.m]
        role = "microactions"
        source = "m.json"
    """)
    )
    saved = []
    save = State.save_actions
    monkeypatch.setattr(
        State,
        "save_actions",
        lambda self, b, actions: saved.append(len(actions)) or save(self, b, actions),
    )
    with State(cfg.state_db) as state:
        first = sync_run(cfg, state)
        kept = list(state.action_rows(board["id"]))
        again = sync_run(cfg, state)
        assert list(state.action_rows(board["id"])) == kept
    assert saved == [len(board["actions"])]  # the first run keeps them all, the rerun nothing
    assert first.ok and again.ok


def test_kept_history_reads_back_as_written(tmp_path):
    actions = [
        {"id": "a1", "date": "2026-01-02T00:00:00.000Z", "data": {"text": "caf\u00e9 \ud800"}},
        {"id": "a2", "date": "2026-01-01T00:00:00.000Z", "data": {"pos": float("inf")}},
        {"id": "a3", "date": "2026-01-03T00:00:00.000Z", "data": {"n": 12345678901234567890}},
    ]
    with State(tmp_path / "state.db") as state:
        state.save_actions("b", actions)
        rows = list(state.action_rows("b"))
        history = history_merge.merged_history(state, "b", [], dry_run=True)  # as a run reads them
    assert [action_id for action_id, _ in rows] == ["a3", "a1", "a2"]  # newest first
    assert [a.id for a in history] == ["a3", "a1", "a2"]
    back = [loads(text) for _, text in rows]
    assert back[1]["data"]["text"] == "caf\u00e9 \ud800"  # a lone surrogate, as Trello may send
    assert back[2]["data"]["pos"] == float("inf") and back[0]["data"]["n"] == 12345678901234567890


def test_history_is_merged_batch_by_batch_as_a_whole(tmp_path, monkeypatch):
    """Fresh entries are compared with the kept ones (and saved) a batch at a time: what is kept
    at the end is as if the export were merged at once: a later copy of an entry wins, kept
    entries the export no longer holds stay, and the history is newest first."""
    monkeypatch.setattr(history_merge, "BATCH", 3)
    board = synthetic_board(6)
    actions = board["actions"]
    early, late = dict(actions[0]), {**actions[0], "type": "commentCard"}
    fresh = [early, *actions[1:5], late]  # two copies of one entry, in different batches
    with State(tmp_path / "state.db") as state:
        state.save_actions(board["id"], [actions[1], *actions[5:]])  # kept from before
        history = history_merge.merged_history(state, board["id"], fresh, dry_run=False)
        kept = {i: read_action(text) for i, text in state.action_rows(board["id"])}
        again = history_merge.merged_history(state, board["id"], [], dry_run=True)
    assert kept[early["id"]]["type"] == "commentCard"  # the later copy
    assert set(kept) == {a["id"] for a in actions}
    assert [a.id for a in history] == [a.id for a in again]
    dates = [(a.date, a.id) for a in history]
    assert dates == sorted(dates, reverse=True) and len(history) == len(actions)

"""An import is one unit of work (issue 20, fix 2). The disk fills while the first night records a
partner's event imported as a card, or a power cut (an older version) left the card's import row
without its event's: once there is room, the sync converges on what a clean night makes, the
partner's event is recognised as ours to keep (never "delete that copy"), and nothing is doubled."""

from __future__ import annotations

import sqlite3

from sync.calendar.caldav_target import TARGET as CALDAV
from sync.calendar.inbound import IMPORTED
from sync.state.records import SyncedItem
from sync.state.store import State
from tests.reliability.test_fault_state import make_read_only
from tests.world import THEIRS


def _no_delete_advice(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert "delete that copy" not in text and "Traceback" not in text, text


def test_a_full_disk_while_an_import_is_recorded_converges_once_there_is_room(
    clean, harness, monkeypatch
):
    world = harness.world
    real = State.put_item

    def put_item(self: State, item: SyncedItem) -> None:
        if item.target == CALDAV and item.data.get("imported"):
            make_read_only(self.db)  # the import's last row is refused, as on a full disk
        return real(self, item)

    monkeypatch.setattr(State, "put_item", put_item)
    code, lines = harness.cli_sync()
    monkeypatch.setattr(State, "put_item", real)
    assert code != 0 and "state database" in "\n".join(lines), lines
    _no_delete_advice(lines)
    with State(world.state_db) as state:  # all of the import, or none of it
        assert not state.items(IMPORTED)
        assert not [i for i in state.items(CALDAV).values() if i.data.get("imported")]
    world.assert_consistent()

    reports = harness.converge()  # the disk has room again
    for report in reports:
        _no_delete_advice(report.failures + [o.detail for o in report.outcomes])
    world.assert_consistent()
    assert world.fingerprint() == clean["fingerprint"]
    assert harness.creates() == clean["creates"]


def test_an_import_recorded_halfway_by_an_older_version_is_recognised(clean, harness):
    world = harness.world
    first = world.sync()
    assert first.ok, first.failures
    with State(world.state_db) as state:
        [card_id] = [k for k, i in state.items(IMPORTED).items() if i.remote_id == THEIRS]
    with sqlite3.connect(world.state_db) as db:  # the power cut: the event's row never written
        db.execute("DELETE FROM synced_items WHERE target = ? AND key = ?", (CALDAV, card_id))
    before = {uid: s.href for uid, s in world.calendar().items()}

    reports = harness.converge()
    for report in reports:
        _no_delete_advice(report.failures + [o.detail for o in report.outcomes])
    world.assert_consistent()
    assert {uid: s.href for uid, s in world.calendar().items()}[THEIRS] == before[THEIRS]
    assert world.fingerprint() == clean["fingerprint"]
    assert harness.creates() == clean["creates"]
    with State(world.state_db) as state:
        assert state.item(CALDAV, card_id).remote_id == before[THEIRS]

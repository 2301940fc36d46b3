"""Proof under faults, the state database: it stops taking writes midway through a first night
(full, or read-only), or between Medium's answer and its record; each is one line, and reruns
converge on the world a clean night makes."""

from __future__ import annotations

import os
import sqlite3

import pytest

from sync.state.store import State


def fill_the_disk(db: sqlite3.Connection) -> None:
    """SQLite's own limit on the database's size, set at its current size: the next page it needs
    is refused exactly as on a full disk (SQLITE_FULL)."""
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")


def make_read_only(db: sqlite3.Connection) -> None:
    """Every write from now on is refused as on a read-only file or mount (SQLITE_READONLY);
    chmod would not do, as the tests may run as root."""
    db.execute("PRAGMA query_only = ON")


STATE_FAULTS = {"disk full": fill_the_disk, "read-only": make_read_only}


@pytest.mark.parametrize(
    ("fault", "share"),
    [
        ("disk full", 0.2),
        ("disk full", 0.5),
        ("read-only", 0.0),
        ("read-only", 0.1),
        ("read-only", 0.5),
        ("read-only", 0.9),
    ],
    ids=lambda v: str(v),
)
def test_a_state_database_that_stops_taking_writes_midway(
    clean, harness, monkeypatch, fault, share
):
    world = harness.world
    at = max(1, int(clean["transactions"] * share))
    count = [0]
    real = State.transaction

    def transaction(self):
        count[0] += 1
        if count[0] == at:
            STATE_FAULTS[fault](self.db)
        return real(self)

    monkeypatch.setattr(State, "transaction", transaction)
    code, lines = harness.cli_sync()
    monkeypatch.setattr(State, "transaction", real)
    if os.environ.get("OTG_FAULTS_SHOW"):
        print(f"\n== state {fault} at {at} (exit {code})")
        print("\n".join(lines))
    text = "\n".join(lines)
    assert code != 0 and "Traceback" not in text and "unexpected" not in text, text
    assert "state database" in text, text
    world.assert_consistent()
    world.settle_as_an_operator()
    harness.converge()
    world.assert_consistent()
    assert world.fingerprint() == clean["fingerprint"]


def test_a_draft_made_but_not_recorded_is_one_line_with_its_url(harness, monkeypatch):
    """The disk fills between Medium's answer and its record: the line says where the draft is
    and how to record it, and nothing is sent twice."""
    world = harness.world
    real = State.settle_intent

    def refuse(self, intent_id, status, result):
        if "url" in result:  # Medium's answer, about to be recorded
            make_read_only(self.db)
        return real(self, intent_id, status, result)

    monkeypatch.setattr(State, "settle_intent", refuse)
    code, lines = harness.cli_sync()
    monkeypatch.setattr(State, "settle_intent", real)

    [post] = world.medium.posts
    [line] = [x for x in lines if x.startswith("failed: ")]
    assert code == 1 and line.endswith(
        f'cannot be written: it is read-only; the draft of "{post["title"]}" was created at '
        f"{post['url']} — make it and its folder writable by the user otg-sync runs as, or set "
        f"state_db to a writable path, then run `otg ledger resolve 2 --url {post['url']}`"
    ), lines
    world.assert_consistent()
    said = world.settle_as_an_operator()
    assert said[0].startswith(f'Intent 2 settled: the draft of "{post["title"]}" is {post["url"]}')
    harness.converge()
    assert len(world.medium.posts) == 3 and world.medium.count("POST") == 3

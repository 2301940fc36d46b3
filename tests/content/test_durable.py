"""Drafts made durable in batches: one sync of the folder for many drafts instead of an fsync per
file, and no draft recorded before its files are on disk."""

from __future__ import annotations

import errno
import json
import os

import pytest

import jobs.content
import sync.content.durable as durable
from config import load_config
from jobs.sync import run as sync_run
from sync.content.drafts_folder import DraftsError
from sync.content.plan import TARGET
from sync.state.store import State
from tests.fakes.boards import synthetic_board


@pytest.fixture
def content_config(write_config, tmp_path):
    board = synthetic_board(400, role="content")
    (tmp_path / "content.json").write_text(json.dumps(board), encoding="utf-8")
    return load_config(
        write_config("""
        state_db = "state.db"
        output_dir = "out"
        [boards.content]
        role = "content"
        source = "content.json"
        [medium]
        target = "drafts"
    """)
    )


def drafts_made(report) -> list[str]:
    return [o.key for o in report.outcomes if o.kind == "create" and o.status == "done"]


def test_many_drafts_wait_for_the_disk_once_per_batch(content_config, monkeypatch):
    waits = []
    real_fsync, real_syncfs = os.fsync, durable._syncfs
    monkeypatch.setattr(os, "fsync", lambda fd: (waits.append("fsync"), real_fsync(fd))[1])
    if real_syncfs is not None:
        monkeypatch.setattr(
            durable, "_syncfs", lambda fd: (waits.append("syncfs"), real_syncfs(fd))[1]
        )
    monkeypatch.setattr(jobs.content, "Batch", lambda folder: durable.Batch(folder, size=10))
    with State(content_config.state_db) as state:
        report = sync_run(content_config, state)
        records = state.items(TARGET)
    made = drafts_made(report)
    assert len(made) > 20 and report.ok
    batches = -(-len(made) // 10)
    if real_syncfs is not None:
        assert waits == ["syncfs", "fsync"] * batches  # the folder's file system, its names
    assert set(made) <= set(records)  # every draft made is recorded
    folder = content_config.output_dir / "drafts"
    assert len(list(folder.glob("*.md"))) == len(made)


def test_a_batch_that_cannot_reach_the_disk_records_nothing_and_the_rerun_does(
    content_config, monkeypatch
):
    def full(folder, paths):
        raise DraftsError(f"cannot write the draft {folder}: No space left on device", "free")

    with monkeypatch.context() as broken:
        broken.setattr(durable, "make_durable", full)
        with State(content_config.state_db) as state:
            report = sync_run(content_config, state)
            assert state.items(TARGET) == {}  # not one recorded while its files may be lost
    failed = [o for o in report.outcomes if o.kind == "create"]
    assert failed and all(o.status == "failed" for o in failed)
    assert all("No space left on device" in o.detail for o in failed) and not report.ok
    folder = content_config.output_dir / "drafts"
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    with State(content_config.state_db) as state:
        again = sync_run(content_config, state)
        records = state.items(TARGET)
    assert again.ok and set(drafts_made(again)) <= set(records)
    assert len(drafts_made(again)) == len(failed)
    # the files were complete: the rerun records them without writing them again
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps


def test_make_durable_says_what_the_disk_said(tmp_path, monkeypatch):
    (tmp_path / "a.md").write_text("x")

    def refuse(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", refuse)
    with pytest.raises(DraftsError, match="Input/output error"):
        durable.make_durable(tmp_path, [tmp_path / "a.md"])

"""Proof under faults, the files: the feed's folder and the drafts folder read-only, full, or
blocked by a folder or file in the way; each is one line naming the file, no temporary file is
left behind, and reruns converge on the world a clean night makes."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.fault_calls import FIRST, READY_TITLES
from tests.reliability.fault_harness import assert_one_line_failures


def refuse_files_in(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """A read-only folder (EROFS): no file can be made in it."""
    real = tempfile.mkstemp

    def mkstemp(*args: Any, dir: Any = None, **kwargs: Any):
        if dir is not None and Path(dir).resolve() == folder.resolve():
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def fill_the_file_disk(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """A full disk (ENOSPC): files are made, but their contents never reach the disk."""

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)


def block_with_a_folder(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    path.mkdir(parents=True)


def block_with_a_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("not a folder")


FILE_CASES = [
    # (target, what breaks, where, how, the line that says so)
    ("medium", "feed folder read-only", "out", refuse_files_in, r"^feed: cannot write the feed"),
    ("medium", "feed disk full", "out", fill_the_file_disk, r"^feed: cannot write the feed"),
    ("medium", "feed path is a folder", "out/events.ics", block_with_a_folder, r"^feed: "),
    ("drafts", "drafts folder read-only", "out/drafts", refuse_files_in, r"cannot write the draft"),
    ("drafts", "drafts disk full", "out/drafts", fill_the_file_disk, r"cannot write the draft"),
    ("drafts", "drafts folder is a file", "out/drafts", block_with_a_file, r"cannot write the dr"),
]


@pytest.mark.parametrize(
    ("target", "what", "where", "how", "said"), FILE_CASES, ids=[c[1] for c in FILE_CASES]
)
def test_an_unwritable_feed_or_drafts_folder(
    make_harness, baseline, monkeypatch, target, what, where, how, said
):
    scene = FIRST if target == "medium" else target
    clean = baseline(scene)
    harness = make_harness(scene)
    world = harness.world
    with monkeypatch.context() as broken:
        how(broken, world.tmp / where)
        code, lines = harness.cli_sync()
    if os.environ.get("OTG_FAULTS_SHOW"):
        print(f"\n== {what} (exit {code})")
        print("\n".join(x for x in lines if x.startswith(("failed", "warning"))))

    problems = assert_one_line_failures(code, lines, said)
    # an atomic write's temporary file is ".<name>.<random>" beside its file: none is left
    leftovers = sorted(str(p.relative_to(world.out)) for p in world.out.rglob(".*"))
    assert leftovers == [], f"temporary files left behind: {leftovers}"
    world.assert_consistent()
    if target == "drafts":  # a card whose draft was not written is not moved on
        assert not [
            c
            for c in world.cards()
            if c["name"].startswith(tuple(READY_TITLES))
            and world.list_names()[c["idList"]] == "In Medium drafts"
        ], problems
    blocked = world.tmp / where
    if blocked.is_dir() and how is block_with_a_folder:
        blocked.rmdir()
    elif blocked.is_file():
        blocked.unlink()
    harness.converge()
    world.assert_consistent()
    assert world.fingerprint() == clean["fingerprint"]

"""`--dry-run` writes nothing, the state database included: on a fresh machine no file at all is
left behind, after a real run the state folder is exactly as it was, and an operator who may only
read the state folder can still ask what a run would do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from config import EXAMPLE
from sync.calendar import ical
from sync.content.draft import Draft
from tests.conftest import ROOT, demo_boards

DRY_RUNS = [
    ["sync", "--dry-run"],
    ["sync", "--dry-run", "--json"],
    ["roundup", "--dry-run"],
    ["roundup", "--dry-run", "--target", "drafts", "--finalise"],
]


@pytest.fixture
def config(write_config, tmp_path) -> str:
    """The bundled example (every role, the feed, the drafts folder), its state in a folder of
    its own and its output in another."""
    return str(
        write_config(f"""
        timezone = "Europe/London"
        state_db = "{tmp_path / "state" / "otg-state.db"}"
        output_dir = "{tmp_path / "out"}"
        {demo_boards()}
        [calendar]
        domain = "oneteamgov.uk"
        feed = "events.ics"
        [medium]
        target = "drafts"
        drafts_dir = "drafts"
        feeds = ["{EXAMPLE.parent / "medium-feed.xml"}"]
    """)
    )


def otg(runner, config: str, *args: str):
    result = runner.invoke(cli.main, ["--config", config, *args])
    assert "Traceback" not in result.output
    return result


def files(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder under ``folder``: its bytes (files) and its mtime. A folder's mtime
    changes when a file is made or removed in it, even one that is gone again (SQLite's -wal
    and -shm files)."""
    return {
        str(path.relative_to(folder)): (
            path.read_bytes() if path.is_file() else b"",
            path.stat().st_mtime_ns,
        )
        for path in [folder, *sorted(folder.rglob("*"))]
    }


@pytest.mark.parametrize("args", DRY_RUNS, ids=" ".join)
def test_a_dry_run_on_a_fresh_machine_leaves_no_file_behind(runner, config, tmp_path, args):
    result = otg(runner, config, *args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["otg.toml"]


def test_a_dry_run_after_real_runs_leaves_the_state_folder_exactly_as_it_was(
    runner, config, tmp_path
):
    assert otg(runner, config, "sync").exit_code == 0
    assert otg(runner, config, "roundup", "--target", "drafts").exit_code == 0
    before = files(tmp_path)
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == [
        "otg-state.db",
        "otg-state.db.boards",  # the export boards kept between runs (snapshots.py)
        "otg-state.db.lock",
    ]

    for args in DRY_RUNS:
        result = otg(runner, config, *args)
        assert result.exit_code == 0, (args, result.output)

    # the database's bytes and mtime (no run recorded, no history or bookmark saved), and no
    # -wal/-shm made even for a moment; the drafts and the feed untouched too
    assert files(tmp_path) == before


def test_a_dry_run_sees_what_the_real_runs_recorded(runner, config):
    assert otg(runner, config, "sync").exit_code == 0
    assert otg(runner, config, "roundup", "--target", "drafts").exit_code == 0

    sync = otg(runner, config, "sync", "--dry-run")
    roundup = otg(runner, config, "roundup", "--dry-run", "--target", "drafts")

    # what a rerun would do: nothing but the card it always skips, and no second roundup
    assert sync.output.splitlines()[-1] == "Dry run: 3 boards read; 1 skipped."
    assert roundup.output.splitlines()[-1] == "Dry run: 3 boards read; nothing to write; 1 warning."
    assert "was already drafted" in roundup.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_a_dry_run_works_on_a_state_folder_this_user_cannot_write(runner, config, tmp_path):
    """An operator who may read the state but not write it can still ask what a run would do."""
    assert otg(runner, config, "sync").exit_code == 0
    folder = tmp_path / "state"
    (folder / "otg-state.db").chmod(0o444)
    folder.chmod(0o555)
    try:
        results = [otg(runner, config, *args) for args in DRY_RUNS]
    finally:
        folder.chmod(0o755)
    for args, result in zip(DRY_RUNS, results, strict=True):
        assert result.exit_code == 0, (args, result.output)
    assert sorted(p.name for p in folder.iterdir()) == ["otg-state.db", "otg-state.db.lock"]


UNSHARE = shutil.which("unshare") or "unshare"


def _read_only_mounts() -> bool:
    """Whether this root may mount the state folder read-only in a mount namespace of its own
    (root can write any folder, but not a read-only mount): containers often may not."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        [UNSHARE, "--mount", "mount", "--bind", "/", "/"], capture_output=True, check=False
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _read_only_mounts(), reason="needs root and unshare --mount")
def test_a_dry_run_works_on_a_read_only_state_mount(runner, config, tmp_path):
    """The same, as root: the state folder mounted read-only, in a mount namespace of the test's
    own (nothing outside it sees the mount)."""
    assert otg(runner, config, "sync").exit_code == 0
    before = files(tmp_path / "state")
    folder = tmp_path / "state"
    otg_cli = f"{sys.executable} -m cli --config {config}"
    script = "; ".join(
        [
            f"mount --bind {folder} {folder}",
            f"mount -o remount,bind,ro {folder}",
            *(f"{otg_cli} {' '.join(args)} >/dev/null || echo failed: {args}" for args in DRY_RUNS),
            f"{otg_cli} sync",
        ]
    )
    result = subprocess.run(
        [UNSHARE, "--mount", "sh", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "failed:" not in result.stdout, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    # a real run needs to write there: it says so in one line (the run lock is the first write)
    assert result.stderr.strip().startswith(
        f"error: cannot open the run lock {folder / 'otg-state.db.lock'}: Read-only file system"
    ), result.stderr
    assert files(folder) == before


def test_a_dry_run_counts_what_it_would_write_without_rendering_it(
    runner, config, tmp_path, monkeypatch
):
    """Rendering the feed and the drafts is most of a big first run: a dry run plans and counts,
    and says the same as a run that renders."""
    rendered = []
    real_calendar = ical.calendar
    real_html = Draft.html
    monkeypatch.setattr(
        ical, "calendar", lambda *a, **k: rendered.append("feed") or real_calendar(*a, **k)
    )
    monkeypatch.setattr(Draft, "html", lambda self: rendered.append("draft") or real_html(self))
    fresh = otg(runner, config, "sync", "--dry-run")
    assert fresh.exit_code == 0, fresh.output
    assert rendered == []  # no feed to compare with, no draft file there: nothing rendered
    assert "would write      feed         events.ics — 13 events\n" in fresh.output
    assert fresh.output.count("would create     drafts") == 3
    real = otg(runner, config, "sync")
    assert real.exit_code == 0 and rendered.count("feed") == 1
    # the feed's last records are known: a dry run after a change says so without rendering
    feed = tmp_path / "out" / "events.ics"
    feed.write_bytes(feed.read_bytes() + b"\r\n")
    rendered.clear()
    again = otg(runner, config, "sync", "--dry-run")
    assert "would write      feed         events.ics — 13 events\n" in again.output
    assert rendered == []

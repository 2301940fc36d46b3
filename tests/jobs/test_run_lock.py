"""The run lock: one otg run at a time on a state database, the holder named to whoever waits, a
lock left by a dead process no obstacle, and one scheduler (`otg jobs run`) per state database."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import cli
from jobs.lock import LockBusy, RunLock
from tests.conftest import ROOT
from tests.jobs.scheduler_process import second_scheduler, start_scheduler

# each test starts and ends with no stop asked (a stop asked by one would end the next one's run)
pytestmark = pytest.mark.usefixtures("fresh_stop_flag")


def test_the_lock_lets_one_run_at_a_time_and_names_the_holder(tmp_path):
    path = tmp_path / "state.db.lock"
    with RunLock(path, "otg jobs: sync") as first:
        first.acquire()
        clock = iter(range(100))
        with pytest.raises(LockBusy) as caught:
            RunLock(path, "otg sync").acquire(3, clock=lambda: next(clock), sleep=lambda s: None)
        assert "another otg run is in progress (otg jobs: sync, pid " in str(caught.value)
        assert caught.value.exit_code == 3
    with RunLock(path, "otg sync") as again:  # released: free again
        again.acquire()


def test_a_lock_left_by_a_dead_process_is_no_obstacle(tmp_path):
    path = tmp_path / "state.db.lock"
    path.write_text(json.dumps({"pid": 999999, "what": "otg sync", "since": "2026-01-01"}))
    with RunLock(path, "otg sync") as lock:
        lock.acquire()  # flock died with its holder: the stale file is just text


def test_a_lock_that_cannot_be_opened_is_one_line_and_exit_2(cfg, runner):
    """A read-only folder or another user's lock file: (here, a folder where the lock goes)."""
    cfg.state_db.with_name("state.db.lock").mkdir(parents=True)
    result = runner.invoke(cli.main, ["--config", str(cfg.path), "sync"])
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot open the run lock ")
    assert "set state_db to a folder this user can write" in result.output
    assert result.output.count("\n") == 1


def test_two_processes_contend_for_the_lock(cfg, runner, tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from jobs.lock import RunLock
            lock = RunLock(Path({str(cfg.state_db) + ".lock"!r}), "otg jobs: sync")
            lock.acquire()
            print("locked", flush=True)
            time.sleep(30)
        """),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = runner.invoke(cli.main, ["--config", str(cfg.path), "sync", "--wait", "0.3"])
        assert result.exit_code == 3
        assert result.output.startswith(
            f"error: another otg run is in progress (otg jobs: sync, pid {holder.pid}, since "
        )
        assert result.output.rstrip().endswith("or pass --wait SECONDS")
    finally:
        holder.kill()
        holder.wait()
    assert runner.invoke(cli.main, ["--config", str(cfg.path), "sync"]).exit_code == 0


def test_a_second_scheduler_on_the_same_state_refuses_to_start(cfg):
    """Two `otg jobs run` would both run every job: the second one says who holds the state and
    how to stop it, at once; the lock goes with the first when it exits, however it exits."""
    first = start_scheduler(cfg)
    try:
        started = time.monotonic()
        second = second_scheduler(cfg)
        assert time.monotonic() - started < 10  # at once, not after a wait for the lock
        assert second.returncode == 3, second.stderr
        [line] = second.stderr.splitlines()
        assert line.startswith(
            f"error: another scheduler (otg jobs run) uses this state database: pid {first.pid}, "
            "since "
        )
        assert f"stop it first (kill {first.pid}, or systemctl stop otg-sync)" in line
    finally:
        first.send_signal(signal.SIGTERM)
        _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err  # a signal is how a scheduler is meant to stop
    assert "stopping after the current step (SIGTERM)" in err and "scheduler stopped" in err
    after_a_clean_stop = start_scheduler(cfg)  # released when the first exited
    after_a_clean_stop.kill()  # SIGKILL: no chance to release anything
    after_a_clean_stop.communicate(timeout=60)
    after_a_kill = start_scheduler(cfg)  # the lock a killed scheduler left is taken over
    after_a_kill.send_signal(signal.SIGTERM)
    after_a_kill.communicate(timeout=60)


@pytest.mark.parametrize("where", ["/proc/locks", "a shared lock"])
def test_held_says_whether_the_lock_is_held(tmp_path, monkeypatch, where):
    if where != "/proc/locks":  # as on a system without /proc/locks (macOS, BSD)
        monkeypatch.setattr("jobs.lock._listed_as_held", lambda stat, pid: None)
    lock = RunLock(tmp_path / "state.db.lock", "otg sync")
    assert not lock.held() and not lock.path.exists()
    lock.acquire()
    try:
        assert lock.held()
    finally:
        lock.release()
    assert not lock.held()

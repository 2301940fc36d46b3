"""`otg jobs list` and `otg status` as an operator reads them: the last run of each job, runs whose
process died, aligned columns, whether a scheduler runs; and that looking writes nothing."""

from __future__ import annotations

import json
import os
import signal
from datetime import datetime

import pytest

import cli
from jobs.lock import RunLock
from sync.state.store import State
from tests.jobs.scheduler_process import second_scheduler, start_scheduler

# each test starts and ends with no stop asked (a stop asked by one would end the next one's run)
pytestmark = pytest.mark.usefixtures("fresh_stop_flag")


def test_jobs_list_and_status(cfg, runner):
    result = runner.invoke(
        cli.main, ["--config", str(cfg.path), "jobs", "list"], catch_exceptions=False
    )
    lines = result.output.splitlines()
    assert lines[0].startswith("sync         every day at 02:00              next: ")
    assert lines[1].startswith("roundup      every other Wednesday at 08:00  next: Wed ")
    assert lines[2].startswith("publication  every day at 12:00") and "disabled" in lines[2]
    runner.invoke(
        cli.main, ["--config", str(cfg.path), "jobs", "run-once", "sync"], catch_exceptions=False
    )
    status = runner.invoke(cli.main, ["--config", str(cfg.path), "status"]).output
    assert status.splitlines()[0].startswith("sync         ok ")
    assert "(run 1): 13 create, 1 write; next " in status
    assert status.splitlines()[-1] == "No requests of unknown outcome."
    data = json.loads(
        runner.invoke(cli.main, ["--config", str(cfg.path), "status", "--json"]).output
    )
    assert data["jobs"][0]["last_run"]["counts"] == {"create": 13, "write": 1}
    assert data["pending_intents"] == []


def test_status_shows_a_run_whose_process_died_as_killed_not_running(cfg, runner):
    """A SIGKILL leaves the run marked ``running``; with no run holding the lock, `otg status`
    says what happened at once instead of waiting for the next run to record it."""
    with State(cfg.state_db) as state:
        state.start_run("sync")  # and the process dies here
    args = ["--config", str(cfg.path), "status"]
    lock = RunLock(cfg.state_db.with_name("state.db.lock"), "otg sync")
    lock.acquire()
    try:  # a run in progress: it is running
        assert runner.invoke(cli.main, args).output.startswith("sync         running ")
    finally:
        lock.release()
    status = runner.invoke(cli.main, args).output
    assert status.startswith("sync         killed ")
    [job] = [
        j
        for j in json.loads(runner.invoke(cli.main, [*args, "--json"]).output)["jobs"]
        if j["job"] == "sync"
    ]
    assert job["last_run"]["status"] == "killed"
    assert job["last_run"]["error"].startswith("the process stopped before recording its end")


def test_status_columns_line_up_whatever_the_run_status(cfg, runner):
    """`interrupted` is the longest status word: it gets the same two-space gap before the date
    as `ok`, and every date starts in the same column."""
    with State(cfg.state_db) as state:
        for job, status in (("sync", "interrupted"), ("roundup", "ok")):
            state.finish_run(state.start_run(job), status, {"counts": {"create": 1}})
    output = runner.invoke(cli.main, ["--config", str(cfg.path), "status"]).output
    sync, roundup = output.splitlines()[:2]
    assert sync.startswith("sync         interrupted  ")
    assert roundup.startswith("roundup      ok           ")
    assert sync.index("(run 1)") == roundup.index("(run 2)")
    assert sync[len("sync         interrupted  ") :][:3] in (
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    )


def _state_files(cfg) -> list[str]:
    return sorted(p.name for p in cfg.state_db.parent.glob(cfg.state_db.name + "*"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_status_and_ledger_list_work_on_a_state_folder_this_user_cannot_write(cfg, runner):
    """An operator who may read the state but not write it: the looking commands work."""
    assert runner.invoke(cli.main, ["--config", str(cfg.path), "sync"]).exit_code == 0
    with State(cfg.state_db) as state:
        state.open_intent("medium-post", "card-1", {"title": "A post"})
    folder = cfg.state_db.parent / "state"
    folder.mkdir()
    for name in _state_files(cfg):  # the database alone, in a folder of its own
        (cfg.state_db.parent / name).rename(folder / name)
    path = cfg.path.with_name("ro.toml")
    path.write_text(cfg.path.read_text().replace('"state.db"', '"state/state.db"'))
    (folder / "state.db").chmod(0o444)
    folder.chmod(0o555)
    try:
        status = runner.invoke(cli.main, ["--config", str(path), "status"])
        listed = runner.invoke(cli.main, ["--config", str(path), "ledger", "list"])
        as_json = runner.invoke(cli.main, ["--config", str(path), "status", "--json"])
    finally:
        folder.chmod(0o755)
    assert status.exit_code == 0, status.output
    assert status.output.startswith("sync         ok ")
    assert "1 request of unknown outcome need an operator" in status.output
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines()[1].split()[:2] == ["1", "pending"]
    assert json.loads(as_json.output)["jobs"][0]["last_run"]["status"] == "ok"
    kept = ["state.db", "state.db.boards", "state.db.lock"]
    assert sorted(p.name for p in folder.iterdir()) == kept


def test_looking_commands_create_no_database_and_no_wal_files(cfg, runner):
    """`otg status` and `otg ledger list` open the state read-only: on a fresh machine they say
    there are no runs yet and create nothing; on a database at rest they leave no -wal/-shm."""
    status = runner.invoke(cli.main, ["--config", str(cfg.path), "status"])
    listed = runner.invoke(cli.main, ["--config", str(cfg.path), "ledger", "list"])
    assert status.exit_code == 0 and listed.exit_code == 0
    assert status.output.splitlines()[0] == (
        f"No runs yet: there is no state database at {cfg.state_db} (the first sync creates it)."
    )
    assert status.output.splitlines()[1].startswith("sync         never run; next ")
    assert listed.output.startswith("No intents recorded")
    assert _state_files(cfg) == []
    assert runner.invoke(cli.main, ["--config", str(cfg.path), "sync"]).exit_code == 0
    at_rest = ["state.db", "state.db.boards", "state.db.lock"]  # WAL checkpointed away
    assert _state_files(cfg) == at_rest
    for args in (
        ["status"],
        ["status", "--json"],
        ["ledger", "list"],
        ["ledger", "list", "--json"],
    ):
        result = runner.invoke(cli.main, ["--config", str(cfg.path), *args])
        assert result.exit_code == 0, result.output
    assert _state_files(cfg) == at_rest


def test_status_says_whether_a_scheduler_is_running_without_touching_its_lock(cfg, runner):
    """`otg status` says whether `otg jobs run` runs on this state database (it holds the
    scheduler lock while it runs), naming it; looking neither takes nor creates the lock."""
    args = ["--config", str(cfg.path), "status"]
    lock_file = cfg.state_db.with_name("state.db.scheduler.lock")
    not_running = "scheduler: not running (cron or systemd timers may run the jobs)"

    fresh = runner.invoke(cli.main, args)
    assert fresh.exit_code == 0, fresh.output
    assert not_running in fresh.output.splitlines()
    assert json.loads(runner.invoke(cli.main, [*args, "--json"]).output)["scheduler"] == {
        "running": False
    }
    assert not lock_file.exists()  # looking created nothing

    scheduler = start_scheduler(cfg)
    try:
        held = lock_file.read_bytes()
        since = datetime.fromisoformat(json.loads(held)["since"])
        shown = since.astimezone(cfg.tz).strftime("%a %d %b %H:%M")
        status = runner.invoke(cli.main, args)
        data = json.loads(runner.invoke(cli.main, [*args, "--json"]).output)
        assert status.exit_code == 0, status.output
        assert f"scheduler: running (otg jobs run, pid {scheduler.pid}, since {shown})" in (
            status.output.splitlines()
        )
        assert data["scheduler"] == {
            "running": True,
            "pid": scheduler.pid,
            "since": since.isoformat(),
        }
        # the lock is the scheduler's as before: its file unchanged, a second one still refused
        assert lock_file.read_bytes() == held
        second = second_scheduler(cfg)
        assert second.returncode == 3, second.stderr
    finally:
        scheduler.send_signal(signal.SIGTERM)
        scheduler.communicate(timeout=60)
    assert not_running in runner.invoke(cli.main, args).output.splitlines()

    killed = start_scheduler(cfg)
    killed.kill()  # SIGKILL: its lock file still names it, but nothing holds the lock
    killed.communicate(timeout=60)
    assert json.loads(lock_file.read_text())["pid"] == killed.pid
    assert not_running in runner.invoke(cli.main, args).output.splitlines()

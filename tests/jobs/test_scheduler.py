"""The scheduler: each job at its time, a failure recorded without stopping the others, transient
failures retried with backoff, a busy run lock a skip, missed runs caught up once, and `otg jobs
run-once` saying how a job went."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

import cli
from jobs.lock import RunLock
from jobs.scheduler import JobScheduler
from sync import stopping
from sync.state.store import State
from tests.jobs.fake_jobs import NOW, Runners, scheduler

# each test starts and ends with no stop asked (a stop asked by one would end the next one's run)
pytestmark = pytest.mark.usefixtures("fresh_stop_flag")


def test_a_failing_job_is_recorded_and_the_others_go_on(cfg):
    runners = Runners({"sync": [RuntimeError("boom")]})
    jobs = scheduler(cfg, runners, now=datetime(2026, 11, 25, 9, tzinfo=UTC))
    assert jobs.run_job(cfg.jobs[0]) == "crashed"
    assert jobs.run_job(cfg.jobs[1]) == "ok"  # the roundup, on its Wednesday
    with State(cfg.state_db) as state:
        assert [(r.job, r.status, r.error) for r in state.runs()] == [
            ("roundup", "ok", None),
            ("sync", "crashed", "boom"),
        ]


def test_a_transient_failure_is_retried_with_backoff(cfg):
    runners = Runners({"sync": ["transient", "transient", "ok"]})
    sleeps: list[float] = []
    assert scheduler(cfg, runners, sleeps=sleeps).run_job(cfg.jobs[0]) == "ok"
    assert runners.calls == ["sync", "sync", "sync"] and sleeps == [60.0, 120.0]


def test_a_busy_lock_is_a_skip_said_once_not_a_transient_failure_to_retry(cfg, caplog):
    runners = Runners()
    sleeps: list[float] = []
    jobs = scheduler(cfg, runners, sleeps=sleeps)
    jobs.lock_wait = 0
    with RunLock(cfg.state_db.with_name("state.db.lock"), "otg sync") as holder:
        holder.acquire()
        assert jobs.run_job(cfg.jobs[0]) == "busy"
    assert runners.calls == [] and sleeps == []
    said = [r.getMessage() for r in caplog.records if r.name == "jobs.scheduler"]
    assert len(said) == 1 and "retry" not in said[0]
    assert said[0].startswith(
        f"job sync: skipped: another otg run is in progress (otg sync, pid {os.getpid()}, since "
    )


def test_run_once_with_the_lock_busy_exits_3_at_once(cfg, runner, monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr(stopping._stop, "wait", pauses.append)  # no real waiting, just a record
    with RunLock(cfg.state_db.with_name("state.db.lock"), "otg sync") as holder:
        holder.acquire()
        result = runner.invoke(
            cli.main, ["--config", str(cfg.path), "jobs", "run-once", "sync", "--wait", "1"]
        )
    assert result.exit_code == 3
    assert result.stdout == "sync: busy\n"
    [line] = result.stderr.splitlines()
    assert "job sync: skipped: another otg run is in progress (otg sync, pid " in line
    assert max(pauses) <= 0.5  # waits for the lock (the --wait), and no retry after them


def test_a_fortnightly_job_skips_the_other_week(cfg):
    runners = Runners()
    off_week = scheduler(cfg, runners, now=datetime(2026, 12, 2, 9, tzinfo=UTC))
    assert off_week.run_job(cfg.jobs[1]) == "not this week" and runners.calls == []


def test_catch_up_runs_a_missed_job_once_not_once_per_missed_slot(cfg):
    with State(cfg.state_db) as state:
        run_id = state.start_run("sync")
        state.finish_run(run_id, "ok", {})
        state.db.execute("UPDATE runs SET started_at = ?", ((NOW - timedelta(days=3)).isoformat(),))
    runners = Runners()
    assert scheduler(cfg, runners).catch_up() == ["sync"]  # the roundup never ran: not missed
    assert runners.calls == ["sync"]
    assert scheduler(cfg, runners, now=NOW + timedelta(hours=1)).catch_up() == []


def test_the_loop_registers_each_job_and_stops_on_request(cfg):
    runners = Runners()

    def sleep(seconds: float) -> None:
        stopping.request_stop()

    jobs = JobScheduler(cfg, {"sync": runners, "roundup": runners}, now=lambda: NOW, sleep=sleep)
    registered = jobs.build()
    assert sorted(str(job.at_time) for job in registered.jobs) == ["02:00:00", "08:00:00"]
    assert [job.start_day for job in registered.jobs] == [None, "wednesday"]
    jobs.run_forever()  # returns after the first sleep asked it to stop
    assert runners.calls == []


def test_run_once_says_why_a_job_failed(write_config, runner, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    path = write_config(f"""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "{broken}"
    """)
    result = runner.invoke(cli.main, ["--config", str(path), "jobs", "run-once", "sync"])
    assert result.exit_code == 1
    assert result.stdout == "sync: failed\n"
    [summary, line] = result.stderr.splitlines()  # as they happened: the journal's lines too
    assert summary.endswith("ERROR jobs.scheduler: job sync: failed (nothing to write; 1 failed)")
    assert f'job sync: failed: board "events": {broken} is not valid JSON' in line


def test_a_run_that_was_killed_is_caught_up(cfg):
    with State(cfg.state_db) as state:
        for status, days in (("ok", 3), ("killed", 0.5)):
            run_id = state.start_run("sync")
            state.finish_run(run_id, status, {})
            state.db.execute(
                "UPDATE runs SET started_at = ? WHERE id = ?",
                ((NOW - timedelta(days=days)).isoformat(), run_id),
            )
    runners = Runners()
    assert scheduler(cfg, runners).catch_up() == ["sync"]

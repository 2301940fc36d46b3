"""The scheduler, the run lock, `otg jobs`, `otg status`, logging for unattended runs, and the
deployment files."""

from __future__ import annotations

import configparser
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import cli
from config import load_config
from jobs.lock import LockBusy, RunLock
from jobs.scheduler import JobScheduler
from sync import stopping
from sync.report import Report
from sync.state.store import State
from tests.conftest import DEMO_BOARDS, ROOT

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_stop_flag():
    stopping.reset()
    yield
    stopping.reset()


@pytest.fixture
def cfg(write_config):
    return load_config(
        write_config(f"""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "{DEMO_BOARDS / "events.json"}"
        [jobs.publication]
        enabled = false
    """)
    )


class Runners:
    """Fake jobs that record what ran and can fail on demand."""

    def __init__(self, outcomes: dict[str, list[object]] | None = None) -> None:
        self.calls: list[str] = []
        self.outcomes = outcomes or {}

    def __call__(self, cfg, state, name) -> Report:
        self.calls.append(name)
        run_id = state.start_run(name)
        planned = self.outcomes.get(name) or []
        outcome = planned.pop(0) if planned else "ok"
        if isinstance(outcome, Exception):
            state.finish_run(run_id, "crashed", {}, str(outcome))
            raise outcome
        report = Report(job=name)
        if outcome == "transient":
            report.failures.append("Trello: could not connect")
            report.transient = True
        state.finish_run(run_id, "ok" if report.ok else "failed", report.summary())
        return report


def scheduler(cfg, runners, now=NOW, sleeps=None):
    sleeps = [] if sleeps is None else sleeps
    return JobScheduler(
        cfg,
        {"sync": runners, "roundup": runners},
        now=lambda: now,
        sleep=sleeps.append,
        backoff=60.0,
    )


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


def test_the_log_file_has_a_timestamped_line_per_action_and_no_secret(
    cfg, runner, tmp_path, monkeypatch
):
    monkeypatch.setenv("CALDAV_PASSWORD", "hunter2-very-secret")
    log = tmp_path / "otg.log"
    result = runner.invoke(cli.main, ["--config", str(cfg.path), "--log-file", str(log), "sync"])
    assert result.exit_code == 0
    lines = log.read_text().splitlines()
    actions = [line for line in lines if " done create calendar: " in line]
    assert len(actions) == 13
    assert all(line[:4].isdigit() and "T" in line[:20] for line in lines)
    assert "hunter2" not in log.read_text()


def test_a_log_file_that_cannot_be_written_is_one_line(cfg, runner, tmp_path):
    result = runner.invoke(
        cli.main,
        [
            "--config",
            str(cfg.path),
            "--log-file",
            str(tmp_path / "no" / "such" / "otg.log"),
            "status",
        ],
    )
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot write the log file ")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_log_file_on_a_full_disk_is_one_warning_and_the_run_goes_on(cfg):
    """The disk fills mid-run: the sync still does its work; the log's failure is one line
    (the logging module alone prints a traceback per log line)."""
    args = ["--config", str(cfg.path), "-v", "--log-file", "/dev/full", "sync"]
    result = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr
    assert result.stderr.count("warning: cannot write the log file /dev/full") == 1
    assert "No space left on device; this run logs no more to it" in result.stderr
    assert (cfg.path.parent / "out" / "events.ics").exists()  # the run did its work


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(ROOT / "deploy" / name)
    return parser


def test_the_systemd_units_say_what_the_readme_says():
    service = _unit("otg-sync.service")
    assert service["Service"]["ExecStart"].endswith(" jobs run")
    assert service["Service"]["KillSignal"] == "SIGTERM"
    nightly = _unit("otg-sync-nightly.service")
    assert nightly["Service"]["Type"] == "oneshot" and " sync " in nightly["Service"]["ExecStart"]
    timer = _unit("otg-sync-nightly.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:00:00"
    assert timer["Timer"]["Persistent"] == "true"
    readme = (ROOT / "README.md").read_text()
    for name in ("otg-sync.service", "otg-sync-nightly.timer", "deploy/crontab"):
        assert name in readme


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
@pytest.mark.parametrize(
    "name", ["otg-sync.service", "otg-sync-nightly.service", "otg-sync-nightly.timer"]
)
def test_systemd_analyze_verifies_the_units(tmp_path, name):
    otg = Path(sys.executable).with_name("otg")
    for unit in ("otg-sync.service", "otg-sync-nightly.service", "otg-sync-nightly.timer"):
        text = (ROOT / "deploy" / unit).read_text()
        text = text.replace("/srv/otg-sync/.venv/bin/otg", str(otg))
        text = text.replace("User=otg", "User=root")
        text = text.replace("Group=otg", "Group=root")
        (tmp_path / unit).write_text(text)
    result = subprocess.run(
        [shutil.which("systemd-analyze") or "systemd-analyze", "verify", str(tmp_path / name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    problems = [line for line in result.stderr.splitlines() if str(tmp_path) in line]
    assert result.returncode == 0 and not problems, result.stderr


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


def _start_scheduler(cfg) -> subprocess.Popen:
    """`otg jobs run` in a process of its own, returned once it says it has started."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "--config", str(cfg.path), "jobs", "run"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    while "scheduler started" not in (line := process.stderr.readline()):
        seen.append(line)
        assert line, f"the scheduler did not start: {''.join(seen)}"
    return process


def test_a_second_scheduler_on_the_same_state_refuses_to_start(cfg):
    """Two `otg jobs run` would both run every job: the second one says who holds the state and
    how to stop it, at once; the lock goes with the first when it exits, however it exits."""
    first = _start_scheduler(cfg)
    try:
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "cli", "--config", str(cfg.path), "jobs", "run"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
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
    after_a_clean_stop = _start_scheduler(cfg)  # released when the first exited
    after_a_clean_stop.kill()  # SIGKILL: no chance to release anything
    after_a_clean_stop.communicate(timeout=60)
    after_a_kill = _start_scheduler(cfg)  # the lock a killed scheduler left is taken over
    after_a_kill.send_signal(signal.SIGTERM)
    after_a_kill.communicate(timeout=60)


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

    scheduler = _start_scheduler(cfg)
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
        second = subprocess.run(
            [sys.executable, "-m", "cli", "--config", str(cfg.path), "jobs", "run"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 3, second.stderr
    finally:
        scheduler.send_signal(signal.SIGTERM)
        scheduler.communicate(timeout=60)
    assert not_running in runner.invoke(cli.main, args).output.splitlines()

    killed = _start_scheduler(cfg)
    killed.kill()  # SIGKILL: its lock file still names it, but nothing holds the lock
    killed.communicate(timeout=60)
    assert json.loads(lock_file.read_text())["pid"] == killed.pid
    assert not_running in runner.invoke(cli.main, args).output.splitlines()


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

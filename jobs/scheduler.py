"""`otg jobs run`: the long-running scheduler, on the `schedule` package.

Each enabled job is registered with `schedule` at its local time (`every().day.at("02:00",
"Europe/London")`, or on its weekday; a fortnightly job also checks its anchor week). Around every
run: the shared run lock (never two at once, manual commands included; a job that finds it still
busy after its wait is skipped, not retried), retries with backoff for a transient failure, and a
record in the run history. A job that raises is recorded and the scheduler goes on. At start, a
run missed while the machine was off (the history says when each job last ran) runs once, not once
per missed slot. SIGTERM or SIGINT lets the current job finish the item it is on, then the
scheduler exits. Only one scheduler runs on a state database: a second `otg jobs run` is refused
at once (the scheduler lock, beside the run lock).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import schedule

from config import Config
from config.jobs import JobConfig
from jobs.lock import LockBusy, lock_for, scheduler_lock_for
from jobs.timetable import last_slot, runs_on
from sync.dates import now_utc
from sync.errors import RemoteError, Stopped
from sync.report import Report
from sync.state.store import State
from sync.stopping import pause_unless_stopped, stop_requested

log = logging.getLogger(__name__)

Runner = Callable[[Config, State, str], Report]  # (config, state, job name) → what it did
TICK = 30.0  # seconds between looks at the clock: a job starts at most this late
LOCK_WAIT = 15 * 60.0  # a job waits this long for a manual run to finish
#: Jobs that do their work once per period (the roundup drafts each period once): a failed run did
#: not do it, so it is caught up at start like a missed one, until a run succeeds.
ONCE_PER_PERIOD = frozenset({"roundup"})


@dataclass
class JobScheduler:
    cfg: Config
    runners: dict[str, Runner]
    now: Callable[[], datetime] = now_utc
    sleep: Callable[[float], None] = pause_unless_stopped
    backoff: float = 60.0  # first wait before a retry; doubles each time
    lock_wait: float = LOCK_WAIT
    ran: list[tuple[str, str]] = field(default_factory=list)  # (job, outcome), for the curious

    @property
    def jobs(self) -> list[JobConfig]:
        return [job for job in self.cfg.jobs if job.enabled and job.name in self.runners]

    def run_job(self, job: JobConfig, *, scheduled: bool = True) -> str:
        """Run one job now (a fortnightly job only in its week, when ``scheduled``)."""
        if scheduled and not runs_on(job, self.now().astimezone(self.cfg.tz).date()):
            return "not this week"
        outcome = "failed"
        for attempt in range(job.retries + 1):
            if stop_requested():
                outcome = "interrupted"
                break
            outcome, transient = self._attempt(job)
            if outcome != "ok" and stop_requested():  # told to stop: never retried
                outcome = "interrupted"
                break
            if outcome == "ok" or not transient or attempt == job.retries:
                break
            delay = self.backoff * 2**attempt
            log.warning(
                "job %s: transient failure; retry %d/%d in %.0fs",
                job.name,
                attempt + 1,
                job.retries,
                delay,
            )
            self.sleep(delay)
        self.ran.append((job.name, outcome))
        return outcome

    def _attempt(self, job: JobConfig) -> tuple[str, bool]:
        try:
            with lock_for(self.cfg.state_db, f"otg jobs: {job.name}") as lock:
                lock.acquire(self.lock_wait, sleep=self.sleep)
                with State(self.cfg.state_db) as state:
                    report = self.runners[job.name](self.cfg, state, job.name)
        except Stopped as exc:  # while waiting for the lock: nothing was done
            log.warning("job %s: %s", job.name, exc)
            return "interrupted", False
        except LockBusy as exc:  # another run is doing the work: skipped, said once, not retried
            log.warning("job %s: skipped: %s", job.name, exc.message)
            return "busy", False
        except Exception as exc:  # a job that raises is recorded; the scheduler goes on
            log.error("job %s failed: %s: %s", job.name, type(exc).__name__, exc)
            log.debug("job %s", job.name, exc_info=True)
            return "crashed", isinstance(exc, RemoteError)  # the network may come back
        counts = report.counts()
        done = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing to write"
        failures = report.failure_lines()
        if report.ok:
            log.info("job %s: ok (%s)", job.name, done)
        else:  # why, one line each: what the journal and cron's mail show
            word = "interrupted" if stop_requested() else "failed"
            log.error("job %s: %s (%s; %d failed)", job.name, word, done, len(failures))
            for line in failures:
                log.error("job %s: failed: %s", job.name, line)
        for line in report.waiting_lines():  # every run until settled, but not a failure
            log.warning("job %s: waiting for an operator: %s", job.name, line)
        return ("ok" if report.ok else "failed"), report.transient

    def catch_up(self) -> list[str]:
        """Run once each job whose latest slot passed since it last ran (per the history)."""
        caught = []
        with State(self.cfg.state_db) as state:
            # a run that was killed or interrupted did not do its work: it does not count
            last_runs = {
                job.name: [
                    r
                    for r in state.runs(job.name, limit=20)
                    if r.status in (("ok",) if job.name in ONCE_PER_PERIOD else ("ok", "failed"))
                ]
                for job in self.jobs
            }
            ever = {job.name: bool(state.runs(job.name, limit=1)) for job in self.jobs}
        for job in self.jobs:
            if not ever[job.name]:
                continue  # never ran: nothing was missed
            if not last_runs[job.name]:
                last = datetime.min.replace(tzinfo=self.now().tzinfo)
            else:
                last = datetime.fromisoformat(last_runs[job.name][0].started_at)
            if last < last_slot(job, self.now(), self.cfg.tz):
                log.info("job %s: missed its run while stopped; running it now", job.name)
                self.run_job(job, scheduled=False)
                caught.append(job.name)
        return caught

    def build(self) -> schedule.Scheduler:
        scheduler = schedule.Scheduler()
        for job in self.jobs:
            every = scheduler.every()
            unit = every.day if job.every == "day" else getattr(every, job.on)
            unit.at(job.at, self.cfg.timezone).do(self.run_job, job)
        return scheduler

    def run_forever(self) -> None:
        """Run until a stop is requested. A second scheduler on the same state database is
        refused at once (``LockBusy``, naming the first)."""
        with scheduler_lock_for(self.cfg.state_db) as lock:
            lock.acquire(0)
            scheduler = self.build()
            self.catch_up()
            jobs = "; ".join(f"{j.name} {j.describe()}" for j in self.jobs)
            log.info("scheduler started: %s", jobs)
            while not stop_requested():
                scheduler.run_pending()
                idle = scheduler.idle_seconds
                self.sleep(max(0.0, min(TICK, idle if idle is not None else TICK)))
            log.info("scheduler stopped")

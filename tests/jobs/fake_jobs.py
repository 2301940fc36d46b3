"""Fake jobs for the scheduler tests: `Runners` records what ran and fails on demand, and
`scheduler` builds a JobScheduler on them with a fixed clock and recorded sleeps."""

from __future__ import annotations

from datetime import UTC, datetime

from jobs.scheduler import JobScheduler
from sync.report import Report

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


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

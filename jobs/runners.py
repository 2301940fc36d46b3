"""What each scheduled job does: (config, state, job name) → the report of its run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.roles import Role

if TYPE_CHECKING:
    from config import Config
    from jobs.scheduler import Runner
    from sync.report import Report
    from sync.state.store import State

# The jobs are imported when they run: the command line reads this table for the job names
# alone, and `otg --help` should not pay for the calendar, Medium and Jinja2 code.


def _sync(cfg: Config, state: State, name: str) -> Report:
    import jobs.sync

    return jobs.sync.run(cfg, state, job=name)


def _publication(cfg: Config, state: State, name: str) -> Report:
    import jobs.sync

    return jobs.sync.run(cfg, state, only=[Role.CONTENT], job=name)


def _roundup(cfg: Config, state: State, name: str) -> Report:
    import jobs.roundup
    from sync.dates import now_utc

    period = jobs.roundup.next_period(cfg, state, now_utc())  # from the last one's end to now
    return jobs.roundup.run(cfg, state, period, target=cfg.roundup.target).report


RUNNERS: dict[str, Runner] = {
    "sync": _sync,
    "publication": _publication,
    "roundup": _roundup,
}

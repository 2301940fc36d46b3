"""What each scheduled job does: (config, state, job name) → the report of its run."""

from __future__ import annotations

import jobs.roundup
import jobs.sync
from config import Config
from jobs.scheduler import Runner
from sync.dates import now_utc
from sync.model import Role
from sync.report import Report
from sync.state.store import State


def _roundup(cfg: Config, state: State, name: str) -> Report:
    period = jobs.roundup.next_period(cfg, state, now_utc())  # from the last one's end to now
    return jobs.roundup.run(cfg, state, period, target=cfg.roundup.target).report


RUNNERS: dict[str, Runner] = {
    "sync": lambda cfg, state, name: jobs.sync.run(cfg, state, job=name),
    "publication": lambda cfg, state, name: jobs.sync.run(
        cfg, state, only=[Role.CONTENT], job=name
    ),
    "roundup": _roundup,
}

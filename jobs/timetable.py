"""When jobs run: local times of day, weekly and fortnightly days, across clock changes. Pure.

A time that does not exist on a day (the clocks went forward over it) runs that much later; a time
that happens twice (the clocks went back) runs once, the first time. A fortnightly job runs in the
weeks an even number of weeks from its anchor date's week.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.jobs import JobConfig

HORIZON = 15  # days to look ahead or back: every schedule repeats within a fortnight


def runs_on(job: JobConfig, day: date) -> bool:
    if job.every == "day":
        return True
    if day.weekday() != job.weekday:
        return False
    if job.every == "week":
        return True
    anchor = date.fromisoformat(job.anchor)
    weeks = (_monday(day) - _monday(anchor)).days // 7
    return weeks % 2 == 0


def local_at(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant (UTC) at which the wall clock in ``tz`` shows ``at`` on ``day``."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)  # fold=0: first, or later


def next_run(job: JobConfig, after: datetime, tz: ZoneInfo) -> datetime:
    """The first run strictly after ``after``."""
    first = after.astimezone(tz).date()
    for offset in range(HORIZON + 1):
        day = first + timedelta(days=offset)
        if runs_on(job, day) and (moment := local_at(day, job.time, tz)) > after:
            return moment
    raise ValueError(f"job {job.name} never runs")  # unreachable for a valid JobConfig


def next_runs(job: JobConfig, after: datetime, tz: ZoneInfo, count: int) -> list[datetime]:
    runs: list[datetime] = []
    for _ in range(count):
        after = next_run(job, after, tz)
        runs.append(after)
    return runs


def last_slot(job: JobConfig, before: datetime, tz: ZoneInfo) -> datetime:
    """The latest run due at or before ``before``."""
    last = before.astimezone(tz).date()
    for offset in range(HORIZON + 1):
        day = last - timedelta(days=offset)
        if runs_on(job, day) and (moment := local_at(day, job.time, tz)) <= before:
            return moment
    raise ValueError(f"job {job.name} never runs")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())

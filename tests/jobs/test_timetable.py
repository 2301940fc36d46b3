"""When jobs run: local times across clock changes, weekly and fortnightly days, and agreement
with the `schedule` package that drives `otg jobs run`."""

from __future__ import annotations

import datetime as dt
import types
from datetime import UTC, datetime

import pytest
import schedule

from config.jobs import JobConfig
from jobs.timetable import last_slot, next_run, next_runs, runs_on
from sync.dates import zone

LONDON = zone("Europe/London")
NIGHTLY = JobConfig("sync", at="02:00")
ROUNDUP = JobConfig("roundup", at="08:00", every="fortnight", on="wednesday", anchor="2026-11-25")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_nightly_runs_at_local_two_in_winter_and_summer():
    assert next_run(NIGHTLY, utc(2026, 11, 21, 12), LONDON) == utc(2026, 11, 22, 2)
    assert next_run(NIGHTLY, utc(2026, 7, 1, 12), LONDON) == utc(2026, 7, 2, 1)  # 02:00 BST


def test_the_nights_the_clocks_change():
    # 29 Mar 2026: 01:00 GMT becomes 02:00 BST. 02:00 exists (BST); 01:30 does not: an hour later.
    assert next_run(NIGHTLY, utc(2026, 3, 28, 12), LONDON) == utc(2026, 3, 29, 1)
    gap = JobConfig("sync", at="01:30")
    assert next_run(gap, utc(2026, 3, 28, 12), LONDON) == utc(2026, 3, 29, 1, 30)  # 02:30 BST
    # 25 Oct 2026: 02:00 BST becomes 01:00 GMT, so 01:30 happens twice: the job runs once.
    twice = JobConfig("sync", at="01:30")
    first = next_run(twice, utc(2026, 10, 24, 12), LONDON)
    assert first == utc(2026, 10, 25, 0, 30)  # 01:30 BST, the first of the two
    assert next_run(twice, first, LONDON) == utc(2026, 10, 26, 1, 30)  # not 01:30 GMT that night


def test_fortnightly_follows_its_anchor_week():
    runs = next_runs(ROUNDUP, utc(2026, 11, 21, 12), LONDON, 3)
    assert runs == [utc(2026, 11, 25, 8), utc(2026, 12, 9, 8), utc(2026, 12, 23, 8)]
    assert runs_on(ROUNDUP, dt.date(2026, 12, 2)) is False  # a Wednesday, the other week
    assert runs_on(ROUNDUP, dt.date(2026, 11, 11)) is True  # anchors work backwards too
    across_dst = next_runs(ROUNDUP, utc(2026, 3, 20), LONDON, 2)
    assert [r.astimezone(LONDON).hour for r in across_dst] == [8, 8]


def test_weekly_and_last_slot():
    weekly = JobConfig("publication", at="12:00", every="week", on="monday")
    assert next_run(weekly, utc(2026, 11, 21, 12), LONDON) == utc(2026, 11, 23, 12)
    assert last_slot(NIGHTLY, utc(2026, 11, 21, 1), LONDON) == utc(2026, 11, 20, 2)
    assert last_slot(NIGHTLY, utc(2026, 11, 21, 2), LONDON) == utc(2026, 11, 21, 2)
    assert last_slot(ROUNDUP, utc(2026, 12, 8), LONDON) == utc(2026, 11, 25, 8)


@pytest.mark.parametrize("now", [utc(2026, 11, 21, 12), utc(2026, 3, 28, 23), utc(2026, 7, 1, 3)])
def test_schedule_agrees_with_the_timetable(monkeypatch, now):
    """`otg jobs list` shows the timetable; `otg jobs run` uses `schedule`: they must agree."""

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            moment = now.astimezone(tz) if tz else now.astimezone().replace(tzinfo=None)
            return cls.fromtimestamp(moment.timestamp(), tz) if tz else cls(*moment.timetuple()[:6])

    fake = types.SimpleNamespace(
        datetime=Frozen, timedelta=dt.timedelta, date=dt.date, time=dt.time, tzinfo=dt.tzinfo
    )
    monkeypatch.setattr(schedule, "datetime", fake)
    job = schedule.Scheduler().every().day.at("02:00", "Europe/London").do(lambda: None)
    expected = next_run(NIGHTLY, now, LONDON).astimezone().replace(tzinfo=None)
    assert job.next_run == expected

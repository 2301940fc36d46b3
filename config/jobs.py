"""The `[jobs.<name>]` sections: what `otg jobs run` runs, and when (in local time)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from config.schema import Field, check_section, positive, unknown_key_problem

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EVERY = ("day", "week", "fortnight")
HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _at(value: str) -> str | None:
    return None if HH_MM.match(value) else f'"{value}" is not a time such as "02:00" (24-hour)'


def _anchor(value: str) -> str | None:
    try:
        date.fromisoformat(value)
    except ValueError:
        return f'"{value}" is not a date such as "2026-11-25"'
    return None


def job_fields(at: str, every: str, on: str = "wednesday") -> list[Field]:
    return [
        Field("enabled", bool, True, help="false to leave the job out"),
        Field("at", str, at, check=_at, help="local time of day, HH:MM"),
        Field("every", str, every, choices=EVERY, help="day, week or fortnight"),
        Field("on", str, on, choices=WEEKDAYS, help="the weekday, for weekly and fortnightly jobs"),
        Field(
            "anchor",
            str,
            "2026-11-25",
            check=_anchor,
            help="a date in a week the fortnight runs (fortnightly jobs)",
        ),
        Field(
            "retries",
            int,
            2,
            check=positive,
            maximum=20,
            help="tries after a failure, within one run",
        ),
    ]


#: The jobs there are, and their defaults: the nightly sync, the fortnightly roundup draft, and
#: the publication check (the content boards against the Medium feeds).
DEFAULTS: dict[str, dict[str, str]] = {
    "sync": {"at": "02:00", "every": "day"},
    "roundup": {"at": "08:00", "every": "fortnight", "on": "wednesday"},
    "publication": {"at": "12:00", "every": "day"},
}


@dataclass(frozen=True)
class JobConfig:
    name: str
    at: str
    every: str = "day"
    on: str = "wednesday"
    anchor: str = "2026-11-25"
    retries: int = 2
    enabled: bool = True

    @property
    def time(self) -> time:
        hours, minutes = self.at.split(":")
        return time(int(hours), int(minutes))

    @property
    def weekday(self) -> int:
        return WEEKDAYS.index(self.on)

    def describe(self) -> str:
        if self.every == "day":
            return f"every day at {self.at}"
        other = "other " if self.every == "fortnight" else ""
        return f"every {other}{self.on.title()} at {self.at}"


def check_jobs(table: Any, problems: list[str]) -> tuple[JobConfig, ...]:
    table = table if isinstance(table, dict) else {}
    for name in table:
        if name not in DEFAULTS:
            problems.append(unknown_key_problem("jobs.", name, list(DEFAULTS)))
    jobs = []
    for name, defaults in DEFAULTS.items():
        values = check_section(table.get(name), job_fields(**defaults), f"jobs.{name}.", problems)
        jobs.append(JobConfig(name=name, **values))
    return tuple(jobs)

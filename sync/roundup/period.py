"""A roundup's period: the instants it runs between, and the local days its post names. Pure.

A period starts and ends at instants (its end is exclusive). The post shows it as local days
("12–25 November 2026"). An editor's `--from`/`--to` period runs from the local midnight starting
its first day to the one ending its last. The scheduled roundup's runs from the end of the last
drafted period to the moment it is drafted, so that nothing done between two roundups falls
outside both (``following``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sync.dates import day_bounds
from sync.state.records import ROUNDUP

if TYPE_CHECKING:
    from sync.state.store import State

#: A microsecond: the last instant a period covers is just before its end.
TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    #: The instants it runs between (UTC, end exclusive); None: the local midnights of its days.
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def between(cls, start: datetime, end: datetime, tz: ZoneInfo) -> Period:
        """The period from ``start`` to ``end`` (exclusive), named by its local days."""
        first = start.astimezone(tz).date()
        last = max(first, (end - TICK).astimezone(tz).date())
        return cls(first, last, start, end)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The instants (UTC) it starts at and ends before."""
        start, end = day_bounds(self.first, self.last, tz)
        return self.start or start, self.end or end

    @property
    def days(self) -> int:
        """How many days it covers: its local days, or its instants' span, to the nearest day."""
        if self.start is not None and self.end is not None:
            return max(1, round((self.end - self.start) / timedelta(days=1)))
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        """ "25 November 2026" (one day), "12–25 November 2026", "28 November – 4 December 2026",
        "29 December 2026 – 11 January 2027": the month and year written once when shared."""
        a, b = self.first, self.last
        if a == b:
            return f"{a.day} {a:%B %Y}"
        if a.year != b.year:
            return f"{a.day} {a:%B %Y} – {b.day} {b:%B %Y}"
        if a.month != b.month:
            return f"{a.day} {a:%B} – {b.day} {b:%B %Y}"
        return f"{a.day}–{b.day} {b:%B %Y}"

    @property
    def key(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def covers(self, tz: ZoneInfo) -> str:
        """Which instants it covers, in local time: what status and reports say."""
        start, end = self.bounds(tz)
        return f"from {_local(start, tz)} to {_local(end, tz)}"


def fortnight_ending(day: date) -> Period:
    return Period(day - timedelta(days=13), day)


def following(last: Period | None, now: datetime, tz: ZoneInfo) -> Period:
    """The scheduled roundup's period: from the end of the last drafted one (``last``) to
    ``now``. The first ever is the fortnight before ``now``.
    When the last drafted one's last day is today, or it reaches past ``now``, it is that one
    again: a roundup drafted today is found drafted (and redrafted only as a new version), not
    followed by a period of a few minutes."""
    today = now.astimezone(tz).date()
    if last is None:
        return Period.between(now - timedelta(days=14), now, tz)
    end = last.bounds(tz)[1]
    return last if end >= now or last.last >= today else Period.between(end, now, tz)


def drafted_period(data: dict[str, Any], tz: ZoneInfo) -> Period | None:
    """The period a roundup record covered: its instants, or (older records) its days."""
    try:
        if data.get("start") and data.get("end"):
            start, end = datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
            return Period.between(start, end, tz)
        last = date.fromisoformat(data["last_day"])
        first = date.fromisoformat(data.get("first_day") or (last - timedelta(days=13)).isoformat())
    except (KeyError, TypeError, ValueError):
        return None  # not a record this version can read: it does not move the next period
    return Period(first, last)


def last_drafted(state: State, tz: ZoneInfo) -> tuple[Period, dict[str, Any]] | None:
    """The roundup drafted last (the one whose period ends latest, whatever its target), and its
    record's data (sync/roundup/targets.py writes them); None before the first."""
    latest: tuple[Period, dict[str, Any]] | None = None
    for record in state.items(ROUNDUP).values():
        period = drafted_period(record.data, tz)
        if period is not None and (
            latest is None or period.bounds(tz)[1] > latest[0].bounds(tz)[1]
        ):
            latest = (period, record.data)
    return latest


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%a %d %b %Y %H:%M")

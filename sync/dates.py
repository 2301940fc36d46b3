"""Dates and time zones.

Trello stores every date in UTC (``2019-04-04T19:00:00.000Z``); people live in a local zone. A
local day is found by converting to that zone, never by cutting the UTC string.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync.errors import UsageError
from sync.text import quoted

#: Dates outside this range are treated as nonsense on a card (Trello accepts year 0001).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class BadDate(ValueError):
    """A date string that cannot be a real date on a card."""


def parse_utc(value: object) -> datetime | None:
    """Parse a Trello date. ``None`` and ``""`` mean unset; anything unreadable raises BadDate."""
    if value is None or value == "":
        return None
    if value.__class__ is str and len(value) == 24 and value[-1] == "Z":
        # Trello's own form (2019-04-04T19:00:00.000Z), nearly every date read: parsed as it is
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass  # the general way below says what is wrong
        else:
            if EARLIEST <= parsed < LATEST:
                return parsed
    if not isinstance(value, str):
        raise BadDate(f"{quoted(value)} is not a date")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        parsed = parsed.astimezone(UTC)  # year 1 or 9999 with an offset overflows here
    except ValueError:
        raise BadDate(f"{quoted(value)} is not an ISO 8601 date") from None
    except OverflowError:
        parsed = None
    if parsed is None or not EARLIEST <= parsed < LATEST:
        raise BadDate(f"{quoted(value)} is outside {EARLIEST.year}–{LATEST.year - 1}")
    return parsed


def format_utc(moment: datetime) -> str:
    """The Trello form: ISO 8601 UTC with milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def id_timestamp(object_id: str) -> datetime | None:
    """A Trello id's creation time: its first 8 hex digits are a Unix timestamp (UTC)."""
    try:
        return datetime.fromtimestamp(int(object_id[:8], 16), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def zone(name: str) -> ZoneInfo:
    """A time zone by IANA name; raises ValueError with the name when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe", a folder
        raise ValueError(f"unknown time zone {quoted(name)}") from None


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants that start ``first`` and end ``last`` (exclusive) in local time.

    Correct across DST changes: each bound is midnight local time, whatever the offset that day.
    """
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


#: The environment variable that fixes the program's clock (tests, demos, rehearsals): an ISO 8601
#: instant such as ``2026-11-25T08:00:00Z``. Unset, the clock is the system's.
NOW_VARIABLE = "OTG_NOW"


class BadClock(UsageError):
    """``OTG_NOW`` is set to something that is not an instant."""


def now_utc() -> datetime:
    """The program's one clock: the system's, or the instant ``OTG_NOW`` names."""
    fixed = os.environ.get(NOW_VARIABLE)
    if not fixed:
        return datetime.now(UTC)
    return _fixed_now(fixed)


@lru_cache(maxsize=4)
def _fixed_now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or not EARLIEST <= moment.replace(tzinfo=moment.tzinfo or UTC) < LATEST:
        raise BadClock(
            f"{NOW_VARIABLE}={quoted(text)} is not an instant",
            f"set it like {NOW_VARIABLE}=2026-11-25T08:00:00Z, or unset it to use the system clock",
        )
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)

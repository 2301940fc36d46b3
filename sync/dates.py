"""Dates and time zones.

Trello stores every date in UTC (``2019-04-04T19:00:00.000Z``); people live in a local zone. A
local day is found by converting to that zone, never by cutting the UTC string.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


def now_utc() -> datetime:
    return datetime.now(UTC)

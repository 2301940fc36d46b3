"""Trello dates as an export holds them: mostly right, sometimes nonsense."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from tests.strategies.text import junk, sometimes

NONSENSE_DATES = (
    "0001-01-01T00:00:00.000Z",
    "0001-01-01T00:00:00+01:00",  # one hour before year 1 in UTC: overflows
    "9999-12-31T23:59:59.999Z",
    "9999-12-31T23:59:59-01:00",  # past year 9999 in UTC: overflows
    "1969-12-31T23:59:59.999Z",
    "2200-01-01T00:00:00.000Z",
    "2019-02-30T10:00:00.000Z",
    "2019-13-01T00:00:00.000Z",
    "2019-04-04T25:00:00.000Z",
    "2019-04-04T19:00:00.000Zjunk",
    "2019-04-04",
    "2019-04-04T19:00:00",
    "2019-04-04T19:00:00.000+05:30",
    "2019-04-04T19:00:00.000+24:00",
    "tomorrow",
    "",
    "  ",
    "null",
    "\x00",
    "２０１９-０４-０４",
    "2019-04-04\nT19:00:00Z",
)
ZONES = (UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12)))


def trello_date(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def good_moments() -> st.SearchStrategy[datetime]:
    return st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    )


def trello_dates() -> st.SearchStrategy[Any]:
    """A card date as an export holds it: mostly right, sometimes anything at all."""
    wide = st.builds(
        lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
        st.sampled_from(ZONES),
    )
    bad = st.one_of(st.sampled_from(NONSENSE_DATES), wide, junk())
    return st.one_of(st.none(), sometimes(good_moments().map(trello_date), bad))

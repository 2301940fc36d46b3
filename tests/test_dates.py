"""Dates: Trello's UTC strings, nonsense dates, local days and periods across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sync.dates import (
    BadClock,
    BadDate,
    day_bounds,
    format_utc,
    id_timestamp,
    local_day,
    now_utc,
    parse_utc,
    zone,
)
from tests.conftest import ROOT

DEMO = ROOT / "config" / "example" / "otg.toml"

LONDON = zone("Europe/London")


def test_parse_trello_dates():
    assert parse_utc("2019-04-04T19:00:00.000Z") == datetime(2019, 4, 4, 19, tzinfo=UTC)
    assert parse_utc(None) is None and parse_utc("") is None
    assert format_utc(datetime(2026, 11, 25, 8, 30, tzinfo=UTC)) == "2026-11-25T08:30:00.000Z"


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00.000Z", "soon", "2026-13-45", 12])
def test_nonsense_dates_are_refused(value):
    with pytest.raises(BadDate):
        parse_utc(value)


def test_local_day_is_found_by_converting_not_by_cutting_the_string():
    # 23:30 UTC is already the next day in British Summer Time, but not in winter (GMT).
    assert local_day(parse_utc("2026-06-30T23:30:00.000Z"), LONDON) == date(2026, 7, 1)
    assert local_day(parse_utc("2026-12-31T23:30:00.000Z"), LONDON) == date(2026, 12, 31)


def test_day_bounds_across_the_clocks_going_back():
    start, end = day_bounds(date(2026, 10, 25), date(2026, 10, 25), LONDON)
    assert start == datetime(2026, 10, 24, 23, tzinfo=UTC)  # midnight BST
    assert end == datetime(2026, 10, 26, 0, tzinfo=UTC)  # midnight GMT: a 25-hour day
    start, end = day_bounds(date(2026, 3, 29), date(2026, 3, 29), LONDON)
    assert (end - start).total_seconds() == 23 * 3600


def test_card_creation_time_comes_from_the_id():
    assert id_timestamp("5c9a2e8000000000000000aa") == datetime.fromtimestamp(0x5C9A2E80, UTC)
    assert id_timestamp("not-hex") is None


def test_unknown_zone():
    with pytest.raises(ValueError, match="Mars/Olympus"):
        zone("Mars/Olympus")


def test_otg_now_fixes_the_whole_programs_clock(monkeypatch):
    monkeypatch.setenv("OTG_NOW", "2026-11-25T08:00:00Z")
    assert now_utc() == datetime(2026, 11, 25, 8, tzinfo=UTC)
    monkeypatch.setenv("OTG_NOW", "2026-03-29T01:30:00+01:00")  # an offset is kept as an instant
    assert now_utc() == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    monkeypatch.setenv("OTG_NOW", "2026-11-25 08:00")  # no offset: UTC
    assert now_utc() == datetime(2026, 11, 25, 8, tzinfo=UTC)
    monkeypatch.delenv("OTG_NOW")
    assert abs((now_utc() - datetime.now(UTC)).total_seconds()) < 5


@pytest.mark.parametrize("value", ["soon", "2026-13-01", "0001-01-01T00:00:00Z"])
def test_a_bad_otg_now_is_one_line_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("OTG_NOW", value)
    with pytest.raises(BadClock, match=r"OTG_NOW=.* is not an instant"):
        now_utc()


def test_otg_now_reaches_the_command_line(monkeypatch, tmp_path):
    from click.testing import CliRunner

    import cli

    monkeypatch.setenv("OTG_NOW", "later")
    result = CliRunner().invoke(cli.main, ["--config", str(DEMO), "status"])
    assert result.exit_code == 2
    assert "OTG_NOW" in result.output and "Traceback" not in result.output

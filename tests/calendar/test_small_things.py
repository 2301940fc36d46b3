"""Smaller things seen on real boards (issue 15, part 8): a day's events in order of time, the
year in change messages when it differs, seconds when the minutes agree, JSON with comments told
so, and many cards with no date one line."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

import jobs.sync
from config import BoardConfig, load_config
from config.calendar import CalendarConfig
from sync.calendar.mapping import Skip, event_for
from sync.calendar.plan import plan_events
from sync.dates import zone
from sync.errors import SourceError
from sync.model import Role
from sync.roundup.gather import Options, Period, gather
from sync.state.store import State
from sync.trello.exports import read_export
from sync.trello.parse import parse_board
from tests.fakes.kept_boards import export, write

LONDON = zone("Europe/London")
CFG = CalendarConfig(domain="oneteamgov.uk")
NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)


def events_board(cards):
    return parse_board(export(["Confirmed"], cards), role=Role.EVENTS, source="x")


def test_a_days_events_are_in_order_of_their_start_not_their_title():
    board = events_board(
        [
            {"list": "Confirmed", "name": "A evening", "start": "2026-12-03T18:00:00.000Z"},
            {"list": "Confirmed", "name": "B morning", "start": "2026-12-03T08:00:00.000Z"},
            {"list": "Confirmed", "name": "C next day", "start": "2026-12-04T07:00:00.000Z"},
        ]
    )
    roundup = gather([board], Period(date(2026, 11, 20), date(2026, 12, 1)), Options(LONDON, CFG))
    assert [e.title for e in roundup.events_coming] == ["B morning", "A evening", "C next day"]
    assert roundup.events_coming[0].starts == "2026-12-03T08:00"


def test_a_change_message_shows_the_year_when_it_differs():
    def moved(start: str, now: datetime) -> str:
        card = {"list": "Confirmed", "name": "Camp", "start": "2026-12-30T18:00:00.000Z"}
        before = plan_events([events_board([card])], {}, cfg=CFG, tz=LONDON, now=now)
        stored = {c.card_id: c.record for c in before}
        after = events_board([card | {"start": start}])
        [change] = plan_events([after], stored, cfg=CFG, tz=LONDON, now=now)
        return change.detail

    assert moved("2027-01-02T18:00:00.000Z", NOW) == (
        "changed: start Wed 30 Dec 2026 18:00 → Sat 02 Jan 2027 18:00; "
        "end Wed 30 Dec 2026 20:00 → Sat 02 Jan 2027 20:00"
    )
    assert moved("2026-12-29T18:00:00.000Z", NOW).startswith(
        "changed: start Wed 30 Dec 18:00 → Tue 29 Dec 18:00"
    )
    assert "Wed 30 Dec 2026 18:00" in moved(
        "2026-12-29T18:00:00.000Z", datetime(2025, 6, 1, tzinfo=UTC)
    )


def test_ends_before_it_starts_shows_seconds_when_the_minutes_agree():
    [card] = events_board(
        [
            {
                "list": "Confirmed",
                "start": "2026-12-03T03:31:40.000Z",
                "due": "2026-12-03T03:31:05.000Z",
            }
        ]
    ).cards
    skip = event_for(card, CFG, LONDON)
    assert isinstance(skip, Skip)
    assert skip.reason.startswith(
        "ends (2026-12-03 03:31:05) before it starts (2026-12-03 03:31:40)"
    )
    [other] = events_board(
        [
            {
                "list": "Confirmed",
                "start": "2026-12-03T03:40:00.000Z",
                "due": "2026-12-03T03:31:00.000Z",
            }
        ]
    ).cards
    assert event_for(other, CFG, LONDON).reason.startswith("ends (2026-12-03 03:31) before")


@pytest.mark.parametrize("comment", ["// exported by hand", "  /* a note */"])
def test_json_with_comment_lines_is_told_it_has_comments(tmp_path, comment):
    path = tmp_path / "board.json"
    path.write_text(f'{comment}\n{{"id": "b", "cards": [], "lists": []}}\n', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_export(path, BoardConfig("events", Role.EVENTS, "board.json"))
    assert "has comments (line 1 starts with" in str(caught.value)
    assert "truncated" not in str(caught.value)


def undated(tmp_path, write_config, count: int):
    cards = [{"list": "Confirmed", "name": f"Someday {n}"} for n in range(count)]
    write(tmp_path / "events.json", export(["Confirmed"], cards, name="Events"))
    return load_config(
        write_config("""
        state_db = "state.db"
        [boards.events]
        role = "events"
        source = "events.json"
    """)
    )


def test_many_cards_with_no_date_are_one_line_and_each_is_logged(tmp_path, write_config, caplog):
    cfg = undated(tmp_path, write_config, 200)
    with State(cfg.state_db) as state, caplog.at_level(logging.INFO):
        report = jobs.sync.run(cfg, state, now=NOW)
    skips = [o for o in report.outcomes if o.status == "skipped"]
    assert [(o.title, o.detail) for o in skips] == [
        (
            "200 cards on Events",
            "have no date: set their start or due date (each is listed with -v)",
        )
    ]
    assert (
        sum("Someday" in r.getMessage() and "has no date" in r.getMessage() for r in caplog.records)
        == 200
    )


def test_a_few_cards_with_no_date_are_each_a_line(tmp_path, write_config):
    cfg = undated(tmp_path, write_config, 3)
    with State(cfg.state_db) as state:
        report = jobs.sync.run(cfg, state, now=NOW)
    assert [o.title for o in report.outcomes if o.status == "skipped"] == [
        "Someday 0",
        "Someday 1",
        "Someday 2",
    ]

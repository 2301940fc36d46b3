"""What a period features: the demo boards against a golden file, empty and DST periods, date
ranges, featured cards left out, the context templates see, and the period's options."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

import cli
import jobs.roundup
import jobs.sync
from config import EXAMPLE, load_config
from sync.model import Label, Role
from sync.roundup.gather import Options, Period, fortnight_ending, gather
from sync.roundup.render import render
from sync.trello.exports import read_export
from tests.calendar.test_mapping import CFG, LONDON, board, card
from tests.conftest import DEMO_BOARDS
from tests.roundup.demo import GOLDEN, PERIOD, demo_config, demo_roundup


def test_the_demo_roundup_matches_the_golden_file(demo, runner):
    assert runner.invoke(cli.main, ["--config", str(demo), "sync"]).exit_code == 0
    result = runner.invoke(
        cli.main,
        ["--config", str(demo), "roundup", "--from", "2026-11-12", "--to", "2026-11-25"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert result.output == GOLDEN.read_text(encoding="utf-8")


def test_what_the_demo_period_features():
    roundup = demo_roundup(PERIOD)
    assert [i.title for i in roundup.team] == [
        "Set up a shared OneTeamGov events calendar",
        "Started a fortnightly Wednesday breakfast in Leeds",
        "Welcomed two new organisers to the core team",
    ]
    assert next(iter(roundup.microactions)) == "Policy"  # the biggest group first
    assert sum(len(items) for items in roundup.microactions.values()) == 8
    assert [e.title for e in roundup.events_held] == [
        "OneTeamGov Breakfast — Manchester",
        "OneTeamGov Breakfast — Leeds",
    ]
    assert all(e.date > "2026-11-25" for e in roundup.events_coming)
    assert "OneTeamGov Breakfast — Birmingham" not in [e.title for e in roundup.events_coming]


def test_an_empty_period_is_a_short_friendly_post():
    text = render(demo_roundup(Period(date(2025, 1, 1), date(2025, 1, 14))).context())
    assert text.startswith(
        "# One Team Government: two weeks on (1–14 January 2025)\n\nIt's been a quiet fortnight"
    )
    assert "## Microactions" not in text and "## Get involved" in text
    assert len(text.splitlines()) < 20  # with the editor's two slots


def test_a_period_across_the_clocks_going_back_counts_local_days():
    """25 Oct 2026 is 25 hours long in London: a microaction at 23:30 local (22:30 UTC) on the
    last day is in; one at 00:30 local the day after (00:30 UTC) is out."""
    inside = card("c1", state="done", completed_at=datetime(2026, 10, 25, 23, 30, tzinfo=UTC))
    outside = card("c2", state="done", completed_at=datetime(2026, 10, 26, 0, 30, tzinfo=UTC))
    early = card("c3", state="done", completed_at=datetime(2026, 10, 11, 23, 30, tzinfo=UTC))
    microactions = replace(board(inside, outside, early), role=Role.MICROACTIONS)
    roundup = gather(
        [microactions], fortnight_ending(date(2026, 10, 25)), Options(tz=LONDON, calendar=CFG)
    )
    done = [i.card_id for items in roundup.microactions.values() for i in items]
    assert sorted(done) == ["c1", "c3"]  # 11 Oct 23:30 UTC is 12 Oct 00:30 BST: the first day
    assert fortnight_ending(date(2026, 10, 25)).label == "12–25 October 2026"


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        (date(2026, 11, 25), date(2026, 11, 25), "25 November 2026"),
        (date(2026, 11, 12), date(2026, 11, 25), "12–25 November 2026"),
        (date(2026, 11, 28), date(2026, 12, 4), "28 November – 4 December 2026"),
        (date(2026, 12, 29), date(2027, 1, 11), "29 December 2026 – 11 January 2027"),
    ],
)
def test_a_period_reads_as_a_date_range(write_config, runner, first, last, label):
    """One day is one date; the month and year are written once when both ends share them."""
    assert Period(first, last).label == label
    config = write_config(demo_config(DEMO_BOARDS))
    result = runner.invoke(
        cli.main,
        ["--config", str(config), "roundup", "--from", first.isoformat(), "--to", last.isoformat()],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"# One Team Government: two weeks on ({label})\n")


def test_an_all_day_event_across_two_months_names_both():
    camp = card(
        "camp",
        start=datetime(2026, 11, 30, 9, tzinfo=UTC),
        due=datetime(2026, 12, 1, 17, tzinfo=UTC),
        labels=(Label("l", "All day"),),
    )
    roundup = gather([board(camp)], PERIOD, Options(tz=LONDON, calendar=CFG))
    assert [e.when for e in roundup.events_coming] == ["Mon 30 November – Tue 1 December"]


def test_cards_featured_before_are_left_out_unless_asked_for():
    cfg = load_config(EXAMPLE)
    boards = [read_export(cfg.board_path(b), b) for b in cfg.boards]
    microactions = boards[0]
    first = next(c for items in demo_roundup(PERIOD).microactions.values() for c in items)
    labelled = [
        c
        if c.id != first.card_id
        else replace(c, labels=(*c.labels, type(c.labels[0])("x", "Roundup 2026-11-11")))
        for c in microactions.cards
    ]
    boards[0] = type(microactions)(**{**microactions.__dict__, "cards": tuple(labelled)})
    options = Options(tz=cfg.tz, calendar=cfg.calendar)
    featured = {
        i.card_id for items in gather(boards, PERIOD, options).microactions.values() for i in items
    }
    assert first.card_id not in featured
    again = gather(boards, PERIOD, Options(tz=cfg.tz, calendar=cfg.calendar, include_featured=True))
    assert first.card_id in {i.card_id for items in again.microactions.values() for i in items}


def test_a_custom_template_and_the_context_it_sees(tmp_path):
    template = tmp_path / "short.md.j2"
    template.write_text(
        "{{ period.label }}: {{ microactions.total | plural('thing') }}, "
        "{{ events.held | length }} held, {{ posts | length }} posts\n"
    )
    assert render(demo_roundup(PERIOD).context(), template) == (
        "12–25 November 2026: 8 things, 2 held, 2 posts\n"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--from", "2026-11-30", "--to", "2026-11-25"],
            "error: --from 2026-11-30 is after --to 2026-11-25 — swap them\n",
        ),
        (["--from", "25/11/2026"], 'error: --from "25/11/2026" is not a date — use YYYY-MM-DD\n'),
        (["--to", "9999-12-31"], "error: --to 9999-12-31 is outside 1970–2199 — use a date nearer"),
        (
            ["--template", "/no/such/template.j2"],
            "error: no roundup template at /no/such/template.j2 — check --template",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(demo, runner, args, message):
    result = runner.invoke(cli.main, ["--config", str(demo), "roundup", *args])
    assert result.exit_code == 2
    assert result.output.startswith(message) and result.output.count("\n") == 1


def test_default_period_is_the_14_days_ending_today():
    assert jobs.roundup.period_from(None, None, date(2026, 11, 25)) == PERIOD
    assert jobs.roundup.period_from("2026-11-12", None, date(2030, 1, 1)) == PERIOD
    assert jobs.roundup.period_from(None, "2026-11-25", date(2030, 1, 1)) == PERIOD


def test_json_gives_the_gathered_data(demo, runner):
    result = runner.invoke(
        cli.main, ["--config", str(demo), "roundup", "--to", "2026-11-25", "--json"]
    )
    data = json.loads(result.output)
    assert data["context"]["period"] == {
        "first": "2026-11-12",
        "last": "2026-11-25",
        "label": "12–25 November 2026",
        "days": 14,
    }
    assert data["context"]["microactions"]["total"] == 8 and data["ok"] is True

"""What a roundup reports as done and as held, and what it features (labels when finalised).

Only known completion times count for a period: cards done before their board's history begins
are left out and said in one line (listed, marked, with --include-estimated); a ticked due date
outside a done list does not count by default. Featuring means listed as done or held: "coming
up" and "happening now" are a preview and never consume an event.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import cli
from sync.model import Label, Role
from sync.roundup.gather import Options, gather
from sync.roundup.period import Period
from sync.roundup.render import render
from tests.calendar.test_mapping import CFG, LONDON, board, card
from tests.roundup.demo import PERIOD
from tests.trello.test_done import DOING, DONE, export, move
from tests.trello.test_done import card as raw_card

IN_PERIOD = datetime(2026, 11, 20, 12, tzinfo=UTC)
OPTIONS = Options(tz=LONDON, calendar=CFG)


def microactions(*cards):
    return replace(board(*cards), role=Role.MICROACTIONS)


def listed(roundup) -> list[str]:
    return [i.card_id for items in roundup.microactions.values() for i in items]


def test_cards_done_before_the_history_begins_are_left_out_and_said_in_one_line():
    board = microactions(
        card("known", state="done", completed_at=IN_PERIOD),
        card("bulk1", state="done", last_activity=IN_PERIOD),  # no move in the history
        card("bulk2", state="done", last_activity=IN_PERIOD),
    )
    roundup = gather([board], PERIOD, OPTIONS)
    assert listed(roundup) == ["known"]
    assert roundup.left_out == {"microactions": 2}
    text = render(roundup.context())
    assert (
        "[Editor: 2 more done before the board's history begins: not listed "
        "(\\`otg roundup --include-estimated\\` lists them, marked)]"
    ) in text
    everything = gather([board], PERIOD, replace(OPTIONS, include_estimated=True))
    assert sorted(listed(everything)) == ["bulk1", "bulk2", "known"]
    marked = render(everything.context())
    assert marked.count("(done before the board's history begins: date estimated)") == 2
    assert "[Editor:" in marked and "not listed" not in marked


def test_posts_published_follow_the_same_rule():
    posts = replace(
        board(
            card("p1", name="Known", state="published", completed_at=IN_PERIOD),
            card("p2", name="Guessed", state="published", last_activity=IN_PERIOD),
        ),
        role=Role.CONTENT,
    )
    roundup = gather([posts], PERIOD, OPTIONS)
    assert [p.title for p in roundup.posts] == ["Known"]
    assert roundup.left_out == {"posts": 1}
    assert roundup.left_out_line().startswith("1 more published before the board's history")


def test_a_post_is_published_when_the_feed_says_not_when_its_card_moved():
    post = card("p1", name="Feed", state="published", completed_at=IN_PERIOD)
    feed_date = datetime(2026, 11, 2, 9, tzinfo=UTC)  # before the period: not this fortnight's
    roundup = gather(
        [replace(board(post), role=Role.CONTENT)], PERIOD, OPTIONS, {"p1": ("", feed_date)}
    )
    assert roundup.posts == []


def test_a_ticked_due_date_outside_done_counts_only_where_the_config_says():
    moved_back = card("c1", state="doing", due_complete=True, due_ticked_at=IN_PERIOD)
    assert listed(gather([microactions(moved_back)], PERIOD, OPTIONS)) == []


def test_an_event_previewed_as_coming_up_is_held_in_the_next_period():
    first = Period(PERIOD.first, PERIOD.last)  # 12–25 November; the breakfast is 2 December
    event = card("e1")
    roundup = gather([board(event)], first, OPTIONS)
    assert [e.card_id for e in roundup.events_coming] == ["e1"] and roundup.featured == []
    # finalising labels what was featured: nothing of the event's
    second = Period(datetime(2026, 11, 26).date(), datetime(2026, 12, 9).date())
    later = gather([board(event)], second, OPTIONS)
    assert [e.card_id for e in later.events_held] == ["e1"] and later.featured == ["e1"]
    assert not later.empty


def test_an_event_running_at_the_period_end_is_happening_now_then_held():
    start = datetime(2026, 11, 25, 7, tzinfo=UTC)  # a two-day camp from Wednesday morning
    camp = card("camp", start=start, due=datetime(2026, 11, 26, 17, tzinfo=UTC))
    drafted = Period.between(datetime(2026, 11, 11, 8, tzinfo=UTC), start.replace(hour=8), LONDON)
    now = gather([board(camp)], drafted, OPTIONS)
    assert [e.card_id for e in now.events_now] == ["camp"] and now.events_held == []
    assert "Happening now:\n\n- **OneTeamGov Breakfast — Leeds**" in render(now.context())
    assert now.featured == []
    nxt = Period.between(drafted.end, datetime(2026, 12, 9, 8, tzinfo=UTC), LONDON)
    assert [e.card_id for e in gather([board(camp)], nxt, OPTIONS).events_held] == ["camp"]


def test_planning_events_coming_up_are_to_be_confirmed():
    tentative = card("e2", state="planning", list_name="Planning")
    text = render(gather([board(tentative)], PERIOD, OPTIONS).context())
    assert "Wed 2 December, 08:00–09:00 (to be confirmed)" in text


def test_re_printing_a_finalised_period_shows_what_it_featured():
    label = Label("lf", "Roundup 2026-11-25")
    featured = card("m1", state="done", completed_at=IN_PERIOD, labels=(label,))
    other = card(
        "m2", state="done", completed_at=IN_PERIOD, labels=(Label("lo", "Roundup 2026-11-11"),)
    )
    options = replace(OPTIONS, own_label="Roundup 2026-11-25")
    assert listed(gather([microactions(featured, other)], PERIOD, options)) == ["m1"]
    assert listed(gather([microactions(featured, other)], PERIOD, OPTIONS)) == []


def test_people_who_are_not_board_members_are_kept_from_a_field_or_the_cards_text():
    done = card(
        "m1", state="done", completed_at=IN_PERIOD, custom_fields={"Who": "Ada Lovelace and Bo"}
    )
    roundup = gather([microactions(done)], PERIOD, replace(OPTIONS, people_field="Who"))
    [item] = roundup.microactions["Other microactions"]
    assert item.who == ["Ada Lovelace", "Bo"]
    told = card("m2", state="done", completed_at=IN_PERIOD, desc="Lean coffee.\nWho: Cy; Di")
    [item] = gather([microactions(told)], PERIOD, OPTIONS).microactions["Other microactions"]
    assert item.who == ["Cy", "Di"]


def test_the_command_says_what_it_left_out_and_lists_it_marked_when_asked(
    write_config, runner, tmp_path
):
    data = export(
        [raw_card(1), raw_card(2, name="Ran a show-and-tell")],
        [move(2, "2026-11-19T09:00:00.000Z", DONE, DOING)],
    )
    (tmp_path / "m.json").write_text(json.dumps(data), encoding="utf-8")
    config = write_config('[boards.m]\nrole = "microactions"\nsource = "m.json"\n')
    args = ["--config", str(config), "roundup", "--from", "2026-11-12", "--to", "2026-11-25"]
    result = runner.invoke(cli.main, args)
    assert result.exit_code == 0, result.output
    assert "- Ran a show-and-tell\n" in result.stdout and "Microaction 1" not in result.stdout
    assert (
        "warning: 1 more done before the board's history begins: not listed "
        "(`otg roundup --include-estimated` lists them, marked)"
    ) in result.stderr.splitlines()
    marked = runner.invoke(cli.main, [*args, "--include-estimated"])
    assert (
        "- Microaction 1 (done before the board's history begins: date estimated)\n"
        in marked.stdout
    )
    boards = runner.invoke(cli.main, ["--config", str(config), "boards"])
    assert "2 done: 1 from the history, 1 done before the history begins" in boards.output

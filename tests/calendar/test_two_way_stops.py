"""Two-way events: a stop (Ctrl-C, SIGTERM) between steps leaves a run the rerun finishes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sync import stopping
from sync.state.store import State
from sync.trello.api import TrelloApi
from tests.calendar.two_way_harness import (
    CARD_POSTS,
    DOMAIN,
    THEIRS_EVENT,
    TwoWay,
    card_id,
    conflicts,
    ical,
    rename_card,
)

# -- a stop (SIGTERM, Ctrl-C) between calendar changes --------------------------------------------


CARDIFF = "cardiff-2027@their.app"


@pytest.fixture
def stop_after(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``stop_after("create_card")``: a stop is requested (as SIGTERM does) just after the first
    such request to Trello succeeds, while the run is in the middle of its loop; once."""

    def arrange(method: str) -> None:
        real = getattr(TrelloApi, method)
        stopped: list[bool] = []

        def then_stop(self: TrelloApi, *args: Any, **kwargs: Any) -> Any:
            answer = real(self, *args, **kwargs)
            if not stopped:
                stopped.append(True)
                stopping.request_stop()
            return answer

        monkeypatch.setattr(TrelloApi, method, then_stop)

    stopping.reset()
    yield arrange
    stopping.reset()


def last_run_status(two_way: TwoWay) -> str:
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        return state.runs(limit=1)[0].status


def test_a_stop_between_imports_makes_one_card_and_the_rerun_the_other(
    two_way: TwoWay, stop_after: Any
) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    two_way.put(
        "cardiff.ics",
        ical(CARDIFF, "DTSTART:20270310T093000Z", "DTEND:20270310T163000Z", summary="Cardiff"),
    )
    stop_after("create_card")

    report = two_way.sync()

    assert report.exit_code == 1
    assert len(two_way.cards("Inbox")) == 1  # the card it was on, and no more
    assert two_way.trello_writes == [("POST", "/1/cards")]
    assert "calendar → board: stopped before 1 change; the next sync makes them" in (
        report.failures
    )
    assert last_run_status(two_way) == "interrupted"

    stopping.reset()  # the stop is over: the rerun goes to the end
    two_way.later(hours=1)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert sorted(c["name"] for c in two_way.cards("Inbox")) == [
        "Cardiff",
        "Unconference in Bristol",
    ]
    assert two_way.fake.count("POST", CARD_POSTS) == 1  # the other one, once


def test_a_conflict_left_by_a_stop_is_not_reported_as_decided(
    two_way: TwoWay, stop_after: Any
) -> None:
    two_way.conflict = "calendar"
    two_way.sync()
    for n in (1, 2):  # both sides change both events
        ours = two_way.calendar()[f"trello-{card_id(n)}@{DOMAIN}"]
        name = str(ours.event["SUMMARY"])
        text = ours.event.to_ical().decode().replace(name, f"{name} (calendar)")
        two_way.put(
            ours.href.rsplit("/", 1)[-1],
            f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}"
            "END:VCALENDAR\r\n",
        )
        rename_card(two_way, card_id(n), f"{name} (board)")
    two_way.later(hours=1)
    stop_after("update_card")

    report = two_way.sync()

    assert report.exit_code == 1
    assert len(conflicts(report)) == 1  # the one decided; the other is the next run's to decide
    stopping.reset()
    two_way.later(hours=1)
    rerun = two_way.sync()
    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert all(two_way.fake.card(card_id(n))["name"].endswith("(calendar)") for n in (1, 2))


def test_a_stop_between_calendar_edits_applies_one_and_keeps_the_other_for_the_rerun(
    two_way: TwoWay, stop_after: Any
) -> None:
    two_way.sync()
    for n in (1, 2):
        ours = two_way.calendar()[f"trello-{card_id(n)}@{DOMAIN}"]
        name = str(ours.event["SUMMARY"])
        text = ours.event.to_ical().decode().replace(name, f"{name} (moved)")
        two_way.put(
            ours.href.rsplit("/", 1)[-1],
            f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//App//EN\r\n{text}"
            "END:VCALENDAR\r\n",
        )
    two_way.later(hours=1)
    stop_after("update_card")

    report = two_way.sync()

    assert report.exit_code == 1
    names = {n: two_way.fake.card(card_id(n))["name"] for n in (1, 2)}
    [done] = [n for n, name in names.items() if name.endswith("(moved)")]  # one card, no more
    [left] = [n for n in (1, 2) if n != done]
    assert two_way.trello_writes == [("PUT", f"/1/cards/{card_id(done)}")]
    assert "calendar → board: stopped before 1 change; the next sync makes them" in (
        report.failures
    )
    # the edit not yet made is not lost: the calendar keeps it, nothing put the card's back
    summary = two_way.calendar()[f"trello-{card_id(left)}@{DOMAIN}"].event["SUMMARY"]
    assert str(summary).endswith("(moved)")

    stopping.reset()
    two_way.later(hours=1)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert all(two_way.fake.card(card_id(n))["name"].endswith("(moved)") for n in (1, 2))
    assert two_way.trello_writes == [("PUT", f"/1/cards/{card_id(left)}")]

"""Two-way events: an event added on the calendar becomes one card in the inbox, once, however the
run is interrupted.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from sync.state.store import State
from tests.calendar.two_way_harness import (
    CARD_POSTS,
    THEIRS,
    THEIRS_EVENT,
    TwoWay,
    outcomes,
)

# -- import once -------------------------------------------------------------------------------


def test_an_event_added_on_the_calendar_becomes_one_card_in_the_inbox(two_way: TwoWay) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    before = two_way.calendar()[THEIRS]

    report = two_way.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    [card] = two_way.cards("Inbox")
    assert card["name"] == "Unconference in Bristol"
    assert (card["start"], card["due"]) == ("2027-01-20T09:30:00.000Z", "2027-01-20T16:30:00.000Z")
    assert card["locationName"] == "The Watershed, Bristol"
    assert card["desc"].startswith("A day of sessions.\nBring ideas.\n\n---\n")
    assert card["desc"].endswith(f"\notg-uid: {THEIRS}")
    assert two_way.trello_writes == [("POST", "/1/cards")]
    [made] = [o for o in report.outcomes if o.kind == "import"]
    assert (made.target, made.status, made.title) == ("trello", "done", "Unconference in Bristol")
    assert made.detail == "new card in Inbox"
    # their event is left exactly as it was on the way in (and our own two are created)
    on_server = two_way.calendar()
    assert on_server[THEIRS] == before
    assert two_way.caldav_sent == {"PROPFIND": 1, "REPORT": 1, "PUT": 2}
    assert sorted(outcomes(report, "caldav")) == [("create", "caldav", "done")] * 2

    two_way.later(hours=1)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 0  # imports nothing
    assert two_way.trello_writes == []
    assert len(two_way.cards("Inbox")) == 1
    # the card's event is recorded (and in the feed); the calendar's is not rewritten
    assert two_way.calendar()[THEIRS] == before
    assert two_way.caldav_sent == {"PROPFIND": 1}
    assert outcomes(rerun, "caldav") == []
    assert ("create", "calendar", "done") in outcomes(rerun)

    two_way.later(hours=6)
    two_way.assert_nothing_written(two_way.sync())  # nothing changed: nothing written anywhere
    assert two_way.calendar()[THEIRS] == before


def test_the_cli_dry_run_shows_the_import_and_touches_nothing(two_way: TwoWay) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    before = two_way.calendar()

    result = two_way.cli("--dry-run", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dry_run"] is True
    [planned] = [o for o in data["outcomes"] if o["kind"] == "import"]
    assert (planned["target"], planned["status"], planned["title"]) == (
        "trello",
        "planned",
        "Unconference in Bristol",
    )
    assert data["counts"]["import"] == 1
    assert two_way.trello_writes == []
    assert two_way.clients[-1].session.writes == 0
    assert two_way.calendar() == before
    assert not (two_way.tmp / "state" / "otg-state.db").exists()

    text = two_way.cli("--dry-run")
    assert "would import     trello       Unconference in Bristol — new card in Inbox" in (
        text.output
    )

    real = two_way.cli("--json")

    assert real.exit_code == 0, real.output
    done = json.loads(real.output)
    assert [o["status"] for o in done["outcomes"] if o["kind"] == "import"] == ["done"]
    assert done["requests"]["trello"] >= 2  # the board read, then the card created
    assert len(two_way.cards("Inbox")) == 1


# -- a crash between the card create and the state update --------------------------------------


def test_a_crash_after_the_card_create_never_makes_a_second_card(
    two_way: TwoWay, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    real_settle = State.settle_intent
    crashed: list[int] = []

    def crash_once(self: State, intent_id: int, status: str, result: dict[str, Any]) -> None:
        if not crashed:
            crashed.append(intent_id)
            raise RuntimeError("killed between the card create and the state update")
        real_settle(self, intent_id, status, result)

    monkeypatch.setattr(State, "settle_intent", crash_once)
    with pytest.raises(RuntimeError, match="killed"):
        two_way.sync()
    monkeypatch.setattr(State, "settle_intent", real_settle)

    assert two_way.fake.count("POST", CARD_POSTS) == 1  # the card was made
    made = two_way.imported()
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert [(i.kind, i.key, i.status) for i in state.intents()] == [
            ("trello-card", THEIRS, "pending")
        ]
        assert state.runs()[0].status == "crashed"
    assert THEIRS in two_way.calendar()  # and nothing else was harmed

    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 0
    assert [c["id"] for c in two_way.cards("Inbox")] == [made["id"]]
    [found] = [o for o in rerun.outcomes if o.kind == "import"]
    assert (found.key, found.detail) == (made["id"], "found on the board from an earlier run")
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert [(i.status, i.result) for i in state.intents()] == [("done", {"card": made["id"]})]
    assert set(two_way.items("calendar-imported")) == {made["id"]}

    two_way.later(minutes=5)
    two_way.sync()  # the event is made ours
    two_way.later(minutes=5)
    two_way.assert_nothing_written(two_way.sync())
    assert len(two_way.cards("Inbox")) == 1


def test_a_lost_reply_to_the_card_create_is_found_on_the_rerun(two_way: TwoWay) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    two_way.fake.fail_after_apply("POST", "/1/cards", requests.ConnectionError)

    report = two_way.sync()

    assert report.exit_code == 1
    [lost] = [o for o in report.outcomes if o.kind == "import"]
    assert lost.status == "failed"
    assert "could not connect" in lost.detail
    assert two_way.fake.count("POST", CARD_POSTS) == 1  # never retried blindly
    assert THEIRS in two_way.calendar()
    made = two_way.imported()  # it did reach Trello

    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 0
    assert [c["id"] for c in two_way.cards("Inbox")] == [made["id"]]


SPACED = "Bristol Unconference 2027 {abc}@their.app"  # a UID with spaces in it


def test_a_lost_reply_to_the_create_of_an_event_whose_uid_has_spaces_makes_one_card(
    two_way: TwoWay,
) -> None:
    two_way.put("spaced.ics", THEIRS_EVENT.replace(THEIRS, SPACED))
    two_way.fake.fail_after_apply("POST", "/1/cards", requests.ConnectionError)

    report = two_way.sync()

    assert report.exit_code == 1
    assert two_way.fake.count("POST", CARD_POSTS) == 1
    made = two_way.imported()
    assert made["desc"].endswith(f"\notg-uid: {SPACED}")  # written as it is, spaces and all

    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 0  # found by its whole UID, not made again
    assert [c["id"] for c in two_way.cards("Inbox")] == [made["id"]]
    [found] = [o for o in rerun.outcomes if o.kind == "import"]
    assert found.detail == "found on the board from an earlier run"
    two_way.later(minutes=5)
    two_way.sync()  # the event is made ours
    two_way.later(minutes=5)
    two_way.assert_nothing_written(two_way.sync())
    assert len(two_way.cards("Inbox")) == 1
    assert SPACED in two_way.calendar()


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ([], "a list"),
        ({"name": "no id"}, "an object without an id"),
        ("null", "null"),
    ],
    ids=["a list", "no id", "null"],
)
def test_a_card_create_answered_in_the_wrong_shape_is_one_line_and_found_on_the_rerun(
    two_way: TwoWay, answer: Any, said: str
) -> None:
    """Trello made the card, then answered 200 with JSON that is not a card: the outcome is
    unknown, as with a lost answer. One failed line; the calendar's own work still done; the
    rerun finds the card by its marker and makes no second one."""
    two_way.put("bristol.ics", THEIRS_EVENT)
    two_way.fake.fail_after_apply("POST", "/1/cards", body=answer)

    result = two_way.cli()

    assert result.exit_code == 1, result.output
    assert "unexpected" not in result.output and "Traceback" not in result.output
    [line] = [x for x in result.output.splitlines() if x.startswith("failed ")]
    assert line.endswith(
        f"Unconference in Bristol — Trello answered POST /1/cards with {said} where the new card "
        'belongs (creating card "Unconference in Bristol"): it may have been made — rerun '
        "later: the next sync looks for it before making it again"
    ), line
    assert two_way.fake.count("POST", CARD_POSTS) == 1
    assert two_way.caldav_sent["PUT"] == 2  # the events of the board's cards: the run went on
    made = two_way.imported()
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert [(i.key, i.status) for i in state.intents()] == [(THEIRS, "pending")]

    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 0
    assert [c["id"] for c in two_way.cards("Inbox")] == [made["id"]]
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert [(i.status, i.result) for i in state.intents()] == [("done", {"card": made["id"]})]


def test_a_card_create_that_never_reached_trello_is_made_on_the_rerun(two_way: TwoWay) -> None:
    two_way.put("bristol.ics", THEIRS_EVENT)
    two_way.fake.fail_next("POST", "/1/cards", exception=requests.ConnectionError)

    report = two_way.sync()

    assert report.exit_code == 1
    assert two_way.cards("Inbox") == []
    two_way.later(minutes=5)
    rerun = two_way.sync()

    assert rerun.exit_code == 0, (rerun.failures, rerun.outcomes)
    assert two_way.fake.count("POST", CARD_POSTS) == 1
    assert len(two_way.cards("Inbox")) == 1
    with State(two_way.tmp / "state" / "otg-state.db") as state:
        assert [(i.key, i.status) for i in state.intents()] == [(THEIRS, "done")]  # one intent

"""Event cards → calendar events, and the plan that keeps the calendar's records in step."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from config.calendar import CalendarConfig
from sync.calendar.mapping import EventSpec, Skip, event_for
from sync.calendar.plan import Imported, calendar_records, plan_events, spec_of
from sync.dates import zone
from sync.model import Attachment, Board, Card, DeletedCard, Label, Role

LONDON = zone("Europe/London")
CFG = CalendarConfig(domain="oneteamgov.uk")
NOW = datetime(2026, 11, 21, 2, tzinfo=UTC)
BOARD = "5f0000000000000000000e01"


def card(card_id: str = "c1", **fields) -> Card:
    base = dict(
        id=card_id,
        name="OneTeamGov Breakfast — Leeds",
        board_id=BOARD,
        list_id="l2",
        list_name="Confirmed",
        state="confirmed",
        url=f"https://trello.com/c/{card_id}",
        start=datetime(2026, 12, 2, 8, tzinfo=UTC),
        due=datetime(2026, 12, 2, 9, tzinfo=UTC),
    )
    return Card(**{**base, **fields})


def board(*cards: Card, deleted: tuple[DeletedCard, ...] = (), board_id: str = BOARD) -> Board:
    return Board(
        id=board_id, name="Events", role=Role.EVENTS, source="x", cards=cards, deleted=deleted
    )


def plan(boards, stored=None, now=NOW, cfg=CFG):
    return plan_events(boards, stored or {}, cfg=cfg, tz=LONDON, now=now)


def apply(stored, changes):
    return {**stored, **{c.card_id: c.record for c in changes if c.record}}


# -- mapping ---------------------------------------------------------------------------------


def test_a_confirmed_card_with_start_and_due():
    spec = event_for(
        card(
            location_name="Leeds Library",
            address="Calverley St, Leeds",
            desc="Lean coffee.",
            attachments=(Attachment("a", "Sign up here", "https://ti.to/otg"),),
        ),
        CFG,
        LONDON,
    )
    assert isinstance(spec, EventSpec)
    assert (spec.start, spec.end, spec.all_day) == (
        datetime(2026, 12, 2, 8, tzinfo=UTC),
        datetime(2026, 12, 2, 9, tzinfo=UTC),
        False,
    )
    assert (spec.status, spec.location) == ("CONFIRMED", "Leeds Library, Calverley St, Leeds")
    assert spec.description == (
        "Lean coffee.\n\nSign up: https://ti.to/otg\n\nPlanned on Trello: https://trello.com/c/c1"
    )


@pytest.mark.parametrize(
    "state, status", [("planning", "TENTATIVE"), ("confirmed", "CONFIRMED"), ("done", "CONFIRMED")]
)
def test_status_follows_the_list(state, status):
    assert event_for(card(state=state), CFG, LONDON).status == status


@pytest.mark.parametrize("state", ["proposed", "cancelled", None, "ignore"])
def test_unpublished_states_are_not_events(state):
    assert event_for(card(state=state), CFG, LONDON) is None


def test_only_one_time_known_uses_the_default_duration():
    only_due = event_for(card(start=None), CFG, LONDON)
    assert (only_due.start, only_due.end) == (
        datetime(2026, 12, 2, 9, tzinfo=UTC),
        datetime(2026, 12, 2, 11, tzinfo=UTC),
    )
    only_start = event_for(card(due=None), CFG, LONDON)
    assert only_start.end - only_start.start == timedelta(minutes=120)


def test_custom_fields_for_times_place_and_sign_up():
    cfg = replace(CFG, start_field="Starts", end_field="Ends")
    spec = event_for(
        card(
            custom_fields={
                "Starts": datetime(2027, 1, 22, 9, tzinfo=UTC),
                "Ends": datetime(2027, 1, 22, 17, tzinfo=UTC),
                "Venue": "Tramshed",
                "Sign-up link": "https://eventbrite.example/otg-wales",
            },
            location_name="Cardiff",
        ),
        cfg,
        LONDON,
    )
    assert (spec.start.hour, spec.end.hour) == (9, 17)
    assert spec.location == "Tramshed, Cardiff"
    assert "Sign up: https://eventbrite.example/otg-wales" in spec.description


def test_all_day_by_label_or_field_in_local_days():
    camp = card(
        start=datetime(2026, 10, 2, 23, tzinfo=UTC),  # 00:00 BST on 3 October
        due=datetime(2026, 10, 4, 16, tzinfo=UTC),
        labels=(Label("l", "All day"),),
    )
    spec = event_for(camp, CFG, LONDON)
    assert (spec.start, spec.end, spec.all_day) == (date(2026, 10, 3), date(2026, 10, 5), True)
    by_field = event_for(card(custom_fields={"All day": True}, due=None), CFG, LONDON)
    assert (by_field.start, by_field.end) == (date(2026, 12, 2), date(2026, 12, 3))


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"start": None, "due": None}, "has no date: set the card's start or due date"),
        (
            {
                "start": None,
                "due": None,
                "problems": ('due: "0001-01-01" is outside 1970–2199; ignored',),
            },
            'due: "0001-01-01" is outside 1970–2199; ignored',
        ),
        (
            {"start": datetime(2026, 12, 2, 10, tzinfo=UTC)},
            "ends (2026-12-02 09:00) before it starts (2026-12-02 10:00): "
            "fix the start or due date",
        ),
    ],
)
def test_cards_that_cannot_be_events_are_skipped_with_the_reason(fields, reason):
    assert event_for(card(**fields), CFG, LONDON) == Skip(
        "c1", "OneTeamGov Breakfast — Leeds", reason
    )


def test_a_nonsense_due_beside_a_good_start_is_not_a_skip():
    problem = 'due: "0001-01-01" is outside 1970–2199; ignored'
    start = datetime(2026, 12, 2, 10, tzinfo=UTC)
    spec = event_for(card(start=start, due=None, problems=(problem,)), CFG, LONDON)
    length = timedelta(minutes=CFG.default_duration_minutes)
    assert (spec.start, spec.end) == (start, start + length)


def test_clock_change_days_keep_their_local_times():
    back = event_for(
        card(
            start=datetime(2026, 10, 25, 9, tzinfo=UTC),  # 09:00 GMT
            due=datetime(2026, 10, 25, 10, 30, tzinfo=UTC),
        ),
        CFG,
        LONDON,
    )
    assert back.start.astimezone(LONDON).hour == 9
    forward = event_for(
        card(
            start=datetime(2026, 3, 29, 10, tzinfo=UTC),  # 11:00 BST
            due=datetime(2026, 3, 29, 12, tzinfo=UTC),
        ),
        CFG,
        LONDON,
    )
    assert forward.start.astimezone(LONDON).hour == 11
    all_day = event_for(
        card(
            start=datetime(2026, 3, 28, 23, 30, tzinfo=UTC),
            due=None,
            custom_fields={"All day": True},
        ),
        CFG,
        LONDON,
    )
    assert all_day.start == date(2026, 3, 28)  # 23:30 GMT is still the 28th in London


# -- the plan --------------------------------------------------------------------------------


def test_create_then_nothing():
    changes = plan([board(card())])
    assert [(c.kind, c.record.sequence, c.record.remote_id) for c in changes] == [
        ("create", 0, "trello-c1@oneteamgov.uk")
    ]
    assert plan([board(card())], apply({}, changes)) == []


def test_a_significant_change_raises_the_sequence_and_names_the_fields():
    stored = apply({}, plan([board(card())]))
    moved = card(
        start=datetime(2026, 12, 9, 8, tzinfo=UTC), due=datetime(2026, 12, 9, 9, tzinfo=UTC)
    )
    [change] = plan([board(moved)], stored)
    assert (change.kind, change.fields, change.record.sequence) == ("update", ("start", "end"), 1)
    assert change.detail == (
        "changed: start Wed 02 Dec 08:00 → Wed 09 Dec 08:00; "
        "end Wed 02 Dec 09:00 → Wed 09 Dec 09:00"
    )


def test_a_description_change_updates_without_raising_the_sequence():
    stored = apply({}, plan([board(card())]))
    [change] = plan([board(card(desc="Now with pastries."))], stored)
    assert (change.kind, change.fields, change.record.sequence) == ("update", ("description",), 0)


@pytest.mark.parametrize(
    "now_card, why",
    [
        (card(closed=True), "archived on Trello"),
        (card(list_closed=True), "archived on Trello"),
        (card(state="cancelled", list_name="Cancelled"), "moved to Cancelled"),
        (card(state="proposed", list_name="Proposed"), "moved to Proposed (not published)"),
    ],
)
def test_archived_cancelled_or_unpublished_cards_cancel_their_event(now_card, why):
    stored = apply({}, plan([board(card())]))
    [change] = plan([board(now_card)], stored)
    assert (change.kind, change.detail, change.record.sequence) == ("cancel", why, 1)
    assert spec_of(change.record).status == "CANCELLED"
    assert change.record.data["cancelled_at"] == NOW.isoformat()


def test_a_deleted_card_or_one_gone_from_its_board_cancels():
    stored = apply({}, plan([board(card("c1"), card("c2"))]))
    gone = DeletedCard("c1", "Breakfast", NOW)
    changes = plan([board(deleted=(gone,))], stored)
    assert [(c.card_id, c.kind, c.detail) for c in changes] == [
        ("c1", "cancel", "deleted on Trello"),
        ("c2", "cancel", "no longer on its board"),
    ]


def test_a_board_not_read_this_run_changes_nothing():
    stored = apply({}, plan([board(card())]))
    assert plan([board(board_id="another-board")], stored) == []


def test_a_card_not_found_on_a_board_with_entries_left_out_is_not_cancelled():
    """The unreadable entry may be that very card: its event waits; a card the history says
    was deleted, and the cards that were read, go on as ever."""
    stored = apply({}, plan([board(card("c1"), card("c2"), card("c3"))]))
    partial = replace(
        board(card("c3", name="Renamed"), deleted=(DeletedCard("c2", "Lunch", NOW),)),
        problems=("cards[0] has no usable id, so it cannot be synced; left out",),
        cards_left_out=1,
    )
    assert not partial.read_whole
    changes = plan([partial], stored)
    assert [(c.card_id, c.kind) for c in changes] == [("c2", "cancel"), ("c3", "update")]
    whole = plan([board(card("c3", name="Renamed"))], stored)  # read whole: c1 is gone
    assert ("c1", "cancel", "no longer on its board") in [
        (c.card_id, c.kind, c.detail) for c in whole
    ]


def test_a_card_moved_to_another_events_board_is_the_same_event():
    stored = apply({}, plan([board(card())]))
    moved = card(board_id="other")
    changes = plan([board(board_id=BOARD), board(moved, board_id="other")], stored)
    assert [(c.kind, c.fields) for c in changes] == []  # same UID, same fields: no duplicate


def test_archived_then_restored_keeps_one_event_with_a_rising_sequence():
    stored = apply({}, plan([board(card())]))
    stored = apply(stored, plan([board(card(closed=True))], stored))
    [restored] = plan([board(card())], stored)
    assert (restored.kind, restored.record.sequence, restored.record.status) == (
        "update",
        2,
        "live",
    )
    assert restored.detail == "restored; changed: status CANCELLED → CONFIRMED"


def test_cancelled_events_are_kept_for_n_days_then_dropped_and_can_come_back():
    stored = apply({}, plan([board(card())]))
    stored = apply(stored, plan([board(card(closed=True))], stored))
    assert plan([board(card(closed=True))], stored, now=NOW + timedelta(days=29)) == []
    [drop] = plan([board(card(closed=True))], stored, now=NOW + timedelta(days=30))
    assert (drop.kind, drop.record.status) == ("drop", "dropped")
    stored = apply(stored, [drop])
    assert calendar_records(stored, []) == {}
    assert plan([board(card(closed=True))], stored, now=NOW + timedelta(days=40)) == []
    [again] = plan([board(card())], stored, now=NOW + timedelta(days=41))
    assert (again.kind, again.record.sequence) == ("create", 2)  # never back to 0 for a UID


def test_a_card_that_loses_its_dates_keeps_its_event_and_is_reported():
    stored = apply({}, plan([board(card())]))
    [skip] = plan([board(card(start=None, due=None))], stored)
    assert (skip.kind, skip.record) == ("skip", None)
    assert calendar_records(stored, [skip]) == stored


def test_an_event_planned_as_ours_before_its_card_was_known_as_imported_takes_its_uid():
    """A card imported from the calendar whose import was settled only after this run planned
    it (its import's intent left pending by a full disk, then the card found on the board) was
    planned under our own UID; the next plan gives the feed the calendar's UID, as for every
    imported event, once (found by the simulation, seed 3068)."""
    stored = apply({}, plan([board(card())]))
    assert stored["c1"].remote_id == "trello-c1@oneteamgov.uk"
    origin = {"c1": Imported("walk-and-talk-2027@their.app", "CONFIRMED", 0)}
    changes = plan_events([board(card())], stored, cfg=CFG, tz=LONDON, now=NOW, imported=origin)
    assert [(c.kind, c.record.remote_id, c.record.sequence) for c in changes] == [
        ("update", "walk-and-talk-2027@their.app", 0)
    ]
    assert "UID" in changes[0].detail
    again = plan_events(
        [board(card())], apply(stored, changes), cfg=CFG, tz=LONDON, now=NOW, imported=origin
    )
    assert again == []

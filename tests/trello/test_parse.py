"""Board JSON → model: lists to states, labels, fields, dates, completion times, deletions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import jobs.sync
from config import load_config
from sync.errors import SourceError, UnknownList
from sync.model import Role
from sync.state.store import State
from sync.trello.board_history import History
from sync.trello.done import ESTIMATE, HISTORY, Done, DoneRules, done
from sync.trello.parse import parse_board
from tests.fakes.boards import synthetic_board
from tests.fakes.trello import FakeClock, FakeTrello

BOARD = "5f0000000000000000000001"
IDEAS, DONE = "5f00000000000000000000a1", "5f00000000000000000000a2"
OLD = "5f00000000000000000000a3"
CARD = "5f0000010000000000000c01"


def board(cards=(), actions=(), **extra) -> dict:
    return {
        "id": BOARD,
        "name": "Microactions",
        "url": "https://trello.com/b/AbCd1234",
        "lists": [
            {"id": IDEAS, "name": "💡 Ideas", "closed": False, "pos": 1},
            {"id": DONE, "name": "Done!", "closed": False, "pos": 2},
            {"id": OLD, "name": "Old stuff", "closed": True, "pos": 3},
        ],
        "labels": [
            {"id": "lab1", "name": "Culture", "color": "green"},
            {"id": "lab2", "name": "", "color": None},
        ],
        "cards": list(cards),
        "actions": list(actions),
        **extra,
    }


def card(**fields) -> dict:
    return {
        "id": CARD,
        "name": "Ran a show-and-tell",
        "idList": DONE,
        "closed": False,
        "dateLastActivity": "2026-11-20T10:00:00.000Z",
        **fields,
    }


def move(action_id: str, date: str, to: str = DONE, card_id: str = CARD) -> dict:
    return {
        "id": action_id,
        "type": "updateCard",
        "date": date,
        "data": {
            "card": {"id": card_id, "name": "Ran a show-and-tell", "idList": to},
            "old": {"idList": IDEAS},
            "listBefore": {"id": IDEAS},
            "listAfter": {"id": to},
        },
    }


def parse(data: dict, **kwargs):
    return parse_board(data, role=Role.MICROACTIONS, source="test.json", **kwargs)


def test_lists_map_to_states_by_folded_name_and_overrides():
    model = parse(board(), list_overrides={"old STUFF": "ignore"})
    assert [(lst.name, lst.state) for lst in model.lists] == [
        ("💡 Ideas", "idea"),
        ("Done!", "done"),
        ("Old stuff", "ignore"),
    ]


def test_an_override_for_a_list_the_board_lacks_names_the_known_lists():
    with pytest.raises(UnknownList) as caught:
        parse(board(), list_overrides={"Finished": "done"})
    assert 'the config maps list "Finished"' in str(caught.value)
    assert '"Done!", "Old stuff", "💡 Ideas"' in str(caught.value)


def test_a_file_that_is_not_a_board():
    with pytest.raises(SourceError, match="not a Trello board"):
        parse([1, 2, 3])


def test_card_fields_labels_members_and_creation_time():
    model = parse(
        board(
            [
                card(
                    idLabels=["lab1", "missing"],
                    idMembers=["m1"],
                    due="2026-11-12T19:00:00.000Z",
                    dueComplete=True,
                    locationName="Leeds",
                    coordinates={"latitude": 53.8, "longitude": -1.5},
                    attachments=[{"id": "at", "name": "Sign up", "url": "https://example.org/s"}],
                )
            ],
            members=[{"id": "m1", "fullName": "Ada Lovelace", "username": "ada"}],
        )
    )
    [c] = model.cards
    assert c.label_names == ("Culture",)
    assert c.members[0].full_name == "Ada Lovelace"
    assert c.due == datetime(2026, 11, 12, 19, tzinfo=UTC)
    assert c.created == datetime.fromtimestamp(0x5F000001, UTC)
    assert c.coordinates == (53.8, -1.5)
    assert c.attachments[0].url == "https://example.org/s"
    assert (c.state, c.list_name, c.visible) == ("done", "Done!", True)


def test_a_nonsense_date_is_a_problem_on_that_card_only():
    model = parse(
        board(
            [
                card(due="0001-01-01T00:00:00.000Z"),
                card(id="5f0000010000000000000c02", start="tomorrow"),
            ]
        )
    )
    first, second = model.cards
    assert first.due is None
    assert first.problems == ('due: "0001-01-01T00:00:00.000Z" is outside 1970–2199; ignored',)
    assert second.problems == ('start: "tomorrow" is not an ISO 8601 date; ignored',)


def test_a_name_that_is_not_text_is_a_problem_on_that_card():
    model = parse(board([card(name=["Breakfast"]), card(id="5f0000010000000000000c02", name=None)]))
    odd, missing = model.cards
    assert (odd.name, odd.problems) == ("", ("name: ['Breakfast'] is not text; read as untitled",))
    assert (missing.name, missing.problems) == ("", ())  # no name at all: nothing to say


def test_archived_cards_and_cards_in_archived_lists_are_not_visible():
    model = parse(board([card(closed=True), card(id="5f0000010000000000000c02", idList=OLD)]))
    assert [c.visible for c in model.cards] == [False, False]
    assert model.state_counts() == {"archived": 2}


def test_labels_are_collected_from_cards_when_the_board_has_none():
    data = board([card(labels=[{"id": "x", "name": "Policy", "color": "red"}])])
    del data["labels"]
    model = parse(data)
    assert [label.name for label in model.labels] == ["Policy"]
    assert model.cards[0].label_names == ("Policy",)


def test_custom_fields_checklists_and_unreadable_values():
    data = board(
        [
            card(
                customFieldItems=[
                    {"idCustomField": "f1", "value": {"text": "https://example.org/signup"}},
                    {"idCustomField": "f2", "value": {"number": "12"}},
                    {"idCustomField": "f3", "value": {"checked": "true"}},
                    {"idCustomField": "f4", "idValue": "opt1"},
                    {"idCustomField": "f5", "value": {"date": "not a date"}},
                    {"idCustomField": "unknown", "value": {"text": "ignored"}},
                ]
            )
        ],
        customFields=[
            {"id": "f1", "name": "Sign-up link", "type": "text"},
            {"id": "f2", "name": "Places", "type": "number"},
            {"id": "f3", "name": "All day", "type": "checkbox"},
            {
                "id": "f4",
                "name": "City",
                "type": "list",
                "options": [{"id": "opt1", "value": {"text": "Leeds"}}],
            },
            {"id": "f5", "name": "Starts", "type": "date"},
        ],
        checklists=[
            {
                "id": "cl",
                "name": "Steps",
                "idCard": CARD,
                "pos": 1,
                "checkItems": [
                    {"id": "i2", "name": "Second", "state": "incomplete", "pos": 2},
                    {"id": "i1", "name": "First", "state": "complete", "pos": 1},
                ],
            }
        ],
    )
    parsed = parse(data)
    [c] = parsed.cards
    # the definitions too: a calendar edit is written back into a date field by its id
    assert [(f.id, f.name, f.type) for f in parsed.custom_fields] == [
        ("f1", "Sign-up link", "text"),
        ("f2", "Places", "number"),
        ("f3", "All day", "checkbox"),
        ("f4", "City", "list"),
        ("f5", "Starts", "date"),
    ]
    assert c.custom_fields == {
        "Sign-up link": "https://example.org/signup",
        "Places": 12.0,
        "All day": True,
        "City": "Leeds",
    }
    assert c.problems == ('custom field "Starts": "not a date" is not an ISO 8601 date',)
    assert [(i.name, i.complete) for i in c.checklists[0].items] == [
        ("First", True),
        ("Second", False),
    ]


def test_completion_time_comes_from_the_move_into_done():
    model = parse(
        board(
            [card()],
            [move("a2", "2026-11-18T09:00:00.000Z"), move("a1", "2026-11-02T09:00:00.000Z")],
        )
    )
    [c] = model.cards
    assert c.completed_at == datetime(2026, 11, 18, 9, tzinfo=UTC)
    assert done(c) == Done(datetime(2026, 11, 18, 9, tzinfo=UTC), HISTORY)


def test_completion_time_from_due_complete_then_fallbacks():
    ticked = {
        "id": "a3",
        "type": "updateCard",
        "date": "2026-11-15T12:00:00.000Z",
        "data": {"card": {"id": CARD, "dueComplete": True}, "old": {"dueComplete": False}},
    }
    [c] = parse(board([card(idList=IDEAS, dueComplete=True)], [ticked])).cards
    assert c.due_ticked_at == datetime(2026, 11, 15, 12, tzinfo=UTC) and c.completed_at is None
    assert done(c) is None  # outside a done list a tick counts only where the config says so
    assert done(c, DoneRules(when_due_complete=True)) == Done(c.due_ticked_at, HISTORY)
    [c] = parse(board([card(dueComplete=True, dateCompleted="2026-11-16T08:00:00.000Z")])).cards
    assert done(c) == Done(datetime(2026, 11, 16, 8, tzinfo=UTC), HISTORY)  # Trello's record
    [c] = parse(board([card()])).cards
    assert done(c) == Done(datetime(2026, 11, 20, 10, tzinfo=UTC), ESTIMATE)
    [c] = parse(board([card(idList=IDEAS)])).cards
    assert c.completed_at is None and done(c) is None


def test_history_given_separately_replaces_the_exports_own():
    data = board([card()], [move("a1", "2026-11-02T09:00:00.000Z")])
    model = parse(data, history=History.of([move("a9", "2026-11-19T09:00:00.000Z")]))
    assert model.cards[0].completed_at == datetime(2026, 11, 19, 9, tzinfo=UTC)
    assert model.actions_read == 1


def test_deleted_cards_survive_as_delete_actions_with_their_last_known_name():
    gone = "5f0000020000000000000c09"
    model = parse(
        board(
            [card()],
            [
                {
                    "id": "a5",
                    "type": "deleteCard",
                    "date": "2026-11-19T10:00:00.000Z",
                    "data": {"card": {"id": gone}, "list": {"id": IDEAS}},
                },
                {
                    "id": "a4",
                    "type": "createCard",
                    "date": "2026-11-01T10:00:00.000Z",
                    "data": {"card": {"id": gone, "name": "Breakfast"}, "list": {"id": IDEAS}},
                },
                {"id": "bad", "type": "updateCard", "date": "yesterday", "data": {}},
            ],
        )
    )
    [deleted] = model.deleted
    assert (deleted.id, deleted.name) == (gone, "Breakfast")
    assert model.actions_read == 2  # the unreadable entry is passed over


def test_missing_optional_keys_and_junk_are_tolerated():
    model = parse(
        {
            "id": BOARD,
            "cards": [{"id": CARD}, "junk", {"name": "no id"}],
            "lists": [{"id": IDEAS}, "junk"],
            "checklists": "x",
        }
    )
    [c] = model.cards
    assert (c.name, c.state, c.list_name) == ("", None, "")


@pytest.mark.parametrize(
    "part, value, said",
    [
        ("cards", "missing", '(no "cards" list)'),
        ("cards", None, '(no "cards" list)'),
        ("cards", "junk", '("cards" is "junk", not a list)'),
        ("cards", {"0": {"id": CARD}}, "(\"cards\" is {'0': {'id': '5f0000010000000000000c01'}}"),
        ("lists", "missing", '(no "lists" list)'),
        ("lists", None, '(no "lists" list)'),
        ("lists", [], "(1 cards but no lists)"),
    ],
)
def test_a_board_without_its_cards_or_lists_is_not_a_readable_board(part, value, said):
    """Read as an empty board, it would cancel every event and drop every card it had; read
    with its cards in no list, it would cancel every event."""
    data = board([card()])
    if value == "missing":
        del data[part]
    else:
        data[part] = value
    with pytest.raises(SourceError) as caught:
        parse(data)
    message = str(caught.value)
    assert message.startswith(f"test.json: not a readable Trello board {said}")
    assert "its cards are left as they were — export the board again from Trello" in message
    assert "\n" not in message


def test_an_empty_board_has_an_empty_cards_list():
    model = parse(board())
    assert (model.cards, model.problems) == ((), ())


def test_an_api_board_without_a_cards_list_fails_that_board_in_one_line(tmp_path, write_config):
    """The API path checks the type of a ``cards`` it is given; a missing one reaches the
    parser, which refuses it with a fix that fits a live board (not "export again")."""
    fake = FakeTrello(clock=FakeClock())
    damaged, other = synthetic_board(5, seed=1), synthetic_board(5, seed=2)
    fake.add_board(damaged)
    fake.add_board(other)
    answer = {k: v for k, v in fake.export(damaged["id"]).items() if k != "cards"}
    config = write_config(
        'state_db = "state.db"\n'
        f'[boards.a]\nrole = "microactions"\nsource = "trello:{damaged["id"]}"\n'
        f'[boards.b]\nrole = "microactions"\nsource = "trello:{other["id"]}"\n'
    )
    environ = {"TRELLO_API_KEY": fake.key, "TRELLO_TOKEN": fake.token}
    with fake.running():
        fake.fail_next("GET", f"/1/boards/{damaged['id']}", status=200, body=answer)
        with State(tmp_path / "state.db") as state:
            report = jobs.sync.run(load_config(config, environ=environ), state)
    [failure] = report.failures
    assert failure == (
        f'board "a": trello:{damaged["id"]}: not a readable Trello board (no "cards" list); '
        "its cards are left as they were — rerun later; nothing was changed; if it persists, "
        "check status.atlassian.com"
    )
    assert [b.name for b in report.boards] == ["b"]

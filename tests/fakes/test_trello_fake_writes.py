"""Contract tests of the fake Trello API (tests/fakes/trello.py), with plain ``requests`` calls:
writes and faults: what a write changes, the actions it leaves, the faults it can be told to make.

The fake stands in for api.trello.com in every other test, so it must answer like the real API
(tests/../shared/reference/trello.md). The running fake is the folder's conftest.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from tests.fakes.trello import FakeClock, FakeTrello
from tests.fakes.trello_calls import API, AUTH, first_open_card, get, list_id, send
from tests.fakes.trello_state import WALL_CLOCK_BASE


def test_fail_next_with_status_then_recovers(fake: FakeTrello, board: dict[str, Any]) -> None:
    fake.fail_next("GET", r"/1/boards/[^/]+", status=503, body="Service Unavailable", times=2)
    assert get(f"/boards/{board['id']}").status_code == 503
    assert get(f"/boards/{board['id']}/lists").status_code == 200  # not a full match
    assert get(f"/boards/{board['id']}").status_code == 503
    assert get(f"/boards/{board['id']}").status_code == 200
    assert fake.pending_faults() == []


def test_fail_next_with_exception_changes_nothing(fake: FakeTrello, board: dict[str, Any]) -> None:
    fake.fail_next("POST", "/1/cards", exception=requests.ConnectionError)
    before = len(fake.export(board["id"])["cards"])
    with pytest.raises(requests.ConnectionError):
        send("POST", "/cards", idList=list_id(board, "Proposed"), name="Lost")
    assert len(fake.export(board["id"])["cards"]) == before
    assert fake.requests[-1].status is None


def test_fail_after_apply_loses_the_reply_but_keeps_the_card(
    fake: FakeTrello, board: dict[str, Any]
) -> None:
    fake.fail_after_apply("POST", "/1/cards", requests.Timeout)
    with pytest.raises(requests.Timeout):
        send("POST", "/cards", idList=list_id(board, "Proposed"), name="Ghost")
    cards = get(f"/boards/{board['id']}/cards").json()
    assert [c["name"] for c in cards].count("Ghost") == 1
    assert get(f"/boards/{board['id']}/actions", limit=1).json()[0]["type"] == "createCard"


def test_create_move_archive_delete_are_visible_with_actions(
    fake: FakeTrello, board: dict[str, Any], clock: FakeClock
) -> None:
    clock.advance(5)
    created = send(
        "POST",
        "/cards",
        idList=list_id(board, "Proposed"),
        name="New event",
        due="2027-01-05T18:00:00Z",
        idLabels=[board["labels"][0]["id"]],
    )
    assert created.status_code == 200
    card = created.json()
    assert card["id"].startswith(f"{int(WALL_CLOCK_BASE) + 5:08x}")  # 2026-11-21T12:00:05Z
    assert card["due"] == "2027-01-05T18:00:00.000Z"
    assert card["labels"][0]["id"] == board["labels"][0]["id"]
    action = get(f"/boards/{board['id']}/actions", limit=1).json()[0]
    assert action["type"] == "createCard" and action["data"]["card"]["id"] == card["id"]
    assert action["date"] == "2026-11-21T12:00:05.000Z"

    clock.advance(1)
    moved = send("PUT", f"/cards/{card['id']}", idList=list_id(board, "Confirmed"))
    assert moved.json()["idList"] == list_id(board, "Confirmed")
    move = get(f"/boards/{board['id']}/actions", limit=1).json()[0]
    assert move["type"] == "updateCard"
    assert move["data"]["old"] == {"idList": list_id(board, "Proposed")}
    assert move["data"]["listBefore"]["name"] == "Proposed"
    assert move["data"]["listAfter"]["name"] == "Confirmed"

    send("PUT", f"/cards/{card['shortLink']}", closed=True, desc="done")
    latest = get(f"/boards/{board['id']}/actions", limit=2).json()
    assert {next(iter(a["data"]["old"])) for a in latest} == {"closed", "desc"}
    assert get(f"/cards/{card['id']}").json()["closed"] is True
    assert card["id"] not in {c["id"] for c in get(f"/boards/{board['id']}/cards").json()}

    assert requests.delete(f"{API}/cards/{card['id']}", headers=AUTH, timeout=5).ok
    assert get(f"/cards/{card['id']}").status_code == 404
    gone = get(f"/boards/{board['id']}/actions", filter="deleteCard", limit=1).json()[0]
    assert gone["data"]["card"]["id"] == card["id"]
    assert [r.method for r in fake.writes()] == ["POST", "PUT", "PUT", "DELETE"]


def test_comment_attachment_label_and_custom_field(fake: FakeTrello, board: dict[str, Any]) -> None:
    card = first_open_card(board)
    comment = send("POST", f"/cards/{card['id']}/actions/comments", text="Synced").json()
    assert comment["type"] == "commentCard" and comment["data"]["text"] == "Synced"

    link = send(
        "POST",
        f"/cards/{card['id']}/attachments",
        url="https://medium.com/p/abc",
        name="Medium draft",
    ).json()
    assert link["url"] == "https://medium.com/p/abc"
    assert link in get(f"/cards/{card['id']}/attachments").json()

    label = send("POST", "/labels", name="Synced", color="green", idBoard=board["id"]).json()
    assert label["idBoard"] == board["id"]
    assert label["id"] in send("POST", f"/cards/{card['id']}/idLabels", value=label["id"]).json()

    text_field = next(f for f in board["customFields"] if f["type"] == "text")
    path = f"/cards/{card['id']}/customField/{text_field['id']}/item"
    item = send("PUT", path, value={"text": "https://example.org/e/1"}).json()
    assert item["value"] == {"text": "https://example.org/e/1"}
    assert send("PUT", path, value={"number": "3"}).status_code == 400
    loaded = get(f"/cards/{card['id']}", customFieldItems="true").json()
    assert {
        "idCustomField": text_field["id"],
        "value": {"text": "https://example.org/e/1"},
    }.items() <= next(
        i for i in loaded["customFieldItems"] if i["idCustomField"] == text_field["id"]
    ).items()


def test_write_validation(fake: FakeTrello, board: dict[str, Any]) -> None:
    response = send("POST", "/cards", name="no list")
    assert (response.status_code, response.text) == (400, "invalid value for idList")
    too_long = send("POST", "/cards", idList=list_id(board, "Proposed"), desc="x" * 16385)
    assert (too_long.status_code, too_long.text) == (400, "invalid value for desc")
    card = first_open_card(board)
    response = send("PUT", f"/cards/{card['id']}", desc="x" * 16385, name="changed")
    assert response.status_code == 400
    assert get(f"/cards/{card['id']}").json()["name"] == card["name"]  # nothing applied
    ok = requests.post(
        f"{API}/cards",
        params={"idList": list_id(board, "Proposed"), "name": "from query"},
        headers=AUTH,
        timeout=5,
    )
    assert ok.json()["name"] == "from query"


def test_count_and_records(fake: FakeTrello, board: dict[str, Any]) -> None:
    get(f"/boards/{board['id']}", fields="name")
    get(f"/boards/{board['id']}/actions")
    send("POST", f"/cards/{first_open_card(board)['id']}/actions/comments", text="hi")
    assert fake.count() == 3
    assert fake.count("GET", "/1/boards") == 2
    assert fake.count(path=re.compile(r"/actions$")) == 1
    assert fake.count("GET", r"/1/boards/[^/]+") == 1  # a regex string must match in full
    assert fake.requests[0].params == {"fields": "name"}
    assert fake.writes()[0].json() == {"text": "hi"}

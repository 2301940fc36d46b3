"""Contract tests of the fake Trello API (tests/fakes/trello.py), with plain ``requests`` calls:
reads: the nested board load, filters, paging, and the boards it serves.

The fake stands in for api.trello.com in every other test, so it must answer like the real API
(tests/../shared/reference/trello.md). The running fake is the folder's conftest.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.board_vocab import ROLE_LISTS
from tests.fakes.boards import synthetic_board
from tests.fakes.trello import FakeClock, FakeTrello
from tests.fakes.trello_calls import FULL_LOAD, get


def test_nested_board_load_has_the_export_shape(fake: FakeTrello, board: dict[str, Any]) -> None:
    response = get(f"/boards/{board['id']}", **FULL_LOAD)
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == board["id"] and data["name"] == board["name"]
    assert "actions" not in data
    assert len(data["cards"]) == len(board["cards"])
    assert any(c["closed"] for c in data["cards"])
    assert len(data["lists"]) == len(board["lists"]) and any(lst["closed"] for lst in data["lists"])
    assert {c["idCard"] for c in data["checklists"]} <= {c["id"] for c in board["cards"]}
    assert {f["type"] for f in data["customFields"]} == {
        "list",
        "number",
        "text",
        "checkbox",
        "date",
    }
    assert len(data["labels"]) == 10 and len(data["members"]) == 3
    card = data["cards"][0]
    assert {
        "id",
        "idList",
        "idLabels",
        "labels",
        "due",
        "start",
        "closed",
        "attachments",
        "customFieldItems",
        "badges",
        "shortLink",
    } <= set(card)
    assert "pluginData" not in card
    assert any(c["customFieldItems"] for c in data["cards"])


def test_nested_cards_leave_out_attachments_and_fields_unless_asked(
    fake: FakeTrello, board: dict[str, Any]
) -> None:
    data = get(f"/boards/{board['id']}", cards="all", card_fields="name,idList").json()
    assert set(data["cards"][0]) == {"id", "name", "idList"}
    assert "lists" not in data and "labels" not in data and "checklists" not in data
    assert len(data["actions"]) == 50  # the spec default for `actions` is all, 50 of them
    assert "dateLastActivity" not in data  # not among the default board fields
    named = get(f"/boards/{board['id']}", fields="name", cards="open", actions="none").json()
    assert set(named) == {"id", "name", "cards"}
    assert {"name", "idList", "due", "labels"} <= set(named["cards"][0])  # card_fields: all


def test_board_is_addressable_by_short_link(fake: FakeTrello, board: dict[str, Any]) -> None:
    data = get(f"/boards/{board['shortLink']}", fields="name").json()
    assert data["id"] == board["id"]


def test_card_filters_match_trello(fake: FakeTrello, board: dict[str, Any]) -> None:
    path = f"/boards/{board['id']}"
    total = len(board["cards"])
    closed = sum(c["closed"] for c in board["cards"])
    assert closed > 0
    assert len(get(path, cards="all", actions="none").json()["cards"]) == total
    assert len(get(path, cards="open", actions="none").json()["cards"]) == total - closed
    assert all(c["closed"] for c in get(path, cards="closed", actions="none").json()["cards"])
    visible = get(f"{path}/cards").json()
    open_lists = {lst["id"] for lst in board["lists"] if not lst["closed"]}
    assert all(not c["closed"] and c["idList"] in open_lists for c in visible)
    assert len(get(f"{path}/lists").json()) == len(ROLE_LISTS["events"])


def test_too_many_cards_then_paged_fallback(fake: FakeTrello, board: dict[str, Any]) -> None:
    fake.max_nested_cards = 50
    response = get(f"/boards/{board['id']}", **FULL_LOAD)
    assert response.status_code == 400
    assert response.json() == {
        "error": "API_TOO_MANY_CARDS_REQUESTED",
        "message": "Requested too many cards",
    }
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 25, "customFieldItems": "true", "attachments": "true"}
    while page := get(f"/boards/{board['id']}/cards/all", **params).json():
        seen.extend(page)
        params["before"] = min(c["id"] for c in page)
    ids = [c["id"] for c in seen]
    assert ids == sorted(ids, reverse=True)
    assert set(ids) == {c["id"] for c in board["cards"]}
    assert "customFieldItems" in seen[0] and "attachments" in seen[0]
    assert get(f"/boards/{board['id']}/cards/all", limit=1001).text == "invalid value for limit"


def test_action_paging_newest_first_with_before_and_since(
    fake: FakeTrello, board: dict[str, Any]
) -> None:
    path = f"/boards/{board['id']}/actions"
    assert len(get(path).json()) == 50
    pages: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 40}
    while page := get(path, **params).json():
        pages.extend(page)
        params["before"] = page[-1]["id"]
    assert [a["id"] for a in pages] == [a["id"] for a in board["actions"]]
    dates = [a["date"] for a in pages]
    assert dates == sorted(dates, reverse=True)

    middle = pages[len(pages) // 2]
    newer = get(path, since=middle["id"], limit=1000).json()
    assert [a["id"] for a in newer] == [a["id"] for a in pages[: len(pages) // 2]]
    by_date = get(path, since=middle["date"], limit=1000).json()
    assert all(a["date"] > middle["date"] for a in by_date)
    older = get(path, before=middle["date"], limit=1000).json()
    assert all(a["date"] < middle["date"] for a in older)
    moves = get(path, filter="updateCard:idList", limit=1000).json()
    assert moves and all("listAfter" in a["data"] for a in moves)
    created = get(path, filter="createCard", limit=1000).json()
    assert {a["type"] for a in created} == {"createCard"}


def test_action_limit_over_1000_is_rejected(fake: FakeTrello, board: dict[str, Any]) -> None:
    response = get(f"/boards/{board['id']}/actions", limit=1001)
    assert response.status_code == 400
    assert response.text == "invalid value for limit"
    assert get(f"/boards/{board['id']}/actions", since="not-a-date").status_code == 400


def test_labels_default_to_50(clock: FakeClock) -> None:
    board = synthetic_board(5, seed=2)
    board["labels"] += [
        {
            "id": f"{0x6A000000 + n:08x}0000000000000000",
            "idBoard": board["id"],
            "name": f"L{n}",
            "color": None,
        }
        for n in range(60)
    ]
    fake = FakeTrello(clock=clock)
    fake.add_board(board)
    with fake.running():
        assert len(get(f"/boards/{board['id']}/labels").json()) == 50
        assert len(get(f"/boards/{board['id']}/labels", limit=1000).json()) == 70


def test_members_me(fake: FakeTrello) -> None:
    me = get("/members/me").json()
    assert set(me) == {"id", "username", "fullName"}


def test_synthetic_board_is_deterministic_and_well_formed() -> None:
    first = synthetic_board(200, role="content", seed=7)
    assert first == synthetic_board(200, role="content", seed=7)
    assert first != synthetic_board(200, role="content", seed=8)
    assert [lst["name"] for lst in first["lists"] if not lst["closed"]] == ROLE_LISTS["content"]
    ids = [c["id"] for c in first["cards"]] + [a["id"] for a in first["actions"]]
    assert len(ids) == len(set(ids))
    assert all(
        re.fullmatch(r"[0-9a-f]{24}", i) and 1970 + int(i[:8], 16) // 31556952 == 2026 for i in ids
    )
    assert 1.5 <= len(first["actions"]) / len(first["cards"]) <= 3.5
    json.dumps(first)
    assert len(synthetic_board(50, n_actions=40)["actions"]) == 40
    assert len(synthetic_board(50, n_actions=400)["actions"]) == 400
    events = synthetic_board(50, role="events")
    assert all(c["start"] and c["due"] and c["locationName"] for c in events["cards"])


@pytest.mark.parametrize("name", ["tekken-notes-2025.json", "trellocms-2014.json"])
def test_real_exports_load_through_the_fake(
    clock: FakeClock, shared_boards: Path, name: str
) -> None:
    export = json.loads((shared_boards / name).read_text(encoding="utf-8"))
    fake = FakeTrello(clock=clock)
    fake.add_board(export)
    with fake.running():
        data = get(f"/boards/{export['shortLink']}", **FULL_LOAD).json()
    assert len(data["cards"]) == len(export["cards"])
    assert data["labels"] or not any(c.get("labels") for c in export["cards"])

"""Contract tests of the fake Trello API (tests/fakes/trello.py), with plain ``requests`` calls.

The fake stands in for api.trello.com in every other test, so it must answer like the real API
(tests/../shared/reference/trello.md): shapes, filters, paging, auth, errors and rate limits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes.board_vocab import ROLE_LISTS
from tests.fakes.boards import synthetic_board
from tests.fakes.trello import DEFAULT_KEY, DEFAULT_TOKEN, FakeClock, FakeTrello
from tests.fakes.trello_state import WALL_CLOCK_BASE

API = "https://api.trello.com/1"
AUTH = {"Authorization": f'OAuth oauth_consumer_key="{DEFAULT_KEY}", oauth_token="{DEFAULT_TOKEN}"'}
FULL_LOAD = {
    "fields": "all",
    "cards": "all",
    "card_fields": "all",
    "card_customFieldItems": "true",
    "card_attachments": "true",
    "lists": "all",
    "labels": "all",
    "checklists": "all",
    "customFields": "true",
    "members": "all",
    "actions": "none",
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def board() -> dict[str, Any]:
    return synthetic_board(60, role="events", seed=1)


@pytest.fixture
def fake(clock: FakeClock, board: dict[str, Any]) -> Iterator[FakeTrello]:
    fake = FakeTrello(clock=clock)
    fake.add_board(board)
    with fake.running():
        yield fake


def get(path: str, headers: dict[str, str] | None = None, **params: Any) -> requests.Response:
    return requests.get(f"{API}{path}", params=params, headers=headers or AUTH, timeout=5)


def send(method: str, path: str, **body: Any) -> requests.Response:
    return requests.request(method, f"{API}{path}", json=body, headers=AUTH, timeout=5)


def first_open_card(board: dict[str, Any]) -> dict[str, Any]:
    open_lists = {lst["id"] for lst in board["lists"] if not lst["closed"]}
    return next(c for c in board["cards"] if not c["closed"] and c["idList"] in open_lists)


def list_id(board: dict[str, Any], name: str) -> str:
    return next(lst["id"] for lst in board["lists"] if lst["name"] == name)


# --------------------------------------------------------------------------- reads
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


# --------------------------------------------------------------------------- auth and errors
@pytest.mark.parametrize(
    "header",
    [
        f'OAuth oauth_consumer_key="{DEFAULT_KEY}", oauth_token="{DEFAULT_TOKEN}"',
        f'OAuth oauth_token="{DEFAULT_TOKEN}",oauth_consumer_key="{DEFAULT_KEY}"',
        f"OAuth  oauth_consumer_key = {DEFAULT_KEY} , oauth_token={DEFAULT_TOKEN}",
        f'OAuth oauth_nonce="1", oauth_consumer_key="{DEFAULT_KEY}", oauth_signature_method='
        f'"HMAC-SHA1", oauth_token="{DEFAULT_TOKEN}", oauth_signature="x%3D"',
    ],
)
def test_oauth_header_is_accepted(fake: FakeTrello, header: str) -> None:
    assert get("/members/me", headers={"Authorization": header}).status_code == 200
    assert fake.secrets_in_urls is False


def test_query_param_auth_works_but_is_flagged(fake: FakeTrello) -> None:
    response = requests.get(
        f"{API}/members/me", params={"key": DEFAULT_KEY, "token": DEFAULT_TOKEN}, timeout=5
    )
    assert response.status_code == 200
    assert fake.secrets_in_urls is True


def test_py_trello_oauth_client_is_accepted(fake: FakeTrello, board: dict[str, Any]) -> None:
    trello = pytest.importorskip("trello")
    client = trello.TrelloClient(api_key=DEFAULT_KEY, token=DEFAULT_TOKEN)
    assert client.get_board(board["id"]).name == board["name"]
    assert fake.secrets_in_urls is False
    assert fake.requests[-1].headers["Authorization"].startswith("OAuth")


@pytest.mark.parametrize(
    ("headers", "text"),
    [
        ({}, "invalid key"),
        (
            {
                "Authorization": (
                    f'OAuth oauth_consumer_key="{"f" * 32}", oauth_token="{DEFAULT_TOKEN}"'
                )
            },
            "invalid key",
        ),
        (
            {"Authorization": f'OAuth oauth_consumer_key="{DEFAULT_KEY}", oauth_token="ATTAnope"'},
            "invalid token",
        ),
        ({"Authorization": f'OAuth oauth_consumer_key="{DEFAULT_KEY}"'}, "invalid token"),
    ],
)
def test_unauthorised_texts(fake: FakeTrello, headers: dict[str, str], text: str) -> None:
    response = requests.get(f"{API}/members/me", headers=headers, timeout=5)
    assert (response.status_code, response.text) == (401, text)
    assert response.headers["Content-Type"].startswith("text/plain")


def test_revoked_token(fake: FakeTrello) -> None:
    assert get("/members/me").status_code == 200
    fake.revoke_token()
    response = get("/members/me")
    assert (response.status_code, response.text) == (401, "invalid token")


def test_not_found_and_invalid_id_texts(fake: FakeTrello) -> None:
    for path in (
        "/boards/0123456789abcdef01234567",
        "/cards/0123456789abcdef01234567",
        "/boards/AbCd1234",
        "/cards/AbCd1234/attachments",
    ):
        response = get(path)
        assert (response.status_code, response.text) == (
            404,
            "The requested resource was not found.",
        ), path
    for path in ("/boards/not-an-id", "/cards/123", "/boards/0123456789abcdef0123456z"):
        response = get(path)
        assert (response.status_code, response.text) == (400, "invalid id"), path


def test_get_with_a_body_gets_the_cdn_403(fake: FakeTrello, board: dict[str, Any]) -> None:
    response = requests.get(
        f"{API}/boards/{board['id']}", json={"cards": "all"}, headers=AUTH, timeout=5
    )
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<HTML>" in response.text


# --------------------------------------------------------------------------- rate limits
def test_rate_limit_per_token_and_recovery(fake: FakeTrello, clock: FakeClock) -> None:
    for n in range(100):
        response = get("/members/me")
        assert response.status_code == 200
        assert response.headers["x-rate-limit-api-token-remaining"] == str(99 - n)
        clock.advance(0.05)
    limited = get("/members/me")
    assert limited.status_code == 429
    assert limited.json() == {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
    assert limited.headers["x-rate-limit-api-token-max"] == "100"
    assert limited.headers["x-rate-limit-api-token-remaining"] == "0"
    assert limited.headers["x-rate-limit-api-token-interval-ms"] == "10000"
    assert limited.headers["x-rate-limit-api-key-max"] == "300"
    assert limited.headers["x-rate-limit-api-key-interval-ms"] == "10000"
    clock.advance(5.0)  # the window is still full: only t >= 10 s frees the first slot
    assert get("/members/me").status_code == 429
    clock.advance(10.0)
    assert get("/members/me").status_code == 200
    assert fake.max_requests_in_window() == 100
    assert fake.count("GET", "/1/members/me") == 103


def test_rate_limit_per_key(fake: FakeTrello) -> None:
    tokens = [DEFAULT_TOKEN] + [f"ATTA{n:072d}" for n in range(1, 4)]
    for token in tokens[1:]:
        fake.add_token(token)
    statuses = []
    for n in range(301):
        token = tokens[n % 4]
        header = f'OAuth oauth_consumer_key="{DEFAULT_KEY}", oauth_token="{token}"'
        response = get("/members/me", headers={"Authorization": header})
        statuses.append(response.status_code)
    assert statuses[:300] == [200] * 300
    assert response.json()["error"] == "API_KEY_LIMIT_EXCEEDED"


# --------------------------------------------------------------------------- faults
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


# --------------------------------------------------------------------------- writes
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


# --------------------------------------------------------------------------- boards
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

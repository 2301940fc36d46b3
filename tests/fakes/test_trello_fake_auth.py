"""Contract tests of the fake Trello API (tests/fakes/trello.py), with plain ``requests`` calls:
auth, errors and rate limits: who may call it, the errors it answers with, and how fast.

The fake stands in for api.trello.com in every other test, so it must answer like the real API
(tests/../shared/reference/trello.md). The running fake is the folder's conftest.py.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.fakes.trello import DEFAULT_KEY, DEFAULT_TOKEN, FakeClock, FakeTrello
from tests.fakes.trello_calls import API, AUTH, get


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

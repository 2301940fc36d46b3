"""Trello's rate limit, against the stateful Trello fake: 429s and 5xx backed off and retried,
never more than 100 requests in any 10 seconds, and the fake's 429s answered as Trello's are."""

from __future__ import annotations

import requests

from sync.state.store import State
from tests.trello.api_boards import add, api_config, sync


def test_429_and_5xx_are_backed_off_and_retried(fake, secrets, write_config, tmp_path, clock):
    board = add(fake, 10)
    fake.fail_next(
        "GET",
        "/1/boards/[^/]+",
        status=429,
        body={"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"},
    )
    fake.fail_next("GET", "/1/boards/[^/]+/actions", status=502, body="Bad Gateway")
    with State(tmp_path / "state.db") as state:
        report = sync(api_config(write_config, {"m": ("microactions", board["id"])}), state)
    assert report.ok
    assert report.requests == {"trello": 4}
    assert clock.sleeps[0] >= 10  # a 429 waits at least one rate-limit interval


def test_never_more_than_100_requests_in_any_10_seconds(fake, secrets, write_config, tmp_path):
    boards = {f"b{i}": ("microactions", add(fake, 3, seed=i, n_actions=5)["id"]) for i in range(70)}
    with State(tmp_path / "state.db") as state:
        report = sync(api_config(write_config, boards), state)
    assert report.ok and len(fake.requests) == 140
    assert fake.max_requests_in_window() <= 100
    assert not [r for r in fake.requests if r.status == 429]


def test_an_injected_429_answers_as_trello_does(fake, secrets):
    headers = {
        "Authorization": f'OAuth oauth_consumer_key="{fake.key}", oauth_token="{fake.token}"'
    }
    fake.fail_next("GET", "/1/members/me", status=429)
    fake.fail_next(
        "GET",
        "/1/members/me",
        status=429,
        body='{"error":"API_KEY_LIMIT_EXCEEDED","message":"Rate limit exceeded"}',
    )
    token = requests.get("https://api.trello.com/1/members/me", headers=headers, timeout=5)
    key = requests.get("https://api.trello.com/1/members/me", headers=headers, timeout=5)
    for answer, scope, error in ((token, "token", "TOKEN"), (key, "key", "KEY")):
        assert answer.status_code == 429
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json() == {
            "error": f"API_{error}_LIMIT_EXCEEDED",
            "message": "Rate limit exceeded",
        }
        assert answer.headers[f"x-rate-limit-api-{scope}-remaining"] == "0"
        for name in ("token", "key"):
            assert int(answer.headers[f"x-rate-limit-api-{name}-max"]) in (100, 300)
            assert answer.headers[f"x-rate-limit-api-{name}-interval-ms"] == "10000"

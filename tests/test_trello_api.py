"""Reading boards from the live API, against the stateful Trello fake.

What a user would check: how many requests a sync makes (one nested load per board plus history
pages, never one per card), that history is read incrementally, that failures are one clear line
with the fix, that Trello's rate limit is respected, and that no secret ends up in a URL or message.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import requests

import cli
import jobs.sync
from config import load_config
from sync.errors import RemoteError
from sync.sources import TrelloReader
from sync.state import State
from sync.trello_api import ACTION_TYPES, TrelloApi, trello_session
from tests.fakes.boards import synthetic_board
from tests.fakes.trello import FakeClock, FakeTrello

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr("sync.http.monotonic", clock.now)
    monkeypatch.setattr("sync.http.pause", clock.sleep)
    return clock


@pytest.fixture
def fake(clock):
    fake = FakeTrello(clock=clock)
    with fake.running():
        yield fake


@pytest.fixture
def secrets(fake, monkeypatch):
    monkeypatch.setenv("TRELLO_API_KEY", fake.key)
    monkeypatch.setenv("TRELLO_TOKEN", fake.token)
    return fake.key, fake.token


def api_config(write_config, boards: dict[str, tuple[str, str]]) -> str:
    tables = "".join(
        f'[boards.{name}]\nrole = "{role}"\nsource = "trello:{ref}"\n'
        for name, (role, ref) in boards.items()
    )
    return str(write_config('state_db = "state.db"\n' + tables))


def add(fake: FakeTrello, n_cards: int, role: str = "microactions", **kwargs) -> dict:
    board = synthetic_board(n_cards, role=role, **kwargs)
    fake.add_board(board)
    return board


def sync(path: str, state: State, **kwargs):
    return jobs.sync.run(load_config(path), state, now=NOW, **kwargs)


def test_a_board_is_one_nested_request_plus_history_pages(fake, secrets, write_config, tmp_path):
    board = add(fake, 1000, n_actions=2500)
    path = api_config(write_config, {"m": ("microactions", board["shortLink"])})
    with State(tmp_path / "state.db") as state:
        report = sync(path, state)
    assert report.ok and report.boards[0].cards == 1000
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", f"/1/boards/{board['shortLink']}"),
        ("GET", f"/1/boards/{board['id']}/actions"),
        ("GET", f"/1/boards/{board['id']}/actions"),
        ("GET", f"/1/boards/{board['id']}/actions"),
    ]
    nested = fake.requests[0].params
    assert (nested["cards"], nested["actions"], nested["checklists"]) == ("all", "none", "all")
    assert "before" not in fake.requests[1].params and fake.requests[2].params["before"]
    assert report.requests == {"trello": 4}
    wanted = set(ACTION_TYPES.split(","))
    assert report.boards[0].history == sum(1 for a in board["actions"] if a["type"] in wanted)


def test_requests_do_not_grow_with_cards(fake, secrets, write_config, tmp_path):
    small, large = add(fake, 100, n_actions=500, seed=1), add(fake, 5000, n_actions=500, seed=2)
    for board in (small, large):
        fake.requests.clear()
        path = api_config(write_config, {"b": ("microactions", board["id"])})
        with State(tmp_path / f"{board['id']}.db") as state:
            sync(path, state)
        assert len(fake.requests) == 2


def test_the_second_sync_reads_only_new_history(fake, secrets, write_config, tmp_path):
    board = add(fake, 50, n_actions=120)
    path = api_config(write_config, {"m": ("microactions", board["id"])})
    ideas = next(lst["id"] for lst in board["lists"] if lst["name"] == "Ideas")
    done = next(lst["id"] for lst in board["lists"] if lst["name"] == "Done")
    card = next(c for c in board["cards"] if c["idList"] == ideas and not c["closed"])
    with State(tmp_path / "state.db") as state:
        sync(path, state)
        bookmark = state.bookmark(f"trello-actions:{board['id']}")
        assert bookmark == "2026-11-21T12:00:00.000Z"
        requests.put(
            f"https://api.trello.com/1/cards/{card['id']}",
            json={"idList": done},
            headers={
                "Authorization": f'OAuth oauth_consumer_key="{fake.key}", '
                f'oauth_token="{fake.token}"'
            },
            timeout=5,
        )
        fake.requests.clear()
        report = sync(path, state)
    [history] = [r for r in fake.requests if r.path.endswith("/actions")]
    assert history.params["since"] == "2026-11-21T11:45:00.000Z"  # bookmark less the look-back
    assert report.requests == {"trello": 2}
    with State(tmp_path / "state.db") as state:
        reader = TrelloReader(load_config(path), state, dry_run=True, now=NOW)
        model = reader.read(load_config(path).boards[0])
    moved = next(c for c in model.cards if c.id == card["id"])
    assert (moved.state, moved.completed_from) == ("done", "action")
    assert moved.completed_at == datetime(2026, 11, 21, 12, tzinfo=UTC)


def test_a_dry_run_saves_no_history_and_no_bookmark(fake, secrets, write_config, tmp_path):
    board = add(fake, 20)
    path = api_config(write_config, {"m": ("microactions", board["id"])})
    with State(tmp_path / "state.db") as state:
        report = sync(path, state, dry_run=True)
        assert report.ok and report.boards[0].history > 0
        assert state.bookmark(f"trello-actions:{board['id']}") is None
        assert state.load_actions(board["id"]) == [] and state.runs() == []


def test_credentials_travel_in_the_header_never_the_url(fake, secrets, write_config, tmp_path):
    board = add(fake, 10)
    with State(tmp_path / "state.db") as state:
        sync(api_config(write_config, {"m": ("microactions", board["id"])}), state)
    assert not fake.secrets_in_urls
    for request in fake.requests:
        assert request.headers["Authorization"] == (
            f'OAuth oauth_consumer_key="{fake.key}", oauth_token="{fake.token}"'
        )
        assert fake.token not in request.url and not request.body


def test_a_revoked_token_is_one_line_with_the_fix_and_no_secret(
    fake, secrets, write_config, runner
):
    board = add(fake, 10)
    fake.revoke_token()
    path = api_config(write_config, {"m": ("microactions", board["id"])})
    result = runner.invoke(cli.main, ["-vv", "--config", path, "sync"])
    assert result.exit_code == 1
    assert (
        'failed: board "m": Trello refused the credentials (invalid token) reading board '
        f"{board['id']} — create a token at https://trello.com/app-key"
    ) in result.output
    assert fake.token not in result.output and fake.key not in result.output


def test_a_board_that_does_not_exist_fails_alone(fake, secrets, write_config, tmp_path):
    board = add(fake, 10)
    path = api_config(
        write_config, {"gone": ("events", "ZZZZ9999"), "m": ("microactions", board["id"])}
    )
    with State(tmp_path / "state.db") as state:
        report = sync(path, state)
    assert report.failures == [
        'board "gone": Trello has no board ZZZZ9999 that this token can see (404 The requested '
        "resource was not found.) — check the board id or short link (from the board's URL) and "
        "that the token's member is on the board"
    ]
    assert [b.name for b in report.boards] == ["m"] and report.exit_code == 1


def test_missing_credentials(write_config, tmp_path):
    path = api_config(write_config, {"m": ("microactions", "AbCd1234")})
    with State(tmp_path / "state.db") as state:
        report = sync(path, state)
    assert report.failures[0].startswith(
        'board "m": TRELLO_API_KEY and TRELLO_TOKEN not set, needed for trello: boards — set them'
    )


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


def test_a_read_that_keeps_failing_is_reported(fake, secrets, write_config, tmp_path):
    board, other = add(fake, 10, seed=1), add(fake, 10, seed=2)
    fake.fail_next("GET", f"/1/boards/{board['id']}", exception=requests.ConnectionError, times=5)
    path = api_config(
        write_config, {"a": ("microactions", board["id"]), "b": ("microactions", other["id"])}
    )
    with State(tmp_path / "state.db") as state:
        report = sync(path, state)
    assert report.failures == [
        f'board "a": Trello: GET https://api.trello.com/1/boards/{board["id"]} could not connect '
        "— check the network and rerun; nothing was lost"
    ]
    assert [b.name for b in report.boards] == ["b"]


def test_a_body_that_is_not_json(fake, secrets, write_config, tmp_path):
    board = add(fake, 10)
    fake.fail_next("GET", "/1/boards/[^/]+", status=200, body="<html>maintenance</html>")
    with State(tmp_path / "state.db") as state:
        report = sync(api_config(write_config, {"m": ("microactions", board["id"])}), state)
    assert report.failures[0].startswith(
        f'board "m": Trello sent a response that is not JSON reading board {board["id"]}'
    )


def test_a_board_too_big_for_one_request_is_paged(fake, secrets, write_config, tmp_path):
    board = add(fake, 1500, n_actions=10)
    fake.max_nested_cards = 1000
    with State(tmp_path / "state.db") as state:
        report = sync(api_config(write_config, {"m": ("microactions", board["id"])}), state)
    assert report.ok and report.boards[0].cards == 1500
    assert fake.count("GET", f"/1/boards/{board['id']}/cards/all") == 2


def test_never_more_than_100_requests_in_any_10_seconds(fake, secrets, write_config, tmp_path):
    boards = {f"b{i}": ("microactions", add(fake, 3, seed=i, n_actions=5)["id"]) for i in range(70)}
    with State(tmp_path / "state.db") as state:
        report = sync(api_config(write_config, boards), state)
    assert report.ok and len(fake.requests) == 140
    assert fake.max_requests_in_window() <= 100
    assert not [r for r in fake.requests if r.status == 429]


def test_check_online(fake, secrets, write_config, runner):
    board = add(fake, 10)
    path = api_config(
        write_config, {"m": ("microactions", board["id"]), "gone": ("events", "ZZZZ9999")}
    )
    result = runner.invoke(cli.main, ["--config", path, "check", "--online"])
    assert result.exit_code == 1
    assert "ok  trello: credentials work: signed in as @otgsyncbot" in result.output
    assert f'ok  board m: can read "{board["name"]}"' in result.output
    assert "FAIL board gone: Trello has no board ZZZZ9999" in result.output


def connected(fake) -> TrelloApi:
    return TrelloApi(fake.key, fake.token, trello_session(fake.key, fake.token))


def test_writes_change_the_board_and_are_never_retried_on_5xx(fake):
    board = add(fake, 5, role="events")
    api = connected(fake)
    list_id = board["lists"][0]["id"]
    created = api.create_card(list_id, "Imported event", desc="From the calendar")
    assert fake.card(created["id"])["name"] == "Imported event"
    api.update_card(created["id"], idList=board["lists"][1]["id"])
    api.add_comment(created["id"], "Deleted from the calendar")
    api.attach_link(created["id"], "https://medium.com/p/abc", "Medium draft")
    assert [a["url"] for a in api.attachments(created["id"])] == ["https://medium.com/p/abc"]
    fake.fail_next("POST", "/1/cards", status=500, body="Internal Server Error")
    with pytest.raises(RemoteError, match='Trello answered 500 creating card "Again"'):
        api.create_card(list_id, "Again")
    assert fake.count("POST", re.compile(r"^/1/cards$")) == 2  # the failed POST: sent once
    with pytest.raises(RemoteError, match="Trello answered 404 updating card"):
        api.update_card("5f0000000000000000000bad", closed=True)

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
from sync import __version__
from sync.errors import RemoteError
from sync.state.store import State
from sync.trello import done as rule
from sync.trello.api import ACTION_TYPES, TrelloApi, trello_session
from sync.trello.sources import TrelloReader
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
    assert rule.done(moved) == rule.Done(datetime(2026, 11, 21, 12, tzinfo=UTC), rule.HISTORY)


def test_a_dry_run_saves_no_history_and_no_bookmark(fake, secrets, write_config, tmp_path):
    board = add(fake, 20)
    path = api_config(write_config, {"m": ("microactions", board["id"])})
    with State(tmp_path / "state.db") as state:
        report = sync(path, state, dry_run=True)
        assert report.ok and report.boards[0].history > 0
        assert state.bookmark(f"trello-actions:{board['id']}") is None
        assert list(state.action_rows(board["id"])) == [] and state.runs() == []


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
    fake.fail_next("GET", rf"/1/boards/{board['id']}$", status=200, body=[])  # a proxy's answer
    odd = runner.invoke(cli.main, ["--config", path, "check", "--online"])
    assert odd.exit_code == 1 and "Traceback" not in odd.output
    assert f"FAIL board m: Trello answered GET /1/boards/{board['id']} with a list" in odd.output


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


# -- answers of the wrong shape: valid JSON, but not what was asked for ---------------------------

WRONG_READS = [
    ("GET", "/1/boards/{id}", [], "with a list where a board belongs (reading board {id})"),
    ("GET", "/1/boards/{id}", None, "with null where a board belongs (reading board {id})"),
    ("GET", "/1/boards/{id}", {"id": 5}, "with an object without the board's id (reading board"),
    ("GET", "/1/boards/{id}", {"id": "{id}", "cards": {}}, 'with a board whose "cards" is an obj'),
    (
        "GET",
        "/1/boards/{id}/actions",
        {"error": "x"},
        "with an object where a list of history entries belongs (reading the history of board",
    ),
    ("GET", "/1/boards/{id}/actions", [1, 2, "x"], "with a number in a list of history entries"),
    ("GET", "/1/boards/{id}/actions", [{"date": "x"}], "with a history entry without an id"),
]


@pytest.mark.parametrize(("method", "route", "answer", "said"), WRONG_READS)
def test_a_read_answered_in_the_wrong_shape_fails_that_board_only(
    fake, secrets, write_config, tmp_path, method, route, answer, said
):
    board, other = add(fake, 10, seed=1), add(fake, 10, seed=2)
    path = route.format(id=board["id"])
    body = answer if answer is not None else "null"
    if isinstance(body, dict) and body.get("id") == "{id}":
        body = {**body, "id": board["id"]}
    fake.fail_next(
        method, path, status=200, body=body, headers={"Content-Type": "application/json"}
    )
    config = api_config(
        write_config, {"a": ("microactions", board["id"]), "b": ("microactions", other["id"])}
    )
    with State(tmp_path / "state.db") as state:
        report = sync(config, state)
    [failure] = report.failures
    assert failure.startswith(f'board "a": Trello answered {method} {path} ')
    assert said.format(id=board["id"]) in failure, failure
    assert "unexpected" not in failure
    assert [b.name for b in report.boards] == ["b"]  # the other board is read
    with State(tmp_path / "state.db") as state:
        healed = sync(config, state)  # the next run, with Trello answering right again
    assert healed.ok and sorted(b.name for b in healed.boards) == ["a", "b"]


def test_the_cli_reports_a_wrong_shape_in_one_line_and_goes_on(fake, secrets, write_config, runner):
    board, other = add(fake, 10, seed=1), add(fake, 10, seed=2)
    fake.fail_next("GET", f"/1/boards/{board['id']}", status=200, body=[])
    path = api_config(
        write_config, {"a": ("microactions", board["id"]), "b": ("microactions", other["id"])}
    )
    result = runner.invoke(cli.main, ["--config", path, "sync"])
    assert result.exit_code == 1
    assert "unexpected" not in result.output and "Traceback" not in result.output
    assert (
        f'failed: board "a": Trello answered GET /1/boards/{board["id"]} with a list where a '
        f"board belongs (reading board {board['id']})"
    ) in result.output
    assert other["name"] in result.output


@pytest.fixture
def api(fake, secrets):
    return TrelloApi(fake.key, fake.token, trello_session(fake.key, fake.token, retries=0))


@pytest.mark.parametrize(
    ("answer", "said"),
    [([], "a list"), ({"name": "no id"}, "an object without an id"), ("null", "null")],
)
def test_a_create_answered_without_the_new_card_may_have_made_it(fake, api, answer, said):
    board = add(fake, 3)
    fake.fail_after_apply("POST", "/1/cards", body=answer)
    with pytest.raises(RemoteError) as caught:
        api.create_card(board["lists"][0]["id"], "Breakfast")
    assert caught.value.message == (
        f"Trello answered POST /1/cards with {said} where the new card belongs (creating card "
        '"Breakfast"): it may have been made'
    )
    assert [c["name"] for c in fake.export(board["id"])["cards"]].count("Breakfast") == 1


@pytest.mark.parametrize(
    ("call", "route", "answer", "said"),
    [
        ("comments", "/1/cards/{card}/actions", {"x": 1}, "an object where a list of comments"),
        ("comments", "/1/cards/{card}/actions", [None], "null in a list of comments"),
        ("attachments", "/1/cards/{card}/attachments", "null", "null where a list of attach"),
        ("labels", "/1/boards/{board}/labels", [{"name": "x"}], "a label without an id"),
        ("cards", "/1/boards/{board}/cards/all", {"error": "x"}, "an object where a list of card"),
        ("me", "/1/members/me", [], "a list where a member belongs"),
    ],
)
def test_every_answer_used_is_checked_for_its_shape(fake, api, call, route, answer, said):
    board = add(fake, 60 if call == "labels" else 3)
    card = board["cards"][0]["id"]
    path = route.format(board=board["id"], card=card)
    fake.fail_next("GET", path, status=200, body=answer)
    if call == "labels":
        board_labels = fake.export(board["id"])["labels"]
        assert len(board_labels) < 50  # the fake's board: add labels so /labels is read
        fake.state.board(board["id"]).board["labels"] += [
            {"id": f"{n:024x}", "idBoard": board["id"], "name": f"l{n}", "color": None}
            for n in range(50)
        ]
    if call == "cards":
        fake.max_nested_cards = 1
    calls = {
        "comments": lambda: api.comments(card),
        "attachments": lambda: api.attachments(card),
        "labels": lambda: api.board(board["id"]),
        "cards": lambda: api.board(board["id"]),
        "me": api.me,
    }
    with pytest.raises(RemoteError) as caught:
        calls[call]()
    assert caught.value.message.startswith(f"Trello answered GET {path} with {said}"), (
        caught.value.message
    )


# -- 429s as Trello sends them -------------------------------------------------------------------


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


def test_trello_hears_otg_sync_and_its_version_not_py_trello(fake):
    """py-trello sets its own User-Agent on each request; the session's wins."""
    board = add(fake, 3, role="events")
    api = connected(fake)
    api.me()
    api.board(board["shortLink"])
    assert fake.requests
    agents = {r.headers.get("User-Agent") for r in fake.requests}
    assert agents == {f"otg-sync/{__version__} (+https://github.com/oneteamgov/otg-sync)"}

"""Reading from the live API when it fails, against the stateful Trello fake: a revoked token, a
board that does not exist, missing credentials, a read that keeps failing, a body that is not
JSON: each one clear line with the fix, no secret, and the other boards read."""

from __future__ import annotations

import requests

import cli
from sync.state.store import State
from tests.trello.api_boards import add, api_config, sync


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

"""Answers of the wrong shape from the live API (valid JSON, but not what was asked for), against
the stateful Trello fake: every answer used is checked, and a wrong one fails its board alone in
one line."""

from __future__ import annotations

import pytest

import cli
from sync.errors import RemoteError
from sync.state.store import State
from tests.trello.api_boards import add, api_config, sync

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

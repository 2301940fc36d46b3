"""Reading boards from the live API, against the stateful Trello fake: how many requests a sync
makes (one nested load per board plus history pages, never one per card, a board too big for one
request paged), and history read incrementally and saved only by a real run."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from config import load_config
from sync.state.store import State
from sync.trello import done as rule
from sync.trello.api import ACTION_TYPES
from sync.trello.sources import TrelloReader
from tests.trello.api_boards import NOW, add, api_config, sync


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


def test_a_board_too_big_for_one_request_is_paged(fake, secrets, write_config, tmp_path):
    board = add(fake, 1500, n_actions=10)
    fake.max_nested_cards = 1000
    with State(tmp_path / "state.db") as state:
        report = sync(api_config(write_config, {"m": ("microactions", board["id"])}), state)
    assert report.ok and report.boards[0].cards == 1500
    assert fake.count("GET", f"/1/boards/{board['id']}/cards/all") == 2

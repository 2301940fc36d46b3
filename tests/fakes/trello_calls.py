"""Plain ``requests`` calls to the fake Trello API, for its contract tests (test_trello_fake_*.py):
the authorised GET and write, the full nested board load, and where to find a card or list."""

from __future__ import annotations

from typing import Any

import requests

from tests.fakes.trello import DEFAULT_KEY, DEFAULT_TOKEN

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


def get(path: str, headers: dict[str, str] | None = None, **params: Any) -> requests.Response:
    return requests.get(f"{API}{path}", params=params, headers=headers or AUTH, timeout=5)


def send(method: str, path: str, **body: Any) -> requests.Response:
    return requests.request(method, f"{API}{path}", json=body, headers=AUTH, timeout=5)


def first_open_card(board: dict[str, Any]) -> dict[str, Any]:
    open_lists = {lst["id"] for lst in board["lists"] if not lst["closed"]}
    return next(c for c in board["cards"] if not c["closed"] and c["idList"] in open_lists)


def list_id(board: dict[str, Any], name: str) -> str:
    return next(lst["id"] for lst in board["lists"] if lst["name"] == name)

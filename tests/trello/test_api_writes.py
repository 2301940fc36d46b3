"""Writes to Trello through the API, against the stateful Trello fake: they change the board, are
never retried on a 5xx, and a create answered without the new card says it may have been made."""

from __future__ import annotations

import re

import pytest

from sync.errors import RemoteError
from tests.trello.api_boards import add, connected


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

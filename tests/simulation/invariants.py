"""What must hold after every night of the simulation, however the night went."""

from __future__ import annotations

import sqlite3

from sync.calendar.inbound import IMPORTED
from sync.content.plan import INTENT_KIND
from sync.state.store import State
from tests.simulation.community import WRITE_BACK_LISTS, Community
from tests.world import CONTENT_BOARD, DOMAIN, EVENTS_BOARD, World


def check_night(
    world: World, community: Community, code: int, lines: list[str], *, killed: bool = False
) -> None:
    """``killed``: the night's sync was SIGKILLed (its pending intents are checked where an
    operator finds them: tests/simulation/child_nights.py)."""
    text = "\n".join(lines)
    # a documented exit code, and every problem a line of its own (no traceback)
    assert code in ((-9, 0, 1) if killed else (0, 1)), (code, text)
    assert "Traceback" not in text and "unexpected" not in text, text
    # no duplicate card, event, attachment, comment or draft; nothing reported done (recorded)
    # that the service does not hold; every draft on Medium recorded or pending
    world.assert_consistent()
    _state_is_whole(world)
    if not killed:
        _pending_intents_reported(world, lines)
    _nothing_user_made_undone(world, community)


def _state_is_whole(world: World) -> None:
    with sqlite3.connect(world.state_db) as db:
        [(result,)] = db.execute("PRAGMA integrity_check").fetchall()
    assert result == "ok", result


def _pending_intents_reported(world: World, lines: list[str]) -> None:
    with State(world.state_db) as state:
        pending = state.intents(INTENT_KIND, "pending")
    if pending:
        said = [x for x in lines if "otg ledger" in x or x.startswith("pending")]
        assert said, ("a pending Medium intent not reported", [i.payload for i in pending])


def _nothing_user_made_undone(world: World, community: Community) -> None:
    """No card people made was deleted; no card was moved but by people, or as the docs say (a
    content card on to "In Medium drafts" / "Published"); no event people added on the
    calendar was deleted."""
    names = {
        x["id"]: x["name"]
        for board in (EVENTS_BOARD, CONTENT_BOARD)
        for x in world.trello.export(board)["lists"]
    }
    for card_id, list_id in community.placed.items():
        if card_id in community.deleted:
            continue
        card = world.trello.card(card_id)
        assert card is not None, f"card {card_id} was deleted, and not by a person"
        if card["idList"] != list_id:
            assert names[card["idList"]] in WRITE_BACK_LISTS, (
                f"{card['name']} moved from {names[list_id]} to {names[card['idList']]}"
            )
    on_calendar = set(world.calendar())
    gone = community.partner_uids - on_calendar
    assert not gone, f"events people added were deleted from the calendar: {gone}"


def check_converged(world: World, community: Community) -> None:
    """After a quiet night: the feed says what the boards say."""
    lists = {x["id"]: x["name"] for x in world.trello.export(EVENTS_BOARD)["lists"]}
    feed = set(world.feed_uids())
    with State(world.state_db) as state:  # a card imported from the calendar keeps its UID
        imported = {k: i.remote_id for k, i in state.items(IMPORTED).items()}
    for card in world.trello.export(EVENTS_BOARD)["cards"]:
        uid = imported.get(card["id"]) or f"trello-{card['id']}@{DOMAIN}"
        published = lists[card["idList"]] in ("Planning", "Confirmed") and card.get("start")
        if not card.get("closed") and published and card["id"] not in community.deleted:
            assert uid in feed, f"{card['name']} ({lists[card['idList']]}) is not in the feed"
    ours = {uid for uid in world.calendar() if uid.startswith("trello-")}
    fed = {uid for uid in feed if uid.startswith("trello-")}
    assert ours == fed, ("the calendar and the feed differ", ours ^ fed)

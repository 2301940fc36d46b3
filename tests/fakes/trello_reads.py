"""Read routes of the fake Trello API (``GET``), answering like the real ``/1`` endpoints.

Each handler takes the :class:`TrelloState` and a parsed :class:`Call`, returns the JSON-able
answer for a 200, or raises :class:`ApiError` for the plain-text / JSON errors Trello sends.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import Any

from tests.fakes.trello_state import BoardState, TrelloState
from tests.fakes.trello_wire import (
    CARD_EXTRA_KEYS,
    DEFAULT_BOARD_FIELDS,
    HEX_ID,
    JSON,
    NESTED_BOARD_KEYS,
    ApiError,
    Call,
    id_time,
    invalid_value,
    parse_bool,
    parse_date,
    parse_fields,
    project,
)

MAX_LIMIT = 1000
TOO_MANY_CARDS = {"error": "API_TOO_MANY_CARDS_REQUESTED", "message": "Requested too many cards"}


# --------------------------------------------------------------------------- helpers
def parse_limit(query: dict[str, str], default: int | None, name: str = "limit") -> int | None:
    """``limit`` between 0 and 1000; anything else is 400 ``invalid value for limit``."""
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) > MAX_LIMIT:
        raise invalid_value(name)
    return int(raw)


def card_viewer(query: dict[str, str], *, nested: bool) -> Callable[[dict[str, Any]], dict]:
    """Turns stored cards into what the API returns: the chosen fields, plus attachments and
    custom field items only when asked. Nested in a board the options are ``card_fields``,
    ``card_attachments``, ``card_customFieldItems``; on card routes ``fields``,
    ``attachments``, ``customFieldItems`` (the ``card_`` spellings are accepted there too)."""

    def option(name: str) -> str | None:
        if nested:
            return query.get(f"card_{name}")
        return query.get(name, query.get(f"card_{name}"))

    fields = parse_fields(option("fields"))
    attachments = option("attachments") or "false"
    cover_only = attachments == "cover"
    with_attachments = cover_only or parse_bool(attachments, "attachments")
    with_items = parse_bool(option("customFieldItems") or "false", "customFieldItems")

    def view(card: dict[str, Any]) -> dict[str, Any]:
        out = project(card, fields, CARD_EXTRA_KEYS)
        if with_attachments:
            found = card.get("attachments") or []
            if cover_only:
                found = [a for a in found if a.get("id") == card.get("idAttachmentCover")]
            out["attachments"] = found
        if with_items:
            out["customFieldItems"] = card.get("customFieldItems") or []
        return out

    return view


def card_filter(state: BoardState, which: str) -> Callable[[dict[str, Any]], bool]:
    """Card filters: ``all`` (archived included), ``open``, ``closed``, ``visible`` (open
    cards in open lists)."""
    if which == "all":
        return lambda card: True
    if which == "open":
        return lambda card: not card.get("closed")
    if which == "closed":
        return lambda card: bool(card.get("closed"))
    if which == "visible":
        open_lists = {i for i, lst in state.lists.items() if not lst.get("closed")}
        return lambda card: not card.get("closed") and card.get("idList") in open_lists
    raise invalid_value("filter")


def filter_cards(state: BoardState, which: str) -> list[dict[str, Any]]:
    """The board's cards that pass :func:`card_filter`, in board order."""
    keep = card_filter(state, which)
    return [card for card in state.board["cards"] if keep(card)]


def filter_lists(state: BoardState, which: str) -> list[dict[str, Any]]:
    """List filters: ``all``, ``open``, ``closed``."""
    lists = state.board["lists"]
    if which == "all":
        return list(lists)
    if which in ("open", "closed"):
        return [lst for lst in lists if bool(lst.get("closed")) == (which == "closed")]
    raise invalid_value("filter")


def action_matches(action: dict[str, Any], types: set[str] | None) -> bool:
    """Action filters: ``all`` / ``type`` / ``type:field`` (e.g. ``updateCard:idList``)."""
    if types is None:
        return True
    if action["type"] in types:
        return True
    old = action.get("data", {}).get("old") or {}
    return any(f"{action['type']}:{key}" in types for key in old)


def position_key(value: str, name: str) -> tuple[str, Any]:
    """``since``/``before`` bound: an ObjectId (compared by embedded time, then id) or a date."""
    if HEX_ID.fullmatch(value):
        return ("id", (id_time(value), value.lower()))
    moment = parse_date(value)
    if moment is None:
        raise invalid_value(name)
    return ("date", moment)


def within(
    obj: dict[str, Any], since: tuple[str, Any] | None, before: tuple[str, Any] | None
) -> bool:
    """True when ``obj`` (action or card) lies strictly between ``since`` and ``before``."""
    for bound, newer in ((since, True), (before, False)):
        if bound is None:
            continue
        kind, limit = bound
        if kind == "id":
            value: Any = (id_time(obj["id"]), obj["id"].lower())
        else:
            value = parse_date(obj["date"]) if "date" in obj else float(id_time(obj["id"]))
        if (value <= limit) if newer else (value >= limit):
            return False
    return True


def page_actions(
    actions: list[dict[str, Any]],
    query: dict[str, str],
    filter_value: str,
    prefix: str = "",
    order: tuple[list[int] | None, list[float] | None] | None = None,
) -> list[dict[str, Any]]:
    """Newest-first actions of types ``filter_value`` honouring ``{prefix}since``,
    ``{prefix}before`` and ``{prefix}limit`` (default 50, at most 1000)."""
    types = parse_fields(filter_value)
    limit = parse_limit(query, 50, f"{prefix}limit")
    since = position_key(query[f"{prefix}since"], "since") if f"{prefix}since" in query else None
    before = (
        position_key(query[f"{prefix}before"], "before") if f"{prefix}before" in query else None
    )
    lo, hi = narrow(order, since, before, len(actions))
    cap = MAX_LIMIT if limit is None else limit
    out: list[dict[str, Any]] = []
    for action in actions[lo:hi] if (lo, hi) != (0, len(actions)) else actions:
        if len(out) >= cap:
            break
        if action_matches(action, types) and within(action, since, before):
            out.append(action)
    return out


def narrow(
    order: tuple[list[int] | None, list[float] | None] | None,
    since: tuple[str, Any] | None,
    before: tuple[str, Any] | None,
    size: int,
) -> tuple[int, int]:
    """Index range of a newest-first action list that can hold matches, by bisecting the
    negated id times / dates from :meth:`BoardState.action_order` (when they are monotonic).
    Items inside the range are still checked exactly."""
    lo, hi = 0, size
    if order is None:
        return lo, hi
    times, dates = order
    for bound, is_before in ((before, True), (since, False)):
        if bound is None:
            continue
        kind, value = bound
        if kind == "id" and times is not None:
            if is_before:  # skip ids of later seconds
                lo = max(lo, bisect.bisect_left(times, -value[0]))
            else:  # stop at ids of earlier seconds
                hi = min(hi, bisect.bisect_right(times, -value[0]))
        elif kind == "date" and dates is not None:
            if is_before:
                lo = max(lo, bisect.bisect_right(dates, -value))
            else:
                hi = min(hi, bisect.bisect_left(dates, -value))
    return lo, max(lo, hi)


# --------------------------------------------------------------------------- routes
def get_board(state: TrelloState, call: Call) -> dict[str, Any]:
    """``GET /1/boards/{id}``: board fields plus the nested resources the query asks for."""
    board = state.board(call.args[0])
    query = call.query
    out = project(
        board.board, parse_fields(query.get("fields"), DEFAULT_BOARD_FIELDS), NESTED_BOARD_KEYS
    )
    cards = query.get("cards", "none")
    if cards != "none":
        if state.max_nested_cards is not None and len(board.cards) > state.max_nested_cards:
            raise ApiError(400, TOO_MANY_CARDS, JSON)
        view = card_viewer(query, nested=True)
        out["cards"] = [view(c) for c in filter_cards(board, cards)]
    if query.get("lists", "none") != "none":
        out["lists"] = filter_lists(board, query["lists"])
    if query.get("labels", "none") != "none":
        out["labels"] = board.board["labels"][: parse_limit(query, 50, "labels_limit")]
    if query.get("checklists", "none") != "none":
        out["checklists"] = board.board["checklists"]
    if parse_bool(query.get("customFields", "false"), "customFields"):
        out["customFields"] = board.board["customFields"]
    if query.get("members", "none") != "none":
        out["members"] = board.board["members"]
    if query.get("memberships", "none") != "none":
        out["memberships"] = board.board.get("memberships", [])
    if query.get("actions", "all") != "none":
        out["actions"] = page_actions(
            board.actions,
            query,
            query.get("actions", "all"),
            prefix="actions_",
            order=board.action_order(),
        )
    return out


def get_board_cards(state: TrelloState, call: Call) -> list[dict[str, Any]]:
    """``GET /1/boards/{id}/cards[/{filter}]``; with ``limit``/``before``/``since`` the cards
    come newest id first, which is how the paged fallback walks a huge board."""
    board = state.board(call.args[0])
    query = call.query
    keep = card_filter(board, call.args[1] or query.get("filter", "visible"))
    limit = parse_limit(query, None)
    since = position_key(query["since"], "since") if "since" in query else None
    before = position_key(query["before"], "before") if "before" in query else None
    view = card_viewer(query, nested=False)
    if limit is None and since is None and before is None:
        return [view(c) for c in board.board["cards"] if keep(c)]
    ascending_ids, newest_first = board.cards_by_id()
    lo, hi = 0, len(newest_first)
    if before is not None:  # cards whose id sorts below the bound
        lo = hi - bisect.bisect_left(ascending_ids, id_bound(before, upper=False))
    if since is not None:  # cards whose id sorts above the bound
        hi = min(hi, hi - bisect.bisect_right(ascending_ids, id_bound(since, upper=True)))
    out: list[dict[str, Any]] = []
    for card in newest_first[lo:hi]:
        if limit is not None and len(out) >= limit:
            break
        if keep(card):
            out.append(view(card))
    return out


def id_bound(bound: tuple[str, Any], *, upper: bool) -> str:
    """A ``since``/``before`` bound as a lowercase id string to bisect sorted card ids with
    (a date becomes the first/last possible id of its second)."""
    kind, value = bound
    if kind == "id":
        return value[1]
    if upper:  # since a date: ids of later seconds only
        return f"{math.floor(value):08x}" + "f" * 16
    return f"{math.ceil(value):08x}" + "0" * 16


def get_board_actions(state: TrelloState, call: Call) -> list[dict[str, Any]]:
    """``GET /1/boards/{id}/actions``: newest first, default limit 50, at most 1000."""
    board = state.board(call.args[0])
    return page_actions(
        board.actions, call.query, call.query.get("filter", "all"), order=board.action_order()
    )


def get_board_labels(state: TrelloState, call: Call) -> list[dict[str, Any]]:
    """``GET /1/boards/{id}/labels``: the first ``limit`` (default 50) labels."""
    board = state.board(call.args[0])
    fields = parse_fields(call.query.get("fields"))
    labels = board.board["labels"][: parse_limit(call.query, 50)]
    return [project(label, fields, frozenset()) for label in labels]


def get_board_lists(state: TrelloState, call: Call) -> list[dict[str, Any]]:
    """``GET /1/boards/{id}/lists[/{filter}]``: open lists unless a filter says otherwise."""
    board = state.board(call.args[0])
    return filter_lists(board, call.args[1] or call.query.get("filter", "open"))


def get_board_custom_fields(state: TrelloState, call: Call) -> list[dict[str, Any]]:
    """``GET /1/boards/{id}/customFields``: the custom field definitions."""
    return state.board(call.args[0]).board["customFields"]


def get_board_checklists(state: TrelloState, call: Call) -> list[dict[str, Any]]:
    """``GET /1/boards/{id}/checklists``: every checklist on the board."""
    return state.board(call.args[0]).board["checklists"]


def get_me(state: TrelloState, call: Call) -> dict[str, Any]:
    """``GET /1/members/me``: the token's member (``id``, ``username``, ``fullName``)."""
    return project(state.member, parse_fields(call.query.get("fields")), frozenset())


def get_card(state: TrelloState, call: Call) -> dict[str, Any]:
    """``GET /1/cards/{id}`` (archived cards too); ``checklists=all`` and ``list=true`` nest."""
    board, card = state.card(call.args[0])
    out = card_viewer(call.query, nested=False)(card)
    if call.query.get("checklists", "none") != "none":
        out["checklists"] = [c for c in board.board["checklists"] if c.get("idCard") == card["id"]]
    if parse_bool(call.query.get("list", "false"), "list"):
        out["list"] = board.lists.get(card.get("idList", ""))
    return out


def get_card_checklists(state: TrelloState, call: Call) -> list[dict[str, Any]]:
    """``GET /1/cards/{id}/checklists``: what py-trello's ``card.checklists`` asks for."""
    board, card = state.card(call.args[0])
    return [c for c in board.board["checklists"] if c.get("idCard") == card["id"]]


def get_card_attachments(state: TrelloState, call: Call) -> list[dict[str, Any]]:
    """``GET /1/cards/{id}/attachments``."""
    return state.card(call.args[0])[1].get("attachments") or []


def get_card_actions(state: TrelloState, call: Call) -> list[dict[str, Any]]:
    """``GET /1/cards/{id}/actions``: the card's actions (default filter ``commentCard,
    updateCard:idList`` as in the spec), newest first."""
    board, card = state.card(call.args[0])
    default_filter = "commentCard,updateCard:idList"
    return page_actions(
        board.actions_of(card["id"]), call.query, call.query.get("filter", default_filter)
    )

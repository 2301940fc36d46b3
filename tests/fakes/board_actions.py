"""The action log of the synthetic boards of :mod:`tests.fakes.boards`.

``createCard`` per card, ``updateCard`` moves along the role's workflow (with ``data.old.idList``
and ``listBefore``/``listAfter``) and archive actions, ``deleteCard`` for vanished cards, and
trimming to or padding with ``commentCard`` up to a wanted number of actions.
"""

from __future__ import annotations

import random
from typing import Any

from tests.fakes.board_vocab import DAY, END, HOUR, LAST_ACTION, ROLE_LISTS, START, BoardIds
from tests.fakes.trello_wire import format_date


def _move_path(role: str, final: int) -> list[int]:
    """Lists a card passes through after its first list to reach list index ``final``."""
    names = ROLE_LISTS[role]
    if role == "events" and names[final] == "Cancelled":
        return [1, final]
    if role == "events" and names[final] == "Done":
        return [1, 2, final]
    return list(range(1, final + 1))


def _action(
    ids: BoardIds,
    when: float,
    kind: str,
    data: dict[str, Any],
    board_ref: dict[str, Any],
    member: dict[str, Any],
) -> tuple[float, dict[str, Any]]:
    action = {
        "id": ids.object_id(when),
        "idMemberCreator": member["id"],
        "data": {**data, "board": board_ref},
        "appCreator": None,
        "type": kind,
        "date": format_date(when),
        "limits": {},
        "memberCreator": {k: member[k] for k in ("id", "fullName", "username")},
    }
    return when, action


def card_actions(
    rng: random.Random,
    ids: BoardIds,
    role: str,
    card: dict[str, Any],
    created: float,
    lists: list[dict[str, Any]],
    final: int,
    board_ref: dict[str, Any],
    members: list[dict[str, Any]],
    out: list[tuple[float, dict[str, Any]]],
) -> None:
    ref = {
        "id": card["id"],
        "name": card["name"],
        "idShort": card["idShort"],
        "shortLink": card["shortLink"],
    }
    who = members[card["idShort"] % len(members)]
    in_archive = lists[-1]["closed"] and lists[-1]["id"] == card["idList"]
    here = lists[-1] if in_archive else lists[0]
    out.append(
        _action(
            ids,
            created + 0.3,
            "createCard",
            {"card": ref, "list": {"id": here["id"], "name": here["name"]}},
            board_ref,
            who,
        )
    )
    when = created
    for index in [] if in_archive else _move_path(role, final):
        when = max(when + 60, min(when + rng.uniform(HOUR, 10 * DAY), LAST_ACTION))
        there = lists[index]
        out.append(
            _action(
                ids,
                when,
                "updateCard",
                {
                    "card": {**ref, "idList": there["id"]},
                    "old": {"idList": here["id"]},
                    "listBefore": {"id": here["id"], "name": here["name"]},
                    "listAfter": {"id": there["id"], "name": there["name"]},
                },
                board_ref,
                who,
            )
        )
        here = there
    card["dateLastActivity"] = format_date(when)
    if card["closed"]:
        when = min(when + rng.uniform(HOUR, 5 * DAY), LAST_ACTION)
        card["dateClosed"] = card["dateLastActivity"] = format_date(when)
        out.append(
            _action(
                ids,
                when,
                "updateCard",
                {
                    "card": {**ref, "closed": True},
                    "old": {"closed": False},
                    "list": {"id": card["idList"], "name": here["name"]},
                },
                board_ref,
                who,
            )
        )
    if ROLE_LISTS[role][final] in ("Done", "Published") and card["due"] and rng.random() < 0.7:
        card["dueComplete"] = card["badges"]["dueComplete"] = True
        card["dateCompleted"] = card["dateLastActivity"]


def deleted_card_actions(
    rng: random.Random,
    ids: BoardIds,
    k: int,
    first_list: dict[str, Any],
    board_ref: dict[str, Any],
    members: list[dict[str, Any]],
    out: list[tuple[float, dict[str, Any]]],
) -> None:
    created = START + rng.random() * (END - START)
    card_id = ids.object_id(created)
    ref = {
        "id": card_id,
        "name": f"Duplicate idea {k + 1}",
        "idShort": 900_000 + k,
        "shortLink": ids.short_link(900_000 + k),
    }
    list_ref = {"id": first_list["id"], "name": first_list["name"]}
    out.append(
        _action(
            ids, created + 0.3, "createCard", {"card": ref, "list": list_ref}, board_ref, members[1]
        )
    )
    gone = {k2: ref[k2] for k2 in ("id", "idShort", "shortLink")}
    out.append(
        _action(
            ids,
            created + rng.uniform(HOUR, 3 * DAY),
            "deleteCard",
            {"card": gone, "list": list_ref},
            board_ref,
            members[1],
        )
    )


def fit_actions(
    rng: random.Random,
    ids: BoardIds,
    ordered: list[dict[str, Any]],
    n_actions: int | None,
    cards: list[dict[str, Any]],
    lists: list[dict[str, Any]],
    board_ref: dict[str, Any],
    members: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Keep the newest ``n_actions`` (like an export's cap) or pad with comments."""
    if n_actions is None:
        return ordered
    if len(ordered) >= n_actions or not cards:
        return ordered[:n_actions]
    names = {lst["id"]: lst["name"] for lst in lists}
    extra = []
    for n in range(n_actions - len(ordered)):
        card = rng.choice(cards)
        when = rng.uniform(START, LAST_ACTION)
        ref = {
            "id": card["id"],
            "name": card["name"],
            "idShort": card["idShort"],
            "shortLink": card["shortLink"],
        }
        extra.append(
            _action(
                ids,
                when,
                "commentCard",
                {
                    "text": f"Update {n + 1}: progress noted.",
                    "card": ref,
                    "list": {"id": card["idList"], "name": names[card["idList"]]},
                },
                board_ref,
                members[n % len(members)],
            )
        )
    merged = [(a["date"], a["id"], a) for a in ordered] + [
        (a["date"], a["id"], a) for _, a in extra
    ]
    merged.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [a for _, _, a in merged]

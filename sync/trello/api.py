"""The Trello API, behind one small adapter over py-trello.

py-trello (pinned 0.20.1) is barely maintained and full of N+1 traps, so only its
``TrelloClient.fetch_json`` is used: with our ``PoliteSession`` (timeouts, retries, rate limits)
and key and token sent in the ``Authorization: OAuth ...`` header, never in the URL. A whole board
is one nested request; history is paged newest first from a date.

Every answer the sync uses is checked for its shape before it is used: valid JSON of the wrong
shape (a proxy's ``[]``, an ``{"error": ...}`` with 200) is a ``RemoteError`` naming the request,
never a ``KeyError`` deep in the sync. A create whose answer is unusable may still have been made:
its error says so, and callers (which record an intent first) treat it as a lost answer.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from trello import ResourceUnavailable, TrelloClient, Unauthorized

from sync.errors import AuthError, RemoteError, SourceError
from sync.http import PoliteSession, shared_window

log = logging.getLogger(__name__)

API = "https://api.trello.com/1"
#: One request loads the whole board: cards (archived too), lists, labels, checklists, fields.
BOARD_PARAMS = {
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
    "actions": "none",  # the spec's default is *all*: always say none, history is paged
}
#: The history the sync uses: where cards went, and when.
ACTION_TYPES = (
    "createCard,updateCard,deleteCard,copyCard,moveCardToBoard,moveCardFromBoard,"
    "convertToCardFromCheckItem,emailCard"
)
#: The fix for an answer from Trello that cannot be read: Trello's to mend, and a rerun asks again.
API_FIX = "rerun later; nothing was changed; if it persists, check status.atlassian.com"
PAGE = 1000  # Trello's maximum page size for actions and cards
LABELS_DEFAULT_LIMIT = 50  # nested label lists may stop here
CREDENTIALS_FIX = (
    "create a token at https://trello.com/app-key and set TRELLO_API_KEY and TRELLO_TOKEN"
)


class OAuthHeader(requests.auth.AuthBase):
    """``Authorization: OAuth oauth_consumer_key="KEY", oauth_token="TOKEN"``."""

    def __init__(self, key: str, token: str) -> None:
        self._value = f'OAuth oauth_consumer_key="{key}", oauth_token="{token}"'

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._value
        return request


def trello_session(key: str, token: str, timeout: float = 20.0, retries: int = 4) -> PoliteSession:
    # 95 of the 100 requests per 10 s a token may make: room for the odd request elsewhere.
    # One window per token in this process, however many sessions use it (see shared_window).
    return PoliteSession(
        name="Trello",
        timeout=timeout,
        retries=retries,
        window=shared_window(f"trello {token}", 95, 10.0),
        secrets=[key, token],
    )


class TrelloApi:
    def __init__(self, key: str, token: str, session: PoliteSession) -> None:
        self.session = session
        self.client = TrelloClient(api_key=key, token=token, http_service=session)
        self.client.oauth = OAuthHeader(key, token)  # py-trello passes it as `auth=`

    def get(self, path: str, what: str, **params: str) -> Any:
        """GET a path below /1, turning every failure into a named error about ``what``."""
        return self._call("GET", path, f"reading {what}", params=params)

    def _get_list(self, path: str, what: str, item: str, **params: str) -> list[dict[str, Any]]:
        """GET a list of objects (each with a string ``id``), or a RemoteError naming it."""
        return _objects(self.get(path, what, **params), "GET", path, what, item)

    def _call(
        self,
        method: str,
        path: str,
        doing: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        try:
            return self.client.fetch_json(
                path, http_method=method, query_params=dict(params or {}), post_args=body
            )
        except Unauthorized as exc:
            raise AuthError(
                f"Trello refused the credentials ({_reason(exc)}) {doing}", CREDENTIALS_FIX
            ) from None
        except ResourceUnavailable as exc:
            raise _unavailable(exc, doing) from None
        except requests.JSONDecodeError:
            raise RemoteError(
                f"Trello sent a response that is not JSON {doing}",
                "rerun later; if it persists, check status.atlassian.com",
            ) from None

    # -- writes: never retried blindly (the session retries a write only on 429) -------------

    def create_card(self, list_id: str, name: str, **fields: Any) -> dict[str, Any]:
        """POST a card. Not idempotent: callers record an intent first. An answer without the
        new card's id is a RemoteError: the card may have been made, as when an answer is lost."""
        doing = f'creating card "{name}"'
        card = self._call("POST", "/cards", doing, body={"idList": list_id, "name": name, **fields})
        return _created(card, "POST", "/1/cards", doing, "card")

    def update_card(self, card_id: str, **fields: Any) -> dict[str, Any]:
        """PUT card fields (``idList`` moves it, ``closed`` archives it). Idempotent. The answer
        must be the card, showing the list and archived flag asked for: anything else is a
        RemoteError (the change may not have been made; the next sync checks and makes it)."""
        doing, path = f"updating card {card_id}", f"/cards/{card_id}"
        card = self._call("PUT", path, doing, body=fields)
        shown = {k: fields[k] for k in ("idList", "closed") if k in fields}
        if not (
            isinstance(card, dict)
            and card.get("id") == card_id
            and all(card.get(k, v) == v for k, v in shown.items())
        ):
            raise _not_acted(card, "PUT", path, doing, "the card")
        return card

    def set_custom_field(self, card_id: str, field_id: str, value: dict[str, str]) -> Any:
        """PUT one custom field's value on a card (``{"date": "<ISO>"}``, say). Idempotent."""
        doing = f"setting a custom field on card {card_id}"
        path = f"/cards/{card_id}/customField/{field_id}/item"
        item = self._call("PUT", path, doing, body={"value": value})
        if not isinstance(item, dict) or "error" in item:
            raise _not_acted(item, "PUT", path, doing, "the field's value")
        return item

    def add_comment(self, card_id: str, text: str) -> dict[str, Any]:
        """POST a comment. Not idempotent: callers record an intent first (an answer that is not
        the new comment leaves it pending: the next sync looks for the comment first)."""
        doing, path = f"commenting on card {card_id}", f"/cards/{card_id}/actions/comments"
        action = self._call("POST", path, doing, body={"text": text})
        return _created(action, "POST", f"/1{path}", doing, "comment")

    def attachments(self, card_id: str) -> list[dict[str, Any]]:
        return self._get_list(
            f"/cards/{card_id}/attachments", f"the attachments of card {card_id}", "attachment"
        )

    def comments(self, card_id: str) -> list[dict[str, Any]]:
        """The comments on a card (``commentCard`` actions), newest first."""
        return self._get_list(
            f"/cards/{card_id}/actions",
            f"the comments on card {card_id}",
            "comment",
            filter="commentCard",
        )

    def attach_link(self, card_id: str, url: str, name: str) -> dict[str, Any]:
        """POST a link attachment. Not idempotent: check ``attachments`` first (the board read
        with the next sync does), so an answer that is not the attachment is a RemoteError."""
        doing, path = f"attaching a link to card {card_id}", f"/cards/{card_id}/attachments"
        attachment = self._call("POST", path, doing, body={"url": url, "name": name})
        return _created(attachment, "POST", f"/1{path}", doing, "attachment")

    def add_label(self, card_id: str, label_id: str) -> Any:
        """POST a label onto a card: the answer is the card's label ids, ``label_id`` among them."""
        doing, path = f"labelling card {card_id}", f"/cards/{card_id}/idLabels"
        ids = self._call("POST", path, doing, body={"value": label_id})
        if not isinstance(ids, list) or label_id not in ids:
            raise _not_acted(ids, "POST", path, doing, "the card's labels")
        return ids

    def create_label(self, board_id: str, name: str, color: str | None = None) -> dict[str, Any]:
        doing = f'creating label "{name}"'
        label = self._call(
            "POST", "/labels", doing, body={"idBoard": board_id, "name": name, "color": color}
        )
        return _created(label, "POST", "/1/labels", doing, "label")

    def me(self) -> dict[str, Any]:
        what = "your member profile"
        return _object(
            self.get("/members/me", what, fields="username,fullName"),
            "GET",
            "/members/me",
            what,
            "member",
        )

    def board_summary(self, ref: str) -> dict[str, Any]:
        """A board's name, URL and whether it is closed: one small request (`otg check`)."""
        what, path = f"board {ref}", f"/boards/{ref}"
        return _object(self.get(path, what, fields="name,url,closed"), "GET", path, what, "board")

    def board(self, ref: str) -> dict[str, Any]:
        """The whole board in one request (cards paged separately only if Trello insists)."""
        what, path = f"board {ref}", f"/boards/{ref}"
        try:
            data = _board(self.get(path, what, **BOARD_PARAMS), path, what)
        except RemoteError as exc:
            if "API_TOO_MANY_CARDS_REQUESTED" not in exc.message:
                raise
            data = _board(self.get(path, what, **{**BOARD_PARAMS, "cards": "none"}), path, what)
            data["cards"] = self._all_cards(data["id"], what)
        if len(data.get("labels") or []) >= LABELS_DEFAULT_LIMIT:  # maybe cut short: ask for all
            data["labels"] = self.labels(data["id"], what)
        return data

    def labels(self, board_id: str, what: str) -> list[dict[str, Any]]:
        """Every label of a board (each with a string ``id``), or a RemoteError naming it."""
        return self._get_list(f"/boards/{board_id}/labels", what, "label", limit=str(PAGE))

    def _all_cards(self, board_id: str, what: str) -> list[dict[str, Any]]:
        cards: list[dict[str, Any]] = []
        params = {"limit": str(PAGE), "customFieldItems": "true", "attachments": "true"}
        while True:
            page = self._get_list(f"/boards/{board_id}/cards/all", what, "card", **params)
            cards += page
            if len(page) < PAGE:
                return cards
            params["before"] = min(card["id"] for card in page)

    def actions(self, board_id: str, since: str) -> list[dict[str, Any]]:
        """Every history entry since ``since`` (ISO date or action id), newest first."""
        found: list[dict[str, Any]] = []
        params = {"filter": ACTION_TYPES, "since": since, "limit": str(PAGE)}
        path, what = f"/boards/{board_id}/actions", f"the history of board {board_id}"
        while True:
            page = self._get_list(path, what, "history entry", **params)
            for action in page:
                if not isinstance(action.get("date", ""), str):
                    raise _misshapen("GET", path, what, "a history entry whose date is not text")
            dates = [action.get("date", "") for action in page]
            if dates != sorted(dates, reverse=True) or (
                found and dates and dates[0] > found[-1].get("date", "")
            ):
                raise SourceError(
                    f"Trello returned the history of board {board_id} out of order",
                    "report this: otg-sync relies on newest-first paging",
                )
            found += page
            if len(page) < PAGE:
                return found
            params["before"] = page[-1]["id"]


#: The parts of a board the sync reads, and the JSON type each must have when present.
BOARD_PARTS = ("cards", "lists", "labels", "checklists", "customFields", "members", "actions")


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "a number" if isinstance(value, int | float) else "text"


def _misshapen(method: str, path: str, what: str, found: str) -> RemoteError:
    """Valid JSON of the wrong shape: one line naming the request and what came instead."""
    path = path if path.startswith("/1/") else f"/1{path}"
    return RemoteError(f"Trello answered {method} {path} with {found} (reading {what})", API_FIX)


def _object(value: Any, method: str, path: str, what: str, item: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _misshapen(method, path, what, f"{_shape(value)} where a {item} belongs")
    return value


def _objects(value: Any, method: str, path: str, what: str, item: str) -> list[dict[str, Any]]:
    """A list of objects each with a string ``id``."""
    items = "history entries" if item.endswith("entry") else f"{item}s"
    if not isinstance(value, list):
        raise _misshapen(method, path, what, f"{_shape(value)} where a list of {items} belongs")
    for entry in value:
        if not isinstance(entry, dict):
            raise _misshapen(method, path, what, f"{_shape(entry)} in a list of {items}")
        if not isinstance(entry.get("id"), str):
            raise _misshapen(method, path, what, f"a {item} without an id")
    return value


def _board(value: Any, path: str, what: str) -> dict[str, Any]:
    board = _object(value, "GET", path, what, "board")
    if not isinstance(board.get("id"), str):
        raise _misshapen("GET", path, what, "an object without the board's id")
    for part in BOARD_PARTS:
        if board.get(part) is not None and not isinstance(board[part], list):
            raise _misshapen("GET", path, what, f'a board whose "{part}" is {_shape(board[part])}')
    return board


def _created(value: Any, method: str, path: str, doing: str, item: str) -> dict[str, Any]:
    """The answer to a create: the new object with its id. Anything else leaves the outcome
    unknown (the server may have made it), which the message says."""
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value
    found = "an object without an id" if isinstance(value, dict) else _shape(value)
    raise RemoteError(
        f"Trello answered {method} {path} with {found} where the new {item} belongs "
        f"({doing}): it may have been made",
        "rerun later: the next sync looks for it before making it again",
    )


def _not_acted(value: Any, method: str, path: str, doing: str, wanted: str) -> RemoteError:
    """An idempotent write answered with something other than its result: it may not have been
    made, so it is not recorded, and the next sync (reading the board afresh) makes it."""
    found = _shape(value) if not isinstance(value, dict) else "an object that does not show it"
    return RemoteError(
        f"Trello answered {method} /1{path} with {found} where {wanted} belongs ({doing}): "
        "the change may not have been made",
        "rerun later: the next sync checks the card and makes the change",
    )


def _reason(exc: ResourceUnavailable) -> str:
    # py-trello's message is "<body> at <url>"; the body is Trello's plain-text reason.
    return str(exc._msg).split(" at https://", 1)[0].strip()[:200] or "no reason given"


def _unavailable(exc: ResourceUnavailable, doing: str) -> Exception:
    status, reason = exc._status, _reason(exc)
    reading = doing.startswith("reading ")
    if reading and (status == 404 or (status == 400 and "invalid id" in reason)):
        return SourceError(
            f"Trello has no {doing.removeprefix('reading ')} that this token can see "
            f"({status} {reason})",
            "check the board id or short link (from the board's URL) and that the token's "
            "member is on the board",
        )
    if status == 429:
        return RemoteError(
            f"Trello kept answering 429 (rate limited) {doing}",
            "another tool may share this token; rerun in a minute",
        )
    if status == 403:
        return AuthError(
            f"Trello refused access {doing} (403 {reason})",
            "make sure the token's member can see and edit the board",
        )
    return RemoteError(
        f"Trello answered {status} {doing}: {reason}",
        "rerun later; nothing was changed" if reading else "rerun later",
    )

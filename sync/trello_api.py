"""The Trello API, behind one small adapter over py-trello.

py-trello (pinned 0.20.1) is barely maintained and full of N+1 traps, so only its
``TrelloClient.fetch_json`` is used: with our ``PoliteSession`` (timeouts, retries, rate limits)
and key and token sent in the ``Authorization: OAuth ...`` header, never in the URL. A whole board
is one nested request; history is paged newest first from a date.
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
        """POST a card. Not idempotent: callers record an intent first."""
        return self._call(
            "POST",
            "/cards",
            f'creating card "{name}"',
            body={"idList": list_id, "name": name, **fields},
        )

    def update_card(self, card_id: str, **fields: Any) -> dict[str, Any]:
        """PUT card fields (``idList`` moves it, ``closed`` archives it). Idempotent."""
        return self._call("PUT", f"/cards/{card_id}", f"updating card {card_id}", body=fields)

    def add_comment(self, card_id: str, text: str) -> dict[str, Any]:
        """POST a comment. Not idempotent: callers record an intent first."""
        return self._call(
            "POST",
            f"/cards/{card_id}/actions/comments",
            f"commenting on card {card_id}",
            body={"text": text},
        )

    def attachments(self, card_id: str) -> list[dict[str, Any]]:
        return self.get(f"/cards/{card_id}/attachments", f"the attachments of card {card_id}")

    def attach_link(self, card_id: str, url: str, name: str) -> dict[str, Any]:
        """POST a link attachment. Not idempotent: check ``attachments`` first."""
        return self._call(
            "POST",
            f"/cards/{card_id}/attachments",
            f"attaching a link to card {card_id}",
            body={"url": url, "name": name},
        )

    def add_label(self, card_id: str, label_id: str) -> Any:
        return self._call(
            "POST",
            f"/cards/{card_id}/idLabels",
            f"labelling card {card_id}",
            body={"value": label_id},
        )

    def create_label(self, board_id: str, name: str, color: str | None = None) -> dict[str, Any]:
        return self._call(
            "POST",
            "/labels",
            f'creating label "{name}"',
            body={"idBoard": board_id, "name": name, "color": color},
        )

    def me(self) -> dict[str, Any]:
        return self.get("/members/me", "your member profile", fields="username,fullName")

    def board(self, ref: str) -> dict[str, Any]:
        """The whole board in one request (cards paged separately only if Trello insists)."""
        what = f"board {ref}"
        try:
            data = self.get(f"/boards/{ref}", what, **BOARD_PARAMS)
        except RemoteError as exc:
            if "API_TOO_MANY_CARDS_REQUESTED" not in exc.message:
                raise
            data = self.get(f"/boards/{ref}", what, **{**BOARD_PARAMS, "cards": "none"})
            data["cards"] = self._all_cards(data["id"], what)
        if len(data.get("labels") or []) >= LABELS_DEFAULT_LIMIT:  # maybe cut short: ask for all
            data["labels"] = self.get(f"/boards/{data['id']}/labels", what, limit=str(PAGE))
        return data

    def _all_cards(self, board_id: str, what: str) -> list[dict[str, Any]]:
        cards: list[dict[str, Any]] = []
        params = {"limit": str(PAGE), "customFieldItems": "true", "attachments": "true"}
        while True:
            page = self.get(f"/boards/{board_id}/cards/all", what, **params)
            cards += page
            if len(page) < PAGE:
                return cards
            params["before"] = min(card["id"] for card in page)

    def actions(self, board_id: str, since: str) -> list[dict[str, Any]]:
        """Every history entry since ``since`` (ISO date or action id), newest first."""
        found: list[dict[str, Any]] = []
        params = {"filter": ACTION_TYPES, "since": since, "limit": str(PAGE)}
        while True:
            page = self.get(
                f"/boards/{board_id}/actions", f"the history of board {board_id}", **params
            )
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

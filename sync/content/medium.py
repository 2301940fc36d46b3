"""The Medium API client: `GET /me` and draft creation, nothing else (Medium's API has no more).

Medium can create posts but never list, read, update or delete them, and has no idempotency key:
a POST whose answer is lost may have created a draft that nothing can detect afterwards. So this
client never retries (its session has ``retries=0``, 429s included) and says, through the error
it raises, whether a failed POST surely created nothing (``MediumRefused``, ``MediumAuthError``,
``MediumRateLimit``: Medium answered with an error; ``NotSent``: no connection to Medium could be
made, or a stop ended a wait before the POST, ``Stopped``) or may have (``MediumUnknownOutcome``: a
timeout, a dropped connection, a 5xx, a 201 without the post). The token travels only in the
``Authorization: Bearer`` header, and the session redacts it from every message.
"""

from __future__ import annotations

from typing import Any

import requests

from sync.errors import AuthError, NotSent, RemoteError
from sync.http import PoliteSession, where
from sync.stopping import in_flight

API = "https://api.medium.com/v1"
REFUSED_FIX = (
    "MEDIUM_TOKEN was revoked or mistyped; Medium issues no new tokens since 2025 — "
    'without a working token, unset it (or set medium.target = "drafts") to write drafts to '
    "the drafts folder instead"
)


class MediumAuthError(AuthError):
    """Medium refused the token (HTTP 401). Nothing was created."""


class MediumRefused(RemoteError):
    """Medium answered a POST with an error (400, 403, 404): nothing was created."""


class MediumRateLimit(RemoteError):
    """HTTP 429: Medium is limiting requests. Nothing was created."""

    def __init__(self, message: str, fix: str = "", retry_after: float | None = None) -> None:
        super().__init__(message, fix)
        self.retry_after = retry_after  # seconds, when Medium said


class MediumDailyLimit(MediumRateLimit):
    """Code 1007 (with HTTP 429): Medium's daily publishing limit, about 10 posts a day."""


class MediumUnknownOutcome(RemoteError):
    """A POST whose result is unknown: the draft may exist. Never resend it automatically."""


#: What a create can fail with when it surely made nothing: Medium refused it, the token or the
#: rate limit stopped it, or it was never sent. Its intent is settled "retry", never pending.
NOTHING_MADE = (MediumRefused, MediumAuthError, MediumRateLimit, NotSent)


def medium_session(token: str, timeout: float = 20.0) -> PoliteSession:
    """A session that never retries a POST (a resent one can create a second draft); a read
    (``GET /me``) is retried like any other."""
    session = PoliteSession(
        name="Medium", timeout=timeout, retries=0, read_retries=3, secrets=[token]
    )
    session.headers.update(
        {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Accept-Charset": "utf-8",
        }
    )
    return session


def _errors(response: requests.Response) -> str:
    """Medium's ``{"errors": [{"message", "code"}]}`` as one short phrase."""
    try:
        errors = response.json().get("errors") or []
        text = "; ".join(
            f"{e.get('message', '').strip()} (code {e.get('code')})"
            for e in errors
            if isinstance(e, dict)
        )
    except (ValueError, AttributeError):
        text = ""
    return text or (response.text or "").strip()[:200] or "no reason given"


def _codes(response: requests.Response) -> set[int]:
    try:
        return {e.get("code") for e in response.json().get("errors") or [] if isinstance(e, dict)}
    except (ValueError, AttributeError):
        return set()


class MediumClient:
    """Medium's API with our session. ``posts_path()`` is where drafts are created."""

    def __init__(self, session: PoliteSession, publication_id: str = "") -> None:
        self.session = session
        self.publication_id = publication_id
        self._me: dict[str, Any] | None = None

    def me(self) -> dict[str, Any]:
        """The token's user: ``{id, username, name, url, imageUrl}``."""
        if self._me is None:
            response = self.session.get(f"{API}/me")
            if response.status_code == 401:
                raise MediumAuthError(
                    f"Medium refused MEDIUM_TOKEN: 401 {_errors(response)}", REFUSED_FIX
                )
            if response.status_code != 200:
                raise RemoteError(
                    f"Medium answered {response.status_code} to GET /me: {_errors(response)}",
                    "rerun later; nothing was created",
                )
            self._me = _profile(response)
        return self._me

    def posts_path(self) -> str:
        """``/publications/{id}/posts`` when a publication is configured, else the author's."""
        if self.publication_id:
            return f"/publications/{self.publication_id}/posts"
        return f"/users/{self.me()['id']}/posts"

    def create_draft(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST once. Returns Medium's ``data`` (``id``, ``url``, ``publishStatus``, ...)."""
        payload = {**payload, "publishStatus": "draft"}  # Medium's default would publish it
        url = f"{API}{path}"
        waiting = (
            f"waiting for Medium's answer to the draft just sent (at most "
            f"{self.session.timeout:g} s), to record it; a second signal stops now and leaves "
            "it to `otg ledger`"
        )
        try:
            with in_flight(waiting):
                response = self.session.post(url, json=payload)
        except NotSent:  # no connection could be made, or a stop came first: nothing was sent
            raise
        except RemoteError as exc:
            # "Medium: POST https://api.medium.com/v1/... timed out" (or "could not connect")
            raise MediumUnknownOutcome(exc.message, "the draft may have been created") from None
        status = response.status_code
        if status in (200, 201):
            data = self._data(response)
            if isinstance(data.get("id"), str) and isinstance(data.get("url"), str):
                return data
            raise MediumUnknownOutcome(
                f"Medium answered {status} without the new draft's id and url",
                "the draft was probably created",
            )
        reason = _errors(response)
        if status == 401:
            raise MediumAuthError(f"Medium refused MEDIUM_TOKEN: 401 {reason}", REFUSED_FIX)
        if 1007 in _codes(response):
            raise MediumDailyLimit(
                f"Medium's daily publishing limit is reached: {status} {reason}",
                "",
                _retry_after(response),
            )
        if status == 429:  # too many requests, but not the daily limit: a later run may pass
            raise MediumRateLimit(
                f"Medium is limiting requests: {status} {reason}", "", _retry_after(response)
            )
        if status >= 500:
            raise MediumUnknownOutcome(
                f"Medium answered {status} to POST {where(url)}: {reason}",
                "the draft may have been created",
            )
        fix = (
            "check medium.publication_id, and that the token's user writes for that publication"
            if self.publication_id and status in (403, 404)
            else "nothing was created; fix the card and sync again"
        )
        raise MediumRefused(f"Medium refused the draft: {status} {reason}", fix)

    @staticmethod
    def _data(response: requests.Response) -> dict[str, Any]:
        """Medium's ``{"data": {...}}``, or ``{}`` when the answer is not that."""
        try:
            body = response.json()
        except ValueError:
            return {}
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, dict) else {}


_NOT_MEDIUM = (
    "rerun later; if it persists, check that nothing (a proxy, a captive portal) answers in "
    "Medium's place; nothing was created"
)


def _profile(response: requests.Response) -> dict[str, Any]:
    """The user in a 200 answer to GET /me. Not JSON at all (a proxy's or a portal's page) and
    JSON of another shape (``{"data": []}``) are told apart: they point to different causes."""
    try:
        body = response.json()
    except ValueError:
        raise RemoteError(
            "Medium answered GET /me with something that is not JSON", _NOT_MEDIUM
        ) from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise RemoteError(
            'Medium answered GET /me with JSON of the wrong shape (no "data" object with '
            "your user id)",
            _NOT_MEDIUM,
        )
    return data


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None

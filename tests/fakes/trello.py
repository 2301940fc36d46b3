"""A stateful fake of the Trello REST API for tests, served through ``responses``.

:class:`FakeTrello` answers ``https://api.trello.com/1/...`` like the real service: OAuth-header
(or query-parameter) auth with the real 401 texts, the CDN's 403 for a GET with a body, per-token
and per-key rate limits with the ``x-rate-limit-*`` headers and 429 JSON, 400 ``invalid id`` /
404 texts, and board state that writes change and later reads (and the action log) reflect.
Faults can be injected before a request is handled (:meth:`FakeTrello.fail_next`) or after a
write was applied (:meth:`FakeTrello.fail_after_apply`). Every request is recorded.

Typical use::

    fake = FakeTrello(clock=FakeClock())
    fake.add_board(synthetic_board(50))
    with fake.running():
        ...  # code under test, talking to Trello with requests
    assert not fake.secrets_in_urls
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import requests
import responses

from tests.fakes import trello_card_extras as extras
from tests.fakes import trello_reads as reads
from tests.fakes import trello_writes as writes
from tests.fakes.trello_state import TrelloState
from tests.fakes.trello_support import (
    FakeClock,
    Fault,
    RecordedRequest,
    make_exception,
    parse_body,
    path_matches,
    take_fault,
)
from tests.fakes.trello_wire import CDN_403_PAGE, JSON, TEXT, ApiError, Call

__all__ = ["BASE_URL", "DEFAULT_KEY", "DEFAULT_TOKEN", "FakeClock", "FakeTrello", "RecordedRequest"]

BASE_URL = "https://api.trello.com/1"
DEFAULT_KEY = "0123456789abcdef0123456789abcdef"
DEFAULT_TOKEN = "ATTA" + "0f1e2d3c4b5a6978" * 4 + "a1b2c3d4"  # 76 characters in all
DEFAULT_MEMBER = {
    "id": "5c0ffee0c0ffee0c0ffee001",
    "username": "otgsyncbot",
    "fullName": "OTG Sync Bot",
}

INTERVAL_S = 10.0
RATE_LIMITED = {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
TOKEN_LIMIT = 100
KEY_LIMIT = 300

Handler = Callable[[TrelloState, Call], Any]
_ID = r"([^/?#]+)"
#: (method, path under /1/, handler). Optional groups stand for ``/{filter}`` suffixes.
ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", rf"boards/{_ID}", reads.get_board),
    ("GET", rf"boards/{_ID}/cards(?:/([a-z]+))?", reads.get_board_cards),
    ("GET", rf"boards/{_ID}/actions", reads.get_board_actions),
    ("GET", rf"boards/{_ID}/labels", reads.get_board_labels),
    ("GET", rf"boards/{_ID}/lists(?:/([a-z]+))?", reads.get_board_lists),
    ("GET", rf"boards/{_ID}/customFields", reads.get_board_custom_fields),
    ("GET", rf"boards/{_ID}/checklists", reads.get_board_checklists),
    ("GET", r"members/me", reads.get_me),
    ("GET", rf"cards/{_ID}", reads.get_card),
    ("GET", rf"cards/{_ID}/attachments", reads.get_card_attachments),
    ("GET", rf"cards/{_ID}/checklists", reads.get_card_checklists),
    ("GET", rf"cards/{_ID}/actions", reads.get_card_actions),
    ("POST", r"cards", writes.create_card),
    ("PUT", rf"cards/{_ID}", writes.update_card),
    ("DELETE", rf"cards/{_ID}", writes.delete_card),
    ("POST", rf"cards/{_ID}/actions/comments", extras.add_comment),
    ("POST", rf"cards/{_ID}/attachments", extras.add_attachment),
    ("POST", rf"cards/{_ID}/idLabels", extras.add_label_to_card),
    ("POST", r"labels", extras.create_label),
    ("PUT", rf"cards/{_ID}/customField/{_ID}/item", extras.set_custom_field),
]


class FakeTrello:
    """The fake Trello service (see the module docstring)."""

    def __init__(
        self,
        key: str = DEFAULT_KEY,
        token: str = DEFAULT_TOKEN,
        clock: Callable[[], float] | None = None,
        member: dict[str, Any] | None = None,
    ) -> None:
        self.key = key
        self.token = token
        self._clock = clock or time.monotonic
        self._start = self._clock()
        self.state = TrelloState(
            lambda: self._clock() - self._start, dict(member or DEFAULT_MEMBER)
        )
        self._tokens = {token}
        self._revoked: set[str] = set()
        self._windows: dict[tuple[str, str], deque[float]] = {}
        self._worst_window = 0
        self._faults: list[Fault] = []
        self._after_faults: list[Fault] = []
        #: Every request received, oldest first.
        self.requests: list[RecordedRequest] = []
        #: Set when ``key``/``token`` ever arrived as query parameters (or a token in a URL).
        self.secrets_in_urls = False

    # ------------------------------------------------------------------ setup
    @property
    def max_nested_cards(self) -> int | None:
        """Boards with more cards answer ``API_TOO_MANY_CARDS_REQUESTED`` to nested loads."""
        return self.state.max_nested_cards

    @max_nested_cards.setter
    def max_nested_cards(self, value: int | None) -> None:
        self.state.max_nested_cards = value

    def add_board(self, export: dict[str, Any]) -> None:
        """Store a deep copy of a board export (addressable by id and by shortLink)."""
        self.state.add_board(export)

    def export(self, board_id: str) -> dict[str, Any]:
        """A deep copy of a board's current state, in export format."""
        return copy.deepcopy(self.state.board(board_id).board)

    def card(self, card_id: str) -> dict[str, Any] | None:
        """A deep copy of a card's current state (with attachments etc.), or None if absent."""
        found = self.state.card_index.get(card_id)
        return copy.deepcopy(found[1]) if found else None

    def add_token(self, token: str) -> None:
        """Accept another token for the same key (each has its own rate-limit window)."""
        self._tokens.add(token)

    def revoke_token(self, token: str | None = None) -> None:
        """Later requests with this token (default: the main one) get 401 ``invalid token``."""
        self._revoked.add(token or self.token)

    def install(self, rsps: responses.RequestsMock) -> None:
        """Register one regex callback per route on ``rsps``."""
        for method, path, handler in ROUTES:
            url = re.compile(re.escape(BASE_URL) + "/" + path + r"/?(?:\?.*)?$")
            route = re.compile("/1/" + path + "/?")
            rsps.add_callback(method, url, callback=partial(self._handle, route, handler))

    @contextmanager
    def running(self) -> Iterator[responses.RequestsMock]:
        """Activate a ``responses`` mock with this fake installed; yields the mock so a test can
        add other services' responses to it."""
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            self.install(rsps)
            yield rsps

    # ------------------------------------------------------------------ faults
    def fail_next(
        self,
        method: str | None,
        path_regex: str,
        status: int = 500,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        exception: BaseException | type[BaseException] | None = None,
    ) -> None:
        """The next ``times`` requests whose method matches (None = any) and whose path
        *fully* matches ``path_regex`` (e.g. ``/1/cards`` or ``/1/boards/.*``) get this answer
        (a dict/list body, or a string holding JSON, is sent as JSON) or raise ``exception``,
        before auth, rate limiting or any state change. Injected answers do not count toward
        the rate-limit windows. A 429 answers as Trello's does: its JSON error (by default
        ``API_TOKEN_LIMIT_EXCEEDED``), and rate-limit headers saying that no request is left in
        the exceeded scope."""
        method = method.upper() if method else None
        if body is None:  # Trello's own words for the status
            body = RATE_LIMITED if status == 429 else "Internal Server Error"
        self._faults.append(
            Fault(
                method, re.compile(path_regex), times, status, body, dict(headers or {}), exception
            )
        )

    def fail_after_apply(
        self,
        method: str | None,
        path_regex: str,
        exception: BaseException | type[BaseException] | None = None,
        times: int = 1,
        *,
        body: Any = None,
    ) -> None:
        """The next matching request(s) are handled normally (state changed, action logged),
        then ``exception`` is raised instead of the response: a reply lost in transit. With
        ``body`` instead: Trello answers 200 with it (valid JSON of the wrong shape, say; a
        string is sent as JSON text)."""
        assert (exception is None) != (body is None), "an exception or a body"
        method = method.upper() if method else None
        self._after_faults.append(
            Fault(method, re.compile(path_regex), times, 200, body, exception=exception)
        )

    def as_a_user(self, method: str, path: str, **body: Any) -> Any:
        """A request as someone using Trello's web app makes it (``path`` after ``/1``), through
        this fake while it is running. Asserts it succeeded; returns the JSON answer."""
        response = requests.request(
            method,
            f"https://api.trello.com/1{path}",
            json=body or None,
            headers={
                "Authorization": f'OAuth oauth_consumer_key="{self.key}", '
                f'oauth_token="{self.token}"'
            },
            timeout=5,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def clear_faults(self) -> None:
        """Forget every fault not yet served: the service is well again."""
        self._faults.clear()
        self._after_faults.clear()

    def pending_faults(self) -> list[str]:
        """Descriptions of injected faults not yet triggered."""
        faults = self._faults + self._after_faults
        return [f"{f.method} {f.path.pattern} x{f.times}" for f in faults]

    # ------------------------------------------------------------------ inspection
    def count(self, method: str | None = None, path: str | re.Pattern[str] | None = None) -> int:
        """Requests seen with this method and path: a string matches as a prefix or as a
        full regex match; a compiled pattern is searched."""
        wanted = method.upper() if method else None
        return sum(
            1
            for r in self.requests
            if r.method == (wanted or r.method) and path_matches(path, r.path)
        )

    def writes(self) -> list[RecordedRequest]:
        """The non-GET requests received, oldest first."""
        return [r for r in self.requests if r.method != "GET"]

    def max_requests_in_window(self) -> int:
        """The most accepted requests any single token had in one 10-second window."""
        return self._worst_window

    # ------------------------------------------------------------------ handling
    def _handle(
        self, route: re.Pattern[str], handler: Handler, request: requests.PreparedRequest
    ) -> tuple[int, dict[str, str], str]:
        """The ``responses`` callback: record, inject faults, check CDN/auth/rate limits,
        then run the route handler."""
        method = (request.method or "GET").upper()
        split = urlsplit(request.url or "")
        path = unquote(split.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        raw = request.body
        body = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        headers = {
            k: v.decode("latin-1") if isinstance(v, bytes) else v
            for k, v in request.headers.items()
        }
        record = RecordedRequest(method, path, query, headers, body or None, request.url or "")
        self.requests.append(record)
        key, token = self._credentials(record)

        fault = take_fault(self._faults, method, path)
        if fault is not None:
            if fault.exception is not None:
                raise make_exception(fault.exception, request, f"{method} {path}")
            if fault.status == 429:
                return self._limited(record, fault.body, key, token, fault.headers)
            return self._reply(record, fault.status, fault.body, key, token, fault.headers)
        if method == "GET" and body:
            return self._reply(record, 403, CDN_403_PAGE, key, token, {"Content-Type": "text/html"})
        if key != self.key:
            return self._reply(record, 401, "invalid key", key, token)
        if token is None or token not in self._tokens or token in self._revoked:
            return self._reply(record, 401, "invalid token", key, token)
        if (limited := self._admit(key, token)) is not None:
            error = {"error": limited, "message": "Rate limit exceeded"}
            return self._limited(record, error, key, token)

        after = take_fault(self._after_faults, method, path)
        try:
            matched = route.fullmatch(path)
            if matched is None:  # e.g. a %2F inside an id
                raise ApiError(400, "invalid id")
            call = Call(
                method,
                path,
                tuple(g or "" for g in matched.groups()),
                query,
                parse_body(request, body),
            )
            status, answer = 200, handler(self.state, call)
            extra = {}
        except ApiError as error:
            status, answer, extra = error.status, error.body, {"Content-Type": error.content_type}
        if after is not None and after.exception is None:  # a JSON text ("null") is JSON
            kind = {"Content-Type": JSON} if isinstance(after.body, str) else {}
            return self._reply(record, after.status, after.body, key, token, kind)
        if after is not None:
            record.status = None
            raise make_exception(after.exception, request, f"{method} {path}")
        return self._reply(record, status, answer, key, token, extra)

    def _credentials(self, record: RecordedRequest) -> tuple[str | None, str | None]:
        """Key and token from the OAuth header, else from query params (flagging the leak)."""
        if (
            "key" in record.params
            or "token" in record.params
            or any(t in record.url for t in self._tokens)
        ):
            self.secrets_in_urls = True
        header = next((v for k, v in record.headers.items() if k.lower() == "authorization"), "")
        if header.strip().lower().startswith("oauth"):
            pairs = re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))', header.strip()[5:])
            values = {name: unquote(quoted or bare) for name, quoted, bare in pairs}
            return values.get("oauth_consumer_key"), values.get("oauth_token")
        return record.params.get("key"), record.params.get("token")

    def _window(self, scope: str, ident: str | None) -> deque[float]:
        """Accepted request times for one token/key within the last 10 fake seconds."""
        window = self._windows.setdefault((scope, ident or ""), deque())
        cutoff = self._clock() - INTERVAL_S
        while window and window[0] <= cutoff:
            window.popleft()
        return window

    def _admit(self, key: str, token: str) -> str | None:
        """Count the request against both windows, or name the limit it would exceed."""
        token_window, key_window = self._window("token", token), self._window("key", key)
        if len(token_window) >= TOKEN_LIMIT:
            return "API_TOKEN_LIMIT_EXCEEDED"
        if len(key_window) >= KEY_LIMIT:
            return "API_KEY_LIMIT_EXCEEDED"
        now = self._clock()
        token_window.append(now)
        key_window.append(now)
        self._worst_window = max(self._worst_window, len(token_window))
        return None

    def _limited(
        self,
        record: RecordedRequest,
        body: Any,
        key: str | None,
        token: str | None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """A 429 as Trello sends it: the JSON error, and none left in the exceeded scope."""
        if isinstance(body, str):
            with contextlib.suppress(ValueError):
                body = json.loads(body)
        scope = "key" if "API_KEY_LIMIT" in json.dumps(body) else "token"
        spent = {f"x-rate-limit-api-{scope}-remaining": "0"}
        return self._reply(record, 429, body, key, token, {**spent, **(headers or {})})

    def _reply(
        self,
        record: RecordedRequest,
        status: int,
        body: Any,
        key: str | None,
        token: str | None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """Serialise an answer and add the rate-limit headers every Trello response carries."""
        if isinstance(body, dict | list):
            text, content_type = json.dumps(body, separators=(",", ":")), JSON
        else:
            text, content_type = str(body), TEXT
        out = {"Content-Type": content_type}
        for scope, ident, limit in (("token", token, TOKEN_LIMIT), ("key", key, KEY_LIMIT)):
            used = len(self._window(scope, ident)) if ident else 0
            out[f"x-rate-limit-api-{scope}-max"] = str(limit)
            out[f"x-rate-limit-api-{scope}-remaining"] = str(max(0, limit - used))
            out[f"x-rate-limit-api-{scope}-interval-ms"] = str(int(INTERVAL_S * 1000))
        out.update(headers or {})
        record.status = status
        return status, out, text

"""Faults at the transport, for every service the sync talks to (Trello, Medium, CalDAV, RSS).

:class:`FaultInjector` wraps ``requests.Session.send`` for our own sessions only (a
``PoliteSession``, told apart by its ``name``: "Trello", "Medium", "CalDAV", "RSS"), so the same
table of faults works for the ``responses`` fakes and for the real Radicale server alike, and a
test's own helpers (plain ``requests``) are never touched. Each :class:`Fault` hits the requests
of one service whose method matches and whose URL path the regex finds (``method=None`` and
``path=""``: every request to the service), after letting ``skip`` of them through ("halfway
through a run"), ``times`` times (:data:`FOREVER`: for the rest of the run). What it does:

========================  =====================================================================
``timeout``               a read timeout; the request never reached the server
``timeout-after``         the server did it, then the answer never came (a read timeout)
``reset``                 the connection was reset before the server saw the request
``reset-after``           the server did it, then the connection was reset (the answer is lost)
``reset-mid-body``        the server did it, then the connection broke halfway through the body
``status``                the server answered ``status`` with ``body`` and did nothing
``truncated``             the server did it, and its answer was cut off halfway
``not-json``              a proxy's HTML page with 200; the request never reached the server
``not-json-after``        the server did it, and a proxy turned its answer into an HTML page
``wrong-shape``           the server did it, and answered with its status and ``body``: valid
                          JSON of the wrong shape (``[]`` where an object belongs, an object
                          without the ``id``, ``{"error": ...}``), sent as ``application/json``
``wrong-shape-before``    the server did nothing, and answered 200 with ``body``: valid JSON of
                          the wrong shape (a proxy or a broken deploy), as ``application/json``
``late``                  a read timeout; the server does it later, when the test calls
                          ``FaultInjector.land()`` (a write that lands after the client gave up)
``401``                   the server refused the credentials (each service's own words)
========================  =====================================================================

Answers made up here look like the service's own: every Trello answer carries Trello's
``x-rate-limit-api-{token,key}-{max,remaining,interval-ms}`` headers (a 429's say no request is
left in the exceeded scope), and a JSON body (Trello's 429, Medium's errors) is sent as
``application/json``, never as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from requests.structures import CaseInsensitiveDict

KINDS = (
    "timeout",
    "timeout-after",
    "reset",
    "reset-after",
    "reset-mid-body",
    "status",
    "truncated",
    "not-json",
    "not-json-after",
    "wrong-shape",
    "wrong-shape-before",
    "late",
    "401",
)
FOREVER = 10**9  # ``times`` for a fault that lasts the rest of the run
#: Trello's rate limits (reference/trello.md): requests per interval, per token and per key.
TRELLO_LIMITS = {"token": 100, "key": 300}
TRELLO_INTERVAL_MS = 10_000
REFUSED = {
    "Trello": ("invalid token", "text/plain; charset=utf-8"),
    "Medium": (
        json.dumps({"errors": [{"message": "Token was invalid.", "code": 6003}]}),
        "application/json",
    ),
    "CalDAV": ("Access to the requested resource forbidden.", "text/plain"),
    "RSS": ("Unauthorized", "text/plain"),
}
PROXY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>upstream down</body></html>"


@dataclass
class Fault:
    service: str  # the session's name: Trello, Medium, CalDAV, RSS
    method: str | None  # None: any method
    path: str  # a regex searched in the URL's path
    kind: str
    times: int = 1
    skip: int = 0  # matching requests let through first
    status: int = 500
    body: str = "Internal Server Error"
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0  # requests it changed
    held: list[Any] = field(default_factory=list)  # "late": the sends still to land

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind

    def matches(self, service: str, request: requests.PreparedRequest) -> bool:
        return (
            service == self.service
            and (self.method is None or request.method == self.method)
            and re.search(self.path, urlsplit(request.url or "").path) is not None
        )


class FaultInjector:
    """Install with :meth:`installed`; add faults with :meth:`add`; :meth:`clear` heals."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.seen: list[tuple[str, str, str]] = []  # (service, method, path) of our requests

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def land(self) -> int:
        """The "late" writes reach the server now. Returns how many did."""
        sends = [send for fault in self.faults for send in fault.held]
        for fault in self.faults:
            fault.held.clear()
        for send in sends:
            send()
        return len(sends)

    @contextmanager
    def installed(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultInjector]:
        real_send = requests.Session.send
        injector = self

        def send(session: requests.Session, request: requests.PreparedRequest, **kwargs: Any):
            service = getattr(session, "name", None)
            if service is None:  # not one of ours
                return real_send(session, request, **kwargs)
            injector.seen.append((service, request.method or "", urlsplit(request.url).path))
            fault = injector._take(service, request)
            if fault is None:
                return real_send(session, request, **kwargs)
            return _apply(fault, service, request, lambda: real_send(session, request, **kwargs))

        monkeypatch.setattr(requests.Session, "send", send)
        try:
            yield self
        finally:
            monkeypatch.setattr(requests.Session, "send", real_send)

    def _take(self, service: str, request: requests.PreparedRequest) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.matches(service, request):
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                fault.times -= 1
                fault.hits += 1
                return fault
        return None


def _apply(fault: Fault, service: str, request: requests.PreparedRequest, send) -> Any:
    what = f"injected for {request.method} {urlsplit(request.url).path}"
    kind = fault.kind
    if kind == "timeout":
        raise requests.ReadTimeout(f"read timed out ({what})", request=request)
    if kind == "reset":
        raise requests.ConnectionError(
            ConnectionResetError(104, f"Connection reset by peer ({what})"), request=request
        )
    if kind == "status":
        headers = {**_service_headers(service, fault.status, fault.body), **fault.headers}
        return _response(request, fault.status, fault.body, headers)
    if kind == "not-json":  # a proxy's page: none of the service's headers
        return _response(request, 200, PROXY_PAGE, {"Content-Type": "text/html"})
    if kind == "late":  # the server will do it, after the client gave up
        fault.held.append(send)
        raise requests.ReadTimeout(f"read timed out ({what})", request=request)
    if kind == "wrong-shape-before":  # the server never saw it
        json.loads(fault.body)
        headers = {**_service_headers(service, 200, fault.body), **fault.headers}
        headers["Content-Type"] = "application/json; charset=utf-8"
        return _response(request, 200, fault.body, headers)
    if kind == "401":
        body, content_type = REFUSED[service]
        headers = {**_service_headers(service, 401, body), "Content-Type": content_type}
        return _response(request, 401, body, headers)
    response = send()  # the server does it ...
    if kind == "timeout-after":
        raise requests.ReadTimeout(f"read timed out ({what})", request=request)
    if kind == "reset-after":
        raise requests.ConnectionError(
            ConnectionResetError(104, f"Connection reset by peer ({what})"), request=request
        )
    if kind == "reset-mid-body":
        raise requests.exceptions.ChunkedEncodingError(
            f"Connection broken: IncompleteRead ({what})", request=request
        )
    if kind == "not-json-after":
        response.headers["Content-Type"] = "text/html"
        response._content = PROXY_PAGE.encode("utf-8")
        return response
    if kind == "wrong-shape":
        json.loads(fault.body)  # valid JSON, by definition of the fault
        response.headers["Content-Type"] = "application/json; charset=utf-8"
        response.headers.pop("Content-Length", None)
        response._content = fault.body.encode("utf-8")
        return response
    assert kind == "truncated"
    response._content = response.content[: len(response.content) // 2]
    return response


def _service_headers(service: str, status: int, body: str) -> dict[str, str]:
    """What the service itself puts on an answer: a JSON body's type, and Trello's rate-limit
    headers (after a 429, none left in the scope its error names)."""
    headers = {}
    try:
        json.loads(body)
    except ValueError:
        pass
    else:
        headers["Content-Type"] = "application/json; charset=utf-8"
    if service == "Trello":
        exceeded = "key" if "API_KEY_LIMIT" in body else "token"
        for scope, limit in TRELLO_LIMITS.items():
            left = 0 if status == 429 and scope == exceeded else limit // 2
            headers[f"x-rate-limit-api-{scope}-max"] = str(limit)
            headers[f"x-rate-limit-api-{scope}-remaining"] = str(left)
            headers[f"x-rate-limit-api-{scope}-interval-ms"] = str(TRELLO_INTERVAL_MS)
    return headers


def _response(
    request: requests.PreparedRequest, status: int, body: str, headers: dict[str, str]
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.reason = HTTPStatus(status).phrase
    response.headers = CaseInsensitiveDict({"Content-Type": "text/plain", **headers})
    response._content = body.encode("utf-8")
    response.encoding = "utf-8"
    response.url = request.url or ""
    response.request = request
    return response

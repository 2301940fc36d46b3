"""Transport-level helpers of the fake Trello API: the manual clock, request records, injected
faults, and request parsing. See :mod:`tests.fakes.trello` for the fake itself."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import requests

from tests.fakes.trello_wire import ApiError


class FakeClock:
    """A manual clock: pass it as ``clock=`` to the fake and ``sleep=clock.sleep`` to the code
    under test, so back-off waits advance fake time instead of real time."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        #: Every duration passed to :meth:`sleep`, in order.
        self.sleeps: list[float] = []

    def now(self) -> float:
        """Current fake time in seconds."""
        return self._now

    __call__ = now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += seconds

    def sleep(self, seconds: float) -> None:
        """Record the sleep and advance the clock by it (a negative duration advances nothing)."""
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))


@dataclass
class RecordedRequest:
    """One request the fake received. ``status`` is the answer (None when it raised)."""

    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: str | None
    url: str
    status: int | None = None

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body or "null")


@dataclass
class Fault:
    """One injected fault: which requests it hits, how often, and what happens instead."""

    method: str | None
    path: re.Pattern[str]
    times: int
    status: int = 500
    body: Any = ""
    headers: dict[str, str] = field(default_factory=dict)
    exception: BaseException | type[BaseException] | None = None

    def matches(self, method: str, path: str) -> bool:
        """Method equal (None or ``*`` = any) and the path a full regex match."""
        return self.method in (None, "*", method) and self.path.fullmatch(path) is not None


def path_matches(wanted: str | re.Pattern[str] | None, path: str) -> bool:
    """A string matches as a prefix or a full regex match; a compiled pattern is searched."""
    if wanted is None:
        return True
    if isinstance(wanted, re.Pattern):
        return wanted.search(path) is not None
    if path.startswith(wanted):
        return True
    try:
        return re.fullmatch(wanted, path) is not None
    except re.error:
        return False


def take_fault(faults: list[Fault], method: str, path: str) -> Fault | None:
    """Pop one use of the first fault matching the request."""
    for fault in faults:
        if fault.matches(method, path):
            fault.times -= 1
            if fault.times <= 0:
                faults.remove(fault)
            return fault
    return None


def make_exception(
    exception: BaseException | type[BaseException] | None,
    request: requests.PreparedRequest,
    what: str,
) -> BaseException:
    """An exception instance; requests' exceptions get the request attached, as requests does."""
    if isinstance(exception, BaseException):
        return exception
    if exception is None:
        return RuntimeError(f"fake Trello: no exception configured for {what}")
    if issubclass(exception, requests.RequestException):
        return exception(f"fake Trello: injected {exception.__name__} for {what}", request=request)
    return exception(f"fake Trello: injected {exception.__name__} for {what}")


def parse_body(request: requests.PreparedRequest, body: str | None) -> dict[str, Any]:
    """A JSON object or form-encoded body as a dict (400 for malformed JSON)."""
    if not body:
        return {}
    content_type = request.headers.get("Content-Type", "")
    if "json" in content_type:
        try:
            parsed = json.loads(body)
        except ValueError:
            raise ApiError(400, "invalid JSON") from None
        if not isinstance(parsed, dict):
            raise ApiError(400, "invalid JSON")
        return parsed
    if "x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(body, keep_blank_values=True))
    return {}

"""The one place for HTTP sessions: timeouts, retries, rate limits and redaction.

Every request to a remote service goes through a ``PoliteSession``:

- every request has a timeout;
- reads (GET/HEAD) are retried with exponential backoff and jitter on connection errors,
  timeouts and 5xx; any request is retried on 429, because a 429 means the server did nothing;
- a client-side sliding window keeps us under the service's rate limit (Trello: 100 requests per
  10 s per token), and the server's own ``x-rate-limit-*`` headers pause us when it says so;
- failures surface as ``RemoteError`` whose text holds no secret and no query string.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections import Counter, deque
from collections.abc import Iterable
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from sync import __version__
from sync.errors import NotSent, RemoteError, Stopped, TimedOut
from sync.overload import TRIP_AFTER, TRIPPED  # the breakers' record, apart (sync/overload.py)
from sync.redaction import RedactingFilter as RedactingFilter  # still found here
from sync.redaction import redact as redact
from sync.stopping import pause_unless_stopped, stop_requested
from sync.text import one_line

log = logging.getLogger(__name__)

#: Who is asking, on every request: the services' logs (and their operators) can tell us apart.
USER_AGENT = f"otg-sync/{__version__} (+https://github.com/oneteamgov/otg-sync)"
READS = frozenset({"GET", "HEAD", "OPTIONS", "PROPFIND", "REPORT"})
MAX_BACKOFF = 60.0
#: The network failing under a request: no answer, or an answer cut off on the way (a connection
#: reset while the body arrives is a ChunkedEncodingError, a garbled gzip a ContentDecodingError).
TRANSPORT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def never_connected(exc: BaseException) -> bool:
    """Whether a transport error surely came before any byte of the request was sent: the
    connection itself could not be made (a name that does not resolve, a refused or unreachable
    address, a connect timeout: urllib3 raises ``NewConnectionError`` or ``ConnectTimeoutError``
    only from opening the socket, and requests is set not to retry). A broken kept-alive
    connection, a proxy or TLS failure and a read timeout may come after the request went out:
    they are not counted here."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if type(exc) is not requests.ConnectionError or not exc.args:
        return False
    reason = getattr(exc.args[0], "reason", None)  # the MaxRetryError requests wraps
    return isinstance(reason, NewConnectionError)


class CircuitOpen(NotSent):
    """A request not sent because its service answered too many in a row with 429 or 5xx."""


def monotonic() -> float:
    """The clock the sessions use; tests replace it (``monkeypatch.setattr``)."""
    return time.monotonic()


def pause(seconds: float) -> None:
    """How sessions wait (waking at once when a stop is requested); tests replace it so that
    backoff costs no real time."""
    pause_unless_stopped(seconds)


def where(url: str) -> str:
    """A URL fit for messages: scheme, host and path, never the query string, the fragment or
    a user name and password (``https://user:pass@host``)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[x"
        return "(a URL that cannot be read)"
    if not parts.scheme and not parts.netloc:  # a path to a file: said as it is
        return one_line(parts.path)
    host = parts.netloc.rpartition("@")[2]
    return one_line(f"{parts.scheme}://{host}{parts.path}")


class SlidingWindow:
    """At most ``limit`` requests in any ``interval`` seconds."""

    def __init__(self, limit: int, interval: float) -> None:
        self.limit = limit
        self.interval = interval
        self._sent: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        while self._sent and self._sent[0] <= now - self.interval:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            return 0.0
        return self._sent[0] + self.interval - now

    def record(self, now: float) -> None:
        self._sent.append(now)


#: The windows of this process, by what the limit is counted against (a Trello token).
_WINDOWS: dict[str, SlidingWindow] = {}


def shared_window(key: str, limit: int, interval: float) -> SlidingWindow:
    """The one window for ``key`` in this process. A service counts its limit per credential,
    not per connection: `otg jobs run` catching up runs several jobs back to back, each with its
    own session, and together they must stay within the limit. ``key`` is hashed, never kept."""
    digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
    return _WINDOWS.setdefault(digest, SlidingWindow(limit, interval))


class PoliteSession(requests.Session):
    """A ``requests.Session`` with timeouts, retries, rate limiting and counting."""

    def __init__(
        self,
        *,
        name: str,
        timeout: float = 20.0,
        retries: int = 4,
        window: SlidingWindow | None = None,
        secrets: Iterable[str] = (),
        read_retries: int | None = None,
    ) -> None:
        super().__init__()
        self.name = name
        self.timeout = timeout
        self.retries = retries
        #: reads may be retried more than writes (Medium: never a POST, a GET like any other)
        self.read_retries = retries if read_retries is None else read_retries
        self.window = window
        self.secrets = [s for s in secrets if s]
        self.sent = 0  # requests that reached the wire, retries included
        self.sent_by_method: Counter[str] = Counter()
        self.overloaded = 0  # 429 or 5xx answers in a row
        self.circuit_open = False
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method: str, url: str, *args, **kwargs) -> requests.Response:  # type: ignore[override]
        method = method.upper()
        kwargs.setdefault("timeout", self.timeout)
        retries = self.read_retries if method in READS else self.retries
        headers = kwargs.get("headers") or {}
        if any(name.lower() == "user-agent" for name in headers):  # py-trello sends its own
            kwargs["headers"] = {
                **{k: v for k, v in headers.items() if k.lower() != "user-agent"},
                "User-Agent": self.headers["User-Agent"],
            }
        attempt = 0
        while True:
            if self.circuit_open:
                raise CircuitOpen(
                    f"{self.name}: {method} {where(url)} not sent: {self.name} answered "
                    f"{TRIP_AFTER} requests in a row with 429 or 5xx, so it is left alone "
                    "for the rest of this run",
                    "the next run tries again; nothing was sent",
                )
            self._respect_window(method, url)
            try:
                response = super().request(method, url, *args, **kwargs)
            except TRANSPORT_ERRORS as exc:
                self._count(method)
                if method in READS and attempt < retries:
                    attempt += 1
                    self._backoff(attempt, f"{type(exc).__name__}", method, url)
                    continue
                kind = (
                    "timed out"
                    if isinstance(exc, requests.Timeout)
                    else "could not connect"
                    if isinstance(exc, requests.ConnectionError)
                    else "was cut off: the connection broke during the answer"
                )
                # A write may have reached the service before the connection failed: the next
                # run looks for what it made (a card's marker, an event's UID, an intent) first.
                # One that never got a connection surely did not.
                unsent = never_connected(exc)
                after = (
                    "nothing was lost"
                    if method in READS
                    else "nothing was sent"
                    if unsent
                    else "if it was made after all, the next run finds it and does not repeat it"
                )
                error = (
                    NotSent
                    if unsent
                    else TimedOut
                    if isinstance(exc, requests.Timeout)
                    else RemoteError
                )
                raise error(
                    f"{self.name}: {method} {where(url)} {kind}",
                    f"check the network and rerun; {after}",
                ) from None
            except (requests.RequestException, ValueError) as exc:
                # Not sent, or no usable answer (a redirect loop). The library's own message may
                # quote a header, credentials and all, so only its kind is passed on.
                raise RemoteError(
                    f"{self.name}: {method} {where(url)} failed ({type(exc).__name__})",
                    "check this service's URL and secrets in the config and environment "
                    "(a value with a line break in it, say)",
                ) from None
            self._count(method)
            pause_for = self._server_pause(response)
            opened = self._trips(response.status_code)  # no retry once the circuit opens
            if response.status_code == 429 and attempt < retries and not opened:
                attempt += 1
                self._backoff(attempt, "429 rate limited", method, url, max(pause_for, 10.0))
                continue
            if response.status_code >= 500 and method in READS and attempt < retries and not opened:
                attempt += 1
                self._backoff(attempt, f"HTTP {response.status_code}", method, url)
                continue
            if pause_for:  # a stop cuts this short; the answer is still the caller's
                log.info("%s: rate limit nearly used up; pausing %.1fs", self.name, pause_for)
                pause(pause_for)
            self._redact_error_page(response)
            return response

    def _trips(self, status: int) -> bool:
        """Count 429 and 5xx answers in a row; at ``TRIP_AFTER`` the circuit opens (this answer
        is the caller's, no retry follows, and no later request is sent this run)."""
        self.overloaded = self.overloaded + 1 if status == 429 or status >= 500 else 0
        if self.overloaded < TRIP_AFTER or self.circuit_open:
            return False
        self.circuit_open = True
        line = (
            f"{self.name}: answered {TRIP_AFTER} requests in a row with 429 or 5xx (last: "
            f"{status}); nothing more was sent to it this run — the next run resumes"
        )
        log.info("%s", line)  # the report says it, once
        TRIPPED.append(line)
        return True

    def _redact_error_page(self, response: requests.Response) -> None:
        """An error page that quotes our credentials back (a misconfigured proxy may) would carry
        them into messages, logs and the run history: they are cut out of its body here, once,
        for every client."""
        if response.status_code < 400 or not self.secrets:
            return
        body = response.content or b""
        for secret in self.secrets:
            if len(secret) >= 4:
                body = body.replace(secret.encode("utf-8"), b"***")
        response._content = body

    def _count(self, method: str) -> None:
        self.sent += 1
        self.sent_by_method[method] += 1

    @property
    def writes(self) -> int:
        """Requests sent that may have changed something on the server."""
        return sum(n for method, n in self.sent_by_method.items() if method not in READS)

    def _respect_window(self, method: str, url: str) -> None:
        if self.window is None:
            return
        wait = self.window.wait_time(monotonic())
        if wait > 0:
            log.debug("%s: pacing requests, waiting %.2fs", self.name, wait)
            self._wait(wait, f"sending {method} {where(url)}")
        self.window.record(monotonic())

    def _wait(self, seconds: float, before: str) -> None:
        """Wait before a request; a stop requested meanwhile ends the wait and the request is not
        sent (a 429 means the server did nothing, so a write is not sent either)."""
        pause(seconds)
        if stop_requested():
            raise Stopped(
                f"{self.name}: stopped by a signal before {before}",
                "nothing was sent; the next run picks up the rest",
            )

    def _server_pause(self, response: requests.Response) -> float:
        """Seconds to wait when the server says this token has no requests left."""
        for scope in ("api-token", "api-key"):
            remaining = response.headers.get(f"x-rate-limit-{scope}-remaining")
            interval = response.headers.get(f"x-rate-limit-{scope}-interval-ms")
            if remaining is not None and remaining.strip() == "0" and interval:
                try:
                    return int(interval) / 1000
                except ValueError:
                    return 10.0
        return 0.0

    def _backoff(self, attempt: int, why: str, method: str, url: str, floor: float = 0.0) -> None:
        delay = max(floor, min(MAX_BACKOFF, 2 ** (attempt - 1)))
        delay += random.uniform(0, delay / 4)  # noqa: S311 - jitter, not cryptography
        of = self.read_retries if method in READS else self.retries
        log.info("%s: %s; retry %d/%d in %.1fs", self.name, why, attempt, of, delay)
        self._wait(delay, f"retrying {method} {where(url)} ({why})")

"""The polite session: timeouts, retries for reads, 429s, the request window, redaction."""

from __future__ import annotations

import logging

import pytest
import requests
import responses
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
)

from sync.errors import NotSent, RemoteError
from sync.http import PoliteSession, RedactingFilter, SlidingWindow, never_connected, redact

URL = "https://api.example.org/1/thing"


@pytest.fixture
def session():
    return PoliteSession(name="Example", timeout=7, retries=3, secrets=["s3cret-token"])


@responses.activate
def test_reads_are_retried_on_5xx_then_succeed(session, _no_real_waiting):
    responses.get(URL, status=502)
    responses.get(URL, status=503)
    responses.get(URL, json={"ok": True})
    assert session.get(URL).json() == {"ok": True}
    assert session.sent == 3
    assert len(_no_real_waiting) == 2 and _no_real_waiting[0] < _no_real_waiting[1]


@responses.activate
def test_every_request_has_a_timeout(session):
    responses.get(URL, json={})
    session.get(URL)
    assert responses.calls[0].request.req_kwargs["timeout"] == 7


@responses.activate
def test_writes_are_not_retried_on_5xx(session):
    responses.post(URL, status=500)
    assert session.post(URL, json={}).status_code == 500
    assert session.sent == 1


@responses.activate
def test_a_429_is_retried_even_for_writes_after_at_least_ten_seconds(session, _no_real_waiting):
    responses.post(URL, status=429, json={"error": "API_TOKEN_LIMIT_EXCEEDED"})
    responses.post(URL, status=200, json={"id": 1})
    assert session.post(URL, json={}).json() == {"id": 1}
    assert _no_real_waiting[0] >= 10


@responses.activate
def test_connection_errors_become_one_line_without_the_query(session):
    responses.get(URL, body=requests.ConnectionError("boom ?token=s3cret-token"))
    with pytest.raises(RemoteError) as caught:
        session.get(URL, params={"token": "s3cret-token"})
    assert str(caught.value).startswith("Example: GET https://api.example.org/1/thing could not")
    assert "s3cret" not in str(caught.value)
    assert session.sent == 4  # first try and three retries


def _wrapped(kind: type[requests.RequestException], reason: Exception):
    """A transport error as requests raises it: the urllib3 ``MaxRetryError`` and its reason."""
    return kind(MaxRetryError(None, URL, reason))  # type: ignore[arg-type]


REFUSED = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] refused")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "unsent"),
    [
        (_wrapped(requests.ConnectionError, REFUSED), True),
        (
            _wrapped(
                requests.ConnectionError,
                NameResolutionError("api.example.org", None, OSError("no name")),  # type: ignore[arg-type]
            ),
            True,
        ),
        (_wrapped(requests.ConnectTimeout, ConnectTimeoutError(None, "timed out")), True),
        # The request may have gone out on a kept-alive connection before it broke.
        (requests.ConnectionError(ProtocolError("Connection aborted.", OSError(104))), False),
        (requests.ConnectionError("boom"), False),
        (requests.ReadTimeout("read timed out"), False),
        (_wrapped(requests.exceptions.ProxyError, ProxyError("proxy", REFUSED)), False),
        (requests.exceptions.SSLError("bad record mac"), False),
        (requests.exceptions.ChunkedEncodingError("cut off"), False),
    ],
)
def test_only_a_connection_never_made_counts_as_nothing_sent(exc, unsent):
    assert never_connected(exc) is unsent


@responses.activate
def test_a_write_that_could_not_connect_says_nothing_was_sent(session):
    responses.post(URL, body=_wrapped(requests.ConnectionError, REFUSED))
    responses.put(URL, body=requests.ConnectionError("Connection aborted."))
    with pytest.raises(NotSent) as refused:
        session.post(URL, json={})
    assert str(refused.value) == (
        "Example: POST https://api.example.org/1/thing could not connect — check the network "
        "and rerun; nothing was sent"
    )
    with pytest.raises(RemoteError) as aborted:
        session.put(URL, json={})
    assert not isinstance(aborted.value, NotSent)
    assert aborted.value.fix.endswith("the next run finds it and does not repeat it")


@responses.activate
def test_the_server_saying_none_left_pauses_for_its_interval(session, _no_real_waiting):
    responses.get(
        URL,
        json={},
        headers={
            "x-rate-limit-api-token-remaining": "0",
            "x-rate-limit-api-token-interval-ms": "10000",
        },
    )
    session.get(URL)
    assert _no_real_waiting == [10.0]


def test_the_sliding_window_never_allows_more_than_the_limit():
    window = SlidingWindow(3, 10.0)
    for now in (0.0, 1.0, 2.0):
        assert window.wait_time(now) == 0
        window.record(now)
    assert window.wait_time(3.0) == 7.0
    assert window.wait_time(10.0) == 0


def test_secrets_are_redacted_from_text_and_logs(caplog):
    assert redact("key=abcd1234 and abcd1234", ["abcd1234"]) == "key=*** and ***"
    logger = logging.getLogger("test.redact")
    handler_filter = RedactingFilter(lambda: ["abcd1234"])
    logger.addFilter(handler_filter)
    with caplog.at_level(logging.INFO):
        logger.info("token %s in a message", "abcd1234")
    assert "abcd1234" not in caplog.text and "token *** in a message" in caplog.text


@responses.activate
def test_the_sessions_user_agent_wins_over_a_librarys(session):
    responses.get(URL, json={})
    session.get(URL, headers={"user-agent": "py-trello/Linux", "Accept": "application/json"})
    sent = responses.calls[0].request.headers
    assert sent["User-Agent"].startswith("otg-sync/") and "py-trello" not in sent["User-Agent"]
    assert sent["Accept"] == "application/json"

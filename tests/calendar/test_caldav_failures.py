"""The CalDAV target against a real server: the server going away, crashes, wrong passwords, URLs
that are not calendars, answers of the wrong shape.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from sync.state.store import State
from tests.calendar.export_harness import (
    DOMAIN,
    LONG_DOMAIN,
    Otg,
    card,
    card_id,
    read_calendar,
    uid,
)
from tests.servers.radicale import (
    USER,
    RadicaleServer,
    put_event,
    vcalendar,
)

# -- failures: the server going away, crashes, bad settings -------------------------------------


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RadicaleServer]:
    """A Radicale of this test's own, free to be stopped and started again."""
    server = RadicaleServer(tmp_path / "own-server")
    server.start()
    yield server
    server.stop()


def stop_after_puts(server: RadicaleServer, count: int) -> Callable[..., None]:
    """A response hook that stops ``server`` once it has answered ``count`` PUTs."""
    puts: list[int] = []

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "PUT":
            response.content  # noqa: B018 - read the answer before the server goes
            puts.append(response.status_code)
            if len(puts) == count:
                server.stop()

    return hook


def test_a_server_going_down_mid_run_is_reported_and_the_rerun_converges(
    otg: Otg, own_server: RadicaleServer
) -> None:
    otg.url = own_server.make_calendar()
    otg.add(*(card(n) for n in range(1, 6)))
    otg.hooks.append(stop_after_puts(own_server, 2))

    report = otg.sync()

    assert report.exit_code == 1
    assert len(report.failures) == 1
    assert "could not connect" in report.failures[0]
    assert "2 more changes not made" in report.failures[0]
    assert [(o.key, o.status) for o in report.outcomes if o.target == "caldav"] == [
        (card_id(1), "done"),
        (card_id(2), "done"),
        (card_id(3), "failed"),
    ]
    assert set(otg.state_items()) == {card_id(1), card_id(2)}  # only what really happened
    with State(otg.tmp / "state" / "otg-state.db") as state:
        assert state.runs()[0].status == "failed"

    otg.hooks.clear()
    own_server.start()
    assert set(read_calendar(otg.url)) == {uid(1), uid(2)}
    report = otg.sync()

    assert report.exit_code == 0, report.failures
    assert set(read_calendar(otg.url)) == {uid(n) for n in range(1, 6)}  # each once
    assert otg.session.sent_by_method == {"PROPFIND": 1, "PUT": 3}
    assert set(otg.state_items()) == {card_id(n) for n in range(1, 6)}
    otg.sync()
    assert otg.session.writes == 0


def test_the_cli_says_what_was_not_done_when_the_server_goes_down(
    otg: Otg, own_server: RadicaleServer
) -> None:
    otg.url = own_server.make_calendar()
    otg.add(card(1), card(2), card(3))
    otg.hooks.append(stop_after_puts(own_server, 1))

    result = otg.cli()

    assert result.exit_code == 1
    lines = result.output.splitlines()
    failed = [line for line in lines if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert failed[0].startswith(f"failed: CalDAV: PUT {otg.url}")  # what, where; said once
    assert failed[0].endswith(
        "could not connect — check the network and rerun; nothing was sent; "  # refused
        "1 more change not made, the next sync will make them"
    )
    assert [line.split()[:2] for line in lines if "caldav" in line.split()[1:2]] == [
        ["create", "caldav"],
        ["failed", "caldav"],
    ]
    assert "Traceback" not in result.output


def test_a_server_that_is_down_is_one_clear_line(otg: Otg, own_server: RadicaleServer) -> None:
    otg.url = own_server.make_calendar()
    own_server.stop()
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert failed == [
        f"failed: CalDAV: PROPFIND {otg.url} could not connect — check the network and rerun; "
        "nothing was lost"
    ]


class Crash(Exception):
    """The process dies here."""


@pytest.mark.parametrize("domain", [DOMAIN, LONG_DOMAIN], ids=["short-uid", "folded-uid"])
def test_a_crash_between_the_put_and_the_state_update_is_adopted_on_rerun(
    otg: Otg, monkeypatch: pytest.MonkeyPatch, domain: str
) -> None:
    otg.domain = domain
    otg.add(card(1), card(2))
    real_put_item = State.put_item

    def crash_once(self: State, item: Any) -> None:
        if item.target == "caldav":
            raise Crash("killed after the PUT, before the state update")
        real_put_item(self, item)

    monkeypatch.setattr(State, "put_item", crash_once)
    with pytest.raises(Crash):
        otg.sync()
    monkeypatch.setattr(State, "put_item", real_put_item)
    assert set(read_calendar(otg.url)) == {uid(1, domain)}
    assert otg.state_items() == {}

    report = otg.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert set(read_calendar(otg.url)) == {uid(1, domain), uid(2, domain)}
    adopted = [o for o in report.outcomes if o.target == "caldav" and o.key == card_id(1)]
    assert [(o.kind, o.status, o.detail) for o in adopted] == [
        ("create", "done", "found from an earlier run")
    ]
    assert set(otg.state_items()) == {card_id(1), card_id(2)}
    otg.sync()
    assert otg.session.writes == 0


@pytest.mark.radicale_only  # Xandikos leaves passwords to a proxy in front of it
def test_a_wrong_password_is_one_clear_line(otg: Otg, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALDAV_PASSWORD", "not-the-pass-8271")
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    assert "not-the-pass-8271" not in result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if "CALDAV_PASSWORD" in line]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("failed: CalDAV:")
    assert "401" in lines[0] and '"organiser"' in lines[0]
    assert read_calendar(otg.url) == {}


def test_a_missing_password_is_one_clear_line(otg: Otg, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALDAV_PASSWORD")
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "CALDAV_PASSWORD" in line]
    assert lines == [
        "failed: CalDAV: CALDAV_PASSWORD is not set, needed for calendar.caldav — set it in the "
        "environment or in a .env file beside the config"
    ]


class _PlainHandler(http.server.BaseHTTPRequestHandler):
    """A web server that knows nothing of WebDAV: a page at /page/, 404 elsewhere."""

    def _answer(self) -> None:
        body = b"<html><body>Hello</body></html>" if self.path == "/page/" else b"Not found"
        self.send_response(200 if self.path == "/page/" else 404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PROPFIND = do_PUT = do_REPORT = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def plain_http() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PlainHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "where", ["server-root", "principal", "missing-calendar", "web-page", "web-404"]
)
def test_a_url_that_is_not_a_caldav_calendar_is_one_clear_line(
    otg: Otg, radicale: RadicaleServer, plain_http: str, where: str
) -> None:
    otg.url = {
        "server-root": radicale.url,
        "principal": f"{radicale.url}{USER}/",
        "missing-calendar": f"{radicale.url}{USER}/no-such-calendar/",
        "web-page": f"{plain_http}/page/",
        "web-404": f"{plain_http}/nothing/",
    }[where]
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert f"{otg.url} is not a CalDAV calendar" in failed[0]
    assert "set calendar.caldav.url" in failed[0]
    assert "Traceback" not in result.output


WRONG_SHAPES = {
    # a sign-in page in XHTML, passed on by a proxy with the server's 207
    "xhtml-page": '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">'
    "<body><form>Sign in</form></body></html>",
    # a multistatus that says nothing of the calendar asked about
    "no-entry-for-the-calendar": '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">'
    "<d:response><d:href>/elsewhere/</d:href><d:propstat><d:prop><d:resourcetype>"
    "<d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status>"
    "</d:propstat></d:response></d:multistatus>",
}


@pytest.mark.parametrize(
    ("method", "shape"),
    [
        ("PROPFIND", "xhtml-page"),
        ("PROPFIND", "no-entry-for-the-calendar"),
        ("REPORT", "xhtml-page"),
    ],
)
def test_well_formed_xml_of_the_wrong_shape_is_an_unexpected_answer_not_a_wrong_url(
    otg: Otg, method: str, shape: str
) -> None:
    otg.add(card(1))
    otg.sync()
    put_event(otg.url, "standup.ics", vcalendar("standup-1234@example.org", "Team stand-up"))
    before = read_calendar(otg.url)

    def reshape(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == method and response.status_code == 207:
            response._content = WRONG_SHAPES[shape].encode()

    otg.hooks.append(reshape)
    otg.add(card(1, start="2027-02-01T08:00:00+00:00"))

    result = otg.cli()

    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    path = urlsplit(otg.url).path
    assert f"the CalDAV server answered {method} {path} with something unexpected" in failed[0]
    assert "no proxy or sign-in page" in failed[0]
    assert "not a CalDAV calendar" not in result.output
    assert "Traceback" not in result.output
    assert otg.session.writes == 0
    assert read_calendar(otg.url) == before

    otg.hooks.clear()
    assert otg.cli().exit_code == 0
    assert read_calendar(otg.url)[uid(1)].event.start == datetime(2027, 2, 1, 8, tzinfo=UTC)

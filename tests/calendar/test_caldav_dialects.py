"""The dialects of CalDAV servers people run: Digest sign-in (SabreDAV, Baïkal), a sign-in we do
not speak, a second event with one UID (refused by Radicale with 409, by Xandikos with 412, stored
by SabreDAV), a calendar that moved (a redirect).

SabreDAV is Debian's ``php-sabre-dav`` under PHP's built-in server (``tests/servers/sabredav.py``);
its tests skip, saying why, where PHP is not installed.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from requests.auth import HTTPDigestAuth

from sync.calendar.caldav import CalDavClient, UidConflict
from sync.http import PoliteSession
from tests.calendar.export_harness import Otg, card, card_id, otg_at, uid
from tests.servers.radicale import PASSWORD, USER, put_event, server_events, vcalendar
from tests.servers.sabredav import SabreDavServer

DIGEST = HTTPDigestAuth(USER, PASSWORD)


def uids_on(url: str, auth: Any = None) -> dict[str, list[str]]:
    """UID → the hrefs holding it, read with plain HTTP."""
    found: dict[str, list[str]] = {}
    for href, (_, text) in server_events(url, auth).items():
        for line in text.replace("\r\n ", "").splitlines():
            if line.startswith("UID:"):
                found.setdefault(line[4:].strip(), []).append(href)
    return found


@pytest.fixture
def on_sabredav(tmp_path: Path, sabredav: SabreDavServer, monkeypatch: pytest.MonkeyPatch) -> Otg:
    """otg against a fresh calendar on SabreDAV (not run once per contract server)."""
    sabredav.start()
    return otg_at(tmp_path, sabredav.make_calendar(), monkeypatch)


# -- sign-in ----------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["auto", "digest"])
def test_a_digest_server_is_signed_in_to_and_a_quiet_night_writes_nothing(
    on_sabredav: Otg, auth: str
) -> None:
    otg = on_sabredav
    otg.caldav_extra = [f'auth = "{auth}"']
    otg.add(card(1), card(2))

    report = otg.sync()

    assert report.exit_code == 0, (report.failures, report.outcomes)
    assert set(uids_on(otg.url, DIGEST)) == {uid(1), uid(2)}
    again = otg.sync()
    assert again.exit_code == 0, (again.failures, again.outcomes)
    assert otg.session.writes == 0
    assert otg.session.sent_by_method == {"PROPFIND": 1}


def test_basic_sign_in_to_a_digest_server_says_to_use_digest(on_sabredav: Otg) -> None:
    on_sabredav.caldav_extra = ['auth = "basic"']
    on_sabredav.add(card(1))

    result = on_sabredav.cli()

    assert result.exit_code == 1
    assert "asks for Digest sign-in" in result.output
    assert 'set calendar.caldav.auth = "digest"' in result.output
    assert PASSWORD not in result.output
    assert "Traceback" not in result.output


def test_a_wrong_password_on_a_digest_server_is_one_clear_line(
    on_sabredav: Otg, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALDAV_PASSWORD", "not-the-pass-8271")
    on_sabredav.add(card(1))

    result = on_sabredav.cli()

    assert result.exit_code == 1
    assert 'refused PROPFIND as "organiser" (401)' in result.output
    assert "check calendar.caldav.username and CALDAV_PASSWORD" in result.output


class _AsksFor(http.server.BaseHTTPRequestHandler):
    """A server that wants a sign-in we do not speak (``scheme`` is set per test)."""

    scheme = "Bearer"

    def do_PROPFIND(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", f'{self.scheme} realm="calendar", error="x, y"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Otg:
    """otg whose calendar.caldav.url the test sets (to a server of its own)."""
    return otg_at(tmp_path, "http://127.0.0.1:9/", monkeypatch)


@pytest.fixture
def serve() -> Iterator[Any]:
    servers = []

    def start(handler: type[http.server.BaseHTTPRequestHandler]) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("scheme", ["Bearer", "Negotiate"])
def test_a_sign_in_we_do_not_speak_is_named(bare: Otg, serve: Any, scheme: str) -> None:
    otg = bare
    handler = type("Handler", (_AsksFor,), {"scheme": scheme})
    otg.url = serve(handler) + "/calendars/organiser/events/"
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    assert f"asks for {scheme} sign-in, which otg-sync does not speak" in result.output


# -- one UID, two events -------------------------------------------------------------------------


def test_a_copy_of_our_event_is_named_by_its_href_on_servers_that_refuse_it(otg: Otg) -> None:
    copy = put_event(otg.url, "imported-0001.ics", vcalendar(uid(1), "OneTeamGov breakfast #1"))
    otg.add(card(1), card(2))

    report = otg.sync()

    assert report.exit_code == 1
    [failed] = [o for o in report.outcomes if o.status == "failed"]
    assert failed.key == card_id(1)
    path = copy.split("127.0.0.1", 1)[1].split("/", 1)[1]
    assert f"already has this UID, at /{path}" in failed.detail
    assert f"delete the copy at /{path}" in failed.detail
    assert "404" not in failed.detail and "leftover" not in failed.detail
    assert uids_on(otg.url) == {uid(1): [f"/{path}"], uid(2): [uids_on(otg.url)[uid(2)][0]]}


def test_a_copy_of_our_event_on_a_server_that_stores_it_is_reported(on_sabredav: Otg) -> None:
    otg = on_sabredav
    copy = put_event(otg.url, "imported-0001.ics", vcalendar(uid(1), "Breakfast"), DIGEST)
    otg.add(card(1), card(2))

    report = otg.sync()

    held = uids_on(otg.url, DIGEST)
    assert len(held[uid(1)]) == 2  # SabreDAV took ours beside the copy
    assert report.exit_code == 1
    [failed] = [o for o in report.outcomes if o.status == "failed"]
    path = "/" + copy.split("127.0.0.1", 1)[1].split("/", 1)[1]
    assert failed.key == card_id(1)
    assert f"another event in the calendar has the same UID, at {path}" in failed.detail
    assert f"delete the copy at {path}" in failed.detail
    # the copy read once (a new event on the calendar), then one REPORT by UID per event created
    assert otg.session.sent_by_method == {"PROPFIND": 1, "PUT": 2, "REPORT": 3}
    otg.sync()
    assert otg.session.writes == 0  # ours was written and recorded: nothing is written twice


# -- a calendar that moved -------------------------------------------------------------------------


class _Moved(http.server.BaseHTTPRequestHandler):
    status = 301

    def do_PROPFIND(self) -> None:
        self.send_response(self.status)
        self.send_header("Location", "/dav/calendars/organiser/events/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize("status", [301, 308])
def test_a_calendar_that_moved_is_one_line_naming_the_new_url(
    bare: Otg, serve: Any, status: int
) -> None:
    otg = bare
    base = serve(type("Handler", (_Moved,), {"status": status}))
    otg.url = base + "/calendars/organiser/events/"
    otg.add(card(1))

    result = otg.cli()

    assert result.exit_code == 1
    assert f"the calendar moved: PROPFIND /calendars/organiser/events/ answered {status}" in (
        result.output
    )
    assert f"set calendar.caldav.url to {base}/dav/calendars/organiser/events/" in result.output


class _NextcloudRefuses(http.server.BaseHTTPRequestHandler):
    """Nextcloud's answer to a second event with one UID (a 400 with Sabre's error body, no
    precondition element), and its answer to a REPORT by UID (the copy)."""

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = (
            b'<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" '
            b'xmlns:s="http://sabredav.org/ns">\n  <s:exception>Sabre\\DAV\\Exception\\BadRequest'
            b"</s:exception>\n  <s:message>Calendar object with uid already exists in this "
            b"calendar collection.</s:message>\n</d:error>\n"
        )
        self._answer(400, body)

    def do_REPORT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = (
            b'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" '
            b'xmlns:cal="urn:ietf:params:xml:ns:caldav"><d:response>'
            b"<d:href>/remote.php/dav/calendars/otg/events/imported-0001.ics</d:href><d:propstat>"
            b'<d:prop><d:getetag>"1"</d:getetag><cal:calendar-data>BEGIN:VCALENDAR\nBEGIN:VEVENT\n'
            b"UID:x@example\nEND:VEVENT\nEND:VCALENDAR\n</cal:calendar-data></d:prop>"
            b"<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"
        )
        self._answer(207, body)

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_nextclouds_own_uid_refusal_is_a_uid_conflict_naming_the_copy(serve: Any) -> None:
    base = serve(_NextcloudRefuses) + "/remote.php/dav/calendars/otg/events/"
    client = CalDavClient(base, "otg", "app-password", PoliteSession(name="CalDAV"))

    with pytest.raises(UidConflict) as refused:
        client.put(client.href_for("x@example"), b"BEGIN:VCALENDAR\r\n", uid="x@example")

    copy = "/remote.php/dav/calendars/otg/events/imported-0001.ics"
    assert refused.value.copy == copy
    assert f"already has this UID, at {copy}" in str(refused.value)


def test_a_well_known_address_is_followed_to_the_calendar_with_its_body(
    otg: Otg, caldav_server: Any
) -> None:
    # /.well-known/caldav redirects to the server's root (Radicale 301, Xandikos 302)
    name = f"OneTeamGov spinoffs {otg.tmp.name}"
    calendar_url = caldav_server.make_calendar(display_name=name)
    otg.url, otg.calendar = caldav_server.url + ".well-known/caldav", name
    otg.add(card(1))

    report = otg.sync()

    assert report.exit_code == 0, report.failures
    assert set(uids_on(calendar_url)) == {uid(1)}
    assert otg.clients[-1].url == calendar_url

"""A real Radicale CalDAV server on 127.0.0.1, started by the tests themselves.

``RadicaleServer`` runs ``python -m radicale`` as a subprocess with htpasswd auth, storage in a
folder of its own and no web interface. It can be stopped and started again on the same port and
folder, to play a server that goes down mid-run and comes back. The helpers below talk to it with
plain ``requests`` (never our client), so that what a test sets up or reads back does not depend on
the code under test.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from xml.sax.saxutils import escape

import requests
from defusedxml import ElementTree

USER, PASSWORD = "organiser", "s3cret-pass"
OTHER_USER, OTHER_PASSWORD = "someone", "other-pass"
STARTUP_TIMEOUT = 15.0
DAV, CALDAV = "{DAV:}", "{urn:ietf:params:xml:ns:caldav}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RadicaleServer:
    """One Radicale process; ``start()`` and ``stop()`` may be called again and again."""

    name = "radicale"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.storage = folder / "collections"
        self.users = folder / "users"
        self.log = folder / "radicale.log"
        self.users.write_text(f"{USER}:{PASSWORD}\n{OTHER_USER}:{OTHER_PASSWORD}\n")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{self.port}",
            "--storage-filesystem-folder",
            str(self.storage),
            "--web-type",
            "none",
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(self.users),
            "--auth-htpasswd-encryption",
            "plain",
            "--auth-delay",
            "0",  # a wrong password is answered at once, not after a second
            "--server-delay-on-error",
            "0",
        ]

    def start(self) -> None:
        if self.running:
            return
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # our own interpreter, fixed arguments
                self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"radicale exited at startup:\n{self.tail()}")
            try:
                requests.request("OPTIONS", self.url, timeout=1)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(
            f"radicale did not answer within {STARTUP_TIMEOUT:.0f} s:\n{self.tail()}"
        )

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    # -- helpers that do not go through the code under test ----------------------------------

    def session(self, user: str = USER, password: str = PASSWORD) -> requests.Session:
        session = requests.Session()
        session.auth = (user, password)
        return session

    def make_calendar(self, display_name: str = "", user: str = USER) -> str:
        """A new, empty calendar collection of ``user``'s; returns its URL (ending in /)."""
        url = f"{self.url}{user}/{uuid.uuid4().hex[:12]}/"
        name = f"<d:displayname>{escape(display_name)}</d:displayname>" if display_name else ""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            f"<d:set><d:prop>{name}</d:prop></d:set></c:mkcalendar>"
        )
        password = PASSWORD if user == USER else OTHER_PASSWORD
        response = self.session(user, password).request(
            "MKCALENDAR", url, data=body, headers={"Content-Type": "application/xml"}, timeout=5
        )
        assert response.status_code == 201, (response.status_code, response.text)
        return url


def vcalendar(uid: str, summary: str, start: str = "20270110T090000Z", sequence: int = 0) -> str:
    """An event as someone else's calendar app would write it."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//Their app//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T120000Z\r\nDTSTART:{start}\r\n"
        f"DURATION:PT1H\r\nSEQUENCE:{sequence}\r\nSUMMARY:{summary}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def put_event(calendar_url: str, name: str, ical: str, auth: object = None) -> str:
    """Add (or replace) an event by a plain PUT, as another client would; returns its URL.
    ``auth``: as ``requests`` takes it (Basic as the organiser unless given)."""
    url = calendar_url + name
    response = requests.put(
        url,
        data=ical.encode(),
        headers={"Content-Type": "text/calendar; charset=utf-8"},
        auth=auth or (USER, PASSWORD),
        timeout=5,
    )
    assert response.status_code in (201, 204), (response.status_code, response.text)
    return url


QUERY_BODY = (
    '<?xml version="1.0" encoding="utf-8"?><c:calendar-query xmlns:d="DAV:" '
    'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>'
    '<c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>'
)


def server_events(calendar_url: str, auth: object = None) -> dict[str, tuple[str, str]]:
    """href (path) → (ETag, iCalendar text) for every event in the calendar, read afresh."""
    response = requests.request(
        "REPORT",
        calendar_url,
        data=QUERY_BODY,
        headers={"Depth": "1", "Content-Type": "application/xml"},
        auth=auth or (USER, PASSWORD),
        timeout=5,
    )
    assert response.status_code == 207, (response.status_code, response.text)
    found = {}
    for item in ElementTree.fromstring(response.content).iter(f"{DAV}response"):
        data = item.findtext(f".//{CALDAV}calendar-data")
        if data:
            found[item.findtext(f"{DAV}href") or ""] = (item.findtext(f".//{DAV}getetag"), data)
    return found

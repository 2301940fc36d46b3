"""A real SabreDAV CalDAV server on 127.0.0.1: Debian's ``php-sabre-dav`` under PHP's built-in
web server, started by the tests themselves.

SabreDAV is the engine under Nextcloud and Baïkal. It is here for the two things the other test
servers do not do: it signs users in with **Digest** (its default), and it does **not** keep UIDs
unique in a calendar (a second event with one UID is stored). Its calendars live in a SQLite file
this module makes. It needs ``php``, ``php-sabre-dav`` and ``php-sqlite3`` (``.ci/run`` installs
them); ``sabredav_missing()`` says why it cannot be started, for a test to skip with.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path
from xml.sax.saxutils import escape

import requests
from requests.auth import HTTPDigestAuth

from tests.servers.radicale import PASSWORD, USER, RadicaleServer

HERE = Path(__file__).resolve().parent
REALM = "SabreDAV"
AUTOLOAD = Path("/usr/share/php/Sabre/autoload.php")
SCHEMA = """
CREATE TABLE users (id integer primary key asc, username TEXT, digesta1 TEXT, UNIQUE(username));
CREATE TABLE principals (id INTEGER PRIMARY KEY ASC, uri TEXT, email TEXT, displayname TEXT,
    vcardurl TEXT, UNIQUE(uri));
CREATE TABLE groupmembers (id INTEGER PRIMARY KEY ASC, principal_id INTEGER, member_id INTEGER,
    UNIQUE(principal_id, member_id));
CREATE TABLE calendarobjects (id integer primary key asc, calendardata blob, uri text,
    calendarid integer, lastmodified integer, etag text, size integer, componenttype text,
    firstoccurence integer, lastoccurence integer);
CREATE TABLE calendars (id integer primary key asc, principaluri text, displayname text,
    uri text, ctag integer, description text, calendarorder integer, calendarcolor text,
    timezone text, components text, transparent bool);
"""


def sabredav_missing() -> str | None:
    """Why SabreDAV cannot be started here, or None."""
    php = shutil.which("php")
    if php is None:
        return "php is not installed (apt-get install php-cli php-sabre-dav php-sqlite3)"
    if not AUTOLOAD.exists():
        return "SabreDAV is not installed (apt-get install php-sabre-dav php-sqlite3)"
    probe = subprocess.run(
        [php, "-r", "exit(extension_loaded('pdo_sqlite') ? 0 : 1);"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return "PHP has no SQLite driver (apt-get install php-sqlite3)"
    return None


class SabreDavServer(RadicaleServer):
    """One ``php -S`` process serving SabreDAV; users sign in with Digest only."""

    name = "sabredav"

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.log = folder / "sabredav.log"
        self.database = folder / "sabredav.sqlite"
        if not self.database.exists():
            self._make_database()

    def _make_database(self) -> None:
        with sqlite3.connect(self.database) as db:
            db.executescript(SCHEMA)
            for user, password in ((USER, PASSWORD), ("someone", "other-pass")):
                digest = hashlib.md5(f"{user}:{REALM}:{password}".encode()).hexdigest()  # noqa: S324 - RFC 2617's
                db.execute("INSERT INTO users (username, digesta1) VALUES (?, ?)", (user, digest))
                for suffix in ("", "/calendar-proxy-read", "/calendar-proxy-write"):
                    db.execute(
                        "INSERT INTO principals (uri, email, displayname) VALUES (?, ?, ?)",
                        (f"principals/{user}{suffix}", None, None),
                    )
        self.database.chmod(0o600)

    def command(self) -> list[str]:
        return ["php", "-S", f"127.0.0.1:{self.port}", str(HERE / "sabredav.php")]

    def start(self) -> None:
        os.environ["OTG_SABRE_DB"] = str(self.database)  # read by sabredav.php; inherited
        super().start()

    def session(self, user: str = USER, password: str = PASSWORD) -> requests.Session:
        session = requests.Session()
        session.auth = HTTPDigestAuth(user, password)
        return session

    def make_calendar(self, display_name: str = "", user: str = USER) -> str:
        """A new, empty calendar of ``user``'s; returns its URL (ending in /)."""
        url = f"{self.url}calendars/{user}/{uuid.uuid4().hex[:12]}/"
        name = f"<d:displayname>{escape(display_name)}</d:displayname>" if display_name else ""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            f"<d:set><d:prop>{name}</d:prop></d:set></c:mkcalendar>"
        )
        password = PASSWORD if user == USER else "other-pass"
        response = self.session(user, password).request(
            "MKCALENDAR", url, data=body, headers={"Content-Type": "application/xml"}, timeout=5
        )
        assert response.status_code == 201, (response.status_code, response.text)
        return url

"""A real Xandikos CalDAV server on 127.0.0.1, started by the tests themselves.

Xandikos (PyPI, git-backed storage) is the second server the CalDAV contract tests run against,
beside Radicale: where Radicale answers a second event with one UID by 409, Xandikos answers 412
with ``<C:no-uid-conflict/>``. It has no authentication of its own (it leaves that to a proxy in
front of it), so it takes the credentials the tests send and ignores them; the tests of wrong
passwords run on Radicale. It serves one user, whose calendars are under ``/user/calendars/``.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from xml.sax.saxutils import escape

from tests.servers.radicale import PASSWORD, USER, RadicaleServer


def xandikos_missing() -> str | None:
    """Why Xandikos cannot be started here, or None."""
    try:
        import xandikos  # noqa: F401
    except ImportError:
        return "xandikos is not installed: run `pip install -e '.[test]'` (or `make test`)"
    return None


class XandikosServer(RadicaleServer):
    """One Xandikos process; ``start()`` and ``stop()`` may be called again and again."""

    name = "xandikos"

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.log = folder / "xandikos.log"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "xandikos",
            "serve",
            "--directory",
            str(self.storage),
            "--state-dir",
            str(self.folder / "state"),
            "--defaults",
            "--no-detect-systemd",
            "--listen-address",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]

    def make_calendar(self, display_name: str = "", user: str = USER) -> str:
        """A new, empty calendar in the one user's home; returns its URL (ending in /)."""
        url = f"{self.url}user/calendars/{uuid.uuid4().hex[:12]}/"
        name = f"<d:displayname>{escape(display_name)}</d:displayname>" if display_name else ""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            f"<d:set><d:prop>{name}</d:prop></d:set></c:mkcalendar>"
        )
        response = self.session(USER, PASSWORD).request(
            "MKCALENDAR", url, data=body, headers={"Content-Type": "application/xml"}, timeout=5
        )
        assert response.status_code == 201, (response.status_code, response.text)
        return url

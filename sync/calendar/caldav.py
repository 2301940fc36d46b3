"""A small CalDAV client (RFC 4791) on our own HTTP session.

Just what the sync needs: find a calendar, list its events with their ETags (one PROPFIND),
fetch events, and create, replace or delete one event with ``If-None-Match``/``If-Match``, so
that we never overwrite a change we have not seen. Written here rather than taken from the
`caldav` package because that package brings its own HTTP stack (niquests, which replaces
urllib3) and would bypass the timeouts, retries and redaction every other request gets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit
from xml.sax.saxutils import escape

import requests

from sync.calendar.caldav_answers import (
    CALDAV,
    DAV,
    NOT_CALDAV_FIX,
    CalDavError,
    PreconditionFailed,
    UidConflict,
    UnexpectedAnswer,
    first_href,
    multistatus,
    normalise_href,
    precondition,
    uid_conflict,
    unexpected,
)
from sync.calendar.caldav_auth import ChosenAuth, refused
from sync.errors import AuthError, RemoteError
from sync.http import PoliteSession, where

__all__ = ["CalDavClient", "CalDavError", "PreconditionFailed", "Resource", "UidConflict"]
__all__ += ["UnexpectedAnswer", "normalise_href", "uids"]

LIST_BODY = (
    '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" '
    'xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:resourcetype/><d:getetag/>'
    "<d:getcontenttype/><cs:getctag/><d:sync-token/></d:prop></d:propfind>"
)
#: the calendar's version: CalendarServer's getctag, or RFC 6578's sync-token
VERSION_BODY = (
    '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" '
    'xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop>'
    "</d:propfind>"
)
CS = "{http://calendarserver.org/ns/}"
FIND_BODY = (
    '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" '
    'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:current-user-principal/>'
    "<c:calendar-home-set/><d:displayname/><d:resourcetype/></d:prop></d:propfind>"
)
MULTIGET_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" '
    'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>'
)
#: the events whose UID contains a text (a substring match: the caller checks for equality)
BY_UID = (
    '<?xml version="1.0" encoding="utf-8"?><c:calendar-query xmlns:d="DAV:" '
    'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>'
    '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
    '<c:prop-filter name="UID"><c:text-match collation="i;octet">{uid}</c:text-match>'
    "</c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
)
XML = {"Content-Type": "application/xml; charset=utf-8"}
SABRE = b"http://sabredav.org/ns"
#: Nextcloud keeps UIDs unique its own way: 400 with this message, no precondition element
NEXTCLOUD_UID = b"with uid already exists in this calendar collection"
REDIRECTS = (301, 302, 303, 307, 308)
MAX_HOPS = 5


@dataclass(frozen=True)
class Resource:
    href: str
    etag: str | None
    data: str | None = None


class CalDavClient:
    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        session: PoliteSession,
        auth: str = "auto",
    ) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.address = url  # as given: discovery starts there (/.well-known/caldav, say)
        self.session = session
        self.username = username
        self.auth = auth
        #: whether the server refuses a second event with one UID (Radicale, Xandikos do);
        #: SabreDAV (Nextcloud, Baïkal), known by the namespace in its XML, stores it
        self.unique_uids = True
        #: the calendar's version as the latest full listing gave it (None: not offered)
        self.listed_version: str | None = None
        # a second client on the session (for the calendar found by name) keeps what was learnt
        if (username or password) and not isinstance(session.auth, ChosenAuth):
            session.auth = ChosenAuth(username, password, auth)

    # -- discovery ---------------------------------------------------------------------------

    def find_calendar(self, name: str) -> str:
        """The URL of the calendar called ``name`` under the server's principal."""
        props = self._propfind(self.address, FIND_BODY, depth="0", follow=True)
        home = first_href(props, f"{CALDAV}calendar-home-set")
        if home is None:
            principal = first_href(props, f"{DAV}current-user-principal")
            if principal is None:
                raise CalDavError(
                    f"{where(self.url)} does not say where its calendars are", NOT_CALDAV_FIX
                )
            home = first_href(
                self._propfind(urljoin(self.url, principal), FIND_BODY, "0", follow=True),
                f"{CALDAV}calendar-home-set",
            )
        if home is None:
            raise CalDavError(f"{where(self.url)} has no calendar home", NOT_CALDAV_FIX)
        found = self._propfind(urljoin(self.url, home), FIND_BODY, depth="1", follow=True)
        names = []
        for href, prop in found.items():
            if prop.find(f"{DAV}resourcetype/{CALDAV}calendar") is None:
                continue
            display = (prop.findtext(f"{DAV}displayname") or "").strip()
            names.append(display or href.rstrip("/").rsplit("/", 1)[-1])
            if name in (display, href.rstrip("/").rsplit("/", 1)[-1]):
                return urljoin(self.url, href)
        raise CalDavError(
            f'no calendar called "{name}" at {where(self.url)}',
            f"use one of: {', '.join(sorted(names)) or 'none found'}",
        )

    # -- reading -----------------------------------------------------------------------------

    def list(self) -> dict[str, Resource]:
        """Every event in the calendar: href → its ETag. One request, no event bodies."""
        response = self._send("PROPFIND", self.url, data=LIST_BODY, headers={**XML, "Depth": "1"})
        self.unique_uids = SABRE not in response.content
        found = multistatus(response, self.url)
        collection = normalise_href(urlsplit(self.url).path)
        own = found.get(collection) or found.get(collection.rstrip("/"))
        if own is None:
            raise unexpected("PROPFIND", self.url, "it says nothing of the calendar itself")
        if own.find(f"{DAV}resourcetype/{CALDAV}calendar") is None:
            raise CalDavError(f"{where(self.url)} is not a CalDAV calendar", NOT_CALDAV_FIX)
        self.listed_version = _version(own)
        return {
            href: Resource(href, prop.findtext(f"{DAV}getetag"))
            for href, prop in found.items()
            if href not in (collection, collection.rstrip("/"))
            and prop.find(f"{DAV}resourcetype/{DAV}collection") is None
        }

    def version(self) -> str | None:
        """The calendar's version (getctag, else sync-token): it changes whenever any event in
        it does. One small PROPFIND (Depth 0); None when the server offers neither."""
        found = self._propfind(self.url, VERSION_BODY, depth="0")
        collection = normalise_href(urlsplit(self.url).path)
        own = found.get(collection) or found.get(collection.rstrip("/"))
        return _version(own) if own is not None else None

    def fetch(self, hrefs: list[str]) -> dict[str, Resource]:
        """Event bodies and ETags for ``hrefs``, in one calendar-multiget REPORT."""
        if not hrefs:
            return {}
        body = MULTIGET_HEAD + "".join(f"<d:href>{escape(h)}</d:href>" for h in hrefs)
        response = self._send(
            "REPORT", self.url, data=body + "</c:calendar-multiget>", headers={**XML, "Depth": "1"}
        )
        return {
            href: Resource(
                href, prop.findtext(f"{DAV}getetag"), prop.findtext(f"{CALDAV}calendar-data")
            )
            for href, prop in multistatus(response, self.url).items()
        }

    # -- writing -----------------------------------------------------------------------------

    def href_for(self, uid: str) -> str:
        return normalise_href(urlsplit(self.url).path + quote(uid, safe="") + ".ics")

    def put(self, href: str, body: bytes, *, etag: str | None = None, uid: str = "") -> str | None:
        """Create (no ``etag``: only if nothing is there) or replace (only if still ``etag``).
        A server that refuses it because another event has ``uid`` is answered with a
        ``UidConflict`` naming that event's href (asked for by UID if the server did not say)."""
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        headers["If-Match" if etag else "If-None-Match"] = etag or "*"
        try:
            response = self._send("PUT", urljoin(self.url, href), data=body, headers=headers)
        except UidConflict as conflict:
            if conflict.copy or not uid:
                raise
            copies = [h for h in self.holders(uid) if h != normalise_href(href)]
            raise uid_conflict(href, copies[0] if copies else None) from None
        etag = response.headers.get("ETag")
        if etag is None and response.content.strip():
            # a server that stored the event says so with its status alone (and mostly an ETag);
            # a page or JSON in its place, without one, is a proxy's or a broken server's: the
            # event may not be there, so it is not recorded (the next run looks again)
            raise RemoteError(
                f"the CalDAV server answered PUT {where(href)} with {response.status_code} and a "
                "body but no ETag: the event may not have been stored",
                "rerun later; if it persists, check what answers at calendar.caldav.url",
            )
        return etag

    def holders(self, uid: str) -> list[str]:
        """The hrefs of the events in the calendar whose UID is ``uid``: one REPORT. A server
        that does not keep UIDs unique (SabreDAV) may hold two."""
        body = BY_UID.format(uid=escape(uid))
        response = self._send("REPORT", self.url, data=body, headers={**XML, "Depth": "1"})
        found = multistatus(response, self.url)
        return sorted(
            href
            for href, prop in found.items()
            if uid in uids(prop.findtext(f"{CALDAV}calendar-data") or "")  # type: ignore[attr-defined]
        )

    def delete(self, href: str, *, etag: str | None) -> None:
        headers = {"If-Match": etag} if etag else {}
        self._send("DELETE", urljoin(self.url, href), headers=headers, missing_ok=True)

    # -- plumbing ----------------------------------------------------------------------------

    def _propfind(self, url: str, body: str, depth: str, follow: bool = False) -> dict:
        headers = {**XML, "Depth": depth}
        response = self._send("PROPFIND", url, data=body, headers=headers, follow=follow)
        return multistatus(response, response.url or url)

    def _send(
        self, method: str, url: str, *, missing_ok: bool = False, follow: bool = False, **kwargs
    ) -> requests.Response:
        """One request, its answer checked. Redirects are not left to requests, which would
        resend a PROPFIND without its body: in discovery (``follow``) one on the same server is
        followed with the body; anywhere else the calendar moved, and the config must say so."""
        response = self.session.request(method, url, allow_redirects=False, **kwargs)
        for _ in range(MAX_HOPS):
            if response.status_code not in REDIRECTS:
                break
            target = urljoin(url, response.headers.get("Location", ""))
            if not follow or urlsplit(target)[:2] != urlsplit(url)[:2]:
                raise CalDavError(
                    f"the calendar moved: {method} {urlsplit(url).path} answered "
                    f"{response.status_code} to {where(target)}",
                    f"set calendar.caldav.url to {where(target)}",
                )
            url = target
            response = self.session.request(method, url, allow_redirects=False, **kwargs)
        status = response.status_code
        found = precondition(response) if status in (403, 409, 412) else None
        if (found and found[0] == "no-uid-conflict") or (
            status == 400 and NEXTCLOUD_UID in response.content
        ):
            raise uid_conflict(urlsplit(url).path, found[1] if found else None)
        if status == 401:
            who = f' as "{self.username}"' if self.username else ""
            raise refused(response, self.auth, method, who)
        if status == 403:
            who = f' as "{self.username}"' if self.username else ""
            raise AuthError(
                f"the CalDAV server refused {method}{who} ({status})",
                "check calendar.caldav.username and CALDAV_PASSWORD",
            )
        if status == 412:
            raise PreconditionFailed(f"{method} {urlsplit(url).path}: changed on the server", "")
        if status == 404 and missing_ok:
            return response
        if status in (404, 405, 501) or (method == "PROPFIND" and status == 200):
            raise CalDavError(
                f"{where(url)} is not a CalDAV calendar ({method} answered {status})",
                NOT_CALDAV_FIX,
            )
        if status >= 400:
            raise RemoteError(
                f"the CalDAV server answered {status} to {method} {urlsplit(url).path}",
                "rerun later; nothing was lost",
            )
        return response


def _version(prop) -> str | None:
    for name in (f"{CS}getctag", f"{DAV}sync-token"):
        value = (prop.findtext(name) or "").strip()
        if value:
            return f"{name}={value}"
    return None


def uids(text: str) -> set[str]:
    """The UIDs in iCalendar text. Unfolds first: a long UID line is folded, and the XML of a
    REPORT has turned its CRLF into LF, so the fold is a newline and a space or tab."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    return {
        line.split(":", 1)[1].strip()
        for line in unfolded.splitlines()
        if line.upper().startswith("UID:")
    }

"""A small CalDAV client (RFC 4791) on our own HTTP session.

Just what the sync needs: find a calendar, list its events with their ETags (one PROPFIND),
fetch events, and create, replace or delete one event with ``If-None-Match``/``If-Match``, so
that we never overwrite a change we have not seen. Written here rather than taken from the
`caldav` package because that package brings its own HTTP stack (niquests, which replaces
urllib3) and would bypass the timeouts, retries and redaction every other request gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.sax.saxutils import escape

import requests
from defusedxml import ElementTree

from sync.errors import AuthError, OtgError, RemoteError
from sync.http import PoliteSession, where

DAV, CALDAV = "{DAV:}", "{urn:ietf:params:xml:ns:caldav}"
LIST_BODY = (
    '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:">'
    "<d:prop><d:resourcetype/><d:getetag/><d:getcontenttype/></d:prop></d:propfind>"
)
FIND_BODY = (
    '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" '
    'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:current-user-principal/>'
    "<c:calendar-home-set/><d:displayname/><d:resourcetype/></d:prop></d:propfind>"
)
MULTIGET_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" '
    'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>'
)
XML = {"Content-Type": "application/xml; charset=utf-8"}
NOT_CALDAV_FIX = (
    "set calendar.caldav.url to the calendar's CalDAV address (your calendar app shows it)"
)


class CalDavError(OtgError):
    """The server is not a CalDAV calendar, or refused something."""


class PreconditionFailed(CalDavError):
    """``If-Match``/``If-None-Match`` failed: someone else changed (or created) the event."""


class UnexpectedAnswer(CalDavError):
    """Readable XML, but not of the shape a CalDAV server answers with (a proxy's or sign-in
    page's, say): said as such, not as "not a CalDAV calendar", which would send the user to
    fix a URL that may be right."""


class UidConflict(CalDavError):
    """Another event in the calendar already has this UID (CalDAV ``no-uid-conflict``)."""


@dataclass(frozen=True)
class Resource:
    href: str
    etag: str | None
    data: str | None = None


class CalDavClient:
    def __init__(self, url: str, username: str, password: str, session: PoliteSession) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.session = session
        self.username = username
        if username or password:
            session.auth = (username, password)

    # -- discovery ---------------------------------------------------------------------------

    def find_calendar(self, name: str) -> str:
        """The URL of the calendar called ``name`` under the server's principal."""
        props = self._propfind(self.url, FIND_BODY, depth="0")
        home = _first_href(props, f"{CALDAV}calendar-home-set")
        if home is None:
            principal = _first_href(props, f"{DAV}current-user-principal")
            if principal is None:
                raise CalDavError(
                    f"{where(self.url)} does not say where its calendars are", NOT_CALDAV_FIX
                )
            home = _first_href(
                self._propfind(urljoin(self.url, principal), FIND_BODY, "0"),
                f"{CALDAV}calendar-home-set",
            )
        if home is None:
            raise CalDavError(f"{where(self.url)} has no calendar home", NOT_CALDAV_FIX)
        found = self._propfind(urljoin(self.url, home), FIND_BODY, depth="1")
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
        found = self._propfind(self.url, LIST_BODY, depth="1")
        collection = normalise_href(urlsplit(self.url).path)
        own = found.get(collection) or found.get(collection.rstrip("/"))
        if own is None:
            raise _unexpected("PROPFIND", self.url, "it says nothing of the calendar itself")
        if own.find(f"{DAV}resourcetype/{CALDAV}calendar") is None:
            raise CalDavError(f"{where(self.url)} is not a CalDAV calendar", NOT_CALDAV_FIX)
        return {
            href: Resource(href, prop.findtext(f"{DAV}getetag"))
            for href, prop in found.items()
            if href not in (collection, collection.rstrip("/"))
            and prop.find(f"{DAV}resourcetype/{DAV}collection") is None
        }

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
            for href, prop in _multistatus(response, self.url).items()
        }

    # -- writing -----------------------------------------------------------------------------

    def href_for(self, uid: str) -> str:
        return normalise_href(urlsplit(self.url).path + quote(uid, safe="") + ".ics")

    def put(self, href: str, body: bytes, *, etag: str | None = None) -> str | None:
        """Create (no ``etag``: only if nothing is there) or replace (only if still ``etag``)."""
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        headers["If-Match" if etag else "If-None-Match"] = etag or "*"
        response = self._send("PUT", urljoin(self.url, href), data=body, headers=headers)
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

    def delete(self, href: str, *, etag: str | None) -> None:
        headers = {"If-Match": etag} if etag else {}
        self._send("DELETE", urljoin(self.url, href), headers=headers, missing_ok=True)

    # -- plumbing ----------------------------------------------------------------------------

    def _propfind(self, url: str, body: str, depth: str) -> dict[str, object]:
        response = self._send("PROPFIND", url, data=body, headers={**XML, "Depth": depth})
        return _multistatus(response, url)

    def _send(
        self, method: str, url: str, *, missing_ok: bool = False, **kwargs: object
    ) -> requests.Response:
        response = self.session.request(method, url, **kwargs)  # type: ignore[arg-type]
        status = response.status_code
        if status in (403, 409) and b"no-uid-conflict" in response.content:
            raise UidConflict(  # one event refused, not the whole calendar: the others go on
                f"{method} {urlsplit(url).path}: another event in the calendar already has "
                "this UID (a copy imported from our feed, say); left alone",
                "delete that copy from the calendar, and the next sync adds ours",
            )
        if status in (401, 403):
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


def _multistatus(response: requests.Response, url: str) -> dict[str, object]:
    """href (a path) → its DAV:prop element, for every 200 propstat in a 207 answer."""
    if response.status_code != 207:
        raise CalDavError(
            f"{where(url)} did not answer like a CalDAV server ({response.status_code})",
            NOT_CALDAV_FIX,
        )
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError:  # a 207 is a CalDAV server's: its answer was cut or garbled
        method = response.request.method if response.request is not None else "a request"
        raise RemoteError(
            f"the CalDAV server sent a broken answer to {method} {urlsplit(url).path} (XML "
            "that cannot be read)",
            "rerun later; nothing was lost",
        ) from None
    if root.tag != f"{DAV}multistatus":
        method = response.request.method if response.request is not None else "a request"
        tag = root.tag.rsplit("}", 1)[-1]
        raise _unexpected(method, url, f"a <{tag}> document, not a DAV multistatus")
    found = {}
    for item in root.iter(f"{DAV}response"):
        href = urlsplit(item.findtext(f"{DAV}href") or "").path
        for propstat in item.iter(f"{DAV}propstat"):
            if " 200 " in (propstat.findtext(f"{DAV}status") or ""):
                prop = propstat.find(f"{DAV}prop")
                if prop is not None:
                    found[normalise_href(href)] = prop
    return found


def _unexpected(method: str, url: str, what: str) -> UnexpectedAnswer:
    return UnexpectedAnswer(
        f"the CalDAV server answered {method} {urlsplit(url).path} with something unexpected "
        f"({what})",
        "check that calendar.caldav.url is the calendar's own CalDAV address and that no proxy "
        "or sign-in page answers in the server's place",
    )


def normalise_href(path: str) -> str:
    """One spelling per path, however the server chose to percent-encode it."""
    return quote(unquote(path), safe="/@:+,;=!$&'()*~")


def _first_href(props: dict[str, object], name: str) -> str | None:
    for prop in props.values():
        element = prop.find(name)  # type: ignore[attr-defined]
        if element is not None:
            href = element.findtext(f"{DAV}href")
            if href:
                return href.strip()
    return None

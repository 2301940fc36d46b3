"""What a CalDAV server's answers mean: multistatus bodies, precondition errors, hrefs.

Pure: a ``requests.Response`` (or its parts) in, values or named errors out. The client
(``sync.calendar.caldav``) sends; this module reads. Servers speak several dialects of the same
refusal: a second event with a UID already in the calendar is 409 on Radicale, 412 on Xandikos
and 403 in RFC 4791's own words, each with a ``<C:no-uid-conflict/>`` element that may name the
copy's href; all of them are one ``UidConflict`` here.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

import requests
from defusedxml import ElementTree

from sync.errors import OtgError, RemoteError
from sync.http import where

DAV, CALDAV = "{DAV:}", "{urn:ietf:params:xml:ns:caldav}"
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
    """Another event in the calendar already has this UID (CalDAV ``no-uid-conflict``);
    ``copy`` is that event's href when the server (or a lookup by UID) told us."""

    def __init__(self, message: str, fix: str = "", copy: str | None = None) -> None:
        super().__init__(message, fix)
        self.copy = copy


def uid_conflict(path: str, copy: str | None) -> UidConflict:
    """The refusal of a write because ``copy`` (an href, if known) holds the same UID."""
    where = f", at {copy}" if copy else ""
    return UidConflict(  # one event refused, not the whole calendar: the others go on
        f"PUT {path}: another event in the calendar already has this UID{where} (a copy "
        "imported from our feed, say); left alone",
        f"delete {'the copy at ' + copy if copy else 'that copy'} from the calendar, and the "
        "next sync adds ours",
        copy,
    )


def precondition(response: requests.Response) -> tuple[str, str | None] | None:
    """The precondition a 403/409/412 names in its ``DAV:error`` body, and the href inside it
    if any (RFC 4918 §16, RFC 4791 §5.3.2.1); None for a body that names none."""
    if b"<" not in response.content[:200]:
        return None
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError:
        return None
    if root.tag != f"{DAV}error":
        return None
    for element in root:
        name = element.tag.rsplit("}", 1)[-1]
        if name == "responsedescription":
            continue
        href = element.findtext(f"{DAV}href")
        return name, normalise_href(urlsplit(href.strip()).path) if href else None
    return None


def multistatus(response: requests.Response, url: str) -> dict[str, object]:
    """href (a path) → its DAV:prop element, for every 200 propstat in a 207 answer."""
    if response.status_code != 207:
        raise CalDavError(
            f"{where(url)} did not answer like a CalDAV server ({response.status_code})",
            NOT_CALDAV_FIX,
        )
    root = _parse(response, url)
    found = {}
    for item in root.iter(f"{DAV}response"):
        href = urlsplit(item.findtext(f"{DAV}href") or "").path
        for propstat in item.iter(f"{DAV}propstat"):
            if " 200 " in (propstat.findtext(f"{DAV}status") or ""):
                prop = propstat.find(f"{DAV}prop")
                if prop is not None:
                    found[normalise_href(href)] = prop
    return found


def _parse(response: requests.Response, url: str):
    method = response.request.method if response.request is not None else "a request"
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError:  # a 207 is a CalDAV server's: its answer was cut or garbled
        raise RemoteError(
            f"the CalDAV server sent a broken answer to {method} {urlsplit(url).path} (XML "
            "that cannot be read)",
            "rerun later; nothing was lost",
        ) from None
    if root.tag != f"{DAV}multistatus":
        tag = root.tag.rsplit("}", 1)[-1]
        raise unexpected(method, url, f"a <{tag}> document, not a DAV multistatus")
    return root


def unexpected(method: str, url: str, what: str) -> UnexpectedAnswer:
    return UnexpectedAnswer(
        f"the CalDAV server answered {method} {urlsplit(url).path} with something unexpected "
        f"({what})",
        "check that calendar.caldav.url is the calendar's own CalDAV address and that no proxy "
        "or sign-in page answers in the server's place",
    )


def normalise_href(path: str) -> str:
    """One spelling per path, however the server chose to percent-encode it."""
    return quote(unquote(path), safe="/@:+,;=!$&'()*~")


def first_href(props: dict[str, object], name: str) -> str | None:
    for prop in props.values():
        element = prop.find(name)  # type: ignore[attr-defined]
        if element is not None:
            href = element.findtext(f"{DAV}href")
            if href:
                return href.strip()
    return None

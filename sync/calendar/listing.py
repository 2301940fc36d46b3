"""The calendar's listing, remembered between runs while the calendar's version is unchanged.

Every sync needs the calendar's hrefs and ETags. Listing them costs about 350 bytes per event
(a whole PROPFIND of the calendar); on a quiet night nothing has changed. A CalDAV collection
says when anything in it changed: CalendarServer's ``getctag`` (Radicale, Xandikos, SabreDAV)
or RFC 6578's ``sync-token``. After a run that wrote nothing to the calendar, the listing and
the version it came with are kept (a state bookmark per calendar URL); the next run asks for the
version alone (one small PROPFIND, Depth 0) and, if it is the same, uses the listing kept.
Any change (by anyone, us included) changes the version, and the calendar is listed whole again,
as it is on a server that offers no version.
"""

from __future__ import annotations

import json

from sync.calendar.caldav import CalDavClient, Resource
from sync.state.store import State


def _mark(client: CalDavClient) -> str:
    return f"caldav-listing:{client.url}"


def listing(client: CalDavClient, state: State, *, fresh: bool = False) -> dict[str, Resource]:
    """href → Resource (with its ETag) for every event in the calendar: the listing kept from
    the last quiet run if the calendar's version is still its, else a new listing."""
    kept = None if fresh else _kept(state.bookmark(_mark(client)))
    if kept is not None and client.version() == kept[0]:
        client.listed_version, client.unique_uids = kept[0], kept[2]
        return {href: Resource(href, etag) for href, etag in kept[1].items()}
    return client.list()


def remember(client: CalDavClient, state: State, server: dict[str, Resource]) -> None:
    """Keep ``server`` (the listing this run used) for the next run: only after a run that
    wrote nothing to the calendar, so that it is still what the server holds."""
    if client.listed_version is None:
        return
    items = {href: resource.etag for href, resource in server.items()}
    value = json.dumps(
        {"version": client.listed_version, "unique": client.unique_uids, "items": items},
        sort_keys=True,
    )
    if state.bookmark(_mark(client)) != value:
        state.set_bookmark(_mark(client), value)


def forget(client: CalDavClient, state: State) -> None:
    """The calendar was written to: the next run lists it whole (and keeps that listing)."""
    if state.bookmark(_mark(client)) not in (None, ""):
        state.set_bookmark(_mark(client), "")


def _kept(value: str | None) -> tuple[str, dict[str, str | None], bool] | None:
    if not value:
        return None
    try:
        data = json.loads(value)
        version, items, unique = data["version"], data["items"], bool(data.get("unique", True))
    except (ValueError, KeyError, TypeError):
        return None  # written by something else, or cut: list the calendar afresh
    if not isinstance(version, str) or not isinstance(items, dict):
        return None
    return version, items, unique
